"""Checks for the exercises of notebook 14 (video GAN versus video VAE).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np

from tfvidgan.course.nb05 import reference_laplacian_variance


def _array(x, what):
    if hasattr(x, "numpy"):
        x = x.numpy()
    x = np.asarray(x, dtype=np.float64)
    assert np.all(np.isfinite(x)), f"{what} contains NaN or Inf"
    return x


def _tiny_video_vae_batch(seed=0):
    """A tiny float32 video VAE, a batch of clips, and the tensors ``compute_terms`` uses."""
    import keras

    from tfvidgan.models import video_vae

    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("float32")  # exact comparison
    try:
        model = video_vae.VideoVAE(
            video_vae.build_encoder(3, 4, 16, 1, 4, seed=seed),
            video_vae.build_decoder(3, 4, 16, 1, 4),
            latent_dim=3,
            seed=seed,
        )
    finally:
        keras.mixed_precision.set_global_policy(previous)
    videos = np.random.default_rng(seed).uniform(-1, 1, (5, 4, 16, 16, 1)).astype(np.float32)
    # run the networks once, then rewind the sampler so compute_terms draws the same eps
    noise = model.encoder.get_layer("z").seed_generator.state
    saved = keras.ops.convert_to_numpy(noise)
    mu, log_var, z = (keras.ops.convert_to_numpy(t) for t in model.encoder(videos))
    recon = keras.ops.convert_to_numpy(model.decoder(z))
    noise.assign(saved)
    reconstruction, kl = (float(keras.ops.convert_to_numpy(t)) for t in model.compute_terms(videos))
    return videos, recon, mu, log_var, reconstruction, kl


def check_video_elbo(video_elbo) -> None:
    """Exercise 14.1: ``video_elbo(videos, recon, mu, log_var)`` -> ELBO per clip ``(B,)``.

    ``-(0.5 * sum over T, H, W, C of (videos - recon)^2 + KL)``, compared with
    ``VideoVAE.compute_terms`` of a tiny video VAE (whose terms are batch means).
    """
    videos, recon, mu, log_var, reconstruction, kl = _tiny_video_vae_batch()
    got = _array(video_elbo(videos, recon, mu, log_var), "video_elbo(...)")
    batch, frames = videos.shape[:2]
    assert got.shape == (batch,), (
        f"return one ELBO per clip, shape ({batch},); got {got.shape}. Sum over the frame and "
        "pixel axes (1, 2, 3, 4) and over the latent axis, not over the batch"
    )
    want = -(reconstruction + kl)
    mean = float(got.mean())
    if np.isclose(mean, reconstruction + kl, rtol=1e-4):
        raise AssertionError(
            "your ELBO has the wrong sign: it is minus the loss, -(reconstruction + KL)"
        )
    if np.isclose(mean, -(reconstruction / videos[0].size + kl), rtol=1e-4):
        raise AssertionError(
            "you average the squared error over pixels; the log-likelihood of a clip *sums* over "
            "all T * H * W * C pixels"
        )
    if np.isclose(mean, -(reconstruction / frames + kl), rtol=1e-4):
        raise AssertionError(
            "your reconstruction term is per frame (1/T of the right one): a clip's likelihood "
            "sums over its frames too"
        )
    assert np.isclose(mean, want, rtol=1e-4, atol=1e-4), (
        f"the mean of your ELBOs is {mean:.4f}, VideoVAE.compute_terms gives "
        f"-({reconstruction:.4f} + {kl:.4f}) = {want:.4f}. Reconstruction: 0.5 * sum of "
        "(videos - recon)^2 per clip; KL: 0.5 * sum(exp(log_var) + mu^2 - 1 - log_var)"
    )


def reference_frame_sharpness(videos) -> np.ndarray:
    """Per clip: the mean over frames of each frame's Laplacian variance (interior pixels)."""
    x = np.asarray(videos, np.float64)
    n, t = x.shape[:2]
    return reference_laplacian_variance(x.reshape(n * t, *x.shape[2:])).reshape(n, t).mean(axis=1)


def check_frame_sharpness(frame_sharpness) -> None:
    """Exercise 14.2: ``frame_sharpness(videos)`` for ``(N, T, H, W, 1)`` -> ``(N,)``: the
    Laplacian variance of every frame (notebook 05's measure), averaged over the clip's frames."""
    from tfvidgan import data

    clips = data.to_float(
        data.load_arrays("moving_digits", 4, image_size=32, num_frames=4, seed=3)[0]
    )
    flat = np.full((1, 4, 32, 32, 1), 0.2, np.float32)
    videos = np.concatenate([clips, flat])
    got = _array(frame_sharpness(videos), "frame_sharpness(videos)")
    want = reference_frame_sharpness(videos)
    assert got.shape == want.shape, (
        f"return one number per clip, shape {want.shape}; got {got.shape}"
        + (" (average over the frame axis too)" if got.shape == videos.shape[:2] else "")
    )
    assert abs(got[-1]) < 1e-9, "a flat clip has no edges: its sharpness must be 0"
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-3,
        err_msg=(
            "your sharpness differs from the mean over frames of "
            "cv2.Laplacian(frame, cv2.CV_64F, ksize=1)[1:-1, 1:-1].var(). Fold the frames into "
            "the batch (N * T, H, W, 1), measure each, then reshape to (N, T) and average"
        ),
    )


def check_frame_difference(frame_difference) -> None:
    """Exercise 14.3: ``frame_difference(videos)`` -> ``(N,)``: the mean over consecutive frame
    pairs and pixels of ``(x_{t+1} - x_t)^2``, compared with
    :func:`tfvidgan.metrics.motion.frame_difference_energy`."""
    from tfvidgan.metrics import motion

    rng = np.random.default_rng(2)
    videos = rng.uniform(-1, 1, (3, 5, 8, 8, 1)).astype(np.float32)
    videos[1] = videos[1, :1]  # a frozen clip
    got = _array(frame_difference(videos), "frame_difference(videos)")
    want = motion.frame_difference_energy(videos)
    assert got.shape == want.shape, (
        f"return one number per clip, shape {want.shape}; got {got.shape}"
    )
    assert abs(got[1]) < 1e-12, "a clip whose frames are all the same has no motion: 0"
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-5,
        err_msg=(
            "compare frame t + 1 with frame t: videos[:, 1:] - videos[:, :-1], square, then the "
            "mean over every axis but the first"
        ),
    )
