# %% [markdown]
# # 12 · Evaluating generative video: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/12_evaluating_video_solutions.ipynb)
#
# Worked answers to the exercises of notebook 12 (the 1-D Fréchet distance, frozen-clip detection, the
# unbiased MMD²). Try them yourself first.
#
# **Prerequisites:** notebook 12.
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
from tfvidgan.course import nb12

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 12.1: the Fréchet distance in one dimension
#
# With 1x1 covariances $\sigma_i = s_i^2$, $\sqrt{\sigma_1\sigma_2} = s_1 s_2$, so
# $d^2 = (\mu_1 - \mu_2)^2 + s_1^2 + s_2^2 - 2 s_1 s_2 = (\mu_1 - \mu_2)^2 + (s_1 - s_2)^2$:
# the squared distance between the points $(\mu, s)$.


# %%
def my_frechet_1d(mu1, s1, mu2, s2):
    return (mu1 - mu2) ** 2 + (s1 - s2) ** 2


# %%
course.check("Exercise 12.1", my_frechet_1d, nb12.check_frechet_1d)


# %% [markdown]
# ### Exercise 12.2: detect frozen clips
#
# Differences of consecutive frames, squared, averaged over time, pixels and channels: one number per clip.


# %%
def my_frozen_clips(videos, threshold=1e-3):
    videos = np.asarray(videos, dtype=np.float32)
    energy = np.mean((videos[:, 1:] - videos[:, :-1]) ** 2, axis=(1, 2, 3, 4))
    return energy < threshold


# %%
course.check("Exercise 12.2", my_frozen_clips, nb12.check_frozen_clips)


# %% [markdown]
# ### Exercise 12.3: unbiased MMD² from kernel matrices
#
# Leave out the diagonal terms $k(x_i, x_i)$ and $k(y_j, y_j)$: a sample compared with itself says nothing
# about the distribution and biases the estimate upwards.


# %%
def my_mmd2_unbiased(kxx, kyy, kxy):
    m, n = len(kxx), len(kyy)
    xx = (np.sum(kxx) - np.trace(kxx)) / (m * (m - 1))
    yy = (np.sum(kyy) - np.trace(kyy)) / (n * (n - 1))
    return float(xx + yy - 2 * np.mean(kxy))


# %%
course.check("Exercise 12.3", my_mmd2_unbiased, nb12.check_mmd2_unbiased)
