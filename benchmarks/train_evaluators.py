"""Retrain the offline evaluators shipped in ``tfvidgan/weights/`` and print their held-out accuracy.

The two small networks of :mod:`tfvidgan.metrics.extractors`:

* ``DigitClassifier`` (2-D CNN, 10 digits) trained on ``digits`` images and
  single ``moving_digits`` frames, at 32x32 and rendered at 64x64 then resized
  (what the extractors do with larger frames);
* ``VideoDigitClassifier`` (3-D CNN, digit + motion class) trained on
  ``moving_digits`` clips of 16 frames and random 8-frame crops.

All training data is rendered with seeds 1000-1999, all held-out data with
seeds 9000-9999, both far from seed 0 that GAN runs train on. Augmentations
(shifts, zoom, contrast, blur, pixel noise) make the classifiers tolerant of
imperfect GAN samples.

Run: ``python benchmarks/train_evaluators.py`` (a few minutes on 2 cores).
Writes ``<out>/digit_classifier.weights.h5`` + ``.json`` and
``<out>/video_digit_classifier.weights.h5`` + ``.json`` (default out:
``tfvidgan/weights``) and prints a Markdown table of held-out accuracies.
``--check`` only evaluates the weights already in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfvidgan import data  # noqa: E402
from tfvidgan.metrics import extractors as ex  # noqa: E402

TRAIN_SEEDS = {"digits": 1000, "frames": 1001, "frames64": 1002, "digits64": 1003, "clips": 1010}
HELDOUT_SEEDS = {"digits": 9000, "frames": 9001, "frames64": 9002, "clips16": 9003, "clips8": 9004, "digits64": 9005}


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def resize_to_32(x):
    """uint8 (M, H, W, 1) -> uint8 (M, 32, 32, 1), anti-aliased like the extractors."""
    f = ex.prepare_images(x)
    return data.to_uint8(f)


def pick_frames(videos, labels, per_clip, rng):
    """``per_clip`` random frames from each clip, with the clip's digit as label."""
    n, t = videos.shape[:2]
    idx = np.stack([rng.choice(t, per_clip, replace=False) for _ in range(n)])
    frames = videos[np.arange(n)[:, None], idx].reshape((-1,) + videos.shape[2:])
    return frames, np.repeat(labels[:, 0], per_clip)


def digit_training_set(scale, rng):
    parts = []
    x, y = data.load_arrays("digits", int(12000 * scale), seed=TRAIN_SEEDS["digits"])
    parts.append((x, y))
    x, y = data.load_arrays("digits", int(1500 * scale), image_size=64, seed=TRAIN_SEEDS["digits64"])
    parts.append((resize_to_32(x), y))
    v, y = data.load_arrays("moving_digits", int(1500 * scale), num_frames=16, seed=TRAIN_SEEDS["frames"])
    parts.append(pick_frames(v, y, 4, rng))
    v, y = data.load_arrays("moving_digits", int(400 * scale), image_size=64, num_frames=8,
                            seed=TRAIN_SEEDS["frames64"])
    f, y = pick_frames(v, y, 4, rng)
    parts.append((resize_to_32(f), y))
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts]).astype(np.int32)
    return x, y


def digit_heldout_sets():
    sets = {}
    x, y = data.load_arrays("digits", 2000, seed=HELDOUT_SEEDS["digits"])
    sets["digits 32x32"] = (x, y)
    x, y = data.load_arrays("digits", 500, image_size=64, seed=HELDOUT_SEEDS["digits64"])
    sets["digits 64x64 (resized)"] = (x, y)
    v, y = data.load_arrays("moving_digits", 200, num_frames=16, seed=HELDOUT_SEEDS["frames"])
    sets["moving_digits frames 32x32"] = (v.reshape((-1, 32, 32, 1)), np.repeat(y[:, 0], 16))
    v, y = data.load_arrays("moving_digits", 60, image_size=64, num_frames=16, seed=HELDOUT_SEEDS["frames64"])
    sets["moving_digits frames 64x64 (resized)"] = (v.reshape((-1, 64, 64, 1)), np.repeat(y[:, 0], 16))
    return sets


def video_heldout_sets():
    sets = {}
    v, y = data.load_arrays("moving_digits", 600, num_frames=16, seed=HELDOUT_SEEDS["clips16"])
    sets["clips T=16"] = (v, y)
    v, y = data.load_arrays("moving_digits", 600, num_frames=8, seed=HELDOUT_SEEDS["clips8"])
    sets["clips T=8"] = (v, y)
    return sets


# ---------------------------------------------------------------------------
# Augmentation (float [0, 1] inside, [-1, 1] outside)
# ---------------------------------------------------------------------------

_BLUR = tf.constant(np.outer([1, 2, 1], [1, 2, 1]).astype(np.float32) / 16.0)[:, :, None, None]


def _photometric(u, per_sample_shape):
    """Contrast, blur and noise on ``u`` in [0, 1] (any leading shape ending in H, W, 1)."""
    gain = tf.random.uniform(per_sample_shape, 0.55, 1.15)
    u = u * gain
    shape = tf.shape(u)
    flat = tf.reshape(u, [-1, shape[-3], shape[-2], 1])
    blurred = tf.reshape(tf.nn.conv2d(flat, _BLUR, 1, "SAME"), shape)
    use_blur = tf.cast(tf.random.uniform(per_sample_shape) < 0.35, u.dtype)
    u = use_blur * blurred + (1.0 - use_blur) * u
    noise_std = tf.random.uniform(per_sample_shape, 0.0, 0.08)
    u = u + noise_std * tf.random.normal(shape)
    return tf.clip_by_value(u, 0.0, 1.0)


def make_image_augmenter():
    shift = keras.layers.RandomTranslation(0.12, 0.12, fill_mode="constant", fill_value=0.0)
    zoom = keras.layers.RandomZoom((-0.15, 0.15), fill_mode="constant", fill_value=0.0)

    def augment(x, y):
        u = tf.cast(x, tf.float32) / 255.0
        u = zoom(shift(u, training=True), training=True)
        b = tf.shape(u)[0]
        u = _photometric(u, [b, 1, 1, 1])
        return u * 2.0 - 1.0, y

    return augment


def augment_videos(x, y):
    u = tf.cast(x, tf.float32) / 255.0  # (B, T, H, W, 1)
    b = tf.shape(u)[0]
    # half the batches: a random 8-frame window; reversed time keeps the motion class
    t = tf.shape(u)[1]
    crop = tf.random.uniform(()) < 0.5
    start = tf.random.uniform((), 0, t - 8 + 1, dtype=tf.int32)
    u = tf.cond(crop, lambda: u[:, start:start + 8], lambda: u)
    u = tf.cond(tf.random.uniform(()) < 0.5, lambda: tf.reverse(u, [1]), lambda: u)
    u = _photometric(u, [b, 1, 1, 1, 1])
    return u * 2.0 - 1.0, y


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

def _optimizer(steps, lr):
    schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=steps, alpha=0.02)
    return keras.optimizers.Adam(schedule)


def train_digit(scale, epochs, seed, verbose):
    rng = np.random.default_rng(seed)
    x, y = digit_training_set(scale, rng)
    print(f"digit classifier: {len(x)} training images", flush=True)
    model = ex.build_digit_classifier()
    trainer = keras.Model(model.input, model.outputs[1])
    batch = 128
    steps = epochs * (len(x) // batch)
    trainer.compile(_optimizer(steps, 3e-3),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    ds = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).repeat()
          .batch(batch, drop_remainder=True).map(make_image_augmenter(), num_parallel_calls=2).prefetch(2))
    start = time.monotonic()
    trainer.fit(ds, epochs=epochs, steps_per_epoch=len(x) // batch, verbose=verbose)
    return model, {"examples": int(len(x)), "epochs": epochs, "batch_size": batch,
                   "seconds": round(time.monotonic() - start, 1)}


def train_video(scale, epochs, seed, verbose):
    v, y = data.load_arrays("moving_digits", int(5000 * scale), num_frames=16, seed=TRAIN_SEEDS["clips"])
    print(f"video classifier: {len(v)} training clips", flush=True)
    model = ex.build_video_classifier()
    trainer = keras.Model(model.input, {"digit": model.outputs[1], "motion": model.outputs[2]})
    batch = 32
    steps = epochs * (len(v) // batch)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    trainer.compile(_optimizer(steps, 3e-3), loss={"digit": loss, "motion": loss},
                    metrics={"digit": ["accuracy"], "motion": ["accuracy"]})
    labels = {"digit": y[:, 0], "motion": y[:, 1]}
    ds = (tf.data.Dataset.from_tensor_slices((v, labels)).shuffle(len(v), seed=seed).repeat()
          .batch(batch, drop_remainder=True).map(augment_videos, num_parallel_calls=2).prefetch(2))
    start = time.monotonic()
    trainer.fit(ds, epochs=epochs, steps_per_epoch=len(v) // batch, verbose=verbose)
    return model, {"examples": int(len(v)), "epochs": epochs, "batch_size": batch,
                   "seconds": round(time.monotonic() - start, 1)}


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

def noisy(x, seed=0):
    """A harder copy of uint8 images: lower contrast, blur and noise (like a rough GAN sample)."""
    rng = np.random.default_rng(seed)
    u = x.astype(np.float32) / 255.0 * 0.75
    flat = u.reshape((-1,) + u.shape[-3:])
    flat = tf.nn.conv2d(flat, _BLUR, 1, "SAME").numpy()
    u = flat.reshape(u.shape) + rng.normal(0, 0.06, u.shape)
    return data.to_uint8(np.clip(u, 0, 1) * 2 - 1)


def evaluate_digit(clf):
    results = {}
    for name, (x, y) in digit_heldout_sets().items():
        probs = clf.probs(x)
        results[name] = {"n": int(len(y)), "accuracy": float(np.mean(probs.argmax(1) == y)),
                         "confident_fraction": float(np.mean(probs.max(1) >= 0.9))}
    x, y = digit_heldout_sets()["digits 32x32"]
    results["digits 32x32, blurred + noisy"] = {
        "n": int(len(y)), "accuracy": float(np.mean(clf.probs(noisy(x)).argmax(1) == y))}
    return results


def evaluate_video(clf):
    results = {}
    for name, (v, y) in video_heldout_sets().items():
        probs = clf.probs(v)
        results[name] = {"n": int(len(y)),
                         "digit_accuracy": float(np.mean(probs["digit"].argmax(1) == y[:, 0])),
                         "motion_accuracy": float(np.mean(probs["motion"].argmax(1) == y[:, 1]))}
    v, y = video_heldout_sets()["clips T=16"]
    probs = clf.probs(noisy(v))
    results["clips T=16, blurred + noisy"] = {
        "n": int(len(y)), "digit_accuracy": float(np.mean(probs["digit"].argmax(1) == y[:, 0])),
        "motion_accuracy": float(np.mean(probs["motion"].argmax(1) == y[:, 1]))}
    return results


def print_table(digit_results, video_results):
    print("\n| evaluator | held-out set | n | digit acc. | motion acc. |")
    print("|---|---|---|---|---|")
    for name, r in digit_results.items():
        print(f"| DigitClassifier | {name} | {r['n']} | {r['accuracy']:.2%} | - |")
    for name, r in video_results.items():
        print(f"| VideoDigitClassifier | {name} | {r['n']} | {r['digit_accuracy']:.2%} | {r['motion_accuracy']:.2%} |")


def write_metadata(out, name, model_meta):
    path = out / f"{name}.json"
    path.write_text(json.dumps(model_meta, indent=2) + "\n")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ex.WEIGHTS_DIR), help="folder for the weights (default: the package's)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the training data to render")
    parser.add_argument("--digit-epochs", type=int, default=8)
    parser.add_argument("--video-epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=["digit", "video"], default=None)
    parser.add_argument("--check", action="store_true", help="only evaluate the weights in --out")
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    keras.mixed_precision.set_global_policy("float32")
    digit_results = video_results = {}

    if args.only in (None, "digit"):
        if args.check:
            model = ex._load_weights(ex.build_digit_classifier(), ex.DIGIT_NAME, out / f"{ex.DIGIT_NAME}.weights.h5")
            info = json.loads((out / f"{ex.DIGIT_NAME}.json").read_text()).get("training", {})
        else:
            model, info = train_digit(args.scale, args.digit_epochs, args.seed, args.verbose)
        digit_results = evaluate_digit(ex.DigitClassifier(model))
        if not args.check:
            path = out / f"{ex.DIGIT_NAME}.weights.h5"
            model.save_weights(str(path))
            write_metadata(out, ex.DIGIT_NAME, {
                "name": "DigitClassifier",
                "weights": path.name,
                "input": "(N, 32, 32, 1) float32 in [-1, 1]",
                "outputs": {"features": ex.FEATURE_DIM, "classes": ex.NUM_DIGITS},
                "parameters": int(model.count_params()),
                "held_out_accuracy": digit_results["digits 32x32"]["accuracy"],
                "held_out_frame_accuracy": digit_results["moving_digits frames 32x32"]["accuracy"],
                "held_out": digit_results,
                "training": {**info, "seeds": {k: v for k, v in TRAIN_SEEDS.items() if k != "clips"},
                             "held_out_seeds": HELDOUT_SEEDS, "script": "benchmarks/train_evaluators.py",
                             "tensorflow": tf.__version__, "keras": keras.__version__},
            })

    if args.only in (None, "video"):
        if args.check:
            model = ex._load_weights(ex.build_video_classifier(), ex.VIDEO_NAME, out / f"{ex.VIDEO_NAME}.weights.h5")
            info = {}
        else:
            model, info = train_video(args.scale, args.video_epochs, args.seed, args.verbose)
        video_results = evaluate_video(ex.VideoDigitClassifier(model))
        if not args.check:
            path = out / f"{ex.VIDEO_NAME}.weights.h5"
            model.save_weights(str(path))
            write_metadata(out, ex.VIDEO_NAME, {
                "name": "VideoDigitClassifier",
                "weights": path.name,
                "input": "(N, T, 32, 32, 1) float32 in [-1, 1], T >= 4 (trained with T = 8 and 16)",
                "outputs": {"features": ex.FEATURE_DIM, "digit_classes": ex.NUM_DIGITS,
                            "motion_classes": ex.NUM_MOTIONS},
                "parameters": int(model.count_params()),
                "held_out_accuracy": video_results["clips T=16"]["digit_accuracy"],
                "held_out_motion_accuracy": video_results["clips T=16"]["motion_accuracy"],
                "held_out": video_results,
                "training": {**info, "seeds": {"clips": TRAIN_SEEDS["clips"]},
                             "held_out_seeds": HELDOUT_SEEDS, "script": "benchmarks/train_evaluators.py",
                             "tensorflow": tf.__version__, "keras": keras.__version__},
            })

    print_table(digit_results, video_results)
    for name in (ex.DIGIT_NAME, ex.VIDEO_NAME):
        path = out / f"{name}.weights.h5"
        if path.exists():
            print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
