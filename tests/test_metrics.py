"""Tests for tfvidgan.metrics: closed forms, sanity checks and input validation."""

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
from tfvidgan.metrics.diversity import (
    class_coverage,
    class_histogram,
    conditional_accuracy,
    density_coverage,
    precision_recall,
    sample_diversity,
)
from tfvidgan.metrics.motion import (
    PSNR_CAP_DB,
    frame_difference_energy,
    frozen_clips,
    looping_clips,
    mean_frame_difference_energy,
    motion_summary,
    optical_flow_stats,
    temporal_psnr,
    temporal_ssim,
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
    probs = np.tile([0.7, 0.2, 0.1], (20, 1))
    mean, std = inception_score(probs, num_splits=4)
    assert mean == pytest.approx(1.0) and std == pytest.approx(0.0, abs=1e-12)


def test_inception_score_uniform_one_hot_is_k():
    k = 5
    probs = np.eye(k)[np.arange(50) % k]  # every split of 5 rows holds each class once
    mean, std = inception_score(probs, num_splits=10)
    assert mean == pytest.approx(k) and std == pytest.approx(0.0, abs=1e-9)


def test_inception_score_validation():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.ones((4, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        inception_score(np.array([[1.5, -0.5], [0.5, 0.5]]))


# ---------------------------------------------------------------------------
# Precision / recall, density / coverage
# ---------------------------------------------------------------------------


def test_precision_recall_identical_and_far():
    real = rng(8).normal(size=(200, 8))
    same = precision_recall(real, real.copy(), k=3)
    assert same == {"precision": 1.0, "recall": 1.0}
    far = precision_recall(real, rng(9).normal(size=(200, 8)) + 20.0, k=3)
    assert far["precision"] < 0.05 and far["recall"] < 0.05


def test_precision_high_recall_low_for_collapsed_generator():
    r = rng(10)
    real = r.normal(size=(300, 2))
    fake = r.normal(size=(300, 2)) * 0.1  # all samples in the real bulk
    pr = precision_recall(real, fake, k=3)
    assert pr["precision"] > 0.9
    assert pr["recall"] < 0.5


def test_density_coverage():
    r = rng(11)
    real = r.normal(size=(300, 4))
    same = density_coverage(real, real.copy(), k=5)
    assert same["coverage"] == 1.0
    assert same["density"] == pytest.approx(6 / 5)  # each point is in its own ball + k others
    good = density_coverage(real, r.normal(size=(300, 4)), k=5)
    assert 0.6 < good["density"] < 1.5 and good["coverage"] > 0.8
    collapsed = density_coverage(real, np.zeros((300, 4)) + 0.01 * r.normal(size=(300, 4)), k=5)
    assert collapsed["coverage"] < 0.3
    with pytest.raises(ValueError, match=r"N >= 6"):
        density_coverage(real[:5], real, k=5)


# ---------------------------------------------------------------------------
# Class metrics and sample diversity
# ---------------------------------------------------------------------------


def test_class_histogram_and_coverage():
    labels = np.array([0, 0, 2, 2, 2, 4])
    np.testing.assert_array_equal(class_histogram(labels, 5), [2, 0, 3, 0, 1])
    np.testing.assert_allclose(class_histogram(labels, 5, normalize=True).sum(), 1.0)
    assert class_coverage(labels, 5) == pytest.approx(3 / 5)
    scores = np.eye(4)[[1, 1, 3]]  # (N, K) scores are argmax-ed
    assert class_coverage(scores, 4) == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match=r"must be in \[0, 5\)"):
        class_coverage([0, 5], 5)


def test_conditional_accuracy_per_class():
    requested = [0, 0, 0, 0, 1, 1, 2, 2]
    predicted = [0, 0, 0, 1, 1, 0, 0, 0]
    result = conditional_accuracy(predicted, requested, num_classes=4)
    assert result["accuracy"] == pytest.approx(4 / 8)
    assert result["per_class"][:3] == pytest.approx([0.75, 0.5, 0.0])
    assert np.isnan(result["per_class"][3])  # class 3 never requested
    with pytest.raises(ValueError, match="differ in length"):
        conditional_accuracy([0, 1], [0, 1, 1])


def test_sample_diversity():
    a = np.zeros((2, 4, 4, 1), np.float32)
    a[1] = 1.0  # distance sqrt(16) = 4
    assert sample_diversity(a) == pytest.approx(4.0)
    assert sample_diversity(np.zeros((5, 2, 4, 4, 3))) == 0.0
    u8 = np.stack([np.zeros((2, 2, 1), np.uint8), np.full((2, 2, 1), 255, np.uint8)])
    assert sample_diversity(u8) == pytest.approx(4.0)  # [-1 .. 1] over 4 pixels
    with pytest.raises(ValueError, match=r"N >= 2"):
        sample_diversity(np.zeros((1, 4, 4, 1)))


# ---------------------------------------------------------------------------
# Motion
# ---------------------------------------------------------------------------


def square_clip(t=6, size=32, side=8, speed=2, x0=4):
    """A white square on black moving right by ``speed`` px per frame, (T, H, W, 1)."""
    clip = -np.ones((t, size, size, 1), np.float32)
    for i in range(t):
        x = x0 + speed * i
        clip[i, 12 : 12 + side, x : x + side] = 1.0
    return clip


def texture_clip(t=5, size=32, speed=2, seed=0):
    """A smooth random texture translating right by ``speed`` px per frame, (T, H, W, 3)."""
    import cv2

    noise = rng(seed).uniform(-1, 1, (size, size + speed * t)).astype(np.float32)
    big = cv2.GaussianBlur(noise, (0, 0), 2.0)
    big = big / np.abs(big).max()
    frames = [big[:, speed * (t - i) : speed * (t - i) + size] for i in range(t)]
    return np.repeat(np.stack(frames)[..., None], 3, axis=-1)


def static_clip(t=5, size=32, seed=0):
    frame = rng(seed).uniform(-1, 1, (size, size, 3)).astype(np.float32)
    return np.repeat(frame[None], t, axis=0)


def test_static_clip_is_frozen():
    videos = np.stack([static_clip(), square_clip(t=5).repeat(3, axis=-1)])
    energy = frame_difference_energy(videos)
    assert energy.shape == (2,)
    assert energy[0] == 0.0 and energy[1] > 0.05
    np.testing.assert_array_equal(frozen_clips(videos), [True, False])
    assert mean_frame_difference_energy(videos) == pytest.approx(energy.mean())


def test_looping_clip():
    a, b = static_clip(t=1, seed=1)[0], static_clip(t=1, seed=2)[0]
    loop = np.stack([a, b, a])  # A -> B -> A
    frozen = np.stack([a, a, a])
    onward = np.stack([a, b, static_clip(t=1, seed=3)[0]])
    flags = looping_clips(np.stack([loop, frozen, onward]))
    np.testing.assert_array_equal(flags, [True, False, False])
    with pytest.raises(ValueError, match=r"T >= 3"):
        looping_clips(loop[None, :2])


def test_optical_flow_direction_and_magnitude():
    stats = optical_flow_stats(texture_clip(speed=2)[None])
    assert stats["mean_dx"] == pytest.approx(2.0, abs=0.3)
    assert abs(stats["mean_dy"]) < 0.3
    assert stats["mean_magnitude"] == pytest.approx(2.0, abs=0.3)

    right = optical_flow_stats(square_clip(speed=2)[None])
    left = optical_flow_stats(square_clip(speed=-2, x0=20)[None])
    assert right["mean_dx"] > 0.2 and left["mean_dx"] < -0.2
    assert optical_flow_stats(static_clip()[None])["mean_magnitude"] < 0.05


def test_temporal_ssim_and_psnr():
    static = static_clip()[None]
    moving = texture_clip()[None]
    assert temporal_ssim(static) == pytest.approx(1.0, abs=1e-5)
    assert temporal_ssim(moving) < 0.95
    assert temporal_psnr(static) == PSNR_CAP_DB
    assert 0.0 < temporal_psnr(moving) < 40.0
    tiny = texture_clip(size=8)[None]  # smaller than the 11x11 SSIM window
    assert np.isfinite(temporal_ssim(tiny))


def test_uint8_videos_are_accepted():
    clip = ((square_clip(t=4) + 1.0) * 127.5).astype(np.uint8)[None]
    np.testing.assert_allclose(
        frame_difference_energy(clip), frame_difference_energy(square_clip(t=4)[None]), rtol=1e-6
    )


def test_motion_summary_keys_and_fractions():
    videos = np.stack([static_clip(), texture_clip()])
    summary = motion_summary(videos)
    assert summary["frozen_fraction"] == 0.5
    assert summary["looping_fraction"] == 0.0
    assert set(summary) >= {
        "frame_difference_energy",
        "temporal_ssim",
        "temporal_psnr",
        "flow_mean_magnitude",
        "flow_mean_dx",
    }
    assert all(isinstance(v, float) for v in summary.values())


def test_video_validation_messages():
    with pytest.raises(ValueError, match=r"\(N, T, H, W, C\)"):
        frame_difference_energy(np.zeros((4, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"T >= 2"):
        temporal_ssim(np.zeros((2, 1, 8, 8, 3)))
    bad = np.zeros((1, 3, 8, 8, 1), np.float32)
    bad[0, 1, 2, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        frozen_clips(bad)
