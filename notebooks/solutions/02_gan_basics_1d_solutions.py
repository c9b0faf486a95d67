# %% [markdown]
# # 02 · GAN basics on a 1-D Gaussian: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/02_gan_basics_1d_solutions.ipynb)
#
# Worked answers to the exercises of notebook 02 (the minimax generator loss, the least-squares generator
# loss, the optimal discriminator). Try them yourself first.
#
# **Prerequisites:** notebook 02.
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
import tensorflow as tf

from tfvidgan import course
from tfvidgan.course import nb02

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 2.1: the minimax generator loss
#
# $\log(1 - \sigma(l)) = \log \sigma(-l) = -\operatorname{softplus}(l)$, finite for every logit.


# %%
def my_minimax_generator_loss(fake_logits):
    return -tf.reduce_mean(tf.nn.softplus(tf.cast(fake_logits, tf.float32)))


# %%
course.check("Exercise 2.1", my_minimax_generator_loss, nb02.check_minimax_generator_loss)


# %% [markdown]
# ### Exercise 2.2: the least-squares generator loss
#
# The raw discriminator output is regressed onto the "real" target 1; no sigmoid, no log.


# %%
def my_least_squares_generator_loss(fake_logits):
    return 0.5 * tf.reduce_mean(tf.square(tf.cast(fake_logits, tf.float32) - 1.0))


# %%
course.check(
    "Exercise 2.2", my_least_squares_generator_loss, nb02.check_least_squares_generator_loss
)


# %% [markdown]
# ### Exercise 2.3: the optimal discriminator
#
# Pointwise, $a \log y + b \log(1 - y)$ is largest at $y = a / (a + b)$ with $a = p_\text{data}(x)$,
# $b = p_g(x)$. Where both densities vanish `D*` is undefined; we return 1/2 there.


# %%
def my_optimal_discriminator(p_data, p_g):
    p_data, p_g = np.asarray(p_data, dtype=np.float64), np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


# %%
course.check("Exercise 2.3", my_optimal_discriminator, nb02.check_optimal_discriminator)
