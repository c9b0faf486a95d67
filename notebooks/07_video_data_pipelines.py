# %% [markdown]
# # 07 · Video data pipelines
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/07_video_data_pipelines.ipynb)
#
# Until now every dataset was drawn procedurally. Real work starts with a folder of video files: phone
# clips, a download like UCF-101, the frames of a simulation. This notebook goes from such a folder to
# training batches with `tfvidgan.data.video_clips`, looks at the cache, at what happens to bad files, and
# then trains the 3-D video GAN on the files, exactly what `tfvidgan train --data my_videos/` does.
#
# **What you'll learn**
#
# - the shape of a clip pipeline: list files, probe them, decode in parallel, sample clips, batch;
# - folders, globs and class-per-subfolder layouts (labels from folder names, in sorted order);
# - clip sampling: `frame_step` or a target frame rate, random or evenly spaced starts that never run past
#   the end (the TF video tutorial's `frames_from_video_file` has an off-by-one there), several clips per
#   video, centre crop or aspect-preserving padding, grey or RGB;
# - a disk cache of decoded frames, so later epochs do not decode again;
# - bad input: corrupt, truncated, empty, non-video and too-short files are skipped with one warning each;
# - the ready-made datasets (Moving MNIST, UCF-101) and training a video GAN on files.
#
# **Prerequisites:** notebook 01 (arrays, `video_io`); notebook 06 (video files); notebook 08 explains the GAN.
#
# **CPU time:** about 9 min (normal mode, measured on 2 shared cores with other jobs running), under a minute in smoke mode.

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
import random
import shutil
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import tfvidgan
from tfvidgan import callbacks, course, data, downloads, models, runtime, video_io
from tfvidgan import postprocess as pp
from tfvidgan.config import get_config
from tfvidgan.course import nb07, pick
from tfvidgan.data import moving_mnist, ucf101
from tfvidgan.data import video_files as vf
from tfvidgan.train import resolve_data

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
OUT = Path("runs/nb07")
shutil.rmtree(OUT, ignore_errors=True)  # a fresh folder of videos every run
OUT.mkdir(parents=True)

# %% [markdown]
# ## 1. A folder of videos
#
# We make one: bouncing shapes written as MP4 files (H.264, like a phone's), one sub-folder per shape, at
# different sizes and frame rates, plus some GIFs. This is the *class-per-subfolder* layout of UCF-101 and of
# `keras.utils.image_dataset_from_directory`.

# %%
VIDEOS = OUT / "videos"
per_class = pick(normal=80, smoke=4)
clips, labels = data.load_arrays(
    "bouncing_shapes", 3 * per_class, image_size=64, num_frames=40, seed=0
)
written = {name: 0 for name in data.SHAPE_NAMES}
for k, (clip, (shape, _, _)) in enumerate(zip(clips, labels)):
    name = data.SHAPE_NAMES[shape]
    size, fps = [(64, 12), (96, 24), (64, 25)][k % 3]
    frames = pp.upscale(clip, size=(size, size * 4 // 3), method="bilinear")  # 4:3 frames
    suffix = ".gif" if k % 10 == 0 else ".mp4"
    video_io.write_video(VIDEOS / name / f"{name}_{k:03d}{suffix}", frames, fps=fps)
    written[name] += 1
print(written)

files = data.list_videos(VIDEOS)
print(
    len(files.paths),
    "files | classes (sorted):",
    files.class_names,
    "| first labels:",
    files.labels[:6],
)
print(data.probe_video(files.paths[0]))

# %% [markdown]
# ## 2. From files to batches
#
# `video_clips` returns a `tf.data.Dataset` of clips `(num_frames, h, w, C)` float32 in `[-1, 1]`. What
# happens inside:
#
# 1. **probe** every file once (in threads): open it, read its first frame, its frame count and rate;
# 2. **decode** files in parallel: GIFs in the TensorFlow graph (`tf.io.decode_gif`), MP4/AVI/WebM/MOV with
#    OpenCV (BGR converted to RGB) or the FFmpeg of `imageio-ffmpeg`; only kept frames are converted and
#    resized, and without a cache decoding stops after the last frame a clip needs;
# 3. **sample** clips: random or even starts, `clips_per_video` per file;
# 4. shuffle, (repeat), batch, prefetch.

# %%
ds = data.video_clips(VIDEOS, num_frames=8, image_size=32, batch_size=8, with_labels=True, seed=0)
x, y = next(iter(ds))
print(
    "x:", x.shape, x.dtype, f"[{float(np.min(x)):.2f}, {float(np.max(x)):.2f}]", "| y:", y.numpy()
)
plt.figure(figsize=(10, 4))
plt.imshow(video_io.to_uint8(video_io.video_frames_grid(x.numpy()[:4])))
plt.title("4 clips of a batch: " + ", ".join(ds.class_names[i] for i in y.numpy()[:4]))
plt.axis("off")
plt.show()

# %% [markdown]
# ### Time: `frame_step`, `fps`, starts
#
# `frame_step=2` keeps every second frame. `fps=8` keeps the frames nearest to 1/8 s apart *whatever the
# file's rate*: a 24 fps and a 12 fps video give clips of the same duration. `sampling="even"` with
# `clips_per_video=3` takes the first, middle and last possible window.

# %%
one = files.paths[1]
info = data.probe_video(one)
for kwargs in (dict(frame_step=1), dict(frame_step=2), dict(fps=8)):
    kept = vf.kept_frame_indices(
        info.frames, kwargs.get("frame_step", info.fps / kwargs.get("fps", 1))
    )
    print(
        f"{kwargs}: {info.frames} frames at {info.fps:.0f} fps -> {len(kept)} kept: {kept[:10].tolist()} ..."
    )
even = data.load_clips(one, 8, frame_step=2, image_size=32, clips_per_video=3, sampling="even")[0]
print("3 even clips of one file:", even.shape)

# %% [markdown]
# The off-by-one the TF video tutorial copies around: it picks `start = random.randint(0, max_start + 1)`,
# but Python's `randint` includes both ends, so `max_start + 1` comes up and the clip runs one frame past
# the end, which the tutorial fills with zeros (a black frame in the training data). `clip_starts` keeps
# every start in `[0, max_start]`:

# %%
num_available, num_frames = 20, 16
max_start = num_available - num_frames
tutorial = [random.randint(0, max_start + 1) for _ in range(10_000)]
ours = vf.clip_starts(num_available, num_frames, 10_000, "random", np.random.default_rng(0))
print(
    f"tutorial starts past {max_start}: {np.mean(np.array(tutorial) > max_start):.1%} of clips get a black frame"
)
print(f"video_clips starts in [{ours.min()}, {ours.max()}]")

# %% [markdown]
# ### Space: crop or pad, grey or RGB
#
# Our files are 4:3. `resize="crop"` scales the shorter side and cuts the centre (the shape may leave the
# frame at the sides); `"pad"` keeps the whole frame and pads with black. `channels=1` converts to grey.

# %%
crop = data.load_clips(one, 8, image_size=32, resize="crop", sampling="even")[0][0]
pad = data.load_clips(one, 8, image_size=32, resize="pad", sampling="even")[0][0]
grey = data.load_clips(one, 8, image_size=32, channels=1, sampling="even")[0][0]
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, image, title in zip(axes, (crop[0], pad[0], grey[0, ..., 0]), ("crop", "pad", "grey")):
    ax.imshow(image, cmap="gray")
    ax.set_title(f"{title} {image.shape}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 3. The cache
#
# Decoding H.264 costs more than a training step of a small GAN. With `cache_dir`, each file's decoded and
# resized frames are saved once as `.npy` (written atomically: an interrupted epoch never leaves a broken
# cache file) and read back afterwards, also in later runs. Random starts are still drawn every epoch,
# from the cached frames. The key includes the file's size and modification time and the decoding
# settings, so an edited file or a new `image_size` is decoded again.

# %%
cache = OUT / "cache"
timings = []
for epoch in range(3):
    start = time.perf_counter()
    n = sum(
        len(b) for b in data.video_clips(VIDEOS, 8, image_size=32, batch_size=16, cache_dir=cache)
    )
    timings.append(time.perf_counter() - start)
    print(f"epoch {epoch}: {n} clips in {timings[-1]:.2f} s")
print(
    f"{len(list(cache.glob('*.npy')))} cache files; later epochs {timings[0] / min(timings[1:]):.1f}x faster"
)

# %% [markdown]
# `benchmarks/README.md` ("Video data pipeline") measures this pipeline against the tutorial's pattern
# (a Python generator calling OpenCV frame by frame through `from_generator`) and the cost of training on
# files instead of clips in memory.
#
# ## 4. Bad files
#
# Real folders contain surprises. We add an empty file, a truncated MP4, a text file called `.avi`, random
# bytes called `.webm`, a broken GIF and a video shorter than a clip.

# %%
BAD = OUT / "messy"
shutil.copytree(VIDEOS / "circle", BAD)
(BAD / "empty.mp4").write_bytes(b"")
data_bytes = (BAD / sorted(p.name for p in BAD.glob("*.mp4"))[0]).read_bytes()
(BAD / "truncated.mp4").write_bytes(data_bytes[: len(data_bytes) // 2])
(BAD / "readme.avi").write_text("this is not a video\n" * 20)
(BAD / "noise.webm").write_bytes(np.random.default_rng(0).bytes(5000))
(BAD / "broken.gif").write_bytes(b"GIF89a" + bytes(30))
video_io.write_mp4(BAD / "too_short.mp4", clips[0][:5])

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    messy = data.video_clips(BAD, 8, image_size=32, batch_size=4)
    n = sum(len(b) for b in messy)
for w in caught:
    if "video_clips" in str(w.message):
        print("warning:", str(w.message).replace(str(BAD) + "/", ""))
print(
    f"{n} clips from {len(messy.files)} usable files; skipped while probing: {sorted(Path(p).name for p in messy.skipped)}"
)

# %% [markdown]
# Every unreadable file is skipped with one warning and counted in a summary. The truncated MP4 keeps only
# the frames before the cut (never zero-filled ones), and like the short video it is skipped when those are
# fewer than the 8 a clip needs. With
# `short="loop"` or `"pad"` it is used, looped or with its last frame repeated. A folder with nothing usable
# is a clear error that names it:

# %%
(OUT / "nothing").mkdir()
(OUT / "nothing" / "a.mp4").write_bytes(b"")
for folder in (OUT / "nothing", OUT / "does_not_exist"):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data.video_clips(folder, 8)
    except ValueError as err:
        print("ValueError:", str(err).replace(str(OUT), "runs/nb07")[:160])
looped = data.load_clips(BAD / "too_short.mp4", 8, image_size=32, short="loop")[0]
print("short='loop':", looped.shape)

# %% [markdown]
# ## 5. Ready-made datasets
#
# **Moving MNIST** (Srivastava et al. 2015, https://arxiv.org/abs/1502.04681): 10,000 sequences of 20
# frames of two bouncing digits, 64x64, in one 780 MiB file `mnist_test_seq.npy` stored as
# `(20, 10000, 64, 64)` (time first). `data.make_dataset("moving_mnist", ...)` downloads it once into the
# data folder below (checked, resumable; offline the error says what to download and where to put it), or
# give the path of your copy: `data.make_dataset("/path/to/mnist_test_seq.npy", ...)`.
#
# **UCF-101** (Soomro et al. 2012, https://arxiv.org/abs/1212.0402): 13,320 clips of 101 actions in class
# folders with three official train/test splits. `ucf101.download_ucf101()` fetches and extracts the 6.5 GiB
# archive safely (it needs `unrar`, `7z` or `bsdtar` for the RAR); `ucf101.ucf101_clips(root, split=1,
# subset="train", ...)` reads a split list. Nothing is downloaded in this notebook:

# %%
print("data folder:", downloads.data_dir())
for name in ("moving_mnist", "ucf101"):
    print(f"{name}: {data.get_spec(name).description}")
if moving_mnist.default_path().exists():  # only when you downloaded it before
    mm = moving_mnist.load_moving_mnist()
    plt.imshow(video_io.video_frames_grid(mm[:3], max_frames=10)[..., 0], cmap="gray")
    plt.axis("off")
    plt.show()
else:
    print(
        "Moving MNIST is not here yet: data.make_dataset('moving_mnist', batch_size=16) downloads it"
    )
try:
    ucf101.find_layout()
    print("UCF-101 found:", ucf101.ucf101_files(split=1, subset="train").paths[:2])
except FileNotFoundError as err:
    print(str(err)[:200], "...")

# %% [markdown]
# ## 6. Training a video GAN on files
#
# `make_dataset` and `get_spec` accept a path wherever they accept a dataset name (a path that exists wins),
# so the video families train on files with no other change; on the command line:
#
# ```
# tfvidgan train --model vgan --preset demo --data runs/nb07/videos --image-size 32 --out runs/files
# ```
#
# Here the same in Python: `resolve_data` reads the channels (3: the files are colour) and the classes (3
# folders) from the files; `make_dataset` streams random clips from the decoded-frame cache.

# %%
runtime.set_precision("auto")
runtime.set_seed(0)
cfg = resolve_data(get_config("vgan", pick(normal="demo", smoke="tiny"), data=str(VIDEOS), image_size=32,
                              num_frames=8, steps=pick(normal=2000, smoke=2),
                              steps_per_epoch=pick(normal=250, smoke=2)))  # fmt: skip
print("channels:", cfg.channels, "| classes:", cfg.num_classes, "| data:", cfg.data)
model = models.build(cfg)
start = time.time()
model.fit(
    data.make_dataset(
        cfg.data,
        batch_size=cfg.batch_size,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=cfg.seed,
    ),  # fmt: skip
    epochs=-(-cfg.steps // cfg.steps_per_epoch),
    steps_per_epoch=cfg.steps_per_epoch,
    callbacks=[callbacks.TrainingBudget(cfg.steps, pick(normal=4.0, smoke=None))],
    verbose=2,
)
print(f"trained {model.trained_steps} steps in {(time.time() - start) / 60:.1f} min")

# %%
real = next(iter(data.video_clips(VIDEOS, 8, image_size=32, batch_size=8, sampling="even")))
fake = model.sample(8, seed=0)
layout = pp.upscale(pp.real_vs_generated(real.numpy(), fake, ncols=4), 2)
video_io.write_video(OUT / "files_real_vs_generated.mp4", layout, fps=8)
video_io.display_video(OUT / "files_real_vs_generated.mp4", width=400)

# %% [markdown]
# A few minutes give coloured blobs that move; notebook 08 shows how far the same networks get with more
# time. The point here is the pipeline: the files cost training almost nothing once the cache is warm
# (measured in `benchmarks/README.md`).
#
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/07_video_data_pipelines_solutions.ipynb`.
#
# ### Exercise 7.1: which frames does a step keep?
#
# Write `my_kept_indices(num_frames, step)`: kept frame `k` is source frame `floor(k * step)` (the step may be
# fractional, e.g. `25 / 8` to go from 25 to 8 fps), as long as that index is below `num_frames`.


# %%
def my_kept_indices(num_frames, step):
    # TODO: return a list of source frame indices
    raise course.TODO


# %%
course.check("Exercise 7.1", my_kept_indices, nb07.check_kept_indices)

# %% [markdown]
# ### Exercise 7.2: evenly spaced clips that fit
#
# Write `my_clip_starts(num_available, num_frames, clips)`: one clip starts in the middle,
# `(num_available - num_frames) // 2`; several are spread from the first possible start to the last,
# `round(linspace(0, max_start, clips))`. No start may exceed `num_available - num_frames`.


# %%
def my_clip_starts(num_available, num_frames, clips):
    # TODO: return a list of `clips` start indices
    raise course.TODO


# %%
course.check("Exercise 7.2", my_clip_starts, nb07.check_clip_starts)

# %% [markdown]
# ### Exercise 7.3: find the bad files before training
#
# Write `find_unreadable(folder)` returning the set of file *names* in `folder` that `video_clips` would skip
# as unreadable. Hint: `data.list_videos(folder).paths` and `data.probe_video(path)`, which raises
# `ValueError` for a file it cannot read.


# %%
def find_unreadable(folder):
    # TODO: return a set of file names
    raise course.TODO


# %%
course.check("Exercise 7.3", find_unreadable, nb07.check_find_unreadable)
