# %% [markdown]
# # 08 · A video GAN from 3-D convolutions: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/08_3d_conv_video_gan_solutions.ipynb)
#
# Worked answers to the exercises of notebook 08 (the generator's time plan, the two-stream
# composite, clip consistency by hand). Try them yourself first.
#
# **Prerequisites:** notebook 08.
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
import numpy as np

from tfvidgan import course
from tfvidgan.course import nb08

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 8.1: the time plan
#
# Halve the length while it is even, at most `k - 1` times: the last block draws pixels and
# doubles space only. What is left is `t0`, the number of halvings is `m`, and
# `t0 * 2**m == num_frames`.


# %%
def time_plan(num_frames, k):
    t0, m = int(num_frames), 0
    while t0 % 2 == 0 and m < k - 1:
        t0, m = t0 // 2, m + 1
    return t0, m


print(time_plan(16, 3), time_plan(8, 4), time_plan(6, 3))

# %%
course.check("Exercise 8.1", time_plan, nb08.check_time_plan)


# %% [markdown]
# ### Exercise 8.2: the two-stream composite
#
# NumPy broadcasting does the work: the background's time axis has length 1, so it is repeated
# over the `T` frames of the mask and the foreground.


# %%
def composite(mask, foreground, background):
    return mask * foreground + (1.0 - mask) * background


# %%
course.check("Exercise 8.2", composite, nb08.check_composite)


# %% [markdown]
# ### Exercise 8.3: clip consistency by hand
#
# `np.bincount(row, minlength=10).argmax()` is the most frequent digit of one clip, and `argmax`
# returns the first (smallest) index on a tie, as the evaluation does.


# %%
def clip_consistency(probs):
    digits = np.asarray(probs).argmax(axis=-1)  # (N, T)
    majority = np.array([np.bincount(row, minlength=10).argmax() for row in digits])
    return float(np.mean(digits == majority[:, None]))


# %%
course.check("Exercise 8.3", clip_consistency, nb08.check_clip_consistency)
