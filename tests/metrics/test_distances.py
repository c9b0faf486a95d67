"""tfvidgan.metrics.distances: Frechet distance, KID and Inception Score on known inputs."""

import warnings

import numpy as np
import pytest

from tfvidgan.metrics import distances
from tfvidgan.metrics.distances import (
    frechet_distance,
    frechet_distance_from_features,
    gaussian_stats,
    inception_score,
    kernel_distance,
    mmd2_unbiased,
    polynomial_kernel,
)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------
# Frechet distance
# ---------------------------------------------------------------------------


def test_gaussian_stats_matches_numpy():
    x = rng().normal(size=(50, 4))
    mu, sigma = gaussian_stats(x)
    assert mu.shape == (4,) and sigma.shape == (4, 4)
    assert mu.dtype == np.float64 and sigma.dtype == np.float64
    np.testing.assert_allclose(mu, x.mean(0))
    np.testing.assert_allclose(sigma, np.cov(x.T, ddof=1))


def test_frechet_1d_closed_form():
    # For 1-D Gaussians: d^2 = (m1 - m2)^2 + (s1 - s2)^2
    m1, s1, m2, s2 = 0.5, 2.0, -1.0, 0.5
    value = frechet_distance([m1], [[s1**2]], [m2], [[s2**2]])
    assert value == pytest.approx((m1 - m2) ** 2 + (s1 - s2) ** 2, rel=1e-9)


def test_frechet_diagonal_closed_form():
    r = rng(1)
    mu1, mu2 = r.normal(size=5), r.normal(size=5)
    s1, s2 = r.uniform(0.5, 2, 5), r.uniform(0.5, 2, 5)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((s1 - s2) ** 2)
    value = frechet_distance(mu1, np.diag(s1**2), mu2, np.diag(s2**2))
    assert value == pytest.approx(expected, rel=1e-8)
    assert isinstance(value, float)


def test_frechet_identical_and_symmetric():
    r = rng(2)
    a = r.normal(size=(200, 8))
    b = r.normal(size=(150, 8)) * 1.5 + 0.3
    assert frechet_distance_from_features(a, a) == pytest.approx(0.0, abs=1e-6)
    dab = frechet_distance_from_features(a, b)
    assert dab > 0.5
    assert dab == pytest.approx(frechet_distance_from_features(b, a), rel=1e-6)


def test_frechet_rank_deficient_is_finite():
    r = rng(3)
    a = r.normal(size=(10, 64))  # N < D: singular covariances
    b = r.normal(size=(10, 64)) + 0.5
    value = frechet_distance_from_features(a, b)
    assert np.isfinite(value) and value >= 0.0
    # The mean term alone is 64 * 0.5^2 = 16 in expectation: well above 0.
    assert value > 10.0


def test_frechet_eps_retry(monkeypatch):
    # Make the first sqrtm fail (NaN), as it can on singular matrices:
    # the function must retry with eps * I added and still give the answer.
    real_sqrtm = distances.linalg.sqrtm
    calls = []

    def flaky_sqrtm(a):
        calls.append(1)
        return np.full_like(a, np.nan) if len(calls) == 1 else real_sqrtm(a)

    monkeypatch.setattr(distances.linalg, "sqrtm", flaky_sqrtm)
    value = frechet_distance([0.0], [[4.0]], [1.0], [[1.0]], eps=1e-6)
    assert len(calls) == 2
    assert value == pytest.approx(1.0 + 1.0, abs=1e-5)


def test_frechet_shape_mismatch():
    with pytest.raises(ValueError, match="covariances must have shape"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(3), np.eye(2))


def test_feature_validation_messages():
    with pytest.raises(ValueError, match=r"N >= 2"):
        gaussian_stats(np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"2-D array of shape \(N, D\)"):
        gaussian_stats(np.ones((4, 4, 4)))
    bad = np.ones((5, 3))
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        frechet_distance_from_features(bad, np.ones((5, 3)))


# ---------------------------------------------------------------------------
# KID / MMD
# ---------------------------------------------------------------------------


def test_mmd2_unbiased_by_hand():
    kxx = np.array([[9.0, 1.0], [1.0, 9.0]])
    kyy = np.array([[9.0, 2.0, 4.0], [2.0, 9.0, 6.0], [4.0, 6.0, 9.0]])
    kxy = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 5.0]])
    # off-diagonal mean of kxx: (1 + 1) / 2 = 1
    # off-diagonal mean of kyy: 2 * (2 + 4 + 6) / 6 = 4
    # mean of kxy: 12 / 6 = 2
    assert mmd2_unbiased(kxx, kyy, kxy) == pytest.approx(1.0 + 4.0 - 2.0 * 2.0)


def test_polynomial_kernel_default_is_kid_kernel():
    x = rng(4).normal(size=(3, 5))
    y = rng(5).normal(size=(4, 5))
    np.testing.assert_allclose(polynomial_kernel(x, y), (x @ y.T / 5 + 1) ** 3)


def test_kid_same_vs_shifted():
    r = rng(6)
    a = r.normal(size=(400, 16))
    b = r.normal(size=(400, 16))
    mean_same, std_same = kernel_distance(a, b, num_subsets=5, subset_size=200)
    mean_shift, _ = kernel_distance(a, b + 1.0, num_subsets=5, subset_size=200)
    assert abs(mean_same) < 0.05
    assert std_same >= 0.0
    assert mean_shift > 1.0
    assert mean_shift > 20 * abs(mean_same)


def test_kid_subset_size_capped_and_deterministic():
    r = rng(7)
    a, b = r.normal(size=(30, 4)), r.normal(size=(20, 4))
    assert kernel_distance(a, b, subset_size=1000) == kernel_distance(a, b, subset_size=1000)
    with pytest.raises(ValueError, match="feature dimensions differ"):
        kernel_distance(a, r.normal(size=(20, 5)))


# ---------------------------------------------------------------------------
# Inception score
# ---------------------------------------------------------------------------


def test_inception_score_identical_rows_is_one():
    probs = np.tile([0.7, 0.2, 0.1], (200, 1))
    mean, std = inception_score(probs, num_splits=4)
    assert mean == pytest.approx(1.0) and std == pytest.approx(0.0, abs=1e-12)


def test_inception_score_uniform_one_hot_is_k():
    k = 5
    probs = np.eye(k)[np.arange(500) % k]  # every split of 50 rows holds each class 10 times
    mean, std = inception_score(probs, num_splits=10)
    assert mean == pytest.approx(k) and std == pytest.approx(0.0, abs=1e-9)


def test_inception_score_refuses_one_sample_splits_and_warns_on_small_ones():
    k = 5
    probs = np.eye(k)[np.arange(10) % k]  # a perfect generator: IS = 5 on the whole set
    with pytest.warns(UserWarning, match="10 samples per split.*use more samples"):
        assert inception_score(probs, num_splits=1)[0] == pytest.approx(k)
    # 10 samples in 10 splits: one sample each, whose score is 1.0 whatever the generator
    with pytest.raises(ValueError, match=r"1 sample\(s\) in a split.*num_splits <= 1"):
        inception_score(probs, num_splits=10)
    with pytest.raises(ValueError, match="0 sample"):
        inception_score(probs, num_splits=20)
    with pytest.raises(ValueError, match="num_splits must be >= 1"):
        inception_score(probs, num_splits=0)
    with pytest.warns(UserWarning, match="5 samples per split.*biased towards 1"):
        mean, _ = inception_score(probs, num_splits=2)
    assert mean == pytest.approx(k)  # still computed: each split holds every class once
    many = np.eye(k)[np.arange(100) % k]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 50 per split: no warning
        assert inception_score(many, num_splits=2)[0] == pytest.approx(k)


def test_inception_score_validation():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.ones((4, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        inception_score(np.array([[1.5, -0.5], [0.5, 0.5]]))


def test_a_large_imaginary_sqrt_is_retried_with_eps_and_then_named():
    """sqrtm(I @ -I) = iI: a large imaginary part marks the square root unreliable (as for
    near-singular covariances, which the eps retry fixes); if the retry cannot fix it either,
    the error names the likely cause."""
    assert distances._trace_sqrt_product(np.eye(2), -np.eye(2)) is None
    with pytest.raises(ValueError, match="positive semi-definite"):
        distances.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), -np.eye(2))
