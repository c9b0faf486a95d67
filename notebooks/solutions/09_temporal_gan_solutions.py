# %% [markdown]
# # 09 · Temporal GAN: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/09_temporal_gan_solutions.ipynb)
#
# Worked answers to the exercises of notebook 09 (the temporal generator's plan, singular value clipping, one
# image generator for every frame). Try them yourself first.
#
# **Prerequisites:** notebook 09.
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
import keras
import numpy as np

from tfvidgan import course
from tfvidgan.course import nb09

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 9.1: the temporal generator's plan
#
# Each stride-2 transposed convolution doubles the length, so count how often the length halves exactly.


# %%
def time_plan(num_frames):
    t0, m = int(num_frames), 0
    while t0 % 2 == 0:
        t0, m = t0 // 2, m + 1
    return t0, m


# %%
course.check("Exercise 9.1", time_plan, nb09.check_time_plan)


# %% [markdown]
# ### Exercise 9.2: singular value clipping
#
# `U diag(min(s, 1)) V^T` keeps the singular vectors and changes only the singular values above 1. Spectral
# normalisation divides *every* singular value by the largest one: both leave a largest singular value of 1,
# but clipping leaves the small singular values alone, while normalising shrinks them too.


# %%
def clip_singular_values(kernel):
    kernel = np.asarray(kernel, np.float64)
    matrix = kernel.reshape(-1, kernel.shape[-1])  # (fan_in, out)
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return ((u * np.minimum(s, 1.0)) @ vt).reshape(kernel.shape)


# %%
course.check("Exercise 9.2", clip_singular_values, nb09.check_clip_singular_values)


# %% [markdown]
# ### Exercise 9.3: one image generator for every frame
#
# Row `b * T + t` of the folded batch is clip `b`, frame `t`; reshaping back with `(B, T, ...)` undoes it.


# %%
def video_from_latents(image_generator, z0, z1):
    z0, z1 = np.asarray(z0, np.float32), np.asarray(z1, np.float32)
    (b, k), (_, t, f) = z0.shape, z1.shape
    per_frame = np.concatenate([np.repeat(z0[:, None], t, axis=1), z1], axis=-1)  # (B, T, K + F)
    frames = keras.ops.convert_to_numpy(image_generator(per_frame.reshape(b * t, k + f)))
    return frames.reshape(b, t, *frames.shape[1:])


# %%
course.check("Exercise 9.3", video_from_latents, nb09.check_video_from_latents)
