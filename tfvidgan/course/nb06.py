"""Checks for the exercises of notebook 06 (from frames to video).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np

from tfvidgan import postprocess


def _clip(t=6, h=5, w=7, c=1, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (t, h, w, c)).astype(np.float32)


def check_change_fps(my_change_fps) -> None:
    """Exercise 6.1: ``my_change_fps(clip, src_fps, dst_fps)`` resamples a float clip
    ``(T, H, W, C)`` in time by linear blending, like
    ``postprocess.change_fps(..., method="linear")``."""
    for t, src, dst in [(6, 8, 24), (6, 8, 16), (9, 24, 8), (5, 10, 25), (2, 1, 4)]:
        clip = _clip(t)
        want = postprocess.change_fps(clip, src, dst, method="linear")
        got = my_change_fps(clip, src, dst)
        assert got is not None, "my_change_fps returned None: return the new clip"
        got = np.asarray(got)
        assert got.shape == want.shape, (
            f"T={t}, {src} -> {dst} fps: expected {want.shape[0]} frames, got {got.shape[0]}. "
            "Output frame k shows time k / dst_fps, and the last one must not pass the last "
            "input frame: floor((T - 1) * dst / src) + 1 frames."
        )
        np.testing.assert_allclose(
            got, want, atol=1e-4,
            err_msg=f"T={t}, {src} -> {dst} fps: frame k sits at source position "
            "p = k * src / dst; blend frames floor(p) and floor(p) + 1 with weights 1 - f and f, "
            "f = p - floor(p).",
        )  # fmt: skip


def check_smooth(my_smooth) -> None:
    """Exercise 6.2: ``my_smooth(clip, window)`` is the centred moving average of
    ``postprocess.smooth(..., mode="box")``, repeating the first/last frame at the ends."""
    for t, window in [(8, 3), (8, 5), (3, 5), (6, 1)]:
        clip = _clip(t, seed=t + window)
        want = postprocess.smooth(clip, window)
        got = np.asarray(my_smooth(clip, window))
        assert got.shape == want.shape, f"the shape must stay {want.shape}, got {got.shape}"
        np.testing.assert_allclose(
            got, want, atol=1e-5,
            err_msg=f"T={t}, window={window}: frame k is the mean of frames k-r..k+r "
            "(r = window // 2), where frames before 0 are frame 0 and after T-1 are frame T-1.",
        )  # fmt: skip


def check_slerp(my_slerp) -> None:
    """Exercise 6.3: ``my_slerp(a, b, t)`` interpolates two latent vectors ``(D,)``
    spherically, like :func:`tfvidgan.postprocess.slerp`."""
    rng = np.random.default_rng(3)
    for _ in range(5):
        a, b = rng.normal(size=16), rng.normal(size=16) * 2
        for t in (0.0, 0.25, 0.5, 0.9, 1.0):
            want = postprocess.slerp(a, b, t)
            got = np.asarray(my_slerp(a, b, t), dtype=np.float64)
            assert got.shape == want.shape, f"expected shape {want.shape}, got {got.shape}"
            np.testing.assert_allclose(
                got, want, rtol=1e-4, atol=1e-4,
                err_msg=f"t={t}: the direction moves along the great circle "
                "(sin((1-t)w) a_hat + sin(t w) b_hat) / sin(w), w = arccos(a_hat . b_hat); "
                "the length goes linearly from |a| to |b|.",
            )  # fmt: skip
