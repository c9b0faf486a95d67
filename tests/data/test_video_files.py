"""Tests for tfvidgan.data.video_files: clips from files, and every kind of bad file."""

import subprocess
import warnings

import imageio_ffmpeg
import numpy as np
import pytest

from tfvidgan import video_io as vio
from tfvidgan.data import video_files as vf

# ---------------------------------------------------------------- helpers


def counter_video(t=24, h=64, w=64, c=3, offset=0):
    """uint8 (T, H, W, C) whose frame k is a flat grey of value 20 + 8 * (k + offset)."""
    values = (20 + 8 * (np.arange(t) + offset)) % 256
    return np.broadcast_to(values[:, None, None, None], (t, h, w, c)).astype(np.uint8).copy()


def frame_values(clip):
    """Mean value of each frame of a float clip in [-1, 1], back in [0, 255]."""
    return (np.asarray(clip).mean(axis=(1, 2, 3)) + 1) * 127.5


def frame_index(values):
    """Inverse of counter_video: frame k from its grey value."""
    return np.rint((np.asarray(values) - 20) / 8).astype(int)


def collect(ds, labels=False):
    items = list(ds)
    if labels:
        return [x.numpy() for x, _ in items], [int(y) for _, y in items]
    return [x.numpy() for x in items]


def quiet(fn, *args, **kwargs):
    """Run fn, returning (result, [warning messages])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [str(w.message) for w in caught if "video_clips" in str(w.message)]


@pytest.fixture
def folder(tmp_path):
    """Two classes: 'b_walk' (2 MP4s) and 'a_run' (1 GIF, 1 MP4)."""
    root = tmp_path / "videos"
    vio.write_mp4(root / "b_walk" / "w1.mp4", counter_video(), fps=10)
    vio.write_mp4(root / "b_walk" / "w2.mp4", counter_video(offset=2), fps=10)
    vio.write_gif(root / "a_run" / "r1.gif", counter_video(t=20), fps=10)
    vio.write_mp4(root / "a_run" / "r2.mp4", counter_video(t=20), fps=10)
    return root


# ---------------------------------------------------------------- listing


def test_list_videos_layouts(folder, tmp_path):
    files = vf.list_videos(folder)
    assert files.class_names == ("a_run", "b_walk")  # sorted, not in creation order
    names = [p.split("/")[-1] for p in files.paths]
    assert names == ["r1.gif", "r2.mp4", "w1.mp4", "w2.mp4"]
    assert files.labels == (0, 0, 1, 1)

    flat = vf.list_videos(folder / "b_walk")
    assert flat.labels is None and flat.class_names == () and len(flat.paths) == 2
    assert len(vf.list_videos(str(folder / "**" / "*.mp4")).paths) == 3  # glob
    one = vf.list_videos(folder / "a_run" / "r1.gif")
    assert one.paths == (str(folder / "a_run" / "r1.gif"),)
    listed = vf.list_videos([folder / "b_walk" / "w2.mp4"], labels=[4])
    assert listed.labels == (4,)
    only = vf.list_videos(folder, class_names=["b_walk"])
    assert only.labels == (0, 0) and only.class_names == ("b_walk",)


def test_list_videos_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no videos here")
    with pytest.raises(ValueError, match=r"no video files in folder '.*empty'"):
        vf.list_videos(tmp_path / "empty")
    with pytest.raises(ValueError, match="does not exist; give an existing video file, a folder"):
        vf.list_videos(tmp_path / "nope")
    with pytest.raises(ValueError, match="matches no video files"):
        vf.list_videos(str(tmp_path / "*.mp4"))


# ---------------------------------------------------------------- sampling maths


def test_kept_frame_indices_exact():
    assert vf.kept_frame_indices(10, 1).tolist() == list(range(10))
    assert vf.kept_frame_indices(10, 3).tolist() == [0, 3, 6, 9]
    assert vf.kept_frame_indices(10, 2.5).tolist() == [0, 2, 5, 7]
    assert vf.kept_frame_indices(3, 0.5).tolist() == [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match="positive"):
        vf.kept_frame_indices(10, 0)


def test_clip_starts_never_run_past_the_end():
    assert vf.clip_starts(20, 16, 3, "even").tolist() == [0, 2, 4]
    assert vf.clip_starts(20, 16, 1, "even").tolist() == [2]
    assert vf.clip_starts(16, 16, 2, "even").tolist() == [0, 0]
    starts = vf.clip_starts(20, 16, 5000, "random", np.random.default_rng(0))
    # the tutorial's randint(0, max_start + 1) would also give 5 -> a zero-filled frame
    assert starts.min() == 0 and starts.max() == 4
    with pytest.raises(ValueError, match="shorter than a clip"):
        vf.clip_starts(10, 16)


# ---------------------------------------------------------------- decoding


def test_decode_rgb_order_for_every_backend(tmp_path):
    red = np.zeros((6, 64, 64, 3), np.uint8)
    red[..., 0] = 250
    mp4 = vio.write_mp4(tmp_path / "red.mp4", red)
    for backend in ("auto", "opencv", "ffmpeg"):
        frames = vf.decode_frames(mp4, backend=backend)
        assert frames.shape == (6, 64, 64, 3), backend
        assert frames[..., 0].mean() > 200 and frames[..., 2].mean() < 40, backend


def test_decode_frame_step_and_grey(tmp_path):
    path = vio.write_mp4(tmp_path / "count.mp4", counter_video())
    frames = vf.decode_frames(path, frame_step=3, channels=1, image_size=16)
    assert frames.shape == (8, 16, 16, 1)
    assert frame_index(frames.mean(axis=(1, 2, 3))).tolist() == [0, 3, 6, 9, 12, 15, 18, 21]
    assert vf.decode_frames(path, max_frames=5).shape[0] == 5


def test_resize_crop_and_pad_geometry():
    wide = np.zeros((1, 40, 80, 3), np.uint8)
    wide[:, :, :20] = 255  # white left quarter, cut away by a centre crop
    crop = vf.resize_frames(wide, 20, "crop")
    assert crop.shape == (1, 20, 20, 3) and crop.max() == 0
    pad = vf.resize_frames(np.full((1, 40, 80, 3), 200, np.uint8), 20, "pad")
    assert pad.shape == (1, 20, 20, 3)
    assert (pad[0, :5] == 0).all() and (pad[0, 15:] == 0).all()  # black bars top and bottom
    assert (pad[0, 5:15] == 200).all()  # the whole frame, 10 x 20, in the middle
    stretch = vf.resize_frames(wide, (10, 10), "stretch")
    assert stretch[0, :, :2].min() == 255 and stretch[0, :, 3:].max() == 0
    with pytest.raises(ValueError, match="image_size"):
        vf.resize_frames(wide, (0, 3))


def test_rotated_video_comes_out_upright(tmp_path):
    video = np.zeros((4, 64, 128, 3), np.uint8)
    video[:, :, :64, 1] = 255  # green left half
    src = vio.write_mp4(tmp_path / "landscape.mp4", video)
    rotated = tmp_path / "rotated.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-display_rotation", "90",
           "-i", str(src), "-c", "copy", str(rotated)]  # fmt: skip
    subprocess.run(cmd, check=True)
    for backend in ("opencv", "ffmpeg"):
        frames = vf.decode_frames(rotated, backend=backend)
        assert frames.shape == (4, 128, 64, 3), backend  # portrait, as a player shows it


# ---------------------------------------------------------------- video_clips


def test_video_clips_shapes_labels_and_range(folder):
    ds = vf.video_clips(folder, 8, image_size=32, with_labels=True, batch_size=2, seed=1)
    assert ds.class_names == ("a_run", "b_walk")
    batches = list(ds)
    assert len(batches) == 2  # 4 files, one clip each, batches of 2
    labels = sorted(int(v) for _, y in batches for v in y.numpy())
    assert labels == [0, 0, 1, 1]
    for x, y in batches:
        assert (
            x.shape == (2, 8, 32, 32, 3) and x.dtype.name == "float32" and y.dtype.name == "int32"
        )
        assert -1.0 <= float(np.min(x)) and float(np.max(x)) <= 1.0


def test_clips_are_consecutive_frames_with_the_step(folder):
    ds = vf.video_clips(folder / "b_walk" / "w1.mp4", 4, frame_step=2, image_size=16,
                        clips_per_video=3, sampling="even", shuffle=False)  # fmt: skip
    clips = collect(ds)
    # 24 frames, step 2 -> 12 kept; starts 0, 4, 8 of the kept frames
    starts = [frame_index(frame_values(c)).tolist() for c in clips]
    assert starts == [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18, 20, 22]]


def test_random_starts_stay_inside_the_video(tmp_path):
    path = vio.write_gif(tmp_path / "ten.gif", counter_video(t=10, h=16, w=16))
    ds = vf.video_clips(path, 8, image_size=16, clips_per_video=200, seed=3)
    firsts = {int(frame_index(frame_values(c))[0]) for c in collect(ds)}
    assert firsts == {0, 1, 2}  # every possible start, and none past 10 - 8


def test_gif_in_graph_matches_opencv_decoding(tmp_path):
    video = counter_video(t=12, h=40, w=60)
    video[:, 10:30, 20:40, 0] = 255
    path = vio.write_gif(tmp_path / "g.gif", video)
    graph = collect(vf.video_clips(path, 12, image_size=24, shuffle=False))[0]
    eager = vf.decode_frames(path, image_size=24)
    assert graph.shape == (12, 24, 24, 3)
    assert np.abs((graph + 1) * 127.5 - eager).mean() < 3


def test_target_fps(tmp_path):
    path = vio.write_mp4(tmp_path / "30fps.mp4", counter_video(t=30), fps=30)
    clip = collect(vf.video_clips(path, 10, fps=10, image_size=16, sampling="even"))[0]
    assert frame_index(frame_values(clip)).tolist() == list(range(0, 30, 3))


@pytest.mark.parametrize(
    "short, expected", [("loop", [0, 1, 2, 3, 4, 5, 0, 1]), ("pad", [0, 1, 2, 3, 4, 5, 5, 5])]
)
def test_short_videos_loop_or_pad(tmp_path, short, expected):
    path = vio.write_gif(tmp_path / "six.gif", counter_video(t=6, h=16, w=16))
    clip = collect(vf.video_clips(path, 8, image_size=16, short=short))[0]
    assert frame_index(frame_values(clip)).tolist() == expected


def test_short_videos_are_skipped_with_a_warning(tmp_path):
    vio.write_mp4(tmp_path / "long.mp4", counter_video(t=12))
    vio.write_mp4(tmp_path / "short.mp4", counter_video(t=5))
    ds, messages = quiet(vf.video_clips, tmp_path, 8, image_size=16)
    clips, more = quiet(collect, ds)
    assert len(clips) == 1  # never a zero-filled or empty clip
    assert any("short.mp4" in m and "fewer than a clip of 8" in m for m in messages + more)


def test_bad_files_are_skipped_with_one_warning_each_and_a_summary(tmp_path):
    good = vio.write_mp4(tmp_path / "good.mp4", counter_video(t=10))
    (tmp_path / "zero.mp4").write_bytes(b"")
    (tmp_path / "random.webm").write_bytes(np.random.default_rng(0).bytes(3000))
    (tmp_path / "text.avi").write_text("this is not a video\n" * 50)
    (tmp_path / "broken.gif").write_bytes(b"GIF89a" + bytes(40))
    data = good.read_bytes()
    (tmp_path / "cut_head.mp4").write_bytes(data[: len(data) // 3][-500:])  # header gone
    ds, messages = quiet(vf.video_clips, tmp_path, 8, image_size=16)
    assert len(collect(ds)) == 1
    for name in ("zero.mp4", "random.webm", "text.avi", "broken.gif", "cut_head.mp4"):
        assert sum(name in m and "skipping" in m for m in messages) == 1, name
    assert "0 bytes" in ds.skipped[str(tmp_path / "zero.mp4")]
    assert "GIF" in ds.skipped[str(tmp_path / "broken.gif")]
    assert any("5 of 6 files" in m and "1 are used" in m for m in messages)


def test_truncated_file_gives_real_frames_only(tmp_path):
    video = counter_video(t=40, h=64, w=64).astype(np.int16)
    video += np.random.default_rng(0).integers(-8, 9, video.shape, dtype=np.int16)  # real bits
    data = vio.write_mp4(tmp_path / "full.mp4", video.astype(np.uint8)).read_bytes()
    cut = tmp_path / "cut" / "truncated.mp4"
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) // 2])  # +faststart: the index is first, frames half gone
    clips, _ = quiet(collect, vf.video_clips(cut.parent, 4, image_size=16, short="pad",
                                             clips_per_video=4, sampling="even"))  # fmt: skip
    for clip in clips:
        values = frame_values(clip)
        assert values.min() > 15  # no black (zero-filled) frame anywhere
        assert np.all(np.diff(frame_index(values)) == 1)


def test_empty_and_unreadable_folders_are_clear_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no video files in folder"):
        vf.video_clips(tmp_path / "empty", 4)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.mp4").write_bytes(b"")
    (bad / "b.mp4").write_text("nope")
    with pytest.raises(ValueError, match=r"no readable video in '.*bad': all 2 files failed"):
        quiet(vf.video_clips, bad, 4)


def test_mixed_grey_rgb_sizes_and_frame_rates(tmp_path):
    vio.write_mp4(tmp_path / "grey.mp4", counter_video(t=16, h=64, w=96, c=1), fps=8)
    colour = counter_video(t=24, h=80, w=64)
    colour[..., 2] = 0
    vio.write_mp4(tmp_path / "colour.mp4", colour, fps=24)
    vio.write_gif(tmp_path / "small.gif", counter_video(t=9, h=20, w=30), fps=5)
    for channels in (1, 3):
        clips = collect(vf.video_clips(tmp_path, 8, image_size=24, channels=channels))
        assert len(clips) == 3
        assert all(c.shape == (8, 24, 24, channels) for c in clips)


def test_cache_is_used_in_later_epochs(tmp_path, monkeypatch):
    src = tmp_path / "src"
    vio.write_mp4(src / "a.mp4", counter_video(t=12))
    vio.write_gif(src / "b.gif", counter_video(t=12))
    cache = tmp_path / "cache"
    kwargs = dict(image_size=16, sampling="even", shuffle=False, cache_dir=cache)
    first = collect(vf.video_clips(src, 8, **kwargs))
    assert len(list(cache.glob("*.npy"))) == 2

    calls = []
    original = vf.decode_frames
    monkeypatch.setattr(vf, "decode_frames", lambda *a, **k: calls.append(a) or original(*a, **k))
    again = collect(vf.video_clips(src, 8, **kwargs))
    assert calls == []  # nothing decoded a second time
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    other = collect(vf.video_clips(src, 8, **{**kwargs, "image_size": 8}))  # new key
    assert other[0].shape[1] == 8 and len(list(cache.glob("*.npy"))) == 4


def test_repeat_batch_and_bad_arguments(folder):
    ds = vf.video_clips(folder, 4, image_size=16, batch_size=3, repeat=True)
    assert [tuple(x.shape) for x in ds.take(3)] == [(3, 4, 16, 16, 3)] * 3
    with pytest.raises(ValueError, match="resize must be one of"):
        vf.video_clips(folder, 4, resize="zoom")
    with pytest.raises(ValueError, match="num_frames must be an integer >= 1"):
        vf.video_clips(folder, 0)
    with pytest.raises(ValueError, match="has no labels"):
        vf.video_clips(folder / "b_walk", 4, with_labels=True)


def test_load_clips_arrays(folder):
    clips, labels = vf.load_clips(folder, 8, image_size=16, shuffle=False, sampling="even")
    assert clips.shape == (4, 8, 16, 16, 3) and clips.dtype == np.uint8
    assert labels.tolist() == [0, 0, 1, 1]


def test_tfio_backend(tmp_path):
    if not vf.tfio_available():
        pytest.skip("tensorflow-io is not loadable with this TensorFlow (built for TF 2.16 only)")
    path = vio.write_mp4(tmp_path / "a.mp4", counter_video(t=6))
    assert vf.decode_frames(path, backend="tfio").shape == (6, 64, 64, 3)


def test_tfio_backend_missing_is_a_clear_error(folder):
    if vf.tfio_available():
        pytest.skip("tensorflow-io loads here: the missing-backend message cannot be shown")
    with pytest.raises(ValueError, match="tensorflow-io.*backend='auto'"):
        vf.video_clips(folder, 4, backend="tfio")


def test_without_cache_decoding_stops_after_the_last_needed_frame(tmp_path, monkeypatch):
    path = vio.write_mp4(tmp_path / "long.mp4", counter_video(t=24))
    seen = []
    original = vf.decode_frames
    monkeypatch.setattr(vf, "decode_frames", lambda *a, **k: seen.append(k) or original(*a, **k))
    clip = collect(vf.video_clips(path, 4, image_size=16, sampling="even"))[0]
    assert frame_index(frame_values(clip)).tolist() == [10, 11, 12, 13]  # the middle clip
    assert [k.get("max_frames") for k in seen] == [14]  # frames 14..23 never decoded


def test_probe_results_are_cached_with_the_frames(tmp_path, monkeypatch):
    src = tmp_path / "src"
    vio.write_mp4(src / "a.mp4", counter_video(t=12))
    (src / "bad.mp4").write_bytes(b"")
    cache = tmp_path / "cache"
    first, messages = quiet(vf.video_clips, src, 8, image_size=16, cache_dir=cache)
    assert (cache / "probes.json").is_file() and len(first.files) == 1
    calls = []
    original = vf.probe_video
    monkeypatch.setattr(vf, "probe_video", lambda *a, **k: calls.append(a) or original(*a, **k))
    again, messages = quiet(vf.video_clips, src, 8, image_size=16, cache_dir=cache)
    assert calls == [] and again.files == first.files  # nothing opened again
    assert any("bad.mp4" in m and "0 bytes" in m for m in messages)  # still warned each run
    vio.write_mp4(src / "a.mp4", counter_video(t=14))  # the file changed: probed again
    quiet(vf.video_clips, src, 8, image_size=16, cache_dir=cache)
    assert [str(a[0]) for a in calls] == [str(src / "a.mp4")]
