"""Evaluate a trained run offline: ``tfvidgan eval --run DIR``.

:func:`evaluate_run` loads a run folder, generates samples and compares them
with freshly rendered real data of the run's dataset, using the small
classifiers shipped with the package (:mod:`tfvidgan.metrics.classifiers`),
so it works without any network:

* images (``digits``): digit-FID and KID on :class:`DigitClassifier` features,
  precision/recall and density/coverage, class coverage and histogram, a
  classifier score (the Inception Score formula with the digit classifier),
  the fraction of confidently recognised samples, and the conditional
  accuracy of class-conditional models (labels requested cycling 0..9);
* videos (``moving_digits``): FVD and KVD on :class:`VideoDigitClassifier`
  features, precision/recall, per-frame digit recognisability, digit
  coverage, clip consistency, motion-class coverage and the motion
  diagnostics of :func:`tfvidgan.metrics.motion.motion_summary`;
* other datasets get what applies (motion diagnostics for ``bouncing_shapes``
  and ``moving_digits2``, moments and 1-D distances for ``gaussian1d``); the
  JSON lists every metric that was skipped and why.

Every number is also computed for a real-vs-real baseline: a second real set,
rendered with another seed, in place of the generated samples. It is the
score of a perfect generator at this sample size (FID and FVD are biased
upwards for small N, so the baseline is not 0).

The results go to ``<run>/eval.json``; :func:`format_table` turns them into a
short Markdown table.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import linalg

from tfvidgan import data

__all__ = [
    "evaluate_run",
    "evaluate_samples",
    "format_table",
    "DEFAULT_NUM",
    "REAL_SEED_OFFSET",
    "BASELINE_SEED_OFFSET",
]

DEFAULT_NUM = 1000
MIN_NUM = 16
REAL_SEED_OFFSET = 10_000  # real reference set: seed + 10000 (runs train on seed 0 by default)
BASELINE_SEED_OFFSET = 20_000  # second, disjoint real set for the real-vs-real row
CONFIDENT = 0.9  # a frame / image counts as recognisable when max prob >= this

OFFLINE_DIGITS = {"digits"}
OFFLINE_VIDEOS = {"moving_digits"}


# ---------------------------------------------------------------------------
# Metric bundles (one for generated samples, the same for the baseline)
# ---------------------------------------------------------------------------


def _feature_metrics(features, reference, seed):
    from tfvidgan.metrics import distances, diversity

    # KID on 10 random halves (at most 1000 rows each): the spread gives its std
    subset = max(2, min(1000, len(features) // 2, len(reference) // 2))
    kid, kid_std = distances.kernel_distance(
        features, reference, num_subsets=10, subset_size=subset, seed=seed
    )
    with warnings.catch_warnings():  # near-singular covariances are handled (eps retry)
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        frechet = distances.frechet_distance_from_features(features, reference)
    out = {"frechet": frechet, "kid": kid, "kid_std": kid_std}
    out.update(diversity.precision_recall(reference, features, k=3))
    out.update(diversity.density_coverage(reference, features, k=5))
    return out


def _majority(labels, num_classes):
    """Most frequent label of each row of ``labels (N, T)`` (ties -> smallest label)."""
    counts = np.stack([np.bincount(row, minlength=num_classes) for row in labels])
    return counts.argmax(axis=1)


def _image_metrics(samples, reference_features, requested, seed):
    from tfvidgan.metrics import classifiers, distances, diversity

    features, probs = classifiers.load_digit_classifier().predict(samples)
    predicted = probs.argmax(axis=1)
    out = _feature_metrics(features, reference_features, seed)
    out["fid"] = out.pop("frechet")
    out["class_coverage"] = diversity.class_coverage(predicted, 10)
    out["class_histogram"] = diversity.class_histogram(predicted, 10, normalize=True).tolist()
    out["recognisable"] = float(np.mean(probs.max(axis=1) >= CONFIDENT))
    out["classifier_score"] = distances.inception_score(
        probs, num_splits=min(10, max(1, len(probs) // 100))
    )[0]
    out["pixel_diversity"] = _pixel_diversity(samples)
    if requested is not None:
        cond = diversity.conditional_accuracy(predicted, requested, 10)
        out["conditional_accuracy"] = cond["accuracy"]
        out["conditional_accuracy_per_class"] = cond["per_class"]
    return out


def _video_metrics(samples, reference_features, seed):
    from tfvidgan.metrics import classifiers, diversity, motion

    out = {}
    if reference_features is not None:
        vp = classifiers.load_video_classifier().predict(samples)
        out.update(_feature_metrics(vp["features"], reference_features, seed))
        out["fvd"] = out.pop("frechet")
        motion_pred = vp["motion"].argmax(axis=1)
        out["motion_coverage"] = diversity.class_coverage(motion_pred, 4)
        out["motion_histogram"] = diversity.class_histogram(motion_pred, 4, normalize=True).tolist()
    frame_probs = classifiers.frame_digit_probs(samples)  # (N, T, 10)
    frame_pred = frame_probs.argmax(axis=-1)
    majority = _majority(frame_pred, 10)
    out["recognisable_frames"] = float(np.mean(frame_probs.max(axis=-1) >= CONFIDENT))
    out["digit_coverage"] = diversity.class_coverage(majority, 10)
    out["clip_consistency"] = float(np.mean(frame_pred == majority[:, None]))
    out["digit_histogram"] = diversity.class_histogram(majority, 10, normalize=True).tolist()
    out["pixel_diversity"] = _pixel_diversity(samples)
    out["motion"] = motion.motion_summary(samples)
    return out


def _plain_video_metrics(samples):
    from tfvidgan.metrics import motion

    return {"pixel_diversity": _pixel_diversity(samples), "motion": motion.motion_summary(samples)}


def _vector_metrics(samples, reference):
    from scipy import stats

    from tfvidgan.metrics import distances

    x = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    r = np.asarray(reference, dtype=np.float64).reshape(len(reference), -1)
    out = {
        "mean": float(x.mean()),
        "std": float(x.std(ddof=1)),
        "real_mean": float(r.mean()),
        "real_std": float(r.std(ddof=1)),
    }
    out["mean_error"] = abs(out["mean"] - out["real_mean"])
    out["std_error"] = abs(out["std"] - out["real_std"])
    out["frechet"] = distances.frechet_distance_from_features(x, r)
    if x.shape[1] == 1:
        out["wasserstein_1"] = float(stats.wasserstein_distance(x[:, 0], r[:, 0]))
        out["ks_statistic"] = float(stats.ks_2samp(x[:, 0], r[:, 0]).statistic)
    return out


# ---------------------------------------------------------------------------
# The evaluation
# ---------------------------------------------------------------------------


def _extractor_info(clf):
    meta = clf.metadata
    return {
        "name": meta.get("name", type(clf).__name__),
        "feature_dim": clf.feature_dim,
        "held_out_accuracy": meta.get("held_out_accuracy"),
    }


def evaluate_samples(
    samples, dataset, *, requested_labels=None, image_size=None, num_frames=None, seed=0
) -> dict:
    """Compare generated ``samples`` with real data of ``dataset`` (see the module docstring).

    ``samples``: float in [-1, 1] (or uint8): images ``(N, H, W, C)``, videos
    ``(N, T, H, W, C)`` or vectors ``(N, D)``, matching the dataset's kind.
    ``requested_labels (N,)``: the classes a conditional generator was asked
    for. The real reference set (seed ``seed + 10000``) and the baseline set
    (seed ``seed + 20000``) are rendered with the samples' frame size and
    length. Returns a dict with ``generated``, ``baseline``, ``skipped``
    (metric -> reason) and bookkeeping.
    """
    from tfvidgan.metrics import classifiers

    spec = data.get_spec(dataset)
    samples = np.asarray(samples)
    num = len(samples)
    if num < MIN_NUM:
        raise ValueError(f"need at least {MIN_NUM} samples to evaluate, got {num}")
    expected_ndim = {"image": 4, "video": 5, "vector": 2}[spec.kind]
    if samples.ndim != expected_ndim:
        raise ValueError(
            f"dataset {dataset!r} holds {spec.kind} data (arrays of {expected_ndim} dimensions), "
            f"but the samples have shape {samples.shape}; pass --real with a {_kind_of(samples)} "
            "dataset"
        )
    if spec.kind != "vector" and samples.shape[-1] != spec.channels:
        raise ValueError(
            f"dataset {dataset!r} has {spec.channels} channel(s), the samples have "
            f"{samples.shape[-1]} (shape {samples.shape}); choose a dataset with "
            f"{samples.shape[-1]} channel(s)"
        )
    if spec.kind in ("image", "video"):
        image_size = image_size or samples.shape[-2]
    if spec.kind == "video":
        num_frames = num_frames or samples.shape[1]

    def render(offset):
        return data.load_arrays(
            dataset,
            num,
            image_size=image_size or 32,
            num_frames=num_frames or 16,
            seed=seed + offset,
        )

    (real, _), (base, base_labels) = (
        render(REAL_SEED_OFFSET),
        render(BASELINE_SEED_OFFSET),
    )
    result = {
        "dataset": dataset,
        "kind": spec.kind,
        "num": int(num),
        "seed": int(seed),
        "sample_shape": list(samples.shape[1:]),
        "real_seeds": {
            "reference": seed + REAL_SEED_OFFSET,
            "baseline": seed + BASELINE_SEED_OFFSET,
        },
        "extractors": {},
        "skipped": {},
    }
    skipped = result["skipped"]

    if spec.kind == "image":
        if dataset in OFFLINE_DIGITS:
            clf = classifiers.load_digit_classifier()
            reference = clf.features(real)
            result["extractors"]["image"] = _extractor_info(clf)
            result["generated"] = _image_metrics(samples, reference, requested_labels, seed)
            result["baseline"] = _image_metrics(
                base, reference, None if requested_labels is None else base_labels, seed
            )
            if requested_labels is None:
                skipped["conditional_accuracy"] = "the model is not class-conditional"
        else:
            reason = (
                f"no offline feature extractor for {dataset!r} (only for {sorted(OFFLINE_DIGITS)})"
            )
            for key in ("fid", "kid", "precision", "recall", "class_coverage"):
                skipped[key] = reason
            result["generated"] = {"pixel_diversity": _pixel_diversity(samples)}
            result["baseline"] = {"pixel_diversity": _pixel_diversity(base)}
    elif spec.kind == "video":
        if dataset in OFFLINE_VIDEOS:
            reference = None
            if samples.shape[1] >= classifiers.MIN_VIDEO_FRAMES:
                vclf = classifiers.load_video_classifier()
                reference = vclf.features(real)
                result["extractors"]["video"] = _extractor_info(vclf)
            else:
                reason = (
                    f"clips of T={samples.shape[1]} frames are too short for the video classifier "
                    f"(T >= {classifiers.MIN_VIDEO_FRAMES})"
                )
                for key in ("fvd", "kid", "precision", "recall", "motion_coverage"):
                    skipped[key] = reason
            result["extractors"]["frames"] = _extractor_info(classifiers.load_digit_classifier())
            result["generated"] = _video_metrics(samples, reference, seed)
            result["baseline"] = _video_metrics(base, reference, seed)
        else:
            reason = (
                f"no offline evaluator for {dataset!r} (the shipped classifiers read single grey "
                "moving digits); with network access use tfvidgan.metrics.pretrained.i3d_features "
                "for an I3D FVD"
            )
            for key in (
                "fvd",
                "kid",
                "precision",
                "recall",
                "recognisable_frames",
                "digit_coverage",
                "clip_consistency",
            ):
                skipped[key] = reason
            result["generated"] = _plain_video_metrics(samples)
            result["baseline"] = _plain_video_metrics(base)
    else:
        reason = "1-D samples are compared through their moments and 1-D distances"
        for key in ("fid", "kid", "precision", "recall"):
            skipped[key] = reason
        result["generated"] = _vector_metrics(samples, real)
        result["baseline"] = _vector_metrics(base, real)
    return result


def _names_of_kind(kind):
    return [n for n in data.dataset_names() if data.get_spec(n).kind == kind]


def _kind_of(samples):
    return {4: "image", 5: "video", 2: "vector"}.get(np.ndim(samples), "matching")


def _pixel_diversity(x, limit=256):
    """Mean pairwise pixel distance of the first ``limit`` samples (O(limit^2) pairs)."""
    from tfvidgan.metrics import diversity

    return diversity.sample_diversity(x[:limit])


def _json_safe(value):
    """NaN/inf -> None, NumPy scalars/arrays -> Python, recursively (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def evaluate_run(run_dir, num=DEFAULT_NUM, real=None, seed=0, out=None) -> dict:
    """Evaluate the run in ``run_dir``; write ``<run>/eval.json`` (or ``out``); return the results.

    Args:
        run_dir: a folder written by ``tfvidgan train``.
        num: samples to generate, and size of each real set (>= 16). 1000 by
            default; use 2048 or more for numbers to report (FID/FVD are
            biased upwards for small N: compare only numbers with the same N).
        real: dataset to compare with (default: the one the run trained on).
        seed: seed of the generator's noise; the real sets use ``seed + 10000``
            and ``seed + 20000``.
        out: path of the JSON file (default ``<run_dir>/eval.json``).

    Raises:
        FileNotFoundError: ``run_dir`` is not a run folder.
        ValueError: unknown dataset, a dataset of another kind than the
            model's samples, or ``num`` too small.
    """
    from tfvidgan.models import get_family
    from tfvidgan.runs import check_writable
    from tfvidgan.train import load_run

    run = Path(run_dir)
    if not run.is_dir():
        raise FileNotFoundError(
            f"run folder {run} does not exist; train one with `tfvidgan train --out {run}`"
        )
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < MIN_NUM:
        raise ValueError(f"num must be an integer >= {MIN_NUM}, got {num!r}")
    if real is not None:
        data.get_spec(real)  # unknown name -> ValueError listing the valid ones
    out_path = Path(out) if out is not None else run / "eval.json"
    check_writable(out_path.parent)

    start = time.monotonic()
    model, cfg = load_run(run)
    dataset = real or cfg.data
    family = get_family(cfg.model)
    spec, kind = data.get_spec(dataset), family.kind
    if spec.kind != kind:
        raise ValueError(
            f"a {cfg.model!r} run makes {kind} samples, but {dataset!r} holds {spec.kind} data; "
            f"choose --real among {_names_of_kind(kind)}"
        )
    if kind != "vector" and spec.channels != cfg.channels:
        raise ValueError(
            f"a {cfg.model!r} run on {cfg.data!r} makes {cfg.channels}-channel samples, but "
            f"{dataset!r} has {spec.channels} channel(s); choose --real among "
            f"{[n for n in _names_of_kind(kind) if data.get_spec(n).channels == cfg.channels]}"
        )
    requested = None
    if family.conditional:
        requested = (np.arange(num) % cfg.num_classes).astype(np.int64)
        samples = model.sample(int(num), labels=requested, seed=seed)
    else:
        samples = model.sample(int(num), seed=seed)
    results = evaluate_samples(
        samples,
        dataset,
        requested_labels=requested,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=seed,
    )
    results = {
        "run": str(run),
        "model": cfg.model,
        "train_dataset": cfg.data,
        **results,
        "seconds": round(time.monotonic() - start, 1),
    }
    results = _json_safe(results)
    out_path.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")
    results["path"] = str(out_path)
    return results


# ---------------------------------------------------------------------------
# Presentation and the command line
# ---------------------------------------------------------------------------

# (key, label) in table order; a key "a.b" reads results[...]["a"]["b"].
_TABLE_ROWS = [
    ("fid", "FID (digit-classifier features)"),
    ("fvd", "FVD (video-classifier features)"),
    ("kid", "KID"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("density", "density"),
    ("coverage", "coverage"),
    ("class_coverage", "class coverage"),
    ("recognisable", "recognisable samples (p >= 0.9)"),
    ("classifier_score", "classifier score (IS formula)"),
    ("conditional_accuracy", "conditional accuracy"),
    ("recognisable_frames", "recognisable frames (p >= 0.9)"),
    ("digit_coverage", "digit coverage"),
    ("clip_consistency", "clip consistency"),
    ("motion_coverage", "motion-class coverage"),
    ("motion.frame_difference_energy", "frame-difference energy"),
    ("motion.frozen_fraction", "frozen clips"),
    ("motion.looping_fraction", "looping clips"),
    ("motion.temporal_ssim", "temporal SSIM"),
    ("motion.flow_mean_magnitude", "optical-flow magnitude (px/frame)"),
    ("mean", "mean"),
    ("std", "std"),
    ("real_mean", "real mean"),
    ("real_std", "real std"),
    ("wasserstein_1", "Wasserstein-1"),
    ("ks_statistic", "KS statistic"),
    ("pixel_diversity", "pixel diversity"),
]


def _lookup(metrics, key):
    value = metrics
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "-"
        return f"{value:.1f}" if abs(value) >= 100 else f"{value:.4g}"
    return str(value)


def format_table(results) -> str:
    """A short Markdown table: one row per metric, columns generated | real vs real."""
    gen, base = results.get("generated", {}), results.get("baseline", {})
    title = (
        f"**{results.get('model', '?')}** run `{results.get('run', '?')}` vs real "
        f"`{results.get('dataset', '?')}` ({results.get('num', '?')} samples each)"
    )
    lines = [title, "", "| metric | generated | real vs real |", "|---|---:|---:|"]
    for key, label in _TABLE_ROWS:
        g, b = _lookup(gen, key), _lookup(base, key)
        if g is None and b is None:
            continue
        lines.append(f"| {label} | {_fmt(g)} | {_fmt(b)} |")
    skipped = results.get("skipped") or {}
    if skipped:
        reasons = {}
        for metric, reason in skipped.items():
            reasons.setdefault(reason, []).append(metric)
        lines.append("")
        for reason, metrics in reasons.items():
            lines.append(f"skipped {', '.join(metrics)}: {reason}")
    return "\n".join(lines)
