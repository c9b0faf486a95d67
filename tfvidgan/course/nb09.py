"""Checks for the exercises of notebook 09 (TGAN: a temporal generator and an image generator).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import numpy as np


def _array(x, what):
    if hasattr(x, "numpy"):
        x = x.numpy()
    x = np.asarray(x, dtype=np.float64)
    assert np.all(np.isfinite(x)), f"{what} contains NaN or Inf"
    return x


def check_time_plan(time_plan) -> None:
    """Exercise 9.1: ``time_plan(num_frames)`` -> ``(t0, m)`` with ``num_frames = t0 * 2**m``
    and ``t0`` odd: the temporal generator's start length and its number of doublings."""
    from tfvidgan.models import tgan

    for frames in (16, 8, 12, 2, 7, 24, 6):
        got = time_plan(frames)
        want = tgan._time_plan(frames)
        assert isinstance(got, tuple) and len(got) == 2, (
            f"time_plan({frames}) must return a pair (t0, m), got {got!r}"
        )
        t0, m = (int(v) for v in got)
        assert t0 * 2**m == frames, (
            f"time_plan({frames}) = {got}: t0 * 2**m = {t0 * 2**m}, not {frames}. "
            "Every doubling layer multiplies the length by 2"
        )
        assert (t0, m) == want, (
            f"time_plan({frames}) = {got}, expected {want}: keep halving while the length is "
            "even, so that t0 is odd (as many 1-D transposed convolutions as possible)"
        )


def _reference_clip(kernel):
    w = np.asarray(kernel, np.float64)
    matrix = w.reshape(-1, w.shape[-1])
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return ((u * np.minimum(s, 1.0)) @ vt).reshape(w.shape)


def check_clip_singular_values(clip_singular_values) -> None:
    """Exercise 9.2: ``clip_singular_values(kernel)`` -> a kernel of the same shape whose
    matrix ``kernel.reshape(-1, out)`` has every singular value above 1 set to 1
    (the paper's singular value clipping); the singular vectors stay."""
    rng = np.random.default_rng(9)
    kernel = rng.normal(0, 0.6, (4, 4, 3, 5))  # a 2-D convolution kernel, 5 output channels
    got = _array(clip_singular_values(kernel.copy()), "clip_singular_values(kernel)")
    assert got.shape == kernel.shape, (
        f"return a kernel of the input's shape {kernel.shape}, got {got.shape}: reshape the "
        "clipped matrix back with .reshape(kernel.shape)"
    )
    want = _reference_clip(kernel)
    matrix = kernel.reshape(-1, kernel.shape[-1])
    top = np.linalg.svd(matrix, compute_uv=False)[0]
    if np.allclose(got, kernel / top, atol=1e-6):
        raise AssertionError(
            "you divide the kernel by its largest singular value: that is spectral "
            "normalisation (it shrinks every singular value). Clipping sets only the "
            "singular values above 1 to 1 and leaves the others as they are"
        )
    s_got = np.linalg.svd(got.reshape(-1, got.shape[-1]), compute_uv=False)
    assert s_got.max() <= 1.0 + 1e-6, (
        f"the clipped kernel still has a singular value {s_got.max():.3f} > 1. Reshape to "
        "(-1, out_channels), take np.linalg.svd(..., full_matrices=False), clip s, multiply back"
    )
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-6,
        err_msg=(
            "the singular values are at most 1 but the kernel differs from U diag(min(s, 1)) V^T: "
            "keep the singular vectors, change only the singular values"
        ),
    )
    small = _reference_clip(kernel) * 0.5  # every singular value <= 0.5: nothing to clip
    np.testing.assert_allclose(
        _array(clip_singular_values(small.copy()), "clip_singular_values(small)"),
        small,
        atol=1e-6,
        err_msg="a kernel whose singular values are all below 1 must come back unchanged",
    )


def _tiny_tgan():
    import keras

    from tfvidgan.models import tgan

    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("float32")  # exact comparison
    try:
        generator = tgan.build_generator(6, 4, 16, 1, 4, frame_latent_dim=3)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    return generator


def check_video_from_latents(video_from_latents) -> None:
    """Exercise 9.3: ``video_from_latents(image_generator, z0, z1)`` -> clips ``(B, T, H, W, C)``:
    every frame ``t`` drawn by the one image generator from ``[z0, z1[:, t]]``."""
    import keras

    generator = _tiny_tgan()
    temporal = generator.get_layer("temporal_generator")
    image = generator.get_layer("image_generator")
    rng = np.random.default_rng(0)
    z0 = rng.standard_normal((3, 6)).astype("float32")
    z1 = keras.ops.convert_to_numpy(temporal(z0, training=False))
    want = keras.ops.convert_to_numpy(generator(z0, training=False)).astype(np.float64)
    got = _array(video_from_latents(image, z0, z1), "video_from_latents(image_generator, z0, z1)")
    assert got.shape == want.shape, (
        f"expected clips of shape {want.shape} (B, T, H, W, C), got {got.shape}. Concatenate "
        "[z0 repeated over T, z1] -> (B, T, K + F), reshape to (B * T, K + F), draw, reshape back"
    )
    if np.allclose(got, want.transpose(1, 0, 2, 3, 4).reshape(want.shape), atol=1e-5):
        raise AssertionError(
            "the frames are in the wrong clips: the reshape to (B * T, ...) must keep each clip's "
            "T frames together (row b * T + t is clip b, frame t)"
        )
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-5,
        err_msg=(
            "your clips differ from the TGAN generator's. Frame t of clip b is "
            "image_generator(concat([z0[b], z1[b, t]])): z0 first, then z1_t"
        ),
    )
