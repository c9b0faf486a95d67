"""Checks for the exercises of notebook 13 (training tricks and failure modes).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfvidgan import losses


def _scalar(value, what):
    assert value is not None, f"your function returned None: return {what}"
    arr = np.asarray(tf.convert_to_tensor(value), dtype=np.float64)
    assert arr.shape == (), (
        f"{what} is one number (a mean over the batch), got shape {arr.shape}; use tf.reduce_mean"
    )
    return float(arr)


def check_hinge_d_loss(my_loss) -> None:
    """Exercise 13.1: ``my_loss(real_logits, fake_logits)``, the hinge discriminator loss.

    That is E[relu(1 - D(x))] + E[relu(1 + D(G(z)))], compared with
    ``losses.hinge_discriminator_loss`` on ``(B, 1)`` logits.
    """
    rng = np.random.default_rng(0)
    for real_mean, fake_mean in ((0.0, 0.0), (2.0, -2.0), (-1.0, 1.5), (0.5, -0.3)):
        real = tf.constant(rng.normal(real_mean, 1.5, (64, 1)), tf.float32)
        fake = tf.constant(rng.normal(fake_mean, 1.5, (64, 1)), tf.float32)
        got = _scalar(my_loss(real, fake), "the loss")
        want = float(losses.hinge_discriminator_loss(real, fake))
        swapped = float(losses.hinge_discriminator_loss(fake, real))
        if abs(got - swapped) < 1e-5 and abs(got - want) > 1e-5:
            raise AssertionError(
                "real and fake are swapped: D should push real logits above +1 and fake logits "
                "below -1"
            )
        wasserstein = float(losses.wasserstein_discriminator_loss(real, fake))
        if abs(got - wasserstein) < 1e-5 and abs(got - want) > 1e-5:
            raise AssertionError(
                "this is the Wasserstein critic loss: the hinge loss clips each term with relu(1 "
                "-/+ logit)"
            )
        assert abs(got - want) < 1e-5 * max(1.0, abs(want)), (
            f"you give {got:.5f}, the library {want:.5f}. Hint: tf.reduce_mean(tf.nn.relu(1 - "
            "real_logits)) + tf.reduce_mean(tf.nn.relu(1 + fake_logits))"
        )
    perfect = _scalar(my_loss(tf.fill((8, 1), 3.0), tf.fill((8, 1), -3.0)), "the loss")
    assert abs(perfect) < 1e-6, (
        "when every real logit is >= 1 and every fake logit <= -1 the hinge loss is 0"
    )


def _small_critic(rank):
    """A tiny fixed convolutional critic for images (rank 4) or videos (rank 5)."""
    keras.utils.set_random_seed(3)
    conv = keras.layers.Conv2D if rank == 4 else keras.layers.Conv3D
    shape = (8, 8, 1) if rank == 4 else (4, 8, 8, 2)
    x = keras.Input(shape)
    h = conv(4, 3, padding="same", activation="tanh", dtype="float32")(x)
    h = keras.layers.Flatten()(h)
    out = keras.layers.Dense(1, dtype="float32")(h)
    return keras.Model(x, out), shape


def check_r1_penalty(my_r1) -> None:
    """Exercise 13.2: ``my_r1(critic, real)`` = E[||grad_x critic(x)||^2] over real samples,
    compared with ``losses.r1_penalty`` on a linear critic (closed form) and small conv critics."""
    w = tf.constant(np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1) / 10.0)
    linear = lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]  # noqa: E731 - gradient = w for every sample
    real = tf.random.stateless_normal((6, 4, 4, 1), seed=(1, 2))
    got = _scalar(my_r1(linear, real), "the penalty")
    want = float(tf.reduce_sum(w**2))
    if abs(got - np.sqrt(want)) < 1e-4 and abs(got - want) > 1e-4:
        raise AssertionError("you return the gradient *norm*; R1 uses its square ||grad||^2")
    if abs(got - 6 * want) < 1e-3 * want:
        raise AssertionError(
            "you sum over the batch: average the per-sample squared norms (tf.reduce_mean)"
        )
    assert abs(got - want) < 1e-4 * want, (
        f"for the linear critic D(x) = sum(w * x) the gradient is w and R1 = ||w||^2 = {want:.4f}; "
        f"you give {got:.4f}. Hint: tape.watch(real), then the gradient of the critic's output "
        "w.r.t. real, squared and summed over every axis except the batch, then averaged over the "
        "batch"
    )
    for rank in (4, 5):
        critic, shape = _small_critic(rank)
        real = tf.random.stateless_normal((5,) + shape, seed=(rank, 7))
        got = _scalar(my_r1(critic, real), "the penalty")
        want = float(losses.r1_penalty(critic, real))
        what = "images (B, H, W, C)" if rank == 4 else "videos (B, T, H, W, C)"
        assert abs(got - want) < 1e-4 * max(1.0, want), (
            f"on {what} you give {got:.5f}, tfvidgan.losses.r1_penalty {want:.5f}. Sum the squared "
            "gradient over all non-batch axes (tf.range(1, tf.rank(g)) works for images and videos "
            "alike)"
        )


def _reference_shift(images, dy, dx):
    out = np.full_like(images, -1.0)
    h, w = images.shape[1:3]
    src = images[:, max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[:, max(0, dy) : max(0, dy) + src.shape[1], max(0, dx) : max(0, dx) + src.shape[2]] = src
    return out


def check_shift(my_shift) -> None:
    """Exercise 13.3: ``my_shift(images, dy, dx)`` shifts images ``(B, H, W, C)``.

    Every image moves down by ``dy`` and right by ``dx`` pixels (negative: up / left);
    the uncovered border is filled with -1, the shape is kept, and it is differentiable.
    """
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (3, 8, 10, 2)).astype(np.float32)
    for dy, dx in ((0, 0), (2, 0), (0, 3), (-1, 2), (3, -4), (-2, -2)):
        x = tf.Variable(images)
        with tf.GradientTape() as tape:
            out = my_shift(x, dy, dx)
            assert out is not None, "your function returned None: return the shifted images"
            total = tf.reduce_sum(tf.convert_to_tensor(out, tf.float32))
        got = np.asarray(tf.convert_to_tensor(out))
        assert got.shape == images.shape, (
            f"the shape must stay {images.shape}, got {got.shape} for dy={dy}, dx={dx}"
        )
        want = _reference_shift(images, dy, dx)
        if not np.allclose(got, want, atol=1e-6):
            if np.allclose(got, _reference_shift(images, -dy, -dx), atol=1e-6):
                raise AssertionError(
                    f"dy={dy}, dx={dx}: you shift the wrong way; positive dy moves the content "
                    "*down*"
                )
            if np.allclose(got, np.roll(images, (dy, dx), axis=(1, 2)), atol=1e-6) and (dy or dx):
                raise AssertionError(
                    "tf.roll wraps pixels around to the other side; fill the uncovered border with "
                    "-1 instead"
                )
            raise AssertionError(
                f"dy={dy}, dx={dx}: the output differs from the shifted images. out[:, i, j] must "
                "be images[:, i - dy, j - dx] inside the frame and -1 where that pixel is outside. "
                "Hint: tf.pad by |dy|, |dx| with constant_values=-1, then slice an H x W window"
            )
        grad = tape.gradient(total, x)
        assert grad is not None, (
            "no gradient flows back to the images: use TensorFlow ops (tf.pad, slicing), not NumPy"
        )
        kept = (_reference_shift(np.ones_like(images), -dy, -dx) > 0).astype(
            np.float32
        )  # pixels that stay in frame
        np.testing.assert_allclose(
            np.asarray(grad),
            kept,
            atol=1e-6,
            err_msg=(
                "the gradient must be 1 for pixels that stay in the frame and 0 for those shifted "
                "out"
            ),
        )
