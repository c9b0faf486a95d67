"""tfvidgan.metrics.diversity: precision/recall, density/coverage, class metrics, diversity."""

import numpy as np
import pytest

from tfvidgan.metrics.diversity import (
    class_coverage,
    class_histogram,
    conditional_accuracy,
    density_coverage,
    precision_recall,
    sample_diversity,
)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------
# Precision / recall, density / coverage
# ---------------------------------------------------------------------------


def test_precision_recall_identical_and_far():
    real = rng(8).normal(size=(200, 8))
    same = precision_recall(real, real.copy(), k=3)
    assert same == {"precision": 1.0, "recall": 1.0}
    far = precision_recall(real, rng(9).normal(size=(200, 8)) + 20.0, k=3)
    assert far["precision"] < 0.05 and far["recall"] < 0.05


def test_precision_high_recall_low_for_collapsed_generator():
    r = rng(10)
    real = r.normal(size=(300, 2))
    fake = r.normal(size=(300, 2)) * 0.1  # all samples in the real bulk
    pr = precision_recall(real, fake, k=3)
    assert pr["precision"] > 0.9
    assert pr["recall"] < 0.5


def test_density_coverage():
    r = rng(11)
    real = r.normal(size=(300, 4))
    same = density_coverage(real, real.copy(), k=5)
    assert same["coverage"] == 1.0
    assert same["density"] == pytest.approx(6 / 5)  # each point is in its own ball + k others
    good = density_coverage(real, r.normal(size=(300, 4)), k=5)
    assert 0.6 < good["density"] < 1.5 and good["coverage"] > 0.8
    collapsed = density_coverage(real, np.zeros((300, 4)) + 0.01 * r.normal(size=(300, 4)), k=5)
    assert collapsed["coverage"] < 0.3
    with pytest.raises(ValueError, match=r"N >= 6"):
        density_coverage(real[:5], real, k=5)


# ---------------------------------------------------------------------------
# Class metrics and sample diversity
# ---------------------------------------------------------------------------


def test_class_histogram_and_coverage():
    labels = np.array([0, 0, 2, 2, 2, 4])
    np.testing.assert_array_equal(class_histogram(labels, 5), [2, 0, 3, 0, 1])
    np.testing.assert_allclose(class_histogram(labels, 5, normalize=True).sum(), 1.0)
    assert class_coverage(labels, 5) == pytest.approx(3 / 5)
    scores = np.eye(4)[[1, 1, 3]]  # (N, K) scores are argmax-ed
    assert class_coverage(scores, 4) == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match=r"must be in \[0, 5\)"):
        class_coverage([0, 5], 5)


def test_conditional_accuracy_per_class():
    requested = [0, 0, 0, 0, 1, 1, 2, 2]
    predicted = [0, 0, 0, 1, 1, 0, 0, 0]
    result = conditional_accuracy(predicted, requested, num_classes=4)
    assert result["accuracy"] == pytest.approx(4 / 8)
    assert result["per_class"][:3] == pytest.approx([0.75, 0.5, 0.0])
    assert np.isnan(result["per_class"][3])  # class 3 never requested
    with pytest.raises(ValueError, match="differ in length"):
        conditional_accuracy([0, 1], [0, 1, 1])


def test_sample_diversity():
    a = np.zeros((2, 4, 4, 1), np.float32)
    a[1] = 1.0  # distance sqrt(16) = 4
    assert sample_diversity(a) == pytest.approx(4.0)
    assert sample_diversity(np.zeros((5, 2, 4, 4, 3))) == 0.0
    u8 = np.stack([np.zeros((2, 2, 1), np.uint8), np.full((2, 2, 1), 255, np.uint8)])
    assert sample_diversity(u8) == pytest.approx(4.0)  # [-1 .. 1] over 4 pixels
    with pytest.raises(ValueError, match=r"N >= 2"):
        sample_diversity(np.zeros((1, 4, 4, 1)))
