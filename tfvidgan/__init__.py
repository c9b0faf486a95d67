"""tfvidgan: from image GANs to video GANs with Keras 3 / TensorFlow 2.

The map of the package::

    tfvidgan.data       offline labelled datasets and tf.data pipelines
    tfvidgan.models     GAN (the one train_step), GaussianGAN, DCGAN,
                        ConditionalGAN, VAE, VGAN
    tfvidgan.losses     generator/discriminator loss pairs, gradient penalties
    tfvidgan.layers     2-D/3-D blocks, ClassProjection, Sampling
    tfvidgan.video_io   GIF / MP4 / WebM writing and reading, grids, display
    tfvidgan.metrics    Frechet distance, KID, IS, coverage, motion diagnostics
    tfvidgan.callbacks  budgets, checkpoints, NaN guard, sample monitor
    tfvidgan.config     TrainConfig and presets; tfvidgan.train runs them
"""

__version__ = "0.1.0"

import warnings  # noqa: E402

# Keras warns on every fit() with a tf.data.Dataset that its default shuffle=True
# is ignored; our pipelines shuffle themselves, so the warning is only noise.
warnings.filterwarnings("ignore", message="`shuffle=True` was passed", category=UserWarning)

from tfvidgan import data, losses, video_io  # noqa: E402
from tfvidgan.config import TrainConfig, get_config  # noqa: E402

__all__ = ["data", "losses", "video_io", "TrainConfig", "get_config", "__version__"]
