"""The gentlest GAN: learn a 1-D Gaussian N(mu, sigma) with two small MLPs.

Goodfellow et al. 2014, "Generative Adversarial Nets",
https://arxiv.org/abs/1406.2661. The same worked example as the course's
tutorial articles: real samples come from N(4, 1.25); the generator turns
uniform-looking noise into numbers whose histogram should match; the
discriminator outputs one logit per number. Samples are ``(B, 1)`` floats (not in
[-1, 1]: the generator's last layer is linear so it can reach any mean).
"""

from __future__ import annotations

import keras
from keras import layers

from tfvidgan.layers import maybe_spectral_norm
from tfvidgan.models.base import GAN, GAN_OPTIONS, compile_from_config

# ==== Generator ===============================================================


def build_generator(latent_dim: int = 4, hidden: int = 32) -> keras.Model:
    """MLP z ``(B, latent_dim)`` -> x ``(B, 1)``."""
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(hidden, activation="relu")(z)
    h = layers.Dense(hidden, activation="relu")(h)
    x = layers.Dense(1, dtype="float32", name="sample")(h)
    return keras.Model(z, x, name="generator")


# ==== Discriminator ===========================================================


def build_discriminator(hidden: int = 32, spectral_norm: bool = False) -> keras.Model:
    """MLP x ``(B, 1)`` -> logit ``(B, 1)``."""
    x = keras.Input((1,), name="sample")
    h = maybe_spectral_norm(layers.Dense(hidden), spectral_norm)(x)
    h = layers.LeakyReLU(0.2)(h)
    h = maybe_spectral_norm(layers.Dense(hidden), spectral_norm)(h)
    h = layers.LeakyReLU(0.2)(h)
    logit = maybe_spectral_norm(layers.Dense(1, dtype="float32"), spectral_norm)(h)
    return keras.Model(x, logit, name="discriminator")


# ==== Model ===================================================================


class GaussianGAN(GAN):
    """The shared :class:`~tfvidgan.models.base.GAN` with nothing overridden:
    the 1-D problem needs no new hook."""


# ==== Presets and from_config ==================================================

PRESETS = {
    "tiny": dict(latent_dim=4, batch_size=64, steps=20, steps_per_epoch=10, num_examples=512),
    "demo": dict(
        latent_dim=4,
        batch_size=128,
        steps=3000,
        steps_per_epoch=500,
        num_examples=8192,
        d_lr=1e-3,
        g_lr=1e-3,
    ),
    "full": dict(
        latent_dim=4,
        batch_size=256,
        steps=10000,
        steps_per_epoch=1000,
        num_examples=65536,
        d_lr=1e-3,
        g_lr=1e-3,
    ),
}
OPTIONS = GAN_OPTIONS


def from_config(cfg) -> GaussianGAN:
    """The compiled :class:`GaussianGAN` of a :class:`~tfvidgan.config.TrainConfig`."""
    g = build_generator(cfg.latent_dim)
    d = build_discriminator(spectral_norm=cfg.spectral_norm)
    return compile_from_config(GaussianGAN(g, d, cfg.latent_dim, seed=cfg.seed), cfg)
