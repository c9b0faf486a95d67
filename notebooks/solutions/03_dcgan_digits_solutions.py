# %% [markdown]
# # 03 · DCGAN on digit images: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/03_dcgan_digits_solutions.ipynb)
#
# Worked answers to the exercises of notebook 03 (the discriminator loss by hand, the generator's
# shapes, a hinge-loss DCGAN). Try them yourself first.
#
# **Prerequisites:** notebook 03.
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

from keras import ops

from tfvidgan import course
from tfvidgan.course import nb03

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 3.1: the discriminator loss by hand
#
# With `p = sigmoid(x)`: `-log p = softplus(-x)` and `-log(1 - p) = softplus(x)`, so the binary
# cross-entropy with target `t` is `t softplus(-x) + (1 - t) softplus(x)`, finite for any logit.


# %%
def my_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    t = 1.0 - label_smoothing
    real_term = ops.mean(t * ops.softplus(-real_logits) + (1.0 - t) * ops.softplus(real_logits))
    fake_term = ops.mean(ops.softplus(fake_logits))
    return real_term + fake_term


# %%
course.check("Exercise 3.1", my_d_loss, nb03.check_d_loss)


# %% [markdown]
# ### Exercise 3.2: shapes through the generator
#
# `k = log2(image_size / 4)` doublings. The 4x4 projection has `base_filters * 2**(k - 1)`
# channels; each of the `k - 1` up blocks doubles H, W and halves the filters; the last
# transposed convolution doubles once more straight to `channels`.


# %%
def generator_shapes(image_size, base_filters, channels=1):
    k = int(round(math.log2(image_size / 4)))
    shapes = [(4 * 2**i, 4 * 2**i, base_filters * 2 ** (k - 1 - i)) for i in range(k)]
    return shapes + [(image_size, image_size, channels)]


print(generator_shapes(32, 32))

# %%
course.check("Exercise 3.2", generator_shapes, nb03.check_generator_shapes)


# %% [markdown]
# ### Exercise 3.3: a hinge-loss DCGAN
#
# Real logits above +1 and fake logits below -1 cost the discriminator nothing; the generator
# simply raises the critic's score of its fakes.


# %%
def my_hinge_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def my_hinge_g_loss(fake_logits):
    return -ops.mean(ops.cast(fake_logits, "float32"))


# %%
course.check("Exercise 3.3", (my_hinge_g_loss, my_hinge_d_loss), nb03.check_hinge)
