"""Offline, procedural, deterministic datasets (nothing is ever downloaded).

* :mod:`tfvidgan.data.synthetic` draws the arrays (digits, moving digits,
  bouncing shapes, 1-D Gaussian samples);
* :mod:`tfvidgan.data.datasets` names them and builds ``tf.data`` pipelines.
"""

from .datasets import (
    DATASETS,
    DatasetSpec,
    dataset_names,
    export_npz,
    get_spec,
    load_arrays,
    make_dataset,
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

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "dataset_names",
    "export_npz",
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
