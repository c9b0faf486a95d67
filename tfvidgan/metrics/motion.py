"""Motion metrics for generated videos.

Image metrics cannot tell a good video generator from one that outputs a
single still frame repeated T times.  These cheap pixel-level checks can:

* frame-difference energy and "frozen" clips (no motion at all),
* "looping" clips (come back to the first frame: a typical failure of
  short-clip generators),
* dense optical flow statistics (OpenCV Farneback, Farneback 2003),
* temporal SSIM (Wang et al., 2004) and PSNR between consecutive frames.

Videos are ``(N, T, H, W, C)`` float in [-1, 1]; uint8 in [0, 255] is
converted with ``x / 127.5 - 1``.  Thresholds below are on that [-1, 1] scale,
where one grey level of 255 is ``2/255 ~= 0.008``.
"""

import cv2
import numpy as np
import tensorflow as tf

PSNR_CAP_DB = 100.0  # PSNR reported for identical frames (true value: +inf)


def as_videos(videos, min_frames=2):
    """Validate and convert videos to float32 ``(N, T, H, W, C)`` in [-1, 1]."""
    x = np.asarray(videos)
    if x.ndim != 5:
        raise ValueError(
            f"videos must have shape (N, T, H, W, C), got ndim={x.ndim} with "
            f"shape {x.shape} (a single clip? add a batch axis with x[None])"
        )
    if x.shape[0] < 1:
        raise ValueError("videos is empty (N=0)")
    if x.shape[1] < min_frames:
        raise ValueError(f"videos need T >= {min_frames} frames, got T={x.shape[1]}")
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 127.5 - 1.0
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("videos contain NaN or inf values")
    return x


def _mse(a, b):
    """Mean squared difference over every axis except the first (clip) axis."""
    return np.mean((a - b) ** 2, axis=tuple(range(1, a.ndim)))


# ---------------------------------------------------------------------------
# Frame differences: frozen and looping clips
# ---------------------------------------------------------------------------


def frame_difference_energy(videos):
    """Per-clip motion energy ``(N,)``: ``mean_t mean_pixels (x_{t+1} - x_t)^2``."""
    x = as_videos(videos)
    return _mse(x[:, 1:], x[:, :-1])


def mean_frame_difference_energy(videos):
    """Scalar mean of :func:`frame_difference_energy` over clips."""
    return float(np.mean(frame_difference_energy(videos)))


def frozen_clips(videos, threshold=1e-3):
    """Boolean ``(N,)``: clips whose frame-difference energy is below ``threshold``.

    The default 1e-3 is an RMS change of about 0.03 per pixel per frame in
    [-1, 1] units (about 4 grey levels out of 255): the clip is a still image
    up to faint noise.
    """
    return frame_difference_energy(videos) < threshold


def looping_clips(videos, threshold=1e-3, motion_threshold=1e-2):
    """Boolean ``(N,)``: clips that return to their first frame after moving.

    Definition: a clip of T >= 3 frames *loops* when

    * ``mse(x_{T-1}, x_0) < threshold`` (the last frame matches the first), and
    * ``max_{0<t<T-1} mse(x_t, x_0) > motion_threshold`` (some frame in between
      clearly differs from the first, so a frozen clip is not a loop).

    Example: A -> B -> A loops, A -> A -> A (frozen) and A -> B -> C do not.
    """
    x = as_videos(videos, min_frames=3)
    first, last, middle = x[:, 0], x[:, -1], x[:, 1:-1]
    ends_match = _mse(last, first) < threshold
    departure = np.max(np.mean((middle - first[:, None]) ** 2, axis=(2, 3, 4)), axis=1)
    return ends_match & (departure > motion_threshold)


# ---------------------------------------------------------------------------
# Optical flow
# ---------------------------------------------------------------------------


def to_gray_uint8(frames):
    """``(..., H, W, C)`` in [-1, 1] -> ``(..., H, W)`` uint8 grey (BT.601 luma for C=3)."""
    if frames.shape[-1] == 3:
        gray = frames @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    else:
        gray = frames.mean(axis=-1)
    return np.clip(np.round((gray + 1.0) * 127.5), 0, 255).astype(np.uint8)


def optical_flow_stats(
    videos, pyr_scale=0.5, levels=3, winsize=15, iterations=3, poly_n=5, poly_sigma=1.2
):
    """Dense optical flow between consecutive frames (``cv2.calcOpticalFlowFarneback``).

    Frames are converted to grey uint8; the flow ``(dx, dy)`` is in pixels per
    frame, dx > 0 = motion to the right, dy > 0 = motion down.  Statistics are
    over all pixels of all frame pairs of all clips::

        {"mean_magnitude", "std_magnitude", "mean_dx", "mean_dy"}

    Note: on a flat background the flow is smoothed over roughly ``winsize``
    pixels, so a small moving object gives a smaller mean than its speed.
    """
    gray = to_gray_uint8(as_videos(videos))
    flows = []
    for clip in gray:
        for prev, nxt in zip(clip[:-1], clip[1:]):
            flows.append(
                cv2.calcOpticalFlowFarneback(
                    prev, nxt, None, pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, 0
                )
            )
    flow = np.stack(flows).astype(np.float64)  # (N*(T-1), H, W, 2)
    magnitude = np.hypot(flow[..., 0], flow[..., 1])
    return {
        "mean_magnitude": float(magnitude.mean()),
        "std_magnitude": float(magnitude.std()),
        "mean_dx": float(flow[..., 0].mean()),
        "mean_dy": float(flow[..., 1].mean()),
    }


# ---------------------------------------------------------------------------
# Temporal SSIM / PSNR
# ---------------------------------------------------------------------------


def _consecutive_pairs(videos):
    """Return frames t and t+1 as two ``(N*(T-1), H, W, C)`` float32 arrays."""
    x = as_videos(videos)
    n, t, h, w, c = x.shape
    return (x[:, :-1].reshape(n * (t - 1), h, w, c), x[:, 1:].reshape(n * (t - 1), h, w, c))


def temporal_ssim(videos, filter_size=11):
    """Mean SSIM between consecutive frames (``tf.image.ssim``, ``max_val=2.0``).

    1.0 for a static clip, lower the more the frames change.
    ``tf.image.ssim`` needs a Gaussian window no larger than the frame, so the
    window is ``min(filter_size, H, W)`` and its sigma is scaled from the
    standard 1.5 at size 11 to ``1.5 * size / 11``.
    """
    a, b = _consecutive_pairs(videos)
    size = int(min(filter_size, a.shape[1], a.shape[2]))
    ssim = tf.image.ssim(
        tf.constant(a),
        tf.constant(b),
        max_val=2.0,
        filter_size=size,
        filter_sigma=1.5 * size / 11.0,
    )
    return float(np.mean(ssim.numpy()))


def temporal_psnr(videos, cap_db=PSNR_CAP_DB):
    """Mean PSNR (dB) between consecutive frames (``tf.image.psnr``, ``max_val=2.0``).

    ``PSNR = 10 log10(max_val^2 / mse)`` is infinite for identical frames; each
    frame pair's PSNR is capped at ``cap_db`` (default 100 dB) before averaging,
    so a static clip returns exactly ``cap_db``.
    """
    a, b = _consecutive_pairs(videos)
    psnr = tf.image.psnr(tf.constant(a), tf.constant(b), max_val=2.0).numpy()
    psnr = np.minimum(np.nan_to_num(psnr, nan=cap_db, posinf=cap_db), cap_db)
    return float(np.mean(psnr))


# ---------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------


def motion_summary(
    videos,
    frozen_threshold=1e-3,
    loop_threshold=1e-3,
    loop_motion_threshold=1e-2,
    include_flow=True,
):
    """Bundle of the motion metrics above as a dict of floats.

    Keys: ``frame_difference_energy``, ``frozen_fraction``, ``looping_fraction``
    (0.0 when T < 3), ``temporal_ssim``, ``temporal_psnr`` and, if
    ``include_flow``, ``flow_mean_magnitude``, ``flow_std_magnitude``,
    ``flow_mean_dx``, ``flow_mean_dy``.
    """
    x = as_videos(videos)
    summary = {
        "frame_difference_energy": mean_frame_difference_energy(x),
        "frozen_fraction": float(np.mean(frozen_clips(x, frozen_threshold))),
        "looping_fraction": (
            float(np.mean(looping_clips(x, loop_threshold, loop_motion_threshold)))
            if x.shape[1] >= 3
            else 0.0
        ),
        "temporal_ssim": temporal_ssim(x),
        "temporal_psnr": temporal_psnr(x),
    }
    if include_flow:
        for key, value in optical_flow_stats(x).items():
            summary["flow_" + key] = value
    return summary
