"""Checks for the exercises of notebook 12 (evaluating generative video).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np

from tfvidgan.metrics import distances, motion


def _float(value, what):
    assert value is not None, f"your function returned None: return {what}"
    arr = np.asarray(value, dtype=np.float64)
    assert arr.shape == (), f"{what} is one number, got an array of shape {arr.shape}"
    return float(arr)


def check_frechet_1d(my_frechet) -> None:
    """Exercise 12.1: ``my_frechet(mu1, s1, mu2, s2)`` = (mu1 - mu2)^2 + (s1 - s2)^2 for
    N(mu1, s1^2) and N(mu2, s2^2), compared with ``distances.frechet_distance``."""
    cases = [
        (0.0, 1.0, 0.0, 1.0),
        (4.0, 1.25, 2.5, 0.8),
        (-1.0, 0.5, 3.0, 2.0),
        (10.0, 3.0, 10.0, 0.1),
    ]
    for mu1, s1, mu2, s2 in cases:
        got = _float(my_frechet(mu1, s1, mu2, s2), "the squared distance d^2")
        want = distances.frechet_distance([mu1], [[s1**2]], [mu2], [[s2**2]])
        if abs(want) > 1e-9 and abs(got - np.sqrt(want)) < 1e-6 and abs(got - want) > 1e-6:
            raise AssertionError(
                "you return d, the library (and FID) report the *squared* distance d^2"
            )
        variance_form = (mu1 - mu2) ** 2 + (s1**2 - s2**2) ** 2
        if abs(got - variance_form) < 1e-6 and abs(got - want) > 1e-6:
            raise AssertionError(
                "s1 and s2 are standard deviations: the trace term is s1^2 + s2^2 - 2 s1 s2, not a "
                "difference of variances"
            )
        assert abs(got - want) < 1e-6 * max(1.0, want), (
            f"for N({mu1}, {s1}^2) vs N({mu2}, {s2}^2) you give {got:.6f}, the library {want:.6f}. "
            "Hint: with 1x1 matrices, Tr(sigma1 + sigma2 - 2 sqrt(sigma1 sigma2)) = s1^2 + s2^2 - "
            "2 s1 s2"
        )


def _test_videos():
    from tfvidgan import data

    clips, _ = data.load_arrays("moving_digits", 6, image_size=32, num_frames=8, seed=5)
    clips = data.to_float(clips)
    frozen = np.repeat(clips[:3, :1], 8, axis=1)
    rng = np.random.default_rng(0)
    almost = (frozen + rng.normal(0, 0.01, frozen.shape)).astype(np.float32)  # energy ~2e-4
    shaky = (frozen + rng.normal(0, 0.05, frozen.shape)).astype(np.float32)  # energy ~5e-3
    return np.concatenate([clips, frozen, almost, shaky])


def check_frozen_clips(my_frozen) -> None:
    """Exercise 12.2: ``my_frozen(videos, threshold)`` -> bool ``(N,)``, compared with
    ``motion.frozen_clips`` on moving, frozen, almost frozen and shaky clips."""
    videos = _test_videos()
    for threshold in (1e-3, 1e-4, 1e-2):
        got = my_frozen(videos, threshold)
        assert got is not None, "your function returned None: return one boolean per clip"
        got = np.asarray(got)
        assert got.shape == (len(videos),), (
            f"expected one value per clip, shape ({len(videos)},), got {got.shape}: average over "
            "every axis except the first (clips)"
        )
        want = motion.frozen_clips(videos, threshold)
        wrong = np.flatnonzero(got.astype(bool) != want)
        assert wrong.size == 0, (
            f"with threshold={threshold:g} clips {wrong.tolist()} are classified wrongly (0-5 "
            "move, 6-8 are frozen, 9-11 almost frozen with faint noise, 12-14 shaky). Hint: "
            "np.mean((v[:, 1:] - v[:, :-1]) ** 2, axis=(1, 2, 3, 4)) < threshold"
        )


def check_mmd2_unbiased(my_mmd2) -> None:
    """Exercise 12.3: ``my_mmd2(kxx, kyy, kxy)`` compared with ``distances.mmd2_unbiased``."""
    rng = np.random.default_rng(0)
    for m, n, shift in ((30, 20, 0.0), (25, 25, 0.5), (3, 4, 1.0)):
        x = rng.normal(0, 1, (m, 5))
        y = rng.normal(shift, 1, (n, 5))
        kxx, kyy, kxy = (distances.polynomial_kernel(a, b) for a, b in ((x, x), (y, y), (x, y)))
        got = _float(my_mmd2(kxx, kyy, kxy), "MMD^2")
        want = distances.mmd2_unbiased(kxx, kyy, kxy)
        biased = kxx.mean() + kyy.mean() - 2 * kxy.mean()
        if abs(got - biased) < 1e-9 and abs(got - want) > 1e-9:
            raise AssertionError(
                "this is the *biased* estimate: leave out the diagonals of kxx and kyy (i != j) "
                "and divide by m(m-1) and n(n-1)"
            )
        assert abs(got - want) < 1e-8 * max(1.0, abs(want)), (
            f"with m={m}, n={n} you give {got:.6f}, the library {want:.6f}. Hint: (kxx.sum() - "
            "trace(kxx)) / (m (m-1)) + (kyy.sum() - trace(kyy)) / (n (n-1)) - 2 kxy.mean()"
        )
