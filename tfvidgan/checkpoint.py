"""Checkpoints that survive ``kill -9``: networks, optimizers, noise and data position.

A subclassed Keras GAN saved to ``.keras`` does not restore its custom
optimizers, so a run folder keeps its own checkpoints, the newest few of them::

    ckpt-000500/generator.weights.h5        (VAE: encoder / decoder)
    ckpt-000500/discriminator.weights.h5
    ckpt-000500/optimizers.npz               every optimizer variable, in order
    ckpt-000500/noise.npz                    the state of every SeedGenerator (model and layers)
    ckpt-000500/manifest.json                step, batches read, strategy, precision, and
                                             the size and SHA-256 of every file above
    checkpoint.json                          {"latest": "ckpt-000500", "step": 500, ...}

Writing is atomic: a checkpoint is written into ``ckpt-000500.tmp``, each file
flushed to disk, and the folder renamed only when complete; ``checkpoint.json``
is replaced the same way, and older checkpoints are deleted only after that.
A run killed at any moment therefore has its previous checkpoints intact.

Restoring checks the manifest first: a checkpoint whose files are missing,
truncated or changed is reported as *damaged* (with a warning that names it)
and the next older one is used instead. A checkpoint whose files are intact
but do not fit the model was *made with another configuration*, which no
older checkpoint of the same run can fix, so that is an error.

Every random draw in training comes from a :class:`keras.random.SeedGenerator`
(the model's ``seed_generator`` and those of layers such as ``RandomFrames`` and
``Sampling``); their states are saved too, so a resumed run draws the noise the
uninterrupted run would have drawn. The data position is the number of batches
read, one per step: :func:`tfvidgan.train.train` skips that many on resume.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path

import keras
import numpy as np

FORMAT = "tfvidgan-checkpoint-2"
FILES = ("optimizers.npz", "noise.npz")  # besides one <part>.weights.h5 per network


class CheckpointError(ValueError):
    """A run folder has no usable checkpoint (missing, foreign or damaged)."""


class CheckpointWriteError(CheckpointError, OSError):
    """A checkpoint could not be written (disk full, folder removed, ...)."""


class CheckpointWarning(UserWarning):
    """A damaged checkpoint was skipped in favour of an older one."""


# --- what a model's checkpoint holds -----------------------------------------


def _parts(model):
    """(networks, optimizers) of a model, as name -> object dicts (its ``checkpoint_items``)."""
    items = model.checkpoint_items()
    optimizers = {k: v for k, v in items.items() if isinstance(v, keras.optimizers.Optimizer)}
    return {k: v for k, v in items.items() if k not in optimizers}, optimizers


def seed_states(model) -> list:
    """The state variables of every :class:`keras.random.SeedGenerator` of ``model``,
    its own and its layers', in a fixed order."""
    return [v for v in model.variables if v.name == "seed_generator_state"]


# --- finding checkpoints -----------------------------------------------------


def _step_of(folder: Path) -> int:
    return int(folder.name.split("-", 1)[1])


def list_checkpoints(run_dir) -> list[Path]:
    """Complete checkpoint folders of ``run_dir``, newest first (damaged ones included)."""
    found = [
        p
        for p in Path(run_dir).glob("ckpt-*")
        if p.is_dir() and p.name[5:].isdigit() and (p / "manifest.json").exists()
    ]
    return sorted(found, key=_step_of, reverse=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checkpoint(folder) -> dict:
    """The manifest of ``folder`` after checking every file against it.

    Raises :class:`CheckpointError` naming the first missing, truncated or
    changed file.
    """
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{folder} is damaged (manifest.json unreadable: {err})") from None
    if manifest.get("format") != FORMAT:
        raise CheckpointError(
            f"{folder} is not a tfvidgan checkpoint of this version "
            f"(format {manifest.get('format')!r}, expected {FORMAT!r})"
        )
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.exists():
            raise CheckpointError(f"{folder} is damaged: {name} is missing")
        size = path.stat().st_size
        if size != expected["bytes"]:
            raise CheckpointError(
                f"{folder} is damaged: {name} has {size} bytes, {expected['bytes']} were written"
            )
        if _sha256(path) != expected["sha256"]:
            raise CheckpointError(f"{folder} is damaged: {name} changed after it was written")
    return manifest


def latest_checkpoint(run_dir) -> dict | None:
    """The manifest of the newest intact checkpoint of ``run_dir``, or None when
    there is none at all; newer damaged ones are skipped with a warning.

    Raises :class:`CheckpointError` when there are checkpoints but every one is damaged.
    """
    folders = list_checkpoints(run_dir)
    problems = []
    for folder in folders:
        try:
            manifest = verify_checkpoint(folder)
        except CheckpointError as err:
            problems.append(str(err))
            continue
        for problem in problems:
            warnings.warn(
                f"{problem}; resuming from the older {folder.name} instead",
                CheckpointWarning,
                stacklevel=2,
            )
        return {**manifest, "latest": folder.name, "folder": str(folder)}
    if not problems and (Path(run_dir) / "checkpoint.json").exists():
        raise CheckpointError(
            f"{run_dir}/checkpoint.json names a checkpoint but no complete ckpt-* folder is "
            "there (deleted, or written by an older tfvidgan): start again in a new --out folder"
        )
    if problems:
        raise CheckpointError(
            f"every checkpoint in {run_dir} is damaged ({'; '.join(problems)}): "
            f"this run cannot continue, start it again in a new --out folder"
        )
    return None


# --- saving ----------------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_checkpoint(model, run_dir, keep: int = 3, info: dict | None = None) -> Path:
    """Save networks, optimizers, noise state and data position under ``run_dir``.

    Args:
        model: any tfvidgan model (the model protocol of :mod:`tfvidgan.models.base`).
        run_dir: the run folder.
        keep: how many checkpoints to keep, newest first (at least 1; keep more
            than one, so that a damaged newest one has an older one to fall back to).
        info: extra facts for the manifest (the strategy and precision it ran with).

    Returns the new checkpoint folder. Raises :class:`CheckpointWriteError` when
    the disk is full or the folder cannot be written; the earlier checkpoints
    are then left as they were.
    """
    if int(keep) < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    run_dir = Path(run_dir)
    step = model.trained_steps
    name = f"ckpt-{step:06d}"
    tmp = run_dir / (name + ".tmp")
    try:
        for stale in run_dir.glob("ckpt-*.tmp"):  # left by a run killed while saving
            shutil.rmtree(stale, ignore_errors=True)
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
        seeds = {f"{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(seed_states(model))}
        np.savez(tmp / "noise.npz", **seeds)
        files = {}
        for path in sorted(tmp.iterdir()):
            _fsync(path)
            files[path.name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT,
            "step": step,
            "batches": step,  # one batch per step: the data position
            "parts": sorted(networks),
            "optimizers": sorted(optimizers),
            "seeds": len(seeds),
            **(info or {}),
            "files": files,
        }
        _write_atomically(tmp / "manifest.json", json.dumps(manifest, indent=1))
        final = run_dir / name
        shutil.rmtree(final, ignore_errors=True)  # the same step saved again
        os.replace(tmp, final)
        index = {"format": FORMAT, "latest": name, "step": step, "parts": sorted(networks)}
        _write_atomically(run_dir / "checkpoint.json", json.dumps(index))
        _fsync(run_dir)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        previous = [p.name for p in list_checkpoints(run_dir) if p.name != name]
        kept = f"the previous checkpoint {previous[0]} is intact" if previous else "none was kept"
        raise CheckpointWriteError(
            f"could not write checkpoint {name} in {run_dir} ({err.strerror or err}); {kept}. "
            "Free some space (or fix the folder) and run the same command again to resume"
        ) from None
    for old in list_checkpoints(run_dir)[int(keep) :]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --- restoring ---------------------------------------------------------------------


def restore_checkpoint(model, run_dir, networks_only: bool = False) -> int:
    """Load the newest intact checkpoint of ``run_dir`` into ``model``; returns its step.

    ``networks_only=True`` loads the networks' weights alone (to sample or export
    in another precision than the run trained in). Damaged checkpoints are
    skipped with a :class:`CheckpointWarning` naming them. Raises
    :class:`CheckpointError` with advice when there is none, or when it was
    made by a different configuration.
    """
    run_dir = Path(run_dir)
    info = latest_checkpoint(run_dir)
    if info is None:
        raise CheckpointError(
            f"no checkpoint in {run_dir}: train first with `tfvidgan train --out {run_dir}`"
        )
    folder = Path(info["folder"])
    networks, optimizers = _parts(model)
    other_config = (
        "It was made with another configuration: use the run's own config.json, "
        "or another --out folder"
    )
    if sorted(networks) != info["parts"] or (
        not networks_only and sorted(optimizers) != info["optimizers"]
    ):
        raise CheckpointError(
            f"{folder} holds {info['parts'] + info['optimizers']}, but this model has "
            f"{sorted(networks) + sorted(optimizers)}. {other_config}"
        )
    try:
        for part, net in networks.items():
            net.load_weights(folder / f"{part}.weights.h5")
    except (ValueError, OSError, KeyError) as err:
        raise CheckpointError(f"{folder} does not fit this model ({err}). {other_config}") from None
    if networks_only:
        return int(info["step"])
    model.build_optimizers()
    with np.load(folder / "optimizers.npz") as saved:
        expected = {f"{n}/{i}" for n, opt in optimizers.items() for i in range(len(opt.variables))}
        if set(saved.files) != expected:
            raise CheckpointError(
                f"the optimizer state in {folder} does not fit this model ({len(saved.files)} "
                f"variables saved, {len(expected)} here; another precision?). {other_config}"
            )
        for opt_name, opt in optimizers.items():
            for i, v in enumerate(opt.variables):
                value = saved[f"{opt_name}/{i}"]
                if value.shape != tuple(v.shape):
                    raise CheckpointError(
                        f"the optimizer state in {folder} does not fit this model "
                        f"({opt_name}/{i}). {other_config}"
                    )
                v.assign(value)
    states = seed_states(model)
    with np.load(folder / "noise.npz") as saved:
        if len(saved.files) != len(states):
            raise CheckpointError(
                f"{folder} holds {len(saved.files)} noise generators, this model has "
                f"{len(states)}. {other_config}"
            )
        for i, v in enumerate(states):
            v.assign(saved[f"{i}"])
    return int(info["step"])
