"""Clips from video files: a folder, a glob or a list of files -> ``tf.data`` batches.

Example::

    from tfvidgan.data import video_clips
    ds = video_clips("my_videos/", num_frames=16, image_size=64, batch_size=8)
    x = next(iter(ds))      # (8, 16, 64, 64, 3) float32 in [-1, 1]

How a file becomes clips
------------------------
1. **Listing** (:func:`list_videos`): a folder (searched recursively), a glob, one
   file or a list of files. A folder whose videos all sit in sub-folders is a
   *class-per-subfolder* layout: labels come from the first folder level, classes
   in sorted order (``ds.class_names``), like ``keras.utils.image_dataset_from_directory``.
2. **Probing** (once, in threads): every file is opened and its first frame read.
   Zero-byte, corrupt, truncated and non-video files are skipped there with one
   warning each and one summary line; if nothing is left, a ``ValueError`` names
   the source. So a bad file never stops a training run half-way through.
3. **Decoding** (in parallel across files): animated GIFs inside the graph with
   ``tf.io.decode_gif``; MP4/AVI/WebM/MOV/MKV with OpenCV (frames converted from
   BGR to RGB; the FFmpeg behind OpenCV applies rotation metadata), falling back to
   the FFmpeg binary of ``imageio-ffmpeg``; tensorflow-io only where it loads
   (``backend="tfio"``). Only the frames that are kept (every ``frame_step``-th,
   or the ones nearest to a target ``fps``) are converted and resized, to
   ``image_size`` by a centre crop (``resize="crop"``), by padding that keeps the
   aspect ratio (``"pad"``) or by stretching (``"stretch"``). With ``cache_dir``
   the decoded frames of each file are saved once as ``.npy`` and read back in
   later epochs (and later runs) instead of being decoded again.
4. **Sampling**: ``clips_per_video`` windows of ``num_frames`` frames at random
   or evenly spaced starts; every start ``s`` satisfies
   ``0 <= s <= frames - num_frames``, so a clip never runs past the end. (The TF
   video tutorial's ``random.randint(0, max_start + 1)`` can, and zero-fills.)
   Videos shorter than a clip are skipped (``short="skip"``), looped (``"loop"``)
   or padded with their last frame (``"pad"``).

Decoding happens outside the training step (in ``tf.data`` threads), so the
``numpy`` work here never ends up inside an XLA-compiled train step.
"""

from __future__ import annotations

import dataclasses
import gc
import glob as globlib
import hashlib
import json
import math
import os
import re
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np

__all__ = [
    "VIDEO_SUFFIXES",
    "BACKENDS",
    "VideoFiles",
    "VideoInfo",
    "list_videos",
    "probe_video",
    "decode_frames",
    "resize_frames",
    "kept_frame_indices",
    "clip_starts",
    "video_clips",
    "load_clips",
    "tfio_available",
]

VIDEO_SUFFIXES = (".mp4", ".avi", ".webm", ".mov", ".mkv", ".m4v", ".mpg", ".mpeg", ".gif")
BACKENDS = ("auto", "opencv", "ffmpeg", "tfio")
RESIZE_MODES = ("crop", "pad", "stretch")
SHORT_MODES = ("skip", "loop", "pad")
SAMPLING_MODES = ("random", "even")
_PATH_KINDS = (
    "an existing video file, a folder of videos, a glob such as 'clips/*.mp4', or a list of files"
)


# ---------------------------------------------------------------------------
# Listing files
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoFiles:
    """The files of a source, in a fixed order.

    Attributes:
        paths: video files, sorted (folders and globs) or in the given order (lists).
        labels: one int per path (index into ``class_names``), or ``None``.
        class_names: sorted class names of a class-per-subfolder layout, else ``()``.
        source: the source as the user gave it, for messages.
    """

    paths: tuple[str, ...]
    labels: tuple[int, ...] | None
    class_names: tuple[str, ...]
    source: str


def _is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES and path.is_file()


def _has_glob_chars(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def is_video_source(source) -> bool:
    """True when ``source`` names existing video files (a file, folder, glob or list)."""
    if isinstance(source, (list, tuple)):
        return bool(source) and all(Path(p).is_file() for p in source)
    if not isinstance(source, (str, os.PathLike)):
        return False
    path = Path(source).expanduser()
    if path.exists():
        return True
    text = os.fspath(source)
    return _has_glob_chars(text) and bool(globlib.glob(os.path.expanduser(text), recursive=True))


def list_videos(source, labels="inferred", class_names=None) -> VideoFiles:
    """The video files of ``source`` and their labels.

    Args:
        source: a folder (searched recursively for :data:`VIDEO_SUFFIXES`), a glob
            (``"data/**/*.mp4"``), one file, or a list of files.
        labels: ``"inferred"`` (from the first sub-folder level when every video of
            a folder sits in a sub-folder; none otherwise), ``None`` (no labels), or
            a list of ints, one per file of a list ``source``.
        class_names: with inferred labels, the classes to keep and their order
            (default: every sub-folder, sorted).

    Returns:
        A :class:`VideoFiles`.

    Raises:
        ValueError: nothing at ``source``, an empty folder, or labels that do not fit.
    """
    shown = os.fspath(source) if not isinstance(source, (list, tuple)) else f"{len(source)} files"
    if isinstance(source, (list, tuple)):
        paths = [Path(p).expanduser() for p in source]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise ValueError(f"these video files do not exist: {missing[:5]}")
        root = None
    else:
        path = Path(source).expanduser()
        if path.is_file():
            paths, root = [path], None
        elif path.is_dir():
            found = (p for p in path.rglob("*") if _is_video(p))
            paths, root = sorted(found, key=lambda p: p.as_posix()), path
            if not paths:
                raise ValueError(
                    f"no video files in folder '{path}' (looked for {', '.join(VIDEO_SUFFIXES)} "
                    "in it and its sub-folders); put videos there or point to another folder"
                )
        elif _has_glob_chars(os.fspath(source)):
            matched = globlib.glob(os.path.expanduser(os.fspath(source)), recursive=True)
            paths, root = sorted((Path(p) for p in matched if _is_video(Path(p))), key=str), None
            if not paths:
                raise ValueError(f"the glob '{source}' matches no video files")
        else:
            raise ValueError(f"'{source}' does not exist; give {_PATH_KINDS}")

    names: tuple[str, ...] = ()
    label_list = None
    if isinstance(labels, (list, tuple, np.ndarray)):
        if len(labels) != len(paths):
            raise ValueError(f"got {len(labels)} labels for {len(paths)} files; give one per file")
        label_list = [int(v) for v in labels]
        names = tuple(class_names) if class_names is not None else ()
    elif labels == "inferred":
        nested = root is not None and all(p.parent != root for p in paths)
        if nested:
            folder_of = {p: p.relative_to(root).parts[0] for p in paths}
            names = (
                tuple(class_names)
                if class_names is not None
                else tuple(sorted(set(folder_of.values())))
            )
            index = {name: i for i, name in enumerate(names)}
            paths = [p for p in paths if folder_of[p] in index]
            if not paths:
                raise ValueError(f"no videos of the classes {list(names)} in '{root}'")
            label_list = [index[folder_of[p]] for p in paths]
    elif labels is not None:
        raise ValueError(f"labels must be 'inferred', None or a list of ints, got {labels!r}")
    return VideoFiles(
        paths=tuple(str(p) for p in paths),
        labels=tuple(label_list) if label_list is not None else None,
        class_names=names,
        source=shown,
    )


# ---------------------------------------------------------------------------
# Probing and decoding one file (NumPy side)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoInfo:
    """What probing a file found: its frame count (as the container states it,
    exact for GIF), frame rate, size, whether its first frame is grey, and the
    backend that could open it."""

    frames: int
    fps: float
    height: int
    width: int
    grey: bool
    backend: str


def tfio_available() -> bool:
    """Whether tensorflow-io's ops load here (they do not with TF > 2.16: see DESIGN.md)."""
    try:
        import tensorflow_io  # noqa: F401
        import tensorflow_io as tfio

        tfio.experimental.ffmpeg  # noqa: B018 - touching it loads the native ops
    except Exception:  # noqa: BLE001 - ImportError, NotFoundError (undefined symbol), ...
        return False
    return True


def _is_grey(frame: np.ndarray) -> bool:
    """Channels equal within 2 levels (chroma rounding of yuv420p grey video)."""
    f = frame.astype(np.int16)
    return bool(
        np.abs(f[..., 0] - f[..., 1]).max() <= 2 and np.abs(f[..., 1] - f[..., 2]).max() <= 2
    )


def _probe_gif(path: str) -> VideoInfo:
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it
    from PIL import Image

    frames = tf.io.decode_gif(tf.io.read_file(path)).numpy()  # the decoder the pipeline uses
    with Image.open(path) as image:
        duration = image.info.get("duration") or 100  # ms per frame; GIFs without one: 10 fps
    t, h, w, _ = frames.shape
    return VideoInfo(t, 1000.0 / max(duration, 10), h, w, _is_grey(frames[0]), "tf")


def _open_capture(path: str):
    """``cv2.VideoCapture(path)`` with FFmpeg's own decoding threads. (One thread per
    file, ``CAP_PROP_N_THREADS=1``, was 1.6-1.8x slower in the pipeline on 2 shared
    cores, although files are decoded in parallel.)"""

    return cv2.VideoCapture(path)


def _probe_opencv(path: str) -> VideoInfo:

    capture = _open_capture(path)
    try:
        if not capture.isOpened():
            raise ValueError("OpenCV cannot open it")
        ok, frame = capture.read()
        if not ok or frame is None:
            raise ValueError("OpenCV opened it but could not decode a frame")
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(capture.get(cv2.CAP_PROP_FPS))
    finally:
        capture.release()
    h, w = frame.shape[:2]
    return VideoInfo(max(count, 1), fps if fps > 0 else 25.0, h, w, _is_grey(frame), "opencv")


def _probe_ffmpeg(path: str) -> VideoInfo:

    with warnings.catch_warnings():  # a failed start leaves imageio-ffmpeg's pipes to the GC
        warnings.simplefilter("ignore", ResourceWarning)
        reader = imageio_ffmpeg.read_frames(path, pix_fmt="rgb24")
        try:
            meta = next(reader)
            width, height = meta["size"]
            first = next(reader, None)
        except Exception:
            reader.close()
            del reader
            gc.collect()  # close those pipes now, quietly, not in some later cell
            raise
        reader.close()
    if first is None:
        raise ValueError("FFmpeg found no frames")
    frame = np.frombuffer(first, np.uint8).reshape(height, width, 3)
    fps = float(meta.get("fps") or 25.0)
    count = int(round(float(meta.get("duration") or 0) * fps)) or 1
    return VideoInfo(count, fps, height, width, _is_grey(frame), "ffmpeg")


def _probe_tfio(path: str) -> VideoInfo:
    import tensorflow_io as tfio

    frames = tfio.experimental.ffmpeg.decode_video(tfio.IOTensor.from_bytes(path)).numpy()
    t, h, w, _ = frames.shape
    return VideoInfo(t, 25.0, h, w, _is_grey(frames[0]), "tfio")


def probe_video(path, backend="auto") -> VideoInfo:
    """Open ``path``, read its first frame and return a :class:`VideoInfo`.

    Args:
        path: a video file.
        backend: ``"auto"`` (GIF: ``tf.io.decode_gif``; others: OpenCV, then
            FFmpeg), ``"opencv"``, ``"ffmpeg"`` or ``"tfio"``.

    Raises:
        ValueError: the file is empty, truncated before its first frame, or not a
            video; the message says why.
    """
    path = os.fspath(path)
    _check_choice("backend", backend, BACKENDS)
    if os.path.getsize(path) == 0:
        raise ValueError("the file is empty (0 bytes)")
    if backend == "tfio":
        if not tfio_available():
            raise ValueError(
                "backend='tfio' needs tensorflow-io, whose ops do not load with this "
                "TensorFlow; use backend='auto' (OpenCV/FFmpeg)"
            )
        return _probe_tfio(path)
    if path.lower().endswith(".gif") and backend == "auto":
        try:
            return _probe_gif(path)
        except Exception as err:  # noqa: BLE001 - InvalidArgumentError, OSError, ...
            raise ValueError(f"not a readable GIF ({_first_line(err)})") from None
    order = {"auto": ("opencv", "ffmpeg"), "opencv": ("opencv",), "ffmpeg": ("ffmpeg",)}[backend]
    reasons = []
    for name in order:
        try:
            return (_probe_opencv if name == "opencv" else _probe_ffmpeg)(path)
        except Exception as err:  # noqa: BLE001 - every decoder error means "unreadable"
            reasons.append(f"{name}: {_first_line(err)}")
    raise ValueError("; ".join(reasons))


def _first_line(err) -> str:
    text = re.sub(r"\{\{.*?\}\}\s*", "", str(err)).strip() or type(err).__name__
    return text.splitlines()[0][:200]


def kept_frame_indices(num_frames: int, step: float) -> np.ndarray:
    """Indices of the frames kept when taking every ``step``-th frame.

    ``step`` may be fractional (a target frame rate: ``step = source_fps / fps``):
    frame ``k`` of the result is source frame ``floor(k * step)``. A step below 1
    repeats frames. Example: ``kept_frame_indices(10, 2.5) -> [0, 2, 5, 7]``.
    """
    if not step > 0:
        raise ValueError(f"the frame step must be positive, got {step}")
    count = math.ceil(num_frames / step - 1e-9)
    idx = np.floor(np.arange(count) * step + 1e-9).astype(np.int64)
    return idx[idx < num_frames]


def _fit_geometry(h, w, out_h, out_w, mode):
    """For resize mode ``mode``: (crop box in the source, resized size, padding).

    crop: the centred box of the output's aspect ratio, resized to the output.
    pad: the whole frame scaled to fit inside the output, then centred on black.
    stretch: the whole frame resized to the output.
    """
    if mode == "crop":
        scale = max(out_h / h, out_w / w)
        box_h, box_w = min(h, round(out_h / scale)), min(w, round(out_w / scale))
        top, left = (h - box_h) // 2, (w - box_w) // 2
        return (top, left, box_h, box_w), (out_h, out_w), (0, 0)
    if mode == "pad":
        scale = min(out_h / h, out_w / w)
        new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
        return (0, 0, h, w), (new_h, new_w), ((out_h - new_h) // 2, (out_w - new_w) // 2)
    return (0, 0, h, w), (out_h, out_w), (0, 0)


def _resize_one(frame: np.ndarray, size, mode: str) -> np.ndarray:

    out_h, out_w = size
    h, w = frame.shape[:2]
    (top, left, bh, bw), (nh, nw), (pt, pl) = _fit_geometry(h, w, out_h, out_w, mode)
    crop = frame[top : top + bh, left : left + bw]
    if (bh, bw) != (nh, nw):
        shrinking = nh < bh or nw < bw
        crop = cv2.resize(
            crop, (nw, nh), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        )
        if crop.ndim == 2:
            crop = crop[..., None]
    if (nh, nw) == (out_h, out_w):
        return crop
    out = np.zeros((out_h, out_w, frame.shape[-1]), frame.dtype)
    out[pt : pt + nh, pl : pl + nw] = crop
    return out


def resize_frames(frames, image_size, resize="crop") -> np.ndarray:
    """Resize uint8 frames ``(T, H, W, C)`` to ``(T, h, w, C)``.

    Args:
        frames: uint8 array ``(T, H, W, C)``.
        image_size: ``h = w`` (int) or ``(h, w)``; ``None`` keeps the size.
        resize: ``"crop"`` (scale the shorter side, cut the centre), ``"pad"``
            (scale the longer side, pad with black: the aspect ratio is kept) or
            ``"stretch"``.
    """
    frames = np.asarray(frames)
    if image_size is None:
        return frames
    size = _size_pair(image_size)
    return np.stack([_resize_one(f, size, resize) for f in frames])


def _size_pair(image_size):
    if isinstance(image_size, (int, np.integer)):
        pair = (int(image_size), int(image_size))
    else:
        pair = tuple(int(v) for v in image_size)
    if len(pair) != 2 or min(pair) < 1:
        raise ValueError(f"image_size must be an int or (height, width) >= 1, got {image_size!r}")
    return pair


def _convert(frame_rgb: np.ndarray, channels: int) -> np.ndarray:
    if channels == 1:
        return cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2GRAY)[..., None]
    return frame_rgb


def _decode_opencv(path, step, size, resize, channels, max_frames):

    capture = _open_capture(path)
    out, index, k = [], 0, 0
    next_keep = 0  # source index of kept frame k: floor(k * step)
    try:
        while capture.grab():  # grab() decodes without the colour conversion
            if index == next_keep:
                ok, frame = capture.retrieve()
                if not ok or frame is None:
                    break
                kept = _convert(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), channels)
                if size is not None:
                    kept = _resize_one(kept, size, resize)
                while index == next_keep:  # a step below 1 keeps a frame several times
                    out.append(kept)
                    k += 1
                    next_keep = math.floor(k * step + 1e-9)
                    if max_frames is not None and len(out) >= max_frames:
                        return _stack(out)
            index += 1
    finally:
        capture.release()
    return _stack(out)


def _stack(frames):
    return np.stack(frames) if frames else np.zeros((0, 1, 1, 1), np.uint8)


def _decode_ffmpeg(path, step, size, resize, channels, max_frames):

    reader = imageio_ffmpeg.read_frames(path, pix_fmt="rgb24")
    out, index = [], 0
    try:
        width, height = next(reader)["size"]
        frames = [np.frombuffer(b, np.uint8).reshape(height, width, 3) for b in reader]
    finally:
        reader.close()
    for index in kept_frame_indices(len(frames), step):
        if max_frames is not None and len(out) >= max_frames:
            break
        kept = _convert(frames[index], channels)
        out.append(_resize_one(kept, size, resize) if size is not None else kept)
    return _stack(out)


def _decode_tfio(path, step, size, resize, channels, max_frames):
    import tensorflow_io as tfio

    frames = tfio.experimental.ffmpeg.decode_video(tfio.IOTensor.from_bytes(path)).numpy()
    return _finish_array(frames, step, size, resize, channels, max_frames)


def _decode_gif_eager(path, step, size, resize, channels, max_frames):
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

    frames = tf.io.decode_gif(tf.io.read_file(path)).numpy()
    return _finish_array(frames, step, size, resize, channels, max_frames)


def _finish_array(frames, step, size, resize, channels, max_frames):
    idx = kept_frame_indices(len(frames), step)[:max_frames]
    out = [_convert(frames[i], channels) for i in idx]
    if size is not None:
        out = [_resize_one(f, size, resize) for f in out]
    return _stack(out)


def decode_frames(
    path,
    *,
    frame_step=1,
    image_size=None,
    resize="crop",
    channels=3,
    backend="auto",
    max_frames=None,
) -> np.ndarray:
    """Decode the kept frames of one file into ``uint8 (T', h, w, channels)``, RGB.

    Args:
        path: a video file (GIF, MP4, AVI, WebM, MOV, MKV, ...).
        frame_step: keep source frames ``floor(k * frame_step)`` (may be fractional).
        image_size: output ``h = w`` or ``(h, w)``; ``None`` keeps the file's size.
        resize: ``"crop"``, ``"pad"`` or ``"stretch"`` (see :func:`resize_frames`).
        channels: 3 (RGB; grey files get three equal channels) or 1 (grey).
        backend: ``"auto"``, ``"opencv"``, ``"ffmpeg"`` or ``"tfio"``.
        max_frames: stop after this many kept frames (``None``: all).

    Returns:
        The frames; ``T' = 0`` when nothing could be decoded (callers skip those).
    """
    path = os.fspath(path)
    _check_choice("backend", backend, BACKENDS)
    _check_choice("resize", resize, RESIZE_MODES)
    size = _size_pair(image_size) if image_size is not None else None
    args = (path, float(frame_step), size, resize, int(channels), max_frames)
    if backend == "tfio":
        return _decode_tfio(*args)
    if backend == "ffmpeg":
        return _decode_ffmpeg(*args)
    if path.lower().endswith(".gif") and backend == "auto":
        return _decode_gif_eager(*args)
    frames = _decode_opencv(*args)
    if len(frames) == 0 and backend == "auto":
        try:
            frames = _decode_ffmpeg(*args)
        except Exception:  # noqa: BLE001 - unreadable by both: caller skips it
            pass
    return frames


# ---------------------------------------------------------------------------
# Clip sampling
# ---------------------------------------------------------------------------


def clip_starts(num_available, num_frames, clips_per_video=1, sampling="even", rng=None):
    """Start indices of ``clips_per_video`` clips of ``num_frames`` frames.

    Every start ``s`` satisfies ``0 <= s <= num_available - num_frames``, so each
    clip holds real frames only (no off-by-one running past the end).

    Args:
        num_available: frames in the (subsampled) video, ``>= num_frames``.
        num_frames: frames per clip.
        clips_per_video: how many clips to take from the video.
        sampling: ``"even"`` (one clip: the middle; more: evenly from the first
            to the last possible start) or ``"random"`` (uniform, with ``rng``).
        rng: a ``numpy.random.Generator`` for ``"random"``.

    Returns:
        int64 array ``(clips_per_video,)``. Example: ``clip_starts(20, 16, 3) -> [0, 2, 4]``.
    """
    max_start = int(num_available) - int(num_frames)
    if max_start < 0:
        raise ValueError(
            f"a video of {num_available} frames is shorter than a clip of {num_frames}"
        )
    if sampling == "random":
        rng = rng or np.random.default_rng()
        return rng.integers(0, max_start + 1, size=clips_per_video).astype(np.int64)
    if clips_per_video == 1:
        return np.array([max_start // 2], np.int64)
    return np.rint(np.linspace(0, max_start, clips_per_video)).astype(np.int64)


def _tf_clip_indices(n, num_frames, clips_per_video, sampling, short, seed):
    """TF version of :func:`clip_starts` plus short-video handling -> (clips, num_frames) int32."""
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

    max_start = n - num_frames
    if sampling == "random":
        starts = tf.random.stateless_uniform(
            [clips_per_video],
            seed=seed,
            minval=0,
            maxval=tf.maximum(max_start, 0) + 1,
            dtype=tf.int32,
        )
    elif clips_per_video == 1:
        starts = tf.fill([1], tf.maximum(max_start, 0) // 2)
    else:
        line = tf.linspace(0.0, tf.cast(tf.maximum(max_start, 0), tf.float32), clips_per_video)
        starts = tf.cast(tf.round(line), tf.int32)
    offsets = tf.range(num_frames, dtype=tf.int32)
    idx = starts[:, None] + offsets[None, :]
    if short == "loop":
        idx = tf.math.floormod(idx, n)
    else:  # "pad" repeats the last frame; "skip" never gets here with n < num_frames
        idx = tf.minimum(idx, n - 1)
    return idx


# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def _warn(message):
    warnings.warn(message, UserWarning, stacklevel=3)


class _Warnings:
    """Remembers which files were warned about (one warning per file)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.warned: set[str] = set()

    def once(self, path, message):
        with self.lock:
            if path in self.warned:
                return
            self.warned.add(path)
        _warn(message)


def _cache_file(cache_dir: Path, path: str, params: tuple) -> str:
    stat = os.stat(path)
    key = repr((os.path.abspath(path), stat.st_size, stat.st_mtime_ns, params))
    return str(cache_dir / (hashlib.sha1(key.encode()).hexdigest() + ".npy"))


def _probe_all(paths, backend, workers, cache=None):
    """Probe files in threads; return ([VideoInfo or None], [reason or None]).

    With a ``cache`` folder the results (readable or not) are kept in
    ``<cache>/probes.json``, keyed by path, size and modification time, so a later run
    over the same files (UCF-101: 13,320 of them) does not open every file again.
    """

    index_file = cache / "probes.json" if cache is not None else None
    known = {}
    if index_file is not None and index_file.is_file():
        try:
            known = json.loads(index_file.read_text())
        except (OSError, ValueError):
            known = {}

    def key(path):
        stat = os.stat(path)
        return f"{os.path.abspath(path)}|{stat.st_size}|{stat.st_mtime_ns}|{backend}"

    def one(path):
        entry = known.get(key(path)) if known else None
        if entry is not None:
            return (VideoInfo(**entry["info"]) if entry["info"] else None), entry["reason"]
        try:
            return probe_video(path, backend), None
        except Exception as err:  # noqa: BLE001 - reported per file
            return None, _first_line(err)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, paths))
    if index_file is not None:
        for path, (info, reason) in zip(paths, results):
            known[key(path)] = {
                "info": dataclasses.asdict(info) if info else None,
                "reason": reason,
            }
        tmp = index_file.with_name(f"probes.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(known))
        os.replace(tmp, index_file)  # atomic: readers see the old or the new index
    return [r[0] for r in results], [r[1] for r in results]


def video_clips(
    source,
    num_frames=16,
    *,
    frame_step=1,
    fps=None,
    image_size=64,
    resize="crop",
    channels=3,
    clips_per_video=1,
    sampling="random",
    short="skip",
    labels="inferred",
    class_names=None,
    with_labels=False,
    batch_size=None,
    drop_remainder=True,
    shuffle=True,
    shuffle_buffer=256,
    repeat=False,
    cache_dir=None,
    backend="auto",
    num_parallel_calls=None,
    seed=0,
):
    """A ``tf.data.Dataset`` of clips ``(num_frames, h, w, channels)`` float32 in [-1, 1].

    Args:
        source: a folder, a glob, one file or a list of files (see :func:`list_videos`).
        num_frames: frames per clip.
        frame_step: keep every ``frame_step``-th frame of the file (ignored with ``fps``).
        fps: a target frame rate instead: keep the frames nearest to ``1 / fps`` apart.
        image_size: ``h = w`` or ``(h, w)``.
        resize: ``"crop"`` (centre crop), ``"pad"`` (keep the aspect ratio, pad with
            black) or ``"stretch"``.
        channels: 3 (RGB) or 1 (grey); files of the other kind are converted.
        clips_per_video: clips taken from each file in each epoch.
        sampling: ``"random"`` starts (new ones every epoch) or ``"even"`` ones.
        short: videos with fewer (kept) frames than ``num_frames``: ``"skip"`` them
            (one warning each), ``"loop"`` them, or ``"pad"`` with the last frame.
        labels: ``"inferred"`` (class sub-folders), ``None``, or one int per file.
        class_names: with inferred labels, the classes to keep, in order.
        with_labels: yield ``(clip, label)`` with an int32 label.
        batch_size: batch the clips (``None``: the caller batches).
        drop_remainder: with ``batch_size``, drop the last smaller batch.
        shuffle: shuffle the files every epoch (and, with several clips per video,
            the clips in a buffer, so clips of one file do not come in a row).
        shuffle_buffer: at most this many clips in that buffer.
        repeat: repeat forever.
        cache_dir: a folder where each file's decoded frames are saved as ``.npy``
            the first time and read from then on (``None``: decode every epoch); the
            probe results are kept there too (``probes.json``).
        backend: ``"auto"``, ``"opencv"``, ``"ffmpeg"`` or ``"tfio"``.
        num_parallel_calls: files decoded at once (default: the number of CPUs).
        seed: seeds file order, shuffling and random starts.

    Returns:
        The dataset, with attributes ``class_names`` (tuple), ``files`` (the files
        used) and ``skipped`` (dict: file -> reason, for files skipped while probing).

    Raises:
        ValueError: bad arguments, or no readable video in ``source`` (naming it).
    """
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

    from .datasets import without_autotune  # here: datasets imports this module

    _check_choice("resize", resize, RESIZE_MODES)
    _check_choice("short", short, SHORT_MODES)
    _check_choice("sampling", sampling, SAMPLING_MODES)
    _check_choice("backend", backend, BACKENDS)
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels!r}")
    for name, value in (("num_frames", num_frames), ("clips_per_video", clips_per_video)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if not (fps is None or fps > 0) or not frame_step > 0:
        raise ValueError(f"frame_step and fps must be positive, got {frame_step!r} and {fps!r}")
    if backend == "tfio" and not tfio_available():
        raise ValueError(
            "backend='tfio' needs tensorflow-io, whose ops do not load here (it is built "
            "for TF 2.16 only); use backend='auto' (OpenCV/FFmpeg)"
        )
    size = _size_pair(image_size)
    files = list_videos(source, labels=labels, class_names=class_names)
    if with_labels and files.labels is None:
        raise ValueError(
            f"with_labels=True but '{files.source}' has no labels: put the videos in one "
            "sub-folder per class, or pass labels=[...]"
        )

    # 1. Probe every file once: skip unreadable ones here, with one warning each.
    workers = num_parallel_calls or os.cpu_count() or 1
    cache = Path(cache_dir).expanduser() if cache_dir is not None else None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    infos, reasons = _probe_all(files.paths, backend, workers, cache)
    skipped = {}
    for path, reason in zip(files.paths, reasons):
        if reason is not None:
            skipped[path] = reason
            _warn(f"video_clips: skipping '{path}': cannot read it ({reason})")
    keep = [i for i, info in enumerate(infos) if info is not None]
    if not keep:
        raise ValueError(
            f"no readable video in '{files.source}': all {len(files.paths)} files failed "
            f"to open (first: {next(iter(skipped.items()))}). Check that they are complete "
            "video files (GIF, MP4, AVI, WebM, MOV, MKV)"
        )
    warned = _Warnings()
    steps = []
    for i in keep:
        step = infos[i].fps / fps if fps is not None else float(frame_step)
        steps.append(step)
        kept = len(kept_frame_indices(infos[i].frames, step))
        if short == "skip" and kept < num_frames and infos[i].backend == "tf":  # exact for GIF
            warned.once(
                files.paths[i],
                f"video_clips: skipping '{files.paths[i]}': {kept} frames after "
                f"subsampling, fewer than a clip of {num_frames} (use short='loop' or 'pad')",
            )
    if len(keep) < len(files.paths):
        _warn(
            f"video_clips: {len(files.paths) - len(keep)} of {len(files.paths)} files in "
            f"'{files.source}' could not be read and are skipped; {len(keep)} are used"
        )

    paths = [files.paths[i] for i in keep]
    label_values = [files.labels[i] if files.labels else -1 for i in keep]
    is_gif = [p.lower().endswith(".gif") and backend == "auto" for p in paths]
    params = (size, resize, int(channels), backend)
    cache_files = [
        _cache_file(cache, p, (*params, s)) if cache is not None else ""
        for p, s in zip(paths, steps)
    ]
    h, w = size

    def py_decode(path, step, cache_file, estimate, rand):
        """-> (frames, presampled). Without a cache, the clips are chosen here from the
        probed frame count, so decoding stops after the last frame a clip needs and only
        those frames are converted and resized ("presampled": clip after clip)."""
        path, cache_file = path.numpy().decode(), cache_file.numpy().decode()
        empty = np.zeros((0, h, w, channels), np.uint8)
        if cache_file and os.path.exists(cache_file):
            try:
                return np.load(cache_file), False
            except (OSError, ValueError):  # a damaged cache file: decode again
                pass
        step_value = float(step.numpy())
        kwargs = dict(frame_step=step_value, image_size=size, resize=resize,
                      channels=channels, backend=backend)  # fmt: skip
        expected = len(kept_frame_indices(int(estimate.numpy()), step_value))
        early = not cache_file and expected >= num_frames
        try:
            if early:
                rng = np.random.default_rng([seed, int(rand.numpy()) & 0xFFFFFFFF])
                starts = clip_starts(expected, num_frames, clips_per_video, sampling, rng)
                frames = decode_frames(path, max_frames=int(starts.max()) + num_frames, **kwargs)
                if len(frames) >= num_frames:
                    if len(frames) < starts.max() + num_frames:  # the count was an estimate
                        starts = clip_starts(
                            len(frames), num_frames, clips_per_video, sampling, rng
                        )
                    idx = (starts[:, None] + np.arange(num_frames)[None, :]).reshape(-1)
                    return frames[idx], True
                if len(frames) > 0:  # shorter than its header said: decode it all below
                    early = False
            if not early:
                frames = decode_frames(path, **kwargs)
        except Exception as err:  # noqa: BLE001 - a file that broke after probing
            warned.once(
                path, f"video_clips: skipping '{path}': decoding failed ({_first_line(err)})"
            )
            return empty, False
        if len(frames) == 0:
            warned.once(path, f"video_clips: skipping '{path}': no frame could be decoded")
            return empty, False
        if short == "skip" and len(frames) < num_frames:
            warned.once(
                path,
                f"video_clips: skipping '{path}': {len(frames)} frames after subsampling, "
                f"fewer than a clip of {num_frames} (use short='loop' or 'pad')",
            )
        if cache_file:
            tmp = f"{cache_file}.{os.getpid()}.{threading.get_ident()}.tmp.npy"
            np.save(tmp, frames)
            os.replace(tmp, cache_file)  # atomic: a half-written cache never exists
        return frames, False

    def graph_gif(path, step):
        frames = tf.io.decode_gif(tf.io.read_file(path))  # (T, H, W, 3) uint8, in the graph
        n = tf.shape(frames)[0]
        count = tf.cast(tf.math.ceil(tf.cast(n, tf.float64) / step - 1e-9), tf.int32)
        idx = tf.cast(tf.floor(tf.cast(tf.range(count), tf.float64) * step + 1e-9), tf.int32)
        frames = tf.gather(frames, tf.boolean_mask(idx, idx < n))
        if channels == 1:
            frames = tf.image.rgb_to_grayscale(frames)
        return _tf_resize(frames, size, resize)

    def load(path, step, cache_file, gif, label, estimate, rand):
        args = [path, step, cache_file, estimate, rand]
        in_graph = lambda: (graph_gif(path, step), tf.constant(False))
        in_python = lambda: tuple(tf.py_function(py_decode, args, [tf.uint8, tf.bool]))
        # Build only the branches this file list needs (tracing both costs seconds).
        if cache is None and all(is_gif):
            frames, presampled = in_graph()
        elif cache is None and any(is_gif):
            frames, presampled = tf.cond(gif, in_graph, in_python)
        else:  # no GIF, or a cache: one code path reads and writes it (GIFs included)
            frames, presampled = in_python()
        frames = tf.ensure_shape(frames, [None, h, w, channels])
        return frames, tf.ensure_shape(presampled, []), label, rand

    def long_enough(frames, presampled, label, rand):
        n = tf.shape(frames)[0]
        return n >= num_frames if short == "skip" else n > 0

    def to_clips(frames, presampled, label, rand):
        n = tf.shape(frames)[0]
        seed_pair = tf.stack([rand, tf.constant(seed, tf.int64)])
        idx = tf.cond(
            presampled,
            lambda: tf.reshape(
                tf.range(clips_per_video * num_frames), [clips_per_video, num_frames]
            ),
            lambda: _tf_clip_indices(n, num_frames, clips_per_video, sampling, short, seed_pair),
        )
        clips = tf.gather(frames, idx)  # (clips_per_video, num_frames, h, w, C)
        labels_ = tf.fill([clips_per_video], label)
        return tf.data.Dataset.from_tensor_slices((clips, labels_))

    def to_float(clip, label):
        x = tf.cast(clip, tf.float32) / 127.5 - 1.0
        return (x, label) if with_labels else x

    ds = tf.data.Dataset.from_tensor_slices(
        (
            paths,
            np.asarray(steps, np.float64),
            cache_files,
            is_gif,
            np.asarray(label_values, np.int32),
            np.asarray([infos[i].frames for i in keep], np.int64),
        )
    )
    if shuffle:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    ds = tf.data.Dataset.zip((ds, randoms)).map(lambda e, r: (*e, r))
    ds = ds.map(load, num_parallel_calls=workers, deterministic=not shuffle)
    ds = ds.filter(long_enough)
    ds = ds.flat_map(to_clips)
    if shuffle and clips_per_video > 1:  # files are shuffled already; mix their clips too
        buffer = min(shuffle_buffer, len(paths) * clips_per_video)
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    if batch_size is not None:
        ds = ds.batch(batch_size, drop_remainder=drop_remainder)
        ds = ds.map(to_float, num_parallel_calls=2)
    else:
        ds = ds.map(to_float)
    ds = without_autotune(ds.prefetch(2))
    ds.class_names = files.class_names
    ds.files = tuple(paths)
    ds.skipped = skipped
    return ds


def _tf_resize(frames, size, mode):
    """TF twin of :func:`resize_frames` for in-graph (GIF) decoding: uint8 in and out."""
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

    out_h, out_w = size
    shape = tf.shape(frames)
    h, w = tf.cast(shape[1], tf.float64), tf.cast(shape[2], tf.float64)
    oh, ow = float(out_h), float(out_w)
    if mode == "crop":
        scale = tf.maximum(oh / h, ow / w)
        bh = tf.minimum(shape[1], tf.cast(tf.round(oh / scale), tf.int32))
        bw = tf.minimum(shape[2], tf.cast(tf.round(ow / scale), tf.int32))
        top, left = (shape[1] - bh) // 2, (shape[2] - bw) // 2
        frames = frames[:, top : top + bh, left : left + bw]
        resized = tf.image.resize(frames, [out_h, out_w], method="area")
        return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)
    if mode == "pad":
        scale = tf.minimum(oh / h, ow / w)
        nh = tf.maximum(1, tf.cast(tf.round(h * scale), tf.int32))
        nw = tf.maximum(1, tf.cast(tf.round(w * scale), tf.int32))
        resized = tf.image.resize(frames, tf.stack([nh, nw]), method="area")
        resized = tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)
        pt, pl = (out_h - nh) // 2, (out_w - nw) // 2
        padded = tf.pad(resized, [[0, 0], [pt, out_h - nh - pt], [pl, out_w - nw - pl], [0, 0]])
        return tf.ensure_shape(padded, [None, out_h, out_w, None])
    resized = tf.image.resize(frames, [out_h, out_w], method="area")
    return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)


def load_clips(source, num_frames=16, *, max_clips=None, **kwargs):
    """All clips of :func:`video_clips` (one pass, no repeat) as NumPy arrays.

    Args:
        source: as in :func:`video_clips`.
        num_frames: frames per clip.
        max_clips: stop after this many clips (``None``: all).
        **kwargs: any other argument of :func:`video_clips` (not ``batch_size``
            or ``repeat``).

    Returns:
        ``(clips, labels)``: uint8 ``(N, num_frames, h, w, C)`` and int32 ``(N,)``
        (``labels`` is ``None`` without labels).
    """
    kwargs = {**kwargs, "with_labels": True, "repeat": False, "batch_size": None}
    try:
        ds = video_clips(source, num_frames, **kwargs)
        has_labels = True
    except ValueError as err:  # a source without labels: clips only
        if "has no labels" not in str(err):
            raise
        ds = video_clips(source, num_frames, **{**kwargs, "with_labels": False})
        has_labels = False
    clips, labels = [], []
    for item in ds.take(max_clips) if max_clips else ds:
        x, y = item if has_labels else (item, None)
        clips.append(np.rint((x.numpy() + 1.0) * 127.5).astype(np.uint8))
        labels.append(int(y) if y is not None else -1)
    if not clips:
        raise ValueError(
            f"'{source}' gave no clips of {num_frames} frames: every readable video is "
            "shorter; lower num_frames or frame_step, or pass short='loop'"
        )
    return np.stack(clips), (np.asarray(labels, np.int32) if has_labels else None)
