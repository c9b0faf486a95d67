# %% [markdown]
# # 04 · Conditional GAN: choosing the digit
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/04_conditional_gan.ipynb)
#
# The DCGAN of notebook 03 draws *a* digit; you cannot say which. A **conditional GAN**
# (Mirza & Osindero 2014, [arXiv:1411.1784](https://arxiv.org/abs/1411.1784)) gives both networks
# the class label `y` as an extra input. The generator then learns `p(x | y)`: ask for a 7, get a 7.
# The same idea later conditions video GANs on actions, text or a first frame.
#
# **You will learn**
# - how a label enters the generator (an embedding concatenated to z);
# - two ways for the discriminator to use it: **concatenation** and the **projection
#   discriminator** (Miyato & Koyama 2018, [arXiv:1802.05637](https://arxiv.org/abs/1802.05637));
# - that the shared `train_step` already handles labels: a dataset of `(images, labels)` is enough;
# - to sample a chosen digit, separate *style* (z) from *class* (y), and measure how often the
#   model draws the digit it was asked for.
#
# **Prerequisites:** notebook 03 (DCGAN: the blocks, the training loop, reading the losses).
#
# **CPU time:** about 2 min (normal mode), under a minute in smoke mode.

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
import inspect
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import tfvidgan
from tfvidgan import callbacks, course, runtime, video_io
from tfvidgan.course import nb04, pick
from tfvidgan.data import load_arrays, make_dataset
from tfvidgan.layers import ClassProjection
from tfvidgan.models import cgan
from tfvidgan.models.base import GAN

runtime.set_seed(0)
print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
print("dtype policy:", runtime.set_precision())  # bf16 on CPUs that have it (see notebook 03)

# %% [markdown]
# ## Data with labels
#
# `make_dataset(..., with_labels=True)` yields pairs `(x, y)`: images `(B, 32, 32, 1)` in [-1, 1]
# and integer labels `(B,)`, the digit drawn. The ten classes are balanced.

# %%
LATENT_DIM = 64
NUM_CLASSES = 10
BASE_FILTERS = pick(normal=32, smoke=8)
BATCH_SIZE = pick(normal=64, smoke=16)
STEPS_PER_EPOCH = pick(normal=250, smoke=2)
EPOCHS = pick(normal=12, smoke=2)

dataset = make_dataset(
    "digits", batch_size=BATCH_SIZE, num=pick(normal=8192, smoke=64), with_labels=True
)
x, y = next(iter(dataset))
print("images:", x.shape, x.dtype, "  labels:", y.shape, y.dtype, y[:10].numpy())

fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for ax, image, label in zip(axes, x[:10], y[:10]):
    ax.imshow(image[..., 0], cmap="gray", vmin=-1, vmax=1)
    ax.set_title(f"y = {int(label)}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Why giving the label to both networks works
#
# The discriminator now judges **pairs** `(x, y)`: "is this a real image *of digit y*?". A
# generator that draws a perfect 3 when asked for a 7 produces a pair that never occurs in the
# data, so the discriminator learns to reject it and the generator is pushed to obey `y`.
# At the optimum `G(z, y)` follows `p_data(x | y)` for every class. The noise `z` is left with
# everything the label does not say: font, thickness, size, position, slant: the **style**.
#
# ### The generator: embed the label, concatenate it to z
#
# The paper concatenates a one-hot `y` to `z`. tfvidgan uses a learned `Embedding` (a one-hot
# times a weight matrix, i.e. the same thing with a trainable matrix): `z (B, 64)` and
# `embed(y) (B, 16)` become one vector `(B, 80)` that feeds the unchanged DCGAN generator.

# %%
print(inspect.getsource(cgan.build_generator))

# %% [markdown]
# ### The discriminator: concatenation or projection
#
# **Concatenation** (the original cGAN idea, applied to images): turn `y` into a learned 32x32
# map and stack it onto the image as a second channel, `(B, 32, 32, 1 + 1)`. The network must
# discover, from its first layer on, how the label map relates to the pixels.
#
# **Projection** (Miyato & Koyama 2018): run the DCGAN feature extractor `phi(x)` first, then
#
# $$\text{logit}(x, y) = \underbrace{\psi(\phi(x))}_{\text{is it a real digit?}} + \underbrace{\langle e_y, \phi(x)\rangle}_{\text{is it digit } y\text{?}}$$
#
# with a learned embedding row `e_y` per class. The paper derives this form: the optimal logit is
# `log p_data(x, y) / p_G(x, y)`, and if the class posteriors are softmax (log-linear) in the
# features, it splits exactly into a label-free term plus an inner product. The label acts where
# the features are already semantic, costs only `num_classes x D` weights, and gave clearly better
# class-conditional ImageNet samples than concatenation. It is our default.

# %%
print(inspect.getsource(cgan.build_discriminator))
print(inspect.getsource(ClassProjection))

# %% [markdown]
# Build both discriminators and compare. Both take `[images (B, 32, 32, 1), labels (B,)]` and
# return one logit per sample, `(B, 1)`:

# %%
generator = cgan.build_generator(
    LATENT_DIM, NUM_CLASSES, image_size=32, channels=1, base_filters=BASE_FILTERS
)
discriminator = cgan.build_discriminator(
    NUM_CLASSES, image_size=32, channels=1, base_filters=BASE_FILTERS, conditioning="projection"
)
concat_discriminator = cgan.build_discriminator(
    NUM_CLASSES, image_size=32, channels=1, base_filters=BASE_FILTERS, conditioning="concat"
)
generator.summary()
discriminator.summary()
print("projection discriminator:", discriminator.count_params(), "parameters")
print(
    "concat discriminator:    ",
    concat_discriminator.count_params(),
    "parameters (the 10 label maps are 10 x 32 x 32)",
)

z = keras.random.normal((4, LATENT_DIM), seed=1)
labels = ops.convert_to_tensor(np.array([0, 3, 7, 9], dtype="int32"))
fake = generator([z, labels])
print(
    "G([z, y]):",
    fake.shape,
    "  D_proj([x, y]):",
    discriminator([fake, labels]).shape,
    "  D_concat([x, y]):",
    concat_discriminator([fake, labels]).shape,
)

# %% [markdown]
# ## The same training step, now with labels
#
# Nothing new to write. `GAN.train_step` unpacks `real, labels = data` when the dataset yields
# pairs, and passes `labels` on through two hooks. The fakes of a step are asked for **the same
# labels as the real batch**, so the discriminator compares real 7s with fake 7s:

# %%
print(inspect.getsource(GAN.generate))
print(inspect.getsource(GAN.discriminate))

# %% [markdown]
# ## Train
#
# `ConditionalGAN` is `GAN` with `num_classes` set. The `SampleMonitor` notices `num_classes` and
# cycles its labels `0, 1, ..., 9, 0, 1, ...`: with 100 samples in a 10x10 grid, **column k is
# always digit k** and each row is one fixed z. Watch the columns agree on a digit.
#
# The optimizers are the paper's DCGAN settings (Adam 2e-4, beta_1 = 0.5 for both), and 3000
# steps are enough here: compare with notebook 03, where the unconditional DCGAN needed three times
# the steps and a faster generator for clean digits. The label is a strong hint for both players:
# the generator learns ten simpler distributions instead of one mixture, and the discriminator
# can reject a fake 7 by comparing it with real 7s only.

# %%
model = cgan.ConditionalGAN(
    generator, discriminator, latent_dim=LATENT_DIM, num_classes=NUM_CLASSES, seed=0
)
model.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
monitor = callbacks.SampleMonitor("runs/nb04/samples", num=100, seed=1234, display=True, width=330)

start = time.time()
history = model.fit(
    dataset, epochs=EPOCHS, steps_per_epoch=STEPS_PER_EPOCH, callbacks=[monitor], verbose=2
)
print(f"{EPOCHS * STEPS_PER_EPOCH} steps in {(time.time() - start) / 60:.1f} min")

# %%
h = history.history
epochs = np.arange(1, len(h["d_loss"]) + 1)
plt.figure(figsize=(6, 3))
plt.plot(epochs, h["d_loss"], "o-", label="d_loss")
plt.plot(epochs, h["g_loss"], "o-", label="g_loss")
plt.axhline(np.log(4), color="gray", ls="--", lw=1, label="log 4")
plt.xlabel("epoch")
plt.gca().xaxis.set_major_locator(plt.MaxNLocator(integer=True))
plt.legend()
plt.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Ask for a digit
#
# `model.sample(n, labels=k)` broadcasts an int label to all `n` samples. Row k below is
# "asked for digit k", with fresh z in every cell: the digit must stay, the style may vary.

# %%
PER_ROW = 12
rows = np.stack(
    [model.sample(PER_ROW, labels=k) for k in range(NUM_CLASSES)]
)  # (10, 12, 32, 32, 1)
video_io.save_png(
    "runs/nb04/asked_digits.png", video_io.image_grid(rows.reshape(-1, 32, 32, 1), ncols=PER_ROW)
)

fig, axes = plt.subplots(NUM_CLASSES, 1, figsize=(PER_ROW * 0.7, NUM_CLASSES * 0.75))
for k, ax in enumerate(axes):
    ax.imshow(video_io.image_grid(rows[k], ncols=PER_ROW)[..., 0], cmap="gray", vmin=-1, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylabel(f"asked {k}", rotation=0, ha="right", va="center")
axes[0].set_title("row k: model.sample(12, labels=k)")
plt.subplots_adjust(hspace=0.05)
plt.show()

# %% [markdown]
# ## Style from z, class from y
#
# Now hold z **fixed** down each column and change only the label. If the model separated the
# two, a column keeps one style (thickness, size, slant, position) across all ten digits.
# `model.generate(z, labels)` is the lower-level call behind `sample`.

# %%
styles = 8
z = keras.random.normal((styles, LATENT_DIM), seed=42)
z_grid = ops.tile(z, (NUM_CLASSES, 1))  # row k repeats the same 8 z ...
y_grid = np.repeat(np.arange(NUM_CLASSES, dtype="int32"), styles)  # ... with label k
same_style = ops.convert_to_numpy(model.generate(z_grid, ops.convert_to_tensor(y_grid)))
grid = video_io.image_grid(same_style, ncols=styles)
plt.figure(figsize=(4, 5))
plt.imshow(grid[..., 0], cmap="gray", vmin=-1, vmax=1)
plt.title("column: one z; row k: label k")
plt.axis("off")
plt.show()

# %% [markdown]
# ## How often does it draw the digit it was asked for?
#
# Our eyes are one judge; a number is better. We need a classifier for our digits, and the
# simplest one needs no training: **nearest neighbour**. Render a reference set of real digits,
# and label each image with the class of the most similar reference (cosine similarity of the
# centred pixels). First check the classifier on *real* images it has not seen; then ask the GAN
# for 100 of each digit and count how many the classifier reads as the asked digit.
#
# (Published cGANs report the same idea with a strong pretrained classifier, e.g. "classification
# accuracy" of generated samples. A generator that ignores `y` would score about 10 %.)

# %%
reference, reference_labels = load_arrays("digits", pick(normal=4000, smoke=500), seed=101)


def features(images):
    """Flatten, centre and L2-normalise (uint8 [0, 255] or float [-1, 1] images)."""
    f = np.asarray(images, dtype="float32").reshape(len(images), -1)
    if np.asarray(images).dtype == np.uint8:
        f = f / 127.5 - 1.0
    f = f - f.mean(axis=1, keepdims=True)
    return f / (np.linalg.norm(f, axis=1, keepdims=True) + 1e-6)


REFERENCE = features(reference)


def classify(images):
    """Label of the most similar reference digit."""
    return reference_labels[np.argmax(features(images) @ REFERENCE.T, axis=1)]


held_out, held_out_labels = load_arrays("digits", 1000, seed=202)
print(
    f"nearest-neighbour accuracy on unseen real digits: {np.mean(classify(held_out) == held_out_labels):.1%}"
)

PER_CLASS = pick(normal=100, smoke=10)
asked = np.repeat(np.arange(NUM_CLASSES), PER_CLASS)
drawn = classify(model.sample(len(asked), labels=asked))
per_class = [np.mean(drawn[asked == k] == k) for k in range(NUM_CLASSES)]
print(f"asked digit drawn: {np.mean(drawn == asked):.1%} of {len(asked)} samples")
print("per digit:", "  ".join(f"{k}: {p:.0%}" for k, p in enumerate(per_class)))

confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=int)
np.add.at(confusion, (asked, drawn), 1)
plt.figure(figsize=(4, 3.5))
plt.imshow(confusion, cmap="Blues")
plt.xlabel("read as")
plt.ylabel("asked for")
plt.xticks(range(10))
plt.yticks(range(10))
plt.colorbar()
plt.title("asked vs drawn")
plt.show()

# %% [markdown]
# Off-diagonal cells show which digits the model confuses (often pairs that share strokes, like
# 3/5/8 or 4/9). Things to try: `conditioning="concat"` instead of projection (same budget;
# compare the rate), fewer training steps (when does the label start to matter?), or the
# command line: `tfvidgan train --model cgan --preset demo --out runs/cgan`, then
# `tfvidgan sample --run runs/cgan --label 7 --num 16 --out sevens.png`.
#
# ## Exercises
#
# ### Exercise 4.1 · The projection term by hand
#
# Given features `h (B, D)`, integer labels `y (B,)` and an embedding matrix `embedding
# (num_classes, D)`, return the projection term `<embedding[y_i], h_i>` for every sample, shape
# `(B, 1)`. NumPy is fine. The check compares with `ClassProjection` holding the same matrix.


# %%
def my_projection(h, y, embedding):
    # TODO: look up one row per sample, multiply with h, sum over features (keep a (B, 1) shape)
    raise course.TODO


# %%
course.check("Exercise 4.1", my_projection, nb04.check_projection)

# %% [markdown]
# ### Exercise 4.2 · One-hot conditioning, as in the original paper
#
# Mirza & Osindero feed `[z, one_hot(y)]` to the generator. Write `one_hot_concat(z, y,
# num_classes)` returning shape `(B, latent_dim + num_classes)`: z unchanged, then the one-hot
# code. (`np.eye(num_classes)[y]` or `ops.one_hot(y, num_classes)`.) Note that a `Dense` layer
# applied to a one-hot vector just picks one row of its weight matrix: that is exactly what the
# `Embedding` layer in `cgan.build_generator` does, without the multiplication.


# %%
def one_hot_concat(z, y, num_classes):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 4.2", one_hot_concat, nb04.check_one_hot_concat)

# %% [markdown]
# ### Exercise 4.3 · Rows of chosen digits
#
# Write `digit_rows(model, digits, per_row)` returning an array `(len(digits), per_row, H, W, C)`
# whose row `i` holds `per_row` samples of digit `digits[i]` (like the "ask for a digit" figure).
# The check runs it on a stand-in model whose "generator" paints the asked label into the pixels.
# Then use it on **your** model to draw a row of 7s and a row of your favourite digit.


# %%
def digit_rows(model, digits, per_row):
    # TODO
    raise course.TODO


# %%
if course.check("Exercise 4.3", digit_rows, nb04.check_digit_rows):
    mine = digit_rows(model, [7, 2], 10)
    plt.imshow(video_io.image_grid(mine.reshape(-1, 32, 32, 1), ncols=10)[..., 0], cmap="gray")
    plt.axis("off")
    plt.show()
