"""Tests for tfvidgan.postprocess: frame rate, smoothing, layouts, fades, latent walks."""

import keras
import numpy as np
import pytest

from tfvidgan import postprocess as pp
from tfvidgan import video_io as vio


def ramp(t=5, h=8, w=8, c=1):
    """Float clip whose frame k is the constant -1 + 0.5 * k."""
    values = -1 + 0.5 * np.arange(t, dtype=np.float32)
    return np.broadcast_to(values[:, None, None, None], (t, h, w, c)).copy()


def square_clip(t=4, size=32, side=8, step=4):
    """Float clip: a white square moving right by `step` pixels per frame."""
    video = np.full((t, size, size, 1), -1.0, np.float32)
    for k in range(t):
        video[k, 12 : 12 + side, 2 + k * step : 2 + k * step + side] = 1.0
    return video


def centre_x(frame):
    mass = frame[..., 0] + 1
    return (mass * np.arange(frame.shape[1])[None, :]).sum() / mass.sum()


# ---------------------------------------------------------------- frame rate


def test_change_fps_linear_exact_values():
    out = pp.change_fps(ramp(5), 8, 16)
    assert out.shape == (9, 8, 8, 1)
    np.testing.assert_allclose(out[:, 0, 0, 0], -1 + 0.25 * np.arange(9), atol=1e-6)
    assert pp.change_fps(ramp(5), 8, 24).shape[0] == 13  # (5 - 1) * 3 + 1
    down = pp.change_fps(ramp(5), 8, 4)
    np.testing.assert_allclose(down[:, 0, 0, 0], [-1, 0, 1])


def test_change_fps_nearest_and_batch_and_uint8():
    batch = np.stack([ramp(3), ramp(3) * 0])
    out = pp.change_fps(batch, 2, 4, method="nearest")
    assert out.shape == (2, 5, 8, 8, 1)
    np.testing.assert_allclose(out[0, :, 0, 0, 0], [-1, -0.5, -0.5, 0, 0])
    u8 = pp.change_fps(vio.to_uint8(ramp(3)), 1, 2)
    assert u8.dtype == np.uint8 and u8[1, 0, 0, 0] == vio.to_uint8(np.float32(-0.75))
    with pytest.raises(ValueError, match="method must be one of"):
        pp.change_fps(ramp(), 1, 2, method="cubic")


def test_flow_interpolation_moves_instead_of_ghosting():
    clip = square_clip(t=2, step=8)
    flow = pp.interpolate(clip, 2, method="flow")[1]
    linear = pp.interpolate(clip, 2, method="linear")[1]
    # halfway, the square should sit halfway (x shifted by 4), not be two half-bright squares
    assert abs(centre_x(flow) - (centre_x(clip[0]) + 4)) < 1.0
    assert flow.max() > 0.6 and linear.max() < 0.1  # linear gives two grey ghosts


# ---------------------------------------------------------------- smoothing, trim, concat, fade


def test_smooth_box_exact_and_still_clip_unchanged():
    out = pp.smooth(ramp(5), window=3)
    np.testing.assert_allclose(out[:, 0, 0, 0], [-5 / 6, -0.5, 0, 0.5, 5 / 6], atol=1e-6)
    still = np.zeros((6, 4, 4, 3), np.float32) + 0.3
    np.testing.assert_allclose(pp.smooth(still, 5, "gaussian"), still, atol=1e-6)
    flicker = np.where(np.arange(8) % 2, 0.5, -0.5).astype(np.float32)[:, None, None, None]
    flicker = np.broadcast_to(flicker, (8, 4, 4, 1))
    assert np.abs(np.diff(pp.smooth(flicker, 3), axis=0)).max() < 0.4  # was 1.0
    with pytest.raises(ValueError, match="odd integer"):
        pp.smooth(ramp(), 2)


def test_trim_and_concat_with_crossfade():
    assert pp.trim(ramp(5), 1, -1).shape[0] == 3
    assert pp.trim(np.stack([ramp(5)] * 2), 2).shape == (2, 3, 8, 8, 1)
    with pytest.raises(ValueError, match="leaves no frame"):
        pp.trim(ramp(5), 4, 2)
    a = np.full((4, 2, 2, 1), -1.0, np.float32)
    b = np.full((4, 2, 2, 1), 1.0, np.float32)
    joined = pp.concat([a, b])
    assert joined.shape[0] == 8
    faded = pp.concat([a, b], crossfade=3)
    assert faded.shape[0] == 5
    np.testing.assert_allclose(faded[:, 0, 0, 0], [-1, -0.5, 0, 0.5, 1], atol=1e-6)
    with pytest.raises(ValueError, match="share batch size, height"):
        pp.concat([a, np.zeros((2, 3, 3, 1), np.float32)])


def test_fade_in_and_out():
    clip = np.ones((6, 2, 2, 3), np.float32)
    out = pp.fade(clip, fade_in=2, fade_out=2)
    np.testing.assert_allclose(out[:, 0, 0, 0], [-1, 0, 1, 1, 0, -1])
    white = pp.fade(vio.to_uint8(-clip), fade_in=3, color=1.0)
    assert white.dtype == np.uint8 and white[0].min() == 255 and white[3].max() == 0


# ---------------------------------------------------------------- space


def test_upscale_nearest_is_exact():
    clip = ramp(3, 4, 4)
    big = pp.upscale(clip, 3)
    assert big.shape == (3, 12, 12, 1)
    np.testing.assert_array_equal(big, clip.repeat(3, axis=1).repeat(3, axis=2))
    assert pp.upscale(np.stack([clip] * 2), size=(5, 7), method="bicubic").shape == (2, 3, 5, 7, 1)


def test_side_by_side_and_real_vs_generated():
    grey, colour = ramp(4, 6, 6, 1), np.zeros((4, 6, 6, 3), np.float32)
    both = pp.side_by_side(grey, colour, pad=2)
    assert both.shape == (4, 6, 14, 3)
    np.testing.assert_allclose(both[:, :, :6], np.repeat(grey, 3, -1))
    assert (both[:, :, 6:8] == 1.0).all() and (both[:, :, 8:] == 0).all()
    batch = pp.side_by_side(np.stack([grey] * 3), np.stack([grey] * 3))
    assert batch.shape == (3, 4, 6, 14, 1)
    with pytest.raises(ValueError, match="one shape"):
        pp.side_by_side(ramp(4), ramp(5))

    real, fake = np.zeros((4, 3, 8, 8, 1), np.float32), np.ones((2, 3, 8, 8, 1), np.float32)
    out = pp.real_vs_generated(real, fake, gap=4)
    top = vio.video_grid(real, ncols=2)
    assert out.shape == (3, top.shape[1] + 4 + 8, top.shape[2], 1)
    assert (out[:, : top.shape[1]] == top).all() and (
        out[:, top.shape[1] : top.shape[1] + 4] == 1
    ).all()
    assert pp.grid(real).shape == top.shape


# ---------------------------------------------------------------- latent walk


def test_slerp_end_points_norm_and_parallel_fallback():
    a, b = np.array([3.0, 0.0]), np.array([0.0, 3.0])
    np.testing.assert_allclose(pp.slerp(a, b, 0), a, atol=1e-6)
    np.testing.assert_allclose(pp.slerp(a, b, 1), b, atol=1e-6)
    mid = pp.slerp(a, b, 0.5)
    np.testing.assert_allclose(mid, [3 / np.sqrt(2), 3 / np.sqrt(2)], atol=1e-5)  # on the circle
    np.testing.assert_allclose(pp.slerp(a, 2 * a, 0.5), 1.5 * a, atol=1e-6)  # parallel: a line


class FakeVideoModel:
    """Generator stand-in: clip frame k = tanh(z[0] + 0.1 k) everywhere."""

    latent_dim = 6

    def __init__(self, frames=4):
        self.frames = frames
        self.calls = []

    def sample_latents(self, n, seed_generator):
        return keras.random.normal((n, self.latent_dim), seed=seed_generator)

    def generate(self, latents, labels=None, training=False):
        z = np.asarray(latents)
        self.calls.append((len(z), labels, training))
        t = np.arange(self.frames) * 0.1
        values = np.tanh(z[:, :1, None, None, None] + t[None, :, None, None, None])
        return np.broadcast_to(values, (len(z), self.frames, 4, 4, 1)).astype(np.float32)


class FakeImageModel(FakeVideoModel):
    def generate(self, latents, labels=None, training=False):
        return super().generate(latents, labels, training)[:, 0]


def test_latent_walk_clips_frames_and_images():
    model = FakeVideoModel()
    walk = pp.latent_walk(model, num_points=3, steps=5, seed=1)
    assert walk.shape == (3 * 5 * 4, 4, 4, 1) and walk.dtype == np.float32
    assert all(training is False for _, _, training in model.calls)
    again = pp.latent_walk(FakeVideoModel(), num_points=3, steps=5, seed=1)
    np.testing.assert_array_equal(walk, again)  # same seed, same walk

    frames = pp.latent_walk(model, num_points=3, steps=5, mode="frames", closed=False)
    assert frames.shape == (2 * 5 + 1, 4, 4, 1)
    images = pp.latent_walk(FakeImageModel(), num_points=4, steps=8)
    assert images.shape == (32, 4, 4, 1)
    steps_ = np.abs(np.diff(images[:, 0, 0, 0]))
    points = pp.latent_walk(FakeImageModel(), num_points=4, steps=1)  # jumps between points
    jumps = np.abs(np.diff(points[:, 0, 0, 0]))
    assert steps_.max() < 0.5 * jumps.max()  # neighbouring latents give neighbouring images
    assert abs(images[0, 0, 0, 0] - images[-1, 0, 0, 0]) < 0.5  # closed: loops back

    pp.latent_walk(model, num_points=2, steps=2, labels=3)
    assert model.calls[-1][1].tolist() == [3, 3, 3, 3]
    with pytest.raises(ValueError, match="num_points >= 2"):
        pp.latent_walk(model, num_points=1)
