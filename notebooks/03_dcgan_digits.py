# %% [markdown]
# # 03 · DCGAN on digit images
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/03_dcgan_digits.ipynb)
#
# In notebook 02 a GAN learned a 1-D distribution with two small dense networks. Images need
# networks that understand space: **convolutions**. DCGAN (Radford, Metz & Chintala 2015,
# [arXiv:1511.06434](https://arxiv.org/abs/1511.06434)) is the recipe that first made
# convolutional GANs train reliably, and every image and video GAN in this course builds on it.
#
# **You will learn**
# - the DCGAN design rules and the two blocks that implement them (up block, down block);
# - how a generator grows a 4x4 feature map into a 32x32 image, and a discriminator shrinks it back;
# - to train with plain Keras: build, `compile`, `fit`, with a callback that shows samples every epoch;
# - to read GAN loss curves, and to walk through the latent space by interpolation;
# - mixed precision (bfloat16) for a cheap speed-up on modern CPUs.
#
# **Prerequisites:** notebook 02 (the GAN game and the shared `train_step` on 1-D data).
#
# **CPU time:** about 6 min (normal mode), under a minute in smoke mode.

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

import tfvidgan
from tfvidgan import callbacks, course, losses, models, runtime, video_io
from tfvidgan.course import nb03, pick
from tfvidgan.data import make_dataset
from tfvidgan.layers import down_block, to_pixels, up_block
from tfvidgan.models import dcgan
from tfvidgan.models.base import GAN

runtime.set_seed(0)
print("tfvidgan", tfvidgan.__version__, "| keras", keras.__version__, "| smoke mode:", course.SMOKE)

# %% [markdown]
# ## Mixed precision first
#
# `set_precision()` picks the fastest safe number format for this machine and makes it Keras's
# global policy. On a CPU with AMX (recent Xeons) it chooses `mixed_bfloat16`:
# layers *compute* in bfloat16 (16 bits, the exponent range of float32) but keep their *weights*
# in float32, so small updates are not lost. Our DCGAN step runs about 1.5x faster with the same
# samples. On a GPU with tensor cores it picks `mixed_float16`; elsewhere `float32`.
# Call it **before** building models: layers read the policy when they are created.

# %%
policy = runtime.set_precision()  # "auto"
print("dtype policy:", policy)

# %% [markdown]
# ## The data: synthetic digits
#
# `make_dataset("digits")` renders white digits 0-9 on black in several fonts, stroke widths,
# sizes and positions: a small, offline stand-in for MNIST. It returns a `tf.data.Dataset` of
# batches `(B, 32, 32, 1)`, float32 in **[-1, 1]** (the range of the generator's `tanh`),
# shuffled and repeated forever, so `fit` needs `steps_per_epoch`.

# %%
LATENT_DIM = 64
BASE_FILTERS = pick(normal=32, smoke=8)
BATCH_SIZE = pick(normal=64, smoke=16)
STEPS_PER_EPOCH = pick(normal=500, smoke=2)
EPOCHS = pick(normal=18, smoke=2)

dataset = make_dataset("digits", batch_size=BATCH_SIZE, num=pick(normal=8192, smoke=64))
real = next(iter(dataset))
print(
    "batch:",
    real.shape,
    real.dtype,
    "range",
    float(real.numpy().min()),
    "to",
    float(real.numpy().max()),
)


def show(images, ncols=None, title=None, size=4):
    """Show a batch (N, H, W, 1) in [-1, 1] as one grid."""
    grid = video_io.image_grid(np.asarray(images), ncols=ncols)
    plt.figure(figsize=(size, size * grid.shape[0] / grid.shape[1]))
    plt.imshow(grid[..., 0], cmap="gray", vmin=-1, vmax=1)
    plt.axis("off")
    if title:
        plt.title(title)
    plt.show()


show(real[:16], title="real digits")

# %% [markdown]
# ## The DCGAN rules
#
# Radford et al. list a handful of architecture guidelines (Sec. 3 of the paper). They are all in
# tfvidgan's two blocks:
#
# 1. **No pooling.** The discriminator *downsamples* with strided convolutions and the generator
#    *upsamples* with transposed ("fractionally strided") convolutions, so both learn their own
#    resampling.
# 2. **Batch normalisation** in the generator, which keeps every layer's activations in a healthy
#    range and helps against collapse to a single sample.
#    (The paper also uses it in the discriminator; we leave it out there, because it couples the
#    samples of a batch and breaks the per-sample gradient penalties of later notebooks.)
# 3. **No hidden dense layers** except the first projection of z to a 4x4 map and the last logit.
# 4. **ReLU** in the generator, **tanh** on its output; **LeakyReLU(0.2)** in the discriminator.
# 5. **Adam with lr 2e-4 and beta_1 = 0.5** (the default 0.9 made training oscillate).
#
# Here are the blocks. Each one is a few Keras layers in a row:

# %%
print(inspect.getsource(up_block))
print(inspect.getsource(down_block))
print(inspect.getsource(to_pixels))

# %% [markdown]
# The kernels are 5x5, as in the paper (and in TensorFlow's DCGAN tutorial). With stride 2 and
# `padding="same"` a convolution exactly halves the height and width, and a transposed one doubles
# them, whatever the kernel size. (The blocks default to 4x4, the video GAN's kernel; `dcgan` passes 5.)
# The generator starts from a 4x4 map and doubles `k = log2(32 / 4) = 3` times:
#
# | stage | generator output | discriminator output |
# |---|---|---|
# | z / image | (64,) | (32, 32, 1) |
# | dense + reshape / down 1 | (4, 4, 128) | (16, 16, 32) |
# | up 1 / down 2 | (8, 8, 64) | (8, 8, 64) |
# | up 2 / down 3 | (16, 16, 32) | (4, 4, 128) |
# | to pixels / logit | (32, 32, 1) | (1,) |
#
# The two networks mirror each other: filters halve on the way up and double on the way down
# (the table is for `base_filters=32`). Build them and compare with `summary()`:

# %%
generator = dcgan.build_generator(
    latent_dim=LATENT_DIM, image_size=32, channels=1, base_filters=BASE_FILTERS
)
discriminator = dcgan.build_discriminator(image_size=32, channels=1, base_filters=BASE_FILTERS)
generator.summary()
discriminator.summary()

# %% [markdown]
# Under `mixed_bfloat16` every layer stores its weights in float32, and the big convolutions
# compute in bfloat16. A few layers are pinned to float32 on purpose: the generator's final `tanh`
# and the discriminator's logit, so pixels and logits keep full precision and the losses are
# computed in float32; and on CPUs batch norm, ReLU and the first discriminator convolution (a
# 1-channel input), whose bfloat16 kernels are not faster. The table shows each layer's choice:

# %%
for net in (generator, discriminator):
    print(net.name)
    for layer in net.layers[1:]:
        print(
            f"  {layer.name:24s} computes in {layer.compute_dtype:9s} weights in {layer.variable_dtype}"
        )

z = keras.random.normal((16, LATENT_DIM), seed=1)
untrained = generator(z, training=False)
print("G(z):", untrained.shape, " D(G(z)):", discriminator(untrained).shape)
show(untrained, title="untrained generator: noise")

# %% [markdown]
# ## One training step for every GAN
#
# `dcgan.DCGAN` adds nothing to `tfvidgan.models.GAN`: the training step is the same one you used
# on 1-D data in notebook 02. Read it once more; now `real` is a batch of images:
#
# 1. (only when `d_steps > 1`, as in WGAN) extra discriminator-only updates;
# 2. one forward pass: the generator turns fresh z into a batch of fakes, the discriminator scores
#    real and fake images, and both losses are computed from these logits. Two gradient tapes
#    watch the same pass, so the fakes are generated once and serve both players;
# 3. each network takes a step with its own optimizer: the discriminator to separate real from
#    fake, the generator to make the discriminator call its fakes real;
# 4. running means of the losses and of the mean logits (`real_score`, `fake_score`) are reported.

# %%
print(inspect.getsource(GAN.train_step))

# %% [markdown]
# The default loss is the **non-saturating** one of Goodfellow et al. 2014
# ([arXiv:1406.2661](https://arxiv.org/abs/1406.2661)): the discriminator minimises binary
# cross-entropy, the generator minimises `-log D(G(z))` (strong gradients even while the
# discriminator wins).

# %%
print(inspect.getsource(losses.non_saturating_discriminator_loss))
print(inspect.getsource(losses.non_saturating_generator_loss))

# %% [markdown]
# ## Train
#
# Plain Keras: wrap the networks in the model, `compile` with one Adam per network (the DCGAN
# settings), and `fit` with one callback: `tfvidgan.callbacks.SampleMonitor` draws the **same** 64
# latent vectors after every epoch, writes the grid as a PNG under `runs/nb03/` and (with
# `display=True`) shows it right here, so you watch one set of samples improve.
#
# What to look for: blobs after the first epoch, strokes after a few, then digit shapes that get
# sharper. The numbers in the progress line: `d_loss` near `log 4 = 1.39` means the
# discriminator can barely tell real from fake; `real_score` and `fake_score` are its mean logits.
#
# One deviation from the paper: the generator's learning rate is **4e-4**, twice the
# discriminator's. Giving the two players different learning rates is the TTUR idea of Heusel et
# al. 2017 ([arXiv:1706.08500](https://arxiv.org/abs/1706.08500)). On these digits, with 2e-4
# for both, the discriminator stays confused (`d_loss` close to `log 4`) while the digits stay
# blobby for thousands of steps; a faster generator reaches clean strokes within our CPU budget.
# Try 2e-4 for both and compare the grids.

# %%
model = dcgan.DCGAN(generator, discriminator, latent_dim=LATENT_DIM, seed=0)
model.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.5),
    loss="non_saturating",
)

monitor = callbacks.SampleMonitor("runs/nb03/samples", num=64, seed=1234, display=True, width=260)

start = time.time()
history = model.fit(
    dataset, epochs=EPOCHS, steps_per_epoch=STEPS_PER_EPOCH, callbacks=[monitor], verbose=2
)
print(f"{EPOCHS * STEPS_PER_EPOCH} steps in {(time.time() - start) / 60:.1f} min")

# %% [markdown]
# ## Reading the loss curves
#
# `fit` returns a `History` whose `.history` dict holds one value per epoch for every metric.
# GAN losses do **not** go down like a classifier's: the two players push against each other,
# and a lower `g_loss` does not mean better images. Typically the first epochs end in a near
# stalemate (`d_loss` close to `log 4`, both scores near zero); later, as the samples get close to
# the data, the discriminator picks on finer details and slowly gets ahead (`d_loss` drifts down,
# `real_score` and `fake_score` move apart). That is fine while the grids keep improving. Warning
# signs are `d_loss` collapsing towards 0 within an epoch or two (the generator gets no useful
# signal) or the samples all turning into the same image (mode collapse, notebook 13).
#
# Whether a run collapses depends on the seed as much as on the recipe: this network with 2e-4 for
# both players, trained 5000 steps with five seeds, collapsed onto one or two shapes on two or
# three of them, in float32 and in bf16 alike (`benchmarks/README.md`). One fix takes two
# arguments: `dcgan.DCGAN(..., pack=2)` with a discriminator built for two input channels,
# `dcgan.build_discriminator(image_size=32, channels=2, ...)`, judges two samples at once,
# stacked along channels (PacGAN, Lin et al. 2018,
# [arXiv:1712.04086](https://arxiv.org/abs/1712.04086)); a generator that repeats itself is easy
# to catch in a pair. With it none of those runs collapsed; after 5000 steps the digits were less
# sharp, after 10 minutes (about 16 700 steps) as good. The `dcgan` demo preset packs pairs.

# %%
h = history.history
epochs = np.arange(1, len(h["d_loss"]) + 1)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].plot(epochs, h["d_loss"], "o-", label="d_loss")
axes[0].plot(epochs, h["g_loss"], "o-", label="g_loss")
axes[0].axhline(np.log(4), color="gray", ls="--", lw=1, label="log 4")
axes[1].plot(epochs, h["real_score"], "o-", label="real_score (mean logit)")
axes[1].plot(epochs, h["fake_score"], "o-", label="fake_score (mean logit)")
axes[1].axhline(0, color="gray", lw=1)
for ax in axes:
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend()
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Samples
#
# `model.sample(n)` draws fresh z and runs the generator in inference mode (batch norm uses its
# moving averages). Compare with the real digits at the top of the notebook.

# %%
samples = model.sample(64)
video_io.save_png("runs/nb03/final_samples.png", video_io.image_grid(samples, ncols=8))
show(samples, ncols=8, title=f"DCGAN samples after {EPOCHS * STEPS_PER_EPOCH} steps", size=6)

# %% [markdown]
# ## Walking through the latent space
#
# A generator is a smooth function of z. Take two latent vectors and move along the straight line
# between them: `z(t) = (1 - t) z0 + t z1`. If the network had only memorised training images,
# the path would jump between them; instead it **morphs** one digit into another, passing through
# plausible in-between shapes (Radford et al., Sec. 6.1). Each row below is one such walk.
#
# (In high dimensions `N(0, I)` samples live near a sphere of radius `sqrt(latent_dim)` and the
# middle of a straight line is shorter; *spherical* interpolation keeps the norm. At 64 dimensions
# the difference is small.)

# %%
rng = np.random.default_rng(7)
steps = np.linspace(0.0, 1.0, 10, dtype="float32")[:, None]
rows = []
for _ in range(4):
    z0, z1 = rng.standard_normal((2, LATENT_DIM)).astype("float32")
    path = (1.0 - steps) * z0 + steps * z1  # (10, latent_dim)
    rows.append(keras.ops.convert_to_numpy(model.generate(path, training=False)))
show(np.concatenate(rows), ncols=10, title="latent interpolation: left z0, right z1", size=8)

# %% [markdown]
# ## The same thing through a config
#
# The command line (`tfvidgan train --model dcgan --preset demo --out runs/dcgan`) reads a
# `TrainConfig`. `tfvidgan.models.build` turns one into exactly the build + compile you wrote
# above, so a notebook and a script stay interchangeable (`pack=1`: the preset's own discriminator
# judges pairs, as explained above; ours judged single images):

# %%
cfg = tfvidgan.get_config("dcgan", "demo", base_filters=BASE_FILTERS, g_lr=4e-4, pack=1)
print(
    {
        k: getattr(cfg, k)
        for k in (
            "latent_dim",
            "base_filters",
            "batch_size",
            "steps",
            "loss",
            "d_lr",
            "g_lr",
            "pack",
        )
    }
)
same = models.build(cfg)
print(
    "generator parameters:",
    same.generator.count_params(),
    "(config)",
    "vs",
    dcgan.build_generator(cfg.latent_dim, 32, 1, cfg.base_filters).count_params(),
    "(by hand)",
)

# %% [markdown]
# ## Exercises
#
# Run the check cell after each answer. Untouched TODOs print "not done yet".
#
# ### Exercise 3.1 · The discriminator loss by hand
#
# Write the non-saturating discriminator loss from the logits: the mean over the batch of
# binary cross-entropy with target `1 - label_smoothing` for real logits, plus the mean of
# binary cross-entropy with target 0 for fake logits. With `p = sigmoid(x)` and target `t`,
# `BCE = -t log p - (1 - t) log(1 - p)`. Hint: `-log sigmoid(x) = softplus(-x)` and
# `-log(1 - sigmoid(x)) = softplus(x)` are the forms that never overflow. Use `keras.ops`
# (`ops.softplus`, `ops.mean`). (A note for readers of TF-GAN: there `label_smoothing=s` gives the real
# target `1 - s/2`; here, as in Salimans et al. 2016, it gives `1 - s`.)


# %%
def my_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    # TODO: return a scalar: mean BCE(real, 1 - label_smoothing) + mean BCE(fake, 0)
    raise course.TODO


# %%
course.check("Exercise 3.1", my_d_loss, nb03.check_d_loss)

# %% [markdown]
# ### Exercise 3.2 · Shapes through the generator
#
# Return the list of feature-map shapes `(H, W, C)` of `dcgan.build_generator(latent_dim,
# image_size, channels, base_filters)`: the 4x4 map after the first projection, the output of
# every up block, and the final image. For `image_size=32, base_filters=32, channels=1` that is
# `[(4, 4, 128), (8, 8, 64), (16, 16, 32), (32, 32, 1)]`. Work it out from the rules (read
# `inspect.getsource(dcgan.build_generator)` if you need to); the check compares against real
# models of sizes 16, 32 and 64.


# %%
def generator_shapes(image_size, base_filters, channels=1):
    # TODO: k = number of doublings from 4 to image_size; then list the shapes
    raise course.TODO


# %%
course.check("Exercise 3.2", generator_shapes, nb03.check_generator_shapes)

# %% [markdown]
# ### Exercise 3.3 · A hinge-loss DCGAN
#
# The hinge loss (Lim & Ye 2017, [arXiv:1705.02894](https://arxiv.org/abs/1705.02894); used by
# SN-GAN and BigGAN) only punishes the discriminator inside a margin:
# `L_D = mean(relu(1 - D(x))) + mean(relu(1 + D(G(z))))`, and the generator minimises
# `L_G = -mean(D(G(z)))`. Write both. `GAN.compile(loss=(g_loss_fn, d_loss_fn))` accepts any
# such pair, and the discriminator loss is called with a third argument `label_smoothing`
# (ignore it). The check compares with `tfvidgan.losses` and trains a tiny DCGAN for 3 steps
# with your pair.


# %%
def my_hinge_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    # TODO
    raise course.TODO


def my_hinge_g_loss(fake_logits):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 3.3", (my_hinge_g_loss, my_hinge_d_loss), nb03.check_hinge)
