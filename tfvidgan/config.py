"""Training configurations: one dataclass, and named presets per model family.

Every family trains with the same knobs (they share one training step), so one
:class:`TrainConfig` describes them all; a family differs only in its defaults.
Presets:

* ``tiny``: seconds on a CPU, for tests and smoke runs of notebooks;
* ``demo``: minutes on a 2-core CPU with recognisable results;
* ``full``: larger networks and longer training for a GPU or a patient CPU.

>>> cfg = get_config("vgan", "demo", steps=200)
>>> cfg.image_size, cfg.num_frames, cfg.steps
(32, 8, 200)
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

# family name -> (kind of data, default dataset, is it class-conditional?)
FAMILIES = {
    "gaussian": ("vector", "gaussian1d", False),
    "dcgan": ("image", "digits", False),
    "cgan": ("image", "digits", True),
    "vae": ("image", "digits", False),
    "vgan": ("video", "moving_digits", False),
}


@dataclass
class TrainConfig:
    """Everything needed to rebuild and retrain a run (saved as ``config.json``)."""

    model: str = "dcgan"
    data: str = "digits"
    image_size: int = 32
    num_frames: int = 16
    channels: int = 1
    num_classes: int = 10
    latent_dim: int = 100
    base_filters: int = 32
    two_stream: bool = False  # vgan: the paper's foreground/background generator
    shared_content: bool = False  # vgan: one time-invariant half of the first feature volume
    content_modulation: bool = (
        False  # vgan: content code -> conditional batch norm in every 3-D generator block
    )
    motion_dim: int = 0  # vgan with shared_content: last entries of z, feeding only the per-time half (0 = no split)
    frame_discriminator: int = (
        0  # vgan: frames per clip judged by an image discriminator (0 = none)
    )
    video_judge_pool: int = (
        1  # vgan: the 3-D judge sees clips average-pooled this much in space (needs a frame judge)
    )
    minibatch_stddev: bool = (
        False  # vgan: show the discriminator the batch's spread (against mode collapse)
    )
    info_codes: int = 0  # dcgan, vgan: InfoGAN categorical code of this many categories at the start of z (0 = off)
    info_weight: float = 1.0  # weight of the InfoGAN code loss
    pack: int = (
        1  # dcgan, vgan: PacGAN, the discriminator judges this many samples at once (1 = off)
    )
    conditioning: str = "projection"  # cgan discriminator: "projection" or "concat"
    num_examples: int = 4096  # size of the procedurally rendered training set
    batch_size: int = 64
    steps: int = 2000  # total generator steps
    steps_per_epoch: int = 100
    loss: str = "non_saturating"
    d_lr: float = 2e-4
    g_lr: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    d_steps: int = 1
    gradient_penalty: float = 0.0
    r1_gamma: float = 0.0
    spectral_norm: bool = False
    label_smoothing: float = 0.0
    lr_decay: float = 0.0  # last fraction of the run over which both learning rates fall linearly to 0 (0 = constant)
    ema: float = (
        0.0  # momentum of the generator's weight average used for sampling (0 = off, e.g. 0.999)
    )
    kl_beta: float = 1.0  # vae
    precision: str = "auto"
    seed: int = 0
    max_minutes: float | None = None  # stop early (and save) after this much training time

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config fields {unknown}; valid fields: {sorted(known)}")
        return cls(**values)


# the image families (dcgan, cgan, vae) share one set of networks and budgets
_IMAGE_PRESETS = {
    "tiny": dict(
        latent_dim=16, base_filters=8, batch_size=16, steps=4, steps_per_epoch=2, num_examples=64
    ),
    "demo": dict(
        latent_dim=64,
        base_filters=32,
        batch_size=64,
        steps=1500,
        steps_per_epoch=100,
        num_examples=8192,
    ),
    "full": dict(
        latent_dim=100,
        base_filters=64,
        batch_size=128,
        steps=10000,
        steps_per_epoch=500,
        num_examples=60000,
    ),
}

PRESETS: dict[str, dict[str, dict]] = {
    "gaussian": {
        "tiny": dict(latent_dim=4, batch_size=64, steps=20, steps_per_epoch=10, num_examples=512),
        "demo": dict(
            latent_dim=4,
            batch_size=128,
            steps=3000,
            steps_per_epoch=500,
            num_examples=8192,
            d_lr=1e-3,
            g_lr=1e-3,
        ),
        "full": dict(
            latent_dim=4,
            batch_size=256,
            steps=10000,
            steps_per_epoch=1000,
            num_examples=65536,
            d_lr=1e-3,
            g_lr=1e-3,
        ),
    },
    # dcgan demo/full judge pairs of images (PacGAN): without packing the recipe collapsed onto one or
    # two shapes on 2-3 seeds of 5, with it on none of 9 (benchmarks/README.md). cgan and vae cannot pack,
    # and tiny stays unpacked so that every option (e.g. info_codes) combines with it.
    "dcgan": {
        name: p if name == "tiny" else {**p, "pack": 2} for name, p in _IMAGE_PRESETS.items()
    },
    "cgan": _IMAGE_PRESETS,
    "vae": {
        name: {**p, "latent_dim": 16, "g_lr": 1e-3} for name, p in _IMAGE_PRESETS.items()
    },  # one optimizer: g_lr
    "vgan": {
        "tiny": dict(
            latent_dim=16,
            base_filters=4,
            num_frames=8,
            batch_size=4,
            steps=4,
            steps_per_epoch=2,
            num_examples=16,
        ),
        # demo/full add a 2-D judge of 4 random frames per clip and shared content, and train with a
        # faster generator (TTUR) on small batches: many more steps per CPU minute (benchmarks/README.md)
        # (`tfvidgan demo` adds its own time budget, --minutes, default 9). The demo draws 8 frames: in 9
        # minutes that is 1.5x the steps of 16 frames and 24 % of frames recognisable instead of 14 %
        "demo": dict(
            latent_dim=64,
            base_filters=32,
            num_frames=8,
            batch_size=16,
            steps=8000,
            steps_per_epoch=250,
            num_examples=16384,
            g_lr=5e-4,
            frame_discriminator=4,
            shared_content=True,
        ),
        "full": dict(
            latent_dim=100,
            base_filters=64,
            image_size=64,
            batch_size=32,
            steps=20000,
            steps_per_epoch=500,
            num_examples=20000,
            two_stream=True,
            g_lr=5e-4,
            frame_discriminator=4,
            shared_content=True,
        ),
    },
}


def get_config(model: str, preset: str = "demo", **overrides) -> TrainConfig:
    """The preset ``preset`` of family ``model``, with ``overrides`` applied."""
    if model not in FAMILIES:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(FAMILIES)}")
    if preset not in PRESETS[model]:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS[model])}")
    values = {"model": model, "data": FAMILIES[model][1], **PRESETS[model][preset], **overrides}
    return TrainConfig.from_dict(values)
