"""Checks for the exercises of notebook 02 (GAN basics on a 1-D Gaussian).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfvidgan import losses


def normal_pdf(x, mean, std):
    """Density of N(mean, std^2) at ``x`` (NumPy)."""
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2.0 * np.pi))


def _logits(seed=0, n=256):
    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.normal(0.0, 3.0, n - 6), [-40.0, -20.0, 0.0, 20.0, 40.0, 5.0]])
    return tf.constant(values.reshape(-1, 1), tf.float32)


def _value(answer, *args):
    out = answer(*args)
    assert out is not None, "your function returned None: return the loss"
    out = np.asarray(tf.convert_to_tensor(out), dtype=np.float64)
    assert out.shape == (), (
        f"a loss is one number (the mean over the batch), got shape {out.shape}; use tf.reduce_mean"
    )
    return float(out)


def check_minimax_generator_loss(my_loss) -> None:
    """Exercise 2.1: ``my_loss(fake_logits)`` = E[log(1 - D(G(z)))] with D = sigmoid(logit),
    numerically stable for large logits (compare with ``losses.minimax_generator_loss``)."""
    moderate = tf.constant(np.linspace(-6, 6, 25).reshape(-1, 1), tf.float32)
    got = _value(my_loss, moderate)
    want = float(losses.minimax_generator_loss(moderate))
    if abs(got + want) < 1e-4 and abs(want) > 1e-3:
        raise AssertionError(
            "the sign is flipped: the generator *minimises* log(1 - D(G(z))), which is <= 0"
        )
    assert abs(got - want) < 1e-4, (
        f"on moderate logits you give {got:.5f}, the library {want:.5f}. Hint: log(1 - sigmoid(l)) "
        "= -softplus(l)"
    )
    logits = _logits()
    got = _value(my_loss, logits)
    want = float(losses.minimax_generator_loss(logits))
    assert np.isfinite(got), (
        "your loss is not finite for logits like +-40: log(1 - sigmoid(40)) is log(0) in float32. "
        "Use the stable form -softplus(l) (tf.nn.softplus)"
    )
    assert abs(got - want) < 1e-3 * max(1.0, abs(want)), (
        f"you give {got:.5f}, the library {want:.5f}"
    )


def check_least_squares_generator_loss(my_loss) -> None:
    """Exercise 2.2: ``my_loss(fake_logits)`` = 0.5 E[(D(G(z)) - 1)^2] on raw outputs
    (compare with ``losses.least_squares_generator_loss``)."""
    logits = _logits(seed=1)
    got = _value(my_loss, logits)
    want = float(losses.least_squares_generator_loss(logits))
    if abs(got - 2 * want) < 1e-3 * want:
        raise AssertionError("off by a factor 2: the LSGAN losses carry a 1/2 in front")
    zero = _value(my_loss, tf.ones((8, 1)))
    assert abs(zero) < 1e-6, (
        "when every fake gets the 'real' target 1 the generator loss must be 0, you give "
        f"{zero:.4f}. LSGAN uses the raw output (no sigmoid): 0.5 * mean((D(G(z)) - 1)^2)"
    )
    assert abs(got - want) < 1e-4 * max(1.0, abs(want)), (
        f"you give {got:.5f}, the library {want:.5f}. Hint: no sigmoid, no log; a square and a mean"
    )


def check_optimal_discriminator(my_d_star) -> None:
    """Exercise 2.3: ``my_d_star(p_data, p_g)`` = p_data / (p_data + p_g), elementwise."""
    x = np.linspace(-2.0, 10.0, 241)
    p_data = normal_pdf(x, 4.0, 1.25)
    p_g = normal_pdf(x, 2.5, 0.8)
    got = my_d_star(p_data, p_g)
    assert got is not None, "your function returned None: return D*(x) for every x"
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == x.shape, f"expected one value per x, shape {x.shape}, got {got.shape}"
    assert np.all((got >= 0) & (got <= 1)), "D*(x) is a probability: every value must lie in [0, 1]"
    want = p_data / (p_data + p_g)
    bulk = (p_data + p_g) > 1e-6
    if np.allclose(got[bulk], 1 - want[bulk], atol=1e-6):
        raise AssertionError(
            "you return the probability of *fake*: D*(x) is the probability that x is real"
        )
    np.testing.assert_allclose(
        got[bulk],
        want[bulk],
        atol=1e-6,
        err_msg="D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al. 2014, Proposition 1)",
    )
    same = np.asarray(my_d_star(p_data, p_data), dtype=np.float64)
    np.testing.assert_allclose(
        same[bulk], 0.5, atol=1e-6, err_msg="when p_g = p_data, D* must be 1/2 everywhere"
    )
