"""The convolutional VAE (tfvidgan.models.vae): ELBO maths, training and the model protocol."""

import contextlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan.config import get_config
from tfvidgan.models import dcgan, vae


def _vae(beta=1.0, seed=0):
    return vae.VAE(
        vae.build_encoder(4, 16, 1, 4, seed=seed), vae.build_decoder(4, 16, 1, 4), 4, beta, seed
    )


def test_vae_shapes_elbo_and_training(images):
    model = _vae()
    mu, log_var, z = model.encoder(images(3))
    assert mu.shape == log_var.shape == z.shape == (3, 4)
    assert model.decoder.name == "decoder" and model(images(3)).shape == (3, 16, 16, 1)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), run_eagerly=True)  # tracing costs more
    before = [w.numpy().copy() for w in model.decoder.trainable_weights]
    ds = tf.data.Dataset.from_tensor_slices(images(16)).batch(8).repeat()
    hist = model.fit(ds, epochs=2, steps_per_epoch=5, verbose=0).history
    assert set(hist) == {"loss", "reconstruction_loss", "kl_loss", "elbo"}
    np.testing.assert_allclose(
        hist["elbo"],
        -(np.array(hist["reconstruction_loss"]) + np.array(hist["kl_loss"])),
        rtol=1e-5,
    )
    assert hist["loss"][-1] < hist["loss"][0]
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, model.decoder.weights))
    assert model.trained_steps == 10


def test_vae_kl_matches_closed_form(images):
    model = _vae()
    x = images(4)
    mu, log_var, _ = model.encoder(x)
    mu, log_var = mu.numpy(), log_var.numpy()
    expected = np.mean(np.sum(0.5 * (mu**2 + np.exp(log_var) - 1 - log_var), axis=1))
    _, kl = model.compute_terms(x)
    np.testing.assert_allclose(float(kl), expected, rtol=1e-4)


def test_reconstruction_is_half_the_summed_squared_error(images, monkeypatch):
    """With the encoder's noise switched off (z = mu) the term is exactly
    0.5 * mean over images of sum over pixels of (x - decoder(mu))^2."""
    model = _vae()
    x = images(3)
    sampling = next(layer for layer in model.encoder.layers if isinstance(layer, vae.Sampling))
    monkeypatch.setattr(sampling, "call", lambda inputs: inputs[0])
    mu, _, z = model.encoder(x)
    np.testing.assert_array_equal(mu.numpy(), z.numpy())
    recon = model.decoder(mu).numpy()
    expected = 0.5 * np.mean(np.sum((x - recon).reshape(3, -1) ** 2, axis=1))
    reconstruction, _ = model.compute_terms(x)
    np.testing.assert_allclose(float(reconstruction), expected, rtol=1e-5)


def test_beta_weights_the_kl_term_in_the_loss(images):
    model = _vae(beta=0.25)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), run_eagerly=True)
    logs = model.fit(images(8), batch_size=8, epochs=1, verbose=0).history
    expected = logs["reconstruction_loss"][0] + 0.25 * logs["kl_loss"][0]
    np.testing.assert_allclose(logs["loss"][0], expected, rtol=1e-5)


def test_the_model_protocol(images):
    model = _vae()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    items = model.checkpoint_items()
    assert list(items) == ["encoder", "decoder", "optimizer"]
    assert items["decoder"] is model.decoder and items["optimizer"] is model.optimizer
    assert model.trained_steps == 0 and not model.optimizer.built
    model.build_optimizers()
    assert model.optimizer.built
    assert (model.num_classes, model.info_codes) == (None, 0)
    latents, condition = model.grid_inputs(5, seed=3)
    assert latents.shape == (5, 4) and latents.dtype == np.float32 and condition is None
    np.testing.assert_array_equal(latents, model.grid_inputs(5, seed=3)[0])
    np.testing.assert_array_equal(latents, model.grid_inputs(5, np.random.default_rng(3))[0])
    decoded = model.generate(latents).numpy()
    np.testing.assert_allclose(decoded, model.decoder(latents).numpy(), atol=1e-6)
    averaged = model.averaged_generator()
    assert isinstance(averaged, contextlib.AbstractContextManager)
    with averaged as decoder:
        assert decoder is model.decoder


def test_sampling_with_a_seed_is_repeatable():
    model = _vae()
    a = model.sample(5, seed=1, batch_size=2)
    assert a.shape == (5, 16, 16, 1) and a.dtype == np.float32
    assert a.min() >= -1 and a.max() <= 1
    np.testing.assert_array_equal(a, model.sample(5, seed=1, batch_size=2))
    assert not np.allclose(a, model.sample(5, seed=2))
    with pytest.raises(TypeError):
        model.sample(2, labels=1)  # no labels: a VAE is unconditional


def test_presets_options_and_from_config():
    for name, preset in vae.PRESETS.items():
        assert preset == {**dcgan.IMAGE_PRESETS[name], "latent_dim": 16, "g_lr": 1e-3}
    assert vae.OPTIONS == ("kl_beta",)
    model = vae.from_config(get_config("vae", "tiny", image_size=16, kl_beta=0.5, g_lr=3e-4))
    assert isinstance(model, vae.VAE) and model.beta == 0.5 and model.latent_dim == 16
    assert float(model.optimizer.learning_rate) == pytest.approx(3e-4)
    assert model.sample(2).shape == (2, 16, 16, 1)
