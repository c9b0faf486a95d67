# %% [markdown]
# # 01 · Setup and tour: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/01_setup_and_tour_solutions.ipynb)
#
# Worked answers to the exercises of notebook 01 (pixel conversion, the shape of a video grid, the motion
# class from the centre of mass). Try them yourself first.
#
# **Prerequisites:** notebook 01.
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
import math

import numpy as np

from tfvidgan import course
from tfvidgan.course import nb01

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 1.1: pixels in and out
#
# `astype(np.uint8)` alone would truncate (0.99 -> 0), so round with `np.rint` first; clip first so that a
# generator's overshoot (1.2) becomes 255 instead of wrapping around.


# %%
def my_to_float(x):
    return np.asarray(x, dtype=np.float32) / np.float32(127.5) - np.float32(1.0)


def my_to_uint8(x):
    x = np.clip(np.asarray(x, dtype=np.float32), -1.0, 1.0)
    return np.rint((x + 1.0) * 127.5).astype(np.uint8)


# %%
course.check("Exercise 1.1", (my_to_float, my_to_uint8), nb01.check_pixel_conversion)


# %% [markdown]
# ### Exercise 1.2: the shape of a video grid
#
# `rows * H + (rows - 1) * pad` pixels high: the padding only goes between tiles. Time and channels are untouched.


# %%
def grid_shape(batch_shape, ncols=None, pad=1):
    n, t, h, w, c = batch_shape
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    return (t, nrows * (h + pad) - pad, ncols * (w + pad) - pad, c)


# %%
course.check("Exercise 1.2", grid_shape, nb01.check_grid_shape)


# %% [markdown]
# ### Exercise 1.3: read the motion class from the pixels
#
# The centre of mass moves exactly like the digit. Summing `|dx|` and `|dy|` over the clip tells the axis
# (a bounce flips the sign, not the axis); on a diagonal, `dx * dy > 0` means down-right or up-left, i.e. `\`.


# %%
def motion_class(clip):
    ink = np.asarray(clip, dtype=np.float32).sum(axis=-1)  # (T, H, W), colour channels summed
    ys, xs = np.mgrid[: ink.shape[1], : ink.shape[2]]
    mass = ink.sum(axis=(1, 2))
    cx = (ink * xs).sum(axis=(1, 2)) / mass
    cy = (ink * ys).sum(axis=(1, 2)) / mass
    dx, dy = np.diff(cx), np.diff(cy)
    along_x, along_y = np.abs(dx).sum(), np.abs(dy).sum()
    if along_y < 0.25 * along_x:
        return 0  # horizontal
    if along_x < 0.25 * along_y:
        return 1  # vertical
    return 2 if (dx * dy).sum() > 0 else 3


# %%
course.check("Exercise 1.3", motion_class, nb01.check_motion_class)
