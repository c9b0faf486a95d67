# %% [markdown]
# # 05 · VAE, and how it differs from a GAN: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/05_vae_vs_gan_solutions.ipynb)
#
# Worked answers to the exercises of notebook 05 (the closed-form KL of a diagonal Gaussian, the beta-VAE loss,
# a Laplacian sharpness measure). Try them yourself first.
#
# **Prerequisites:** notebook 05.
#
# **CPU time:** about 1 min (normal mode), under a minute in smoke mode.

# %%
# Colab: install tfvidgan next to Colab's own TensorFlow (its version floors admit Colab's, so pip keeps it).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/tfvidgan/tfvidgan"],
        check=True,
    )

# %%
import numpy as np

from tfvidgan import course
from tfvidgan.course import nb05

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 5.1: the closed-form KL
#
# Per dimension, with `s^2 = exp(log_var)`: `E_q[log q(z)] = -0.5 * (1 + log s^2 + log 2 pi)` and
# `E_q[log p(z)] = -0.5 * (mu^2 + s^2 + log 2 pi)`, since `E_q[z^2] = mu^2 + s^2`. The difference is
# `0.5 * (s^2 + mu^2 - 1 - log s^2)`; the dimensions are independent, so their KLs add up.


# %%
def kl_diag_gaussian(mu, log_var):
    mu, log_var = np.asarray(mu, np.float64), np.asarray(log_var, np.float64)
    return 0.5 * np.sum(np.exp(log_var) + mu**2 - 1.0 - log_var, axis=-1)


# %%
course.check("Exercise 5.1", kl_diag_gaussian, nb05.check_kl)


# %% [markdown]
# ### Exercise 5.2: the beta-VAE loss
#
# Sum the squared error over *all* pixels of an image (it is a log-likelihood of the whole image), add `beta`
# times that image's KL, then average over the batch.


# %%
def beta_vae_loss(images, recon, mu, log_var, beta):
    images, recon = np.asarray(images, np.float64), np.asarray(recon, np.float64)
    reconstruction = 0.5 * np.sum((images - recon) ** 2, axis=tuple(range(1, images.ndim)))  # (B,)
    return np.mean(reconstruction + beta * kl_diag_gaussian(mu, log_var))


# %%
course.check("Exercise 5.2", beta_vae_loss, nb05.check_beta_vae_loss)


# %% [markdown]
# ### Exercise 5.3: a sharpness measure in NumPy
#
# Shifted slices of the image line up each interior pixel with its four neighbours, so the whole convolution is
# one line of array arithmetic.


# %%
def laplacian_variance(images):
    x = np.asarray(images, np.float64)[..., 0]  # (N, H, W)
    centre = x[:, 1:-1, 1:-1]
    lap = x[:, :-2, 1:-1] + x[:, 2:, 1:-1] + x[:, 1:-1, :-2] + x[:, 1:-1, 2:] - 4.0 * centre
    return lap.var(axis=(1, 2))


# %%
course.check("Exercise 5.3", laplacian_variance, nb05.check_laplacian_variance)
