"""Class-conditional GAN: choose which digit the generator draws.

Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
https://arxiv.org/abs/1411.1784 (the label is an extra input of both networks),
with the projection discriminator of Miyato & Koyama 2018, "cGANs with
Projection Discriminator", https://arxiv.org/abs/1802.05637.

The networks are the DCGAN ones (:mod:`tfvidgan.models.dcgan`) with a label
attached:

* generator: z and a learned label embedding are concatenated and fed to the
  DCGAN generator;
* discriminator, ``conditioning="projection"`` (default): logit =
  psi(phi(x)) + <embed(y), phi(x)>, with phi the DCGAN feature extractor;
  ``conditioning="concat"``: the label is drawn as an extra image channel.

Images ``(B, H, W, C)`` in [-1, 1]; labels ``(B,)`` int in [0, num_classes).
"""

from __future__ import annotations

import keras
from keras import layers

from tfvidgan.layers import ClassProjection, logits_head
from tfvidgan.models import dcgan
from tfvidgan.models.base import GAN, GAN_OPTIONS, compile_from_config

# ==== Generator ===============================================================


def build_generator(
    latent_dim=100, num_classes=10, image_size=32, channels=1, base_filters=32, embed_dim=16
):
    """[z ``(B, latent_dim)``, label ``(B,)``] -> image ``(B, H, W, C)``."""
    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((), dtype="int32", name="label")
    e = layers.Embedding(num_classes, embed_dim)(y)
    body = dcgan.build_generator(latent_dim + embed_dim, image_size, channels, base_filters)
    return keras.Model([z, y], body(layers.Concatenate()([z, e])), name="generator")


# ==== Discriminator ===========================================================


def build_discriminator(
    num_classes=10,
    image_size=32,
    channels=1,
    base_filters=32,
    spectral_norm=False,
    conditioning="projection",
):
    """[image ``(B, H, W, C)``, label ``(B,)``] -> logit ``(B, 1)``."""
    x = keras.Input((image_size, image_size, channels), name="image")
    y = keras.Input((), dtype="int32", name="label")
    if conditioning == "projection":
        features = dcgan.build_discriminator(
            image_size, channels, base_filters, spectral_norm, include_top=False
        )
        h = features(x)
        logit = layers.Add(dtype="float32")(
            [logits_head(h, spectral_norm), ClassProjection(num_classes)([h, y])]
        )
    elif conditioning == "concat":
        label_map = layers.Embedding(num_classes, image_size * image_size)(y)
        label_map = layers.Reshape((image_size, image_size, 1))(label_map)
        body = dcgan.build_discriminator(image_size, channels + 1, base_filters, spectral_norm)
        logit = body(layers.Concatenate()([x, label_map]))
    else:
        raise ValueError(f"conditioning must be 'projection' or 'concat', got {conditioning!r}")
    return keras.Model([x, y], logit, name="discriminator")


# ==== Model ===================================================================


class ConditionalGAN(GAN):
    """The shared GAN step; datasets yield ``(images, labels)``."""

    def __init__(self, generator, discriminator, latent_dim, num_classes=10, seed=None, **kwargs):
        super().__init__(
            generator, discriminator, latent_dim, num_classes=num_classes, seed=seed, **kwargs
        )


# ==== Presets and from_config ==================================================

PRESETS = dcgan.IMAGE_PRESETS
OPTIONS = (*GAN_OPTIONS, "conditioning")


def from_config(cfg) -> ConditionalGAN:
    """The compiled :class:`ConditionalGAN` of a :class:`~tfvidgan.config.TrainConfig`."""
    c = cfg
    g = build_generator(c.latent_dim, c.num_classes, c.image_size, c.channels, c.base_filters)
    d = build_discriminator(
        c.num_classes, c.image_size, c.channels, c.base_filters, c.spectral_norm, c.conditioning
    )
    return compile_from_config(ConditionalGAN(g, d, c.latent_dim, c.num_classes, seed=c.seed), c)
