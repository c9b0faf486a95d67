"""The standard pretrained extractors: Inception-v3 (FID, IS) and I3D (FVD).

* :func:`inception_v3_features` / :func:`inception_probs` -- Inception-v3 (ImageNet
  weights of ``keras.applications``), the network of FID (Heusel et al. 2017,
  https://arxiv.org/abs/1706.08500) and IS (Salimans et al. 2016,
  https://arxiv.org/abs/1606.03498).
* :func:`i3d_features` -- DeepMind's I3D trained on Kinetics-400 (TF-Hub), the network
  of FVD (Unterthiner et al. 2018, https://arxiv.org/abs/1812.01717).

Each comes with its input pipeline (:func:`inception_preprocess`,
:func:`i3d_preprocess`), which runs offline. The weights are downloaded on first use
with a timeout (:func:`tfvidgan.downloads.download`) and cached; offline they fail
fast with a ``ConnectionError`` saying where to copy the file. Environment variables:
``TFVIDGAN_CACHE`` (cache folder, default ``~/.cache/tfvidgan``), ``TFVIDGAN_I3D_URL``
and ``TFVIDGAN_INCEPTION_URL`` (download addresses), ``KERAS_HOME`` (where Keras keeps
its weights, default ``~/.keras``). Without network, the offline classifiers of
:mod:`tfvidgan.metrics.classifiers` give features for the course's digit data.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfvidgan import downloads
from tfvidgan.downloads import DEFAULT_TIMEOUT

from .classifiers import _float32_policy, _inference_fn, _resize_frames, _to_unit_range

__all__ = [
    "inception_v3_features",
    "inception_probs",
    "inception_preprocess",
    "inception_weights_path",
    "load_inception",
    "use_inception",
    "i3d_features",
    "i3d_preprocess",
    "i3d_path",
    "load_i3d",
    "clear_caches",
]

# Appended to the offline error messages: what works without network.
OFFLINE_ADVICE = (
    "; or use the offline extractors that ship with tfvidgan "
    "(tfvidgan.metrics.classifiers.image_features / video_features, used by `tfvidgan eval`)"
)


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

_INCEPTION = {}  # "model" and its compiled "fn", once loaded


def _keras_home() -> Path:
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser()
    from keras.src.backend import config as keras_config  # private: only without KERAS_HOME

    return Path(keras_config.keras_home()).expanduser()


def inception_weights_path(timeout=DEFAULT_TIMEOUT) -> Path:
    """Path of the ImageNet Inception-v3 weights, downloading them if needed.

    Looks in Keras's cache (``$KERAS_HOME/models``, default ``~/.keras/models``,
    where ``keras.applications.InceptionV3(weights="imagenet")`` keeps them)
    and in :func:`tfvidgan.downloads.cache_dir`; otherwise downloads ``$TFVIDGAN_INCEPTION_URL``
    (default: the Keras applications URL) into Keras's cache, checking the MD5
    Keras lists for the file.
    """
    keras_copy = _keras_home() / "models" / INCEPTION_FILE
    for candidate in (keras_copy, downloads.cache_dir() / INCEPTION_FILE):
        if candidate.is_file():
            return candidate
    url = os.environ.get("TFVIDGAN_INCEPTION_URL", INCEPTION_URL)
    md5 = INCEPTION_MD5 if url == INCEPTION_URL else None
    return downloads.download(
        url,
        keras_copy,
        what="the Inception-v3 ImageNet weights",
        timeout=timeout,
        md5=md5,
        hint=OFFLINE_ADVICE,
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
    by this function only. Paper: https://arxiv.org/abs/1706.08500.

    Args:
        images: ``(N, H, W, 1)`` or ``(N, H, W, 3)``, uint8 or float in [-1, 1].
        batch_size: images per forward pass.
        timeout: seconds for each network step of the first download.
    """
    images = np.asarray(images)
    return _inception_outputs(images, batch_size, timeout)[0]


def inception_probs(images, batch_size=50, timeout=DEFAULT_TIMEOUT) -> np.ndarray:
    """Inception-v3 ImageNet class probabilities ``(N, 1000)`` (softmax of the logits) for IS.

    Same pre-processing as :func:`inception_v3_features`. Feed them to
    :func:`~tfvidgan.metrics.distances.inception_score` (Salimans et al. 2016,
    https://arxiv.org/abs/1606.03498: 50 000 samples in 10 splits).

    Args:
        images: ``(N, H, W, 1)`` or ``(N, H, W, 3)``, uint8 or float in [-1, 1].
        batch_size: images per forward pass.
        timeout: seconds for each network step of the first download.
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

_I3D = {}  # extracted folder -> callable network, once loaded


def i3d_url() -> str:
    """``$TFVIDGAN_I3D_URL`` or the TF-Hub address of I3D (Kinetics-400) as a .tar.gz."""
    return os.environ.get("TFVIDGAN_I3D_URL", I3D_URL)


def i3d_model_dir() -> Path:
    """Folder holding the extracted I3D SavedModel: ``<cache_dir()>/i3d-kinetics-400-1``."""
    return downloads.cache_dir() / I3D_DIRNAME


def i3d_path(timeout=DEFAULT_TIMEOUT) -> Path:
    """The extracted I3D SavedModel folder, downloaded and extracted on first use.

    The archive is downloaded to a temporary file in :func:`tfvidgan.downloads.cache_dir`,
    extracted to a temporary folder, and only then renamed to
    :func:`i3d_model_dir`, so a failed download or extraction leaves nothing
    behind that a later call would mistake for a cached model.
    """
    final = i3d_model_dir()
    if (final / "saved_model.pb").is_file():
        return final
    url = i3d_url()
    root = downloads.cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    archive = root / f"{I3D_DIRNAME}.tar.gz"
    if (
        not archive.is_file()
    ):  # a copied-in archive is used as is (downloads land here only when complete)
        downloads.download(
            url,
            archive,
            what="the I3D Kinetics-400 model",
            timeout=timeout,
            hint=f" (or extract it and copy the folder holding saved_model.pb to {final})"
            + OFFLINE_ADVICE,
        )
    workdir = Path(tempfile.mkdtemp(prefix=f"{I3D_DIRNAME}.", suffix=".extract", dir=root))
    try:
        try:
            downloads._safe_extract(archive, workdir)
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
    :func:`i3d_url` into :func:`i3d_model_dir`. Paper: https://arxiv.org/abs/1812.01717.

    Args:
        videos: ``(N, T, H, W, 1)`` or ``(N, T, H, W, 3)``, uint8 or float in [-1, 1].
        batch_size: clips per forward pass.
        num_frames: clips are resampled in time to this many frames (``None``: keep T).
        timeout: seconds for each network step of the first download.
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
    """Forget the Inception and I3D networks loaded in memory (the files in the caches stay)."""
    _INCEPTION.clear()
    _I3D.clear()
