# %% [markdown]
# # 11 · Conditional video: by class, and from a first frame: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/11_conditional_video_solutions.ipynb)
#
# Worked answers to the exercises of notebook 11 (the asked digit per clip, the digit kept after the first frame,
# motion energy against real clips). Try them yourself first.
#
# **Prerequisites:** notebook 11.
#
# **CPU time:** under a minute (normal mode), under a minute in smoke mode.

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
from tfvidgan.course import nb11

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 11.1: the asked digit, per clip
#
# One majority digit per clip (`np.bincount(row).argmax()`), compared with the asked digit, averaged over clips.


# %%
def asked_digit_rate(frame_pred, asked):
    frame_pred = np.asarray(frame_pred)
    drawn = np.array([np.bincount(row, minlength=10).argmax() for row in frame_pred])
    return float(np.mean(drawn == np.asarray(asked)))


# %%
course.check("Exercise 11.1", asked_digit_rate, nb11.check_asked_digit_rate)


# %% [markdown]
# ### Exercise 11.2: the digit kept after the first frame
#
# Frame 0 is the given image; compare frames 1..T-1 with the first frame's digit, broadcast over time.


# %%
def kept_digit_rate(frame_pred, first_digits):
    frame_pred = np.asarray(frame_pred)
    return float(np.mean(frame_pred[:, 1:] == np.asarray(first_digits)[:, None]))


# %%
course.check("Exercise 11.2", kept_digit_rate, nb11.check_kept_digit_rate)


# %% [markdown]
# ### Exercise 11.3: moves as much as the data?
#
# The energy of a clip is the mean over every axis but the first of the squared difference of neighbouring frames.


# %%
def energy_ratio(generated, real):
    def energy(clips):
        clips = np.asarray(clips, dtype=np.float64)
        return np.mean(
            (clips[:, 1:] - clips[:, :-1]) ** 2
        )  # = mean over clips of the per-clip means

    return energy(generated) / energy(real)


# %%
course.check("Exercise 11.3", energy_ratio, nb11.check_energy_ratio)
