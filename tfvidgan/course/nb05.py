"""Checks for the exercises of notebook 05 (VAE, and how it differs from a GAN).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np


def _reference_kl(mu, log_var):
    """Closed-form KL(N(mu, diag(exp(log_var))) || N(0, I)) per row, float64."""
    mu, log_var = np.asarray(mu, np.float64), np.asarray(log_var, np.float64)
    return 0.5 * np.sum(np.exp(log_var) + mu**2 - 1.0 - log_var, axis=-1)


def _monte_carlo_kl(mu, log_var, draws=200_000, seed=0):
    """E_q[log q(z) - log p(z)] estimated with ``draws`` samples per row."""
    rng = np.random.default_rng(seed)
    out = []
    for m, lv in zip(np.asarray(mu, np.float64), np.asarray(log_var, np.float64)):
        eps = rng.standard_normal((draws, m.size))
        z = m + np.exp(0.5 * lv) * eps
        log_q = -0.5 * np.sum(eps**2 + lv + np.log(2 * np.pi), axis=1)
        log_p = -0.5 * np.sum(z**2 + np.log(2 * np.pi), axis=1)
        out.append(np.mean(log_q - log_p))
    return np.array(out)


def _as_array(x, what):
    if hasattr(x, "numpy"):
        x = x.numpy()
    x = np.asarray(x, dtype=np.float64)
    assert np.all(np.isfinite(x)), f"{what} contains NaN or Inf"
    return x


def check_kl(kl_diag_gaussian) -> None:
    """Exercise 5.1: ``kl_diag_gaussian(mu, log_var)`` -> KL per sample ``(B,)``.

    ``mu`` and ``log_var`` are ``(B, D)``: the encoder's outputs. The answer is
    compared with the closed form and with a Monte Carlo estimate.
    """
    rng = np.random.default_rng(5)
    mu = rng.normal(0.0, 1.0, (6, 4)).astype(np.float32)
    log_var = rng.normal(0.0, 0.8, (6, 4)).astype(np.float32)
    mu[0], log_var[0] = 0.0, 0.0  # q = p: KL must be exactly 0

    got = _as_array(kl_diag_gaussian(mu, log_var), "kl_diag_gaussian(mu, log_var)")
    want = _reference_kl(mu, log_var)
    if got.shape == ():
        raise AssertionError(
            f"you return one number ({float(got):.4f}); return one KL per sample, shape "
            f"{want.shape}: sum over the latent axis (axis=-1) but do not average over the batch"
        )
    if got.shape == mu.shape:
        raise AssertionError(
            f"you return shape {got.shape}, one value per latent dimension; the KL of a diagonal "
            "Gaussian is the *sum* of the per-dimension KLs: add .sum(axis=-1)"
        )
    assert got.shape == want.shape, (
        f"expected shape {want.shape} (one KL per sample), got {got.shape}"
    )
    assert abs(got[0]) < 1e-5, (
        "for mu = 0, log_var = 0 the posterior equals the prior and the KL must be 0; you give "
        f"{got[0]:.4f}. Check the '- 1' and '- log_var' terms"
    )
    if np.allclose(got, 2 * want, rtol=1e-4, atol=1e-5):
        raise AssertionError(
            "your KL is twice the right value: the closed form has a factor 1/2 in front"
        )
    if np.allclose(got, -want, rtol=1e-4, atol=1e-5):
        raise AssertionError("your KL has the wrong sign: a KL divergence is never negative")
    mc = _monte_carlo_kl(mu[:3], log_var[:3], draws=100_000)
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-4,
        atol=1e-5,
        err_msg=(
            "your KL differs from the closed form 0.5 * sum(exp(log_var) + mu^2 - 1 - log_var). A "
            "Monte Carlo estimate E_q[log q(z) - log p(z)] of the first rows gives "
            f"{np.round(mc, 3)}; remember sigma^2 = exp(log_var), not exp(0.5 * log_var)"
        ),
    )


def _tiny_vae_batch(seed=0):
    """A tiny float32 VAE, a batch, and the exact tensors ``compute_terms`` uses."""
    import keras

    from tfvidgan.models import vae

    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(
        "float32"
    )  # exact comparison, whatever the notebook set
    try:
        encoder = vae.build_encoder(
            latent_dim=3, image_size=8, channels=1, base_filters=4, seed=seed
        )
        decoder = vae.build_decoder(latent_dim=3, image_size=8, channels=1, base_filters=4)
        model = vae.VAE(encoder, decoder, latent_dim=3, seed=seed)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, (5, 8, 8, 1)).astype(np.float32)

    # Run the encoder and decoder once, then rewind the sampler's random state so
    # that compute_terms draws the very same eps (hence the same z and recon).
    noise = encoder.get_layer("z").seed_generator.state
    saved = keras.ops.convert_to_numpy(noise)
    mu, log_var, z = (keras.ops.convert_to_numpy(t) for t in encoder(images, training=False))
    recon = keras.ops.convert_to_numpy(decoder(z, training=False))
    noise.assign(saved)
    reconstruction, kl = (float(keras.ops.convert_to_numpy(t)) for t in model.compute_terms(images))
    return images, recon, mu, log_var, reconstruction, kl


def check_beta_vae_loss(beta_vae_loss) -> None:
    """Exercise 5.2: ``beta_vae_loss(images, recon, mu, log_var, beta)`` -> scalar.

    Compared with ``VAE.compute_terms`` of a tiny VAE: reconstruction + beta * KL,
    both averaged over the batch.
    """
    images, recon, mu, log_var, reconstruction, kl = _tiny_vae_batch()
    for beta in (1.0, 0.25, 4.0):
        got = _as_array(beta_vae_loss(images, recon, mu, log_var, beta), "beta_vae_loss(...)")
        want = reconstruction + beta * kl
        assert got.size == 1, (
            f"return one number (the batch mean), got shape {got.shape}; average the per-image "
            "losses with .mean()"
        )
        got = float(got.reshape(()))
        batch = images.shape[0]
        hints = [
            (
                reconstruction / images[0].size + beta * kl,
                "you seem to *average* the squared error over pixels; the Gaussian log-likelihood "
                "*sums* over all H * W * C pixels (then average over the batch)",
            ),
            (
                2 * reconstruction + beta * kl,
                "your reconstruction term is twice too big: it is 0.5 * sum of squares",
            ),
            (
                reconstruction + kl,
                "beta is ignored: weight the KL term, loss = reconstruction + beta * KL",
            ),
            (beta * reconstruction + kl, "beta weights the KL term, not the reconstruction term"),
            (
                batch * (reconstruction + beta * kl),
                "you sum over the batch; take the mean over images instead",
            ),
        ]
        if not np.isclose(got, want, rtol=1e-4, atol=1e-4):
            for value, hint in hints:
                if np.isclose(got, value, rtol=1e-4, atol=1e-4) and not np.isclose(
                    value, want, rtol=1e-4
                ):
                    raise AssertionError(
                        f"beta={beta}: you give {got:.4f}, expected {want:.4f}. Hint: {hint}"
                    )
            raise AssertionError(
                f"beta={beta}: you give {got:.4f}, VAE.compute_terms gives reconstruction "
                f"{reconstruction:.4f} + beta * KL {kl:.4f} = {want:.4f}. Reconstruction: 0.5 * "
                "sum over pixels of (images - recon)^2; KL: 0.5 * sum over latents of "
                "(exp(log_var) + mu^2 - 1 - log_var); both averaged over the batch"
            )


def reference_laplacian_variance(images) -> np.ndarray:
    """Variance of OpenCV's 4-neighbour Laplacian over the interior pixels, per image."""
    import cv2

    x = np.asarray(images, np.float64)
    if x.ndim == 4:
        x = x[..., 0]
    return np.array([cv2.Laplacian(img, cv2.CV_64F, ksize=1)[1:-1, 1:-1].var() for img in x])


def check_laplacian_variance(laplacian_variance) -> None:
    """Exercise 5.3: ``laplacian_variance(images)`` for ``(N, H, W, 1)`` in [-1, 1]
    -> ``(N,)``: the variance of the 4-neighbour Laplacian over interior pixels."""
    from tfvidgan import data

    digits = data.to_float(data.load_arrays("digits", 6, image_size=32, seed=3)[0])
    rng = np.random.default_rng(1)
    noise = np.clip(rng.normal(0, 0.5, (2, 32, 32, 1)), -1, 1).astype(np.float32)
    flat = np.full((1, 32, 32, 1), 0.3, np.float32)
    images = np.concatenate([digits, noise, flat])
    got = _as_array(laplacian_variance(images), "laplacian_variance(images)")
    want = reference_laplacian_variance(images)
    assert got.shape == want.shape, (
        f"return one value per image, shape {want.shape}; got {got.shape}"
    )
    assert abs(got[-1]) < 1e-9, (
        "a flat image has no edges, its Laplacian is 0 everywhere and so is its variance; you give "
        f"{got[-1]:.4g}"
    )
    if np.allclose(got, np.sqrt(want), rtol=1e-3):
        raise AssertionError(
            "you return the standard deviation; square it (or use .var()) for the variance"
        )
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-3,
        atol=1e-9,
        err_msg=(
            "your sharpness differs from cv2.Laplacian(img, cv2.CV_64F, ksize=1)[1:-1, "
            "1:-1].var(). Hint: lap = x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2] + x[1:-1, 2:] - 4 "
            "* x[1:-1, 1:-1] (interior pixels only), then the variance per image"
        ),
    )
