# %% [markdown]
# # 06 · From frames to video
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/06_frames_to_video.ipynb)
#
# A video GAN outputs an array `(B, T, H, W, C)` of floats. Between that array and a video someone can
# watch lie the last two stages of the workflow: **video synthesis** (encoding frames into a file a
# browser plays) and **post-processing** (frame rate, flicker, size, layout, fades). This notebook
# does both, on real clips and on the clips of a small video GAN trained here for a few minutes.
#
# **What you'll learn**
#
# - which file formats and codecs to use (GIF, H.264 MP4, VP9 WebM), why H.264 needs even frame sizes
#   and `yuv420p`, and how to read any video back into the package's `(T, H, W, 3)` convention;
# - how to write a long video frame by frame without holding it in memory (`video_io.VideoWriter`);
# - frame-rate conversion by linear blending and by optical flow, and why blending ghosts;
# - temporal smoothing against flicker, upscaling, trimming, joining with a cross-fade, fades;
# - layouts that compare real and generated clips;
# - a latent walk: one smooth video through a trained generator's latent space (`tfvidgan sample --walk`).
#
# **Prerequisites:** notebook 01 (arrays and `video_io`); notebook 08 explains the video GAN trained here.
#
# **CPU time:** about 4.5 min (normal mode, measured on 2 shared cores), under a minute in smoke mode.

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
import time
from pathlib import Path

import imageio_ffmpeg
import matplotlib.pyplot as plt
import numpy as np

import tfvidgan
from tfvidgan import callbacks, course, data, models, runtime, video_io
from tfvidgan import postprocess as pp
from tfvidgan.config import get_config
from tfvidgan.course import nb06, pick
from tfvidgan.train import resolve_data

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
OUT = Path("runs/nb06")
OUT.mkdir(parents=True, exist_ok=True)


def codec_of(path):
    """The stream line FFmpeg prints for a file: codec, pixel format, size, frame rate."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)]
    err = subprocess.run(cmd, capture_output=True, text=True).stderr
    return next((line.strip() for line in err.splitlines() if "Video:" in line), "?")


# %% [markdown]
# ## 1. Writing a clip: three formats
#
# We start from real clips: `bouncing_shapes` (colour, 32x32) from notebook 01. `write_video` picks the
# format from the suffix. The table shows what each one costs and what it stores.

# %%
shapes, _ = data.load_arrays("bouncing_shapes", 8, image_size=32, num_frames=16, seed=0)
clip = data.to_float(shapes[0])  # (16, 32, 32, 3) float in [-1, 1], as a generator gives it
for suffix in (".gif", ".mp4", ".webm"):
    start = time.perf_counter()
    path = video_io.write_video(OUT / f"shape{suffix}", clip, fps=8)
    back = video_io.read_video(path)
    k = back.shape[1] // 32  # MP4/WebM store small clips enlarged k times
    error = np.abs(back[:, ::k, ::k].astype(int) - shapes[0].astype(int)).mean()
    print(f"{suffix:5s} {path.stat().st_size:6d} bytes, {1000 * (time.perf_counter() - start):4.0f} ms,"
          f" read back {back.shape}, mean error {error:4.1f} / 255 | {codec_of(path)[:60]}")  # fmt: skip

# %% [markdown]
# GIF keeps the exact 32x32 size (lossless apart from its 256-colour palette). MP4 and WebM store 64x64:
# `yuv420p` keeps colour at half resolution, so `encoded_frame_size` enlarges small clips by an
# integer factor (each pixel a 2x2 block) and pads odd sizes. Browsers play MP4 only with H.264 inside:
# the OpenCV wheels cannot encode it, so tfvidgan uses the FFmpeg that ships inside `imageio-ffmpeg`.

# %%
video_io.display_video(OUT / "shape.mp4", width=192)

# %% [markdown]
# ## 2. Reading any video back
#
# `read_video` returns `uint8 (T, H, W, 3)` RGB for every container (MP4, WebM, AVI, MOV, MKV, GIF),
# applying rotation metadata. `video_info` reads the header only; `iter_frames` streams frames one by one.

# %%
print(video_io.video_info(OUT / "shape.mp4"))
first = next(video_io.iter_frames(OUT / "shape.webm"))
print("first frame of the WebM:", first.shape, first.dtype)

# %% [markdown]
# ## 3. A long video, frame by frame
#
# A minute of 64x64 video at 24 fps is 1440 frames: fine in memory, but a walk through a big generator's
# latent space, or an hour of surveillance footage, is not. `VideoWriter` pipes frames to FFmpeg as they
# come, so memory stays at one chunk.

# %%
seconds = pick(normal=30, smoke=2)
with video_io.VideoWriter(OUT / "long.mp4", fps=24) as out:
    for chunk in range(seconds):  # one second (24 frames) at a time
        frames, _ = data.load_arrays("bouncing_shapes", 1, image_size=64, num_frames=24, seed=chunk)
        out.write(frames[0])
info = video_io.video_info(OUT / "long.mp4")
print(
    f"{out.frames_written} frames written, {(OUT / 'long.mp4').stat().st_size / 1e3:.0f} kB, header: {info}"
)

# %% [markdown]
# ## 4. Frame rate: blending versus optical flow
#
# A GAN trained on 8-frame clips at 8 fps looks jerky. To play it at 24 fps we need two new frames between
# every pair. **Linear blending** cross-fades the pair: an object that moved shows up twice, half bright
# (ghosting). **Optical flow** (Farneback's method in OpenCV) estimates where each pixel moved, warps both
# frames to the in-between time and blends the aligned frames.

# %%
fast = data.to_float(
    data.load_arrays("moving_digits", 1, image_size=32, num_frames=8, seed=5)[0][0]
)
linear = pp.change_fps(fast, 8, 24, method="linear")
flow = pp.change_fps(fast, 8, 24, method="flow")
print("frames:", fast.shape[0], "->", linear.shape[0])
fig, axes = plt.subplots(2, 1, figsize=(10, 3))
for ax, video, name in zip(axes, (linear, flow), ("linear", "flow")):
    ax.imshow(video_io.video_frames_grid(video[3:10], pad=1)[..., 0], cmap="gray")
    ax.set_title(f"{name}: frames 3-9 at 24 fps (4 and 5 are new, between source frames 1 and 2)")
    ax.axis("off")
plt.show()
half_grey = lambda frame: int(((frame > -0.6) & (frame < 0.6)).sum())  # ghosts are half bright
print(f"half-grey pixels: source frame {half_grey(fast[1])}, new frame by blending "
      f"{half_grey(linear[4])}, by flow {half_grey(flow[4])}")  # fmt: skip

# %% [markdown]
# ## 5. Flicker, size, cuts and fades
#
# GAN samples often **flicker**: the texture changes a little from frame to frame. A centred moving average
# over time (`smooth`) removes fast changes and keeps slow motion; the price is motion blur with big windows.
# We add flicker to a clean clip and measure the frame-to-frame change before and after.

# %%
rng = np.random.default_rng(0)
clean = data.to_float(shapes[1])
flicker = np.clip(
    clean + rng.normal(0, 0.15, (16, 1, 1, 1)) + rng.normal(0, 0.05, clean.shape), -1, 1
)
for name, video in [("clean", clean), ("flickering", flicker), ("smoothed (3)", pp.smooth(flicker, 3)),
                    ("smoothed (5, gaussian)", pp.smooth(flicker, 5, "gaussian"))]:  # fmt: skip
    change = np.abs(np.diff(video, axis=0)).mean()
    print(f"{name:24s} mean |frame[t+1] - frame[t]| = {change:.3f}")

# %% [markdown]
# Upscaling: `nearest` keeps the pixels of a 32x32 sample sharp (each becomes a block), `bicubic` is smooth
# but blurry. Then a small edit: trim, join two clips with a cross-fade, fade in from and out to black.

# %%
big_nearest, big_cubic = pp.upscale(clean, 4), pp.upscale(clean, 4, method="bicubic")
edited = pp.concat([pp.trim(clean, 0, 12), pp.trim(data.to_float(shapes[2]), 2)], crossfade=4)
edited = pp.fade(pp.upscale(edited, 4), fade_in=4, fade_out=4)
print("upscaled:", big_nearest.shape, "| edited:", edited.shape, "= 12 + 14 - 4 frames")
video_io.display_video(pp.side_by_side(big_nearest, big_cubic), fps=8, width=400)

# %%
video_io.write_video(OUT / "edited.mp4", edited, fps=8)
video_io.display_video(OUT / "edited.mp4", width=192)

# %% [markdown]
# ## 6. A generated video, post-processed
#
# Now the real use: a 3-D convolutional video GAN (notebook 08) trained for a few minutes on moving digits,
# then its samples through the chain *8 -> 24 fps by flow, light smoothing, 4x upscale*, and a layout with
# real clips on top and generated ones below.

# %%
runtime.set_precision("auto")
runtime.set_seed(0)
cfg = resolve_data(get_config("vgan", pick(normal="demo", smoke="tiny"), num_frames=8,
                              steps=pick(normal=1500, smoke=2), steps_per_epoch=pick(normal=250, smoke=2),
                              num_examples=pick(normal=8192, smoke=16)))  # fmt: skip
model = models.build(cfg)
start = time.time()
model.fit(
    data.make_dataset(
        cfg.data,
        batch_size=cfg.batch_size,
        num=cfg.num_examples,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=cfg.seed,
    ),  # fmt: skip
    epochs=-(-cfg.steps // cfg.steps_per_epoch),
    steps_per_epoch=cfg.steps_per_epoch,
    callbacks=[callbacks.TrainingBudget(cfg.steps, pick(normal=3.0, smoke=None))],
    verbose=2,
)
print(f"trained {model.trained_steps} steps in {(time.time() - start) / 60:.1f} min")

# %%
fake = model.sample(8, seed=0)  # (8, 8, 32, 32, 1) float in [-1, 1]
real = data.to_float(data.load_arrays("moving_digits", 8, image_size=32, num_frames=8, seed=1)[0])
polished = pp.upscale(pp.smooth(pp.change_fps(fake, 8, 24, method="flow"), 3), 2)
print("generated", fake.shape, "-> polished", polished.shape)
layout = pp.real_vs_generated(pp.upscale(pp.change_fps(real, 8, 24), 2), polished, ncols=4)
video_io.write_video(OUT / "real_vs_generated.mp4", layout, fps=24)
video_io.display_video(OUT / "real_vs_generated.mp4", width=520)

# %% [markdown]
# ## 7. A walk through latent space
#
# `latent_walk` draws a few random latents, joins them by spherical interpolation (`slerp`: it stays where a
# Gaussian latent has its mass, while a straight line passes near the origin, where the generator saw few
# samples), generates along the path and returns one looping video. `mode="clips"` plays each latent's clip;
# `mode="frames"` shows frame `k % T` of latent `k`, so every frame moves on. `tfvidgan sample --walk` does the
# same from a run folder.

# %%
walk = pp.latent_walk(model, num_points=4, steps=pick(normal=12, smoke=2), mode="frames", seed=2)
print("walk:", walk.shape)
video_io.write_video(OUT / "walk.mp4", pp.upscale(walk, 4), fps=12)
video_io.display_video(OUT / "walk.mp4", width=192)

# %% [markdown]
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/06_frames_to_video_solutions.ipynb`.
#
# ### Exercise 6.1: frame rate by blending
#
# Write `my_change_fps(clip, src_fps, dst_fps)` for a float clip `(T, H, W, C)`: output frame `k` shows time
# `k / dst_fps`, i.e. source position `p = k * src_fps / dst_fps`; blend frames `floor(p)` and `floor(p) + 1`
# with weights `1 - f` and `f` (`f = p - floor(p)`). Make `floor((T - 1) * dst_fps / src_fps) + 1` frames.


# %%
def my_change_fps(clip, src_fps, dst_fps):
    # TODO: return the resampled clip (float32)
    raise course.TODO


# %%
course.check("Exercise 6.1", my_change_fps, nb06.check_change_fps)

# %% [markdown]
# ### Exercise 6.2: smoothing against flicker
#
# Write `my_smooth(clip, window)`: frame `k` becomes the mean of frames `k - r ... k + r` (`r = window // 2`),
# where frames before the first are the first frame and after the last are the last one (so a still clip
# stays still).


# %%
def my_smooth(clip, window):
    # TODO: a centred moving average over time, edges repeated
    raise course.TODO


# %%
course.check("Exercise 6.2", my_smooth, nb06.check_smooth)

# %% [markdown]
# ### Exercise 6.3: spherical interpolation
#
# Write `my_slerp(a, b, t)` for two latent vectors: move the *direction* along the great circle from `a` to
# `b` and the *length* linearly from `|a|` to `|b|`. With unit vectors `â, b̂` and `ω = arccos(â·b̂)`, the
# direction is `(sin((1 - t) ω) â + sin(t ω) b̂) / sin(ω)`.


# %%
def my_slerp(a, b, t):
    # TODO: spherical interpolation of direction, linear of length
    raise course.TODO


# %%
course.check("Exercise 6.3", my_slerp, nb06.check_slerp)
