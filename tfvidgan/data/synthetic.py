"""Procedural, offline, deterministic datasets for the GAN lessons.

Nothing in this module downloads anything. Every dataset is drawn on the fly
with OpenCV and NumPy, so it is small, fast, and the same on every machine.

Conventions used everywhere in ``tfvidgan``:

* images are ``(N, H, W, C)`` and videos are ``(N, T, H, W, C)``, channels last;
* the ``render_*`` functions return ``uint8`` arrays with values in ``[0, 255]``;
  the training pipelines (see :mod:`tfvidgan.data.datasets`) turn them into
  ``float32`` in ``[-1, 1]`` with :func:`to_float`, and :func:`to_uint8` goes back;
* every function takes a ``seed`` and uses ``numpy.random.default_rng(seed)``:
  the same seed gives byte-identical arrays, a different seed different ones.

The datasets:

``render_digit_images``
    One digit 0-9 per image (a tiny, synthetic MNIST). Label: the digit.
``render_moving_digits``
    A digit (or two, Moving-MNIST style) bouncing inside the frame.
    Labels: the digit(s) and the motion class(es).
``render_bouncing_shapes``
    A coloured circle, square or triangle bouncing on a black background.
    Labels: shape, motion class, colour.
``gaussian_1d``
    Samples of a 1-D normal distribution, for the very first GAN.

Motion classes (shared by the two video datasets). Image coordinates: ``x``
grows to the right, ``y`` grows downwards.

====  ==============  =================================================
 id    name            velocity ``(vx, vy)`` (``s`` = speed > 0)
====  ==============  =================================================
 0     horizontal      ``(+s, 0)`` or ``(-s, 0)``
 1     vertical        ``(0, +s)`` or ``(0, -s)``
 2     diagonal ``\\``  ``(+s, +s)`` (down-right) or ``(-s, -s)`` (up-left)
 3     diagonal ``/``   ``(+s, -s)`` (up-right) or ``(-s, +s)`` (down-left)
====  ==============  =================================================

When an object touches a wall it turns back along the *same line* (the whole
velocity is reversed), so the axis of motion -- and therefore the label --
never changes during a clip.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

__all__ = [
    "NUM_DIGITS",
    "MOTION_NAMES",
    "SHAPE_NAMES",
    "COLOR_NAMES",
    "COLORS",
    "glyph_bank",
    "digit_glyph_size",
    "render_digit_images",
    "render_moving_digits",
    "render_bouncing_shapes",
    "gaussian_1d",
    "to_float",
    "to_uint8",
]

NUM_DIGITS = 10
MOTION_NAMES = ("horizontal", "vertical", "diagonal \\", "diagonal /")
SHAPE_NAMES = ("circle", "square", "triangle")
# A small palette of saturated colours, in RGB order.
COLOR_NAMES = ("red", "green", "blue", "yellow", "cyan", "magenta")
COLORS = np.array(
    [
        [255, 40, 40],
        [40, 255, 40],
        [60, 90, 255],
        [255, 255, 40],
        [40, 255, 255],
        [255, 40, 255],
    ],
    dtype=np.uint8,
)

# Unit direction of each motion class; the sign (+1 or -1) is drawn per clip.
_MOTION_DIRECTIONS = np.array(
    [
        [1.0, 0.0],  # 0 horizontal
        [0.0, 1.0],  # 1 vertical
        [1.0, 1.0],  # 2 diagonal "\" : down-right / up-left
        [1.0, -1.0],  # 3 diagonal "/" : up-right / down-left
    ]
)

# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int, or raise ValueError naming the valid range."""
    valid = f">= {low}" if high is None else f"between {low} and {high}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer {valid}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {valid}, got {value}")
    return int(value)


def _check_common(num, image_size, num_frames=None) -> None:
    _check_int("num", num, 1)
    _check_int("image_size", image_size, 16)
    if num_frames is not None:
        _check_int("num_frames", num_frames, 1)


# ---------------------------------------------------------------------------
# The glyph bank: every digit in several fonts and stroke widths
# ---------------------------------------------------------------------------

# Hershey fonts are built into OpenCV, so no font file is needed.
GLYPH_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SIMPLEX | cv2.FONT_ITALIC,
)
# Stroke thicknesses in pixels at the high-resolution canvas below, where a
# digit is about 100 pixels tall (so roughly 6 % to 13 % of the height).
GLYPH_THICKNESSES = (6, 9, 13)
_HIRES_CANVAS = 256
_HIRES_FONT_SCALE = 4.0


def _draw_digit_hires(digit: int, font: int, thickness: int) -> np.ndarray:
    """Draw one digit large and crop it to its ink. Returns uint8 (h, w)."""
    canvas = np.zeros((_HIRES_CANVAS, _HIRES_CANVAS), dtype=np.uint8)
    cv2.putText(
        canvas,
        str(digit),
        (64, 190),  # bottom-left corner of the text
        font,
        _HIRES_FONT_SCALE,
        255,
        thickness,
        cv2.LINE_AA,
    )
    rows, cols = np.nonzero(canvas)
    return canvas[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def _fit_in_square(ink: np.ndarray, size: int, margin: int) -> np.ndarray:
    """Shrink ``ink`` to fit a ``size`` x ``size`` square, centred.

    The longest side becomes ``size - 2 * margin`` pixels, so there are always
    ``margin`` empty pixels around the ink. The result is rescaled so that its
    brightest pixel is 255. Returns uint8 (size, size).
    """
    inner = size - 2 * margin
    height, width = ink.shape
    scale = inner / max(height, width)
    new_h = max(1, round(height * scale))
    new_w = max(1, round(width * scale))
    # INTER_AREA averages the pixels it merges: the right choice to shrink.
    small = cv2.resize(ink, (new_w, new_h), interpolation=cv2.INTER_AREA)
    square = np.zeros((size, size), dtype=np.uint8)
    top = (size - new_h) // 2
    left = (size - new_w) // 2
    square[top : top + new_h, left : left + new_w] = small
    peak = float(square.max())
    square = np.round(square.astype(np.float32) * (255.0 / peak))
    return square.astype(np.uint8)


@functools.cache
def glyph_bank(size: int) -> np.ndarray:
    """All digit glyphs at one size, computed once and cached.

    Args:
        size: side of the square glyph, in pixels (>= 4).

    Returns:
        uint8 array of shape ``(10, V, size, size)``: ``bank[d, v]`` is digit
        ``d`` in style ``v``, where the ``V = len(GLYPH_FONTS) *
        len(GLYPH_THICKNESSES)`` styles are every font with every thickness.
        Each glyph is centred and leaves a 1-pixel empty border, so a glyph
        pasted fully inside a frame never touches the frame's edge.
        The array is read-only because it is shared by every caller.
    """
    size = _check_int("glyph size", size, 4)
    bank = np.zeros(
        (NUM_DIGITS, len(GLYPH_FONTS) * len(GLYPH_THICKNESSES), size, size),
        dtype=np.uint8,
    )
    for digit in range(NUM_DIGITS):
        style = 0
        for font in GLYPH_FONTS:
            for thickness in GLYPH_THICKNESSES:
                ink = _draw_digit_hires(digit, font, thickness)
                bank[digit, style] = _fit_in_square(ink, size, margin=1)
                style += 1
    bank.setflags(write=False)
    return bank


def digit_glyph_size(image_size: int, digits_per_clip: int = 1) -> int:
    """Glyph side used by :func:`render_moving_digits` for a frame size.

    Half the frame for one digit (16 px at 32, 32 px at 64); a bit smaller
    for two digits so that they have room to move around each other.
    """
    fraction = 0.5 if digits_per_clip == 1 else 0.45
    return max(8, round(image_size * fraction))


# ---------------------------------------------------------------------------
# Small helpers shared by the renderers
# ---------------------------------------------------------------------------


def _balanced_labels(rng: np.random.Generator, num: int, num_classes: int) -> np.ndarray:
    """``num`` labels cycling 0, 1, ..., num_classes-1, then shuffled.

    Every class appears ``num // num_classes`` or one more times.
    """
    labels = np.arange(num) % num_classes
    rng.shuffle(labels)
    return labels.astype(np.int32)


def _bounce_trajectory(
    rng: np.random.Generator,
    motion: int,
    num_frames: int,
    max_pos: int,
    speed_range: tuple[float, float],
) -> np.ndarray:
    """Top-left corners of an object bouncing along one line.

    Args:
        rng: random generator.
        motion: motion class 0..3 (see the module docstring).
        num_frames: number of positions to return.
        max_pos: the corner must stay in ``[0, max_pos]`` on both axes
            (``max_pos = image_size - object_size``), so the object is always
            fully inside the frame.
        speed_range: ``(low, high)`` pixels per frame along each moving axis.

    Returns:
        int array ``(num_frames, 2)`` of ``(x, y)`` positions.
    """
    direction = _MOTION_DIRECTIONS[motion]
    speed = rng.uniform(*speed_range)
    sign = rng.choice([-1.0, 1.0])
    velocity = sign * speed * direction

    # Pick a start so that the line through it is long enough to move along.
    # (For a diagonal, a start near a corner would leave almost no room.)
    while True:
        position = rng.uniform(0.0, max_pos, size=2)
        if motion == 2:  # line x - y = c stays inside for a length of max_pos - |c|
            room = max_pos - abs(position[0] - position[1])
        elif motion == 3:  # line x + y = c
            room = max_pos - abs(position[0] + position[1] - max_pos)
        else:
            room = max_pos
        if room >= max_pos / 2:
            break

    positions = np.zeros((num_frames, 2))
    for t in range(num_frames):
        positions[t] = position
        step_end = position + velocity
        if np.all((step_end >= 0) & (step_end <= max_pos)):
            position = step_end
            continue
        # The step would cross a wall. Find the fraction f of the step after
        # which the first wall is touched, go there, then travel the rest of
        # the step backwards along the same line.
        fractions = []
        for axis in range(2):
            if velocity[axis] > 0:
                fractions.append((max_pos - position[axis]) / velocity[axis])
            elif velocity[axis] < 0:
                fractions.append(position[axis] / -velocity[axis])
        f = min(fractions)
        position = position + velocity * f - velocity * (1.0 - f)
        position = np.clip(position, 0, max_pos)  # guard against rounding
        velocity = -velocity
    return np.rint(positions).astype(np.int64)


def _speed_range(image_size: int) -> tuple[float, float]:
    """Pixels per frame: 1 to 2.5 at 32x32, 2 to 5 at 64x64 (scales with size)."""
    return (image_size / 32.0, 2.5 * image_size / 32.0)


# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------


def render_digit_images(num: int, image_size: int = 32, seed: int = 0):
    """Single-digit images: a tiny, synthetic MNIST.

    Each image holds one white digit on black, in a random font and stroke
    width, with a little random scale (about 55 %-70 % of the frame) and shift.

    Args:
        num: number of images (>= 1).
        image_size: side H = W of the images (>= 16).
        seed: random seed.

    Returns:
        ``(images, labels)``: ``images`` uint8 ``(num, H, W, 1)`` in [0, 255];
        ``labels`` int32 ``(num,)`` with the digit 0..9. The ten classes are
        balanced (their counts differ by at most one).
    """
    _check_common(num, image_size)
    rng = np.random.default_rng(seed)
    labels = _balanced_labels(rng, num, NUM_DIGITS)

    # A few discrete glyph sizes give the scale jitter; each size is cached.
    glyph_sizes = sorted({round(image_size * f) for f in (0.55, 0.6, 0.65, 0.7)})
    max_shift = max(1, image_size // 16)  # 2 px at 32x32, 4 px at 64x64

    images = np.zeros((num, image_size, image_size, 1), dtype=np.uint8)
    for i in range(num):
        size = glyph_sizes[rng.integers(len(glyph_sizes))]
        bank = glyph_bank(size)
        glyph = bank[labels[i], rng.integers(bank.shape[1])]
        centre = (image_size - size) // 2
        top = centre + rng.integers(-max_shift, max_shift + 1)
        left = centre + rng.integers(-max_shift, max_shift + 1)
        top = int(np.clip(top, 0, image_size - size))
        left = int(np.clip(left, 0, image_size - size))
        images[i, top : top + size, left : left + size, 0] = glyph
    return images, labels


def render_moving_digits(
    num: int,
    num_frames: int = 16,
    image_size: int = 64,
    digits_per_clip: int = 1,
    seed: int = 0,
):
    """Clips of one or two digits bouncing inside the frame.

    Each digit keeps one font/thickness for the whole clip and moves in a
    straight line at constant speed, turning back when it touches a wall, so
    it is always fully visible. With two digits (Moving-MNIST style) the two
    layers are combined with ``max`` where they overlap.

    Args:
        num: number of clips (>= 1).
        num_frames: frames per clip T (>= 1).
        image_size: side H = W of the frames (>= 16).
        digits_per_clip: 1 or 2.
        seed: random seed.

    Returns:
        ``(videos, labels)``: ``videos`` uint8 ``(num, T, H, W, 1)``.
        ``labels`` int32: ``(num, 2)`` = ``[digit, motion]`` for one digit,
        ``(num, 4)`` = ``[digit_a, digit_b, motion_a, motion_b]`` for two.
        Motion classes are described in the module docstring. Digit and
        motion classes are balanced (counts differ by at most one).
    """
    _check_common(num, image_size, num_frames)
    if digits_per_clip not in (1, 2) or isinstance(digits_per_clip, bool):
        raise ValueError(f"digits_per_clip must be 1 or 2, got {digits_per_clip!r}")

    rng = np.random.default_rng(seed)
    size = digit_glyph_size(image_size, digits_per_clip)
    bank = glyph_bank(size)
    max_pos = image_size - size
    speeds = _speed_range(image_size)

    digits = [_balanced_labels(rng, num, NUM_DIGITS) for _ in range(digits_per_clip)]
    motions = [_balanced_labels(rng, num, len(MOTION_NAMES)) for _ in range(digits_per_clip)]

    videos = np.zeros((num, num_frames, image_size, image_size, 1), dtype=np.uint8)
    for i in range(num):
        for k in range(digits_per_clip):
            glyph = bank[digits[k][i], rng.integers(bank.shape[1])]
            path = _bounce_trajectory(rng, motions[k][i], num_frames, max_pos, speeds)
            for t, (x, y) in enumerate(path):
                window = videos[i, t, y : y + size, x : x + size, 0]
                np.maximum(window, glyph, out=window)  # paste: brighter pixel wins

    labels = np.stack(digits + motions, axis=1).astype(np.int32)
    return videos, labels


def _shape_sprite(shape: int, color: np.ndarray, size: int) -> np.ndarray:
    """A filled, anti-aliased shape on black. Returns uint8 (size, size, 3)."""
    # Draw 4x larger with sub-pixel precision, then shrink for smooth edges.
    big = 4 * size
    canvas = np.zeros((big, big, 3), dtype=np.uint8)
    colour = tuple(int(c) for c in color)
    pad = 6  # 1.5 final pixels: an empty 1-pixel border even with anti-aliasing
    low, high = pad, big - 1 - pad
    if shape == 0:  # circle
        centre = (big // 2, big // 2)
        cv2.circle(canvas, centre, (high - low) // 2, colour, -1, cv2.LINE_AA)
    elif shape == 1:  # square, inset a little so its area is close to the circle's
        inset = big // 18
        cv2.rectangle(
            canvas,
            (low + inset, low + inset),
            (high - inset, high - inset),
            colour,
            -1,
            cv2.LINE_AA,
        )
    else:  # triangle pointing up
        points = np.array([[big // 2, low], [high, high], [low, high]], dtype=np.int32)
        cv2.fillPoly(canvas, [points], colour, cv2.LINE_AA)
    return cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)


def render_bouncing_shapes(num: int, num_frames: int = 16, image_size: int = 64, seed: int = 0):
    """Clips of one coloured shape bouncing on a black background.

    Args:
        num: number of clips (>= 1).
        num_frames: frames per clip T (>= 1).
        image_size: side H = W of the frames (>= 16).
        seed: random seed.

    Returns:
        ``(videos, labels)``: ``videos`` uint8 ``(num, T, H, W, 3)`` in RGB;
        ``labels`` int32 ``(num, 3)`` = ``[shape, motion, colour]`` with
        shape in ``SHAPE_NAMES`` (0 circle, 1 square, 2 triangle), motion as in
        the module docstring and colour an index into ``COLORS``. Shape and
        motion classes are balanced, colours are drawn uniformly.
    """
    _check_common(num, image_size, num_frames)
    rng = np.random.default_rng(seed)
    shapes = _balanced_labels(rng, num, len(SHAPE_NAMES))
    motions = _balanced_labels(rng, num, len(MOTION_NAMES))
    colours = rng.integers(len(COLORS), size=num).astype(np.int32)
    speeds = _speed_range(image_size)
    sprite_sizes = sorted({round(image_size * f) for f in (0.35, 0.4, 0.45)})

    # Only 3 shapes x 6 colours x 3 sizes exist: draw each one once.
    sprites = {}
    videos = np.zeros((num, num_frames, image_size, image_size, 3), dtype=np.uint8)
    for i in range(num):
        size = sprite_sizes[rng.integers(len(sprite_sizes))]
        key = (int(shapes[i]), int(colours[i]), size)
        if key not in sprites:
            sprites[key] = _shape_sprite(key[0], COLORS[key[1]], size)
        sprite = sprites[key]
        path = _bounce_trajectory(rng, motions[i], num_frames, image_size - size, speeds)
        for t, (x, y) in enumerate(path):
            videos[i, t, y : y + size, x : x + size] = sprite

    labels = np.stack([shapes, motions, colours], axis=1).astype(np.int32)
    return videos, labels


def gaussian_1d(num: int, mean: float = 4.0, stddev: float = 1.25, seed: int = 0) -> np.ndarray:
    """Samples of a 1-D normal distribution N(mean, stddev^2).

    Returns:
        float32 array ``(num, 1)``.
    """
    _check_int("num", num, 1)
    if not stddev > 0:
        raise ValueError(f"stddev must be > 0, got {stddev!r}")
    rng = np.random.default_rng(seed)
    return rng.normal(mean, stddev, size=(num, 1)).astype(np.float32)


# ---------------------------------------------------------------------------
# [0, 255] <-> [-1, 1]
# ---------------------------------------------------------------------------


def to_float(x):
    """uint8 pixels in [0, 255] -> float32 in [-1, 1] (``x / 127.5 - 1``).

    Accepts a NumPy array (returns NumPy) or a TensorFlow tensor (returns a
    tensor, so it can be used inside ``tf.data`` pipelines).
    """
    if _is_tf_tensor(x):
        import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

        return tf.cast(x, tf.float32) / 127.5 - 1.0
    return np.asarray(x, dtype=np.float32) / np.float32(127.5) - np.float32(1.0)


def to_uint8(x):
    """float values in [-1, 1] -> uint8 pixels in [0, 255].

    Values outside [-1, 1] (a generator's output may overshoot) are clipped,
    then ``(x + 1) * 127.5`` is rounded to the nearest integer. TensorFlow
    tensors stay tensors (usable in ``tf.data``); anything else goes through
    :func:`tfvidgan.video_io.to_uint8`, which also rejects NaN.
    """
    if _is_tf_tensor(x):
        import tensorflow as tf  # lazy: the NumPy side of tfvidgan.data loads without it

        x = tf.clip_by_value(tf.cast(x, tf.float32), -1.0, 1.0)
        return tf.cast(tf.round((x + 1.0) * 127.5), tf.uint8)
    from tfvidgan.video_io import to_uint8 as numpy_to_uint8  # here: video_io needs data

    return numpy_to_uint8(x)


def _is_tf_tensor(x) -> bool:
    """True for TensorFlow tensors, without importing TensorFlow needlessly."""
    return type(x).__module__.startswith("tensorflow")
