"""tfvidgan.metrics.classifiers: the shipped offline classifiers, their accuracy and inputs."""

import json

import numpy as np
import pytest

from tfvidgan import data
from tfvidgan.metrics import classifiers
from tfvidgan.metrics.distances import frechet_distance_from_features

# Held-out seeds: the evaluators trained on seeds 1000-1999 and GAN runs use 0.
SEED = 31_337


# ---------------------------------------------------------------------------
# Shipped weights and accuracy
# ---------------------------------------------------------------------------


def test_weights_and_metadata_are_shipped():
    total = 0
    for name in (classifiers.DIGIT_NAME, classifiers.VIDEO_NAME):
        weights = classifiers.WEIGHTS_DIR / f"{name}.weights.h5"
        meta = json.loads((classifiers.WEIGHTS_DIR / f"{name}.json").read_text())
        assert weights.is_file()
        total += weights.stat().st_size
        assert meta["held_out_accuracy"] >= 0.98
    assert total < 1.5 * 2**20


def test_digit_classifier_accuracy_and_features():
    x, y = data.load_arrays("digits", 200, seed=SEED)
    clf = classifiers.load_digit_classifier()
    assert clf is classifiers.load_digit_classifier()  # cached
    features, probs = clf.predict(x)
    assert features.shape == (200, 64) and probs.shape == (200, 10)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert np.mean(probs.argmax(1) == y) >= 0.95
    # uint8 and [-1, 1] floats give the same answer
    np.testing.assert_allclose(classifiers.image_features(data.to_float(x)), features, atol=1e-4)
    np.testing.assert_allclose(classifiers.image_probs(x), probs, atol=1e-5)


def test_digit_classifier_reads_video_frames():
    v, y = data.load_arrays("moving_digits", 20, num_frames=16, seed=SEED)
    probs = classifiers.frame_digit_probs(v)
    assert probs.shape == (20, 16, 10)
    assert np.mean(probs.argmax(-1) == y[:, :1]) >= 0.95


def test_video_classifier_accuracy_for_16_and_8_frames():
    for t in (16, 8):
        v, y = data.load_arrays("moving_digits", 40, num_frames=t, seed=SEED + t)
        out = classifiers.video_probs(v)
        assert out["digit"].shape == (40, 10) and out["motion"].shape == (40, 4)
        assert np.mean(out["digit"].argmax(1) == y[:, 0]) >= 0.95
        assert np.mean(out["motion"].argmax(1) == y[:, 1]) >= 0.85
        assert classifiers.video_features(v).shape == (40, 64)


def test_other_sizes_are_resized():
    x, y = data.load_arrays("digits", 100, image_size=64, seed=SEED)
    assert np.mean(classifiers.image_probs(x).argmax(1) == y) >= 0.9
    v, y = data.load_arrays("moving_digits", 10, image_size=64, num_frames=8, seed=SEED)
    assert classifiers.video_features(v).shape == (10, 64)


def test_shape_and_channel_errors():
    with pytest.raises(ValueError, match="channel"):
        classifiers.image_features(np.zeros((4, 32, 32, 3), np.uint8))
    with pytest.raises(ValueError, match="channel"):
        classifiers.video_features(np.zeros((2, 8, 32, 32, 3), np.uint8))
    with pytest.raises(ValueError, match=r"\(N, H, W, 1\)"):
        classifiers.image_features(np.zeros((4, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="batch axis"):
        classifiers.video_features(np.zeros((8, 32, 32, 1), np.uint8))
    with pytest.raises(ValueError, match="T >= 4"):
        classifiers.video_features(np.zeros((2, 2, 32, 32, 1), np.uint8))
    with pytest.raises(ValueError, match="NaN"):
        classifiers.image_features(np.full((2, 32, 32, 1), np.nan, np.float32))


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # dead ReLU units on noise
def test_fid_real_vs_real_much_smaller_than_real_vs_noise():
    a, _ = data.load_arrays("digits", 300, seed=SEED)
    b, _ = data.load_arrays("digits", 300, seed=SEED + 1)
    noise = np.random.default_rng(0).uniform(-1, 1, (300, 32, 32, 1)).astype(np.float32)
    fa, fb, fn = (classifiers.image_features(x) for x in (a, b, noise))
    same = frechet_distance_from_features(fa, fb)
    different = frechet_distance_from_features(fa, fn)
    assert same * 20 < different
