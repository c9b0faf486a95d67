"""Distribution distances between sets of features: FID/FVD, KID, Inception Score.

All functions here are plain numpy/scipy maths on *features* (one row per
sample).  Which network produces the features (Inception for images, I3D for
videos, or a small classifier trained in this course) is decided elsewhere:

* FID = Frechet distance on Inception pool features (Heusel et al. 2017,
  https://arxiv.org/abs/1706.08500)
* FVD = the same Frechet distance on I3D video features (Unterthiner et al. 2018,
  https://arxiv.org/abs/1812.01717)
* KID = unbiased MMD^2 with a cubic polynomial kernel (Binkowski et al. 2018,
  https://arxiv.org/abs/1801.01401)
* IS  = exp(E_x KL(p(y|x) || p(y))) (Salimans et al. 2016, https://arxiv.org/abs/1606.03498)

Shapes: features are ``(N, D)``; class probabilities are ``(N, K)``.

Where the conventions differ from TF-GAN's (``tfgan.eval``): the spread that
:func:`kernel_distance` returns is the standard deviation of the estimates over
subsets, while TF-GAN's ``kernel_classifier_distance_and_std`` reports a standard
error of their mean. :func:`inception_score` refuses splits of one sample (whose
score is 1.0 whatever the generator) and warns below :data:`MIN_SPLIT_SIZE`
samples per split. FID, KID and IS otherwise give TF-GAN's values.
"""

import warnings

import numpy as np
from scipy import linalg

# Fewer samples per Inception Score split than this give a score biased towards 1.
MIN_SPLIT_SIZE = 50


def as_features(features, name="features", min_samples=1):
    """Validate and convert a feature matrix to float64 of shape ``(N, D)``.

    Args:
        features: array-like ``(N, D)``, one row per sample.
        name: what to call it in error messages.
        min_samples: the smallest N accepted.

    Raises:
        ValueError: for a wrong number of dimensions, too few samples, or NaN/inf.
    """
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (N, D), got ndim={x.ndim} with shape {x.shape}"
        )
    if x.shape[0] < min_samples:
        raise ValueError(f"{name} needs N >= {min_samples} samples, got N={x.shape[0]}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf values")
    return x


# ---------------------------------------------------------------------------
# Frechet distance (FID / FVD)
# ---------------------------------------------------------------------------


def gaussian_stats(features):
    """Fit a Gaussian to features: mean ``mu (D,)`` and covariance ``sigma (D, D)``.

    The covariance is the unbiased estimate
    ``sigma = 1/(N-1) * sum_i (x_i - mu)(x_i - mu)^T``, so ``N >= 2`` is required.
    Both outputs are float64.
    """
    x = as_features(features, min_samples=2)
    mu = x.mean(axis=0)
    sigma = np.atleast_2d(np.cov(x, rowvar=False, ddof=1))
    return mu, sigma


def _trace_sqrt_product(sigma1, sigma2):
    """Return ``Tr(sqrtm(sigma1 @ sigma2))`` or ``None`` if the sqrt is unreliable.

    "Unreliable" means scipy returned non-finite numbers, a matrix whose
    square is far from ``sigma1 @ sigma2``, or a large imaginary part (all of
    which happen for near-singular covariances, e.g. fewer samples than
    feature dimensions).
    """
    product = sigma1 @ sigma2
    covmean = linalg.sqrtm(product)
    if not np.all(np.isfinite(covmean)):
        return None
    residual = np.linalg.norm(covmean @ covmean - product)
    if residual > 1e-3 * max(1.0, np.linalg.norm(product)):
        return None
    if np.iscomplexobj(covmean):
        scale = max(1.0, np.max(np.abs(covmean.real)))
        if np.max(np.abs(covmean.imag)) > 1e-3 * scale:  # near-singular: retry with eps
            return None
        covmean = covmean.real
    return float(np.trace(covmean))


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Frechet (2-Wasserstein) distance between two Gaussians.

    ``d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 sqrt(sigma1 sigma2))``

    This is FID (Heusel et al., 2017) on Inception features and FVD
    (Unterthiner et al., 2018) on I3D features.  Shapes: ``mu (D,)``,
    ``sigma (D, D)``.

    Numerics: the matrix square root uses ``scipy.linalg.sqrtm``.  If it is
    non-finite or inaccurate (near-singular covariances), ``eps * I`` is added
    to both covariances and it is retried.  Tiny imaginary parts from round-off
    are dropped; a large imaginary part raises ``ValueError``.  The result is
    clipped at 0 and returned as a Python float.
    """
    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    d = mu1.shape[0]
    if mu1.shape != (d,) or mu2.shape != (d,):
        raise ValueError(f"means must both have shape (D,), got {mu1.shape} and {mu2.shape}")
    if sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"covariances must have shape (D, D)=({d}, {d}), got {sigma1.shape} and {sigma2.shape}"
        )
    for name, arr in (("mu1", mu1), ("mu2", mu2), ("sigma1", sigma1), ("sigma2", sigma2)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf values")

    tr_covmean = _trace_sqrt_product(sigma1, sigma2)
    if tr_covmean is None:
        offset = eps * np.eye(d)
        tr_covmean = _trace_sqrt_product(sigma1 + offset, sigma2 + offset)
        if tr_covmean is None:
            raise ValueError(
                "could not compute sqrtm(sigma1 @ sigma2) even after adding "
                f"eps={eps} to the diagonal; try a larger eps, and check that both "
                "covariances are symmetric positive semi-definite"
            )

    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean
    return max(float(value), 0.0)


def frechet_distance_from_features(features1, features2, eps=1e-6):
    """Frechet distance between Gaussians fitted to two feature sets ``(N1, D)``, ``(N2, D)``.

    Args:
        features1: ``(N1, D)``, e.g. features of real samples (N1 >= 2).
        features2: ``(N2, D)``, e.g. features of generated samples (N2 >= 2).
        eps: diagonal offset for the retry of :func:`frechet_distance`.
    """
    mu1, sigma1 = gaussian_stats(features1)
    mu2, sigma2 = gaussian_stats(features2)
    return frechet_distance(mu1, sigma1, mu2, sigma2, eps=eps)


# ---------------------------------------------------------------------------
# Kernel distance (KID)
# ---------------------------------------------------------------------------


def polynomial_kernel(x, y, degree=3, gamma=None, coef0=1.0):
    """Polynomial kernel matrix ``k(x, y) = (gamma * x.y + coef0) ** degree``.

    ``x (N1, D)``, ``y (N2, D)`` -> ``(N1, N2)``.  ``gamma`` defaults to
    ``1 / D``, which with degree 3 and coef0 1 is the KID kernel
    ``(x.y / D + 1)^3`` (Binkowski et al., 2018).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (gamma * (x @ y.T) + coef0) ** degree


def mmd2_unbiased(kxx, kyy, kxy):
    """Unbiased estimate of the squared Maximum Mean Discrepancy.

    With ``m`` samples x, ``n`` samples y and kernel matrices
    ``kxx (m, m)``, ``kyy (n, n)``, ``kxy (m, n)``::

        MMD^2 = 1/(m(m-1)) sum_{i != j} k(x_i, x_j)
              + 1/(n(n-1)) sum_{i != j} k(y_i, y_j)
              - 2/(m n)    sum_{i, j}   k(x_i, y_j)

    The diagonals of ``kxx`` and ``kyy`` are excluded, which is what makes the
    estimate unbiased (it can be slightly negative).  Needs ``m, n >= 2``.
    """
    kxx = np.asarray(kxx, dtype=np.float64)
    kyy = np.asarray(kyy, dtype=np.float64)
    kxy = np.asarray(kxy, dtype=np.float64)
    m, n = kxx.shape[0], kyy.shape[0]
    if kxx.shape != (m, m) or kyy.shape != (n, n) or kxy.shape != (m, n):
        raise ValueError(
            "expected kxx (m, m), kyy (n, n), kxy (m, n); got "
            f"{kxx.shape}, {kyy.shape}, {kxy.shape}"
        )
    if m < 2 or n < 2:
        raise ValueError(f"unbiased MMD needs at least 2 samples per set, got m={m}, n={n}")
    term_xx = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    term_yy = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    term_xy = kxy.mean()
    return float(term_xx + term_yy - 2.0 * term_xy)


def kernel_distance(features1, features2, num_subsets=10, subset_size=1000, seed=0, kernel="poly"):
    """Kernel Inception/Video Distance (KID/KVD), Binkowski et al. 2018.

    Paper: https://arxiv.org/abs/1801.01401. For each of ``num_subsets`` rounds,
    draw ``subset_size`` rows (without replacement) from each set and compute
    :func:`mmd2_unbiased` with the kernel ``(x.y / D + 1)^3``. Unlike FID the
    estimate is unbiased, so two samples of one distribution give about 0 (and
    sometimes a slightly negative number).

    Args:
        features1: ``(N1, D)``, e.g. features of real samples.
        features2: ``(N2, D)``, e.g. features of generated samples.
        num_subsets: how many random subsets to average over.
        subset_size: rows drawn from each set per subset, capped at ``min(N1, N2)``.
        seed: seed of the subset draws (the result is deterministic).
        kernel: ``"poly"`` or any callable ``k(x, y) -> (len(x), len(y))``.

    Returns:
        ``(mean, std)`` as Python floats: the mean of the subset estimates and their
        standard deviation (``np.std``, ddof 0). TF-GAN's spread is an estimate of
        the standard error of its (block) estimator instead, of the order of
        ``std / sqrt(num_subsets)`` here: never compare the two spreads directly.
    """
    x = as_features(features1, "features1", min_samples=2)
    y = as_features(features2, "features2", min_samples=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"feature dimensions differ: {x.shape[1]} vs {y.shape[1]}")
    if kernel == "poly":
        kernel_fn = polynomial_kernel
    elif callable(kernel):
        kernel_fn = kernel
    else:
        raise ValueError(f"kernel must be 'poly' or a callable, got {kernel!r}")

    m = min(int(subset_size), x.shape[0], y.shape[0])
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(int(num_subsets)):
        xs = x[rng.choice(x.shape[0], m, replace=False)]
        ys = y[rng.choice(y.shape[0], m, replace=False)]
        values.append(mmd2_unbiased(kernel_fn(xs, xs), kernel_fn(ys, ys), kernel_fn(xs, ys)))
    return float(np.mean(values)), float(np.std(values))


# ---------------------------------------------------------------------------
# Inception Score
# ---------------------------------------------------------------------------


def inception_score(probs, num_splits=10, atol=1e-3):
    """Inception Score, Salimans et al. 2016: ``IS = exp(E_x KL(p(y|x) || p(y)))``.

    Paper: https://arxiv.org/abs/1606.03498 (50 000 samples in 10 splits). ``p(y)``
    is the mean row of a split. Range: 1 (every sample gets the same prediction)
    to K (confident predictions spread evenly over all K classes).

    Args:
        probs: ``(N, K)`` class probabilities of N generated samples; each row sums
            to 1 (within ``atol``).
        num_splits: the samples are cut into this many consecutive chunks and the
            score is computed per chunk.
        atol: tolerance of the row-sum check.

    Returns:
        ``(mean, std)`` of the per-split scores, as Python floats.

    Raises:
        ValueError: for invalid probabilities, or when a split would hold a single
            sample (its score is 1.0 whatever the generator). Splits of fewer than
            :data:`MIN_SPLIT_SIZE` samples only warn: their score is biased towards 1.
    """
    p = as_features(probs, "probs", min_samples=1)
    if np.any(p < 0):
        raise ValueError("probs must be non-negative (did you pass logits? apply softmax first)")
    row_sums = p.sum(axis=1)
    if not np.allclose(row_sums, 1.0, atol=atol):
        worst = row_sums[np.argmax(np.abs(row_sums - 1.0))]
        raise ValueError(
            f"each row of probs must sum to 1 (found a row summing to {worst:.4g}); "
            "apply softmax to logits first"
        )
    n, num_splits = p.shape[0], int(num_splits)
    if num_splits < 1:
        raise ValueError(f"num_splits must be >= 1, got {num_splits}")
    smallest = n // num_splits
    fewer = max(1, n // MIN_SPLIT_SIZE)
    advice = "use more samples (the paper: 50 000 in 10 splits)"
    if fewer < num_splits:
        advice = f"use num_splits <= {fewer} for these N={n} samples, or {advice[4:]}"
    if smallest < 2:
        raise ValueError(
            f"inception_score: N={n} samples in num_splits={num_splits} splits leaves "
            f"{smallest} sample(s) in a split, where the score is 1.0 whatever the "
            f"generator; {advice}"
        )
    if smallest < MIN_SPLIT_SIZE:
        warnings.warn(
            f"inception_score: {smallest} samples per split (N={n}, num_splits={num_splits}) "
            f"give a score biased towards 1; {advice}",
            stacklevel=2,
        )
    scores = []
    for chunk in np.array_split(p, num_splits):
        p_y = chunk.mean(axis=0, keepdims=True)
        # 0 * log(0) is taken as 0; where p(y|x) > 0, p(y) > 0 too.
        ratio = np.where(chunk > 0, chunk / np.where(p_y > 0, p_y, 1.0), 1.0)
        kl = np.sum(chunk * np.log(ratio), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))
