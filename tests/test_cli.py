"""The command line (tfvidgan.cli): train, resume, sample, data, demo, and every user error."""

import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tfvidgan import train
from tfvidgan.cli import build_parser, main
from tfvidgan.models import FAMILIES
from tfvidgan.video_io import read_video, to_uint8


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def vgan_run(tmp_path_factory):
    """A tiny trained video GAN run folder (4 steps), shared by the sampling tests."""
    out = tmp_path_factory.mktemp("vgan") / "run"
    assert main(["train", "--model", "vgan", "--preset", "tiny", "--out", str(out)]) == 0
    return out


# --- train ----------------------------------------------------------------------


def test_train_writes_a_complete_run_folder(vgan_run):
    for name in (
        "config.json",
        "history.csv",
        "checkpoint.json",
        "samples.gif",
        "samples.mp4",
        "samples.png",
        "loss_curve.png",
    ):
        assert (vgan_run / name).exists(), name
    info = json.loads((vgan_run / "checkpoint.json").read_text())
    assert info["step"] == 4 and (vgan_run / info["latest"] / "optimizers.npz").exists()
    gif = read_video(vgan_run / "samples.gif")
    assert gif.shape[0] == 8  # the tiny preset's frame count


def test_resume_from_the_command_line(vgan_run, tmp_path, capsys):
    out = shutil.copytree(vgan_run, tmp_path / "run")
    code, stdout, err = run(
        capsys, "train", "--model", "vgan", "--preset", "tiny", "--steps", "6", "--out", str(out)
    )
    assert code == 0, err
    assert "trained 2 steps" in stdout and f"run folder: {out}" in stdout
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 6
    assert json.loads((out / "config.json").read_text())["steps"] == 6


def test_flags_of_every_config_field_reach_the_config():
    args = build_parser().parse_args(
        ["train", "--model", "dcgan", "--out", "x", "--d-lr", "0.001", "--spectral-norm"]
    )
    assert (args.d_lr, args.spectral_norm, args.g_lr, args.verbose) == (0.001, True, None, False)
    args = build_parser().parse_args(
        ["train", "--model", "dcgan", "--out", "x", "--no-spectral-norm"]
    )
    assert args.spectral_norm is False


def test_the_generator_weight_average_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = run(
        capsys, "train", "--model", "dcgan", "--preset", "tiny", "--ema", "0.5", "--out", str(out)
    )
    assert code == 0, err
    model, cfg = train.load_run(out)
    assert cfg.ema == 0.5 and model.g_optimizer.use_ema
    code, _, err = run(
        capsys, "sample", "--run", str(out), "--num", "3", "--out", str(tmp_path / "s.npz")
    )
    assert code == 0, err
    with np.load(tmp_path / "s.npz") as saved:
        images = saved["images"]
    assert images.shape == (3, 32, 32, 1) and images.dtype == np.uint8
    # `tfvidgan sample` draws from the average (model.sample does), with --seed 0
    np.testing.assert_array_equal(images, to_uint8(model.sample(3, seed=0)))
    model.g_optimizer.use_ema = False
    assert not np.array_equal(images, to_uint8(model.sample(3, seed=0)))  # the last weights
    code, _, err = run(
        capsys, "sample", "--run", str(out), "--num", "4", "--out", str(tmp_path / "s.png")
    )
    assert code == 0 and read_video_png_size(tmp_path / "s.png") == (2 * 33 - 1, 2 * 33 - 1)
    code, _, err = run(capsys, "sample", "--run", str(out), "--out", str(tmp_path / "s.gif"))
    assert code == 2 and "a 'dcgan' model makes images: write .npz or .png" in err
    for bad, message in (
        (["--model", "dcgan", "--ema", "1.5"], "ema=1.5 is not possible"),
        (["--model", "vae", "--ema", "0.9"], "ema is not an option of the 'vae' family"),
    ):
        code, _, err = run(
            capsys, "train", *bad, "--preset", "tiny", "--out", str(tmp_path / "bad")
        )
        assert code == 2 and message in err, err


def read_video_png_size(path):
    from PIL import Image

    return Image.open(path).size


# --- sample ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".webm", ".png"])
def test_sample_video_files(vgan_run, tmp_path, capsys, suffix):
    out = tmp_path / f"s{suffix}"
    code, stdout, err = run(
        capsys, "sample", "--run", str(vgan_run), "--num", "4", "--out", str(out)
    )
    assert code == 0, err
    assert f"wrote 4 samples to {out}" in stdout
    if suffix == ".png":
        assert read_video_png_size(out) == (8 * 33 - 1, 4 * 33 - 1)  # a clip per row, 8 frames
    else:
        assert read_video(out).shape[0] == 8


def test_sample_npz_of_videos(vgan_run, tmp_path, capsys):
    out = tmp_path / "s.npz"
    assert run(capsys, "sample", "--run", str(vgan_run), "--num", "3", "--out", str(out))[0] == 0
    with np.load(out) as saved:
        assert set(saved) == {"videos"}
        videos = saved["videos"]
    assert videos.shape == (3, 8, 32, 32, 1) and videos.dtype == np.uint8
    again = tmp_path / "again.npz"
    assert run(capsys, "sample", "--run", str(vgan_run), "--num", "3", "--out", str(again))[0] == 0
    np.testing.assert_array_equal(np.load(again)["videos"], videos)  # --seed 0 by default


def test_sample_refuses_labels_and_codes_a_run_does_not_have(vgan_run, tmp_path, capsys):
    out = str(tmp_path / "s.npz")
    code, _, err = run(capsys, "sample", "--run", str(vgan_run), "--label", "3", "--out", out)
    assert code == 2 and "--label needs a conditional run" in err and "'vgan' run" in err
    code, _, err = run(capsys, "sample", "--run", str(vgan_run), "--code", "1", "--out", out)
    assert code == 2 and "--code needs a run trained with --info-codes" in err


def test_sample_conditional_with_label(tmp_path, capsys):
    run_dir = tmp_path / "cgan"
    assert (
        run(capsys, "train", "--model", "cgan", "--preset", "tiny", "--out", str(run_dir))[0] == 0
    )
    out = tmp_path / "s.npz"
    args = ("sample", "--run", str(run_dir), "--num", "5")
    assert run(capsys, *args, "--label", "7", "--out", str(out))[0] == 0
    saved = np.load(out)
    assert saved["images"].shape == (5, 32, 32, 1) and list(saved["labels"]) == [7] * 5
    assert run(capsys, *args, "--out", str(out))[0] == 0
    assert list(np.load(out)["labels"]) == [0, 1, 2, 3, 4]  # cycles through the classes
    code, _, err = run(capsys, *args, "--label", "12", "--out", str(out))
    assert code == 2 and "--label must be in [0, 9], got 12" in err


def test_infogan_run_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "info"
    args = ("train", "--model", "dcgan", "--preset", "tiny", "--info-codes", "4", "--out", str(out))
    assert run(capsys, *args)[0] == 0
    model, cfg = train.load_run(out)
    assert cfg.info_codes == 4 and model.info_codes == 4
    sample = ("sample", "--run", str(out), "--num", "3")
    code, _, err = run(capsys, *sample, "--code", "2", "--out", str(tmp_path / "c.npz"))
    assert code == 0, err
    with np.load(tmp_path / "c.npz") as saved:
        assert saved["images"].shape == (3, 32, 32, 1) and saved["codes"].tolist() == [2, 2, 2]
    code, _, err = run(capsys, *sample, "--code", "4", "--out", str(tmp_path / "d.npz"))
    assert code == 2 and "--code" in err and "[0, 3]" in err
    tiny = ("train", "--preset", "tiny", "--out", str(tmp_path / "x"))
    for argv, message in (
        (["--model", "cgan", "--info-codes", "4"], "info_codes is not an option of the 'cgan'"),
        (["--model", "dcgan", "--info-codes", "1"], "info_codes=1 is not possible"),
        (
            ["--model", "dcgan", "--info-codes", "4", "--info-weight", "-1"],
            "info_weight must be >= 0",
        ),
    ):
        code, _, err = run(capsys, *tiny, *argv)
        assert code == 2 and message in err, err


def test_pack_flag_trains_a_pacgan_and_refuses_bad_settings(tmp_path, capsys):
    code, out, err = run(
        capsys,
        "train",
        "--model",
        "vgan",
        "--preset",
        "tiny",
        "--pack",
        "2",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 0, err
    model, cfg = train.load_run(tmp_path / "p")  # rebuilt with a discriminator for 2 stacked clips
    assert cfg.pack == 2 and model.discriminator.input_shape[-1] == 2 * cfg.channels
    for argv, message in (
        (
            ["--model", "vgan", "--pack", "3"],
            "pack=3 needs a batch size that is a multiple of it, got 4",
        ),
        (["--model", "cgan", "--pack", "2"], "pack is not an option of the 'cgan' family"),
        (["--model", "dcgan", "--pack", "2", "--info-codes", "4"], "InfoGAN code per sample"),
    ):
        code, _, err = run(capsys, "train", *argv, "--preset", "tiny", "--out", str(tmp_path / "x"))
        assert code == 2 and message in err and "Traceback" not in err, err


# --- data -------------------------------------------------------------------------


def test_data_export_and_list(tmp_path, capsys):
    out = tmp_path / "md.npz"
    code, stdout, _ = run(
        capsys,
        "data",
        "export",
        "--dataset",
        "moving_digits",
        "--num",
        "6",
        "--num-frames",
        "8",
        "--out",
        str(out),
    )
    assert code == 0 and f"wrote 6 examples of moving_digits to {out}" in stdout
    saved = np.load(out)
    assert saved["videos"].shape == (6, 8, 32, 32, 1) and saved["videos"].dtype == np.uint8
    assert saved["labels"].shape == (6, 2) and saved["labels"][:, 0].max() <= 9
    code, stdout, _ = run(capsys, "data", "list")
    names = [line.split()[0] for line in stdout.splitlines()]
    assert code == 0 and {"digits", "moving_digits", "gaussian1d"} <= set(names)


# --- errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--model", "nope", "--out", "{tmp}/x"], "choose one of " + ", ".join(FAMILIES)),
        (["train", "--model", "dcgan", "--data", "nope", "--out", "{tmp}/x"], "moving_digits"),
        (["train", "--model", "vgan", "--data", "digits", "--out", "{tmp}/x"], "needs video data"),
        (
            [
                "train",
                "--model",
                "dcgan",
                "--preset",
                "tiny",
                "--image-size",
                "30",
                "--out",
                "{tmp}/x",
            ],
            "image_size=30 is not possible",
        ),
        (
            ["train", "--model", "dcgan", "--preset", "tiny", "--out", "{tmp}/file/x"],
            "cannot write to output folder",
        ),
        (["train", "--model", "dcgan", "--preset", "huge", "--out", "{tmp}/x"], "unknown preset"),
        (
            ["train", "--model", "vae", "--preset", "tiny", "--pack", "2", "--out", "{tmp}/x"],
            "pack is not an option of the 'vae' family",
        ),
        (["sample", "--run", "{tmp}/missing", "--out", "{tmp}/s.gif"], "not a tfvidgan run folder"),
        (["sample", "--run", "{tmp}", "--out", "{tmp}/s.txt"], "must end in .npz"),
        (
            ["sample", "--run", "{tmp}", "--num", "0", "--out", "{tmp}/s.gif"],
            "--num must be at least 1",
        ),
        (
            ["data", "export", "--dataset", "nope", "--num", "2", "--out", "{tmp}/d.npz"],
            "moving_digits",
        ),
    ],
)
def test_user_errors_exit_2_with_a_message(tmp_path, capsys, argv, message):
    (tmp_path / "file").write_text("not a folder")
    code, _, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith(f"tfvidgan {argv[0]}: error: ")


def test_foreign_or_damaged_checkpoints_are_refused(vgan_run, tmp_path, capsys):
    code, _, err = run(
        capsys, "train", "--model", "dcgan", "--preset", "tiny", "--out", str(vgan_run)
    )
    assert code == 2 and "holds a 'vgan' run" in err
    # a run folder whose config was edited to another architecture
    other = tmp_path / "other"
    other.mkdir()
    for name in ("checkpoint.json", "config.json"):
        (other / name).write_text((vgan_run / name).read_text())
    latest = json.loads((vgan_run / "checkpoint.json").read_text())["latest"]
    (other / latest).symlink_to(vgan_run / latest)
    cfg = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**cfg, "base_filters": 8}))
    code, _, err = run(capsys, "sample", "--run", str(other), "--out", str(tmp_path / "s.gif"))
    assert code == 2 and "does not fit this model" in err
    # a run whose only checkpoint lost half of a weights file
    damaged = tmp_path / "damaged"
    shutil.copytree(vgan_run, damaged, ignore=shutil.ignore_patterns("logs"))
    for folder in damaged.glob("ckpt-*"):
        weights = folder / "generator.weights.h5"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    code, _, err = run(capsys, "sample", "--run", str(damaged), "--out", str(tmp_path / "s.gif"))
    assert code == 2 and "damaged" in err


# --- start-up: --help without TensorFlow, --verbose ------------------------------


def _python(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_help_and_the_package_import_do_not_load_tensorflow():
    code = (
        "import sys, tfvidgan, tfvidgan.cli\n"
        "try:\n"
        "    tfvidgan.cli.main(['--help'])\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code)\n"
        "print('tensorflow' in sys.modules, tfvidgan.__version__, tfvidgan.TrainConfig.__name__)\n"
    )
    result = _python("-c", code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-2:] == ["exit 0", "False 0.1.0 TrainConfig"]
    assert "demo" in result.stdout and "sample" in result.stdout and "eval" in result.stdout


def test_console_script_and_python_m_answer_help():
    for module in ("tfvidgan.cli", "tfvidgan"):
        result = _python("-m", module, "--help")
        assert result.returncode == 0 and "demo" in result.stdout and "sample" in result.stdout
    script = os.path.join(os.path.dirname(sys.executable), "tfvidgan")
    if os.path.exists(script):  # installed with pip install -e .
        assert subprocess.run([script, "--help"], capture_output=True).returncode == 0


def test_every_command_takes_verbose():
    parser = build_parser()
    for argv in (
        ["demo"],
        ["train", "--model", "dcgan", "--out", "x"],
        ["sample", "--run", "r", "--out", "s.gif"],
        ["eval", "--run", "r"],
        ["data", "list"],
    ):
        assert parser.parse_args(argv).verbose is False
        assert parser.parse_args([*argv[:1], "--verbose", *argv[1:]]).verbose is True


_TF_LINE = re.compile(r"^[IWEF]\d{4} .*\b(\w+)\.cc:\d+\]", re.MULTILINE)


@pytest.mark.slow
def test_tensorflow_start_up_lines_show_only_with_verbose(tmp_path):
    """TensorFlow's C++ lines (cudart_stub, cuInit, cpu_feature_guard, ...) go to stderr
    only with --verbose; the run itself is the same."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    bare = _python("-c", "import tensorflow", env=env)
    startup = set(_TF_LINE.findall(bare.stderr))  # e.g. {"port", "cudart_stub", ...}
    cli = ("-m", "tfvidgan", "train", "--model", "gaussian", "--preset", "tiny", "--steps", "10")
    quiet = _python(*cli, "--out", str(tmp_path / "q"), env=env)
    loud = _python(*cli, "--out", str(tmp_path / "l"), "--verbose", env=env)
    assert quiet.returncode == 0 and loud.returncode == 0, quiet.stderr + loud.stderr
    assert "trained 10 steps" in quiet.stdout and "trained 10 steps" in loud.stdout
    assert not _TF_LINE.search(quiet.stderr), quiet.stderr
    assert "cudart_stub" not in quiet.stderr and "cuInit" not in quiet.stderr
    assert startup <= set(_TF_LINE.findall(loud.stderr)), (startup, loud.stderr)


# --- demo ---------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_command_trains_the_video_gan_and_says_where_its_files_are(tmp_path, capsys):
    out = tmp_path / "demo"
    code, stdout, err = run(capsys, "demo", "--out", str(out), "--steps", "3", "--minutes", "2")
    assert code == 0, err
    assert "MoCoGAN, sprite motion" in stdout and "at most 3 steps / 2 min" in stdout
    for name in ("samples.gif", "samples.mp4", "samples.png", "loss_curve.png", "checkpoint.json"):
        assert (out / name).exists() and str(out / name) in stdout, name
    _, cfg = train.load_run(out)
    assert (cfg.model, cfg.num_frames, cfg.image_size, cfg.sprite) == ("mocogan", 8, 32, 16)
    assert read_video(out / "samples.gif").shape[0] == cfg.num_frames
    assert read_video(out / "samples.mp4").shape[0] == cfg.num_frames
    code, stdout, _ = run(capsys, "demo", "--out", str(out), "--steps", "3")
    # run again: resumes, nothing left to do
    assert code == 0 and "already has 3 of 3 steps" in stdout
