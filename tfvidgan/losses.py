"""GAN losses as generator/discriminator pairs, plus the gradient penalties.

Every pair takes raw discriminator outputs ("logits", no sigmoid) of any shape
(``(B, 1)`` usually) and returns a scalar float32 loss to *minimise*:

    <variant>_generator_loss(fake_logits)
    <variant>_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0)

=================  =========================================================
variant            paper
=================  =========================================================
``minimax``        Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661
``non_saturating`` same paper, Sec. 3 (the generator maximises log D(G(z)))
``wasserstein``    Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875
``hinge``          Lim & Ye 2017, https://arxiv.org/abs/1705.02894;
                   Miyato et al. 2018 (SN-GAN), https://arxiv.org/abs/1802.05957
``least_squares``  Mao et al. 2017 (LSGAN), https://arxiv.org/abs/1611.04076
=================  =========================================================

Penalties: :func:`gradient_penalty` (WGAN-GP, Gulrajani et al. 2017,
https://arxiv.org/abs/1704.00028) and :func:`r1_penalty` (Mescheder et al. 2018,
https://arxiv.org/abs/1801.04406). Both work on images ``(B, H, W, C)`` and
videos ``(B, T, H, W, C)`` alike.

Where the conventions differ from TF-GAN's (``tfgan.losses``):

* one-sided label smoothing ``s`` sets the real target to ``1 - s`` here; TF-GAN
  (through ``tf.losses.sigmoid_cross_entropy``) sets it to ``1 - s/2``, so TF-GAN's
  ``label_smoothing=0.2`` is this package's ``0.1``;
* TF-GAN's ``minimax_generator_loss`` negates its whole discriminator loss, the
  real-data term included (evaluated on a constant), so its value is ours plus a
  constant offset; the gradients are the same;
* TF-GAN's non-saturating pair is called ``modified_*``.

Otherwise the losses give TF-GAN's values on the same logits.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf


def _f32(x):
    return tf.cast(x, tf.float32)


def _bce(logits, target):
    """Mean sigmoid cross-entropy of ``logits`` (any shape) against a constant target."""
    logits = _f32(logits)
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.fill(tf.shape(logits), target), logits=logits
        )
    )


# --- minimax / non-saturating (the original GAN) -----------------------------


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """-log D(x) - log(1 - D(G(z))), the discriminator's cross-entropy (Goodfellow et al. 2014).

    Args:
        real_logits: discriminator logits on real data, any shape, e.g. ``(B, 1)``.
        fake_logits: discriminator logits on generated data, any shape.
        label_smoothing: one-sided smoothing ``s`` (Salimans et al. 2016,
            https://arxiv.org/abs/1606.03498): the real target becomes ``1 - s``
            (TF-GAN's becomes ``1 - s/2``, so its 0.2 is our 0.1).
    """
    return _bce(real_logits, 1.0 - label_smoothing) + _bce(fake_logits, 0.0)


def non_saturating_generator_loss(fake_logits):
    """-log D(G(z)) = softplus(-logit) on ``fake_logits`` (any shape).

    Strong gradients while D wins. TF-GAN calls it ``modified_generator_loss``.
    """
    return _bce(fake_logits, 1.0)


minimax_discriminator_loss = non_saturating_discriminator_loss


def minimax_generator_loss(fake_logits):
    """log(1 - D(G(z))) = -softplus(logit) on ``fake_logits`` (any shape): the original game.

    It saturates when the discriminator rejects fakes confidently (notebook 13).
    TF-GAN's ``minimax_generator_loss`` is the negated discriminator loss, real term
    included, so it differs from this one by a constant (same gradients).
    """
    return -tf.reduce_mean(tf.nn.softplus(_f32(fake_logits)))


# --- Wasserstein -----------------------------------------------------------


def wasserstein_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """E[D(G(z))] - E[D(x)]: the critic estimates the Wasserstein-1 distance.

    Needs a Lipschitz critic: add :func:`gradient_penalty` or spectral norm. The
    logits may have any shape; ``label_smoothing`` is accepted and ignored.
    """
    del label_smoothing
    return tf.reduce_mean(_f32(fake_logits)) - tf.reduce_mean(_f32(real_logits))


def wasserstein_generator_loss(fake_logits):
    """-E[D(G(z))] on ``fake_logits`` (any shape); also the hinge generator loss."""
    return -tf.reduce_mean(_f32(fake_logits))


# --- hinge -----------------------------------------------------------------


def hinge_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (logits of any shape; smoothing ignored)."""
    del label_smoothing
    return tf.reduce_mean(tf.nn.relu(1.0 - _f32(real_logits))) + tf.reduce_mean(
        tf.nn.relu(1.0 + _f32(fake_logits))
    )


hinge_generator_loss = wasserstein_generator_loss


# --- least squares ---------------------------------------------------------


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """0.5 E[(D(x) - b)^2] + 0.5 E[D(G(z))^2] with the real target b = 1 - label_smoothing.

    The logits may have any shape. TF-GAN's version takes the targets themselves
    (``real_label``, ``fake_label``) instead of a smoothing amount.
    """
    target = 1.0 - label_smoothing
    return 0.5 * tf.reduce_mean(tf.square(_f32(real_logits) - target)) + 0.5 * tf.reduce_mean(
        tf.square(_f32(fake_logits))
    )


def least_squares_generator_loss(fake_logits):
    """0.5 E[(D(G(z)) - 1)^2] on ``fake_logits`` (any shape)."""
    return 0.5 * tf.reduce_mean(tf.square(_f32(fake_logits) - 1.0))


LOSSES: dict[str, tuple[Callable, Callable]] = {
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss),
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
}


def get_loss(name: str) -> tuple[Callable, Callable]:
    """Return ``(generator_loss, discriminator_loss)`` for a variant name (a key of LOSSES)."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None


def info_loss(codes, code_logits):
    """InfoGAN's code loss -E[log Q(c | G(z, c))] (Chen et al. 2016).

    The cross-entropy of the discriminator's guess of the categorical code ``c``;
    minimising it maximises a lower bound on the mutual information I(c; G(z, c)).
    Paper: https://arxiv.org/abs/1606.03657.

    Args:
        codes: int ``(B,)``, the code each sample was generated with.
        code_logits: ``(B, K)``, or ``(B, n, K)`` when several judges (a video and
            some of its frames) each guess; every guess counts alike.
    """
    code_logits = _f32(code_logits)
    codes = tf.cast(codes, tf.int32)
    if code_logits.shape.rank == 3:
        codes = tf.broadcast_to(codes[:, None], tf.shape(code_logits)[:2])
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=codes, logits=code_logits)
    )


# --- penalties -------------------------------------------------------------


def _squared_grad_norm(critic: Callable, x: tf.Tensor) -> tf.Tensor:
    """||d critic(x) / dx||^2 per sample, summed over every non-batch axis."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = _f32(critic(x))
    grads = _f32(tape.gradient(logits, x))
    return tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads)))


def gradient_penalty(critic: Callable, real, fake, alpha=None):
    """WGAN-GP: E[(||grad critic(x_hat)||_2 - 1)^2], x_hat = a*real + (1-a)*fake.

    Multiply the result by the penalty weight (10 in the paper).

    Args:
        critic: a callable ``x -> logits (B, 1)``, usually the discriminator.
        real: real samples, images ``(B, H, W, C)`` or videos ``(B, T, H, W, C)``.
        fake: generated samples of the same shape.
        alpha: one uniform weight per sample, ``(B, 1, 1, 1)`` for images or
            ``(B, 1, 1, 1, 1)`` for videos; drawn here when ``None``.
    """
    real = _f32(real)
    fake = _f32(fake)
    if alpha is None:
        shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], 0)
        alpha = tf.random.uniform(shape)
    x_hat = alpha * real + (1.0 - alpha) * fake
    norm = tf.sqrt(_squared_grad_norm(critic, x_hat) + 1e-12)
    return tf.reduce_mean(tf.square(norm - 1.0))


def r1_penalty(critic: Callable, real):
    """R1: E[||grad D(x)||^2] on real data only; multiply by gamma / 2.

    Args:
        critic: a callable ``x -> logits (B, 1)``, usually the discriminator.
        real: real samples, images ``(B, H, W, C)`` or videos ``(B, T, H, W, C)``.
    """
    return tf.reduce_mean(_squared_grad_norm(critic, _f32(real)))
