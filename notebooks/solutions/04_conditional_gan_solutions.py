# %% [markdown]
# # 04 · Conditional GAN: choosing the digit: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/04_conditional_gan_solutions.ipynb)
#
# Worked answers to the exercises of notebook 04 (the projection term by hand, one-hot
# conditioning, rows of chosen digits). Try them yourself first.
#
# **Prerequisites:** notebook 04.
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
from tfvidgan.course import nb04

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 4.1: the projection term by hand
#
# `embedding[y]` picks one row per sample, shape `(B, D)`; the elementwise product with `h`
# summed over the feature axis is the inner product `<e_y, h>`.


# %%
def my_projection(h, y, embedding):
    h, embedding = np.asarray(h), np.asarray(embedding)
    rows = embedding[np.asarray(y).reshape(-1)]  # (B, D)
    return np.sum(rows * h, axis=-1, keepdims=True)  # (B, 1)


# %%
course.check("Exercise 4.1", my_projection, nb04.check_projection)


# %% [markdown]
# ### Exercise 4.2: one-hot conditioning
#
# Row `y` of the identity matrix is the one-hot code of `y`.


# %%
def one_hot_concat(z, y, num_classes):
    one_hot = np.eye(num_classes, dtype="float32")[np.asarray(y)]
    return np.concatenate([np.asarray(z, dtype="float32"), one_hot], axis=-1)


# %%
course.check("Exercise 4.2", one_hot_concat, nb04.check_one_hot_concat)


# %% [markdown]
# ### Exercise 4.3: rows of chosen digits
#
# `model.sample(n, labels=d)` broadcasts the int `d` to all `n` samples; stack one call per digit.


# %%
def digit_rows(model, digits, per_row):
    return np.stack([model.sample(per_row, labels=int(d)) for d in digits])


# %%
course.check("Exercise 4.3", digit_rows, nb04.check_digit_rows)
