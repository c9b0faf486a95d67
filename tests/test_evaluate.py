"""``tfvidgan.evaluate``: offline evaluation of tiny trained runs against real data."""

import json
import math

import pytest

from tfvidgan import cli, data
from tfvidgan.evaluate import evaluate_run, evaluate_samples, format_table

NUM = 48


def finite_numbers(tree):
    """Every number in a nested dict/list (None for NaN per-class entries is allowed)."""
    if isinstance(tree, dict):
        for value in tree.values():
            yield from finite_numbers(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from finite_numbers(value)
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        yield tree


def train_tiny(root, model):
    out = root / model
    assert cli.main(["train", "--model", model, "--preset", "tiny", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return {model: train_tiny(root, model) for model in ("vgan", "cgan", "gaussian")}


def test_vgan_run(runs, capsys):
    results = evaluate_run(runs["vgan"], num=NUM)
    saved = json.loads((runs["vgan"] / "eval.json").read_text())
    assert saved["generated"]["fvd"] == results["generated"]["fvd"]
    assert results["model"] == "vgan" and results["dataset"] == "moving_digits"
    gen, base = results["generated"], results["baseline"]
    for key in (
        "fvd",
        "kid",
        "precision",
        "recall",
        "recognisable_frames",
        "digit_coverage",
        "clip_consistency",
        "motion_coverage",
    ):
        assert math.isfinite(gen[key]) and math.isfinite(base[key]), key
    assert all(math.isfinite(v) for v in finite_numbers(results))
    assert set(gen["motion"]) >= {"frozen_fraction", "temporal_ssim", "flow_mean_magnitude"}
    # the real-vs-real reference row: real clips are recognisable and consistent
    assert base["recognisable_frames"] > 0.9
    assert base["clip_consistency"] > 0.95
    assert base["digit_coverage"] == 1.0
    assert base["fvd"] < gen["fvd"]  # a 4-step GAN is far from real
    table = format_table(results)
    assert "| metric | generated | real vs real |" in table and "FVD" in table


def test_cgan_run_has_conditional_accuracy(runs):
    results = evaluate_run(runs["cgan"], num=NUM, out=runs["cgan"] / "other.json")
    assert (runs["cgan"] / "other.json").is_file()
    gen, base = results["generated"], results["baseline"]
    for key in ("fid", "kid", "precision", "recall", "class_coverage", "conditional_accuracy"):
        assert math.isfinite(gen[key]) and math.isfinite(base[key]), key
    assert len(gen["class_histogram"]) == 10
    assert base["conditional_accuracy"] > 0.9 and base["recognisable"] > 0.9
    assert base["fid"] < gen["fid"]
    assert "conditional_accuracy" not in results["skipped"]


def test_gaussian_run_reports_moments_and_skips(runs):
    results = evaluate_run(runs["gaussian"], num=256)
    gen = results["generated"]
    for key in ("mean", "std", "real_mean", "real_std", "wasserstein_1", "ks_statistic"):
        assert math.isfinite(gen[key])
    assert abs(results["baseline"]["real_mean"] - 4.0) < 0.3
    assert "fid" in results["skipped"] and "moments" in results["skipped"]["fid"]


def test_bouncing_shapes_skips_classifier_metrics():
    videos = data.to_float(data.load_arrays("bouncing_shapes", 20, num_frames=8, seed=5)[0])
    results = evaluate_samples(videos, "bouncing_shapes")
    assert "fvd" in results["skipped"] and "bouncing_shapes" in results["skipped"]["fvd"]
    assert math.isfinite(results["generated"]["motion"]["temporal_ssim"])
    assert "skipped fvd" in format_table(results)


def test_eval_command_prints_table_and_writes_json(runs, tmp_path, capsys):
    out = tmp_path / "eval" / "cgan.json"
    argv = ["eval", "--run", str(runs["cgan"]), "--num", "32", "--out", str(out)]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "conditional accuracy" in printed and str(out) in printed
    assert json.loads(out.read_text())["num"] == 32
    # without --num: the default number of samples
    assert (
        cli.main(["eval", "--run", str(runs["cgan"]), "--real", "digits", "--out", str(out)]) == 0
    )
    assert json.loads(out.read_text())["num"] == 1000
    # a user error is one line on stderr and exit status 2
    assert cli.main(["eval", "--run", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_errors(runs, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        evaluate_run(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="config.json"):
        evaluate_run(tmp_path / "empty")
    with pytest.raises(ValueError, match="unknown dataset"):
        evaluate_run(runs["vgan"], num=NUM, real="mnist")
    with pytest.raises(ValueError, match="image"):
        evaluate_run(runs["vgan"], num=NUM, real="digits")
    with pytest.raises(ValueError, match="channel"):
        evaluate_run(runs["vgan"], num=NUM, real="bouncing_shapes")
    with pytest.raises(ValueError, match="num"):
        evaluate_run(runs["vgan"], num=4)
