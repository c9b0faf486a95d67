"""Tests for tfvidgan.video_io (fast: tiny clips, no TensorFlow needed)."""

import base64
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from tfvidgan import video_io as vio

# ---------------------------------------------------------------- helpers


def moving_square(t=8, h=64, w=64, c=3):
    """(T, H, W, C) float32 clip in [-1, 1]: a white square moving right."""
    video = np.full((t, h, w, c), -1.0, np.float32)
    side = h // 4
    for i in range(t):
        left = (i * 3) % (w - side)
        video[i, h // 3 : h // 3 + side, left : left + side] = 1.0
    return video


def codec_info(path):
    """Text of the bundled ffmpeg's stream description (ffprobe isn't bundled)."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    return next(line for line in result.stderr.splitlines() if "Video:" in line)


def mean_abs_error(a, b):
    return np.abs(a.astype(np.float32) - b.astype(np.float32)).mean()


# ---------------------------------------------------------------- to_uint8


def test_to_uint8_known_values():
    x = np.array([-1.0, 0.0, 1.0, -5.0, 5.0, 0.5], np.float32)
    assert vio.to_uint8(x).tolist() == [0, 128, 255, 0, 255, 191]
    assert vio.to_uint8(x).dtype == np.uint8


def test_to_uint8_passes_uint8_and_rejects_other_ints():
    x = np.arange(256, dtype=np.uint8)
    assert vio.to_uint8(x) is x
    with pytest.raises(TypeError, match="int32"):
        vio.to_uint8(np.zeros(3, np.int32))


def test_to_uint8_nan_is_clear_error():
    with pytest.raises(ValueError, match="contains NaN"):
        vio.to_uint8(np.array([0.0, np.nan]))


# ---------------------------------------------------------------- round trips


def test_gif_round_trip_is_exact_for_grayscale(tmp_path):
    video = moving_square(c=1)
    path = vio.write_gif(tmp_path / "a.gif", video)
    assert path == tmp_path / "a.gif" and path.is_file()
    back = vio.read_video(path)
    assert back.shape == (8, 64, 64, 3) and back.dtype == np.uint8
    expected = np.repeat(vio.to_uint8(video), 3, axis=-1)
    assert mean_abs_error(back, expected) < 0.5


def test_gif_keeps_identical_frames(tmp_path):
    static = np.zeros((5, 16, 16), np.uint8)  # (T, H, W), no channel axis
    back = vio.read_video(vio.write_gif(tmp_path / "s.gif", static))
    assert back.shape == (5, 16, 16, 3)


def test_gif_colour(tmp_path):
    video = moving_square()
    video[..., 0] = 0.2  # tint: red channel constant
    back = vio.read_video(vio.write_video(tmp_path / "c.gif", video))
    assert mean_abs_error(back, vio.to_uint8(video)) < 2


def test_mp4_round_trip_is_h264(tmp_path):
    video = moving_square()
    path = vio.write_mp4(tmp_path / "a.mp4", video, fps=10)
    back = vio.read_video(path)
    assert back.shape == (8, 64, 64, 3)
    assert mean_abs_error(back, vio.to_uint8(video)) < 12
    info = codec_info(path)
    assert "h264" in info and "yuv420p" in info


def test_webm_round_trip_is_vp9(tmp_path):
    video = moving_square()
    path = vio.write_video(tmp_path / "a.webm", video)
    back = vio.read_video(path)
    assert back.shape == (8, 64, 64, 3)
    assert mean_abs_error(back, vio.to_uint8(video)) < 12
    info = codec_info(path)
    assert "vp9" in info or "vp8" in info


def test_small_and_odd_clips_are_enlarged_for_codecs(tmp_path):
    assert vio.encoded_frame_size(32, 32) == (64, 64)
    assert vio.encoded_frame_size(28, 28) == (84, 84)
    assert vio.encoded_frame_size(64, 64) == (64, 64)
    assert vio.encoded_frame_size(65, 65) == (66, 66)
    assert vio.encoded_frame_size(33, 100) == (66, 200)

    video = moving_square(t=4, h=32, w=32, c=1)  # grayscale, tiny
    back = vio.read_video(vio.write_mp4(tmp_path / "small.mp4", video))
    assert back.shape == (4, 64, 64, 3)
    enlarged = vio.to_uint8(video).repeat(2, axis=1).repeat(2, axis=2)
    assert mean_abs_error(back[..., :1], enlarged) < 12

    odd_path = vio.write_webm(tmp_path / "odd.webm", moving_square(4, 65, 67))
    odd = vio.read_video(odd_path)
    assert odd.shape == (4, 66, 68, 3)


def test_webm_opencv_fallback(tmp_path, monkeypatch):
    def broken_ffmpeg(*args, **kwargs):
        raise OSError("simulated FFmpeg failure")

    monkeypatch.setattr(vio, "_ffmpeg_write", broken_ffmpeg)
    path = vio.write_webm(tmp_path / "cv.webm", moving_square())
    assert "vp8" in codec_info(path)
    back = vio.read_video(path)
    assert back.shape == (8, 64, 64, 3)
    assert mean_abs_error(back, vio.to_uint8(moving_square())) < 12


def test_opencv_reader_fallback_gives_rgb(tmp_path, monkeypatch):
    video = np.zeros((4, 64, 64, 3), np.uint8)
    video[..., 0] = 255  # pure red
    path = vio.write_mp4(tmp_path / "red.mp4", video)

    def broken_reader(path):
        raise OSError("simulated FFmpeg failure")

    monkeypatch.setattr(vio, "_ffmpeg_read", broken_reader)
    back = vio.read_video(path)
    assert back.shape[1:] == (64, 64, 3)
    assert back[..., 0].mean() > 200 and back[..., 2].mean() < 60  # RGB, not BGR


def test_writers_create_folders_and_accept_tensors(tmp_path):
    tf = pytest.importorskip("tensorflow")
    clip = tf.constant(moving_square(t=3))
    path = vio.write_video(tmp_path / "new" / "dir" / "x.gif", clip)
    assert path.is_file()


# ---------------------------------------------------------------- errors


def test_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"\.gif.*\.mp4.*\.webm"):
        vio.write_video(tmp_path / "x.avi", moving_square())


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".webm"])
def test_batch_input_points_to_video_grid(tmp_path, suffix):
    batch = np.zeros((2, 4, 16, 16, 3), np.float32)
    with pytest.raises(ValueError, match="video_grid"):
        vio.write_video(tmp_path / f"x{suffix}", batch)


def test_bad_channel_count(tmp_path):
    with pytest.raises(ValueError, match="C in"):
        vio.write_gif(tmp_path / "x.gif", np.zeros((2, 8, 8, 4), np.uint8))


def test_nan_video_is_rejected(tmp_path):
    video = moving_square()
    video[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="contains NaN"):
        vio.write_mp4(tmp_path / "x.mp4", video)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.mp4"):
        vio.read_video(tmp_path / "nope.mp4")


@pytest.mark.parametrize("name", ["x.mp4", "x.gif", "empty.webm"])
def test_corrupt_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else np.random.bytes(2000))
    with pytest.raises(ValueError, match="could not decode.*complete video file"):
        vio.read_video(path)


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".webm"])
def test_unwritable_location(tmp_path, suffix):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    target = blocker / f"clip{suffix}"
    with pytest.raises(OSError, match="cannot write to .*a_file' is a file"):
        vio.write_video(target, moving_square(t=2))


# ---------------------------------------------------------------- grids


def test_video_grid_shape_and_placement():
    n, t, h, w = 5, 3, 4, 6
    videos = np.zeros((n, t, h, w, 1), np.float32)
    for k in range(n):
        videos[k] = k / 10  # clip k has constant value k / 10
    grid = vio.video_grid(videos, pad=1, pad_value=-1)
    assert grid.shape == (t, 2 * (h + 1) - 1, 3 * (w + 1) - 1, 1)  # ncols=3
    for k in range(n):
        row, col = divmod(k, 3)
        top, left = row * (h + 1), col * (w + 1)
        tile = grid[:, top : top + h, left : left + w]
        np.testing.assert_allclose(tile, k / 10)
    assert grid[0, h, 0, 0] == -1  # padding row
    assert np.all(grid[:, h + 1 :, 2 * (w + 1) :] == -1)  # empty 6th tile


def test_video_grid_uint8_and_ncols():
    videos = np.full((4, 2, 8, 8, 3), 200, np.uint8)
    grid = vio.video_grid(videos, ncols=4, pad=2, pad_value=1)
    assert grid.shape == (2, 8, 4 * 10 - 2, 3) and grid.dtype == np.uint8
    assert grid[0, 0, 8, 0] == 255  # pad_value 1 -> white
    assert vio.video_grid(videos[:1], pad=0).shape == (2, 8, 8, 3)


def test_image_grid():
    images = np.zeros((6, 5, 7, 3), np.uint8)
    images[:] = np.arange(6, dtype=np.uint8)[:, None, None, None]  # image k == k
    grid = vio.image_grid(images, ncols=2, pad=1)
    assert grid.shape == (3 * 6 - 1, 2 * 8 - 1, 3)
    assert grid[2 * 6, 8, 0] == 5  # image 5: row 2, column 1
    assert vio.image_grid(np.zeros((4, 5, 5), np.float32)).shape == (11, 11, 1)


def test_video_frames_grid():
    videos = np.zeros((3, 16, 8, 8, 1), np.float32)
    for t in range(16):
        videos[:, t] = t / 16
    grid = vio.video_frames_grid(videos, max_frames=8, pad=1)
    assert grid.shape == (3 * 9 - 1, 8 * 9 - 1, 1)
    np.testing.assert_allclose(grid[0, 9 * 1, 0], 2 / 16)  # column 1 = frame 2
    assert vio.video_frames_grid(videos[0]).shape == (8, 16 * 9 - 1, 1)


# ---------------------------------------------------------------- png, display


def test_save_png(tmp_path):
    from PIL import Image

    for shape in [(10, 12), (10, 12, 1), (10, 12, 3)]:
        image = np.zeros(shape, np.float32)  # 0.0 -> grey 128
        path = vio.save_png(tmp_path / "png" / f"{len(shape)}.png", image)
        assert np.asarray(Image.open(path)).shape[:2] == (10, 12)
        assert np.asarray(Image.open(path)).max() == 128
    with pytest.raises(ValueError, match="image_grid"):
        vio.save_png(tmp_path / "b.png", np.zeros((2, 10, 12, 3), np.uint8))


@pytest.mark.parametrize(
    "fmt, mime, tag", [("gif", "image/gif", "<img"), ("mp4", "video/mp4", "<video")]
)
def test_display_video(fmt, mime, tag):
    pytest.importorskip("IPython")
    shown = vio.display_video(moving_square(t=4), format=fmt, width=128)
    html = shown._repr_html_() if hasattr(shown, "_repr_html_") else shown.data
    assert tag in html and 'width="128"' in html
    prefix = f"data:{mime};base64,"
    assert prefix in html
    payload = html.split(prefix)[1].split('"')[0]
    data = base64.b64decode(payload)
    if fmt == "gif":
        assert data[:6] == b"GIF89a"
    else:
        assert b"ftyp" in data[:12]  # MP4 container signature


def test_display_video_from_path(tmp_path):
    pytest.importorskip("IPython")
    path = vio.write_webm(tmp_path / "x.webm", moving_square(t=2))
    assert "data:video/webm;base64," in vio.display_video(path).data


# ---------------------------------------------------------------- long videos, other formats


@pytest.mark.parametrize("suffix", [".mp4", ".webm", ".gif"])
def test_video_writer_streams_frames(tmp_path, suffix):
    path = tmp_path / f"long{suffix}"
    clip = moving_square(t=5)
    with vio.VideoWriter(path, fps=10) as out:
        out.write(clip)  # several frames at once
        for frame in clip:  # then one frame at a time
            out.write(frame)
    assert out.frames_written == 10
    back = vio.read_video(path)
    assert back.shape == (10, 64, 64, 3)
    assert mean_abs_error(back[5:], vio.to_uint8(clip)) < 12
    streamed = list(vio.iter_frames(path))
    assert len(streamed) == 10 and streamed[0].shape == (64, 64, 3)
    info = vio.video_info(path)
    assert (info["height"], info["width"]) == (64, 64) and abs(info["fps"] - 10) < 0.5


def test_video_writer_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown video suffix"):
        vio.VideoWriter(tmp_path / "x.avi")
    out = vio.VideoWriter(tmp_path / "x.mp4")
    out.write(moving_square(t=2))
    with pytest.raises(ValueError, match="same size and channels"):
        out.write(np.zeros((2, 32, 32, 3), np.uint8))
    out.close()
    out.close()  # twice is fine
    with pytest.raises(ValueError, match="is closed"):
        out.write(moving_square(t=1))
    empty = vio.VideoWriter(tmp_path / "none.gif")
    with pytest.raises(ValueError, match="no frame was written"):
        empty.close()
    assert not (tmp_path / "none.gif").exists()


def test_video_writer_keeps_frames_when_the_block_raises(tmp_path):
    path = tmp_path / "partial.mp4"
    with pytest.raises(RuntimeError, match="stop"):
        with vio.VideoWriter(path, fps=8) as out:
            out.write(moving_square(t=4))
            raise RuntimeError("stop")
    assert vio.read_video(path).shape[0] == 4


@pytest.mark.parametrize(
    "suffix, codec", [(".avi", "mpeg4"), (".mov", "libx264"), (".mkv", "libx264")]
)
def test_read_other_containers_as_rgb(tmp_path, suffix, codec):
    src = vio.write_mp4(tmp_path / "src.mp4", moving_square(t=6))
    red = np.zeros((6, 64, 64, 3), np.uint8)
    red[..., 0] = 230
    src = vio.write_mp4(tmp_path / "red.mp4", red)
    path = tmp_path / f"red{suffix}"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(src),
           "-c:v", codec, "-q:v", "2", str(path)]  # fmt: skip
    subprocess.run(cmd, check=True)
    back = vio.read_video(path)
    assert back.shape == (6, 64, 64, 3)
    assert back[..., 0].mean() > 200 and back[..., 2].mean() < 40  # RGB order
