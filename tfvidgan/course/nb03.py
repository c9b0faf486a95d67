"""Checks for the exercises of notebook 03 (DCGAN on digit images).

Each ``check_*`` takes the student's answer and raises ``AssertionError`` with a
hint when it is wrong; :func:`tfvidgan.course.check` reports the result.
"""

from __future__ import annotations

import math

import numpy as np


def _value(x) -> float:
    """A scalar loss (tf tensor, NumPy value or float) as a Python float."""
    import keras

    return float(np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64))


def _test_logits(seed=0):
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    real = rng.normal(1.0, 3.0, size=(32, 1)).astype("float32")
    fake = rng.normal(-1.0, 3.0, size=(32, 1)).astype("float32")
    real[:3, 0] = [15.0, -15.0, 0.0]  # confident and undecided logits
    fake[:3, 0] = [15.0, -15.0, 0.0]
    return tf.constant(real), tf.constant(fake)


# ---- Exercise 3.1 -------------------------------------------------------------


def check_d_loss(my_d_loss) -> None:
    """``my_d_loss(real_logits, fake_logits, label_smoothing)`` must equal
    :func:`tfvidgan.losses.non_saturating_discriminator_loss`."""
    from tfvidgan import losses

    real, fake = _test_logits()
    for smoothing in (0.0, 0.1):
        got = _value(my_d_loss(real, fake, smoothing))
        want = _value(losses.non_saturating_discriminator_loss(real, fake, smoothing))
        assert math.isfinite(got), (
            f"your loss is {got} for logits of +-15: write -log(sigmoid(x)) as softplus(-x) and "
            "-log(1 - sigmoid(x)) as softplus(x), which never overflow"
        )
        assert abs(got - want) < 1e-4 * max(1.0, abs(want)), (
            f"label_smoothing={smoothing}: got {got:.5f}, expected {want:.5f}. The loss is the "
            "mean over the batch of BCE(real, target=1 - label_smoothing) plus the mean of "
            "BCE(fake, target=0), where BCE(x, t) = t * softplus(-x) + (1 - t) * softplus(x) "
            "(log(sigmoid(x)) loses precision for logits like +-15; softplus does not)"
        )
    # A perfect discriminator has (almost) zero loss; a confused one log(4).
    confused = _value(my_d_loss(real * 0.0, fake * 0.0, 0.0))
    assert abs(confused - math.log(4.0)) < 1e-4, (
        f"with all logits 0 the loss must be log 4 = 1.3863, got {confused:.4f}"
    )


# ---- Exercise 3.2 -------------------------------------------------------------


def _shapes_from_model(image_size, base_filters, channels):
    """The (H, W, C) after the projection, after each up block and of the output."""
    from keras import layers

    from tfvidgan.models import dcgan

    g = dcgan.build_generator(8, image_size, channels, base_filters)
    shapes = [tuple(layer.output.shape[1:]) for layer in g.layers if isinstance(layer, layers.ReLU)]
    return shapes + [tuple(g.output.shape[1:])]


def check_generator_shapes(generator_shapes) -> None:
    """``generator_shapes(image_size, base_filters, channels)`` lists the feature
    map shapes of :func:`tfvidgan.models.dcgan.build_generator`."""
    for image_size, base_filters, channels in [(32, 32, 1), (16, 8, 1), (64, 16, 3)]:
        got = generator_shapes(image_size, base_filters, channels)
        assert got is not None, "return a list of (H, W, C) tuples"
        got = [tuple(int(v) for v in s) for s in got]
        want = _shapes_from_model(image_size, base_filters, channels)
        assert len(got) == len(want), (
            f"image_size={image_size}: expected {len(want)} shapes (4x4 projection, one per up "
            f"block, output), got {len(got)}: {got}. The number of doublings is k = "
            "log2(image_size / 4)"
        )
        assert got[0] == want[0], (
            f"image_size={image_size}, base_filters={base_filters}: the 4x4 projection has "
            f"base_filters * 2**(k - 1) channels, expected {want[0]}, got {got[0]}"
        )
        assert got == want, (
            f"image_size={image_size}, base_filters={base_filters}, channels={channels}: expected "
            f"{want}, got {got}. Each up block doubles H and W and halves the filters; the last "
            "layer goes straight to `channels`"
        )


# ---- Exercise 3.3 -------------------------------------------------------------


def check_hinge(pair) -> None:
    """``pair = (my_hinge_g_loss, my_hinge_d_loss)`` must match the hinge losses
    of :mod:`tfvidgan.losses` and train a tiny DCGAN for 3 finite steps."""
    import keras

    from tfvidgan import losses
    from tfvidgan.data import make_dataset
    from tfvidgan.models import dcgan

    g_loss, d_loss = pair
    real, fake = _test_logits(1)
    got, want = _value(d_loss(real, fake, 0.0)), _value(losses.hinge_discriminator_loss(real, fake))
    assert abs(got - want) < 1e-4 * max(1.0, abs(want)), (
        f"discriminator: got {got:.5f}, expected {want:.5f} = mean(relu(1 - real)) + mean(relu(1 + "
        "fake)). Logits beyond the margin (real > 1, fake < -1) must cost nothing"
    )
    got, want = _value(g_loss(fake)), _value(losses.hinge_generator_loss(fake))
    assert abs(got - want) < 1e-4 * max(1.0, abs(want)), (
        f"generator: got {got:.5f}, expected {want:.5f} = -mean(fake_logits) (no relu for the "
        "generator)"
    )

    model = dcgan.DCGAN(
        dcgan.build_generator(8, 16, 1, 4), dcgan.build_discriminator(16, 1, 4), 8, seed=0
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss=(g_loss, d_loss),
    )
    data = make_dataset("digits", batch_size=8, num=32, image_size=16)
    logs = model.fit(data, epochs=1, steps_per_epoch=3, verbose=0).history
    d_value, g_value = logs["d_loss"][-1], logs["g_loss"][-1]
    assert math.isfinite(d_value) and math.isfinite(g_value), (
        f"training gave d_loss={d_value}, g_loss={g_value}"
    )
    print(f"3 hinge steps on a tiny DCGAN: d_loss={d_value:.3f}, g_loss={g_value:.3f}")
