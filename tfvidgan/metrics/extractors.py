"""Feature extractors for FID / FVD / KID: small offline classifiers and the standard networks.

Frechet and kernel distances (:mod:`tfvidgan.metrics.distances`) compare
*features*. Which network makes them decides what the numbers mean.

Offline extractors (shipped with the package, no network needed)
----------------------------------------------------------------
Two small classifiers trained on this course's procedural datasets
(``benchmarks/train_evaluators.py`` retrains them; the weights and a JSON file
with their held-out accuracy live in ``tfvidgan/weights/``):

* :class:`DigitClassifier` -- a 2-D CNN on 32x32x1 digits (``digits`` images
  and single ``moving_digits`` frames) with 10 classes. Its 64-D penultimate
  layer gives the features of an "FID" for digits; it also reads the digit in
  every frame of a clip (:func:`frame_digit_probs`).
* :class:`VideoDigitClassifier` -- a 3-D CNN on moving-digit clips
  ``(T, 32, 32, 1)`` (trained with T = 8 and 16; any T >= 4 works, time is
  pooled globally) with two heads: the digit (10 classes) and the motion class
  (4 classes, see :mod:`tfvidgan.data.synthetic`). Its 64-D penultimate layer
  gives the features of an "FVD" for moving digits.

The functions :func:`image_features`, :func:`image_probs`,
:func:`video_features`, :func:`frame_digit_probs` and :func:`video_probs`
load them once (cached) and accept uint8 pixels in [0, 255] or floats in
[-1, 1]; frames of another size are resized to 32x32 with
``tf.image.resize`` (bilinear, anti-aliased). A wrong channel count raises
``ValueError``.

These numbers are only comparable with other numbers from the *same*
extractor: a "digit FID" is not an Inception FID.

Standard extractors (need the network once, then a cache)
---------------------------------------------------------
* :func:`inception_v3_features` / :func:`inception_probs` -- Inception-v3
  (ImageNet weights of ``keras.applications``), the network of FID and IS.
* :func:`i3d_features` -- DeepMind's I3D trained on Kinetics-400 (TF-Hub),
  the network of FVD.

Their weights are downloaded on first use with a timeout and cached; offline
they fail fast with a message saying where to copy the file. Environment
variables: ``TFVIDGAN_CACHE`` (cache folder, default ``~/.cache/tfvidgan``),
``TFVIDGAN_I3D_URL`` and ``TFVIDGAN_INCEPTION_URL`` (download addresses),
``KERAS_HOME`` (where Keras keeps its weights, default ``~/.keras``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import threading
import urllib.request
import warnings
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
    "image_features",
    "image_probs",
    "video_features",
    "frame_digit_probs",
    "video_probs",
    "inception_v3_features",
    "inception_probs",
    "load_inception",
    "use_inception",
    "i3d_features",
    "load_i3d",
    "cache_dir",
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
# Input handling
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
        return self.predict(images, batch_size)[0]

    def probs(self, images, batch_size=512):
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
        return self.predict(videos, batch_size)["features"]

    def probs(self, videos, batch_size=64):
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


# ---------------------------------------------------------------------------
# Downloads that never hang
# ---------------------------------------------------------------------------

DEFAULT_TIMEOUT = 30.0  # seconds to connect, and for any read to make progress


def cache_dir() -> Path:
    """Where downloaded networks are kept: ``$TFVIDGAN_CACHE`` or ``~/.cache/tfvidgan``."""
    return Path(
        os.environ.get("TFVIDGAN_CACHE") or Path.home() / ".cache" / "tfvidgan"
    ).expanduser()


def _offline_message(what, url, dest, reason, hint=""):
    return (
        f"could not download {what} from {url} ({reason}). Without network access: download "
        f"{url} on a machine with network and copy it to {dest}{' ' + hint if hint else ''}; or use the offline "
        "extractors that ship with tfvidgan (tfvidgan.metrics.extractors.image_features / "
        "video_features, used by `tfvidgan eval`)."
    )


def _urlopen(url, timeout):
    """``urlopen`` with a hard deadline, name resolution included (runs in a helper thread)."""
    box = {}

    def target():
        try:
            box["response"] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True, name="tfvidgan-download")
    thread.start()
    thread.join(timeout + 1.0)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["response"]


def download(url, dest, *, what="a file", timeout=DEFAULT_TIMEOUT, md5=None, hint="") -> Path:
    """Download ``url`` to ``dest`` safely; return ``dest``.

    The bytes go to a temporary file next to ``dest`` that is renamed only once
    the download is complete (Content-Length reached, optional MD5 checked), so
    an interrupted download never leaves a file that looks cached. Each network
    step has a ``timeout``. Raises ``ConnectionError`` (an ``OSError``) with a
    message naming the URL, the destination and what to do offline.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            response = _urlopen(url, timeout)
            with response:
                expected = response.headers.get("Content-Length")
                expected = int(expected) if expected and expected.isdigit() else None
                hasher = hashlib.md5(usedforsecurity=False) if md5 else None
                received = 0
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
        if expected is not None and received != expected:
            raise ConnectionError(f"incomplete download: got {received} of {expected} bytes")
        if received == 0:
            raise ConnectionError("the server sent an empty file")
        if hasher is not None and hasher.hexdigest() != md5:
            raise ConnectionError(f"corrupted download: MD5 {hasher.hexdigest()} != expected {md5}")
        os.replace(tmp, dest)
        return dest
    except Exception as err:  # noqa: BLE001 - every failure gets the same clear message
        tmp.unlink(missing_ok=True)
        reason = getattr(err, "reason", None) or err
        raise ConnectionError(
            _offline_message(what, url, dest, f"{type(err).__name__}: {reason}", hint)
        ) from err
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Inception-v3 (FID, IS)
# ---------------------------------------------------------------------------

INCEPTION_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
)
INCEPTION_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
INCEPTION_MD5 = "9a0d58056eeedaa3f26cb7ebd46da564"  # as listed by keras.applications
INCEPTION_SIZE = 299

_INCEPTION = {}
_I3D = {}


def _keras_home() -> Path:
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser()
    from keras.src.backend import config as keras_config

    return Path(keras_config.keras_home()).expanduser()


def inception_weights_path(timeout=DEFAULT_TIMEOUT) -> Path:
    """Path of the ImageNet Inception-v3 weights, downloading them if needed.

    Looks in Keras's cache (``$KERAS_HOME/models``, default ``~/.keras/models``,
    where ``keras.applications.InceptionV3(weights="imagenet")`` keeps them)
    and in :func:`cache_dir`; otherwise downloads ``$TFVIDGAN_INCEPTION_URL``
    (default: the Keras applications URL) into Keras's cache, checking the MD5
    Keras lists for the file.
    """
    keras_copy = _keras_home() / "models" / INCEPTION_FILE
    for candidate in (keras_copy, cache_dir() / INCEPTION_FILE):
        if candidate.is_file():
            return candidate
    url = os.environ.get("TFVIDGAN_INCEPTION_URL", INCEPTION_URL)
    md5 = INCEPTION_MD5 if url == INCEPTION_URL else None
    return download(
        url, keras_copy, what="the Inception-v3 ImageNet weights", timeout=timeout, md5=md5
    )


def load_inception(timeout=DEFAULT_TIMEOUT) -> keras.Model:
    """Inception-v3 with ImageNet weights, as a model ``x -> [pool3 (B, 2048), probs (B, 1000)]``.

    Cached after the first call. Needs the weights (about 92 MB) in a cache or
    the network once; see :func:`inception_weights_path`.
    """
    if "model" not in _INCEPTION:
        path = inception_weights_path(timeout)
        with _float32_policy():
            base = keras.applications.InceptionV3(weights=None, include_top=True)
        base.load_weights(str(path))
        use_inception(base)
    return _INCEPTION["model"]


def use_inception(base: keras.Model) -> keras.Model:
    """Use ``base`` (a ``keras.applications.InceptionV3`` with its top) for the Inception functions.

    :func:`load_inception` calls it with the ImageNet network; tests and
    experiments may pass another one (e.g. randomly initialised).
    """
    model = keras.Model(base.input, [base.get_layer("avg_pool").output, base.output])
    _INCEPTION["model"] = model
    _INCEPTION["fn"] = _inference_fn(model)
    return model


def inception_preprocess(images) -> np.ndarray:
    """The FID input pipeline: ``(N, H, W, 1|3)`` uint8 or [-1, 1] -> ``(N, 299, 299, 3)``.

    Pixels are brought to [0, 255], resized to 299x299 (bilinear), grey is
    repeated to 3 channels, then
    ``keras.applications.inception_v3.preprocess_input`` maps them to [-1, 1].
    """
    shape = np.shape(images)
    if len(shape) != 4 or shape[-1] not in (1, 3):
        raise ValueError(f"images must have shape (N, H, W, 1) or (N, H, W, 3), got {tuple(shape)}")
    x = np.asarray(images)
    x = (
        x.astype(np.float32)
        if x.dtype == np.uint8
        else (np.clip(x.astype(np.float32), -1, 1) + 1.0) * 127.5
    )
    x = tf.image.resize(x, (INCEPTION_SIZE, INCEPTION_SIZE), method="bilinear").numpy()
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return keras.applications.inception_v3.preprocess_input(x)


def _inception_outputs(images, batch_size, timeout):
    load_inception(timeout)
    fn = _INCEPTION["fn"]
    feats, probs = [], []
    for start in range(0, len(images), batch_size):
        f, p = fn(tf.constant(inception_preprocess(images[start : start + batch_size])))
        feats.append(f.numpy())
        probs.append(p.numpy())
    return np.concatenate(feats), np.concatenate(probs)


def inception_v3_features(images, batch_size=50, timeout=DEFAULT_TIMEOUT) -> np.ndarray:
    """Inception-v3 pool3 features ``(N, 2048)`` for FID / KID.

    Protocol (Heusel et al. 2017): images ``(N, H, W, 1|3)`` (uint8, or float
    in [-1, 1]) -> [0, 255] -> bilinear resize to 299x299 -> grey repeated to
    RGB -> ``inception_v3.preprocess_input`` -> the 2048-D global-average-pool
    ("pool3") activations. Use at least 2048 samples per set (FID is biased
    upwards for small N, and its covariance is singular below 2048) -- 10 000
    or 50 000 in papers -- and always compare numbers computed with the same N.
    These are Keras's ImageNet weights, close to but not byte-identical with
    the TF-slim graph of the original FID code, so compare with numbers made
    by this function only.
    """
    images = np.asarray(images)
    return _inception_outputs(images, batch_size, timeout)[0]


def inception_probs(images, batch_size=50, timeout=DEFAULT_TIMEOUT) -> np.ndarray:
    """Inception-v3 ImageNet class probabilities ``(N, 1000)`` (softmax of the logits) for IS.

    Same pre-processing as :func:`inception_v3_features`. Feed them to
    :func:`~tfvidgan.metrics.distances.inception_score` (Salimans et al. 2016:
    50 000 samples in 10 splits).
    """
    images = np.asarray(images)
    return _inception_outputs(images, batch_size, timeout)[1]


# ---------------------------------------------------------------------------
# I3D (FVD)
# ---------------------------------------------------------------------------

I3D_URL = "https://tfhub.dev/deepmind/i3d-kinetics-400/1?tf-hub-format=compressed"
I3D_DIRNAME = "i3d-kinetics-400-1"
I3D_SIZE = 224
I3D_FRAMES = 16


def i3d_url() -> str:
    """``$TFVIDGAN_I3D_URL`` or the TF-Hub address of I3D (Kinetics-400) as a .tar.gz."""
    return os.environ.get("TFVIDGAN_I3D_URL", I3D_URL)


def i3d_model_dir() -> Path:
    """Folder holding the extracted I3D SavedModel: ``<cache_dir()>/i3d-kinetics-400-1``."""
    return cache_dir() / I3D_DIRNAME


def _safe_extract(archive: Path, target: Path):
    with tarfile.open(archive, "r:*") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python < 3.11.4: refuse absolute paths and '..'
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if (
                    member.name.startswith(("/", "\\"))
                    or ".." in parts
                    or member.issym()
                    or member.islnk()
                ):
                    raise tarfile.TarError(f"unsafe path in archive: {member.name}")
            tar.extractall(target)  # noqa: S202 - members checked above


def i3d_path(timeout=DEFAULT_TIMEOUT) -> Path:
    """The extracted I3D SavedModel folder, downloaded and extracted on first use.

    The archive is downloaded to a temporary file in :func:`cache_dir`,
    extracted to a temporary folder, and only then renamed to
    :func:`i3d_model_dir`, so a failed download or extraction leaves nothing
    behind that a later call would mistake for a cached model.
    """
    final = i3d_model_dir()
    if (final / "saved_model.pb").is_file():
        return final
    url = i3d_url()
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    archive = root / f"{I3D_DIRNAME}.tar.gz"
    if (
        not archive.is_file()
    ):  # a copied-in archive is used as is (downloads land here only when complete)
        download(
            url,
            archive,
            what="the I3D Kinetics-400 model",
            timeout=timeout,
            hint=f"(or extract it and copy the folder holding saved_model.pb to {final})",
        )
    workdir = Path(tempfile.mkdtemp(prefix=f"{I3D_DIRNAME}.", suffix=".extract", dir=root))
    try:
        try:
            _safe_extract(archive, workdir)
        except (tarfile.TarError, OSError, EOFError, ValueError) as err:
            raise RuntimeError(
                f"the archive downloaded from {url} is not a readable .tar.gz ({err}); it was "
                f"deleted. Try again, or download it on a machine with network, extract it and "
                f"copy the folder holding saved_model.pb to {final}"
            ) from err
        found = [p.parent for p in workdir.rglob("saved_model.pb")]
        if not found:
            raise RuntimeError(
                f"the archive downloaded from {url} holds no saved_model.pb; it was deleted. "
                f"Copy an extracted I3D SavedModel folder to {final}"
            )
        if not (final / "saved_model.pb").is_file():  # another process may have finished first
            if final.exists():
                shutil.rmtree(final)
            os.replace(found[0], final)
    finally:
        archive.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return final


def load_i3d(timeout=DEFAULT_TIMEOUT):
    """The I3D (Kinetics-400) network as a function ``(B, T, 224, 224, 3) in [-1, 1] -> (B, 400)``.

    Loaded with ``tf.saved_model.load`` from :func:`i3d_path` (TF-Hub's
    original module is a TF1 hub module, loaded with empty tags; its
    ``"default"`` signature returns the 400 Kinetics logits). Cached.
    """
    path = i3d_path(timeout)
    key = str(path)
    if key not in _I3D:
        tags = [] if (path / "tfhub_module.pb").exists() else None
        try:
            obj = tf.saved_model.load(str(path), tags=tags)
        except (ValueError, RuntimeError):
            obj = tf.saved_model.load(str(path), tags=[] if tags is None else None)
        signatures = getattr(obj, "signatures", {})
        if "default" in signatures:
            fn = signatures["default"]
        elif len(signatures) == 1:
            fn = next(iter(signatures.values()))
        else:
            raise RuntimeError(f"{path} has no 'default' signature (found {list(signatures)})")
        kwargs = fn.structured_input_signature[1] if fn.structured_input_signature else {}
        input_name = next(iter(kwargs)) if len(kwargs) == 1 else None

        def call(x, _fn=fn, _obj=obj, _name=input_name):
            out = _fn(**{_name: x}) if _name else _fn(x)
            if isinstance(out, dict):
                out = out["default"] if "default" in out else next(iter(out.values()))
            return out

        _I3D[key] = call
    return _I3D[key]


def i3d_preprocess(videos, num_frames=I3D_FRAMES) -> np.ndarray:
    """The FVD input pipeline: ``(N, T, H, W, 1|3)`` -> ``(N, num_frames, 224, 224, 3)`` in [-1, 1].

    uint8 is scaled with ``x / 127.5 - 1``; frames are resized to 224x224
    (bilinear), grey is repeated to RGB. When ``T != num_frames`` (and
    ``num_frames`` is not ``None``) the clip is resampled in time to
    ``num_frames`` by nearest-frame indexing, with a warning.
    """
    shape = np.shape(videos)
    if len(shape) != 5 or shape[-1] not in (1, 3):
        raise ValueError(
            f"videos must have shape (N, T, H, W, 1) or (N, T, H, W, 3), got {tuple(shape)}"
        )
    x = _to_unit_range(videos, "videos")
    n, t = shape[:2]
    if num_frames is not None and t != num_frames:
        warnings.warn(
            f"FVD uses {num_frames}-frame clips; resampling T={t} to {num_frames} frames",
            stacklevel=3,
        )
        x = x[:, np.round(np.linspace(0, t - 1, num_frames)).astype(int)]
        t = num_frames
    frames = _resize_frames(
        x.reshape((n * t,) + tuple(shape[2:])), I3D_SIZE, antialias=False, batch=64
    )
    frames = np.clip(frames, -1.0, 1.0)
    if frames.shape[-1] == 1:
        frames = np.repeat(frames, 3, axis=-1)
    return frames.reshape(n, t, I3D_SIZE, I3D_SIZE, 3)


def i3d_features(
    videos, batch_size=8, num_frames=I3D_FRAMES, timeout=DEFAULT_TIMEOUT
) -> np.ndarray:
    """I3D features ``(N, 400)`` for FVD (Unterthiner et al. 2018).

    Protocol: clips ``(N, T, H, W, 1|3)`` (uint8, or float in [-1, 1]) ->
    16 frames -> each frame resized to 224x224 (bilinear) -> RGB in [-1, 1]
    -> I3D trained on Kinetics-400 -> the 400 logits are the features.
    FVD is then :func:`~tfvidgan.metrics.distances.frechet_distance_from_features`
    of real and generated features. Use at least 2048 clips per set (the
    paper's protocol; fewer give a biased, noisier FVD) and the same N when
    comparing models. The model (about 50 MB) is downloaded once from
    :func:`i3d_url` into :func:`i3d_model_dir`.
    """
    shape = np.shape(videos)
    if len(shape) != 5 or shape[-1] not in (1, 3) or shape[0] < 1:
        raise ValueError(
            f"videos must have shape (N, T, H, W, 1) or (N, T, H, W, 3) with N >= 1, "
            f"got {tuple(shape)}"
        )
    n = shape[0]
    fn = load_i3d(timeout)
    out = []
    for start in range(0, n, batch_size):
        x = i3d_preprocess(np.asarray(videos[start : start + batch_size]), num_frames)
        out.append(np.asarray(fn(tf.constant(x, dtype=tf.float32)), dtype=np.float32))
    return np.concatenate(out, axis=0)


def clear_caches():
    """Forget every network loaded in memory (the files in the caches stay)."""
    load_digit_classifier.cache_clear()
    load_video_classifier.cache_clear()
    _INCEPTION.clear()
    _I3D.clear()
