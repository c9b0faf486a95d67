"""A registry of the datasets, and ``tf.data`` pipelines over them.

Every dataset has a name (see :func:`dataset_names`): the procedural ones drawn on
your machine, and the real ones (``moving_mnist``: downloaded once; ``ucf101``: from
your extracted copy). Instead of a name, every function here also takes a **path**:
an existing video file, a folder of videos (class sub-folders give labels), a glob,
or a Moving MNIST ``.npy`` file. A path that exists wins over a dataset name. With a
name or a path you can

* get NumPy arrays: :func:`load_arrays` (uint8 pixels in [0, 255]);
* get a ready-to-train ``tf.data.Dataset``: :func:`make_dataset`
  (float32 pixels in [-1, 1], batched, shuffled, repeated);
* write a ``.npz`` file: :func:`export_npz`.

Example::

    from tfvidgan.data import make_dataset
    ds = make_dataset("moving_digits", batch_size=32, num_frames=8)
    x = next(iter(ds))          # (32, 8, 32, 32, 1) float32 in [-1, 1]
    ds = make_dataset("my_videos/", batch_size=8, num_frames=16, image_size=64)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import moving_mnist, synthetic, ucf101
from . import video_files as vf
from .synthetic import to_float

__all__ = [
    "DatasetSpec",
    "DATASETS",
    "dataset_names",
    "get_spec",
    "load_arrays",
    "make_dataset",
    "export_npz",
]


@dataclass(frozen=True)
class DatasetSpec:
    """What the training code needs to know about one dataset.

    Attributes:
        name: registry key, e.g. ``"moving_digits"``.
        kind: ``"image"`` (``(N, H, W, C)``), ``"video"`` (``(N, T, H, W, C)``)
            or ``"vector"`` (``(N, D)``).
        channels: C for images and videos, D for vectors.
        num_classes: number of classes in the first label column
            (0 when the dataset has no labels).
        description: one line for humans.
        render: ``render(num, image_size, num_frames, seed) -> (data, labels)``
            where ``data`` is uint8 (float32 for vectors) and ``labels`` is an
            int32 array or ``None``.
        pipeline: for datasets streamed from files, ``pipeline(batch_size=...,
            image_size=..., num_frames=..., seed=..., with_labels=..., shuffle=...,
            repeat=..., drop_remainder=...) -> tf.data.Dataset`` used by
            :func:`make_dataset` instead of rendering arrays; ``None`` otherwise.
        source: ``"procedural"``, ``"download"`` (fetched on first use), ``"local"``
            (your copy of a dataset) or ``"path"`` (files you pointed to).
    """

    name: str
    kind: str
    channels: int
    num_classes: int
    description: str
    render: Callable
    pipeline: Callable | None = None
    source: str = "procedural"

    @property
    def label_columns(self) -> tuple[str, ...]:
        """Names of the label columns (empty when there are no labels)."""
        return _LABEL_COLUMNS.get(self.name, ("class",) if self.num_classes else ())


# The renderers do not all take the same arguments; these small adapters give
# them the one signature ``render(num, image_size, num_frames, seed)``.
# Images ignore ``num_frames``; the Gaussian ignores both sizes.


def _render_digits(num, image_size, num_frames, seed):
    return synthetic.render_digit_images(num, image_size=image_size, seed=seed)


def _render_moving_digits(num, image_size, num_frames, seed):
    return synthetic.render_moving_digits(num, num_frames, image_size, digits_per_clip=1, seed=seed)


def _render_moving_digits2(num, image_size, num_frames, seed):
    return synthetic.render_moving_digits(num, num_frames, image_size, digits_per_clip=2, seed=seed)


def _render_bouncing_shapes(num, image_size, num_frames, seed):
    return synthetic.render_bouncing_shapes(num, num_frames, image_size, seed=seed)


def _render_gaussian(num, image_size, num_frames, seed):
    return synthetic.gaussian_1d(num, seed=seed), None


def _render_moving_mnist(num, image_size, num_frames, seed):
    return moving_mnist.render(num, image_size, num_frames, seed)


def _clip_cache() -> Path:
    """Where :func:`make_dataset` keeps decoded frames of video files between epochs and runs."""
    from tfvidgan import downloads  # lazy: only a download needs it

    return downloads.data_dir() / "clip_cache"


def _ucf101_pipeline(**kwargs):
    kwargs.pop("num", None)
    return ucf101.ucf101_clips(None, 1, "train", cache_dir=_clip_cache(), **kwargs)


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec(
            name="digits",
            kind="image",
            channels=1,
            num_classes=10,
            description="one white digit 0-9 on black per image (synthetic MNIST)",
            render=_render_digits,
        ),
        DatasetSpec(
            name="moving_digits",
            kind="video",
            channels=1,
            num_classes=10,
            description="one digit bouncing in the frame; labels [digit, motion]",
            render=_render_moving_digits,
        ),
        DatasetSpec(
            name="moving_digits2",
            kind="video",
            channels=1,
            num_classes=10,
            description="two digits bouncing (Moving-MNIST style); "
            "labels [digit_a, digit_b, motion_a, motion_b]",
            render=_render_moving_digits2,
        ),
        DatasetSpec(
            name="bouncing_shapes",
            kind="video",
            channels=3,
            num_classes=3,
            description="a coloured circle/square/triangle bouncing on black; "
            "labels [shape, motion, colour]",
            render=_render_bouncing_shapes,
        ),
        DatasetSpec(
            name="gaussian1d",
            kind="vector",
            channels=1,
            num_classes=0,
            description="samples of the 1-D normal distribution N(4, 1.25^2); no labels",
            render=_render_gaussian,
        ),
        DatasetSpec(
            name="moving_mnist",
            kind="video",
            channels=1,
            num_classes=0,
            description="Moving MNIST (Srivastava 2015): 10,000 x 20 frames of two bouncing "
            "digits, 64x64; downloaded once (780 MiB); no labels",
            render=_render_moving_mnist,
            source="download",
        ),
        DatasetSpec(
            name="ucf101",
            kind="video",
            channels=3,
            num_classes=101,
            description="UCF-101 (Soomro 2012): 101 human actions, split 1 train list; "
            "your extracted copy (tfvidgan.data.ucf101.download_ucf101 fetches it)",
            render=ucf101.render,
            pipeline=_ucf101_pipeline,
            source="local",
        ),
    ]
}

_LABEL_COLUMNS = {
    "digits": ("digit",),
    "moving_digits": ("digit", "motion"),
    "moving_digits2": ("digit_a", "digit_b", "motion_a", "motion_b"),
    "bouncing_shapes": ("shape", "motion", "colour"),
    "gaussian1d": (),
    "moving_mnist": (),
    "ucf101": ("action",),
}

# Key under which export_npz stores the data, by kind.
_NPZ_DATA_KEY = {"image": "images", "video": "videos", "vector": "samples"}


def dataset_names() -> list[str]:
    """Names accepted by :func:`load_arrays`, :func:`make_dataset`, ..."""
    return list(DATASETS)


def procedural_names() -> list[str]:
    """The datasets drawn on this machine (no file, no download)."""
    return [name for name, spec in DATASETS.items() if spec.source == "procedural"]


_PATH_KINDS = (
    "an existing video file, a folder of videos (one sub-folder per class gives labels), "
    "a glob such as 'clips/*.mp4', or a Moving MNIST .npy file"
)


def get_spec(name_or_path) -> DatasetSpec:
    """The :class:`DatasetSpec` of a dataset name or of a path to videos.

    Args:
        name_or_path: one of :func:`dataset_names`, or a path (file, folder, glob, or
            a Moving MNIST ``.npy``). A path that exists wins over a dataset name.

    Raises:
        ValueError: neither a dataset name nor an existing path; the message lists both.
    """
    if isinstance(name_or_path, (str, os.PathLike, list, tuple)) and vf.is_video_source(
        name_or_path
    ):
        return _path_spec(name_or_path)
    if isinstance(name_or_path, str) and name_or_path in DATASETS:
        return DATASETS[name_or_path]
    raise ValueError(
        f"unknown dataset {name_or_path!r}: not a dataset name and no such path. Use a dataset "
        f"name ({', '.join(dataset_names())}) or {_PATH_KINDS}"
    )


def _path_spec(source) -> DatasetSpec:
    """A spec for files the user points to (see :func:`get_spec`)."""
    shown = os.fspath(source) if not isinstance(source, (list, tuple)) else f"{len(source)} files"
    path = Path(source) if isinstance(source, (str, os.PathLike)) else None
    if path is not None and path.is_file() and path.suffix.lower() == ".npy":
        videos = moving_mnist.load_moving_mnist(path, download=False)
        render = lambda num, image_size, num_frames, seed: moving_mnist.render(  # noqa: E731
            num, image_size, num_frames, seed, path=path
        )
        return DatasetSpec(
            name=shown,
            kind="video",
            channels=1,
            num_classes=0,
            description=f"Moving MNIST layout from {shown}: {videos.shape[0]} sequences of "
            f"{videos.shape[1]} frames",
            render=render,
            source="path",
        )
    files = vf.list_videos(source)
    channels = _probe_channels(files.paths)

    def render(num, image_size, num_frames, seed):
        return vf.load_clips(source, num_frames, max_clips=num, image_size=image_size,
                             channels=channels, seed=seed, cache_dir=_clip_cache())  # fmt: skip

    def pipeline(*, batch_size, image_size, num_frames, seed, with_labels, shuffle, repeat,
                 drop_remainder, num=None):  # fmt: skip
        return vf.video_clips(
            source, num_frames, image_size=image_size, channels=channels, seed=seed,
            with_labels=with_labels, shuffle=shuffle, repeat=repeat, batch_size=batch_size,
            drop_remainder=drop_remainder, cache_dir=_clip_cache(),
        )  # fmt: skip

    classes = f", {len(files.class_names)} classes" if files.class_names else ""
    return DatasetSpec(
        name=shown,
        kind="video",
        channels=channels,
        num_classes=len(files.class_names),
        description=f"{len(files.paths)} video files from {shown}{classes}",
        render=render,
        pipeline=pipeline,
        source="path",
    )


def _probe_channels(paths, sample=8) -> int:
    """1 when the first readable files (up to ``sample``) are all grey, else 3."""
    greys = []
    for path in paths:
        try:
            greys.append(vf.probe_video(path).grey)
        except (ValueError, OSError):
            continue
        if len(greys) == sample:
            break
    return 1 if greys and all(greys) else 3


def load_arrays(name: str, num: int, *, image_size: int = 32, num_frames: int = 16, seed: int = 0):
    """Render ``num`` examples of a dataset as NumPy arrays.

    Args:
        name: one of :func:`dataset_names`, or a path (see :func:`get_spec`); file
            datasets give at most as many clips as their files hold.
        num: number of examples (>= 1).
        image_size: frame side H = W (>= 16); ignored by ``"gaussian1d"``.
        num_frames: frames per clip T (>= 1); ignored by ``"digits"`` and
            ``"gaussian1d"``.
        seed: random seed (same seed -> identical arrays).

    Returns:
        ``(data, labels)``. ``data`` is uint8 ``(num, H, W, C)`` for images,
        uint8 ``(num, T, H, W, C)`` for videos, float32 ``(num, 1)`` for
        ``"gaussian1d"``. ``labels`` is int32 ``(num,)`` or ``(num, K)``, or
        ``None`` when the dataset has no labels.
    """
    spec = get_spec(name)
    return spec.render(num, image_size, num_frames, seed)


def make_dataset(
    name: str,
    *,
    batch_size: int,
    num: int = 2048,
    image_size: int = 32,
    num_frames: int = 16,
    seed: int = 0,
    with_labels: bool = False,
    shuffle: bool = True,
    repeat: bool = True,
    drop_remainder: bool = True,
):
    """A ``tf.data.Dataset`` of batches ready for training.

    The ``num`` examples are rendered once (see :func:`load_arrays`), kept in
    memory as uint8, and each batch is converted to float32 in [-1, 1]
    (``x / 127.5 - 1``; the Gaussian samples are passed through unchanged).

    Datasets streamed from files (a path, ``ucf101``) go through
    :func:`tfvidgan.data.video_clips` instead: every file gives one random clip per
    epoch, decoded frames are cached on disk (``<data_dir>/clip_cache``) so later
    epochs and runs do not decode again, and ``num`` is ignored.

    Args:
        name: one of :func:`dataset_names`, or a path (see :func:`get_spec`).
        batch_size: examples per batch (>= 1, and <= ``num`` when
            ``drop_remainder`` is true, or there would be no batch at all).
        num: examples to render.
        image_size, num_frames, seed: as in :func:`load_arrays`; ``seed``
            also seeds the shuffling.
        with_labels: yield ``(x, y)`` where ``y`` is the first label column,
            int32 ``(batch_size,)`` (the digit, or the shape). Not available
            for datasets without labels.
        shuffle: shuffle the examples (a different order every epoch).
        repeat: repeat forever (use ``.take(n)`` to stop).
        drop_remainder: drop the last, smaller batch so every batch has
            exactly ``batch_size`` examples (static shapes).

    Returns:
        A dataset yielding ``x`` of shape ``(batch_size, ...)`` float32, or
        ``(x, y)`` when ``with_labels``.
    """
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

    spec = get_spec(name)
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"num must be an integer >= 1, got {num!r}")
    if spec.pipeline is not None:
        return spec.pipeline(
            batch_size=batch_size, image_size=image_size, num_frames=num_frames, seed=seed,
            with_labels=with_labels, shuffle=shuffle, repeat=repeat, drop_remainder=drop_remainder,
        )  # fmt: skip
    if drop_remainder and batch_size > num:
        raise ValueError(
            f"batch_size ({batch_size}) must be <= num ({num}) when drop_remainder=True, "
            "otherwise no full batch exists; lower batch_size or raise num"
        )
    data, labels = load_arrays(name, num, image_size=image_size, num_frames=num_frames, seed=seed)
    if with_labels and labels is None:
        raise ValueError(f"dataset {name!r} has no labels; use with_labels=False")

    if with_labels:
        first_column = labels if labels.ndim == 1 else labels[:, 0]
        ds = tf.data.Dataset.from_tensor_slices((data, first_column.astype(np.int32)))
    else:
        ds = tf.data.Dataset.from_tensor_slices(data)
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(buffer_size=num, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)

    # Convert whole batches at once: cheaper than one example at a time, and
    # the cache above holds uint8 (4x smaller than float32).
    if spec.kind != "vector":
        if with_labels:
            ds = ds.map(lambda x, y: (to_float(x), y), num_parallel_calls=tf.data.AUTOTUNE)
        else:
            ds = ds.map(to_float, num_parallel_calls=tf.data.AUTOTUNE)
    return without_autotune(ds.prefetch(tf.data.AUTOTUNE))


def without_autotune(ds):
    """``ds`` with tf.data's autotuner switched off.

    When ``fit`` ends, tearing down an autotuned iterator can wait for the
    tuner thread's next wake-up (10 ms * (2**k - 1) after the iterator was
    made, up to 60 s), in every ``fit`` call. In-memory pipelines like
    :func:`make_dataset`'s feed thousands of batches a second without the
    tuner (``benchmarks/README.md``), so they are better off without it.
    """
    import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def export_npz(name: str, num: int, out_path, **kwargs) -> Path:
    """Render a dataset and save it to a compressed ``.npz`` file.

    The file holds

    * ``images`` (image datasets), ``videos`` (video datasets) as uint8 in
      [0, 255], or ``samples`` (``"gaussian1d"``) as float32;
    * ``labels`` as int32 (absent for ``"gaussian1d"``, which has none);
    * ``dataset``, ``image_size``, ``num_frames``, ``seed``: how it was made.

    Args:
        name: one of :func:`dataset_names`.
        num: number of examples.
        out_path: file to write (parent folders are created).
        **kwargs: ``image_size``, ``num_frames``, ``seed`` as in :func:`load_arrays`.

    Returns:
        The path written.

    Raises:
        ValueError: unknown dataset, bad arguments, or ``out_path`` is a folder.
        OSError: the file cannot be written (the message names the path).
    """
    spec = get_spec(name)
    unknown = set(kwargs) - {"image_size", "num_frames", "seed"}
    if unknown:
        raise ValueError(
            f"unexpected arguments {sorted(unknown)}; "
            "export_npz accepts image_size, num_frames, seed"
        )
    out_path = Path(out_path)
    if out_path.is_dir():
        raise ValueError(
            f"{out_path} is a folder; give a file name such as {out_path / (name + '.npz')}"
        )

    data, labels = load_arrays(name, num, **kwargs)
    image_size = kwargs.get("image_size", 32)
    num_frames = kwargs.get("num_frames", 16)
    arrays = {
        _NPZ_DATA_KEY[spec.kind]: data,
        "dataset": np.array(name),
        "image_size": np.array(image_size if spec.kind != "vector" else 0, dtype=np.int32),
        "num_frames": np.array(num_frames if spec.kind == "video" else 1, dtype=np.int32),
        "seed": np.array(kwargs.get("seed", 0), dtype=np.int64),
    }
    if labels is not None:
        arrays["labels"] = labels.astype(np.int32)

    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        # Write through a file object so NumPy does not append another ".npz".
        with open(out_path, "wb") as handle:
            np.savez_compressed(handle, **arrays)
    except OSError as err:
        reason = err.strerror or str(err)
        raise OSError(
            f"cannot write {os.fspath(out_path)!r}: {reason}. "
            "Choose an output path in a folder you can write to."
        ) from err
    return out_path
