"""tfvidgan.metrics.motion: frozen and looping clips, optical flow, temporal SSIM/PSNR."""

import numpy as np
import pytest

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
