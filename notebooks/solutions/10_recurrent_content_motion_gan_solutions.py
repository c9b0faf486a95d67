# %% [markdown]
# # 10 · MoCoGAN: what the clip shows, and how it moves: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/10_recurrent_content_motion_gan_solutions.ipynb)
#
# Worked answers to the exercises of notebook 10 (reading the latent vector, the codes the image generator is
# given, whether a long clip keeps its digit). Try them yourself first.
#
# **Prerequisites:** notebook 10.
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
from tfvidgan.course import nb10

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 10.1: reading the latent vector
#
# The content code is the last `content_dim` numbers; everything before it is `T` noise vectors in a row, so a
# reshape to `(B, -1, motion_dim)` gives `eps_t` at `noise[:, t]`.


# %%
def split_latents(z, motion_dim, content_dim):
    z = np.asarray(z)
    noise = z[:, :-content_dim].reshape(len(z), -1, motion_dim)  # (B, T, M)
    return noise, z[:, -content_dim:]  # (B, K)


# %%
course.check("Exercise 10.1", split_latents, nb10.check_split_latents)


# %% [markdown]
# ### Exercise 10.2: what the image generator is given
#
# Broadcasting `content[:, None, :]` over the `T` frames repeats it; after the concatenation the reshape folds
# clip `b`, frame `t` into row `b * T + t`, the order `FrameByFrame` unfolds again.


# %%
def frame_codes(content, motion):
    content, motion = np.asarray(content), np.asarray(motion)
    b, t, m = motion.shape
    repeated = np.broadcast_to(content[:, None, :], (b, t, content.shape[-1]))
    return np.concatenate([repeated, motion], axis=-1).reshape(b * t, -1)


# %%
course.check("Exercise 10.2", frame_codes, nb10.check_frame_codes)


# %% [markdown]
# ### Exercise 10.3: does a long clip keep its digit?
#
# One majority per clip from its first frames, then a comparison broadcast over time and a mean over clips.


# %%
def agreement_by_frame(frame_pred, first):
    frame_pred = np.asarray(frame_pred)
    majority = np.array([np.bincount(row[:first], minlength=10).argmax() for row in frame_pred])
    return (frame_pred == majority[:, None]).mean(axis=0)


# %%
course.check("Exercise 10.3", agreement_by_frame, nb10.check_agreement_by_frame)
