"""The video VAE (tfvidgan.models.video_vae): 3-D encoder, VGAN decoder, ELBO per clip."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from tfvidgan import models
from tfvidgan.config import get_config
from tfvidgan.models import vgan, video_vae
from tfvidgan.models.vae import VAE

LATENT = 4


def _tiny(frames=4, size=16, channels=1, seed=0):
    return video_vae.VideoVAE(
        video_vae.build_encoder(LATENT, frames, size, channels, 4, seed=seed),
        video_vae.build_decoder(LATENT, frames, size, channels, 4),
        LATENT,
        seed=seed,
    )


@pytest.mark.parametrize("frames, size, channels", [(4, 16, 1), (8, 32, 3)])
def test_encoder_and_decoder_shapes(frames, size, channels, videos):
    model = _tiny(frames, size, channels)
    x = videos(2, frames, size, channels)
    mu, log_var, z = model.encoder(x)
    assert mu.shape == log_var.shape == z.shape == (2, LATENT)
    recon = ops.convert_to_numpy(model(x))
    assert recon.shape == x.shape and recon.dtype == np.float32
    assert np.abs(recon).max() <= 1.0


def test_decoder_is_the_vgan_generator():
    decoder = video_vae.build_decoder(LATENT, 8, 16, 1, 4, shared_content=True)
    generator = vgan.build_generator(LATENT, 8, 16, 1, 4, shared_content=True)
    assert decoder.name == "decoder"
    assert decoder.count_params() == generator.count_params()
    assert [w.shape for w in decoder.weights] == [w.shape for w in generator.weights]


def test_elbo_terms_match_numpy(videos):
    model = _tiny()
    x = videos(3, 4, 16)
    # run the encoder once, then rewind its sampler so compute_terms draws the same eps
    state = model.encoder.get_layer("z").seed_generator.state
    saved = ops.convert_to_numpy(state)
    mu, log_var, z = (ops.convert_to_numpy(t).astype(np.float64) for t in model.encoder(x))
    recon = ops.convert_to_numpy(model.decoder(z.astype("float32"))).astype(np.float64)
    state.assign(saved)
    reconstruction, kl = (float(t) for t in model.compute_terms(x))

    per_clip = 0.5 * ((x - recon) ** 2).sum(axis=(1, 2, 3, 4))  # sums over T, H, W and C
    want_kl = 0.5 * (np.exp(log_var) + mu**2 - 1.0 - log_var).sum(axis=1)
    assert reconstruction == pytest.approx(per_clip.mean(), rel=1e-5)
    assert kl == pytest.approx(want_kl.mean(), rel=1e-4, abs=1e-6)
    assert kl >= 0.0


def test_kl_is_zero_at_the_prior():
    model = _tiny()
    head_mu, head_lv = model.encoder.get_layer("mu"), model.encoder.get_layer("log_var")
    for layer in (head_mu, head_lv):  # mu = 0, log_var = 0 whatever the clip
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    _, kl = model.compute_terms(np.zeros((2, 4, 16, 16, 1), "float32"))
    assert float(kl) == pytest.approx(0.0, abs=1e-7)


def test_fit_step_reports_the_elbo_and_moves_both_networks(videos):
    model = _tiny()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), run_eagerly=True)
    enc = [w.numpy().copy() for w in model.encoder.trainable_weights]
    dec = [w.numpy().copy() for w in model.decoder.trainable_weights]
    hist = model.fit(
        tf.data.Dataset.from_tensor_slices(videos(4, 4, 16)).batch(4),
        epochs=1,
        steps_per_epoch=1,
        verbose=0,
    )
    logs = {k: v[-1] for k, v in hist.history.items()}
    assert set(logs) == {"loss", "reconstruction_loss", "kl_loss", "elbo"}
    assert all(np.isfinite(v) for v in logs.values())
    assert logs["elbo"] == pytest.approx(-(logs["reconstruction_loss"] + logs["kl_loss"]))
    assert any(not np.allclose(b, a.numpy()) for b, a in zip(enc, model.encoder.trainable_weights))
    assert any(not np.allclose(b, a.numpy()) for b, a in zip(dec, model.decoder.trainable_weights))
    assert model.trained_steps == 1


def test_from_config_build_and_model_protocol():
    cfg = get_config("video_vae", "tiny")
    assert cfg.data == "moving_digits" and models.get_family("video_vae").kind == "video"
    model = models.build(cfg)
    assert isinstance(model, video_vae.VideoVAE) and isinstance(model, VAE)
    assert model.can_extend is False and model.num_classes is None and model.info_codes == 0
    shape = (cfg.num_frames, cfg.image_size, cfg.image_size, cfg.channels)
    samples = model.sample(3, seed=2)
    assert samples.shape == (3, *shape) and np.abs(samples).max() <= 1.0
    np.testing.assert_array_equal(samples, model.sample(3, seed=2))
    assert not np.allclose(samples[0], samples[1])  # different z, different clips
    latents, condition = model.grid_inputs(5, seed=1)
    assert latents.shape == (5, cfg.latent_dim) and condition is None
    assert ops.convert_to_numpy(model.generate(latents)).shape == (5, *shape)
    with model.averaged_generator() as decoder:
        assert decoder is model.decoder
    model.build_optimizers()
    assert set(model.checkpoint_items()) == {"encoder", "decoder", "optimizer"}
    assert model.trained_steps == 0


def test_demo_preset_matches_the_vgan_budget_and_refuses_gan_options():
    demo, gan_demo = get_config("video_vae", "demo"), get_config("vgan", "demo")
    for field in ("num_frames", "image_size", "batch_size", "base_filters", "shared_content"):
        assert getattr(demo, field) == getattr(gan_demo, field), field
    cfg = get_config("video_vae", "tiny", frame_discriminator=2)
    with pytest.raises(ValueError, match="not an option of the 'video_vae' family"):
        models.build(cfg)


@pytest.mark.slow
def test_train_sample_and_eval_a_tiny_run(tmp_path):
    """``tfvidgan train`` / ``eval`` treat the video VAE like a GAN (about 30 s)."""
    from tfvidgan import evaluate, train

    cfg = get_config("video_vae", "tiny", image_size=16, precision="float32")
    train.train(cfg, tmp_path / "run", verbose=0)
    results = evaluate.evaluate_run(tmp_path / "run", num=16)
    assert results["kind"] == "video" and results["sample_shape"] == [8, 16, 16, 1]
    assert 0.0 <= results["generated"]["recognisable_frames"] <= 1.0
    assert np.isfinite(results["generated"]["fvd"])
