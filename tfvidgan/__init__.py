"""tfvidgan: from image GANs to video GANs with Keras 3 / TensorFlow 2.

The map of the package::

    tfvidgan.data        datasets (procedural, video files) and tf.data pipelines
    tfvidgan.models      FAMILIES, build(cfg); GAN (the one train_step) and one file per family
    tfvidgan.losses      generator/discriminator loss pairs, gradient penalties
    tfvidgan.layers      2-D/3-D blocks, ClassProjection, RandomFrames, Sampling
    tfvidgan.video_io    GIF / MP4 / WebM writing and reading, grids, display
    tfvidgan.metrics     Frechet distance, KID, IS, coverage, motion, shipped classifiers
    tfvidgan.callbacks   budget, checkpoints, health alarms, sample media
    tfvidgan.config      TrainConfig; tfvidgan.train runs it into a run folder (tfvidgan.runs)

Submodules load on first use (``tfvidgan.data`` and the rest import TensorFlow).
"""

import importlib
import warnings

__version__ = "0.1.0"

# Keras warns on every fit() with a tf.data.Dataset that its default shuffle=True
# is ignored; our pipelines shuffle themselves, so the warning is only noise.
warnings.filterwarnings("ignore", message="`shuffle=True` was passed", category=UserWarning)

__all__ = ["data", "losses", "video_io", "TrainConfig", "get_config", "__version__"]


def __getattr__(name):
    if name in ("TrainConfig", "get_config"):
        return getattr(importlib.import_module("tfvidgan.config"), name)
    if name in ("data", "losses", "video_io"):
        return importlib.import_module(f"tfvidgan.{name}")
    raise AttributeError(f"module 'tfvidgan' has no attribute {name!r}")
