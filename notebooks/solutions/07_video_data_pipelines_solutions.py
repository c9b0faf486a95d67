# %% [markdown]
# # 07 · Video data pipelines: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/07_video_data_pipelines_solutions.ipynb)
#
# Worked answers to the exercises of notebook 07 (kept frames, evenly spaced clips, finding bad files).
# Try them yourself first.
#
# **Prerequisites:** notebook 07.
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
from pathlib import Path

import numpy as np

from tfvidgan import course, data
from tfvidgan.course import nb07

course.require_solutions()  # an unanswered exercise fails here

# %% [markdown]
# ### Exercise 7.1: which frames does a step keep?
#
# A tiny epsilon protects `floor` from rounding: `3 * (10 / 3)` is `9.999...` in floating point.


# %%
def my_kept_indices(num_frames, step):
    out, k = [], 0
    while (index := math.floor(k * step + 1e-9)) < num_frames:
        out.append(index)
        k += 1
    return out


# %%
course.check("Exercise 7.1", my_kept_indices, nb07.check_kept_indices)

# %% [markdown]
# ### Exercise 7.2: evenly spaced clips that fit
#
# The last possible start is `num_available - num_frames` (the clip then ends on the last frame).


# %%
def my_clip_starts(num_available, num_frames, clips):
    max_start = num_available - num_frames
    if clips == 1:
        return [max_start // 2]
    return np.rint(np.linspace(0, max_start, clips)).astype(int).tolist()


# %%
course.check("Exercise 7.2", my_clip_starts, nb07.check_clip_starts)

# %% [markdown]
# ### Exercise 7.3: find the bad files before training
#
# `probe_video` is what `video_clips` runs on every file before decoding anything.


# %%
def find_unreadable(folder):
    bad = set()
    for path in data.list_videos(folder).paths:
        try:
            data.probe_video(path)
        except ValueError:
            bad.add(Path(path).name)
    return bad


# %%
course.check("Exercise 7.3", find_unreadable, nb07.check_find_unreadable)
