"""``tfvidgan sample`` on the video families of issue 14: --num-frames, --first-frame, --label.

Tiny runs are trained once per module through ``tfvidgan.cli.main`` (in-process: one TensorFlow
import); every wrong combination must end with one line on stderr and exit status 2.
"""

import numpy as np
import pytest
from PIL import Image

from tfvidgan.cli import main

pytestmark = pytest.mark.slow  # trains three tiny runs (about 30 s on 2 shared cores)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    out = {}
    for model in ("mocogan", "image_to_video", "video_cgan"):
        out[model] = root / model
        assert main(["train", "--model", model, "--preset", "tiny", "--out", str(out[model])]) == 0
    return out


def fails_with(capsys, argv, *words):
    """``main(argv)`` exits with 2 and one stderr line holding every word."""
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for word in words:
        assert word in err, err
    return err


def write_png(path, pixels):
    Image.fromarray(pixels).save(path)
    return str(path)


def test_num_frames_draws_longer_clips_than_trained(runs, tmp_path):
    out = tmp_path / "long.npz"
    argv = ["sample", "--run", str(runs["mocogan"]), "--num", "3", "--out", str(out)]
    assert main(argv + ["--num-frames", "12"]) == 0  # the tiny preset trains on 4 frames
    videos = np.load(out)["videos"]
    assert videos.shape == (3, 12, 16, 16, 1) and videos.dtype == np.uint8
    assert main(argv) == 0
    assert np.load(out)["videos"].shape[1] == 4


def test_video_cgan_draws_the_asked_label_for_longer_clips(runs, tmp_path):
    out = tmp_path / "sevens.npz"
    argv = ["sample", "--run", str(runs["video_cgan"]), "--num", "2", "--out", str(out)]
    assert main(argv + ["--label", "7", "--num-frames", "6"]) == 0
    saved = np.load(out)
    assert saved["videos"].shape == (2, 6, 16, 16, 1)
    np.testing.assert_array_equal(saved["labels"], [7, 7])


def test_first_frame_png_starts_every_clip(runs, tmp_path):
    pixels = np.zeros((16, 16), np.uint8)
    pixels[4:12, 6:10] = 255  # a white bar
    out = tmp_path / "from_bar.npz"
    argv = ["sample", "--run", str(runs["image_to_video"]), "--num", "2", "--out", str(out)]
    assert main(argv + ["--first-frame", write_png(tmp_path / "bar.png", pixels)]) == 0
    videos = np.load(out)["videos"]
    assert videos.shape == (2, 4, 16, 16, 1)
    np.testing.assert_array_equal(videos[:, 0, ..., 0], np.stack([pixels, pixels]))
    assert main(argv + ["--num-frames", "7"]) == 0  # real first frames when none is given
    assert np.load(out)["videos"].shape == (2, 7, 16, 16, 1)


def test_first_frames_from_an_npz_of_videos_or_images(runs, tmp_path):
    clips = np.zeros((2, 3, 16, 16, 1), np.uint8)
    clips[0, 0, :8], clips[1, 0, 8:] = 255, 255
    np.savez(tmp_path / "clips.npz", videos=clips)
    out = tmp_path / "s.npz"
    argv = ["sample", "--run", str(runs["image_to_video"]), "--num", "4", "--out", str(out)]
    assert main(argv + ["--first-frame", str(tmp_path / "clips.npz")]) == 0
    first = np.load(out)["videos"][:, 0]
    np.testing.assert_array_equal(first, clips[[0, 1, 0, 1], 0])  # used in turn
    np.savez(tmp_path / "images.npz", images=clips[:, 0])
    assert main(argv + ["--first-frame", str(tmp_path / "images.npz")]) == 0


def test_wrong_combinations_end_with_one_line_and_status_2(runs, tmp_path, capsys):
    i2v = ["sample", "--run", str(runs["image_to_video"]), "--out", str(tmp_path / "x.gif")]
    moco = ["sample", "--run", str(runs["mocogan"]), "--out", str(tmp_path / "x.gif")]
    grey = np.zeros((16, 16), np.uint8)
    rgb = write_png(tmp_path / "rgb.png", np.zeros((16, 16, 3), np.uint8))
    big = write_png(tmp_path / "big.png", np.zeros((32, 32), np.uint8))
    (tmp_path / "broken.png").write_bytes(b"not an image")
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))

    fails_with(capsys, moco + ["--label", "3"], "--label needs a conditional run")
    fails_with(
        capsys, moco + ["--first-frame", write_png(tmp_path / "g.png", grey)], "image_to_video"
    )
    fails_with(capsys, moco + ["--num-frames", "0"], "--num-frames must be", ">= 1")
    fails_with(capsys, i2v + ["--num-frames", "1"], "--num-frames must be", ">= 2")
    fails_with(capsys, i2v + ["--label", "3"], "--label needs a conditional run")
    fails_with(capsys, i2v + ["--first-frame", rgb], "3 channel(s)", "convert it to grey")
    fails_with(capsys, i2v + ["--first-frame", big], "resize or crop it to 16x16")
    fails_with(capsys, i2v + ["--first-frame", str(tmp_path / "broken.png")], "cannot read")
    fails_with(capsys, i2v + ["--first-frame", str(tmp_path / "missing.png")], "no such file")
    fails_with(capsys, i2v + ["--first-frame", str(tmp_path / "other.npz")], "'images'", "weights")


def test_num_frames_is_refused_for_families_that_cannot_extend(tmp_path, capsys):
    run = tmp_path / "tgan"
    assert main(["train", "--model", "tgan", "--preset", "tiny", "--out", str(run)]) == 0
    argv = ["sample", "--run", str(run), "--out", str(tmp_path / "x.gif"), "--num-frames", "16"]
    fails_with(
        capsys, argv, "--num-frames needs a family whose recurrent motion", "leave out --num-frames"
    )
