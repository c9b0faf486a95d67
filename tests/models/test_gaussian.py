"""The 1-D Gaussian GAN (tfvidgan.models.gaussian)."""

import keras
import numpy as np
import tensorflow as tf

from tfvidgan.config import get_config
from tfvidgan.data import gaussian_1d
from tfvidgan.models import gaussian
from tfvidgan.models.base import GAN_OPTIONS


def test_shapes_and_a_linear_output():
    g, d = gaussian.build_generator(4), gaussian.build_discriminator()
    x = g(np.random.normal(size=(5, 4)).astype("float32"))
    assert x.shape == (5, 1) and d(x).shape == (5, 1)
    assert g.layers[-1].activation is keras.activations.linear  # can reach any mean, not [-1, 1]
    sn = gaussian.build_discriminator(spectral_norm=True)
    assert sum(isinstance(layer, keras.layers.SpectralNormalization) for layer in sn.layers) == 3


def test_one_step_and_from_config(fit_step):
    model = gaussian.from_config(get_config("gaussian", "tiny"))
    assert isinstance(model, gaussian.GaussianGAN) and model.latent_dim == 4
    assert gaussian.OPTIONS == GAN_OPTIONS
    logs = fit_step(model, gaussian_1d(8))
    assert logs["d_loss"] > 0 and logs["g_loss"] > 0
    assert model.sample(10, seed=0).shape == (10, 1)


def test_gaussian_gan_moves_towards_the_data_mean():
    keras.utils.set_random_seed(0)
    model = gaussian.GaussianGAN(
        gaussian.build_generator(4), gaussian.build_discriminator(), 4, seed=0
    )
    model.compile(keras.optimizers.Adam(5e-3, beta_1=0.5), keras.optimizers.Adam(5e-3, beta_1=0.5))
    start = abs(float(model.sample(1024, seed=1).mean()) - 4.0)
    ds = (
        tf.data.Dataset.from_tensor_slices(gaussian_1d(4096))
        .shuffle(4096, seed=0)
        .batch(128)
        .repeat()
    )
    model.fit(ds, epochs=1, steps_per_epoch=300, verbose=0)
    end = abs(float(model.sample(1024, seed=1).mean()) - 4.0)
    assert start > 2.0 and end < 0.5, (start, end)
