"""Class-conditional GAN (tfvidgan.models.cgan): labels reach both networks."""

import numpy as np
import pytest

from tfvidgan.config import get_config
from tfvidgan.models import cgan, dcgan
from tfvidgan.models.base import GAN_OPTIONS

LATENT = 8


def test_conditional_generator_uses_the_label():
    g = cgan.build_generator(LATENT, 10, 16, 1, 4)
    z = np.random.normal(size=(2, LATENT)).astype("float32")
    a = g([z, np.array([1, 1])]).numpy()
    b = g([z, np.array([7, 7])]).numpy()
    assert a.shape == (2, 16, 16, 1) and not np.allclose(a, b)
    assert a.min() >= -1 and a.max() <= 1


@pytest.mark.parametrize("conditioning", ["projection", "concat"])
def test_conditional_discriminator_uses_the_label(images, conditioning):
    d = cgan.build_discriminator(10, 16, 1, 4, conditioning=conditioning)
    x = images(2)
    assert d([x, np.array([0, 0])]).shape == (2, 1)
    assert not np.allclose(d([x, np.array([0, 0])]).numpy(), d([x, np.array([3, 3])]).numpy())


def test_projection_logit_is_the_plain_logit_plus_the_class_projection(images):
    """Without the ClassProjection term the logit would not depend on the label:
    two labels give logits that differ by <embed(y1) - embed(y2), phi(x)>."""
    from tfvidgan.layers import ClassProjection

    d = cgan.build_discriminator(10, 16, 1, 4)
    x = images(2)
    projection = next(layer for layer in d.layers if isinstance(layer, ClassProjection))
    features = next(layer for layer in d.layers if layer.name == "features")
    phi = features(x).numpy()
    table = projection.embedding.embeddings.numpy()
    gap = d([x, np.array([2, 2])]).numpy() - d([x, np.array([5, 5])]).numpy()
    np.testing.assert_allclose(gap[:, 0], phi @ (table[2] - table[5]), rtol=1e-4, atol=1e-5)


def test_unknown_conditioning_is_rejected():
    with pytest.raises(ValueError, match="projection"):
        cgan.build_discriminator(10, 16, 1, 4, conditioning="film")


def test_conditional_gan_train_step_and_sampling(fit_step, images):
    model = cgan.ConditionalGAN(
        cgan.build_generator(LATENT, 10, 16, 1, 4), cgan.build_discriminator(10, 16, 1, 4), LATENT
    )
    assert model.num_classes == 10
    logs = fit_step(model, (images(), np.arange(8) % 10), loss="hinge")
    assert logs["d_loss"] > 0
    samples = model.sample(5, labels=3)
    assert samples.shape == (5, 16, 16, 1) and samples.dtype == np.float32


def test_presets_options_and_from_config():
    assert cgan.PRESETS is dcgan.IMAGE_PRESETS  # the DCGAN networks and budgets, no packing
    assert set(cgan.OPTIONS) == set(GAN_OPTIONS) | {"conditioning"}
    model = cgan.from_config(get_config("cgan", "tiny", image_size=16, conditioning="concat"))
    assert isinstance(model, cgan.ConditionalGAN) and model.num_classes == 10
    assert [tuple(i.shape) for i in model.discriminator.inputs] == [(None, 16, 16, 1), (None,)]
    latents, labels = model.grid_inputs(4)
    assert model.generate(latents, labels).shape == (4, 16, 16, 1)
