"""Checks for the exercises of notebook 01 (set-up and tour).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np

from tfvidgan import data, video_io


def check_pixel_conversion(answer) -> None:
    """Exercise 1.1: ``answer = (my_to_float, my_to_uint8)``.

    ``my_to_float`` maps uint8 [0, 255] to float32 [-1, 1]; ``my_to_uint8``
    maps floats back (clipping values outside [-1, 1], rounding to nearest).
    Both must agree with :func:`tfvidgan.data.to_float` / :func:`tfvidgan.data.to_uint8`.
    """
    assert isinstance(answer, tuple) and len(answer) == 2, (
        "pass the two functions as a tuple: (my_to_float, my_to_uint8)"
    )
    my_to_float, my_to_uint8 = answer

    every_value = np.arange(256, dtype=np.uint8).reshape(16, 16)
    got = np.asarray(my_to_float(every_value))
    assert got.shape == every_value.shape, (
        f"my_to_float changed the shape: {every_value.shape} -> {got.shape}"
    )
    assert got.dtype == np.float32, (
        f"my_to_float should return float32, got {got.dtype} (use .astype(np.float32))"
    )
    want = data.to_float(every_value)
    assert abs(float(got.min()) + 1) < 1e-6 and abs(float(got.max()) - 1) < 1e-6, (
        f"0 must map to -1 and 255 to +1; you give {got.min():.4f} and {got.max():.4f}. Hint: x / "
        "127.5 - 1"
    )
    np.testing.assert_allclose(
        got, want, atol=1e-6, err_msg="my_to_float differs from tfvidgan.data.to_float"
    )

    rng = np.random.default_rng(0)
    floats = np.concatenate([rng.uniform(-1.3, 1.3, size=500), [-1.0, 1.0, 0.0, -5.0, 5.0]]).astype(
        np.float32
    )
    got = np.asarray(my_to_uint8(floats))
    assert got.dtype == np.uint8, f"my_to_uint8 should return uint8, got {got.dtype}"
    want = data.to_uint8(floats)
    outside = np.abs(floats) > 1
    assert np.array_equal(got[outside], want[outside]), (
        "values outside [-1, 1] must be clipped first (a generator may overshoot): -5 -> 0 and 5 "
        "-> 255. Hint: np.clip(x, -1, 1)"
    )
    wrong = np.flatnonzero(got != want)
    assert wrong.size == 0, (
        f"my_to_uint8 differs from tfvidgan.data.to_uint8 at {wrong.size} values, e.g. "
        f"{floats[wrong[0]]:.5f} -> {got[wrong[0]]} instead of {want[wrong[0]]}. Round to the "
        "nearest integer (np.rint) before casting; astype alone truncates."
    )
    back = np.asarray(my_to_uint8(np.asarray(my_to_float(every_value))))
    assert np.array_equal(back, every_value), (
        "the round trip uint8 -> float -> uint8 must give back every value exactly"
    )


def check_grid_shape(grid_shape) -> None:
    """Exercise 1.2: ``grid_shape(batch_shape, ncols=None, pad=1)`` returns the
    shape of ``video_io.video_grid`` of a batch of that shape."""
    cases = [
        ((16, 8, 32, 32, 1), None, 1),
        ((10, 4, 32, 32, 3), None, 1),
        ((7, 5, 20, 24, 1), 3, 2),
        ((1, 3, 16, 16, 1), None, 1),
        ((12, 2, 16, 8, 3), 5, 0),
    ]
    for shape, ncols, pad in cases:
        want = video_io.video_grid(np.zeros(shape, np.uint8), ncols=ncols, pad=pad).shape
        got = grid_shape(shape, ncols=ncols, pad=pad)
        assert got is not None, "grid_shape returned None: return a tuple (T, height, width, C)"
        got = tuple(int(v) for v in got)
        assert got == tuple(want), (
            f"batch {shape} with ncols={ncols}, pad={pad}: video_grid gives {tuple(want)}, you "
            f"give {got}. Hints: ncols defaults to ceil(sqrt(N)), rows = ceil(N / ncols), the "
            "padding goes only *between* tiles: rows * (H + pad) - pad."
        )


def check_motion_class(motion_class) -> None:
    """Exercise 1.3: ``motion_class(clip)`` returns the motion label 0..3 of a
    clip ``(T, H, W, C)`` (uint8) from the trajectory of its centre of mass."""
    videos, labels = data.load_arrays("moving_digits", 48, image_size=32, num_frames=10, seed=11)
    truth = labels[:, 1]
    predicted = np.array([int(motion_class(clip)) for clip in videos])
    assert set(np.unique(predicted)) <= {0, 1, 2, 3}, (
        "motion classes are 0..3 (see tfvidgan.data.MOTION_NAMES), got "
        f"{sorted(set(predicted.tolist()))}"
    )
    accuracy = float(np.mean(predicted == truth))
    if accuracy < 0.95:
        confusion = np.zeros((4, 4), int)
        np.add.at(confusion, (truth, predicted), 1)
        raise AssertionError(
            f"only {accuracy:.0%} of 48 clips classified correctly (need 95%). Confusion matrix "
            f"(rows = true {data.MOTION_NAMES}, columns = predicted):\n{confusion}\nHints: y grows "
            "downwards; a bounce reverses the whole velocity, so use |dx|, |dy| summed over the "
            "clip for the axis and the sign of sum(dx * dy) for the diagonal: '\\' has dx*dy > 0."
        )
