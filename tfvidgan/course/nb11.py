"""Checks for the exercises of notebook 11 (conditional video: by class, from a first frame).

Each ``check_*`` takes the student's answer and raises ``AssertionError`` with a
hint when it is wrong; :func:`tfvidgan.course.check` reports the result.
"""

from __future__ import annotations

import numpy as np

# digits read in the frames of 4 clips of 5 frames, and what each clip was asked for / started from
_PRED = np.array(
    [
        [3, 3, 8, 3, 3],  # majority 3
        [7, 1, 1, 7, 1],  # majority 1
        [5, 5, 5, 5, 5],  # majority 5
        [0, 6, 6, 0, 0],  # majority 0
    ]
)
_ASKED = np.array([3, 7, 5, 6])


# ---- Exercise 11.1 ------------------------------------------------------------


def check_asked_digit_rate(asked_digit_rate) -> None:
    """``asked_digit_rate(frame_pred (N, T), asked (N,))``: the fraction of clips whose
    majority digit is the asked one."""
    got = asked_digit_rate(_PRED, _ASKED)
    assert got is not None, "return one number, the fraction of clips"
    got = float(np.asarray(got))
    if abs(got - np.mean(_PRED == _ASKED[:, None])) < 1e-9:
        raise AssertionError(
            "that is the fraction of FRAMES showing the asked digit; the rate counts clips whose "
            "majority digit (np.bincount(row).argmax()) is the asked one"
        )
    assert abs(got - 0.5) < 1e-9, (
        f"clips 0 and 2 show their asked digit most often (3 and 5), clip 1 mostly 1s (asked 7), "
        f"clip 3 mostly 0s (asked 6): expected 0.5, got {got}"
    )


# ---- Exercise 11.2 ------------------------------------------------------------


def check_kept_digit_rate(kept_digit_rate) -> None:
    """``kept_digit_rate(frame_pred (N, T), first_digits (N,))``: the fraction of the frames
    after the first (t >= 1) that show the digit of the clip's first frame."""
    got = kept_digit_rate(_PRED, _ASKED)
    assert got is not None, "return one number, a fraction of frames"
    got = float(np.asarray(got))
    with_first = np.mean(_PRED == _ASKED[:, None])
    if abs(got - with_first) < 1e-9:
        raise AssertionError(
            "leave frame 0 out: it is the given image itself, so it always keeps its digit"
        )
    want = np.mean(_PRED[:, 1:] == _ASKED[:, None])
    assert abs(got - want) < 1e-9, (
        f"expected {want:.4f} (frames 1..T-1 equal to first_digits, over all clips), got {got}"
    )


# ---- Exercise 11.3 ------------------------------------------------------------


def check_energy_ratio(energy_ratio) -> None:
    """``energy_ratio(generated, real)``: mean frame-difference energy of the generated clips
    over that of the real ones (:func:`tfvidgan.metrics.motion.mean_frame_difference_energy`)."""
    from tfvidgan.metrics import motion

    rng = np.random.default_rng(11)
    real = rng.uniform(-1, 1, (6, 5, 8, 8, 1)).astype("float32")
    generated = real.copy()
    generated[:, 1:] = 0.5 * real[:, 1:] + 0.5 * real[:, :1]  # moves less
    got = energy_ratio(generated, real)
    assert got is not None, "return the ratio, one number"
    got = float(np.asarray(got))
    want = motion.mean_frame_difference_energy(generated) / motion.mean_frame_difference_energy(
        real
    )
    if abs(got - 1.0 / want) < 1e-6:
        raise AssertionError("the ratio is generated over real, not real over generated")
    assert abs(got - want) < 1e-6, (
        f"expected {want:.4f}: the mean over clips of mean_t mean_pixels (x_(t+1) - x_t)^2, "
        f"generated divided by real; got {got:.4f}"
    )
    frozen = np.repeat(real[:, :1], 5, axis=1)
    assert abs(float(energy_ratio(frozen, real))) < 1e-9, "frozen clips must give a ratio of 0"
