"""Checks for the exercises of notebook 10 (MoCoGAN: content and motion apart).

Each ``check_*`` takes the student's answer and raises ``AssertionError`` with a
hint when it is wrong; :func:`tfvidgan.course.check` reports the result.
"""

from __future__ import annotations

import numpy as np


def _numpy(x) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(x))


# ---- Exercise 10.1 ------------------------------------------------------------


def check_split_latents(split_latents) -> None:
    """``split_latents(z, motion_dim, content_dim)`` -> ``(noise (B, T, M), content (B, K))``,
    the same as :class:`tfvidgan.models.mocogan.SplitLatents`."""
    from tfvidgan.models.mocogan import SplitLatents

    rng = np.random.default_rng(10)
    for frames, motion_dim, content_dim in [(4, 3, 5), (7, 2, 6)]:
        z = rng.standard_normal((3, frames * motion_dim + content_dim)).astype("float32")
        want_noise, want_content = (_numpy(a) for a in SplitLatents(motion_dim, content_dim)(z))
        got = split_latents(z, motion_dim, content_dim)
        assert got is not None and len(got) == 2, "return a pair (noise, content)"
        noise, content = _numpy(got[0]), _numpy(got[1])
        assert content.shape == (3, content_dim), (
            f"the content code is the LAST content_dim={content_dim} numbers of z: expected shape "
            f"{(3, content_dim)}, got {content.shape}"
        )
        assert noise.shape == (3, frames, motion_dim), (
            f"z of length {z.shape[1]} holds T = {frames} noise vectors of motion_dim={motion_dim} "
            f"before the content code: expected shape {(3, frames, motion_dim)}, got {noise.shape}"
        )
        np.testing.assert_allclose(
            content, want_content, err_msg="the content code is z[:, -content_dim:]"
        )
        np.testing.assert_allclose(
            noise,
            want_noise,
            err_msg="eps_1 is z[:, :M], eps_2 is z[:, M:2M], ...: reshape z[:, :-K] to (B, T, M)",
        )


# ---- Exercise 10.2 ------------------------------------------------------------


def check_frame_codes(frame_codes) -> None:
    """``frame_codes(content (B, K), motion (B, T, M))`` -> ``(B * T, K + M)``, the input
    that :class:`tfvidgan.models.mocogan.FrameByFrame` gives its image generator."""
    import keras

    from tfvidgan.models.mocogan import FrameByFrame

    rng = np.random.default_rng(11)
    content = rng.standard_normal((2, 3)).astype("float32")
    motion = rng.standard_normal((2, 4, 2)).astype("float32")
    # an "image generator" that returns its input as a 1 x (K + M) x 1 image
    echo = keras.Sequential([keras.Input((5,)), keras.layers.Reshape((1, 5, 1))])
    want = _numpy(FrameByFrame(echo)([motion, content])).reshape(8, 5)
    got = frame_codes(content, motion)
    assert got is not None, "return the (B * T, K + M) array"
    got = _numpy(got)
    assert got.shape == (8, 5), (
        f"B=2 clips of T=4 frames, K=3, M=2: expected (B * T, K + M) = (8, 5), got {got.shape}"
    )
    np.testing.assert_allclose(
        got[:, :3],
        np.repeat(content, 4, axis=0),
        err_msg="the first K columns of row b * T + t are clip b's content code (same for all t)",
    )
    np.testing.assert_allclose(
        got, want, err_msg="after the content code comes motion[b, t]: row b * T + t of the fold"
    )


# ---- Exercise 10.3 ------------------------------------------------------------


def check_agreement_by_frame(agreement_by_frame) -> None:
    """``agreement_by_frame(frame_pred (N, T), first)`` -> ``(T,)``: at each t, the fraction
    of clips whose frame t shows the majority digit of that clip's first ``first`` frames."""
    pred = np.array(
        [
            [3, 3, 3, 3, 5, 5],  # majority of the first 3: 3
            [7, 1, 7, 7, 7, 7],  # 7
            [2, 2, 8, 8, 8, 8],  # 2 (8 over the whole clip)
            [0, 0, 0, 0, 0, 0],  # 0
        ]
    )
    want = np.array([1.0, 0.75, 0.75, 0.75, 0.5, 0.5])
    got = agreement_by_frame(pred, 3)
    assert got is not None, "return one fraction per frame, shape (T,)"
    got = np.asarray(got, dtype=float)
    assert got.shape == (6,), f"one number per frame: expected shape (6,), got {got.shape}"
    if np.allclose(got, [0.75, 0.5, 1.0, 1.0, 0.75, 0.75]):
        raise AssertionError(
            "the majority is over the first `first` frames only, not the whole clip"
        )
    np.testing.assert_allclose(
        got,
        want,
        err_msg="majority digit of frames 0..first-1 per clip (np.bincount(row).argmax()), then "
        "(frame_pred == majority[:, None]).mean(axis=0)",
    )
