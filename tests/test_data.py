"""Tests for tfvidgan.data: the procedural datasets and their pipelines."""

import time

import cv2
import numpy as np
import pytest

from tfvidgan.data import datasets as D
from tfvidgan.data import synthetic as S

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def centre_of_mass(frames):
    """(T, H, W, C) -> (T, 2) array of (x, y) intensity centres."""
    mass = frames.astype(np.float64).sum(axis=-1)  # (T, H, W)
    total = mass.sum(axis=(1, 2))
    ys, xs = np.mgrid[0 : mass.shape[1], 0 : mass.shape[2]]
    x = (mass * xs).sum(axis=(1, 2)) / total
    y = (mass * ys).sum(axis=(1, 2)) / total
    return np.stack([x, y], axis=1)


def _ink_signature(image, side=20):
    """Crop a grey (H, W) image to its ink, centre it in a square, resize, normalise."""
    rows, cols = np.nonzero(image > 64)
    crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32)
    h, w = crop.shape
    square = np.zeros((max(h, w), max(h, w)), np.float32)
    square[(max(h, w) - h) // 2 :][:h, (max(h, w) - w) // 2 :][:, :w] = crop
    small = cv2.resize(square, (side, side), interpolation=cv2.INTER_AREA).ravel()
    small -= small.mean()
    return small / (np.linalg.norm(small) + 1e-8)


@pytest.fixture(scope="module")
def digit_templates():
    """Signatures of every glyph in the bank: (10 * V, side*side) and their digits."""
    bank = S.glyph_bank(32)
    sigs, digits = [], []
    for d in range(10):
        for v in range(bank.shape[1]):
            sigs.append(_ink_signature(bank[d, v]))
            digits.append(d)
    return np.stack(sigs), np.array(digits)


def classify_digit(image, templates):
    sigs, digits = templates
    return digits[np.argmax(sigs @ _ink_signature(image))]


# ---------------------------------------------------------------------------
# Shapes, dtypes, determinism
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [32, 64])
@pytest.mark.parametrize("frames", [8, 16])
@pytest.mark.parametrize("name", D.procedural_names())
def test_load_arrays_shapes_and_dtypes(name, size, frames):
    data, labels = D.load_arrays(name, 20, image_size=size, num_frames=frames, seed=3)
    spec = D.DATASETS[name]
    if spec.kind == "image":
        assert data.shape == (20, size, size, spec.channels)
    elif spec.kind == "video":
        assert data.shape == (20, frames, size, size, spec.channels)
    else:
        assert data.shape == (20, 1)
    if spec.kind == "vector":
        assert data.dtype == np.float32
        assert labels is None
    else:
        assert data.dtype == np.uint8
        assert data.max() == 255 and data.min() == 0
        assert labels.dtype == np.int32
        assert labels.shape[0] == 20
        assert labels.shape[1:] == (() if labels.ndim == 1 else (len(spec.label_columns),))
        first = labels if labels.ndim == 1 else labels[:, 0]
        assert first.min() >= 0 and first.max() < spec.num_classes


@pytest.mark.parametrize("name", D.procedural_names())
def test_same_seed_identical_different_seed_differs(name):
    a, la = D.load_arrays(name, 12, num_frames=8, seed=7)
    b, lb = D.load_arrays(name, 12, num_frames=8, seed=7)
    c, _ = D.load_arrays(name, 12, num_frames=8, seed=8)
    assert a.tobytes() == b.tobytes()
    if la is not None:
        assert np.array_equal(la, lb)
    assert a.tobytes() != c.tobytes()


def test_dataset_registry():
    assert D.procedural_names() == [
        "digits",
        "moving_digits",
        "moving_digits2",
        "bouncing_shapes",
        "gaussian1d",
    ]
    assert D.dataset_names() == D.procedural_names() + ["moving_mnist", "ucf101"]
    for name, spec in D.DATASETS.items():
        assert spec.name == name
        assert spec.kind in ("image", "video", "vector")
        assert spec.description


def test_glyph_bank_is_cached_and_framed():
    bank = S.glyph_bank(16)
    assert bank is S.glyph_bank(16)
    assert bank.dtype == np.uint8 and bank.shape[0] == 10 and bank.shape[2:] == (16, 16)
    assert bank.shape[1] >= 4 * 2  # at least 4 fonts x 2 thicknesses
    # 1-pixel empty border, and every glyph is bright.
    assert bank[..., 0, :].max() == 0 and bank[..., -1, :].max() == 0
    assert bank[..., :, 0].max() == 0 and bank[..., :, -1].max() == 0
    assert (bank.reshape(10, bank.shape[1], -1).max(axis=-1) == 255).all()


# ---------------------------------------------------------------------------
# Labels agree with the pixels
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [32, 64])
def test_digit_images_labels_match_pixels(size, digit_templates):
    images, labels = S.render_digit_images(100, image_size=size, seed=1)
    predicted = np.array([classify_digit(img[..., 0], digit_templates) for img in images])
    assert (predicted == labels).mean() >= 0.95


@pytest.mark.parametrize("size", [32, 64])
def test_moving_digit_labels_match_first_frame(size, digit_templates):
    videos, labels = S.render_moving_digits(60, num_frames=4, image_size=size, seed=2)
    predicted = np.array([classify_digit(v[0, ..., 0], digit_templates) for v in videos])
    assert (predicted == labels[:, 0]).mean() >= 0.95


def _check_motion(videos, motions):
    """The centre of mass moves along the axis named by the motion label."""
    for clip, motion in zip(videos, motions):
        com = centre_of_mass(clip)
        dx, dy = np.diff(com, axis=0).T
        eps = 1e-6
        if motion == 0:  # horizontal
            assert np.abs(dy).max() < eps and np.abs(dx).sum() > 1
        elif motion == 1:  # vertical
            assert np.abs(dx).max() < eps and np.abs(dy).sum() > 1
        else:
            assert np.abs(dx).sum() > 1 and np.abs(dy).sum() > 1
            # 45-degree diagonal, up to one pixel of rounding per step
            assert np.abs(np.abs(dx) - np.abs(dy)).max() <= 1 + eps
            if motion == 2:  # "\": dx and dy have the same sign
                assert (dx * dy >= -eps).all()
            else:  # "/": opposite signs
                assert (dx * dy <= eps).all()


@pytest.mark.parametrize("size", [32, 64])
def test_moving_digits_motion_matches_trajectory(size):
    videos, labels = S.render_moving_digits(40, num_frames=16, image_size=size, seed=4)
    _check_motion(videos, labels[:, 1])


@pytest.mark.parametrize("size", [32, 64])
def test_bouncing_shapes_motion_matches_trajectory(size):
    videos, labels = S.render_bouncing_shapes(40, num_frames=16, image_size=size, seed=4)
    _check_motion(videos, labels[:, 1])


def test_bouncing_shapes_shape_and_colour_labels():
    videos, labels = S.render_bouncing_shapes(60, num_frames=2, image_size=64, seed=5)
    for clip, (shape, _, colour) in zip(videos, labels):
        frame = clip[0]
        lit = frame.max(axis=-1) > 128
        rows, cols = np.nonzero(lit)
        box_area = (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
        fill = lit.sum() / box_area  # square ~1, circle ~pi/4, triangle ~1/2
        expected = {0: np.pi / 4, 1: 1.0, 2: 0.5}[shape]
        assert abs(fill - expected) < 0.1, (shape, fill)
        mean_colour = frame[lit].mean(axis=0)
        assert np.abs(mean_colour - S.COLORS[colour]).max() < 30


@pytest.mark.parametrize("digits_per_clip", [1, 2])
@pytest.mark.parametrize("size", [32, 64])
def test_moving_digits_stay_inside_and_move(size, digits_per_clip):
    videos, labels = S.render_moving_digits(
        30, num_frames=16, image_size=size, digits_per_clip=digits_per_clip, seed=6
    )
    assert labels.shape == (30, 2 * digits_per_clip)
    # Nothing touches the border: the digits are always fully inside.
    assert videos[:, :, 0].max() == 0 and videos[:, :, -1].max() == 0
    assert videos[:, :, :, 0].max() == 0 and videos[:, :, :, -1].max() == 0
    mass = videos.astype(np.int64).sum(axis=(2, 3, 4))  # (N, T)
    assert (mass > 0).all()
    if digits_per_clip == 1:
        # The same glyph is pasted in every frame: exactly the same mass.
        assert (mass == mass[:, :1]).all()
    # Frames change over time in every clip.
    for clip in videos:
        assert any(not np.array_equal(clip[0], clip[t]) for t in range(1, 16))


def test_bouncing_shapes_stay_inside_and_keep_mass():
    videos, _ = S.render_bouncing_shapes(30, num_frames=16, image_size=32, seed=6)
    assert videos[:, :, 0].max() == 0 and videos[:, :, -1].max() == 0
    assert videos[:, :, :, 0].max() == 0 and videos[:, :, :, -1].max() == 0
    mass = videos.astype(np.int64).sum(axis=(2, 3, 4))
    assert (mass == mass[:, :1]).all() and (mass > 0).all()


def test_classes_are_balanced():
    _, digits = S.render_digit_images(100, seed=0)
    assert (np.bincount(digits, minlength=10) == 10).all()
    _, labels = S.render_moving_digits(40, num_frames=2, image_size=32, seed=0)
    assert (np.bincount(labels[:, 0], minlength=10) == 4).all()
    assert (np.bincount(labels[:, 1], minlength=4) == 10).all()
    _, labels = S.render_moving_digits(40, num_frames=2, image_size=32, digits_per_clip=2, seed=0)
    for column, classes in zip(range(4), (10, 10, 4, 4)):
        counts = np.bincount(labels[:, column], minlength=classes)
        assert counts.max() - counts.min() <= 1
    _, labels = S.render_bouncing_shapes(36, num_frames=2, image_size=32, seed=0)
    assert (np.bincount(labels[:, 0], minlength=3) == 12).all()
    assert (np.bincount(labels[:, 1], minlength=4) == 9).all()
    assert labels[:, 2].min() >= 0 and labels[:, 2].max() < len(S.COLORS)


def test_gaussian_statistics():
    x = S.gaussian_1d(20000, mean=4.0, stddev=1.25, seed=0)
    assert x.shape == (20000, 1) and x.dtype == np.float32
    assert abs(x.mean() - 4.0) < 0.05 and abs(x.std() - 1.25) < 0.05


def test_rendering_is_fast():
    start = time.perf_counter()
    videos, _ = S.render_moving_digits(2000, num_frames=16, image_size=64, seed=0)
    assert videos.shape == (2000, 16, 64, 64, 1)
    assert time.perf_counter() - start < 10.0


# ---------------------------------------------------------------------------
# Argument checking
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: S.render_moving_digits(4, image_size=8), "image_size must be >= 16"),
        (lambda: S.render_moving_digits(4, num_frames=0), "num_frames must be >= 1"),
        (lambda: S.render_moving_digits(0), "num must be >= 1"),
        (lambda: S.render_moving_digits(4, digits_per_clip=3), "digits_per_clip must be 1 or 2"),
        (lambda: S.render_digit_images(4, image_size=12), "image_size must be >= 16"),
        (lambda: S.render_bouncing_shapes(4, num_frames=-1), "num_frames must be >= 1"),
        (lambda: S.gaussian_1d(5, stddev=0), "stddev must be > 0"),
        (lambda: D.load_arrays("mnist", 4), "Use a dataset name (digits, moving_digits"),
        (lambda: D.make_dataset("digits", batch_size=0), "batch_size must be an integer >= 1"),
        (
            lambda: D.make_dataset("digits", batch_size=64, num=10),
            "batch_size (64) must be <= num (10)",
        ),
        (
            lambda: D.make_dataset("gaussian1d", batch_size=4, num=8, with_labels=True),
            "has no labels",
        ),
    ],
)
def test_bad_arguments_raise_helpful_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


# ---------------------------------------------------------------------------
# [0, 255] <-> [-1, 1]
# ---------------------------------------------------------------------------


def test_to_float_to_uint8_round_trip():
    pixels = np.arange(256, dtype=np.uint8)
    x = D.to_float(pixels)
    assert x.dtype == np.float32 and x.min() == -1.0 and x.max() == 1.0
    assert np.array_equal(S.to_uint8(x), pixels)
    assert np.array_equal(S.to_uint8(np.array([-3.0, 0.0, 7.0])), [0, 128, 255])


def test_conversions_accept_tensors():
    tf = pytest.importorskip("tensorflow")
    x = S.to_float(tf.constant([0, 255], tf.uint8))
    assert x.dtype == tf.float32 and x.numpy().tolist() == [-1.0, 1.0]
    y = S.to_uint8(tf.constant([-2.0, 1.0]))
    assert y.dtype == tf.uint8 and y.numpy().tolist() == [0, 255]


# ---------------------------------------------------------------------------
# tf.data pipelines
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, shape",
    [
        ("digits", (8, 32, 32, 1)),
        ("moving_digits", (8, 8, 32, 32, 1)),
        ("moving_digits2", (8, 8, 32, 32, 1)),
        ("bouncing_shapes", (8, 8, 32, 32, 3)),
        ("gaussian1d", (8, 1)),
    ],
)
def test_make_dataset_batches(name, shape):
    tf = pytest.importorskip("tensorflow")
    ds = D.make_dataset(name, batch_size=8, num=20, num_frames=8, seed=1)
    assert isinstance(ds, tf.data.Dataset)
    batches = list(ds.take(4))  # 4 batches from 20 examples: it repeats
    for x in batches:
        assert x.shape == shape and x.dtype == tf.float32
        if name != "gaussian1d":
            assert x.numpy().min() >= -1.0 and x.numpy().max() <= 1.0


def test_make_dataset_with_labels_and_no_shuffle():
    tf = pytest.importorskip("tensorflow")
    ds = D.make_dataset(
        "moving_digits",
        batch_size=5,
        num=10,
        num_frames=4,
        seed=2,
        with_labels=True,
        shuffle=False,
        repeat=False,
    )
    pairs = list(ds)
    assert len(pairs) == 2
    videos, labels = D.load_arrays("moving_digits", 10, num_frames=4, seed=2)
    x, y = pairs[0]
    assert x.shape == (5, 4, 32, 32, 1) and y.shape == (5,) and y.dtype == tf.int32
    assert np.array_equal(y.numpy(), labels[:5, 0])
    assert np.array_equal(S.to_uint8(x.numpy()), videos[:5])


def test_make_dataset_keeps_remainder_when_asked():
    ds = D.make_dataset(
        "digits", batch_size=4, num=10, shuffle=False, repeat=False, drop_remainder=False
    )
    assert [int(x.shape[0]) for x in ds] == [4, 4, 2]


# ---------------------------------------------------------------------------
# export_npz
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, key", [("moving_digits2", "videos"), ("digits", "images"), ("gaussian1d", "samples")]
)
def test_export_npz_round_trip(tmp_path, name, key):
    out = tmp_path / "nested" / "folder" / "clips.npz"
    written = D.export_npz(name, 6, out, image_size=32, num_frames=4, seed=9)
    assert written == out and out.exists()
    data, labels = D.load_arrays(name, 6, image_size=32, num_frames=4, seed=9)
    with np.load(out) as f:
        assert np.array_equal(f[key], data) and f[key].dtype == data.dtype
        if labels is None:
            assert "labels" not in f
        else:
            assert np.array_equal(f["labels"], labels)
        assert str(f["dataset"]) == name


def test_export_npz_bad_paths(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError) as info:
        D.export_npz("digits", 2, blocker / "sub" / "out.npz")
    assert str(blocker) in str(info.value) and "folder you can write to" in str(info.value)
    with pytest.raises(ValueError, match="is a folder"):
        D.export_npz("digits", 2, tmp_path)
    with pytest.raises(ValueError, match="accepts image_size, num_frames, seed"):
        D.export_npz("digits", 2, tmp_path / "x.npz", frames=3)


def test_training_pipeline_runs_without_the_autotuner():
    """An autotuned iterator can hold `fit` back when it ends (up to 60 s, waiting
    for the tuner thread); the in-memory pipeline has nothing to tune."""
    ds = D.make_dataset("digits", batch_size=8, num=16)
    assert ds.options().autotune.enabled is False
    assert next(iter(ds)).shape == (8, 32, 32, 1)
