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

# Fields that only some families read. A family lists those it reads in its module's
# OPTIONS; tfvidgan.models.build refuses the others unless they keep their defaults.
FAMILY_OPTIONS = (
    "two_stream",
    "shared_content",
    "frame_discriminator",
    "info_codes",
    "info_weight",
    "pack",
    "conditioning",
    "ema",
    "kl_beta",
    "motion_dim",
    "recurrent",
    "sprite",
    "loss",
    "d_lr",
    "d_steps",
    "gradient_penalty",
    "r1_gamma",
    "spectral_norm",
    "label_smoothing",
)


@dataclass
class TrainConfig:
    """Everything needed to rebuild and retrain a run (saved as ``config.json``)."""

    # --- what to train on what
    model: str = "dcgan"  # a family of tfvidgan.models.FAMILIES
    data: str = "digits"  # a dataset name of tfvidgan.data
    num_examples: int = 4096  # size of the procedurally rendered training set
    image_size: int = 32  # height = width of images and frames
    num_frames: int = 16  # frames per clip (video families)
    channels: int = 1  # set from the dataset
    num_classes: int = 10  # set from the dataset (conditional families)

    # --- networks
    latent_dim: int = 100  # size of the noise vector z
    base_filters: int = 32  # filters of the widest-resolution block; doubled per halving
    spectral_norm: bool = False  # spectral normalisation in the discriminator (SN-GAN)
    two_stream: bool = False  # vgan: the paper's foreground/background generator
    shared_content: bool = False  # vgan, video_vae: half the first volume is the same at every t
    frame_discriminator: int = 0  # vgan, tgan, mocogan: frames per clip judged by a 2-D judge
    conditioning: str = "projection"  # cgan discriminator: "projection" or "concat"
    info_codes: int = 0  # dcgan, vgan: InfoGAN code of this many categories in z (0 = off)
    info_weight: float = 1.0  # dcgan, vgan: weight of the InfoGAN code loss
    pack: int = 1  # dcgan, vgan, mocogan: PacGAN, samples judged at once (1 = off)
    motion_dim: int = 0  # mocogan (+ video_cgan, image_to_video): size of the per-frame motion code
    recurrent: str = "gru"  # mocogan (+ video_cgan, image_to_video): motion cell, "gru" or "lstm"
    sprite: int = 0  # mocogan, video_cgan, image_to_video: side of the sprite that moves (0 = off)

    # --- optimisation
    batch_size: int = 64
    steps: int = 2000  # total generator steps
    steps_per_epoch: int = 100  # steps between epoch ends (logs, checkpoints, samples)
    loss: str = "non_saturating"  # a name of tfvidgan.losses.LOSSES
    d_lr: float = 2e-4  # discriminator learning rate (Adam)
    g_lr: float = 2e-4  # generator learning rate (the VAE's only one)
    beta_1: float = 0.5
    beta_2: float = 0.999
    d_steps: int = 1  # discriminator updates per generator update
    gradient_penalty: float = 0.0  # WGAN-GP weight (10 in the paper)
    r1_gamma: float = 0.0  # R1 penalty gamma
    label_smoothing: float = 0.0  # one-sided: real target 1 - s (TF-GAN's: 1 - s/2)
    ema: float = 0.0  # GANs: momentum of the generator weight average used to sample (0 = off)
    kl_beta: float = 1.0  # vae: weight of the KL term (beta-VAE)

    # --- run
    precision: str = "auto"  # "auto", "float32", "mixed_bfloat16" or "mixed_float16"
    seed: int = 0
    max_minutes: float | None = None  # stop early (and save) after this much training time
    strategy: str = "auto"  # tf.distribute: "auto", "one", "mirrored", "multiworker" or "tpu"
    checkpoint_every: int = 0  # save every this many steps (0 = every steps_per_epoch steps)
    checkpoint_minutes: float = 0  # also save every this many minutes of training (0 = off)
    keep_checkpoints: int = 3  # newest checkpoints kept; resume falls back to an older one

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config fields {unknown}; valid fields: {sorted(known)}")
        return cls(**values)


def get_config(model: str, preset: str = "demo", **overrides) -> TrainConfig:
    """The preset ``preset`` of family ``model``, with ``overrides`` applied."""
    from tfvidgan.models import family_module, get_family  # here: models imports this module

    presets = family_module(model).PRESETS
    if preset not in presets:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(presets)}")
    values = {"model": model, "data": get_family(model).dataset, **presets[preset], **overrides}
    return TrainConfig.from_dict(values)
