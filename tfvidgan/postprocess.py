"""Post-processing of generated (or real) clips: the last stage before a video file.

Every function takes one clip ``(T, H, W, C)`` or a batch ``(N, T, H, W, C)``, float
in ``[-1, 1]`` or ``uint8`` (see :mod:`tfvidgan.video_io`), and returns the same
kind (uint8 results are rounded), so the steps chain::

    from tfvidgan import postprocess as pp, video_io
    clip = pp.change_fps(clip, 8, 24, method="flow")   # 3x the frames, by optical flow
    clip = pp.smooth(clip, window=3)                    # less flicker
    clip = pp.upscale(clip, 4)                          # 32x32 -> 128x128
    video_io.write_video("out.mp4", pp.fade(clip, fade_in=6, fade_out=6), fps=24)

Layouts (side by side, real next to generated, grids) reuse
:func:`tfvidgan.video_io.video_grid`. :func:`latent_walk` makes one video that moves
through a trained model's latent space (``tfvidgan sample --walk``).
"""

from __future__ import annotations

import contextlib
import math

import cv2
import numpy as np

from tfvidgan import video_io

__all__ = [
    "change_fps",
    "interpolate",
    "smooth",
    "upscale",
    "trim",
    "concat",
    "fade",
    "side_by_side",
    "grid",
    "real_vs_generated",
    "slerp",
    "latent_walk",
]

INTERPOLATIONS = ("nearest", "linear", "flow")

# ---------------------------------------------------------------------------
# One clip or a batch, float or uint8
# ---------------------------------------------------------------------------


def _prepare(video):
    """-> (float32 batch (N, T, H, W, C), was_batch, was_uint8)."""
    video = video_io._to_numpy(video)
    if video.dtype != np.uint8 and not np.issubdtype(video.dtype, np.floating):
        raise TypeError(f"expected float pixels in [-1, 1] or uint8, got dtype {video.dtype}")
    was_uint8 = video.dtype == np.uint8
    x = video.astype(np.float32)
    if was_uint8:
        x = x / 127.5 - 1.0
    if x.ndim == 4:
        return x[None], False, was_uint8
    if x.ndim == 5:
        return x, True, was_uint8
    raise ValueError(
        f"expected one clip (T, H, W, C) or a batch (N, T, H, W, C), got shape {video.shape}"
    )


def _finish(x, was_batch, was_uint8):
    x = x if was_batch else x[0]
    if was_uint8:
        return video_io.to_uint8(x)
    return x.astype(np.float32)


# ---------------------------------------------------------------------------
# Time: frame rate, smoothing, trimming, joining, fades
# ---------------------------------------------------------------------------


def _flow_midframe(a, b, t):
    """Frame at time ``t`` in (0, 1) between float frames ``a`` and ``b`` (H, W, C),
    by warping both along Farneback optical flow and blending them."""

    grey = lambda f: video_io.to_uint8(f.mean(axis=-1))
    flow = cv2.calcOpticalFlowFarneback(grey(a), grey(b), None, 0.5, 3, 9, 3, 5, 1.1, 0)
    h, w = a.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    # a pixel at p in the middle frame came from p - t*flow in a and goes to p + (1-t)*flow in b
    from_a = cv2.remap(a, xs - t * flow[..., 0], ys - t * flow[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    from_b = cv2.remap(b, xs + (1 - t) * flow[..., 0], ys + (1 - t) * flow[..., 1],
                       cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    if from_a.ndim == 2:
        from_a, from_b = from_a[..., None], from_b[..., None]
    return (1 - t) * from_a + t * from_b


def change_fps(video, src_fps, dst_fps, method="linear"):
    """Resample a clip in time from ``src_fps`` to ``dst_fps`` frames per second.

    Output frame ``k`` shows time ``k / dst_fps``; it is made from the source frames
    on either side: ``"nearest"`` picks the closer one, ``"linear"`` blends them
    (a cross-fade), ``"flow"`` warps both along OpenCV's Farneback optical flow
    (https://docs.opencv.org/4.x/dc/d6b/group__video__track.html) and blends, so
    moving objects move instead of ghosting.

    Args:
        video: ``(T, H, W, C)`` or ``(N, T, H, W, C)``, float in [-1, 1] or uint8.
        src_fps: frame rate of ``video``.
        dst_fps: wanted frame rate.
        method: ``"nearest"``, ``"linear"`` or ``"flow"``.

    Returns:
        ``floor((T - 1) * dst_fps / src_fps) + 1`` frames, same kind as ``video``.
        The first frame is kept; from 8 to 24 fps every source frame reappears exactly.
    """
    if method not in INTERPOLATIONS:
        raise ValueError(f"method must be one of {INTERPOLATIONS}, got {method!r}")
    if not (src_fps > 0 and dst_fps > 0):
        raise ValueError(f"frame rates must be positive, got {src_fps} and {dst_fps}")
    x, was_batch, was_uint8 = _prepare(video)
    t = x.shape[1]
    count = int(math.floor((t - 1) * dst_fps / src_fps + 1e-9)) + 1
    positions = np.arange(count) * (src_fps / dst_fps)
    out = np.empty((x.shape[0], count, *x.shape[2:]), np.float32)
    for k, p in enumerate(positions):
        i = min(int(math.floor(p + 1e-9)), t - 1)
        frac = float(p - i) if i < t - 1 else 0.0
        if frac < 1e-6:
            out[:, k] = x[:, i]
        elif method == "nearest":
            out[:, k] = x[:, i + 1] if frac >= 0.5 else x[:, i]
        elif method == "linear":
            out[:, k] = (1 - frac) * x[:, i] + frac * x[:, i + 1]
        else:
            for n in range(x.shape[0]):
                out[n, k] = _flow_midframe(x[n, i], x[n, i + 1], frac)
    return _finish(out, was_batch, was_uint8)


def interpolate(video, factor=2, method="linear"):
    """Put ``factor - 1`` new frames between every two frames (``T -> (T-1)*factor + 1``).

    Args:
        video: a clip or a batch (float or uint8).
        factor: integer >= 1.
        method: ``"nearest"``, ``"linear"`` or ``"flow"`` (see :func:`change_fps`).
    """
    if int(factor) != factor or factor < 1:
        raise ValueError(f"factor must be an integer >= 1, got {factor!r}")
    return change_fps(video, 1, int(factor), method)


def smooth(video, window=3, mode="box"):
    """Average each frame with its neighbours in time, against frame-to-frame flicker.

    Args:
        video: a clip or a batch (float or uint8).
        window: odd number of frames averaged (1 = unchanged).
        mode: ``"box"`` (equal weights) or ``"gaussian"`` (weights of a Gaussian
            with sigma ``window / 4``).

    Returns:
        Same shape; at the ends the first/last frame is repeated as padding, so a
        still clip stays exactly still.
    """
    if int(window) != window or window < 1 or window % 2 == 0:
        raise ValueError(f"window must be an odd integer >= 1, got {window!r}")
    if mode not in ("box", "gaussian"):
        raise ValueError(f"mode must be 'box' or 'gaussian', got {mode!r}")
    x, was_batch, was_uint8 = _prepare(video)
    r = window // 2
    offsets = np.arange(-r, r + 1)
    weights = np.ones(window) if mode == "box" else np.exp(-0.5 * (offsets / (window / 4)) ** 2)
    weights = (weights / weights.sum()).astype(np.float32)
    padded = np.concatenate([x[:, :1].repeat(r, 1), x, x[:, -1:].repeat(r, 1)], axis=1)
    t = x.shape[1]
    out = sum(w * padded[:, j : j + t] for j, w in enumerate(weights))
    return _finish(out, was_batch, was_uint8)


def trim(video, start=0, stop=None):
    """Frames ``start`` to ``stop`` (exclusive; negatives count from the end) of a clip
    or batch; a ValueError when nothing would be left."""
    x = video_io._to_numpy(video)
    axis = 1 if x.ndim == 5 else 0
    if x.ndim not in (4, 5):
        raise ValueError(f"expected (T, H, W, C) or (N, T, H, W, C), got shape {x.shape}")
    t = x.shape[axis]
    lo, hi, _ = slice(start, stop).indices(t)
    if hi <= lo:
        raise ValueError(f"trim({start}, {stop}) leaves no frame of a {t}-frame clip")
    return x[:, lo:hi] if axis else x[lo:hi]


def concat(clips, crossfade=0):
    """Join clips one after the other (all ``(T_i, H, W, C)``, or all batches with
    the same ``N``), blending ``crossfade`` frames where two clips meet.

    Returns:
        ``sum(T_i) - crossfade * (len(clips) - 1)`` frames, same kind as the first clip.
    """
    if len(clips) == 0:
        raise ValueError("concat needs at least one clip")
    prepared = [_prepare(c) for c in clips]
    was_batch, was_uint8 = prepared[0][1], prepared[0][2]
    shapes = {(p[0].shape[0], *p[0].shape[2:]) for p in prepared}
    if len(shapes) > 1:
        raise ValueError(
            f"clips must share batch size, height, width and channels to be joined, got "
            f"{sorted(shapes)}; resize them first (upscale) or convert grey to RGB"
        )
    out = prepared[0][0]
    for x, _, _ in prepared[1:]:
        k = int(crossfade)
        if k > min(out.shape[1], x.shape[1]):
            raise ValueError(
                f"crossfade={k} is longer than a clip ({min(out.shape[1], x.shape[1])})"
            )
        if k:
            alpha = ((np.arange(k) + 1) / (k + 1)).astype(np.float32)[None, :, None, None, None]
            blend = (1 - alpha) * out[:, -k:] + alpha * x[:, :k]
            out = np.concatenate([out[:, :-k], blend, x[:, k:]], axis=1)
        else:
            out = np.concatenate([out, x], axis=1)
    return _finish(out, was_batch, was_uint8)


def fade(video, fade_in=0, fade_out=0, color=-1.0):
    """Fade from ``color`` over the first ``fade_in`` frames and to it over the last
    ``fade_out`` (linear; ``color`` in [-1, 1]: -1 black, 1 white).

    Frame ``k < fade_in`` is ``color + (k / fade_in) * (frame - color)``, so frame 0
    is plain ``color`` and frame ``fade_in`` is untouched.
    """
    x, was_batch, was_uint8 = _prepare(video)
    t = x.shape[1]
    if fade_in < 0 or fade_out < 0 or fade_in + fade_out > t:
        raise ValueError(
            f"fade_in + fade_out must be between 0 and T ({t}), got {fade_in}, {fade_out}"
        )
    gain = np.ones(t, np.float32)
    if fade_in:
        gain[:fade_in] = np.arange(fade_in) / fade_in
    if fade_out:
        gain[t - fade_out :] = np.minimum(
            gain[t - fade_out :], np.arange(fade_out)[::-1] / fade_out
        )
    g = gain[None, :, None, None, None]
    return _finish(color + g * (x - color), was_batch, was_uint8)


# ---------------------------------------------------------------------------
# Space: upscaling and layouts
# ---------------------------------------------------------------------------

_CV_METHODS = {"nearest": 0, "bilinear": 1, "bicubic": 2, "area": 3, "lanczos": 4}


def upscale(video, factor=2, method="nearest", size=None):
    """Enlarge every frame by ``factor`` (or to ``size = (h, w)``) with OpenCV.

    Args:
        video: a clip or a batch (float or uint8).
        factor: integer or float scale (ignored when ``size`` is given).
        method: ``"nearest"`` (sharp pixels: best for tiny GAN samples),
            ``"bilinear"``, ``"bicubic"``, ``"area"`` or ``"lanczos"``.
        size: the output ``(height, width)``.
    """

    if method not in _CV_METHODS:
        raise ValueError(f"method must be one of {tuple(_CV_METHODS)}, got {method!r}")
    x, was_batch, was_uint8 = _prepare(video)
    n, t, h, w, c = x.shape
    out_h, out_w = size if size is not None else (round(h * factor), round(w * factor))
    if out_h < 1 or out_w < 1:
        raise ValueError(f"the upscaled size must be >= 1, got {(out_h, out_w)}")
    frames = x.reshape(n * t, h, w, c)
    resized = [cv2.resize(f, (out_w, out_h), interpolation=_CV_METHODS[method]) for f in frames]
    out = np.stack(resized).reshape(n, t, out_h, out_w, c)
    return _finish(np.clip(out, -1, 1), was_batch, was_uint8)


def _as_rgb_if_any(xs):
    if any(x.shape[-1] == 3 for x in xs):
        return [np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x for x in xs]
    return xs


def side_by_side(*videos, pad=2, pad_value=1.0):
    """Put clips next to each other, left to right (e.g. real, generated, smoothed).

    Args:
        *videos: clips ``(T, H, W, C)`` (or batches ``(N, T, H, W, C)``: joined sample by
            sample) of one length and size; grey ones become RGB when any is RGB.
        pad: pixels between them.
        pad_value: the gap's colour in [-1, 1] (1 = white).

    Returns:
        ``(T, H, k * (W + pad) - pad, C)`` (or a batch), same kind as the first clip.
    """
    if not videos:
        raise ValueError("side_by_side needs at least one clip")
    prepared = [_prepare(v) for v in videos]
    xs = _as_rgb_if_any([p[0] for p in prepared])
    if len({x.shape for x in xs}) > 1:
        raise ValueError(
            f"clips must have one shape to stand side by side, got {[x.shape for x in xs]}; "
            "use trim / change_fps for length and upscale for size"
        )
    rows = [video_io.video_grid(np.stack([x[i] for x in xs]), ncols=len(xs), pad=pad,
                                pad_value=pad_value) for i in range(xs[0].shape[0])]  # fmt: skip
    return _finish(np.stack(rows), prepared[0][1], prepared[0][2])


def grid(videos, ncols=None, pad=1, pad_value=-1.0):
    """A batch ``(N, T, H, W, C)`` tiled into one clip: :func:`tfvidgan.video_io.video_grid`."""
    return video_io.video_grid(videos, ncols=ncols, pad=pad, pad_value=pad_value)


def real_vs_generated(real, generated, ncols=None, pad=1, gap=4, pad_value=1.0):
    """One clip: a grid of real clips on top, a grid of generated ones below.

    Args:
        real: ``(N, T, H, W, C)`` real clips.
        generated: ``(M, T, H, W, C)`` generated clips (same T, H, W).
        ncols: clips per row in both grids (default ``ceil(sqrt(max(N, M)))``).
        pad: pixels between clips inside a grid.
        gap: pixels of the band between the two grids.
        pad_value: colour of the band in [-1, 1] (1 = white).

    Returns:
        ``(T, height, width, C)``, float32 in [-1, 1] (uint8 if both inputs are uint8).
    """
    r, _, r8 = _prepare(real)
    g, _, g8 = _prepare(generated)
    r, g = _as_rgb_if_any([r, g])
    if r.shape[1:4] != g.shape[1:4]:
        raise ValueError(
            f"real {r.shape[1:4]} and generated {g.shape[1:4]} clips need the same (T, H, W)"
        )
    ncols = ncols or math.ceil(math.sqrt(max(len(r), len(g))))
    top = video_io.video_grid(r, ncols=ncols, pad=pad)
    bottom = video_io.video_grid(g, ncols=ncols, pad=pad)
    width = max(top.shape[2], bottom.shape[2])
    widen = lambda v: np.pad(
        v, ((0, 0), (0, 0), (0, width - v.shape[2]), (0, 0)), constant_values=-1
    )
    band = np.full((top.shape[0], gap, width, top.shape[3]), pad_value, np.float32)
    out = np.concatenate([widen(top), band, widen(bottom)], axis=1)
    return video_io.to_uint8(out) if (r8 and g8) else out


# ---------------------------------------------------------------------------
# A walk through latent space
# ---------------------------------------------------------------------------


def slerp(a, b, t):
    """Spherical interpolation between latent vectors ``a`` and ``b`` (``(..., D)``).

    Moves along the great circle between their directions (Shoemake 1985; used for
    GAN latents since White 2016, https://arxiv.org/abs/1609.04468), with the norm
    interpolated linearly, so points stay where a Gaussian latent has its mass.
    Falls back to a straight line when ``a`` and ``b`` are (anti-)parallel.

    Args:
        a, b: arrays of the same shape ``(..., D)``.
        t: float in [0, 1]; ``slerp(a, b, 0) == a`` and ``slerp(a, b, 1) == b``.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a, axis=-1, keepdims=True), np.linalg.norm(b, axis=-1, keepdims=True)
    ua, ub = a / np.maximum(na, 1e-12), b / np.maximum(nb, 1e-12)
    cos = np.clip((ua * ub).sum(-1, keepdims=True), -1.0, 1.0)
    omega = np.arccos(cos)
    so = np.sin(omega)
    safe = so > 1e-6
    wa = np.where(safe, np.sin((1 - t) * omega) / np.where(safe, so, 1), 1 - t)
    wb = np.where(safe, np.sin(t * omega) / np.where(safe, so, 1), t)
    direction = wa * ua + wb * ub
    direction /= np.maximum(np.linalg.norm(direction, axis=-1, keepdims=True), 1e-12)
    return (direction * ((1 - t) * na + t * nb)).astype(np.float32)


def latent_walk(
    model,
    num_points=4,
    steps=8,
    *,
    seed=0,
    labels=None,
    mode="clips",
    method="slerp",
    closed=True,
    crossfade=0,
    batch_size=16,
):
    """One video that moves smoothly through a trained model's latent space.

    ``num_points`` random latents (``model.sample_latents``) are joined by ``steps``
    interpolated latents each (spherical by default, :func:`slerp`); the walk comes
    back to the first point when ``closed``, so the video loops.

    Args:
        model: a trained model with ``latent_dim``, ``sample_latents(n, seed_generator)``
            and ``generate(latents, labels, training=False)`` (every tfvidgan GAN).
        num_points: random latents visited (>= 2).
        steps: latents per segment between two points (>= 1).
        seed: seeds the random latents (same seed, same walk).
        labels: conditional models: one class id (int) used for the whole walk.
        mode: for video models (generator output ``(B, T, H, W, C)``): ``"clips"`` plays
            each latent's whole clip after the other; ``"frames"`` shows frame
            ``k % T`` of latent ``k``, a walk where every frame moves on. Image models
            (``(B, H, W, C)``) always give one frame per latent.
        method: ``"slerp"`` or ``"linear"``.
        closed: return to the first latent at the end.
        crossfade: with ``mode="clips"``, frames blended where two clips meet.
        batch_size: latents generated at once.

    Returns:
        float32 ``(frames, H, W, C)`` in [-1, 1]; write it with
        :func:`tfvidgan.video_io.write_video` (or a :class:`~tfvidgan.video_io.VideoWriter`).
    """
    import keras  # lazy: the NumPy post-processing loads without TensorFlow

    if num_points < 2 or steps < 1:
        raise ValueError(f"need num_points >= 2 and steps >= 1, got {num_points} and {steps}")
    if mode not in ("clips", "frames") or method not in ("slerp", "linear"):
        raise ValueError(
            "mode must be 'clips' or 'frames' and method 'slerp' or 'linear', "
            f"got {mode!r}, {method!r}"
        )
    points = keras.ops.convert_to_numpy(
        model.sample_latents(num_points, keras.random.SeedGenerator(seed))
    )
    points = np.asarray(points, np.float32)
    ends = list(range(num_points)) + ([0] if closed else [])
    path = []
    for i, j in zip(ends[:-1], ends[1:]):
        for s in range(steps):
            t = s / steps
            a, b = points[i], points[j]
            path.append(slerp(a, b, t) if method == "slerp" else (1 - t) * a + t * b)
    if not closed:
        path.append(points[-1])
    latents = np.stack(path).astype(np.float32)

    condition = None
    if labels is not None:
        condition = np.full((len(latents),), int(labels), np.int32)
    averaged = getattr(model, "averaged_generator", None)
    chunks = []
    with averaged() if callable(averaged) else contextlib.nullcontext():
        for start in range(0, len(latents), batch_size):
            z = latents[start : start + batch_size]
            y = None if condition is None else condition[start : start + batch_size]
            chunks.append(keras.ops.convert_to_numpy(model.generate(z, y, training=False)))
    out = np.concatenate(chunks).astype(np.float32)
    if out.ndim == 4:  # an image model: one frame per latent
        return out
    if out.ndim != 5:
        raise ValueError(f"the generator gave shape {out.shape}; expected images or videos")
    if mode == "frames":
        return out[np.arange(len(out)), np.arange(len(out)) % out.shape[1]]
    return concat(list(out), crossfade=crossfade)
