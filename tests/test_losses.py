"""Every loss against closed forms on fixed logits; penalties against hand-computed values."""

import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import losses

REAL = np.array([[2.0], [-1.0], [0.5]], dtype="float32")
FAKE = np.array([[-3.0], [0.0], [1.5]], dtype="float32")


def softplus(x):
    return np.log1p(np.exp(x))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize(
    "name, d_expected, g_expected",
    [
        (
            "non_saturating",
            -np.log(sigmoid(REAL)).mean() - np.log(1 - sigmoid(FAKE)).mean(),
            -np.log(sigmoid(FAKE)).mean(),
        ),
        (
            "minimax",
            -np.log(sigmoid(REAL)).mean() - np.log(1 - sigmoid(FAKE)).mean(),
            np.log(1 - sigmoid(FAKE)).mean(),
        ),
        ("wasserstein", FAKE.mean() - REAL.mean(), -FAKE.mean()),
        ("hinge", np.maximum(0, 1 - REAL).mean() + np.maximum(0, 1 + FAKE).mean(), -FAKE.mean()),
        (
            "least_squares",
            0.5 * ((REAL - 1) ** 2).mean() + 0.5 * (FAKE**2).mean(),
            0.5 * ((FAKE - 1) ** 2).mean(),
        ),
    ],
)
def test_loss_pairs_match_closed_forms(name, d_expected, g_expected):
    g_loss, d_loss = losses.get_loss(name)
    np.testing.assert_allclose(float(d_loss(REAL, FAKE)), d_expected, rtol=1e-5)
    np.testing.assert_allclose(float(g_loss(FAKE)), g_expected, rtol=1e-5)


def test_label_smoothing_lowers_the_real_target():
    s = 0.1
    expected = (
        -(0.9 * np.log(sigmoid(REAL)) + 0.1 * np.log(1 - sigmoid(REAL))).mean()
        - np.log(1 - sigmoid(FAKE)).mean()
    )
    got = losses.non_saturating_discriminator_loss(REAL, FAKE, label_smoothing=s)
    np.testing.assert_allclose(float(got), expected, rtol=1e-5)
    got_ls = losses.least_squares_discriminator_loss(REAL, FAKE, label_smoothing=s)
    np.testing.assert_allclose(
        float(got_ls), 0.5 * ((REAL - 0.9) ** 2).mean() + 0.5 * (FAKE**2).mean(), rtol=1e-5
    )


def test_losses_accept_bfloat16_logits_and_return_float32():
    out = losses.hinge_discriminator_loss(
        tf.constant(REAL, tf.bfloat16), tf.constant(FAKE, tf.bfloat16)
    )
    assert out.dtype == tf.float32


def test_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError, match="hinge"):
        losses.get_loss("nope")


def test_minimax_generator_gradient_vanishes_when_discriminator_is_confident():
    logits = tf.constant([[-8.0]])
    grads = {}
    for name in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = losses.get_loss(name)[0](logits)
        grads[name] = abs(float(tape.gradient(loss, logits)[0, 0]))
    assert grads["minimax"] < 1e-3 < 0.9 < grads["non_saturating"]


# --- penalties: a linear critic D(x) = sum(w * x) has gradient w everywhere ---


@pytest.mark.parametrize("shape", [(4, 3, 3, 2), (4, 2, 3, 3, 1)], ids=["image", "video"])
def test_gradient_penalty_of_a_linear_critic(shape):
    rng = np.random.default_rng(0)
    w = tf.constant(rng.normal(size=shape[1:]).astype("float32"))
    critic = lambda x: tf.reduce_sum(x * w, axis=list(range(1, len(shape))))[:, None]  # noqa: E731
    real = tf.constant(rng.normal(size=shape).astype("float32"))
    fake = tf.constant(rng.normal(size=shape).astype("float32"))
    alpha = tf.constant(rng.uniform(size=(shape[0],) + (1,) * (len(shape) - 1)).astype("float32"))
    expected = (np.linalg.norm(w.numpy()) - 1.0) ** 2
    np.testing.assert_allclose(
        float(losses.gradient_penalty(critic, real, fake, alpha)), expected, rtol=1e-4
    )
    np.testing.assert_allclose(
        float(losses.r1_penalty(critic, real)), np.sum(w.numpy() ** 2), rtol=1e-4
    )


def test_gradient_penalty_uses_the_interpolates():
    # D(x) = 0.5 * sum(x^2): grad = x, so the penalty depends on alpha*real + (1-alpha)*fake.
    critic = lambda x: 0.5 * tf.reduce_sum(x**2, axis=[1, 2, 3])[:, None]  # noqa: E731
    real = tf.ones((2, 1, 1, 4))
    fake = tf.zeros((2, 1, 1, 4))
    alpha = tf.constant([0.25, 1.0], shape=(2, 1, 1, 1))
    # x_hat = alpha * 1: norm = alpha * sqrt(4) = 2 alpha -> (0.5-1)^2, (2-1)^2
    np.testing.assert_allclose(
        float(losses.gradient_penalty(critic, real, fake, alpha)), (0.25 + 1.0) / 2, rtol=1e-5
    )


def test_info_loss_is_the_cross_entropy_of_the_code_guess():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], dtype="float32")
    codes = np.array([0, 2])
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -(log_softmax[0, 0] + log_softmax[1, 2]) / 2
    assert np.isclose(float(losses.info_loss(codes, logits)), expected, atol=1e-6)
    # several judges per sample (video + frames): each guess counts alike
    stacked = np.stack([logits, logits[::-1]], axis=1)  # (B=2, n=2, K=3)
    expected2 = -(log_softmax[0, 0] + log_softmax[1, 0] + log_softmax[1, 2] + log_softmax[0, 2]) / 4
    assert np.isclose(float(losses.info_loss(codes, stacked)), expected2, atol=1e-6)


def test_label_smoothing_is_one_sided_and_twice_tfgans():
    """Our s lowers the real target to 1 - s; TF-GAN's (tf.losses label smoothing) to 1 - s/2."""
    s = 0.1
    ours = float(losses.non_saturating_discriminator_loss(REAL, FAKE, label_smoothing=s))

    def tfgan_style(smoothing):  # labels * (1 - smoothing) + 0.5 * smoothing, on real only
        target = 1.0 * (1 - smoothing) + 0.5 * smoothing
        real = -(target * np.log(sigmoid(REAL)) + (1 - target) * np.log(1 - sigmoid(REAL)))
        return real.mean() - np.log(1 - sigmoid(FAKE)).mean()

    np.testing.assert_allclose(ours, tfgan_style(2 * s), rtol=1e-5)
    assert abs(ours - tfgan_style(s)) > 1e-3  # the same number means different targets
