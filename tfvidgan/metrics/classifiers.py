"""The two offline classifiers shipped with tfvidgan: digit features and class probabilities.

Frechet and kernel distances (:mod:`tfvidgan.metrics.distances`) compare
*features*; which network makes them decides what the numbers mean. These two
small classifiers were trained on this course's procedural datasets
(``benchmarks/train_evaluators.py`` retrains them; the weights and a JSON file with
their held-out accuracy live in ``tfvidgan/weights/``), so they work offline:

* :class:`DigitClassifier` -- a 2-D CNN on 32x32x1 digits (``digits`` images and
  single ``moving_digits`` frames) with 10 classes. Its 64-D penultimate layer gives
  the features of an "FID" for digits; it also reads the digit in every frame of a
  clip (:func:`frame_digit_probs`).
* :class:`VideoDigitClassifier` -- a 3-D CNN on moving-digit clips ``(T, 32, 32, 1)``
  (trained with T = 8 and 16; any T >= 4 works, time is pooled globally) with two
  heads: the digit (10 classes) and the motion class (4 classes, see
  :mod:`tfvidgan.data.synthetic`). Its 64-D penultimate layer gives the features of
  an "FVD" for moving digits.

The functions :func:`image_features`, :func:`image_probs`, :func:`video_features`,
:func:`frame_digit_probs` and :func:`video_probs` load them once (cached) and accept
uint8 pixels in [0, 255] or floats in [-1, 1]; frames of another size are resized to
32x32 with ``tf.image.resize`` (bilinear, anti-aliased). A wrong channel count raises
``ValueError``.

These numbers are only comparable with other numbers from the *same* extractor: a
"digit FID" is not an Inception FID (for that, see :mod:`tfvidgan.metrics.pretrained`).
"""

from __future__ import annotations

import contextlib
import functools
import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

__all__ = [
    "DigitClassifier",
    "VideoDigitClassifier",
    "build_digit_classifier",
    "build_video_classifier",
    "load_digit_classifier",
    "load_video_classifier",
    "prepare_images",
    "prepare_videos",
    "image_features",
    "image_probs",
    "video_features",
    "frame_digit_probs",
    "video_probs",
    "clear_caches",
    "WEIGHTS_DIR",
]

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
IMAGE_SIZE = 32  # the offline classifiers see 32x32 frames
FEATURE_DIM = 64
NUM_DIGITS = 10
NUM_MOTIONS = 4
MIN_VIDEO_FRAMES = 4

DIGIT_NAME = "digit_classifier"
VIDEO_NAME = "video_digit_classifier"


# ---------------------------------------------------------------------------
# Input handling (also used by tfvidgan.metrics.pretrained)
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _float32_policy():
    """Build networks in float32 whatever the global (maybe mixed) policy is."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _to_unit_range(x, name):
    """uint8 [0, 255] -> float32 [-1, 1]; floats are taken to be in [-1, 1] already."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise ValueError(
            f"{name} must be uint8 in [0, 255] or float in [-1, 1], got dtype {x.dtype}"
        )
    x = x.astype(np.float32)
    if x.size and not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contain NaN or inf values")
    return x


def _resize_frames(frames, size, antialias=True, batch=512):
    """``(M, H, W, C)`` float32 -> ``(M, size, size, C)`` (bilinear), in chunks."""
    if frames.shape[1] == size and frames.shape[2] == size:
        return frames
    out = np.empty((frames.shape[0], size, size, frames.shape[3]), dtype=np.float32)
    for start in range(0, frames.shape[0], batch):
        chunk = tf.constant(frames[start : start + batch])
        out[start : start + batch] = tf.image.resize(
            chunk, (size, size), method="bilinear", antialias=antialias
        ).numpy()
    return out


def prepare_images(images, size=IMAGE_SIZE, channels=1):
    """Validate images ``(N, H, W, C)`` -> float32 ``(N, size, size, C)`` in [-1, 1]."""
    shape = np.shape(images)
    if len(shape) != 4:
        raise ValueError(
            f"images must have shape (N, H, W, {channels}), got shape {tuple(shape)}"
            + (" (add the channel axis with x[..., None])" if len(shape) == 3 else "")
        )
    if shape[-1] != channels:
        raise ValueError(
            f"images must have {channels} channel(s) (shape (N, H, W, {channels})), got "
            f"{shape[-1]} channels in shape {tuple(shape)}; the offline digit classifier "
            "reads grey digits (convert RGB with x.mean(-1, keepdims=True))"
        )
    if shape[0] < 1:
        raise ValueError("images is empty (N=0)")
    x = _to_unit_range(images, "images")
    return _resize_frames(x, size)


def prepare_videos(videos, size=IMAGE_SIZE, channels=1, min_frames=MIN_VIDEO_FRAMES):
    """Validate videos ``(N, T, H, W, C)`` -> float32 ``(N, T, size, size, C)`` in [-1, 1]."""
    shape = np.shape(videos)
    if len(shape) != 5:
        raise ValueError(
            f"videos must have shape (N, T, H, W, {channels}), got shape {tuple(shape)}"
            + (" (a single clip? add a batch axis with x[None])" if len(shape) == 4 else "")
        )
    if shape[-1] != channels:
        raise ValueError(
            f"videos must have {channels} channel(s) (shape (N, T, H, W, {channels})), got "
            f"{shape[-1]} channels in shape {tuple(shape)}"
        )
    if shape[0] < 1:
        raise ValueError("videos is empty (N=0)")
    if shape[1] < min_frames:
        raise ValueError(f"videos need T >= {min_frames} frames, got T={shape[1]}")
    x = _to_unit_range(videos, "videos")
    n, t = shape[:2]
    frames = _resize_frames(x.reshape((n * t,) + tuple(shape[2:])), size)
    return frames.reshape((n, t, size, size, channels))


def _inference_fn(model):
    """``x -> model(x, training=False)`` compiled once (no AutoGraph: nothing to convert)."""

    def forward(x):
        return model(x, training=False)

    return tf.function(forward, autograph=False, reduce_retracing=True)


def _run_batched(fn, x, batch_size):
    """Apply ``fn`` (returns a tuple of tensors) to ``x`` in batches; concatenate each output."""
    outputs = None
    for start in range(0, x.shape[0], batch_size):
        result = fn(tf.constant(x[start : start + batch_size]))
        result = [
            np.asarray(r) for r in (result if isinstance(result, (list, tuple)) else [result])
        ]
        if outputs is None:
            outputs = [[] for _ in result]
        for store, r in zip(outputs, result):
            store.append(r)
    return [np.concatenate(store, axis=0) for store in outputs]


# ---------------------------------------------------------------------------
# The offline classifiers
# ---------------------------------------------------------------------------


def build_digit_classifier() -> keras.Model:
    """The 2-D CNN of :class:`DigitClassifier` (untrained).

    32x32x1 -> three conv stages (16, 32, 64 filters, each followed by 2x2
    max-pooling) -> conv 64 -> global average pooling -> dense 64 ("features",
    ReLU) -> dense 10 ("logits"). About 70 k parameters. Outputs
    ``[features (B, 64), logits (B, 10)]``.
    """
    with _float32_policy():
        inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1), name="image")
        x = inputs
        for i, filters in enumerate((16, 32, 64)):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
            x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
            x = keras.layers.ReLU(name=f"relu{i}")(x)
            x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
        x = keras.layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3")(x)
        x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
        features = keras.layers.Dense(FEATURE_DIM, activation="relu", name="features")(x)
        logits = keras.layers.Dense(NUM_DIGITS, name="logits")(features)
        return keras.Model(inputs, [features, logits], name=DIGIT_NAME)


def build_video_classifier() -> keras.Model:
    """The 3-D CNN of :class:`VideoDigitClassifier` (untrained).

    ``(T, 32, 32, 1)`` with any T >= 4 -> two per-frame conv stages
    (kernels 1x3x3, 16 and 24 filters) -> 3-D convs (3x3x3, 32 and 48 filters)
    with max-pooling over time and space -> global average pooling over
    (T, H, W) -> dense 64 ("features", ReLU) -> two heads: ``digit_logits``
    (10) and ``motion_logits`` (4). About 75 k parameters.
    Outputs ``[features (B, 64), digit_logits (B, 10), motion_logits (B, 4)]``.
    """
    with _float32_policy():
        inputs = keras.Input((None, IMAGE_SIZE, IMAGE_SIZE, 1), name="video")
        x = inputs
        stages = [  # (filters, kernel, pool after)
            (16, (1, 3, 3), (1, 2, 2)),
            (24, (1, 3, 3), (2, 2, 2)),
            (32, (3, 3, 3), (2, 2, 2)),
            (48, (3, 3, 3), None),
        ]
        for i, (filters, kernel, pool) in enumerate(stages):
            x = keras.layers.Conv3D(
                filters, kernel, padding="same", use_bias=False, name=f"conv{i}"
            )(x)
            x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
            x = keras.layers.ReLU(name=f"relu{i}")(x)
            if pool is not None:
                x = keras.layers.MaxPooling3D(pool, padding="same", name=f"pool{i}")(x)
        x = keras.layers.GlobalAveragePooling3D(name="gap")(x)
        features = keras.layers.Dense(FEATURE_DIM, activation="relu", name="features")(x)
        digit = keras.layers.Dense(NUM_DIGITS, name="digit_logits")(features)
        motion = keras.layers.Dense(NUM_MOTIONS, name="motion_logits")(features)
        return keras.Model(inputs, [features, digit, motion], name=VIDEO_NAME)


def _read_metadata(name):
    path = WEIGHTS_DIR / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def _load_weights(model, name, weights_path=None):
    path = Path(weights_path) if weights_path is not None else WEIGHTS_DIR / f"{name}.weights.h5"
    if not path.exists():
        raise FileNotFoundError(
            f"the weights of the offline evaluator {name!r} are missing ({path}); "
            "reinstall tfvidgan or retrain them with `python benchmarks/train_evaluators.py`"
        )
    model.load_weights(str(path))
    return model


class DigitClassifier:
    """Offline digit classifier for 32x32 grey images (and single video frames).

    Use :func:`load_digit_classifier` to get the shipped, trained one.
    ``metadata`` holds the JSON shipped next to the weights (held-out
    accuracy, training data, ...).
    """

    feature_dim = FEATURE_DIM
    num_classes = NUM_DIGITS

    def __init__(self, model: keras.Model, metadata: dict | None = None):
        self.model = model
        self.metadata = dict(metadata or {})
        self._fn = _inference_fn(model)

    def predict(self, images, batch_size=512):
        """``images (N, H, W, 1)`` -> ``(features (N, 64), probs (N, 10))`` as NumPy float32."""
        x = prepare_images(images)
        features, logits = _run_batched(self._fn, x, batch_size)
        return features, tf.nn.softmax(logits).numpy()

    def features(self, images, batch_size=512):
        """``images (N, H, W, 1)`` -> 64-D features ``(N, 64)``."""
        return self.predict(images, batch_size)[0]

    def probs(self, images, batch_size=512):
        """``images (N, H, W, 1)`` -> digit probabilities ``(N, 10)``."""
        return self.predict(images, batch_size)[1]


class VideoDigitClassifier:
    """Offline classifier of moving-digit clips: digit (10) and motion class (4).

    Use :func:`load_video_classifier` to get the shipped, trained one.
    """

    feature_dim = FEATURE_DIM
    num_classes = NUM_DIGITS
    num_motions = NUM_MOTIONS

    def __init__(self, model: keras.Model, metadata: dict | None = None):
        self.model = model
        self.metadata = dict(metadata or {})
        self._fn = _inference_fn(model)

    def predict(self, videos, batch_size=64):
        """``videos (N, T, H, W, 1)`` -> dict of NumPy arrays ``features (N, 64)``,
        ``digit (N, 10)`` and ``motion (N, 4)`` (probabilities)."""
        x = prepare_videos(videos)
        features, digit, motion = _run_batched(self._fn, x, batch_size)
        return {
            "features": features,
            "digit": tf.nn.softmax(digit).numpy(),
            "motion": tf.nn.softmax(motion).numpy(),
        }

    def features(self, videos, batch_size=64):
        """``videos (N, T, H, W, 1)`` -> 64-D features ``(N, 64)``."""
        return self.predict(videos, batch_size)["features"]

    def probs(self, videos, batch_size=64):
        """``videos (N, T, H, W, 1)`` -> ``dict(digit=(N, 10), motion=(N, 4))`` probabilities."""
        out = self.predict(videos, batch_size)
        return {"digit": out["digit"], "motion": out["motion"]}


@functools.cache
def load_digit_classifier() -> DigitClassifier:
    """The shipped :class:`DigitClassifier` (built and loaded once, then cached)."""
    model = _load_weights(build_digit_classifier(), DIGIT_NAME)
    return DigitClassifier(model, _read_metadata(DIGIT_NAME))


@functools.cache
def load_video_classifier() -> VideoDigitClassifier:
    """The shipped :class:`VideoDigitClassifier` (built and loaded once, then cached)."""
    model = _load_weights(build_video_classifier(), VIDEO_NAME)
    return VideoDigitClassifier(model, _read_metadata(VIDEO_NAME))


def image_features(images, batch_size=512) -> np.ndarray:
    """64-D :class:`DigitClassifier` features of ``images (N, H, W, 1)`` -> ``(N, 64)``.

    Use with :func:`~tfvidgan.metrics.distances.frechet_distance_from_features`
    (a "digit FID") and :func:`~tfvidgan.metrics.distances.kernel_distance`.
    """
    return load_digit_classifier().features(images, batch_size)


def image_probs(images, batch_size=512) -> np.ndarray:
    """Digit probabilities ``(N, 10)`` of ``images (N, H, W, 1)``."""
    return load_digit_classifier().probs(images, batch_size)


def frame_digit_probs(videos, batch_size=512) -> np.ndarray:
    """Digit probabilities of every frame: ``videos (N, T, H, W, 1)`` -> ``(N, T, 10)``."""
    shape = np.shape(videos)
    if len(shape) != 5:
        raise ValueError(f"videos must have shape (N, T, H, W, 1), got shape {tuple(shape)}")
    frames = np.reshape(videos, (shape[0] * shape[1],) + tuple(shape[2:]))
    probs = load_digit_classifier().probs(frames, batch_size)
    return probs.reshape(shape[0], shape[1], NUM_DIGITS)


def video_features(videos, batch_size=64) -> np.ndarray:
    """64-D :class:`VideoDigitClassifier` features of ``videos (N, T, H, W, 1)`` -> ``(N, 64)``.

    Use with :func:`~tfvidgan.metrics.distances.frechet_distance_from_features`
    (a "moving-digit FVD") and :func:`~tfvidgan.metrics.distances.kernel_distance`.
    """
    return load_video_classifier().features(videos, batch_size)


def video_probs(videos, batch_size=64) -> dict:
    """``dict(digit=(N, 10), motion=(N, 4))`` class probabilities of moving-digit clips."""
    return load_video_classifier().probs(videos, batch_size)


def clear_caches():
    """Forget the two classifiers loaded in memory (the next call loads them again)."""
    load_digit_classifier.cache_clear()
    load_video_classifier.cache_clear()
