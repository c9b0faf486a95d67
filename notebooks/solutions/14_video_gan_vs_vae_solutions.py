# %% [markdown]
# # 14 · Video GAN versus video VAE: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/14_video_gan_vs_vae_solutions.ipynb)
#
# Worked answers to the exercises of notebook 14 (the ELBO of a clip, the sharpness of a clip, how much a clip
# moves). Try them yourself first.
#
# **Prerequisites:** notebook 14.
#
# **CPU time:** under a minute (normal mode and smoke mode).

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
from tfvidgan.course import nb14

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 14.1: the ELBO of a clip
#
# The reconstruction term is a log-likelihood of the whole clip, so it sums over frames and pixels; the KL of a
# diagonal Gaussian sums over the latent dimensions. No average over the batch: one ELBO per clip.


# %%
def video_elbo(videos, recon, mu, log_var):
    videos, recon = np.asarray(videos, np.float64), np.asarray(recon, np.float64)
    mu, log_var = np.asarray(mu, np.float64), np.asarray(log_var, np.float64)
    reconstruction = 0.5 * ((videos - recon) ** 2).sum(axis=(1, 2, 3, 4))  # (B,)
    kl = 0.5 * (np.exp(log_var) + mu**2 - 1.0 - log_var).sum(axis=1)  # (B,)
    return -(reconstruction + kl)


# %%
course.check("Exercise 14.1", video_elbo, nb14.check_video_elbo)


# %% [markdown]
# ### Exercise 14.2: sharpness of a clip
#
# Fold the frames into the batch, apply the 4-neighbour Laplacian to the interior pixels with shifted slices,
# take each frame's variance, unfold and average over time.


# %%
def frame_sharpness(videos):
    x = np.asarray(videos, np.float64)[..., 0]  # (N, T, H, W)
    centre = x[..., 1:-1, 1:-1]
    lap = x[..., :-2, 1:-1] + x[..., 2:, 1:-1] + x[..., 1:-1, :-2] + x[..., 1:-1, 2:] - 4.0 * centre
    return lap.var(axis=(-2, -1)).mean(axis=1)  # variance per frame, mean per clip


# %%
course.check("Exercise 14.2", frame_sharpness, nb14.check_frame_sharpness)


# %% [markdown]
# ### Exercise 14.3: how much a clip moves
#
# `videos[:, 1:] - videos[:, :-1]` lines up every frame with the one before it.


# %%
def frame_difference(videos):
    x = np.asarray(videos, np.float64)
    return ((x[:, 1:] - x[:, :-1]) ** 2).mean(axis=(1, 2, 3, 4))


# %%
course.check("Exercise 14.3", frame_difference, nb14.check_frame_difference)
