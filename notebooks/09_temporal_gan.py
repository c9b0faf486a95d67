# %% [markdown]
# # 09 · Temporal GAN: a path in latent space, one frame at a time
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/09_temporal_gan.ipynb)
#
# The 3-D video GAN (VGAN, Vondrick et al. 2016) draws a whole clip with 3-D convolutions: time is one more
# axis of the feature volume. TGAN (Saito, Matsumoto & Saito 2017, "Temporal Generative Adversarial Nets with
# Singular Value Clipping", [arXiv:1611.06624](https://arxiv.org/abs/1611.06624)) takes the other road: a
# small **temporal generator** turns the clip's latent `z0` into **one latent per frame**, a path
# `z1_1, ..., z1_T`, and an ordinary **image generator** draws each frame from `[z0, z1_t]`. Time lives in the
# latent space, not in the pixels.
#
# **What you'll learn**
#
# - TGAN's two generators, built in `tfvidgan.models.tgan`: 1-D convolutions over time, and the
#   DCGAN generator of notebook 03 reused, unchanged, for every frame;
# - why the critic must be Lipschitz for the WGAN loss, the paper's **singular value clipping**, and the
#   **spectral normalisation** tfvidgan uses in its place (you build the clipping yourself);
# - training it on moving digits with `fit` and the one shared GAN step, samples inline, the latent path drawn;
# - TGAN against the 3-D VGAN on the same data, the same judges and the same CPU minutes, measured with the
#   shipped offline metrics (`tfvidgan.evaluate.evaluate_samples`).
#
# **Prerequisites:** notebook 03 (DCGAN) and the 3-D video GAN (`tfvidgan.models.vgan`); notebook 12 explains
# the video metrics.
#
# **CPU time:** about 11 min (normal mode, 2 cores), under two minutes in smoke mode.

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
import shutil
import warnings
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from scipy import linalg

import tfvidgan
import tfvidgan.train
from tfvidgan import course, data, evaluate, runtime, video_io
from tfvidgan.config import get_config
from tfvidgan.course import nb09, pick
from tfvidgan.models import tgan

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
warnings.filterwarnings(
    "ignore", category=linalg.LinAlgWarning
)  # singular feature covariances (nb 12)
OUT = Path("runs/nb09")  # everything this notebook writes goes here
OUT.mkdir(parents=True, exist_ok=True)
runtime.set_seed(0)


def show_clips(videos, title, max_frames=8):
    """One row per clip, time from left to right."""
    strip = video_io.video_frames_grid(np.asarray(videos), max_frames=max_frames)
    plt.figure(figsize=(1.2 * min(max_frames, videos.shape[1]), 1.25 * len(videos)))
    plt.imshow(strip[..., 0], cmap="gray", vmin=-1, vmax=1)
    plt.title(title)
    plt.axis("off")
    plt.show()


# %% [markdown]
# ## 1. The idea in a few lines
#
# ```text
#            temporal generator G0 (1-D convolutions over time, doubling its length)
#   z0 ───────────────►  z1_1   z1_2   z1_3  ...  z1_T        one latent per frame: a path
#    │                    │      │      │           │
#    └── the same z0 ──► [z0,z1_1] [z0,z1_2] ...  [z0,z1_T]   the clip's latent next to the frame's
#                         │      │      │           │
#                         G1     G1     G1   ...    G1        ONE image generator (DCGAN's) for all frames
#                         │      │      │           │
#                      frame 1 frame 2 frame 3 ... frame T    ->  a 3-D discriminator judges the clip
# ```
#
# `z0` says *what* the clip is (the same in every frame); `z1_t` says *where along its path* the frame is.
# Two neighbouring frames differ only by how far their `z1` moved, so smooth paths give smooth motion. The
# generator is one `keras.Model` wrapping the two parts:

# %%
print(inspect.getsource(tgan.build_temporal_generator))
print(inspect.getsource(tgan.build_generator))

# %% [markdown]
# The moving-digits clips have 8 frames of 32x32 here, so `num_frames = 8 = 1 * 2**3`: the temporal
# generator starts from a sequence of length 1 and doubles it three times (Exercise 9.1 writes this plan).
# The image generator is notebook 03's DCGAN generator fed `latent_dim + frame_latent_dim` numbers:

# %%
runtime.set_precision()  # bf16 on CPUs that support it, else float32 (notebook 03); before building
K, F, T = 16, 16, 8
generator = tgan.build_generator(K, T, 32, 1, 8, frame_latent_dim=F)
temporal = generator.get_layer("temporal_generator")
image_generator = generator.get_layer("image_generator")
z0 = keras.random.normal((3, K), seed=0)
z1 = keras.ops.convert_to_numpy(temporal(z0))
video = keras.ops.convert_to_numpy(generator(z0))
print("z0", tuple(z0.shape), "-> z1", z1.shape, "-> video", video.shape)
print(
    "image generator input:", image_generator.input.shape, "output:", image_generator.output.shape
)

# %% [markdown]
# Check the central claim by hand: frame `t` of every clip is the image generator applied to `[z0, z1_t]`,
# with the very same weights for every frame.

# %%
for t in range(T):
    by_hand = image_generator(np.concatenate([keras.ops.convert_to_numpy(z0), z1[:, t]], axis=1))
    np.testing.assert_allclose(video[:, t], keras.ops.convert_to_numpy(by_hand), atol=1e-2)
print(
    "every frame = image_generator([z0, z1_t]);  parameters:",
    generator.count_params(),
    "=",
    temporal.count_params(),
    "+",
    image_generator.count_params(),
)

# %% [markdown]
# (The tolerance 1e-2 is for bfloat16: under `mixed_bfloat16` the generator computes in 16-bit numbers.)
#
# ### Paths that zig-zag: transposed convolutions versus resize-convolutions
#
# The paper doubles the length with stride-2 **transposed** convolutions. Each output step of such a layer is
# drawn by one of two sets of kernel taps, alternately, so even and odd steps come out different even before any
# training: the path zig-zags, and the frames would flicker with period two (the "checkerboard" of Odena et al.
# 2016, [distill.pub/2016/deconv-checkerboard](https://distill.pub/2016/deconv-checkerboard/), here in time).
# tfvidgan's default repeats every step twice and then convolves (`upsample="resize"`). Three numbers per
# untrained temporal generator, over 256 clips: the mean step `|z1_(t+1) - z1_t|`, the mean distance to another
# clip's `z1_t` at the same time, and the mean cosine between successive steps (-1 = every step turns back).


# %%
def path_stats(paths):
    d = np.diff(paths, axis=1)
    step = np.linalg.norm(d, axis=-1)
    other = np.linalg.norm(paths - np.roll(paths, 1, axis=0), axis=-1).mean()
    cos = (d[:, 1:] * d[:, :-1]).sum(-1) / np.maximum(step[:, 1:] * step[:, :-1], 1e-12)
    return step.mean(), other, cos.mean()


z_many = keras.random.normal((256, 64), seed=4)
for upsample in ("transposed", "resize"):
    keras.utils.set_random_seed(0)
    g0 = tgan.build_temporal_generator(64, T, base_filters=32, upsample=upsample)
    step, other, cos = path_stats(keras.ops.convert_to_numpy(g0(z_many)).astype(np.float64))
    print(
        f"{upsample:10s}: step {step:.3f} | another clip {other:.3f} | cosine of successive steps {cos:+.2f}"
    )

# %% [markdown]
# With transposed convolutions successive steps point in opposite directions and are longer than the distance
# to a different clip: a zig-zag that training must undo first. Resize-convolutions start with steps shorter
# than the gap between clips and no preferred turn. This is the one place where tfvidgan's TGAN leaves the paper.
#
# ## 2. The critic must be Lipschitz: clipping or normalising singular values
#
# TGAN trains with the **Wasserstein** loss (Arjovsky et al. 2017): the critic's score difference between real
# and fake clips estimates the earth mover's distance, but only if the critic is **1-Lipschitz**, i.e. its output
# moves at most as much as its input. WGAN clipped every weight to `[-0.01, 0.01]`, which is crude. Saito et al.
# bound each layer instead: a linear layer `W` is 1-Lipschitz when its largest singular value is at most 1, so
# every few updates they reshape each kernel to a matrix, take its SVD and **clip** the singular values above 1
# to 1 (*singular value clipping*, SVC).
#
# tfvidgan uses **spectral normalisation** (Miyato et al. 2018, [arXiv:1802.05957](https://arxiv.org/abs/1802.05957))
# in its place: `keras.layers.SpectralNormalization` divides each kernel by its largest singular value,
# estimated with one power iteration per training step: a few matrix-vector products instead of an SVD per
# layer. With it the presets use the **hinge** loss and one critic step per generator step (the SN-GAN
# paper's setting) instead of WGAN's five. Let us watch it work on the discriminator's kernels:

# %%
discriminator = tgan.build_discriminator(T, 32, 1, 8, spectral_norm=True)
wrapped = [
    layer
    for layer in discriminator._flatten_layers()
    if isinstance(layer, keras.layers.SpectralNormalization)
]
clips = data.to_float(data.load_arrays("moving_digits", 8, image_size=32, num_frames=T, seed=0)[0])


def top_singular_values():
    out = []
    for layer in wrapped:
        kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
        out.append(np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0])
    return np.round(out, 3)


print("largest singular value per layer, at initialisation:", top_singular_values())
for _ in range(10):
    discriminator(clips, training=True)  # one power iteration each
print("after 10 training calls:                           ", top_singular_values())

# %% [markdown]
# Every layer now has spectral norm 1. (For convolutions this bounds the reshaped kernel, which is what both
# SVC and SN bound: the convolution itself can stretch an input by a little more, a known gap of both methods.)
#
# ## 3. Train TGAN on moving digits
#
# The `demo` preset: `latent_dim = 64` for `z0` and for each `z1_t` (the paper uses 100 for both), 8 frames of
# 32x32, batch 16, spectral normalisation and the hinge loss. Its discriminator is VGAN's 3-D judge plus VGAN's
# 2-D judge of 4 random frames per clip, so that section 5 compares the two *generators* in front of the same
# judges. One difference: like the DCGAN `demo` preset of notebook 03 (whose generator draws TGAN's frames), it
# judges **pairs of clips** (PacGAN, `pack=2`). Unpacked, TGAN's first few hundred steps drew nearly the same
# clip for every `z0` (pixel diversity 3-7, real clips 65); packed, the diversity rose to 54 by step 300.
# `tfvidgan.train.train` is what `tfvidgan train --model tgan` runs: `fit` on the shared GAN step with
# checkpoints, a time budget and samples written to the run folder.

# %%
MINUTES = pick(normal=4.0, smoke=0.2)  # CPU budget of each model in this notebook
preset = pick(normal="demo", smoke="tiny")
common = dict(max_minutes=MINUTES, steps=pick(normal=100_000, smoke=4), num_frames=T)
print(get_config("tgan", preset, **common))


def train_run(name):
    run = OUT / name
    shutil.rmtree(run, ignore_errors=True)  # train() would resume a run it finds there
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the health alarms of a short run: not the point here
        model = tfvidgan.train.train(get_config(name, preset, **common), run, verbose=2)
    return model, run


tgan_model, tgan_run = train_run("tgan")
print("TGAN trained", tgan_model.trained_steps, "steps")

# %%
tgan_clips = tgan_model.sample(pick(normal=8, smoke=4), seed=1)
show_clips(tgan_clips, f"TGAN after {MINUTES:g} min: one clip per row")
video_io.display_video(video_io.video_grid(tgan_model.sample(16, seed=2), ncols=4), width=256)

# %% [markdown]
# ## 4. The latent path, drawn
#
# The temporal generator's output for a few clips, projected on the two main directions of all the `z1_t`
# (PCA). Each line is one clip, its dots the frames in order: the motion of the digit is this path, drawn by
# the image generator.

# %%
trained_temporal = tgan_model.generator.get_layer("temporal_generator")
paths = keras.ops.convert_to_numpy(
    trained_temporal(keras.random.normal((6, tgan_model.latent_dim), seed=3))
)
flat = paths.reshape(-1, paths.shape[-1])
centre = flat.mean(axis=0)
_, _, directions = np.linalg.svd(flat - centre, full_matrices=False)
xy = (paths - centre) @ directions[:2].T  # (clips, T, 2)
plt.figure(figsize=(5, 4))
for k, path in enumerate(xy):
    plt.plot(path[:, 0], path[:, 1], "-o", ms=3, label=f"clip {k}")
    plt.annotate("t=0", path[0], fontsize=7)
plt.xlabel("1st principal direction of z1")
plt.ylabel("2nd")
plt.title("z1_1 ... z1_T: one path per clip")
plt.legend(fontsize=7)
plt.show()
many = trained_temporal(keras.random.normal((256, tgan_model.latent_dim), seed=4))
step, other, cos = path_stats(keras.ops.convert_to_numpy(many).astype(np.float64))
print(
    f"trained: step {step:.3f} | another clip {other:.3f} | cosine of successive steps {cos:+.2f}"
)

# %% [markdown]
# ## 5. TGAN against the 3-D VGAN, same data, same judges, same minutes
#
# VGAN's `demo` preset with the same budget. Then both are measured like every video model here, with
# `evaluate.evaluate_samples`: FVD on the shipped video classifier's features, recognisable frames (the digit
# classifier is at least 90 % sure), digit coverage (how many of the ten digits the clips show), clip
# consistency (a clip keeps its digit), frozen clips and motion, each beside a real-vs-real baseline.

# %%
vgan_model, vgan_run = train_run("vgan")
print("VGAN trained", vgan_model.trained_steps, "steps")
show_clips(vgan_model.sample(pick(normal=8, smoke=4), seed=1), f"VGAN after {MINUTES:g} min")

# %%
NUM = pick(normal=512, smoke=96)  # clips per set; compare numbers with the same N only (nb 12)
results = {}
for name, model in (("TGAN", tgan_model), ("VGAN", vgan_model)):
    results[name] = evaluate.evaluate_samples(
        model.sample(NUM, seed=0), "moving_digits", num_frames=T
    )


def metric(result, key):
    """``result["generated"]["motion"]["frozen_fraction"]`` for key "motion.frozen_fraction"."""
    for part in key.split("."):
        result = result[part]
    return result


rows = [
    ("FVD (lower is better)", "fvd"),
    ("recognisable frames", "recognisable_frames"),
    ("digit coverage (of 10)", "digit_coverage"),
    ("clip consistency", "clip_consistency"),
    ("pixel diversity", "pixel_diversity"),
    ("frozen clips", "motion.frozen_fraction"),
    ("optical flow (px/frame)", "motion.flow_mean_magnitude"),
]
steps_row = f"| generator steps in {MINUTES:g} min | {tgan_model.trained_steps} | {vgan_model.trained_steps} | - |"
lines = ["| metric | TGAN | VGAN | real vs real |", "|---|---:|---:|---:|", steps_row]
for label, key in rows:
    values = [metric(results[n]["generated"], key) for n in ("TGAN", "VGAN")]
    values.append(metric(results["TGAN"]["baseline"], key))
    lines.append(f"| {label} | " + " | ".join(f"{v:.3g}" for v in values) + " |")
display(Markdown("\n".join(lines)))

# %% [markdown]
# Reading it (a 2-core CPU, one seed, 4 minutes each: a first look, not a benchmark). A TGAN step costs more
# than a VGAN step: its image generator draws `16 x 8 = 128` frames per batch with 5x5 kernels, where VGAN's
# 3-D generator shares work across neighbouring frames (4.5 against 7.8 steps per second in one measurement),
# so in the same minutes TGAN makes fewer steps. When this notebook was written the CPU was shared and busy:
# TGAN made 179 steps and VGAN 331, too few for either to draw recognisable digits, so that table mostly shows
# how far both still were from the baseline. On an idle 2-core machine expect two to three times the steps.
# What TGAN's split is meant to buy shows with more training: one 2-D network draws the digit from one `z0`
# in every frame, and motion can only come from the path `z1_t`, so a clip should keep its digit (clip
# consistency) while it moves. `benchmarks/README.md` ("TGAN and the video VAE") records what was measured.
#
# Both are one line on the command line: `tfvidgan train --model tgan --out runs/tgan` and
# `tfvidgan eval --run runs/tgan`.
#
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/09_temporal_gan_solutions.ipynb`.
#
# ### Exercise 9.1: the temporal generator's plan
#
# Write `time_plan(num_frames)` returning `(t0, m)` with `num_frames = t0 * 2**m` and `t0` odd: the temporal
# generator starts from a sequence of length `t0` and doubles it with `m` upsampling layers
# (`time_plan(16) == (1, 4)`, `time_plan(12) == (3, 2)`).


# %%
def time_plan(num_frames):
    # TODO: halve while even, count the halvings
    raise course.TODO


# %%
course.check("Exercise 9.1", time_plan, nb09.check_time_plan)

# %% [markdown]
# ### Exercise 9.2: singular value clipping (the paper's constraint)
#
# Write `clip_singular_values(kernel)` for a NumPy kernel of any shape whose last axis is the output channels:
# reshape it to a matrix `(-1, out)`, take `np.linalg.svd(..., full_matrices=False)`, set the singular values
# above 1 to 1, multiply back and reshape to the kernel's shape. How does it differ from dividing by the largest
# singular value (spectral normalisation)?


# %%
def clip_singular_values(kernel):
    # TODO: U diag(min(s, 1)) V^T, back in the kernel's shape
    raise course.TODO


# %%
course.check("Exercise 9.2", clip_singular_values, nb09.check_clip_singular_values)

# %% [markdown]
# ### Exercise 9.3: one image generator for every frame
#
# Write `video_from_latents(image_generator, z0, z1)`: `z0` is `(B, K)`, `z1` is `(B, T, F)`; return the clips
# `(B, T, H, W, C)` whose frame `t` is `image_generator([z0, z1_t])`, with **one** call of the image generator:
# repeat `z0` over time, concatenate with `z1`, fold the frames into the batch, draw, unfold. The check compares
# with a tiny TGAN generator.


# %%
def video_from_latents(image_generator, z0, z1):
    # TODO: (B, T, K + F) -> (B * T, K + F) -> image_generator -> (B, T, H, W, C)
    raise course.TODO


# %%
course.check("Exercise 9.3", video_from_latents, nb09.check_video_from_latents)
