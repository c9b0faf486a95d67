"""Train any family from a :class:`~tfvidgan.config.TrainConfig`, with resume.

This is what ``tfvidgan train`` and ``tfvidgan demo`` run. A notebook can do the
same in four lines (:func:`tfvidgan.models.build`, :func:`make_dataset`,
``fit``); this module adds the run folder around it (:mod:`tfvidgan.runs`).
"""

from __future__ import annotations

import sys
import time

import keras
import tensorflow as tf

from tfvidgan import callbacks as cb
from tfvidgan import data, models, runtime
from tfvidgan.checkpoint import latest_checkpoint, restore_checkpoint
from tfvidgan.config import TrainConfig
from tfvidgan.runs import check_writable, load_config, write_run_outputs


class TrainingDiverged(RuntimeError):
    """A loss or weight became NaN/Inf; the last good checkpoint (if any) was kept."""


# fields a resumed run takes from the new command, not from the run's config.json
RUN_FIELDS = ("steps", "max_minutes", "checkpoint_every", "checkpoint_minutes", "keep_checkpoints")
RUN_FIELDS += ("strategy", "precision")  # checked against the checkpoint's
# the advice of TrainingDiverged, named for the families that take them
_STABILISERS = (("gradient_penalty", "--gradient-penalty 10"), ("spectral_norm", "--spectral-norm"))


def check_run_fields(cfg: TrainConfig) -> None:
    """Refuse step counts and checkpoint intervals that cannot mean anything."""
    for name in ("steps", "steps_per_epoch", "keep_checkpoints"):
        if getattr(cfg, name) < 1:
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"{flag} must be at least 1, got {getattr(cfg, name)}")
    for name in ("checkpoint_every", "checkpoint_minutes"):
        if getattr(cfg, name) < 0:
            flag = "--" + name.replace("_", "-")
            raise ValueError(
                f"{flag} must be positive (or 0, the default), got {getattr(cfg, name)}"
            )
    if cfg.max_minutes is not None and cfg.max_minutes <= 0:
        raise ValueError(f"--max-minutes must be positive, got {cfg.max_minutes}")


def check_resume(info: dict, strategy_name: str, replicas: int, precision: str) -> None:
    """A run resumes only under the strategy and precision it was trained with."""
    was = info.get("strategy"), info.get("replicas"), info.get("precision")
    if was[0] is not None and (was[0], was[1]) != (strategy_name, replicas):
        raise runtime.StrategyError(
            f"this run was trained with --strategy {was[0]} on {was[1]} replica(s), not "
            f"{strategy_name} on {replicas}: resume it as it was trained, or use another --out"
        )
    if was[2] is not None and was[2] != precision:
        raise ValueError(
            f"this run was trained in {was[2]}, not {precision}: resume it with "
            f"--precision {was[2]}, or use another --out"
        )


def resolve_data(cfg: TrainConfig) -> TrainConfig:
    """Check that ``cfg.data`` suits ``cfg.model`` and copy its channels and classes."""
    family = models.get_family(cfg.model)
    spec = data.get_spec(cfg.data)
    if spec.kind != family.kind:
        valid = [n for n in data.dataset_names() if data.get_spec(n).kind == family.kind]
        raise ValueError(
            f"model {cfg.model!r} needs {family.kind} data, but {cfg.data!r} is {spec.kind} "
            f"data; use one of {valid}"
        )
    if family.conditional and spec.num_classes < 2:
        raise ValueError(f"model {cfg.model!r} needs labelled data; {cfg.data!r} has no labels")
    cfg.channels = spec.channels
    if spec.num_classes:
        cfg.num_classes = spec.num_classes
    return cfg


def make_dataset(cfg: TrainConfig):
    """The ``tf.data`` pipeline of ``cfg.data``; yields ``(x, labels)`` for conditional families."""
    return data.make_dataset(
        cfg.data,
        batch_size=cfg.batch_size,
        num=cfg.num_examples,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=cfg.seed,
        with_labels=models.get_family(cfg.model).conditional,
    )


def with_shape_1(model) -> None:
    """Make ``model``'s step return its logs with shape ``(1,)`` instead of ``()``.

    Under ``MultiWorkerMirroredStrategy`` Keras 3.15 mean-reduces a step's logs
    with ``strategy.reduce("MEAN", value, axis=0)``, which fails on scalars
    ("Invalid reduction dimension 0 for input with 0 dimensions"); logs of shape
    ``(1,)`` reduce to the scalars every callback expects.
    """
    step = model.train_step
    model.train_step = lambda data: {k: tf.reshape(v, (1,)) for k, v in step(data).items()}


def train(cfg: TrainConfig, out_dir, extra_callbacks=(), verbose=None, write_outputs=True):
    """Train ``cfg`` into ``out_dir``, resuming when it already holds this run.

    ``verbose`` is Keras's: 1 = progress bar (default in a terminal or notebook),
    2 = one line per epoch (default when output goes to a file).
    Returns the trained model. Raises :class:`TrainingDiverged` if a loss
    becomes NaN/Inf (the last good checkpoint stays in ``out_dir``).
    """
    check_run_fields(cfg)
    strategy = runtime.make_strategy(cfg.strategy)  # first: multiworker must start early
    out = check_writable(out_dir)
    info = latest_checkpoint(out)  # the newest intact checkpoint; damaged ones are skipped
    if info is not None:
        saved = load_config(out)
        if saved.model != cfg.model:
            raise ValueError(
                f"{out} holds a {saved.model!r} run, not {cfg.model!r}: "
                f"use another --out or --model {saved.model}"
            )
        cfg = TrainConfig.from_dict({**saved.__dict__, **{k: getattr(cfg, k) for k in RUN_FIELDS}})
    cfg = resolve_data(cfg)
    name, replicas = runtime.strategy_name(strategy), strategy.num_replicas_in_sync
    runtime.check_batch_size(strategy, cfg.batch_size)
    if name == "multiworker" and (cfg.max_minutes or cfg.checkpoint_minutes):
        raise runtime.StrategyError(
            "--strategy multiworker stops and saves by steps only (workers' clocks differ): "
            "use --steps and --checkpoint-every instead of --max-minutes/--checkpoint-minutes"
        )

    runtime.set_seed(cfg.seed)
    precision = runtime.set_precision(cfg.precision)
    if info is not None:
        check_resume(info, name, replicas, precision)
    with strategy.scope():  # both optimizers are created here, so they are mirrored too
        model = models.build(cfg)
        model.build_optimizers()
        model.built = True  # its networks are: spares fit a symbolic call under a strategy
        step = restore_checkpoint(model, out) if info else 0
    if name == "multiworker":
        with_shape_1(model)
    (out / "config.json").write_text(cfg.to_json())
    if step >= cfg.steps:
        print(f"{out} already has {step} of {cfg.steps} steps; nothing to train (raise --steps)")
    else:
        guard = cb.WeightGuard()  # NaN/Inf in losses or weights: stop, keep the last checkpoint
        budget = cb.TrainingBudget(cfg.steps, cfg.max_minutes)
        kind = models.get_family(cfg.model).kind
        alarms = cb.default_health_callbacks(kind, log_dir=out / "logs", log_scalars=True)
        callbacks = [
            budget,
            guard,
            cb.Checkpoint(  # the guard must run before Checkpoint
                out,
                every_epochs=0,
                every_steps=cfg.checkpoint_every or cfg.steps_per_epoch,
                every_minutes=cfg.checkpoint_minutes,
                keep=cfg.keep_checkpoints,
                nan_guard=guard,  # every worker keeps its own copy (in its own --out)
                info={"strategy": name, "replicas": replicas, "precision": precision},
            ),
            keras.callbacks.CSVLogger(str(out / "history.csv"), append=step > 0),
            *alarms,
            *extra_callbacks,
        ]
        first_epoch = step // cfg.steps_per_epoch
        epochs = first_epoch + -(-(cfg.steps - step) // cfg.steps_per_epoch)
        start = time.monotonic()
        if verbose is None:
            verbose = 1 if sys.stdout.isatty() or "ipykernel" in sys.modules else 2
        model.fit(
            make_dataset(cfg).skip(step),  # the data position: one batch per step
            epochs=epochs,
            initial_epoch=first_epoch,
            shuffle=False,
            steps_per_epoch=cfg.steps_per_epoch,
            callbacks=callbacks,
            verbose=verbose,
        )
        if guard.tripped:
            last = latest_checkpoint(out)
            kept = (
                f"The last good checkpoint in {out} ({last['latest']}) is kept"
                if last
                else f"No checkpoint was written before that, so {out} holds none"
            )
            options = models.family_module(cfg.model).OPTIONS  # advise only what it accepts
            rates = "--d-lr/--g-lr" if "d_lr" in options else "--g-lr"
            tips = [f"a lower learning rate ({rates})"]
            tips += [flag for name, flag in _STABILISERS if name in options]
            raise TrainingDiverged(
                f"training diverged: {guard.tripped}. {kept}. Try {' or '.join(tips)}, then rerun."
            )
        report = cb.alarm_summary(alarms)
        if report:
            print("training-health warnings:\n" + report)
        minutes = (time.monotonic() - start) / 60
        print(
            f"trained {model.trained_steps - step} steps in {minutes:.1f} min"
            + (" (stopped by the time budget)" if budget.stopped_by == "time" else "")
        )
    if write_outputs:
        write_run_outputs(model, cfg, out)
    return model


def load_run(run_dir):
    """Rebuild the model of a run folder and load its latest checkpoint.

    Returns ``(model, cfg)``.
    """
    cfg = resolve_data(load_config(run_dir))
    runtime.set_precision(cfg.precision)
    model = models.build(cfg)
    restore_checkpoint(model, run_dir)
    return model, cfg
