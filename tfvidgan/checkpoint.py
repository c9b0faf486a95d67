"""Checkpoints that hold both networks *and* both optimizers, so training resumes.

A subclassed Keras GAN saved to ``.keras`` does not restore its custom
optimizers, so a run directory keeps, per save::

    ckpt-000500/generator.weights.h5        (VAE: encoder / decoder)
    ckpt-000500/discriminator.weights.h5
    ckpt-000500/optimizers.npz               every optimizer variable, in order
    checkpoint.json                          {"latest": "ckpt-000500", "step": 500, ...}

``checkpoint.json`` is replaced atomically after the new folder is complete, and
older folders are deleted only then: a crash mid-save loses nothing saved before.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import keras
import numpy as np

FORMAT = "tfvidgan-checkpoint-1"


class CheckpointError(ValueError):
    """A run folder has no usable checkpoint (missing, foreign or damaged)."""


def _parts(model):
    """(networks, optimizers) of a model, as name -> object dicts (its ``checkpoint_items``)."""
    items = model.checkpoint_items()
    optimizers = {k: v for k, v in items.items() if isinstance(v, keras.optimizers.Optimizer)}
    return {k: v for k, v in items.items() if k not in optimizers}, optimizers


def latest_checkpoint(run_dir) -> dict | None:
    """The contents of ``run_dir/checkpoint.json``, or None when there is none."""
    index = Path(run_dir) / "checkpoint.json"
    if not index.exists():
        return None
    try:
        info = json.loads(index.read_text())
    except json.JSONDecodeError as err:
        raise CheckpointError(f"{index} is damaged ({err}); delete it to start a new run") from None
    if info.get("format") != FORMAT:
        raise CheckpointError(
            f"{index} is not a tfvidgan checkpoint (format {info.get('format')!r})"
        )
    return info


def save_checkpoint(model, run_dir) -> Path:
    """Save networks and optimizer state under ``run_dir``; returns the new folder."""
    run_dir = Path(run_dir)
    step = model.trained_steps
    name = f"ckpt-{step:06d}"
    tmp = run_dir / (name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    networks, optimizers = _parts(model)
    model.build_optimizers()
    for part, net in networks.items():
        net.save_weights(tmp / f"{part}.weights.h5")
    arrays = {
        f"{opt_name}/{i}": keras.ops.convert_to_numpy(v)
        for opt_name, opt in optimizers.items()
        for i, v in enumerate(opt.variables)
    }
    np.savez(tmp / "optimizers.npz", **arrays)
    final = run_dir / name
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    index = run_dir / "checkpoint.json.tmp"
    index.write_text(
        json.dumps({"format": FORMAT, "latest": name, "step": step, "parts": sorted(networks)})
    )
    os.replace(index, run_dir / "checkpoint.json")
    for old in run_dir.glob("ckpt-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return final


def restore_checkpoint(model, run_dir) -> int:
    """Load the latest checkpoint of ``run_dir`` into ``model``; returns its step.

    Raises :class:`CheckpointError` with advice when it is missing or was made
    by a different architecture.
    """
    run_dir = Path(run_dir)
    info = latest_checkpoint(run_dir)
    if info is None:
        raise CheckpointError(
            f"no checkpoint in {run_dir}: train first with `tfvidgan train --out {run_dir}`"
        )
    folder = run_dir / info["latest"]
    networks, optimizers = _parts(model)
    if sorted(networks) != info.get("parts"):
        raise CheckpointError(
            f"{folder} holds {info.get('parts')}, but this model has {sorted(networks)}"
        )
    try:
        for part, net in networks.items():
            net.load_weights(folder / f"{part}.weights.h5")
    except (ValueError, OSError, KeyError) as err:
        raise CheckpointError(
            f"{folder} does not fit this model ({err}). It was made with another configuration: "
            f"use the run's own config.json, or another --out folder"
        ) from None
    model.build_optimizers()
    with np.load(folder / "optimizers.npz") as saved:
        for opt_name, opt in optimizers.items():
            for i, v in enumerate(opt.variables):
                key = f"{opt_name}/{i}"
                if key not in saved or saved[key].shape != tuple(v.shape):
                    raise CheckpointError(
                        f"optimizer state in {folder} does not fit this model ({key})"
                    )
                v.assign(saved[key])
    return int(info["step"])
