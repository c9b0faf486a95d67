"""tfvidgan.runs: the run folder's files, written and read back."""

import json

import numpy as np
import pytest
from PIL import Image

from tfvidgan import models, runs
from tfvidgan.config import TrainConfig, get_config
from tfvidgan.train import resolve_data
from tfvidgan.video_io import read_video


def _build(family):
    cfg = resolve_data(get_config(family, "tiny"))
    return models.build(cfg), cfg


def _write_history(path, rows):
    path.write_text(
        "epoch,d_loss,g_loss,val_d_loss\n" + "".join(f"{e},{d},{g},NA\n" for e, d, g in rows)
    )


def test_check_writable_creates_the_folder_or_says_why_not(tmp_path):
    out = runs.check_writable(tmp_path / "a" / "b")
    assert out.is_dir() and list(out.iterdir()) == []  # the probe file is gone
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OSError, match="cannot write to output folder .*; choose another --out"):
        runs.check_writable(tmp_path / "file" / "run")


def test_load_config_reads_a_run_and_refuses_what_is_not_one(tmp_path):
    cfg = get_config("vgan", "tiny", steps=9)
    (tmp_path / "config.json").write_text(cfg.to_json())
    assert runs.load_config(tmp_path) == cfg
    with pytest.raises(
        FileNotFoundError, match="is not a tfvidgan run folder \\(no config.json\\)"
    ):
        runs.load_config(tmp_path / "missing")
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(ValueError, match="is not a tfvidgan config"):
        runs.load_config(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model": "vgan", "motion_dims": 3}))
    with pytest.raises(ValueError, match="is not a tfvidgan config.*unknown config fields"):
        runs.load_config(tmp_path)


def test_read_history_drops_the_empty_validation_columns(tmp_path):
    _write_history(tmp_path / "history.csv", [(0, 1.5, 0.5), (1, 1.25, 0.75)])
    history = runs.read_history(tmp_path / "history.csv")
    assert set(history) == {"epoch", "d_loss", "g_loss"}
    np.testing.assert_array_equal(history["d_loss"], [1.5, 1.25])
    assert history["epoch"].dtype == np.float64


def test_plot_history_and_histogram_write_pngs(tmp_path):
    _write_history(tmp_path / "history.csv", [(0, 1.5, 0.5), (1, 1.25, 0.75)])
    curve = runs.plot_history(tmp_path / "history.csv", tmp_path / "loss.png")
    assert Image.open(curve).size == (600, 350)  # 6 x 3.5 inches at 100 dpi
    samples = np.random.default_rng(0).normal(4, 1.25, (200, 1)).astype("float32")
    hist = runs.plot_histogram(samples, TrainConfig(model="gaussian"), tmp_path / "h.png")
    assert Image.open(hist).size == (500, 300)


def test_write_run_outputs_of_a_video_model(tmp_path):
    model, cfg = _build("vgan")
    _write_history(tmp_path / "history.csv", [(0, 1.5, 0.5)])
    paths = runs.write_run_outputs(model, cfg, tmp_path, num=4)
    assert set(paths) == {"gif", "mp4", "png", "loss_curve"}
    gif, mp4 = read_video(paths["gif"]), read_video(paths["mp4"])
    assert gif.shape[0] == mp4.shape[0] == cfg.num_frames  # one grid frame per clip frame
    assert gif.shape[1:3] == (2 * 33 - 1, 2 * 33 - 1)  # 2 x 2 clips of 32 x 32, 1 pixel apart
    width, height = Image.open(paths["png"]).size
    assert height == 4 * 33 - 1 and width == cfg.num_frames * 33 - 1  # a clip per row


def test_write_run_outputs_of_an_image_and_a_vector_model(tmp_path):
    model, cfg = _build("dcgan")
    paths = runs.write_run_outputs(model, cfg, tmp_path)
    assert set(paths) == {"png"}  # no history.csv, no loss curve
    assert Image.open(paths["png"]).size == (4 * 33 - 1, 4 * 33 - 1)  # 16 digits, 4 x 4
    model, cfg = _build("gaussian")
    paths = runs.write_run_outputs(model, cfg, tmp_path)
    assert Image.open(paths["png"]).size == (500, 300)  # the histogram against the real density
