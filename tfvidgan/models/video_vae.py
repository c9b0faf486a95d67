"""Video VAE: the variational autoencoder of notebook 05, on clips.

Kingma & Welling 2013, "Auto-Encoding Variational Bayes",
https://arxiv.org/abs/1312.6114, applied to videos ``(B, T, H, W, C)``.

This is the comparison the video-GAN articles draw: the same decoder network
as a video GAN's generator, trained by maximising a likelihood bound instead
of fooling a critic. Read it next to :mod:`tfvidgan.models.vae`: it is the
same model with ``Conv2D -> Conv3D``, exactly as :mod:`tfvidgan.models.vgan`
is DCGAN with 3-D convolutions.

* encoder ``q(z | x)``: the VGAN discriminator without its last layer (its
  3-D feature extractor), with two dense heads ``mu`` and
  ``log_var``, and the reparameterisation ``z = mu + sigma * eps``
  (:class:`tfvidgan.layers.Sampling`);
* decoder ``p(x | z)``: the VGAN generator, ``z (B, latent_dim) -> (B, T, H, W, C)``.

Training and sampling are :class:`tfvidgan.models.vae.VAE`'s, unchanged (its
terms sum over every axis of a sample, so a clip works like an image): the
negative ELBO ``0.5 * sum((x - x_hat)^2) + beta * KL`` per clip, reported as
``elbo`` (nats per clip; its reconstruction term sums over ``T * H * W * C``
pixels, so it is ``T`` times the size of an image VAE's), ``reconstruction_loss``
and ``kl_loss``. The model answers the same calls as every GAN here, so
``tfvidgan train``, ``sample`` and ``eval`` treat it like one.
"""

from __future__ import annotations

import keras
from keras import layers

from tfvidgan.layers import Sampling
from tfvidgan.models import vgan
from tfvidgan.models.vae import VAE

# ==== Encoder =================================================================


def build_encoder(
    latent_dim=32, num_frames=8, image_size=32, channels=1, base_filters=32, seed=None
) -> keras.Model:
    """video ``(B, T, H, W, C)`` -> ``[mu, log_var, z]``, each ``(B, latent_dim)``."""
    x = keras.Input((num_frames, image_size, image_size, channels), name="video")
    h = vgan.build_discriminator(num_frames, image_size, channels, base_filters, include_top=False)(
        x
    )
    mu = layers.Dense(latent_dim, dtype="float32", name="mu")(h)
    log_var = layers.Dense(latent_dim, dtype="float32", name="log_var")(h)
    z = Sampling(seed=seed, dtype="float32", name="z")([mu, log_var])
    return keras.Model(x, [mu, log_var, z], name="encoder")


# ==== Decoder =================================================================


def build_decoder(
    latent_dim=32, num_frames=8, image_size=32, channels=1, base_filters=32, shared_content=False
) -> keras.Model:
    """z ``(B, latent_dim)`` -> video ``(B, T, H, W, C)`` in [-1, 1]: the VGAN generator
    (``shared_content`` as there)."""
    decoder = vgan.build_generator(
        latent_dim, num_frames, image_size, channels, base_filters, shared_content=shared_content
    )
    decoder.name = "decoder"
    return decoder


# ==== Model ===================================================================


class VideoVAE(VAE):
    """:class:`tfvidgan.models.vae.VAE` on clips: the same step, terms and sampling.

    ``sample(num)`` returns ``(num, T, H, W, C)`` clips decoded from z ~ N(0, I).
    """

    # The decoder draws exactly `num_frames` frames (`tfvidgan sample --num-frames` reads this).
    can_extend = False


# ==== Presets and from_config ==================================================

# The sizes, budgets and decoder of VGAN's presets (the decoder *is* its generator), so a video
# VAE and a video GAN compare on the same data and network; one optimizer at g_lr (1e-3, the image
# VAE's). latent_dim 32: a clip holds a digit, its style and its motion.
PRESETS = vgan.video_presets(
    {
        "tiny": dict(latent_dim=8, base_filters=4, g_lr=1e-3),
        "demo": dict(latent_dim=32, base_filters=32, g_lr=1e-3, shared_content=True),
        "full": dict(latent_dim=64, base_filters=64, g_lr=1e-3, shared_content=True),
    }
)
OPTIONS = ("kl_beta", "shared_content")


def from_config(cfg) -> VideoVAE:
    """The compiled :class:`VideoVAE` of a :class:`~tfvidgan.config.TrainConfig`."""
    c = cfg
    model = VideoVAE(
        build_encoder(
            c.latent_dim, c.num_frames, c.image_size, c.channels, c.base_filters, seed=c.seed
        ),
        build_decoder(
            c.latent_dim,
            c.num_frames,
            c.image_size,
            c.channels,
            c.base_filters,
            shared_content=c.shared_content,
        ),
        c.latent_dim,
        beta=c.kl_beta,
        seed=c.seed,
    )
    model.compile(optimizer=keras.optimizers.Adam(c.g_lr, beta_1=c.beta_1, beta_2=c.beta_2))
    return model
