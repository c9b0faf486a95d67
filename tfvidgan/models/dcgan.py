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
from tfvidgan.models.base import GAN

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
