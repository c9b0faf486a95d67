# %% [markdown]
# # 06 · From frames to video: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/06_frames_to_video_solutions.ipynb)
#
# Worked answers to the exercises of notebook 06 (frame rate by blending, temporal smoothing, spherical
# interpolation). Try them yourself first.
#
# **Prerequisites:** notebook 06.
#
# **CPU time:** under a minute (normal and smoke mode).

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
import math

import numpy as np

from tfvidgan import course
from tfvidgan.course import nb06

course.require_solutions()  # an unanswered exercise fails here

# %% [markdown]
# ### Exercise 6.1: frame rate by blending
#
# The position of output frame `k` in source frames is `k * src / dst`. At the last source frame there is no
# frame after it, so the weight `f` is taken as 0 there.


# %%
def my_change_fps(clip, src_fps, dst_fps):
    clip = np.asarray(clip, np.float32)
    t = clip.shape[0]
    count = math.floor((t - 1) * dst_fps / src_fps + 1e-9) + 1
    out = []
    for k in range(count):
        p = k * src_fps / dst_fps
        i = min(math.floor(p + 1e-9), t - 1)
        f = p - i if i < t - 1 else 0.0
        nxt = clip[min(i + 1, t - 1)]
        out.append((1 - f) * clip[i] + f * nxt)
    return np.stack(out).astype(np.float32)


# %%
course.check("Exercise 6.1", my_change_fps, nb06.check_change_fps)

# %% [markdown]
# ### Exercise 6.2: smoothing against flicker
#
# Pad the time axis with `r` copies of the first and last frames, then average `window` shifted views.


# %%
def my_smooth(clip, window):
    clip = np.asarray(clip, np.float32)
    r = window // 2
    padded = np.concatenate([clip[:1].repeat(r, 0), clip, clip[-1:].repeat(r, 0)])
    t = clip.shape[0]
    return np.mean([padded[j : j + t] for j in range(window)], axis=0)


# %%
course.check("Exercise 6.2", my_smooth, nb06.check_smooth)

# %% [markdown]
# ### Exercise 6.3: spherical interpolation
#
# Normalise, find the angle, mix the unit vectors with the sine weights, re-normalise, scale by the
# interpolated length. (For parallel vectors `sin(ω) = 0`: fall back to a straight line.)


# %%
def my_slerp(a, b, t):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    ua, ub = a / na, b / nb
    omega = np.arccos(np.clip(ua @ ub, -1, 1))
    if np.sin(omega) < 1e-6:
        return (1 - t) * a + t * b
    direction = (np.sin((1 - t) * omega) * ua + np.sin(t * omega) * ub) / np.sin(omega)
    return direction / np.linalg.norm(direction) * ((1 - t) * na + t * nb)


# %%
course.check("Exercise 6.3", my_slerp, nb06.check_slerp)
