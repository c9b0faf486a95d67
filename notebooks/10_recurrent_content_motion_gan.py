# %% [markdown]
# # 10 · MoCoGAN: what the clip shows, and how it moves
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/10_recurrent_content_motion_gan.ipynb)
#
# The 3-D VGAN of notebook 08 redraws every frame with layers that see the whole clip, and on moving digits
# its digits drift: a 7 slowly closes into a 9 (`benchmarks/README.md`, issue 14). TGAN (notebook 09) already
# draws every frame with one image generator. **MoCoGAN** (Tulyakov, Liu, Yang & Kautz 2018,
# [arXiv:1707.04993](https://arxiv.org/abs/1707.04993)) goes one step further and splits the latent space in
# two: a **content code** drawn once per clip and given unchanged to every frame, and a **motion code** per
# frame that a **recurrent** network produces step by step.
#
# **You will learn**
# - MoCoGAN's latent vector `[eps_1, ..., eps_T, z_C]` and how one keras.Model draws a clip frame by frame;
# - why the content code cannot drift, and what the recurrent cell (GRU or LSTM) adds: clips of any length;
# - MoCoGAN's two judges (single frames and whole clips) as one discriminator with concatenated logits;
# - sprite motion: one image per clip that the motion code can only move, with a gradient through the rounding;
# - to draw the **content/motion picture**: one row per content code, one column per motion;
# - to draw clips longer than the training ones and measure whether they keep their digit;
# - to compare MoCoGAN with TGAN on the same data, with the shipped offline metrics.
#
# **Prerequisites:** notebooks 08 (VGAN, the video judges) and 09 (TGAN, one image generator per frame).
#
# **CPU time:** 8.3 min in normal mode (measured on a quiet 2-core CPU: two trainings of `MINUTES` = 4 min
# each, the rest evaluation), 2.5 min in smoke mode. On a busy machine the trainings make fewer steps.

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
from tfvidgan import course, evaluate, runtime, video_io
from tfvidgan.config import get_config
from tfvidgan.course import nb10, pick
from tfvidgan.metrics import classifiers
from tfvidgan.models import mocogan

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
warnings.filterwarnings("ignore", category=linalg.LinAlgWarning)  # small-N covariances (nb 12)
OUT = Path("runs/nb10")  # everything this notebook writes goes here
OUT.mkdir(parents=True, exist_ok=True)
runtime.set_seed(0)


def show_clips(videos, title, max_frames=16):
    """One row per clip, time from left to right."""
    videos = np.asarray(videos)
    strip = video_io.video_frames_grid(videos, max_frames=max_frames)
    plt.figure(figsize=(0.9 * min(max_frames, videos.shape[1]), 1.0 * len(videos)))
    plt.imshow(strip[..., 0], cmap="gray", vmin=-1, vmax=1)
    plt.title(title)
    plt.axis("off")
    plt.show()


# %% [markdown]
# ## 1. The idea in a few lines
#
# ```text
#   eps_1   eps_2   ...   eps_T        fresh noise per frame
#     │       │             │
#     ▼       ▼             ▼
#    GRU ──► GRU ──► ... ──► GRU        R_M: one motion code z_M(t) per frame (a recurrent cell)
#     │       │             │
#   [z_C,   [z_C,   ...   [z_C,         z_C: ONE content code for the whole clip
#   z_M(1)] z_M(2)]       z_M(T)]
#     │       │             │
#     ▼       ▼             ▼
#    G_I     G_I    ...    G_I          one 2-D image generator (DCGAN's) draws every frame
# ```
#
# Every tfvidgan model draws one noise vector per sample. MoCoGAN's is the motion noise of every frame
# followed by the content code, `z = [eps_1, ..., eps_T, z_C]`, so `latent_dim = T * motion_dim + content_dim`.
# A longer vector is a longer clip. Here is how the generator reads it:

# %%
print(inspect.getsource(mocogan.SplitLatents.call))
print(inspect.getsource(mocogan.build_motion_generator))
print(inspect.getsource(mocogan.FrameByFrame.call))
print(inspect.getsource(mocogan.build_generator))

# %% [markdown]
# Three facts follow from the wiring alone, before any training. We check them on an untrained generator
# (inference mode, so batch norm does not mix the frames):
#
# 1. changing **only the content code** changes every frame;
# 2. changing the motion noise of frame `k` leaves frames `0 .. k-1` exactly as they were (the recurrence
#    only runs forward) and changes frame `k` and every later one (the GRU carries it on);
# 3. a latent vector with more `eps_t` draws a longer clip, whose first `T` frames are the short clip.

# %%
K, M, T_DEMO = 8, 4, 6
g = mocogan.build_generator(K, M, image_size=16, channels=1, base_filters=4)
rng = np.random.default_rng(0)
z = rng.standard_normal((1, T_DEMO * M + K)).astype("float32")


def draw(z):
    return keras.ops.convert_to_numpy(g(z, training=False))[0]


def largest_change(a, b):
    return np.round(np.abs(a - b).max(axis=(1, 2, 3)), 4)  # one number per frame


other_content = z.copy()
other_content[:, -K:] = rng.standard_normal((1, K))
other_motion = z.copy()
other_motion[:, 3 * M : 4 * M] += 1.0  # eps of frame 3 only
longer = np.concatenate([z[:, : T_DEMO * M], rng.standard_normal((1, 4 * M)), z[:, -K:]], axis=1)
print("new content code, change per frame:  ", largest_change(draw(z), draw(other_content)))
print("new eps for frame 3, change per frame:", largest_change(draw(z), draw(other_motion)))
print(
    "10-frame clip, first 6 frames vs the 6-frame clip:",
    largest_change(draw(z), draw(longer)[:T_DEMO]),
)

# %% [markdown]
# The motion cell is a GRU, as in the paper; `recurrent="lstm"` gives an LSTM (`--recurrent lstm` on the command
# line), the route of the earlier RNN/LSTM video generators. Either way the motion codes move even when the noise
# does not: the cell's state changes at every step.

# %%
motion = mocogan.build_motion_generator(M, "lstm")
same_noise = np.repeat(rng.standard_normal((1, 1, M)).astype("float32"), T_DEMO, axis=1)
print("LSTM motion codes for the same eps at every step:")
print(np.round(keras.ops.convert_to_numpy(motion(same_noise))[0], 3))

# %% [markdown]
# ## 2. Two judges in one discriminator
#
# MoCoGAN judges single frames with an image discriminator `D_I` ("is this a sharp digit?") and whole clips with
# a video discriminator `D_V` ("does it move like the data?"). Both are already in VGAN's discriminator
# (notebook 08): its `frame_discriminator=k` option puts a 2-D judge of `k` random frames next to the 3-D judge,
# and the model returns the video logit repeated `k` times next to the `k` frame logits, so the two judges weigh
# the same in the losses. MoCoGAN's discriminator is that one, with at least one judged frame:

# %%
print(inspect.getsource(mocogan.build_discriminator))
d = mocogan.build_discriminator(T_DEMO, 16, 1, 4, frame_discriminator=2)
print(
    "logits of 3 clips:",
    d(np.zeros((3, T_DEMO, 16, 16, 1), "float32")).shape,
    "(video, video, frame, frame)",
)

# %% [markdown]
# The model class changes one hook of the shared training step, `sample_latents`, so that it can draw the noise
# of more frames than it trained on (`sample(num, num_frames=N)`); the step itself is notebook 02's.

# %%
print(inspect.getsource(mocogan.MoCoGAN.sample_latents))
print(inspect.getsource(mocogan.MoCoGAN.sample))

# %% [markdown]
# ## 3. Motion that can only move the digit: sprites
#
# The content code cannot drift, but the image generator still reads the motion code too, and it can use it
# to reshape the digit: in the 30-minute run of `benchmarks/README.md` some clips turn a 6 into a 9 halfway.
# On data where one object moves over a plain background, the motion can be restricted further. With
# `sprite=S` the image generator draws **one `S x S` sprite per clip** from the content code alone, and the
# motion code of frame `t` only says **where** it goes: `p_t = sigmoid(W z_M(t))`, the sprite's top-left corner
# at `p_t * (H - S)` pixels. A translation cannot turn a 6 into a 9.
#
# ```text
#   z_C ──► G_I ──► one sprite (S x S) ─┐
#   eps_t ──► GRU ──► z_M(t) ──► p_t ───┴──► PlaceSprite ──► frame t (H x W)
# ```
#
# `PlaceSprite` rounds the position to whole pixels (the data's digits sit on whole pixels; a sprite blended
# between two pixels is blurred, and the image judge spots blur at once) but passes the gradient of the
# bilinear paste straight through the rounding, so the positions still learn. It is two small matrix products
# per axis:

# %%
print(inspect.getsource(mocogan.PlaceSprite))

# %% [markdown]
# One sprite, moved: every frame holds the same ink (the sum of its pixels), whatever the motion noise, and
# another content code draws another sprite. The `demo` and `full` presets use sprites of half the frame (the
# size of the data's digits); `sprite=0` (`--sprite 0`) draws every frame whole, as in the paper, for footage
# that is not one object on a plain background.

# %%
g_sprite = mocogan.build_generator(K, M, image_size=16, channels=1, base_filters=4, sprite=8)
clip = keras.ops.convert_to_numpy(g_sprite(z, training=False))[0]
print("ink per frame:", np.round(((clip + 1) / 2).sum(axis=(1, 2, 3)), 3))
other = keras.ops.convert_to_numpy(g_sprite(other_content, training=False))[0]
print("ink per frame, another content code:", np.round(((other + 1) / 2).sum(axis=(1, 2, 3)), 3))

# %% [markdown]
# ## 4. Train MoCoGAN on moving digits
#
# The `demo` preset: the paper's code sizes (content 50, motion 10, a GRU), 16x16 sprites on 8 frames of 32x32,
# batch 16, VGAN's two judges with 4 random frames per clip, a faster generator (TTUR: 5e-4 against 1e-4) and
# one-sided label smoothing 0.1 (the judges aim at 0.9 for real clips, which keeps them from winning too
# easily; notebook 13). The image judge looks at the 16x16 window around each frame's ink, the sprite, rather
# than the whole frame (`tfvidgan.layers.InkCrop`), and both judges see pairs of clips at once (PacGAN,
# `pack=2`, notebook 03), which keeps a sharp judge from collapsing the generator onto a few digits. It is what
# `make demo` trains (8000 steps, at most 9 minutes); here it trains for `MINUTES`, and TGAN as long (section 7).
# `tfvidgan.train.train` is what `tfvidgan train --model mocogan` runs.

# %%
MINUTES = pick(normal=4.0, smoke=0.2)  # CPU budget of each model in this notebook
preset = pick(normal="demo", smoke="tiny")
# smoke mode: tiny networks, but frames of the real size (the metrics of section 7 need varied features)
sizes = pick(normal={}, smoke=dict(image_size=32, num_frames=8))
common = dict(max_minutes=MINUTES, steps=pick(normal=100_000, smoke=4), **sizes)
print(get_config("mocogan", preset, **common))


def train_run(name):
    run = OUT / name
    shutil.rmtree(run, ignore_errors=True)  # train() would resume a run it finds there
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the health alarms of a short run: not the point here
        model = tfvidgan.train.train(get_config(name, preset, **common), run, verbose=2)
    return model, run


moco, moco_run = train_run("mocogan")
T = moco.num_frames
print("MoCoGAN trained", moco.trained_steps, "steps on clips of", T, "frames")
show_clips(
    moco.sample(pick(normal=8, smoke=4), seed=1), f"MoCoGAN after {MINUTES:g} min: one clip per row"
)

# %% [markdown]
# ## 5. The content/motion picture
#
# `model.content_motion_grid(num_content, num_motion)` draws every content code with every motion noise. In the
# grid below **row i keeps content code i** and varies the motion; **column j keeps motion j** and varies the
# content. A model that separated the two shows one digit (one style) along each row and one trajectory down
# each column. The GIF plays all clips at once.

# %%
print(inspect.getsource(mocogan.MoCoGAN.content_motion_grid))
ROWS, COLS = 4, 5
grid = moco.content_motion_grid(num_content=ROWS, num_motion=COLS, seed=3)
movie = video_io.video_grid(grid, ncols=COLS)
video_io.write_gif(OUT / "content_motion.gif", movie)
video_io.display_video(movie, width=60 * COLS)
for i in range(2):  # two rows, frame by frame: the same content, five motions
    show_clips(
        grid[i * COLS : (i + 1) * COLS], f"content code {i}, motion 0..{COLS - 1} (one per row)"
    )

# %% [markdown]
# ## 6. Longer clips than it was trained on
#
# The GRU just runs on. `sample(num, num_frames=3 * T)` draws clips three times as long as the training ones
# (`tfvidgan sample --run runs/nb10/mocogan --num-frames 24 --out long.gif` on the command line). Does the
# digit hold beyond frame `T`? The shipped digit classifier reads every frame; we compare each frame's digit
# with the majority digit of the clip's first `T` frames.

# %%
long_clips = moco.sample(pick(normal=256, smoke=16), seed=4, num_frames=3 * T)
print("long clips:", long_clips.shape)
show_clips(long_clips[:4], f"{3 * T} frames from a model trained on {T}", max_frames=3 * T)
probs = classifiers.frame_digit_probs(long_clips)  # (N, 3T, 10)
pred = probs.argmax(axis=-1)
majority = np.array([np.bincount(row[:T], minlength=10).argmax() for row in pred])
agree = (pred == majority[:, None]).mean(axis=0)
confident = (probs.max(axis=-1) >= evaluate.CONFIDENT).mean(axis=0)
plt.figure(figsize=(6, 3))
plt.plot(agree, "o-", label="shows the digit of frames 0..T-1")
plt.plot(confident, "s-", label="recognisable (p >= 0.9)")
plt.axvline(T - 0.5, color="gray", ls="--", lw=1, label="end of the training length")
plt.xlabel("frame")
plt.ylim(0, 1.05)
plt.legend(fontsize=8)
plt.grid(alpha=0.3)
plt.show()
print(
    f"frames T..3T-1: {agree[T:].mean():.1%} keep the clip's digit, {confident[T:].mean():.1%} recognisable"
)

# %% [markdown]
# ## 7. MoCoGAN against TGAN, same data, same minutes
#
# TGAN's `demo` preset (notebook 09) with the same budget, then both measured like every video model here with
# `evaluate.evaluate_samples`: FVD on the shipped video classifier's features, recognisable frames, digit
# coverage, clip consistency (a clip keeps its digit), frozen clips and motion, each beside a real-vs-real
# baseline.

# %%
tgan_model, tgan_run = train_run("tgan")
print("TGAN trained", tgan_model.trained_steps, "steps")
show_clips(tgan_model.sample(pick(normal=8, smoke=4), seed=1), f"TGAN after {MINUTES:g} min")

# %%
NUM = pick(normal=512, smoke=96)  # clips per set; compare numbers with the same N only (nb 12)
results = {
    name: evaluate.evaluate_samples(model.sample(NUM, seed=0), "moving_digits", num_frames=T)
    for name, model in (("MoCoGAN", moco), ("TGAN", tgan_model))
}


def metric(result, key):
    """``result["motion"]["frozen_fraction"]`` for the key "motion.frozen_fraction"."""
    for part in key.split("."):
        result = result[part]
    return result


rows = [
    ("FVD (lower is better)", "fvd"),
    ("recognisable frames", "recognisable_frames"),
    ("digit coverage (of 10)", "digit_coverage"),
    ("clip consistency", "clip_consistency"),
    ("frozen clips", "motion.frozen_fraction"),
    ("optical flow (px/frame)", "motion.flow_mean_magnitude"),
]
steps = f"| generator steps in {MINUTES:g} min | {moco.trained_steps} | {tgan_model.trained_steps} | - |"
lines = ["| metric | MoCoGAN | TGAN | real vs real |", "|---|---:|---:|---:|", steps]
for label, key in rows:
    values = [metric(results[n]["generated"], key) for n in ("MoCoGAN", "TGAN")]
    values.append(metric(results["MoCoGAN"]["baseline"], key))
    lines.append(f"| {label} | " + " | ".join(f"{v:.3g}" for v in values) + " |")
display(Markdown("\n".join(lines)))

# %% [markdown]
# Reading it (a 2-core CPU, one seed, a few minutes each: a first look, not a benchmark). TGAN draws every frame
# whole with one image generator, from a per-frame latent `z1_t` that a network derives from the clip's `z0`, and
# that path can still change "which digit". MoCoGAN's `demo` preset draws one sprite per clip from the content
# code and lets the motion code only move it, so nothing along the clip can change the digit. Look at clip
# consistency and at section 6: a content that cannot drift is the point of the design. Read consistency next
# to digit coverage and flow, because a clip that barely moves, or a model that draws two digits, keeps its
# digit trivially. In the 4-minute run written down with this notebook (a quiet CPU), MoCoGAN made 9971 steps:
# 96 % consistency with all ten digits, 76 % recognisable frames, FVD 7.0 and 1.4 px/frame of flow (real clips
# 1.55); its clips three times the training length kept their digit in 96 % of the later frames. TGAN made
# 4913 steps: 42 % consistency, 6 % recognisable, FVD 32. Where one model trails in FVD or recognisable
# frames, compare the step counts first. `benchmarks/README.md` ("Sprite motion") has MoCoGAN's recipes over 3
# seeds: whole frames 12 % recognisable / 50 % consistent, sprites 49 % / 90 %, sprites judged in their window
# 69 % / 94 %.
#
# On the command line: `tfvidgan train --model mocogan --out runs/mocogan`, `tfvidgan eval --run runs/mocogan`,
# `tfvidgan sample --run runs/mocogan --num-frames 24 --out long.gif`.
#
# ## Exercises
#
# ### Exercise 10.1 · Reading the latent vector
#
# Write `split_latents(z, motion_dim, content_dim)` for a NumPy `z (B, T * motion_dim + content_dim)`: return
# `(noise, content)` with `noise (B, T, motion_dim)` (`eps_1, ..., eps_T`) and `content (B, content_dim)` (the
# last `content_dim` numbers). The check compares with `mocogan.SplitLatents`.


# %%
def split_latents(z, motion_dim, content_dim):
    # TODO: the content code is at the end; the rest is T noise vectors of motion_dim numbers
    raise course.TODO


# %%
course.check("Exercise 10.1", split_latents, nb10.check_split_latents)

# %% [markdown]
# ### Exercise 10.2 · What the image generator is given
#
# `FrameByFrame` repeats the content code at every time step, puts it next to the motion codes and folds the
# frames into the batch. Write `frame_codes(content (B, K), motion (B, T, M))` returning the `(B * T, K + M)`
# array whose row `b * T + t` is `[content[b], motion[b, t]]`.


# %%
def frame_codes(content, motion):
    # TODO: repeat content over time (np.repeat / np.broadcast_to), concatenate, reshape
    raise course.TODO


# %%
course.check("Exercise 10.2", frame_codes, nb10.check_frame_codes)

# %% [markdown]
# ### Exercise 10.3 · Does a long clip keep its digit?
#
# Write `agreement_by_frame(frame_pred, first)`: `frame_pred (N, T)` holds the digit read in every frame; return
# `(T,)`, at each frame `t` the fraction of clips whose frame `t` shows the **majority digit of that clip's first
# `first` frames** (ties: the smaller digit, as `np.bincount(...).argmax()` gives). Then use it on the long clips
# of section 6.


# %%
def agreement_by_frame(frame_pred, first):
    # TODO
    raise course.TODO


# %%
if course.check("Exercise 10.3", agreement_by_frame, nb10.check_agreement_by_frame):
    print(np.round(agreement_by_frame(pred, T), 2))
