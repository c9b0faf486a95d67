"""Video files -> clips: ``tfvidgan.data.video_clips`` against the TF tutorial's pattern.

Run from the repository root::

    python benchmarks/data_pipeline.py              # about 6 minutes on 2 CPU cores
    python benchmarks/data_pipeline.py --quick      # a smoke run (seconds)
    python benchmarks/data_pipeline.py --no-training --files 24 --video-frames 200 \
        --frames 10 --frame-step 15                 # the tutorial's own clip settings

What it measures, all in one process so the ratios share the machine's state:

1. **Clips per second, one epoch over the same MP4 files** (UCF-101-like: 320x240,
   25 fps, H.264; 16-frame clips every 2nd frame, resized with padding to 64x64,
   one random clip per file, batches of 8):

   * ``tutorial``: the pattern of the TensorFlow "Load video data" tutorial
     (https://www.tensorflow.org/tutorials/load_data/video): a Python generator that
     opens each file with OpenCV, seeks to a random start, reads every frame between
     kept ones, converts and resizes each kept frame with TensorFlow ops, and feeds
     ``tf.data.Dataset.from_generator``. Re-implemented here (with the start range
     corrected, which does not change its speed);
   * ``video_clips, no cache``: :func:`tfvidgan.data.video_clips` decoding every epoch;
   * ``video_clips, cache: 1st epoch``: decoding and writing the ``.npy`` cache;
   * ``video_clips, cache: later epochs``: reading the cache.

   Each dataset is built once (the setup, timed on its own: listing and probing the
   files, tracing) and iterated twice; the rows are the second epoch, except the
   cache's first. Each variant runs ``--repeats`` times, interleaved, best kept.
   The files are in the OS page cache in every case: "cold" means "not decoded before".
   Besides clips per wall-clock second the table gives clips per CPU second of the
   process (all its threads): on a machine shared with other jobs that measures the
   work each pipeline needs, independent of how much CPU the others left.

2. **Is the pipeline the bottleneck of training?** Steps per second of the 3-D video
   GAN (``vgan`` demo preset networks, built with ``tfvidgan.models.build``, in the
   precision ``tfvidgan train`` would use) fed (a) the same clips from memory, (b)
   ``video_clips`` decoding the files every epoch, (c) ``video_clips`` with a warm
   cache, (d) ``video_clips`` with an empty cache, as ``tfvidgan train --data`` starts
   (timed from its first clip: the first epoch decodes, later ones read the cache).
   A ratio near 1.0 means the files cost training nothing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tfvidgan import video_io  # noqa: E402

# ---------------------------------------------------------------------------
# The generated set of files
# ---------------------------------------------------------------------------


def make_files(folder: Path, count: int, frames: int, seed: int = 0) -> list[Path]:
    """``count`` H.264 MP4s of 320x240 at 25 fps: textured background, moving blobs, noise."""
    import cv2

    rng = np.random.default_rng(seed)
    paths = []
    yy, xx = np.mgrid[0:240, 0:320]
    for k in range(count):
        base = (rng.random((24, 32, 3)) * 255).astype(np.uint8)
        base = cv2.resize(base, (320, 240), interpolation=cv2.INTER_CUBIC)
        video = np.empty((frames, 240, 320, 3), np.uint8)
        cx, cy, vx, vy = rng.uniform(40, 280), rng.uniform(40, 200), *rng.uniform(-6, 6, 2)
        colour = rng.integers(0, 256, 3)
        for t in range(frames):
            frame = np.roll(base, t * 2, axis=1).astype(np.int16)
            mask = (xx - (cx + vx * t)) ** 2 + (yy - (cy + vy * t)) ** 2 < 30**2
            frame[mask] = colour
            frame += rng.integers(-6, 7, frame.shape, dtype=np.int16)
            video[t] = np.clip(frame, 0, 255).astype(np.uint8)
        paths.append(video_io.write_mp4(folder / f"clip_{k:03d}.mp4", video, fps=25))
    return paths


# ---------------------------------------------------------------------------
# The tutorial's pattern (re-implemented)
# ---------------------------------------------------------------------------


def tutorial_dataset(paths, num_frames, frame_step, size, batch_size):
    """Python generator + OpenCV frame by frame + per-frame TF ops + from_generator."""
    import cv2
    import tensorflow as tf

    def format_frame(frame):
        frame = tf.image.convert_image_dtype(frame, tf.float32)
        return tf.image.resize_with_pad(frame, size, size)

    def frames_of(path):
        capture = cv2.VideoCapture(str(path))
        length = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        need = 1 + (num_frames - 1) * frame_step
        start = 0 if need > length else random.randint(0, length - need)
        capture.set(cv2.CAP_PROP_POS_FRAMES, start)
        ok, frame = capture.read()
        out = [format_frame(frame)]
        for _ in range(num_frames - 1):
            for _ in range(frame_step):
                ok, frame = capture.read()
            out.append(format_frame(frame) if ok else tf.zeros_like(out[0]))
        capture.release()
        return np.array(out)[..., [2, 1, 0]]  # BGR -> RGB

    def generator():
        order = list(paths)
        random.shuffle(order)
        for path in order:
            yield frames_of(path)

    spec = tf.TensorSpec((num_frames, size, size, 3), tf.float32)
    ds = tf.data.Dataset.from_generator(generator, output_signature=spec)
    return ds.batch(batch_size).prefetch(2)


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def epoch_rates(make, clips_expected, epochs=2):
    """Build ``make()`` (timed: listing, probing, tracing) and iterate it ``epochs`` times.

    Returns ``(setup seconds, [(clips per wall-clock s, clips per CPU s of this process)]
    per epoch)``.
    """
    start = time.perf_counter()
    ds = make()
    setup = time.perf_counter() - start
    rates = []
    for _ in range(epochs):
        start, cpu = time.perf_counter(), time.process_time()
        count = sum(int(x.shape[0]) for x in ds)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if count != clips_expected:
            raise RuntimeError(f"expected {clips_expected} clips, got {count}")
        rates.append((count / elapsed, count / max(cpu, 1e-9)))
    return setup, rates


def pipeline_table(paths, args):
    import warnings

    from tfvidgan.data import video_clips

    kw = dict(frame_step=args.frame_step, image_size=args.size, resize="pad", batch_size=8,
              drop_remainder=False, seed=0)  # fmt: skip
    cache_root = Path(tempfile.mkdtemp(prefix="tfvidgan-bench-cache-"))
    n = len(paths)
    makers = {
        "tutorial": lambda r: tutorial_dataset(paths, args.frames, args.frame_step, args.size, 8),
        "plain": lambda r: video_clips(paths, args.frames, **kw),
        "cache": lambda r: video_clips(paths, args.frames, cache_dir=cache_root / f"r{r}", **kw),
    }
    runs = {name: [] for name in makers}
    warnings.simplefilter("ignore")
    for _ in tutorial_dataset(paths[:2], args.frames, args.frame_step, args.size, 8):
        pass  # warm-up, not timed: TensorFlow's start-up and first kernels
    for _ in video_clips(paths[:2], args.frames, **kw):
        pass
    for r in range(args.repeats):  # interleaved, so drifts hit every pipeline alike
        for name, make in makers.items():
            runs[name].append(epoch_rates(lambda m=make, r=r: m(r), n))
    shutil.rmtree(cache_root, ignore_errors=True)

    def best(name, epoch, which):  # which: 0 = wall clock, 1 = CPU
        return max(rates[epoch][which] for _, rates in runs[name])

    setup = {name: min(s for s, _ in v) for name, v in runs.items()}
    rows = [
        ("tutorial pattern (from_generator + OpenCV)", "tutorial", 1),
        ("video_clips, no cache (decodes every epoch)", "plain", 1),
        ("video_clips, cache: 1st epoch (writing it)", "cache", 0),
        ("video_clips, cache: later epochs (warm)", "cache", 1),
    ]
    print(f"\n{n} files of {args.video_frames} frames, {args.frames}-frame clips, step "
          f"{args.frame_step}, {args.size}x{args.size}, best of {args.repeats}")  # fmt: skip
    print(f"setup (list, probe, trace) s: tutorial {setup['tutorial']:.2f}, "
          f"video_clips {setup['plain']:.2f}, with cache {setup['cache']:.2f}")  # fmt: skip
    print(f"| {'pipeline (one epoch)':<44} | clips/s | x tutorial | clips/CPU-s | x tutorial |")
    print(f"|{'-' * 46}|---------|------------|-------------|------------|")
    base_wall, base_cpu = best("tutorial", 1, 0), best("tutorial", 1, 1)
    for label, name, epoch in rows:
        wall, cpu = best(name, epoch, 0), best(name, epoch, 1)
        print(f"| {label:<44} | {wall:7.1f} | {wall / base_wall:9.2f}x | {cpu:11.1f} | "
              f"{cpu / base_cpu:9.2f}x |")  # fmt: skip


def training_table(paths, args):
    import keras
    import tensorflow as tf

    from tfvidgan import models, runtime
    from tfvidgan.config import get_config
    from tfvidgan.data import load_clips, video_clips

    precision = runtime.set_precision("auto")
    cfg = get_config("vgan", "demo", channels=3, image_size=32, num_frames=8, seed=0)
    kw = dict(frame_step=2, image_size=32, resize="crop", seed=0)
    clips, _ = load_clips(paths, 8, **kw, shuffle=False)
    memory = (
        tf.data.Dataset.from_tensor_slices(clips).repeat().shuffle(256, seed=0)
        .batch(cfg.batch_size, drop_remainder=True)
        .map(lambda x: tf.cast(x, tf.float32) / 127.5 - 1.0).prefetch(2)
    )  # fmt: skip
    cache = Path(tempfile.mkdtemp(prefix="tfvidgan-bench-train-"))
    sources = {
        "clips in memory": lambda: memory,
        "video_clips, no cache": lambda: video_clips(
            paths, 8, batch_size=cfg.batch_size, repeat=True, **kw),
        "video_clips, cache warm": lambda: video_clips(
            paths, 8, batch_size=cfg.batch_size, repeat=True, cache_dir=cache, **kw),
        # what `tfvidgan train --data` does: the cache starts empty, its first epoch decodes
        "video_clips, cache cold": lambda: video_clips(
            paths, 8, batch_size=cfg.batch_size, repeat=True,
            cache_dir=tempfile.mkdtemp(dir=cache), **kw),
    }  # fmt: skip
    for _ in video_clips(paths, 8, cache_dir=cache, **kw):  # fill the cache once
        pass
    rates = {name: [] for name in sources}
    model = models.build(cfg)
    model.fit(memory, steps_per_epoch=3, epochs=1, verbose=0)  # compile the step once
    for _ in range(args.repeats):
        for name, make in sources.items():
            ds = make()
            if name != "video_clips, cache cold":  # timed from its first clip
                model.fit(ds, steps_per_epoch=2, epochs=1, verbose=0)  # warm the iterator
            start = time.perf_counter()
            model.fit(ds, steps_per_epoch=args.steps, epochs=1, verbose=0)
            rates[name].append(args.steps / (time.perf_counter() - start))
    shutil.rmtree(cache, ignore_errors=True)
    best = {k: max(v) for k, v in rates.items()}
    print(f"\nvgan demo networks, 8x32x32x3 clips, batch {cfg.batch_size}, {precision}, "
          f"{args.steps} steps, best of {args.repeats}")  # fmt: skip
    print(f"| {'training fed by':<26} | steps/s | clips/s | x memory |")
    print(f"|{'-' * 28}|---------|---------|----------|")
    for name, rate in best.items():
        print(f"| {name:<26} | {rate:7.2f} | {rate * cfg.batch_size:7.1f} | "
              f"{rate / best['clips in memory']:7.2f}x |")  # fmt: skip
    del keras
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=48, help="MP4 files to generate")
    parser.add_argument("--video-frames", type=int, default=100, help="frames per file (25 fps)")
    parser.add_argument("--frames", type=int, default=16, help="frames per clip")
    parser.add_argument("--frame-step", type=int, default=2, help="keep every n-th frame")
    parser.add_argument("--size", type=int, default=64, help="clip side")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (best kept)")
    parser.add_argument("--steps", type=int, default=40, help="training steps per measurement")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--no-training", action="store_true", help="skip the training table")
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.video_frames, args.repeats, args.steps = 6, 40, 1, 3
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    print(f"commit {commit or '?'}; shared machine: compare the ratios, not the rates")
    folder = Path(tempfile.mkdtemp(prefix="tfvidgan-bench-files-"))
    try:
        start = time.perf_counter()
        paths = make_files(folder, args.files, args.video_frames)
        print(f"generated {len(paths)} MP4 files in {time.perf_counter() - start:.0f} s")
        pipeline_table(paths, args)
        if not args.no_training:
            training_table(paths, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
