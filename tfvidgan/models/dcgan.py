"""DCGAN: convolutional generator and discriminator for images.

Radford, Metz & Chintala 2015, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks", https://arxiv.org/abs/1511.06434.
The paper's recipe: strided (transposed) convolutions instead of pooling, batch
norm in the generator, ReLU in the generator and LeakyReLU(0.2) in the
discriminator, tanh output, Adam(2e-4, beta_1=0.5), 5x5 kernels. (The 5x5
kernels also suit bfloat16 on CPUs: with them the mixed-precision step is 1.9x
the float32 one on the benchmark CPU, against 1.6x with 4x4 kernels;
``benchmarks/README.md``.)

Images are ``(B, H, W, C)`` float32 in [-1, 1], with ``H = W = image_size``
(8, 16, 32, 64, ...).
"""

from __future__ import annotations

import keras
from keras import layers

from tfvidgan.layers import (
    code_head,
    down_block,
    logits_head,
    norm_relu,
    num_doublings,
    to_pixels,
    up_block,
)
from tfvidgan.models.base import GAN, GAN_OPTIONS, compile_from_config

KERNEL_SIZE = 5  # the paper's (and the TensorFlow DCGAN tutorial's)

# ==== Generator ===============================================================


def build_generator(
    latent_dim=100, image_size=32, channels=1, base_filters=32, kernel_size=KERNEL_SIZE
) -> keras.Model:
    """z ``(B, latent_dim)`` -> image ``(B, image_size, image_size, channels)``.

    Projects z to a 4x4 feature map, then doubles the size with each up block
    while halving the filters: 4 -> 8 -> ... -> image_size; the last doubling
    goes straight to pixels.
    """
    k = num_doublings(image_size)
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(4 * 4 * base_filters * 2 ** (k - 1), use_bias=False)(z)
    h = layers.Reshape((4, 4, base_filters * 2 ** (k - 1)))(h)
    h = norm_relu(h)
    for i in reversed(range(1, k)):
        h = up_block(h, base_filters * 2 ** (i - 1), strides=2, dims=2, kernel_size=kernel_size)
    return keras.Model(
        z, to_pixels(h, channels, strides=2, dims=2, kernel_size=kernel_size), name="generator"
    )


# ==== Discriminator ===========================================================


def build_discriminator(
    image_size=32,
    channels=1,
    base_filters=32,
    spectral_norm=False,
    include_top=True,
    info_codes=0,
    kernel_size=KERNEL_SIZE,
) -> keras.Model:
    """image ``(B, H, W, C)`` -> logit ``(B, 1)``.

    Halves the size and doubles the filters with each down block down to 4x4.
    ``include_top=False`` returns the flattened features ``(B, D)`` instead, for
    heads added by other families (conditional, VAE encoder).
    ``info_codes=K`` adds InfoGAN's Q head: the model returns ``[logit, code
    logits (B, K)]`` (see :class:`~tfvidgan.models.base.GAN`).
    """
    k = num_doublings(image_size)
    x = keras.Input((image_size, image_size, channels), name="image")
    h = x
    for i in range(k):
        h = down_block(
            h,
            base_filters * 2**i,
            strides=2,
            dims=2,
            spectral_norm=spectral_norm,
            first=i == 0,
            kernel_size=kernel_size,
        )
    if not include_top:
        return keras.Model(x, layers.Flatten()(h), name="features")
    out = logits_head(h, spectral_norm)
    if info_codes:
        out = [out, code_head(layers.Flatten()(h), info_codes)]
    return keras.Model(x, out, name="discriminator")


# ==== Model ===================================================================


class DCGAN(GAN):
    """The shared :class:`~tfvidgan.models.base.GAN` step on DCGAN networks."""


# ==== Presets and from_config ==================================================

# The image families (dcgan, cgan, vae) share these networks and budgets.
IMAGE_PRESETS = {
    "tiny": dict(
        latent_dim=16, base_filters=8, batch_size=16, steps=4, steps_per_epoch=2, num_examples=64
    ),
    "demo": dict(
        latent_dim=64,
        base_filters=32,
        batch_size=64,
        steps=1500,
        steps_per_epoch=100,
        num_examples=8192,
    ),
    "full": dict(
        latent_dim=100,
        base_filters=64,
        batch_size=128,
        steps=10000,
        steps_per_epoch=500,
        num_examples=60000,
    ),
}
# demo/full judge pairs of images (PacGAN): unpacked, the recipe collapsed on 2-3 of 5 seeds, packed
# on none of 9 (benchmarks/README.md); tiny stays unpacked so every option combines with it.
PRESETS = {name: p if name == "tiny" else {**p, "pack": 2} for name, p in IMAGE_PRESETS.items()}
OPTIONS = (*GAN_OPTIONS, "info_codes", "info_weight", "pack")


def from_config(cfg) -> DCGAN:
    """The compiled :class:`DCGAN` of a :class:`~tfvidgan.config.TrainConfig`."""
    g = build_generator(cfg.latent_dim, cfg.image_size, cfg.channels, cfg.base_filters)
    d = build_discriminator(
        cfg.image_size,
        cfg.channels * cfg.pack,  # PacGAN: `pack` samples stacked in channels
        cfg.base_filters,
        cfg.spectral_norm,
        info_codes=cfg.info_codes,
    )
    model = DCGAN(g, d, cfg.latent_dim, seed=cfg.seed, info_codes=cfg.info_codes, pack=cfg.pack)
    return compile_from_config(model, cfg)
