"""Train any family from a :class:`~tfvidgan.config.TrainConfig`, with resume.

This is what ``tfvidgan train`` and ``tfvidgan demo`` run. A notebook can do the
same in four lines (:func:`build_model`, :func:`make_dataset`, ``compile``,
``fit``); this module adds the run folder around it::

    <out>/config.json       the configuration (used again on resume)
    <out>/history.csv       losses per epoch (keras.callbacks.CSVLogger)
    <out>/checkpoint.json   + ckpt-NNNNNN/: networks and optimizers
    <out>/logs/train/       TensorBoard: scalars, sample grids, GIFs, diversity
    <out>/loss_curve.png, samples.gif, samples.mp4, samples.png
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

from tfvidgan import callbacks as cb
from tfvidgan import data, health, runtime, video_io
from tfvidgan.checkpoint import latest_checkpoint, restore_checkpoint
from tfvidgan.config import FAMILIES, TrainConfig
from tfvidgan.models import cgan, dcgan, gaussian, vae, vgan


class TrainingDiverged(RuntimeError):
    """A loss or weight became NaN/Inf; the last good checkpoint was kept."""


def resolve_data(cfg: TrainConfig) -> TrainConfig:
    """Check that ``cfg.data`` suits ``cfg.model`` and copy its channels and classes."""
    kind, _, conditional = FAMILIES[cfg.model]
    spec = data.get_spec(cfg.data)
    if spec.kind != kind:
        valid = [n for n in data.dataset_names() if data.get_spec(n).kind == kind]
        raise ValueError(
            f"model {cfg.model!r} needs {kind} data, but {cfg.data!r} is {spec.kind} data; use one of {valid}"
        )
    if conditional and spec.num_classes < 2:
        raise ValueError(f"model {cfg.model!r} needs labelled data; {cfg.data!r} has no labels")
    cfg.channels = spec.channels
    if spec.num_classes:
        cfg.num_classes = spec.num_classes
    return cfg


def build_model(cfg: TrainConfig):
    """Build and compile the networks of ``cfg.model`` (call after setting precision)."""
    c = cfg
    if not 0.0 <= c.ema < 1.0:
        raise ValueError(
            f"ema={c.ema} is not possible: use a momentum in [0, 1), e.g. 0.999 (0 = off)"
        )
    if not 0.0 <= c.lr_decay <= 1.0:
        raise ValueError(
            f"lr_decay={c.lr_decay} is not possible: use the fraction of the run to decay over, in [0, 1] (0 = off)"
        )
    if c.ema and c.model == "vae":
        raise ValueError(
            "ema averages a GAN generator's weights; the vae has no generator optimizer to average"
        )
    if c.info_codes and c.model not in ("dcgan", "vgan"):
        raise ValueError(
            f"info_codes (InfoGAN) is built for the dcgan and vgan families, not {c.model!r}"
        )
    if c.pack != 1 and c.model not in ("dcgan", "vgan"):
        raise ValueError(f"pack (PacGAN) is built for the dcgan and vgan families, not {c.model!r}")
    if c.pack > 1 and c.batch_size % c.pack:
        raise ValueError(
            f"pack={c.pack} needs a batch size that is a multiple of it, got batch_size={c.batch_size}"
        )
    d_channels = c.channels * max(
        c.pack, 1
    )  # PacGAN: the discriminator reads `pack` samples stacked in channels
    if c.model == "vae":
        model = vae.VAE(
            vae.build_encoder(c.latent_dim, c.image_size, c.channels, c.base_filters, seed=c.seed),
            vae.build_decoder(c.latent_dim, c.image_size, c.channels, c.base_filters),
            c.latent_dim,
            beta=c.kl_beta,
            seed=c.seed,
        )
        model.compile(optimizer=keras.optimizers.Adam(c.g_lr, beta_1=c.beta_1, beta_2=c.beta_2))
        return model
    if c.model == "gaussian":
        g = gaussian.build_generator(c.latent_dim)
        d = gaussian.build_discriminator(spectral_norm=c.spectral_norm)
        model = gaussian.GaussianGAN(g, d, c.latent_dim, seed=c.seed)
    elif c.model == "dcgan":
        g = dcgan.build_generator(c.latent_dim, c.image_size, c.channels, c.base_filters)
        d = dcgan.build_discriminator(
            c.image_size, d_channels, c.base_filters, c.spectral_norm, info_codes=c.info_codes
        )
        model = dcgan.DCGAN(g, d, c.latent_dim, seed=c.seed, info_codes=c.info_codes, pack=c.pack)
    elif c.model == "cgan":
        g = cgan.build_generator(
            c.latent_dim, c.num_classes, c.image_size, c.channels, c.base_filters
        )
        d = cgan.build_discriminator(
            c.num_classes, c.image_size, c.channels, c.base_filters, c.spectral_norm, c.conditioning
        )
        model = cgan.ConditionalGAN(g, d, c.latent_dim, c.num_classes, seed=c.seed)
    elif c.model == "vgan":
        g = vgan.build_generator(
            c.latent_dim,
            c.num_frames,
            c.image_size,
            c.channels,
            c.base_filters,
            c.two_stream,
            shared_content=c.shared_content,
            motion_dim=c.motion_dim,
            content_modulation=c.content_modulation,
        )
        d = vgan.build_discriminator(
            c.num_frames,
            c.image_size,
            d_channels,
            c.base_filters,
            c.spectral_norm,
            frame_discriminator=c.frame_discriminator,
            minibatch_stddev=c.minibatch_stddev,
            info_codes=c.info_codes,
            video_judge_pool=c.video_judge_pool,
        )
        model = vgan.VGAN(g, d, c.latent_dim, seed=c.seed, info_codes=c.info_codes, pack=c.pack)
    else:
        raise ValueError(f"unknown model {c.model!r}; choose one of {', '.join(FAMILIES)}")
    model.compile(
        d_optimizer=keras.optimizers.Adam(c.d_lr, beta_1=c.beta_1, beta_2=c.beta_2),
        # ema: Keras's optimizer keeps the generator's weight average; GAN.sample draws from it
        g_optimizer=keras.optimizers.Adam(
            c.g_lr,
            beta_1=c.beta_1,
            beta_2=c.beta_2,
            use_ema=c.ema > 0,
            ema_momentum=c.ema if c.ema > 0 else 0.99,
        ),
        loss=c.loss,
        d_steps=c.d_steps,
        gradient_penalty=c.gradient_penalty,
        r1_gamma=c.r1_gamma,
        label_smoothing=c.label_smoothing,
        info_weight=c.info_weight,
    )
    return model


def make_dataset(cfg: TrainConfig):
    """The ``tf.data`` pipeline of ``cfg.data``; yields ``(x, labels)`` for cgan."""
    return data.make_dataset(
        cfg.data,
        batch_size=cfg.batch_size,
        num=cfg.num_examples,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=cfg.seed,
        with_labels=FAMILIES[cfg.model][2],
    )


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
            f"{run_dir} is not a tfvidgan run folder (no config.json); train one with `tfvidgan train --out {run_dir}`"
        )
    try:
        return TrainConfig.from_dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, TypeError, ValueError) as err:
        raise ValueError(f"{path} is not a tfvidgan config ({err})") from None


def train(cfg: TrainConfig, out_dir, extra_callbacks=(), verbose=None, write_outputs=True):
    """Train ``cfg`` into ``out_dir``, resuming when it already holds this run.

    ``verbose`` is Keras's: 1 = progress bar (default in a terminal or notebook),
    2 = one line per epoch (default when output goes to a file).
    Returns the trained model. Raises :class:`TrainingDiverged` if a loss
    becomes NaN/Inf (the last good checkpoint stays in ``out_dir``).
    """
    out = check_writable(out_dir)
    if latest_checkpoint(out) is not None:
        saved = load_config(out)
        if saved.model != cfg.model:
            raise ValueError(
                f"{out} holds a {saved.model!r} run, not {cfg.model!r}: use another --out or --model {saved.model}"
            )
        cfg = TrainConfig.from_dict(
            {**saved.__dict__, "steps": cfg.steps, "max_minutes": cfg.max_minutes}
        )
    cfg = resolve_data(cfg)

    runtime.set_seed(cfg.seed)
    runtime.set_precision(cfg.precision)
    model = build_model(cfg)
    step = restore_checkpoint(model, out) if latest_checkpoint(out) else 0
    (out / "config.json").write_text(cfg.to_json())
    if step >= cfg.steps:
        print(
            f"{out} already has {step} of {cfg.steps} steps; nothing to train (raise --steps to continue)"
        )
    else:
        guard = health.WeightGuard()  # NaN/Inf in losses or weights: stop, keep the last checkpoint
        budget = cb.TrainingBudget(cfg.steps, cfg.max_minutes)
        alarms = health.default_health_callbacks(cfg.model, log_dir=out / "logs", log_scalars=True)
        decay = (
            [cb.LearningRateDecay(budget, cfg.lr_decay, cfg.d_lr, cfg.g_lr)] if cfg.lr_decay else []
        )
        callbacks = [
            budget,
            *decay,
            guard,
            cb.Checkpoint(out, nan_guard=guard),  # the guard must run before Checkpoint
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
            make_dataset(cfg),
            epochs=epochs,
            initial_epoch=first_epoch,
            shuffle=False,
            steps_per_epoch=cfg.steps_per_epoch,
            callbacks=callbacks,
            verbose=verbose,
        )
        if guard.tripped:
            raise TrainingDiverged(
                f"training diverged: {guard.tripped}. The last good checkpoint in {out} is kept. "
                "Try a lower learning rate (--d-lr/--g-lr), --gradient-penalty 10 or --spectral-norm, then rerun."
            )
        report = health.alarm_summary(alarms)
        if report:
            print("training-health warnings:\n" + report)
        minutes = (time.monotonic() - start) / 60
        print(
            f"trained {cb.generator_steps(model) - step} steps in {minutes:.1f} min"
            + (" (stopped by the time budget)" if budget.stopped_by == "time" else "")
        )
    if write_outputs:
        write_run_outputs(model, cfg, out)
    return model


def generate(model, cfg: TrainConfig, num: int, labels=None, seed: int = 0, codes=None):
    """``num`` samples (float32, [-1, 1] for pixels) from a trained model;
    the same ``seed`` gives the same samples. ``labels`` for conditional
    models, ``codes`` for InfoGAN ones (random when omitted)."""
    if cfg.model == "vae":
        return model.sample(num, seed=seed)
    return model.sample(num, labels=labels, seed=seed, codes=codes)


def write_run_outputs(model, cfg: TrainConfig, out: Path, num: int = 16) -> dict:
    """Write samples (GIF + MP4 for video, PNG grid) and the loss curve."""
    paths = {}
    samples = generate(model, cfg, 2000 if FAMILIES[cfg.model][0] == "vector" else num)
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
    import matplotlib

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
    import matplotlib

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


def load_run(run_dir):
    """Rebuild the model of a run folder and load its latest checkpoint.

    Returns ``(model, cfg)``.
    """
    cfg = resolve_data(load_config(run_dir))
    runtime.set_precision(cfg.precision)
    model = build_model(cfg)
    restore_checkpoint(model, run_dir)
    return model, cfg
