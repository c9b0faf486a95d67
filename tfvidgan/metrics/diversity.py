"""Fidelity / diversity metrics: precision & recall, density & coverage,
class coverage, conditional accuracy and a simple sample-diversity score.

FID mixes "are samples realistic?" and "is every mode covered?" into one
number.  The k-NN metrics below split the two:

* precision / recall  (Kynkaanniemi et al. 2019, https://arxiv.org/abs/1904.06991)
* density / coverage  (Naeem et al. 2020, https://arxiv.org/abs/2002.09797)

Shapes: features ``(N, D)``; labels ``(N,)`` integers (or ``(N, K)`` scores,
reduced with argmax); samples ``(N, ...)`` images or videos in [-1, 1].
"""

import numpy as np
from scipy.spatial.distance import cdist, pdist

from .distances import as_features

_CHUNK = 1024  # query rows per cdist call, keeps memory at O(chunk * N)


# ---------------------------------------------------------------------------
# k-NN manifold helpers
# ---------------------------------------------------------------------------


def knn_radii(features, k):
    """Distance from each row of ``features (N, D)`` to its k-th nearest *other* row.

    Returns ``(N,)``.  Row i is at distance 0 from itself, so after sorting a
    row of the distance matrix, index 0 is the point itself and index ``k`` is
    its k-th neighbour.
    """
    x = np.asarray(features, dtype=np.float64)
    if not 1 <= k < x.shape[0]:
        raise ValueError(f"k must satisfy 1 <= k < N, got k={k} with N={x.shape[0]}")
    radii = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _CHUNK):
        d = cdist(x[start : start + _CHUNK], x)
        radii[start : start + _CHUNK] = np.partition(d, k, axis=1)[:, k]
    return radii


def ball_membership_counts(queries, centers, radii):
    """For each query, how many balls ``B(centers_i, radii_i)`` contain it.

    ``queries (M, D)``, ``centers (N, D)``, ``radii (N,)`` -> ``(M,)`` ints.
    A point on the boundary (distance == radius) counts as inside.
    """
    counts = np.empty(queries.shape[0], dtype=np.int64)
    for start in range(0, queries.shape[0], _CHUNK):
        d = cdist(queries[start : start + _CHUNK], centers)
        counts[start : start + _CHUNK] = np.sum(d <= radii[None, :], axis=1)
    return counts


def _check_pair(real_features, fake_features, k):
    real = as_features(real_features, "real_features", min_samples=k + 1)
    fake = as_features(fake_features, "fake_features", min_samples=k + 1)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature dimensions differ: {real.shape[1]} vs {fake.shape[1]}")
    return real, fake


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall, Kynkaanniemi et al. 2019.

    Each set defines a manifold: the union of balls around its points, each
    ball's radius being the distance to that point's k-th nearest neighbour.

    * precision = fraction of fake samples inside the *real* manifold
      (are the samples realistic?)
    * recall    = fraction of real samples inside the *fake* manifold
      (is the real data covered?)

    Paper: https://arxiv.org/abs/1904.06991.

    Args:
        real_features: ``(N, D)`` features of real samples, N > k.
        fake_features: ``(M, D)`` features of generated samples, M > k.
        k: the neighbour whose distance sets each ball's radius (3 in the paper).

    Returns:
        ``{"precision": float, "recall": float}``, both in [0, 1].
    """
    real, fake = _check_pair(real_features, fake_features, k)
    precision = np.mean(ball_membership_counts(fake, real, knn_radii(real, k)) > 0)
    recall = np.mean(ball_membership_counts(real, fake, knn_radii(fake, k)) > 0)
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage(real_features, fake_features, k=5):
    """Density and coverage, Naeem et al. 2020 (real k-NN balls only).

    With real points X_i, their k-NN radii r_i and fake points Y_j (M of them)::

        density  = 1/(k M) sum_j sum_i 1[Y_j in B(X_i, r_i)]
        coverage = 1/N     sum_i 1[exists j: Y_j in B(X_i, r_i)]

    Density is not capped at 1 (about 1 when fake matches real; > 1 when fakes
    crowd around dense real regions).  Coverage is in [0, 1] and drops when
    modes of the real data get no fake sample (mode collapse).
    Paper: https://arxiv.org/abs/2002.09797.

    Args:
        real_features: ``(N, D)`` features of real samples, N > k.
        fake_features: ``(M, D)`` features of generated samples, M > k.
        k: the neighbour whose distance sets each real ball's radius (5 in the paper).

    Returns:
        ``{"density": float, "coverage": float}``.
    """
    real, fake = _check_pair(real_features, fake_features, k)
    radii = knn_radii(real, k)
    density = ball_membership_counts(fake, real, radii).sum() / (k * fake.shape[0])
    # Coverage asks the question per real point: is its nearest fake in its ball?
    nearest_fake = np.empty(real.shape[0])
    for start in range(0, real.shape[0], _CHUNK):
        nearest_fake[start : start + _CHUNK] = cdist(real[start : start + _CHUNK], fake).min(axis=1)
    coverage = np.mean(nearest_fake <= radii)
    return {"density": float(density), "coverage": float(coverage)}


# ---------------------------------------------------------------------------
# Class-based metrics (predicted labels from a classifier)
# ---------------------------------------------------------------------------


def _as_labels(labels, name, num_classes=None):
    """Integer labels ``(N,)``; ``(N, K)`` scores/probabilities are argmax-ed."""
    y = np.asarray(labels)
    if y.ndim == 2:
        y = np.argmax(y, axis=1)
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be (N,) integer labels or (N, K) scores, got shape {y.shape}"
        )
    if y.size == 0:
        raise ValueError(f"{name} is empty")
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise ValueError(f"{name} must contain integer class ids")
    y = y.astype(np.int64)
    if np.any(y < 0) or (num_classes is not None and np.any(y >= num_classes)):
        raise ValueError(
            f"{name} must be in [0, {num_classes}), got values in [{y.min()}, {y.max()}]"
        )
    return y


def class_histogram(predicted_labels, num_classes, normalize=False):
    """Counts of each predicted class, ``(num_classes,)``; fractions if ``normalize``."""
    y = _as_labels(predicted_labels, "predicted_labels", num_classes)
    counts = np.bincount(y, minlength=num_classes)
    return counts / counts.sum() if normalize else counts


def class_coverage(predicted_labels, num_classes):
    """Fraction of the ``num_classes`` classes predicted for at least one sample.

    1.0 means every class shows up among the generated samples; a
    mode-collapsed generator covers only a few classes.
    """
    counts = class_histogram(predicted_labels, num_classes)
    return float(np.mean(counts > 0))


def conditional_accuracy(predicted_labels, requested_labels, num_classes=None):
    """How often a class-conditional generator produces the class it was asked for.

    ``requested_labels (N,)`` are the labels fed to the generator,
    ``predicted_labels (N,)`` (or ``(N, K)`` scores) what a pretrained
    classifier sees in the samples.  Returns::

        {"accuracy": overall fraction correct,
         "per_class": [accuracy for requested class c, c = 0..num_classes-1]}

    A class that was never requested gets ``nan`` in ``per_class``.
    ``num_classes`` defaults to ``1 + max label``.
    """
    pred = _as_labels(predicted_labels, "predicted_labels", num_classes)
    req = _as_labels(requested_labels, "requested_labels", num_classes)
    if pred.shape != req.shape:
        raise ValueError(
            f"predicted_labels and requested_labels differ in length: {pred.shape[0]} vs "
            f"{req.shape[0]}"
        )
    if num_classes is None:
        num_classes = int(max(pred.max(), req.max())) + 1
    correct = pred == req
    per_class = []
    for c in range(num_classes):
        mask = req == c
        per_class.append(float(correct[mask].mean()) if mask.any() else float("nan"))
    return {"accuracy": float(correct.mean()), "per_class": per_class}


# ---------------------------------------------------------------------------
# Pixel-space diversity
# ---------------------------------------------------------------------------


def sample_diversity(samples):
    """Mean pairwise L2 distance between flattened samples.

    ``samples (N, ...)``: images ``(N, H, W, C)`` or videos ``(N, T, H, W, C)``
    in [-1, 1] (uint8 is mapped to [-1, 1] first).  Computes
    ``2 / (N (N-1)) * sum_{i<j} ||x_i - x_j||_2``.  A value collapsing
    towards 0 during training is a mode-collapse warning sign.
    """
    x = np.asarray(samples)
    if x.ndim < 2:
        raise ValueError(f"samples must have shape (N, ...), got shape {x.shape}")
    if x.dtype == np.uint8:
        x = x.astype(np.float64) / 127.5 - 1.0
    x = as_features(x.reshape(x.shape[0], -1), "samples", min_samples=2)
    return float(pdist(x).mean())
