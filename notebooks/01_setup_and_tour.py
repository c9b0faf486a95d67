# %% [markdown]
# # 01 · Setup and tour
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/01_setup_and_tour.ipynb)
#
# This course goes from the very first GAN (a 1-D Gaussian) to GANs that generate short videos.
# Before training anything we look at the data and the tools, so that every later notebook reads easily.
#
# **What you'll learn**
#
# - what an image tensor `(B, H, W, C)` and a video tensor `(B, T, H, W, C)` are, and why pixels are
#   `float32` in `[-1, 1]` inside the models but `uint8` in `[0, 255]` in files;
# - the offline datasets of `tfvidgan.data`: moving digits (with digit and motion labels), two digits,
#   bouncing shapes, digit images and a 1-D Gaussian; how to look at them and how to get `tf.data` batches;
# - how to write a clip as GIF or MP4, read it back and tile a batch into one clip;
# - the map of the library: the one shared GAN training step, the precision policy and the command line.
#
# **Prerequisites:** Python and NumPy; a little Keras helps. This is the first notebook.
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
import inspect
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import tfvidgan
from tfvidgan import course, data, video_io
from tfvidgan.course import nb01, pick

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
OUT = Path("runs/nb01")  # everything this notebook writes goes here
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. Images and videos are just arrays
#
# A batch of **images** is a 4-D array `(B, H, W, C)`: batch, height, width, channels (channels last,
# `C = 1` for grey, `3` for RGB). A batch of **videos** adds one axis for time: `(B, T, H, W, C)`.
# A video GAN's generator outputs exactly such an array, and its discriminator reads one.
#
# Every dataset in `tfvidgan` is drawn procedurally on your machine (OpenCV + NumPy), so nothing is
# downloaded and the same seed gives the same pixels everywhere. `load_arrays` returns NumPy arrays:

# %%
images, digit_labels = data.load_arrays("digits", 16, image_size=32, seed=0)
print("images:", images.shape, images.dtype, "values in", [int(images.min()), int(images.max())])
print("labels:", digit_labels.shape, digit_labels[:16])

fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, img, label in zip(axes, images, digit_labels):
    ax.imshow(img[..., 0], cmap="gray", vmin=0, vmax=255)
    ax.set_title(f"digit {label}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ### Why `[-1, 1]` inside, `uint8` outside?
#
# Files and screens store 8-bit pixels, `uint8` in `[0, 255]`. Networks prefer small, zero-centred
# floats, and the last layer of an image generator is usually a `tanh`, whose outputs lie in `[-1, 1]`.
# So the rule of the whole package is: **float32 in `[-1, 1]` everywhere inside; `uint8` only at the
# file boundary.** Two functions convert (`x / 127.5 - 1` and back, with clipping and rounding):

# %%
x = data.to_float(images)  # what the models see
print("to_float :", x.dtype, float(x.min()), float(x.max()))
back = data.to_uint8(x)  # what files store
print(
    "to_uint8 :",
    back.dtype,
    back.min(),
    back.max(),
    "| exact round trip:",
    np.array_equal(back, images),
)
print(
    "a generator that overshoots is clipped:",
    data.to_uint8(np.array([-1.7, -1.0, 0.0, 1.0, 1.2], np.float32)),
)

# %% [markdown]
# ## 2. The datasets
#
# Each dataset has a name and a `DatasetSpec` telling its kind (`image`, `video` or `vector`), its
# channels and what its label columns mean:

# %%
for name in data.dataset_names():
    spec = data.get_spec(name)
    print(f"{name:16s} {spec.kind:6s} C={spec.channels}  labels={spec.label_columns}")
    print(f"{'':16s} {spec.description}")

# %% [markdown]
# ### Moving digits: videos with two labels
#
# One digit bounces inside a 32x32 frame. Each clip has two labels: the **digit** and the **motion class**
# (`data.MOTION_NAMES`). When the digit hits a wall the whole velocity reverses, so it keeps moving on the
# same line and the motion label holds for the whole clip. Image coordinates: `x` grows to the right,
# `y` grows *downwards*.
#
# A handy way to look at a clip on paper is one row per clip, one column per frame
# (`video_io.video_frames_grid`):

# %%
num_frames = pick(normal=16, smoke=8)
videos, labels = data.load_arrays("moving_digits", 8, image_size=32, num_frames=num_frames, seed=1)
print("videos:", videos.shape, videos.dtype, "| labels:", labels.shape, "= [digit, motion]")
print("motion classes:", list(enumerate(data.MOTION_NAMES)))

strip = video_io.video_frames_grid(videos[:4], max_frames=8)
plt.figure(figsize=(10, 5.2))
plt.imshow(strip[..., 0], cmap="gray")
plt.yticks([16 + 33 * i for i in range(4)], [f"{d}, {data.MOTION_NAMES[m]}" for d, m in labels[:4]])
plt.xticks([])
plt.title("4 clips (rows), every other frame (columns)")
plt.show()

# %% [markdown]
# Still frames hide the motion. `video_io.display_video` encodes a clip as an animated GIF and shows it
# inline (it works the same in Jupyter and Colab):

# %%
print(f"digit {labels[0, 0]}, motion {data.MOTION_NAMES[labels[0, 1]]}")
video_io.display_video(videos[0], fps=8, width=256)

# %% [markdown]
# A whole batch at once: `video_grid` tiles `N` clips into **one** clip, like a contact sheet per frame.
# This is how the course shows generated video samples.

# %%
grid = video_io.video_grid(videos, ncols=4)
print("batch", videos.shape, "-> one clip", grid.shape)
video_io.display_video(grid, fps=8, width=512)

# %% [markdown]
# ### Two digits and bouncing shapes
#
# `moving_digits2` is Moving-MNIST style: two digits, each with its own motion (labels
# `[digit_a, digit_b, motion_a, motion_b]`). `bouncing_shapes` is RGB (`C = 3`): a coloured circle,
# square or triangle (labels `[shape, motion, colour]`).

# %%
two, two_labels = data.load_arrays(
    "moving_digits2", 4, image_size=32, num_frames=num_frames, seed=2
)
shapes, shape_labels = data.load_arrays(
    "bouncing_shapes", 4, image_size=32, num_frames=num_frames, seed=3
)
print("moving_digits2 :", two.shape, "labels", two_labels[0])
print("bouncing_shapes:", shapes.shape, "labels", shape_labels[0])

fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
axes[0].imshow(video_io.video_frames_grid(two[:3], max_frames=8)[..., 0], cmap="gray")
axes[0].set_title("moving_digits2: " + "; ".join(f"{a}&{b}" for a, b in two_labels[:3, :2]))
axes[1].imshow(video_io.video_frames_grid(shapes[:3], max_frames=8))
axes[1].set_title(
    "bouncing_shapes: "
    + "; ".join(f"{data.COLOR_NAMES[c]} {data.SHAPE_NAMES[s]}" for s, _, c in shape_labels[:3])
)
for ax in axes:
    ax.axis("off")
plt.show()
video_io.display_video(shapes[0], fps=8, width=256)

# %% [markdown]
# ### The 1-D Gaussian
#
# The simplest dataset of all: numbers drawn from N(4, 1.25²), shape `(N, 1)`. Notebook 02 trains the
# first GAN on it, the worked example of Goodfellow et al. 2014 (https://arxiv.org/abs/1406.2661).

# %%
samples, no_labels = data.load_arrays("gaussian1d", 5000)
print(
    samples.shape,
    samples.dtype,
    "labels:",
    no_labels,
    f"| mean {samples.mean():.3f}, std {samples.std():.3f}",
)
plt.figure(figsize=(5, 2.5))
plt.hist(samples[:, 0], bins=60, density=True, color="tab:blue", alpha=0.7)
plt.title("gaussian1d: N(4, 1.25²)")
plt.show()

# %% [markdown]
# ### From arrays to training batches: `make_dataset`
#
# Training reads a `tf.data.Dataset`: the examples are rendered once, kept in memory as `uint8`,
# shuffled, repeated forever and converted batch by batch to `float32` in `[-1, 1]`.
# With `with_labels=True` it yields `(x, y)` where `y` is the first label column (the digit or the shape).

# %%
ds = data.make_dataset(
    "moving_digits", batch_size=8, num=64, num_frames=num_frames, with_labels=True
)
x_batch, y_batch = next(iter(ds))
print(
    "x:",
    x_batch.shape,
    x_batch.dtype,
    f"range [{float(x_batch.numpy().min()):.0f}, {float(x_batch.numpy().max()):.0f}]",
)
print("y:", y_batch.shape, y_batch.dtype, y_batch.numpy())

# %% [markdown]
# ## 3. Writing and reading video files
#
# `video_io.write_video` picks the format from the suffix:
#
# - **GIF** (Pillow): plays everywhere, lossless for grey clips, keeps the exact size;
# - **MP4** (H.264 through the FFmpeg that ships inside `imageio-ffmpeg`): what browsers play. H.264
#   needs even sizes and stores colour at half resolution, so small clips are enlarged by an integer
#   factor first (32x32 is stored as 64x64, see `video_io.encoded_frame_size`). It is lossy.
#
# Both accept float `[-1, 1]` or `uint8`, and `read_video` always gives back `uint8` RGB `(T, H, W, 3)`.

# %%
clip = data.to_float(videos[0])  # float, as a generator would output it
gif_path = video_io.write_video(OUT / "clip.gif", clip, fps=8)
mp4_path = video_io.write_video(OUT / "clip.mp4", clip, fps=8)
for path in (gif_path, mp4_path):
    frames = video_io.read_video(path)
    print(
        f"{path.name:9s} {path.stat().st_size:6d} bytes -> read back {frames.shape} {frames.dtype}"
    )

gif_back = video_io.read_video(gif_path)
print("GIF is exact for grey clips:", np.array_equal(gif_back[..., :1], videos[0]))
mp4_back = video_io.read_video(mp4_path)[
    :, ::2, ::2, :1
]  # undo the 2x enlargement, keep one channel
error = np.abs(mp4_back.astype(int) - videos[0].astype(int)).mean()
print(f"MP4 is lossy: mean absolute error {error:.2f} grey levels out of 255")

# %% [markdown]
# `display_video` also shows an existing file as it is (an MP4 becomes a looping `<video>`):

# %%
video_io.display_video(mp4_path, width=256)

# %% [markdown]
# ## 4. A map of the library
#
# The package docstring lists the modules; every later notebook uses a few of them.

# %%
print(tfvidgan.__doc__)

# %% [markdown]
# ### One training step for every GAN
#
# Every model family (the 1-D Gaussian GAN, DCGAN, the conditional GAN, the 3-D video GAN) is a
# `tfvidgan.models.base.GAN`: a `keras.Model` holding a `generator` and a `discriminator`. They all share
# **one** `train_step`, a simultaneous form of Algorithm 1 of Goodfellow et al. 2014
# (https://arxiv.org/abs/1406.2661):
#
# 1. only when `d_steps > 1` (WGAN): update the discriminator alone `d_steps - 1` times, on fresh fakes;
# 2. generate one batch of fakes and judge it and the real batch in **one** forward pass, watched by two
#    gradient tapes: from the same logits come the discriminator's loss (real samples should get high
#    logits, generated ones low) and the generator's loss (its samples should get high logits);
# 3. update both networks from that pass, each with its own optimizer. So the generator learns from the
#    discriminator as it was *before* this step's update, not from an updated one: the paper's
#    Algorithm 1 alternates (update D, then draw new fakes for G), while this step, like the TensorFlow
#    DCGAN tutorial's, saves the second forward pass;
# 4. report running means (`d_loss`, `g_loss`, scores, gradient norms) to the progress bar and callbacks.
#
# Because it is a Keras `train_step`, `model.fit(dataset)` runs it, compiled with `tf.function`, with
# callbacks and progress bars for free. Read it once now; notebook 02 builds every piece by hand.

# %%
from tfvidgan.models.base import GAN

print(inspect.getsource(GAN.train_step))

# %% [markdown]
# Images are `(B, H, W, C)` and videos `(B, T, H, W, C)`, yet nothing in that code mentions a shape:
# the generator, the discriminator and the loss functions carry everything that differs between families.
#
# ### Precision: bfloat16 when the hardware has it
#
# Mixed precision computes in 16-bit floats and keeps the weights in float32. `choose_precision()`
# picks `mixed_bfloat16` on CPUs with AMX (recent Xeons: about 1.7x faster for our
# convolutional GANs), `mixed_float16` on recent GPUs, `float32` otherwise. Later notebooks call
# `tfvidgan.runtime.set_precision()` before building models; set `TFVIDGAN_PRECISION=float32` to opt out.

# %%
from tfvidgan import runtime

print("this machine would train with:", runtime.choose_precision())
print("CPU has bfloat16 maths:", runtime.cpu_supports_bf16())

# %% [markdown]
# ### The command line
#
# The same things are available from a shell: `tfvidgan demo` trains the video GAN and writes samples,
# `tfvidgan train --model dcgan --out runs/x` trains any family, `tfvidgan data export` writes a dataset
# to `.npz`. In a notebook you can type `!tfvidgan --help`; here we call it through `subprocess`.

# %%
for args in (["--help"], ["data", "list"]):
    result = subprocess.run(
        [sys.executable, "-m", "tfvidgan.cli", *args], capture_output=True, text=True
    )
    print("$ tfvidgan", " ".join(args))
    print(result.stdout)

# %% [markdown]
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/01_setup_and_tour_solutions.ipynb`.
#
# ### Exercise 1.1: pixels in and out
#
# Write `my_to_float` (uint8 `[0, 255]` -> float32 `[-1, 1]`) and `my_to_uint8` (float -> uint8:
# clip to `[-1, 1]` first, then scale and **round to the nearest integer**). The check compares them with
# `tfvidgan.data.to_float` / `to_uint8`.


# %%
def my_to_float(x):
    # TODO: return float32 values in [-1, 1]
    raise course.TODO


def my_to_uint8(x):
    # TODO: clip, scale to [0, 255], round, cast to uint8
    raise course.TODO


# %%
course.check("Exercise 1.1", (my_to_float, my_to_uint8), nb01.check_pixel_conversion)

# %% [markdown]
# ### Exercise 1.2: the shape of a video grid
#
# Without calling `video_grid`, compute the shape it returns for a batch of shape `(N, T, H, W, C)`
# with `ncols` tiles per row (default `ceil(sqrt(N))`) and `pad` pixels *between* tiles.
# Example: 8 clips of `(16, 32, 32, 1)` with `ncols=4` gave `(16, 65, 131, 1)` above.


# %%
def grid_shape(batch_shape, ncols=None, pad=1):
    n, t, h, w, c = batch_shape
    # TODO: return (T, grid_height, grid_width, C)
    raise course.TODO


# %%
course.check("Exercise 1.2", grid_shape, nb01.check_grid_shape)

# %% [markdown]
# ### Exercise 1.3: read the motion class from the pixels
#
# Write `motion_class(clip)` for one clip `(T, H, W, C)` (uint8) returning 0 (horizontal), 1 (vertical),
# 2 (diagonal `\`: down-right/up-left) or 3 (diagonal `/`). Compute the **centre of mass** of the
# bright pixels in every frame, then look at how it moves. Remember `y` grows downwards, and a bounce
# reverses the velocity. Later notebooks use the same idea to check whether a generated video moves.


# %%
def motion_class(clip):
    # TODO: centre of mass per frame -> displacements -> class 0..3
    raise course.TODO


# %%
course.check("Exercise 1.3", motion_class, nb01.check_motion_class)
