"""Convolutional variational autoencoder, the GAN's likelihood-based cousin.

Kingma & Welling 2013, "Auto-Encoding Variational Bayes",
https://arxiv.org/abs/1312.6114.

The encoder is the DCGAN discriminator's feature extractor with two heads
(``mu``, ``log_var``); the decoder *is* the DCGAN generator. Training maximises
the evidence lower bound

    ELBO = E_q[log p(x | z)] - KL(q(z | x) || N(0, I)),

reported as ``elbo`` (per image, in nats), with its two parts as
``reconstruction_loss`` (Gaussian log-likelihood up to a constant: half the
summed squared error) and ``kl_loss``. Images ``(B, H, W, C)`` in [-1, 1].
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from tfvidgan.layers import Sampling
from tfvidgan.models import dcgan
from tfvidgan.models.base import per_replica

# ==== Encoder =================================================================


def build_encoder(
    latent_dim=16, image_size=32, channels=1, base_filters=32, seed=None
) -> keras.Model:
    """image ``(B, H, W, C)`` -> ``[mu, log_var, z]``, each ``(B, latent_dim)``."""
    x = keras.Input((image_size, image_size, channels), name="image")
    h = dcgan.build_discriminator(image_size, channels, base_filters, include_top=False)(x)
    mu = layers.Dense(latent_dim, dtype="float32", name="mu")(h)
    log_var = layers.Dense(latent_dim, dtype="float32", name="log_var")(h)
    z = Sampling(seed=seed, dtype="float32", name="z")([mu, log_var])
    return keras.Model(x, [mu, log_var, z], name="encoder")


# ==== Decoder =================================================================


def build_decoder(latent_dim=16, image_size=32, channels=1, base_filters=32) -> keras.Model:
    """z ``(B, latent_dim)`` -> image ``(B, H, W, C)``: the DCGAN generator."""
    decoder = dcgan.build_generator(latent_dim, image_size, channels, base_filters)
    decoder.name = "decoder"
    return decoder


# ==== Model ===================================================================


class VAE(keras.Model):
    """Encoder + decoder trained on the negative ELBO with ``model.fit``.

    ``beta`` weights the KL term (beta-VAE, Higgins et al. 2017); 1 is the plain VAE.
    """

    num_classes = None  # unconditional, and no InfoGAN codes (the model protocol of base.GAN)
    info_codes = 0

    def __init__(self, encoder, decoder, latent_dim, beta=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim, self.beta = latent_dim, float(beta)
        self.seed_generator = keras.random.SeedGenerator(seed)
        names = ("loss", "reconstruction_loss", "kl_loss", "elbo")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, images, training=False):
        _, _, z = self.encoder(images, training=training)
        return self.decoder(z, training=training)

    def compute_terms(self, images, training=False):
        """Per-batch means of the reconstruction and KL terms (float32 scalars)."""
        mu, log_var, z = self.encoder(images, training=training)
        recon = ops.cast(self.decoder(z, training=training), "float32")
        per_pixel = ops.square(ops.cast(images, "float32") - recon)
        reconstruction = 0.5 * ops.mean(
            ops.sum(ops.reshape(per_pixel, (ops.shape(images)[0], -1)), axis=1)
        )
        kl = -0.5 * ops.mean(ops.sum(1.0 + log_var - ops.square(mu) - ops.exp(log_var), axis=1))
        return reconstruction, kl

    def train_step(self, data):
        images = data[0] if isinstance(data, tuple) else data
        # 1. Encode, sample z with the reparameterisation trick, decode.
        with tf.GradientTape() as tape:
            reconstruction, kl = self.compute_terms(images, training=True)
            # 2. Negative ELBO (beta-weighted) is the loss to minimise.
            loss = reconstruction + self.beta * kl
            scaled = self.optimizer.scale_loss(per_replica(loss))  # / replicas (tf.distribute)
        # 3. One optimizer for both networks.
        weights = self.encoder.trainable_weights + self.decoder.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, weights), weights))
        # 4. Report.
        values = {
            "loss": loss,
            "reconstruction_loss": reconstruction,
            "kl_loss": kl,
            "elbo": -(reconstruction + kl),
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # --- the model protocol (as tfvidgan.models.base.GAN) --------------------

    def checkpoint_items(self) -> dict:
        """The networks and the optimizer that a checkpoint saves, by name."""
        return {"encoder": self.encoder, "decoder": self.decoder, "optimizer": self.optimizer}

    @property
    def trained_steps(self) -> int:
        """Updates so far (the optimizer's iteration count)."""
        return int(ops.convert_to_numpy(self.optimizer.iterations))

    def build_optimizers(self):
        """Create the optimizer's slots now, so a checkpoint can be restored into them."""
        if not self.optimizer.built:
            weights = self.encoder.trainable_variables + self.decoder.trainable_variables
            self.optimizer.build(weights)

    def generate(self, latents, condition=None, training=False):
        """Decode latents ``(B, latent_dim)``; the VAE takes no condition."""
        return self.decoder(latents, training=training)

    def averaged_generator(self):
        """No weight average for a VAE: the decoder as it is."""
        return contextlib.nullcontext(self.decoder)

    def grid_inputs(self, num, seed=1234):
        """Fixed latents ``(num, latent_dim)`` for a sample grid, and no condition."""
        z = np.random.default_rng(seed).standard_normal((num, self.latent_dim))
        return z.astype("float32"), None

    def sample(self, num, seed=None, batch_size=64):
        """Decode ``num`` draws z ~ N(0, I); NumPy ``(num, H, W, C)`` in [-1, 1].
        ``seed`` makes the draw repeatable."""
        seed_generator = (
            keras.random.SeedGenerator(seed) if seed is not None else self.seed_generator
        )
        out = []
        for start in range(0, num, batch_size):
            shape = (min(batch_size, num - start), self.latent_dim)
            z = keras.random.normal(shape, seed=seed_generator)
            out.append(ops.convert_to_numpy(self.decoder(z, training=False)))
        return np.concatenate(out).astype("float32")


# ==== Presets and from_config ==================================================

PRESETS = {
    name: {**p, "latent_dim": 16, "g_lr": 1e-3}  # one optimizer, at g_lr
    for name, p in dcgan.IMAGE_PRESETS.items()
}
OPTIONS = ("kl_beta",)


def from_config(cfg) -> VAE:
    """The compiled :class:`VAE` of a :class:`~tfvidgan.config.TrainConfig`."""
    c = cfg
    model = VAE(
        build_encoder(c.latent_dim, c.image_size, c.channels, c.base_filters, seed=c.seed),
        build_decoder(c.latent_dim, c.image_size, c.channels, c.base_filters),
        c.latent_dim,
        beta=c.kl_beta,
        seed=c.seed,
    )
    model.compile(optimizer=keras.optimizers.Adam(c.g_lr, beta_1=c.beta_1, beta_2=c.beta_2))
    return model
