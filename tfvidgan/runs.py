"""The run folder: what ``tfvidgan train`` writes and what later commands read::

<out>/config.json       the configuration (used again on resume)
<out>/history.csv       losses per epoch (keras.callbacks.CSVLogger)
<out>/checkpoint.json   + ckpt-NNNNNN/: networks and optimizers (tfvidgan.checkpoint)
<out>/logs/train/       TensorBoard: scalars, sample grids, GIFs, diversity
<out>/loss_curve.png, samples.gif, samples.mp4, samples.png
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from tfvidgan import data, video_io
from tfvidgan.config import TrainConfig
from tfvidgan.models import get_family


def check_writable(out_dir) -> Path:
    """Create ``out_dir`` and make sure files can be written in it."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as err:
        raise OSError(
            f"cannot write to output folder {out} ({err.strerror or err}); choose another --out"
        ) from None
    return out


def load_config(run_dir) -> TrainConfig:
    """The ``config.json`` of a run folder, with clear errors when it is not one."""
    path = Path(run_dir) / "config.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{run_dir} is not a tfvidgan run folder (no config.json); "
            f"train one with `tfvidgan train --out {run_dir}`"
        )
    try:
        return TrainConfig.from_dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, TypeError, ValueError) as err:
        raise ValueError(f"{path} is not a tfvidgan config ({err})") from None


def write_run_outputs(model, cfg: TrainConfig, out: Path, num: int = 16) -> dict:
    """Write samples (GIF + MP4 for video, PNG grid) and the loss curve."""
    paths = {}
    vector = get_family(cfg.model).kind == "vector"
    samples = model.sample(2000 if vector else num, seed=0)
    if samples.ndim == 5:
        grid = video_io.video_grid(samples)
        paths["gif"] = video_io.write_gif(out / "samples.gif", grid)
        paths["mp4"] = video_io.write_mp4(out / "samples.mp4", grid)
        paths["png"] = video_io.save_png(
            out / "samples.png", video_io.video_frames_grid(samples[:8])
        )
    elif samples.ndim == 4:
        paths["png"] = video_io.save_png(out / "samples.png", video_io.image_grid(samples))
    else:
        paths["png"] = plot_histogram(samples, cfg, out / "samples.png")
    if (out / "history.csv").exists():
        paths["loss_curve"] = plot_history(out / "history.csv", out / "loss_curve.png")
    return paths


def read_history(path) -> dict[str, np.ndarray]:
    """``history.csv`` as column name -> float array."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [
        k for k in (rows[0] if rows else {}) if rows[0][k] != "NA"
    ]  # CSVLogger adds empty val_* columns
    return {k: np.array([float(r[k]) for r in rows]) for k in columns}


def plot_history(csv_path, png_path) -> Path:
    """Loss curves per epoch from a CSVLogger file, saved as PNG."""
    import matplotlib  # lazy: slow to load, and its backend is chosen before pyplot

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hist = read_history(csv_path)
    keys = [k for k in hist if k.endswith("loss") or k == "elbo"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for k in keys:
        ax.plot(hist["epoch"] + 1, hist[k], label=k)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
    return Path(png_path)


def plot_histogram(samples, cfg: TrainConfig, png_path) -> Path:
    """1-D samples against the real Gaussian's density (the gaussian family)."""
    import matplotlib  # lazy: slow to load, and its backend is chosen before pyplot

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    real = data.gaussian_1d(len(samples) * 8, seed=cfg.seed + 1)
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(real[:, 0], bins=40, density=True, alpha=0.5, label="real")
    ax.hist(samples[:, 0], bins=40, density=True, alpha=0.5, label="generated")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
    return Path(png_path)
