"""Model families. Every file has the same shape: ``build_generator``,
``build_discriminator`` and ``<Family>GAN`` (VAE: ``build_encoder``,
``build_decoder``, ``VAE``), under the same section banners."""

from tfvidgan.models.base import GAN
from tfvidgan.models.cgan import ConditionalGAN
from tfvidgan.models.dcgan import DCGAN
from tfvidgan.models.gaussian import GaussianGAN
from tfvidgan.models.vae import VAE
from tfvidgan.models.vgan import VGAN

__all__ = ["GAN", "ConditionalGAN", "DCGAN", "GaussianGAN", "VAE", "VGAN"]
