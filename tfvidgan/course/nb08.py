"""Checks for the exercises of notebook 08 (a video GAN from 3-D convolutions).

Each ``check_*`` takes the student's answer and raises ``AssertionError`` with a
hint when it is wrong; :func:`tfvidgan.course.check` reports the result.
"""

from __future__ import annotations

import numpy as np

# ---- Exercise 8.1 -------------------------------------------------------------


def check_time_plan(time_plan) -> None:
    """``time_plan(num_frames, k)`` must equal :func:`tfvidgan.models.vgan._time_plan`."""
    from tfvidgan.models import vgan

    for num_frames, k in [(16, 3), (8, 4), (6, 3), (16, 4), (32, 3), (7, 3), (2, 2), (4, 1)]:
        got = time_plan(num_frames, k)
        assert got is not None, "return a pair (t0, m)"
        got = tuple(int(v) for v in got)
        want = vgan._time_plan(num_frames, k)
        assert got[0] * 2 ** got[1] == num_frames, (
            f"num_frames={num_frames}, k={k}: t0 * 2**m must give back the {num_frames} frames, "
            f"got {got}"
        )
        assert got == want, (
            f"num_frames={num_frames}, k={k}: expected (t0, m) = {want}, got {got}. Time is "
            "doubled only in the first k - 1 blocks (the pixel layer doubles space only), and "
            "only while the length is even"
        )


# ---- Exercise 8.2 -------------------------------------------------------------


def _generator_parts(seed=0):
    """A tiny two-stream generator's (mask, foreground, background, clip) for 2 latents."""
    import keras

    from tfvidgan.models import vgan

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")  # exact comparison
    try:
        g = vgan.build_generator(8, 4, 16, 1, 4, two_stream=True)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    parts = keras.Model(g.input, g.get_layer("composite").input)
    z = np.random.default_rng(seed).standard_normal((2, 8)).astype("float32")
    m, f, b = (keras.ops.convert_to_numpy(t) for t in parts(z, training=False))
    return m, f, b, keras.ops.convert_to_numpy(g(z, training=False))


def check_composite(composite) -> None:
    """``composite(mask, foreground, background)`` must equal the generator's mix."""
    m, f, b, want = _generator_parts()
    got = composite(m, f, b)
    assert got is not None, "return the clip m * f + (1 - m) * b"
    got = np.asarray(got)
    assert got.shape == want.shape, (
        f"the clip must have the foreground's shape {want.shape}, got {got.shape}: the "
        "background (B, 1, H, W, C) broadcasts over the T frames"
    )
    assert np.allclose(got, want, atol=1e-5), (
        "your clip differs from the generator's: it is mask * foreground + (1 - mask) * "
        "background, the mask choosing the foreground where it is 1"
    )
    ones, zeros = np.ones_like(m), np.zeros_like(m)
    assert np.allclose(np.asarray(composite(ones, f, b)), f), "a mask of 1 shows the foreground"
    assert np.allclose(np.asarray(composite(zeros, f, b)), np.broadcast_to(b, f.shape)), (
        "a mask of 0 shows the background in every frame"
    )


# ---- Exercise 8.3 -------------------------------------------------------------


def _consistency(probs) -> float:
    """The definition of :mod:`tfvidgan.evaluate` (majority ties -> smallest digit)."""
    pred = probs.argmax(axis=-1)
    majority = np.stack([np.bincount(row, minlength=probs.shape[-1]) for row in pred]).argmax(1)
    return float(np.mean(pred == majority[:, None]))


def check_clip_consistency(clip_consistency) -> None:
    """``clip_consistency(probs (N, T, 10))`` must equal the evaluation's clip consistency."""
    eye = np.eye(10, dtype="float32")
    sevens = eye[[7] * 8][None]
    half = eye[[1, 1, 1, 1, 7, 7, 7, 7]][None]
    for probs, want, what in [(sevens, 1.0, "eight 7s"), (half, 0.5, "four 1s and four 7s")]:
        got = clip_consistency(probs)
        assert got is not None, "return a number between 0 and 1"
        assert abs(float(got) - want) < 1e-6, f"a clip of {what} scores {want}, got {got}"
    rng = np.random.default_rng(0)
    for shape in [(32, 8, 10), (5, 16, 10)]:
        probs = rng.dirichlet(np.full(10, 0.3), size=shape[:2]).astype("float32")
        probs[0, :, :] = eye[[2, 2, 5, 5, 3, 3, 3, 1] * (shape[1] // 8)]
        got, want = float(clip_consistency(probs)), _consistency(probs)
        assert abs(got - want) < 1e-6, (
            f"probs of shape {shape}: expected {want:.4f}, got {got:.4f}. Take each frame's "
            "argmax digit, the most frequent of them per clip (np.bincount(...).argmax() picks the "
            "smallest digit on a tie), then the share of all N * T frames equal to their clip's"
        )
