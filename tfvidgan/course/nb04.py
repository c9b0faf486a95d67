"""Checks for the exercises of notebook 04 (conditional GAN: choosing the digit).

Each ``check_*`` takes the student's answer and raises ``AssertionError`` with a
hint when it is wrong; :func:`tfvidgan.course.check` reports the result.
"""

from __future__ import annotations

import numpy as np


def _numpy(x) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(x))


# ---- Exercise 4.1 -------------------------------------------------------------


def check_projection(my_projection) -> None:
    """``my_projection(h, y, embedding)`` must equal
    :class:`tfvidgan.layers.ClassProjection` with that embedding matrix."""
    from tfvidgan.layers import ClassProjection

    rng = np.random.default_rng(4)
    batch, dim, num_classes = 6, 12, 10
    h = rng.standard_normal((batch, dim)).astype("float32")
    y = np.array([0, 3, 9, 3, 1, 7], dtype="int32")
    embedding = rng.standard_normal((num_classes, dim)).astype("float32")

    layer = ClassProjection(num_classes, dtype="float32")
    layer([h, y])  # builds the layer's own Embedding
    layer.embedding.set_weights([embedding])
    want = _numpy(layer([h, y]))

    got = my_projection(h, y, embedding)
    assert got is not None, "return the projection term, shape (B, 1)"
    got = _numpy(got)
    assert got.shape == want.shape, (
        f"expected shape {want.shape} (one number per sample, keepdims), got {got.shape}"
    )
    if np.allclose(got, (h @ embedding.T)[:, :1], atol=1e-4) and not np.allclose(
        got, want, atol=1e-4
    ):
        raise AssertionError("pick the embedding row of each sample's own label y, not class 0")
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-4,
        atol=1e-4,
        err_msg=(
            "the term is <embedding[y_i], h_i> for every sample i: look up the rows of `embedding` "
            "with y, multiply by h elementwise and sum over the feature axis"
        ),
    )


# ---- Exercise 4.2 -------------------------------------------------------------


def check_one_hot_concat(one_hot_concat) -> None:
    """``one_hot_concat(z, y, num_classes)`` returns ``[z, one_hot(y)]``."""
    rng = np.random.default_rng(5)
    z = rng.standard_normal((5, 8)).astype("float32")
    y = np.array([0, 3, 9, 3, 1], dtype="int32")
    got = one_hot_concat(z, y, 10)
    assert got is not None, "return the concatenated array"
    got = _numpy(got)
    assert got.shape == (5, 18), (
        f"z (5, 8) and 10 classes give shape (5, 8 + 10) = (5, 18), got {got.shape}"
    )
    np.testing.assert_allclose(
        got[:, :8], z, atol=1e-6, err_msg="the first latent_dim columns must be z unchanged"
    )
    np.testing.assert_allclose(
        got[:, 8:],
        np.eye(10, dtype="float32")[y],
        atol=1e-6,
        err_msg=(
            "the last num_classes columns must be the one-hot code of y (a single 1 in column y)"
        ),
    )


# ---- Exercise 4.3 -------------------------------------------------------------


def _labeller_model(image_size=16):
    """A stand-in ConditionalGAN whose 'generator' paints every pixel with a
    value that encodes the label (and ignores z), so a check can read which
    digit was asked for."""
    import keras
    from keras import ops

    from tfvidgan.models.cgan import ConditionalGAN

    class Labeller(keras.layers.Layer):
        def call(self, inputs, training=None):
            z, y = inputs
            value = ops.cast(ops.reshape(y, (-1, 1, 1, 1)), "float32") / 10.0 - 0.45
            return value * ops.ones((1, image_size, image_size, 1)) + 0.0 * ops.cast(
                ops.reshape(z[:, :1], (-1, 1, 1, 1)), "float32"
            )

    class Critic(keras.layers.Layer):
        def call(self, inputs, training=None):
            x, _ = inputs
            return ops.mean(x, axis=(1, 2, 3))[:, None]

    return ConditionalGAN(Labeller(), Critic(), latent_dim=4, num_classes=10, seed=0)


def check_digit_rows(digit_rows) -> None:
    """``digit_rows(model, digits, per_row)`` returns
    ``(len(digits), per_row, H, W, C)`` with row i showing digit ``digits[i]``."""
    model = _labeller_model()
    for digits, per_row in [([3, 7, 0], 5), ([9], 70)]:
        got = digit_rows(model, digits, per_row)
        assert got is not None, "return the array of rows"
        got = _numpy(got)
        want_shape = (len(digits), per_row, 16, 16, 1)
        assert got.shape == want_shape, (
            f"digits={digits}, per_row={per_row}: expected shape {want_shape}, got {got.shape}. "
            "Stack one model.sample(per_row, labels=d) per digit d"
        )
        for i, d in enumerate(digits):
            asked = float(np.mean(got[i])) * 10 + 4.5
            assert abs(asked - d) < 0.05, (
                f"row {i} should show digit {d}, but the generator was asked for {asked:.0f}: pass "
                "labels=d to model.sample (an int is broadcast to every sample)"
            )
