# %% [markdown]
# # 13 · Training tricks and failure modes: solutions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/solutions/13_training_tricks_solutions.ipynb)
#
# Worked answers to the exercises of notebook 13 (the hinge discriminator loss, the R1 penalty, a
# differentiable translation). Try them yourself first.
#
# **Prerequisites:** notebook 13.
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
import tensorflow as tf

from tfvidgan import course
from tfvidgan.course import nb13

course.require_solutions()  # an unanswered exercise fails here


# %% [markdown]
# ### Exercise 13.1: the hinge discriminator loss
#
# Real logits are pushed above +1 and fake logits below -1; beyond the margin a sample costs nothing.


# %%
def my_hinge_d_loss(real_logits, fake_logits):
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    return tf.reduce_mean(tf.nn.relu(1.0 - real_logits)) + tf.reduce_mean(
        tf.nn.relu(1.0 + fake_logits)
    )


# %%
course.check("Exercise 13.1", my_hinge_d_loss, nb13.check_hinge_d_loss)


# %% [markdown]
# ### Exercise 13.2: the R1 penalty
#
# Differentiate the critic's output with respect to its input (watch the input: it is not a variable),
# square, sum over every non-batch axis (3 for images, 4 for videos), average over the batch.


# %%
def my_r1_penalty(critic, real):
    real = tf.cast(real, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(real)
        logits = tf.cast(critic(real), tf.float32)
    grads = tape.gradient(logits, real)
    per_sample = tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads)))
    return tf.reduce_mean(per_sample)


# %%
course.check("Exercise 13.2", my_r1_penalty, nb13.check_r1_penalty)


# %% [markdown]
# ### Exercise 13.3: a differentiable translation
#
# Pad by |dy| rows and |dx| columns of -1 on each side; the window starting at row `|dy| - dy` and column
# `|dx| - dx` holds the shifted images (output row i reads input row i - dy). Padding and slicing are
# differentiable: the gradient is 1 for pixels that stay in the frame, 0 for the others.


# %%
def my_shift(images, dy, dx):
    images = tf.convert_to_tensor(images, tf.float32)
    height, width = images.shape[1], images.shape[2]
    py, px = abs(dy), abs(dx)
    padded = tf.pad(images, [[0, 0], [py, py], [px, px], [0, 0]], constant_values=-1.0)
    return padded[:, py - dy : py - dy + height, px - dx : px - dx + width, :]


# %%
course.check("Exercise 13.3", my_shift, nb13.check_shift)
