"""Model families: the one registry, and :func:`build`.

Every family is one file with the same shape: ``build_generator``,
``build_discriminator`` and ``<Family>GAN`` (VAEs: ``build_encoder``,
``build_decoder``, ``VAE``) under the same section banners, then its
``PRESETS`` and ``from_config(cfg)``, which builds and compiles the model of a
:class:`~tfvidgan.config.TrainConfig`. Adding a family is one new file and one
line in :data:`FAMILIES`; nothing else in the package learns its name.

Family modules are imported on first use, so ``tfvidgan --help`` stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from tfvidgan.config import FAMILY_OPTIONS, TrainConfig


@dataclass(frozen=True)
class Family:
    """What the rest of the package needs to know about a family."""

    module: str  # the file: tfvidgan.models.<module>
    kind: str  # the data it models: "vector", "image" or "video"
    dataset: str  # its default dataset (a name of tfvidgan.data)
    conditional: bool = False  # trains on (samples, labels)


FAMILIES: dict[str, Family] = {
    "gaussian": Family("gaussian", "vector", "gaussian1d"),
    "dcgan": Family("dcgan", "image", "digits"),
    "cgan": Family("cgan", "image", "digits", conditional=True),
    "vae": Family("vae", "image", "digits"),
    "vgan": Family("vgan", "video", "moving_digits"),
    "tgan": Family("tgan", "video", "moving_digits"),
    "video_vae": Family("video_vae", "video", "moving_digits"),
    "mocogan": Family("mocogan", "video", "moving_digits"),
    "video_cgan": Family("video_cgan", "video", "moving_digits", conditional=True),
    "image_to_video": Family("image_to_video", "video", "moving_digits"),
}


def get_family(name: str) -> Family:
    """The registry entry of ``name``, with a clear error for an unknown one."""
    if name not in FAMILIES:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(FAMILIES)}")
    return FAMILIES[name]


def family_module(name: str) -> ModuleType:
    """The module of family ``name`` (``tfvidgan.models.<module>``)."""
    return importlib.import_module(f"tfvidgan.models.{get_family(name).module}")


def build(cfg):
    """Build and compile the model of ``cfg`` (call after setting the precision).

    Options that the family does not read (``cfg`` fields listed in
    :data:`tfvidgan.config.FAMILY_OPTIONS` but not in the family's ``OPTIONS``)
    must keep their defaults, so a flag is never silently ignored.
    """
    module = family_module(cfg.model)
    default = TrainConfig()
    for name in FAMILY_OPTIONS:
        if name not in module.OPTIONS and getattr(cfg, name) != getattr(default, name):
            users = [f for f in FAMILIES if name in family_module(f).OPTIONS]
            raise ValueError(
                f"{name} is not an option of the {cfg.model!r} family (it is one of: "
                f"{', '.join(users) or 'none'}); leave it at {getattr(default, name)!r}"
            )
    return module.from_config(cfg)
