"""Retrain the offline evaluators shipped in ``tfvidgan/weights/``; print their held-out accuracy.

The two small networks of :mod:`tfvidgan.metrics.classifiers`:

* ``DigitClassifier`` (2-D CNN, 10 digits) trained on ``digits`` images and
  single ``moving_digits`` frames, at 32x32 and rendered at 64x64 then resized
  (what the extractors do with larger frames);
* ``VideoDigitClassifier`` (3-D CNN, digit + motion class) trained on
  ``moving_digits`` clips of 16 frames and random 8-frame crops.

All training data is rendered with seeds 1000-1999, all held-out data with
seeds 9000-9999, both far from seed 0 that GAN runs train on. Augmentations
(shifts, zoom, rotation, stroke width, contrast, blur, pixel noise) make the classifiers tolerant of
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

import cv2  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfvidgan import data  # noqa: E402
from tfvidgan.metrics import classifiers  # noqa: E402

TRAIN_SEEDS = {"digits": 1000, "frames": 1001, "frames64": 1002, "digits64": 1003, "clips": 1010}
OUTLIER_FRACTION = 0.25  # extra non-digit examples per real one (soft, uniform-ish labels)
HELDOUT_SEEDS = {
    "digits": 9000,
    "frames": 9001,
    "frames64": 9002,
    "clips16": 9003,
    "clips8": 9004,
    "digits64": 9005,
    "outliers": 9010,
}


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def resize_to_32(x):
    """uint8 (M, H, W, 1) -> uint8 (M, 32, 32, 1), anti-aliased like the extractors."""
    f = classifiers.prepare_images(x)
    return data.to_uint8(f)


def pick_frames(videos, labels, per_clip, rng):
    """``per_clip`` random frames from each clip, with the clip's digit as label."""
    n, t = videos.shape[:2]
    idx = np.stack([rng.choice(t, per_clip, replace=False) for _ in range(n)])
    frames = videos[np.arange(n)[:, None], idx].reshape((-1,) + videos.shape[2:])
    return frames, np.repeat(labels[:, 0], per_clip)


def _soft(labels, num_classes):
    return np.eye(num_classes, dtype=np.float32)[labels]


def _uniform(n, num_classes):
    return np.full((n, num_classes), 1.0 / num_classes, dtype=np.float32)


def _lowfreq_noise(rng, size=32):
    """A blotchy random field (what an untrained generator often draws), uint8."""
    k = int(rng.choice([2, 3, 4, 6, 8]))
    field = cv2.resize(
        rng.normal(size=(k, k)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC
    )
    field = (field - field.min()) / (np.ptp(field) + 1e-6)
    if rng.random() < 0.5:  # hard-edged blobs
        field = (field > rng.uniform(0.4, 0.8)).astype(np.float32)
    return np.round(field * rng.uniform(120, 255)).astype(np.uint8)


def _strokes(rng, size=32):
    img = np.zeros((size, size), np.uint8)
    for _ in range(int(rng.integers(2, 5))):
        p1, p2 = rng.integers(2, size - 2, 2), rng.integers(2, size - 2, 2)
        if rng.random() < 0.5:
            cv2.line(
                img,
                tuple(int(v) for v in p1),
                tuple(int(v) for v in p2),
                255,
                int(rng.integers(1, 4)),
                cv2.LINE_AA,
            )
        else:
            axes = tuple(int(v) for v in rng.integers(3, 10, 2))
            cv2.ellipse(
                img,
                tuple(int(v) for v in p1),
                axes,
                float(rng.uniform(0, 180)),
                0,
                float(rng.uniform(90, 360)),
                255,
                int(rng.integers(1, 4)),
                cv2.LINE_AA,
            )
    return img


def _scramble(img, rng, patch=8):
    """Cut a (H, W) image into patch x patch tiles and shuffle them: strokes, but no digit."""
    h, w = img.shape
    tiles = (
        img.reshape(h // patch, patch, w // patch, patch).swapaxes(1, 2).reshape(-1, patch, patch)
    )
    tiles = tiles[rng.permutation(len(tiles))]
    return tiles.reshape(h // patch, w // patch, patch, patch).swapaxes(1, 2).reshape(h, w)


def outlier_images(n, rng, digits, digit_labels):
    """``n`` images that are not one clear digit, with soft labels (N, 10).

    Noise, flat grey, blotchy fields, random strokes and shuffled digit tiles
    get the uniform distribution; two different digits on top of each other
    get half of each. Trained on, they keep the classifier from being
    confident about garbage (so "recognisable" means something on GAN samples).
    """
    images = np.zeros((n, 32, 32), np.uint8)
    labels = _uniform(n, 10)
    for i in range(n):
        kind = rng.integers(6)
        if kind == 0:
            images[i] = rng.integers(0, int(rng.integers(40, 256)), (32, 32))
        elif kind == 1:
            images[i] = np.clip(rng.uniform(0, 255) + rng.normal(0, 8, (32, 32)), 0, 255)
        elif kind == 2:
            images[i] = _lowfreq_noise(rng)
        elif kind == 3:
            images[i] = _strokes(rng)
        elif kind == 4:
            images[i] = _scramble(digits[rng.integers(len(digits)), ..., 0], rng)
        else:
            a, b = rng.integers(len(digits), size=2)
            while digit_labels[a] == digit_labels[b]:
                b = rng.integers(len(digits))
            images[i] = np.maximum(digits[a, ..., 0], digits[b, ..., 0])
            labels[i] = 0.0
            labels[i, digit_labels[a]] = labels[i, digit_labels[b]] = 0.5
    return images[..., None], labels


def outlier_clips(n, rng, clips, clip_labels):
    """``n`` clips that are not one digit moving along one line, with soft labels.

    Returns ``(videos, digit (N, 10), motion (N, 4))``: noise and blotchy
    clips (uniform digit and motion), frozen clips (a still frame: digit kept,
    motion uniform) and clips whose digit changes half-way (half of each
    digit, motion uniform).
    """
    t = clips.shape[1]
    videos = np.zeros((n,) + clips.shape[1:], np.uint8)
    digit, motion = _uniform(n, 10), _uniform(n, 4)
    for i in range(n):
        kind = rng.integers(4)
        if kind == 0:
            videos[i] = rng.integers(0, int(rng.integers(40, 256)), clips.shape[1:])
        elif kind == 1:
            shift = rng.integers(-2, 3, 2)
            field = _lowfreq_noise(rng, 48)
            for f in range(t):
                videos[i, f, ..., 0] = np.roll(field, tuple(int(v) * f for v in shift), (0, 1))[
                    8:40, 8:40
                ]
        elif kind == 2:
            j = rng.integers(len(clips))
            videos[i] = clips[j, rng.integers(t)][None]
            digit[i] = _soft(clip_labels[j, 0], 10)
        else:
            a, b = rng.integers(len(clips), size=2)
            while clip_labels[a, 0] == clip_labels[b, 0]:
                b = rng.integers(len(clips))
            cut = int(rng.integers(t // 4, 3 * t // 4 + 1))
            videos[i, :cut], videos[i, cut:] = clips[a, :cut], clips[b, cut:]
            digit[i] = 0.0
            digit[i, clip_labels[a, 0]] = digit[i, clip_labels[b, 0]] = 0.5
    return videos, digit, motion


def digit_training_set(scale, rng):
    parts = []
    x, y = data.load_arrays("digits", int(12000 * scale), seed=TRAIN_SEEDS["digits"])
    parts.append((x, y))
    x, y = data.load_arrays(
        "digits", int(1500 * scale), image_size=64, seed=TRAIN_SEEDS["digits64"]
    )
    parts.append((resize_to_32(x), y))
    v, y = data.load_arrays(
        "moving_digits", int(1500 * scale), num_frames=16, seed=TRAIN_SEEDS["frames"]
    )
    parts.append(pick_frames(v, y, 4, rng))
    v, y = data.load_arrays(
        "moving_digits", int(400 * scale), image_size=64, num_frames=8, seed=TRAIN_SEEDS["frames64"]
    )
    f, y = pick_frames(v, y, 4, rng)
    parts.append((resize_to_32(f), y))
    x = np.concatenate([p[0] for p in parts])
    y = _soft(np.concatenate([p[1] for p in parts]), 10)
    ox, oy = outlier_images(int(OUTLIER_FRACTION * len(x)), rng, parts[0][0], parts[0][1])
    return np.concatenate([x, ox]), np.concatenate([y, oy])


def digit_heldout_sets():
    sets = {}
    x, y = data.load_arrays("digits", 2000, seed=HELDOUT_SEEDS["digits"])
    sets["digits 32x32"] = (x, y)
    x, y = data.load_arrays("digits", 500, image_size=64, seed=HELDOUT_SEEDS["digits64"])
    sets["digits 64x64 (resized)"] = (x, y)
    v, y = data.load_arrays("moving_digits", 200, num_frames=16, seed=HELDOUT_SEEDS["frames"])
    sets["moving_digits frames 32x32"] = (v.reshape((-1, 32, 32, 1)), np.repeat(y[:, 0], 16))
    v, y = data.load_arrays(
        "moving_digits", 60, image_size=64, num_frames=16, seed=HELDOUT_SEEDS["frames64"]
    )
    sets["moving_digits frames 64x64 (resized)"] = (
        v.reshape((-1, 64, 64, 1)),
        np.repeat(y[:, 0], 16),
    )
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


def _stroke_width(u, per_sample_shape):
    """Thicker (dilated) or thinner (eroded) strokes for some images: GAN digits are often bold."""
    shape = tf.shape(u)
    flat = tf.reshape(u, [-1, shape[-3], shape[-2], 1])
    thick3 = tf.reshape(tf.nn.max_pool2d(flat, 3, 1, "SAME"), shape)
    thick2 = tf.reshape(tf.nn.max_pool2d(flat, 2, 1, "SAME"), shape)
    thin2 = tf.reshape(-tf.nn.max_pool2d(-flat, 2, 1, "SAME"), shape)
    r = tf.random.uniform(per_sample_shape)
    return tf.where(r < 0.2, thick3, tf.where(r < 0.4, thick2, tf.where(r < 0.5, thin2, u)))


def make_image_augmenter():
    shift = keras.layers.RandomTranslation(0.12, 0.12, fill_mode="constant", fill_value=0.0)
    zoom = keras.layers.RandomZoom((-0.15, 0.15), fill_mode="constant", fill_value=0.0)
    rotate = keras.layers.RandomRotation(0.04, fill_mode="constant", fill_value=0.0)  # +-15 degrees

    def augment(x, y):
        u = tf.cast(x, tf.float32) / 255.0
        u = rotate(zoom(shift(u, training=True), training=True), training=True)
        b = tf.shape(u)[0]
        u = _stroke_width(u, [b, 1, 1, 1])
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
    u = tf.cond(crop, lambda: u[:, start : start + 8], lambda: u)
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
    print(
        f"digit classifier: {len(x)} training images (with {OUTLIER_FRACTION:.0%} outliers)",
        flush=True,
    )
    model = classifiers.build_digit_classifier()
    trainer = keras.Model(model.input, model.outputs[1])
    batch = 128
    steps = epochs * (len(x) // batch)
    trainer.compile(
        _optimizer(steps, 3e-3),
        keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["categorical_accuracy"],
    )
    ds = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=seed)
        .repeat()
        .batch(batch, drop_remainder=True)
        .map(make_image_augmenter(), num_parallel_calls=2)
        .prefetch(2)
    )
    start = time.monotonic()
    trainer.fit(ds, epochs=epochs, steps_per_epoch=len(x) // batch, verbose=verbose)
    return model, {
        "examples": int(len(x)),
        "epochs": epochs,
        "batch_size": batch,
        "seconds": round(time.monotonic() - start, 1),
    }


def train_video(scale, epochs, seed, verbose):
    v, y = data.load_arrays(
        "moving_digits", int(5000 * scale), num_frames=16, seed=TRAIN_SEEDS["clips"]
    )
    ov, od, om = outlier_clips(
        int(OUTLIER_FRACTION * len(v)), np.random.default_rng(seed + 1), v, y
    )
    labels = {
        "digit": np.concatenate([_soft(y[:, 0], 10), od]),
        "motion": np.concatenate([_soft(y[:, 1], 4), om]),
    }
    v = np.concatenate([v, ov])
    print(f"video classifier: {len(v)} training clips ({len(ov)} outliers)", flush=True)
    model = classifiers.build_video_classifier()
    trainer = keras.Model(model.input, {"digit": model.outputs[1], "motion": model.outputs[2]})
    batch = 32
    steps = epochs * (len(v) // batch)
    loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    trainer.compile(
        _optimizer(steps, 3e-3),
        loss={"digit": loss, "motion": loss},
        metrics={"digit": ["categorical_accuracy"], "motion": ["categorical_accuracy"]},
    )
    ds = (
        tf.data.Dataset.from_tensor_slices((v, labels))
        .shuffle(len(v), seed=seed)
        .repeat()
        .batch(batch, drop_remainder=True)
        .map(augment_videos, num_parallel_calls=2)
        .prefetch(2)
    )
    start = time.monotonic()
    trainer.fit(ds, epochs=epochs, steps_per_epoch=len(v) // batch, verbose=verbose)
    return model, {
        "examples": int(len(v)),
        "epochs": epochs,
        "batch_size": batch,
        "seconds": round(time.monotonic() - start, 1),
    }


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
        results[name] = {
            "n": int(len(y)),
            "accuracy": float(np.mean(probs.argmax(1) == y)),
            "confident_fraction": float(np.mean(probs.max(1) >= 0.9)),
        }
    x, y = digit_heldout_sets()["digits 32x32"]
    probs = clf.probs(noisy(x))
    results["digits 32x32, blurred + noisy"] = {
        "n": int(len(y)),
        "accuracy": float(np.mean(probs.argmax(1) == y)),
        "confident_fraction": float(np.mean(probs.max(1) >= 0.9)),
    }
    bold = tf.nn.max_pool2d(tf.constant(x, tf.float32), 3, 1, "SAME").numpy().astype(np.uint8)
    probs = clf.probs(bold)
    results["digits 32x32, bold (strokes dilated 1 px)"] = {
        "n": int(len(y)),
        "accuracy": float(np.mean(probs.argmax(1) == y)),
        "confident_fraction": float(np.mean(probs.max(1) >= 0.9)),
    }
    ox, _ = outlier_images(1000, np.random.default_rng(HELDOUT_SEEDS["outliers"]), x, y)
    results["non-digits (noise, blobs, strokes, tiles, two digits)"] = {
        "n": 1000,
        "accuracy": None,
        "confident_fraction": float(np.mean(clf.probs(ox).max(1) >= 0.9)),
    }
    return results


def evaluate_video(clf):
    results = {}
    sets = video_heldout_sets()
    sets["clips T=16, blurred + noisy"] = (noisy(sets["clips T=16"][0]), sets["clips T=16"][1])
    for name, (v, y) in sets.items():
        probs = clf.probs(v)
        results[name] = {
            "n": int(len(y)),
            "digit_accuracy": float(np.mean(probs["digit"].argmax(1) == y[:, 0])),
            "motion_accuracy": float(np.mean(probs["motion"].argmax(1) == y[:, 1])),
            "confident_fraction": float(np.mean(probs["digit"].max(1) >= 0.9)),
        }
    v, y = sets["clips T=16"]
    ov, _, _ = outlier_clips(300, np.random.default_rng(HELDOUT_SEEDS["outliers"]), v, y)
    p = clf.probs(ov)
    results["outlier clips (noise, frozen, digit switch)"] = {
        "n": 300,
        "digit_accuracy": None,
        "motion_accuracy": None,
        "confident_fraction": float(np.mean(p["digit"].max(1) >= 0.9)),
        "motion_confident_fraction": float(np.mean(p["motion"].max(1) >= 0.9)),
    }
    return results


def _pct(value):
    return "-" if value is None else f"{value:.2%}"


def print_table(digit_results, video_results):
    print("\n| evaluator | held-out set | n | digit acc. | motion acc. | digit p >= 0.9 |")
    print("|---|---|---|---|---|---|")
    for name, r in digit_results.items():
        print(
            f"| DigitClassifier | {name} | {r['n']} | {_pct(r['accuracy'])} | - | "
            f"{_pct(r.get('confident_fraction'))} |"
        )
    for name, r in video_results.items():
        print(
            f"| VideoDigitClassifier | {name} | {r['n']} | {_pct(r['digit_accuracy'])} | "
            f"{_pct(r['motion_accuracy'])} | {_pct(r.get('confident_fraction'))} |"
        )


def write_metadata(out, name, model_meta):
    path = out / f"{name}.json"
    path.write_text(json.dumps(model_meta, indent=2) + "\n")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out",
        default=str(classifiers.WEIGHTS_DIR),
        help="folder for the weights (default: the package's)",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the training data to render"
    )
    parser.add_argument("--digit-epochs", type=int, default=5)
    parser.add_argument("--video-epochs", type=int, default=6)
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
            model = classifiers._load_weights(
                classifiers.build_digit_classifier(),
                classifiers.DIGIT_NAME,
                out / f"{classifiers.DIGIT_NAME}.weights.h5",
            )
            info = json.loads((out / f"{classifiers.DIGIT_NAME}.json").read_text()).get(
                "training", {}
            )
        else:
            model, info = train_digit(args.scale, args.digit_epochs, args.seed, args.verbose)
        digit_results = evaluate_digit(classifiers.DigitClassifier(model))
        if not args.check:
            path = out / f"{classifiers.DIGIT_NAME}.weights.h5"
            model.save_weights(str(path))
            write_metadata(
                out,
                classifiers.DIGIT_NAME,
                {
                    "name": "DigitClassifier",
                    "weights": path.name,
                    "input": "(N, 32, 32, 1) float32 in [-1, 1]",
                    "outputs": {
                        "features": classifiers.FEATURE_DIM,
                        "classes": classifiers.NUM_DIGITS,
                    },
                    "parameters": int(model.count_params()),
                    "held_out_accuracy": digit_results["digits 32x32"]["accuracy"],
                    "held_out_frame_accuracy": digit_results["moving_digits frames 32x32"][
                        "accuracy"
                    ],
                    "held_out": digit_results,
                    "training": {
                        **info,
                        "seeds": {k: v for k, v in TRAIN_SEEDS.items() if k != "clips"},
                        "held_out_seeds": HELDOUT_SEEDS,
                        "script": "benchmarks/train_evaluators.py",
                        "tensorflow": tf.__version__,
                        "keras": keras.__version__,
                    },
                },
            )

    if args.only in (None, "video"):
        if args.check:
            model = classifiers._load_weights(
                classifiers.build_video_classifier(),
                classifiers.VIDEO_NAME,
                out / f"{classifiers.VIDEO_NAME}.weights.h5",
            )
            info = {}
        else:
            model, info = train_video(args.scale, args.video_epochs, args.seed, args.verbose)
        video_results = evaluate_video(classifiers.VideoDigitClassifier(model))
        if not args.check:
            path = out / f"{classifiers.VIDEO_NAME}.weights.h5"
            model.save_weights(str(path))
            write_metadata(
                out,
                classifiers.VIDEO_NAME,
                {
                    "name": "VideoDigitClassifier",
                    "weights": path.name,
                    "input": (
                        "(N, T, 32, 32, 1) float32 in [-1, 1], T >= 4 (trained with T = 8 and 16)"
                    ),
                    "outputs": {
                        "features": classifiers.FEATURE_DIM,
                        "digit_classes": classifiers.NUM_DIGITS,
                        "motion_classes": classifiers.NUM_MOTIONS,
                    },
                    "parameters": int(model.count_params()),
                    "held_out_accuracy": video_results["clips T=16"]["digit_accuracy"],
                    "held_out_motion_accuracy": video_results["clips T=16"]["motion_accuracy"],
                    "held_out": video_results,
                    "training": {
                        **info,
                        "seeds": {"clips": TRAIN_SEEDS["clips"]},
                        "held_out_seeds": HELDOUT_SEEDS,
                        "script": "benchmarks/train_evaluators.py",
                        "tensorflow": tf.__version__,
                        "keras": keras.__version__,
                    },
                },
            )

    print_table(digit_results, video_results)
    for name in (classifiers.DIGIT_NAME, classifiers.VIDEO_NAME):
        path = out / f"{name}.weights.h5"
        if path.exists():
            print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
