"""Datasets: procedural ones drawn offline, real ones, and clips from your own videos.

* :mod:`tfvidgan.data.synthetic` draws the arrays (digits, moving digits,
  bouncing shapes, 1-D Gaussian samples), deterministic and offline;
* :mod:`tfvidgan.data.video_files` turns video files (a folder, a glob, a list;
  class sub-folders for labels) into ``tf.data`` clips: :func:`video_clips`;
* :mod:`tfvidgan.data.moving_mnist` and :mod:`tfvidgan.data.ucf101` read the two
  standard video datasets (Moving MNIST is downloaded on first use);
* :mod:`tfvidgan.data.datasets` names them all and builds ``tf.data`` pipelines;
  its functions also take a path to videos instead of a name.
"""

from .datasets import (
    DATASETS,
    DatasetSpec,
    dataset_names,
    export_npz,
    get_spec,
    load_arrays,
    make_dataset,
    procedural_names,
    without_autotune,
)
from .synthetic import (
    COLOR_NAMES,
    COLORS,
    MOTION_NAMES,
    SHAPE_NAMES,
    digit_glyph_size,
    gaussian_1d,
    glyph_bank,
    render_bouncing_shapes,
    render_digit_images,
    render_moving_digits,
    to_float,
    to_uint8,
)
from .video_files import (
    VIDEO_SUFFIXES,
    list_videos,
    load_clips,
    probe_video,
    video_clips,
)

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "dataset_names",
    "export_npz",
    "procedural_names",
    "VIDEO_SUFFIXES",
    "list_videos",
    "load_clips",
    "probe_video",
    "video_clips",
    "get_spec",
    "load_arrays",
    "make_dataset",
    "without_autotune",
    "COLOR_NAMES",
    "COLORS",
    "MOTION_NAMES",
    "SHAPE_NAMES",
    "digit_glyph_size",
    "gaussian_1d",
    "glyph_bank",
    "render_bouncing_shapes",
    "render_digit_images",
    "render_moving_digits",
    "to_float",
    "to_uint8",
]
