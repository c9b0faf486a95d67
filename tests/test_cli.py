"""The command line and the run folder: train, resume, sample, export, and every user error."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import checkpoint, train
from tfvidgan.cli import main
from tfvidgan.config import get_config
from tfvidgan.video_io import read_video


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def vgan_run(tmp_path_factory):
    """A tiny trained video GAN run folder (4 steps), shared by the sampling tests."""
    out = tmp_path_factory.mktemp("vgan")
    assert main(["train", "--model", "vgan", "--preset", "tiny", "--out", str(out)]) == 0
    return out


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


def test_resume_continues_from_the_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    assert run(capsys, "train", "--model", "dcgan", "--preset", "tiny", "--out", str(out))[0] == 0
    model, _ = train.load_run(out)
    g_before = [w.numpy().copy() for w in model.generator.weights]
    moments_before = [v.numpy().copy() for v in model.g_optimizer.variables]

    code, stdout, _ = run(
        capsys, "train", "--model", "dcgan", "--preset", "tiny", "--steps", "6", "--out", str(out)
    )
    assert code == 0 and "trained 2 steps" in stdout
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 6
    assert len(train.read_history(out / "history.csv")["epoch"]) == 3  # 2 epochs, then 1 more
    resumed, _ = train.load_run(out)
    assert int(resumed.g_optimizer.iterations) == 6
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(g_before, resumed.generator.weights))
    assert any(
        not np.allclose(a, b.numpy()) for a, b in zip(moments_before, resumed.g_optimizer.variables)
    )
    assert len(list(out.glob("ckpt-*"))) == 1  # older checkpoints are cleaned up


def test_the_generator_weight_average_is_checkpointed_and_sampled(tmp_path, capsys):
    out = tmp_path / "run"
    trained = train.train(get_config("dcgan", "tiny", ema=0.5), out, verbose=0, write_outputs=False)
    model, cfg = train.load_run(out)
    assert cfg.ema == 0.5 and model.g_optimizer.use_ema
    average = [v.numpy() for v in model.g_optimizer._model_variables_moving_average]
    assert all(
        np.allclose(a, b.numpy())
        for a, b in zip(average, trained.g_optimizer._model_variables_moving_average)
    )
    assert any(
        not np.allclose(a, w.numpy()) for a, w in zip(average, model.generator.trainable_weights)
    )
    with model.averaged_generator():  # the restored average is what sampling uses
        assert all(
            np.allclose(a, w.numpy()) for a, w in zip(average, model.generator.trainable_weights)
        )
    for bad in (["--model", "dcgan", "--ema", "1.5"], ["--model", "vae", "--ema", "0.9"]):
        code, _, err = run(
            capsys, "train", *bad, "--preset", "tiny", "--out", str(tmp_path / "bad")
        )
        assert code == 2 and "ema" in err
    from tfvidgan.data import to_uint8

    assert (
        run(capsys, "sample", "--run", str(out), "--num", "3", "--out", str(tmp_path / "s.npz"))[0]
        == 0
    )
    with np.load(tmp_path / "s.npz") as saved:
        images = saved["images"]
    assert np.array_equal(
        images, to_uint8(train.generate(model, cfg, 3))
    )  # `tfvidgan sample` draws from the average
    model.g_optimizer.use_ema = False
    assert not np.array_equal(
        images, to_uint8(train.generate(model, cfg, 3))
    )  # the last weights draw otherwise


def test_restore_gives_back_identical_weights_and_optimizer_state(tmp_path):
    cfg = train.resolve_data(get_config("cgan", "tiny"))
    model = train.build_model(cfg)
    model.fit(train.make_dataset(cfg), epochs=1, steps_per_epoch=2, verbose=0)
    checkpoint.save_checkpoint(model, tmp_path)
    fresh = train.build_model(cfg)
    assert checkpoint.restore_checkpoint(fresh, tmp_path) == 2
    for a, b in zip(
        model.discriminator.weights + model.d_optimizer.variables,
        fresh.discriminator.weights + fresh.d_optimizer.variables,
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".webm", ".png"])
def test_sample_video_files(vgan_run, tmp_path, capsys, suffix):
    out = tmp_path / f"s{suffix}"
    code, _, err = run(capsys, "sample", "--run", str(vgan_run), "--num", "4", "--out", str(out))
    assert code == 0, err
    if suffix != ".png":
        assert read_video(out).shape[0] == 8


def test_sample_npz_of_videos(vgan_run, tmp_path, capsys):
    out = tmp_path / "s.npz"
    assert run(capsys, "sample", "--run", str(vgan_run), "--num", "3", "--out", str(out))[0] == 0
    videos = np.load(out)["videos"]
    assert videos.shape == (3, 8, 32, 32, 1) and videos.dtype == np.uint8


def test_sample_conditional_with_label(tmp_path, capsys):
    run_dir = tmp_path / "cgan"
    assert (
        run(capsys, "train", "--model", "cgan", "--preset", "tiny", "--out", str(run_dir))[0] == 0
    )
    out = tmp_path / "s.npz"
    assert (
        run(
            capsys, "sample", "--run", str(run_dir), "--num", "5", "--label", "7", "--out", str(out)
        )[0]
        == 0
    )
    saved = np.load(out)
    assert saved["images"].shape == (5, 32, 32, 1) and list(saved["labels"]) == [7] * 5
    code, _, err = run(
        capsys, "sample", "--run", str(run_dir), "--num", "5", "--label", "12", "--out", str(out)
    )
    assert code == 2 and "[0, 9]" in err


def test_data_export(tmp_path, capsys):
    out = tmp_path / "md.npz"
    code, _, _ = run(
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
    assert code == 0
    saved = np.load(out)
    assert saved["videos"].shape == (6, 8, 32, 32, 1) and saved["videos"].dtype == np.uint8
    assert saved["labels"].shape == (6, 2) and saved["labels"][:, 0].max() <= 9


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["train", "--model", "nope", "--out", "{tmp}/x"],
            "choose one of gaussian, dcgan, cgan, vae, vgan",
        ),
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
        (["sample", "--run", "{tmp}/missing", "--out", "{tmp}/s.gif"], "not a tfvidgan run folder"),
        (["sample", "--run", "{tmp}", "--out", "{tmp}/s.txt"], "must end in .npz"),
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
    (other / "checkpoint.json").write_text("{broken")
    code, _, err = run(capsys, "sample", "--run", str(other), "--out", str(tmp_path / "s.gif"))
    assert code == 2 and "damaged" in err


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    cfg = get_config("dcgan", "tiny")
    train.train(cfg, tmp_path, write_outputs=False)
    before = (tmp_path / "checkpoint.json").read_text()

    def nan_dataset(cfg):
        x = np.full((cfg.batch_size, cfg.image_size, cfg.image_size, 1), np.nan, "float32")
        return tf.data.Dataset.from_tensors(x).repeat()

    monkeypatch.setattr(train, "make_dataset", nan_dataset)
    with pytest.raises(train.TrainingDiverged, match="last good checkpoint"):
        train.train(get_config("dcgan", "tiny", steps=8), tmp_path, write_outputs=False)
    assert (tmp_path / "checkpoint.json").read_text() == before
    model, _ = train.load_run(tmp_path)  # still loads
    assert int(model.g_optimizer.iterations) == 4


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "tfvidgan.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "demo" in result.stdout and "sample" in result.stdout


@pytest.mark.parametrize("preset", ["demo", "full"])
@pytest.mark.parametrize("family", ["dcgan", "cgan", "vgan"])
def test_every_preset_builds_networks_that_fit_together(family, preset):
    cfg = train.resolve_data(get_config(family, preset))
    model = train.build_model(cfg)
    z = model.sample_latents(2)
    labels = tf.constant([3, 7]) if cfg.model == "cgan" else None
    fake = model.generate(z, labels)
    frames = (cfg.num_frames,) if cfg.model == "vgan" else ()
    assert fake.shape == (2, *frames, cfg.image_size, cfg.image_size, cfg.channels)
    logits = model.discriminate(fake, labels)
    assert cfg.pack == (2 if cfg.model == "dcgan" else 1)  # the dcgan presets judge pairs (PacGAN)
    assert logits.shape[0] == 2 // cfg.pack and np.isfinite(logits.numpy()).all()


def test_infogan_run_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "info"
    args = ("train", "--model", "dcgan", "--preset", "tiny", "--info-codes", "4", "--out", str(out))
    assert run(capsys, *args)[0] == 0
    model, cfg = train.load_run(out)
    assert cfg.info_codes == 4 and model.info_codes == 4
    code, _, err = run(
        capsys,
        "sample",
        "--run",
        str(out),
        "--num",
        "3",
        "--code",
        "2",
        "--out",
        str(tmp_path / "c.npz"),
    )
    assert code == 0, err
    with np.load(tmp_path / "c.npz") as saved:
        assert saved["images"].shape == (3, 32, 32, 1) and saved["codes"].tolist() == [2, 2, 2]
    code, _, err = run(
        capsys,
        "sample",
        "--run",
        str(out),
        "--num",
        "3",
        "--code",
        "4",
        "--out",
        str(tmp_path / "d.npz"),
    )
    assert code == 2 and "--code" in err and "[0, 3]" in err
    code, _, err = run(
        capsys,
        "train",
        "--model",
        "cgan",
        "--preset",
        "tiny",
        "--info-codes",
        "4",
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 2 and "info_codes" in err
    code, _, err = run(
        capsys,
        "train",
        "--model",
        "dcgan",
        "--preset",
        "tiny",
        "--info-codes",
        "1",
        "--out",
        str(tmp_path / "y"),
    )
    assert code == 2 and "info_codes=1 is not possible" in err
    code, _, err = run(
        capsys,
        "train",
        "--model",
        "dcgan",
        "--preset",
        "tiny",
        "--info-codes",
        "4",
        "--info-weight",
        "-1",
        "--out",
        str(tmp_path / "z"),
    )
    assert code == 2 and "info_weight must be >= 0" in err


class _RecordRates(keras.callbacks.Callback):
    """Learning rates seen by each training batch (runs after the decay callback)."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        opts = (
            (self.model.d_optimizer, self.model.g_optimizer)
            if hasattr(self.model, "g_optimizer")
            else (self.model.optimizer,)
        )
        self.rates.append([float(o.learning_rate) for o in opts])


@pytest.mark.parametrize("family", ["dcgan", "vae"])
def test_learning_rates_fall_linearly_over_the_end_of_the_budget(tmp_path, family):
    record = _RecordRates()
    cfg = get_config(family, "tiny", steps=8, steps_per_epoch=4, lr_decay=0.5, d_lr=1e-3, g_lr=2e-3)
    train.train(cfg, tmp_path / "run", extra_callbacks=[record], verbose=0, write_outputs=False)
    factors = [1, 1, 1, 1, 1, 0.75, 0.5, 0.25]  # min(1, (1 - step / 8) / 0.5) before each step
    expected = (
        [[1e-3 * f, 2e-3 * f] for f in factors]
        if family == "dcgan"
        else [[2e-3 * f] for f in factors]
    )
    np.testing.assert_allclose(record.rates, expected, rtol=1e-5)

    record.rates.clear()  # resumed for 4 more steps: the decay is measured against the new budget
    train.train(
        get_config(family, "tiny", steps=12),
        tmp_path / "run",
        extra_callbacks=[record],
        verbose=0,
        write_outputs=False,
    )
    np.testing.assert_allclose(
        [r[-1] for r in record.rates], [2e-3 * f for f in (2 / 3, 1 / 2, 1 / 3, 1 / 6)], rtol=1e-5
    )


def test_learning_rate_decay_follows_the_time_budget_and_refuses_bad_fractions(
    monkeypatch, tmp_path, capsys
):
    from tfvidgan import callbacks as cb

    clock = [100.0]
    monkeypatch.setattr(cb.time, "monotonic", lambda: clock[0])
    budget = cb.TrainingBudget(max_steps=None, max_minutes=10)
    budget.on_train_begin()
    decay = cb.LearningRateDecay(budget, 0.25, 1e-3, 1e-3)
    for minutes, factor in ((0, 1.0), (7.5, 1.0), (8.75, 0.5), (10, 0.0), (12, 0.0)):
        clock[0] = 100.0 + 60 * minutes
        assert decay.factor() == pytest.approx(factor)
    with pytest.raises(ValueError, match="fraction"):
        cb.LearningRateDecay(budget, 0.0, 1e-3, 1e-3)
    code, _, err = run(
        capsys,
        "train",
        "--model",
        "dcgan",
        "--preset",
        "tiny",
        "--lr-decay",
        "1.5",
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 2 and "lr_decay=1.5 is not possible" in err


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
        (["--model", "vgan", "--pack", "3"], "multiple of it, got batch_size=4"),
        (["--model", "cgan", "--pack", "2"], "not 'cgan'"),
        (["--model", "dcgan", "--pack", "2", "--info-codes", "4"], "InfoGAN code per sample"),
    ):
        code, _, err = run(capsys, "train", *argv, "--preset", "tiny", "--out", str(tmp_path / "x"))
        assert code == 2 and message in err, err


def test_content_and_motion_codes_from_the_command_line(tmp_path, capsys):
    args = (
        "train",
        "--model",
        "vgan",
        "--preset",
        "tiny",
        "--shared-content",
        "--motion-dim",
        "4",
        "--content-modulation",
    )
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "m"))
    assert code == 0, err
    model, cfg = train.load_run(
        tmp_path / "m"
    )  # rebuilt with the split and the conditional batch norms
    assert (cfg.motion_dim, cfg.content_modulation) == (4, True)
    assert any(
        isinstance(l, keras.layers.BatchNormalization) and not l.scale
        for l in model.generator.layers
    )
    for argv, message in (
        (
            ["--motion-dim", "4"],
            "needs shared_content=True",
        ),  # the tiny preset has no shared content
        (
            ["--shared-content", "--motion-dim", "16"],
            "motion_dim=16 is not possible with latent_dim=16",
        ),
    ):
        code, _, err = run(
            capsys,
            "train",
            "--model",
            "vgan",
            "--preset",
            "tiny",
            *argv,
            "--out",
            str(tmp_path / "x"),
        )
        assert code == 2 and message in err, err


def test_demo_command_trains_the_video_gan_and_says_where_its_files_are(tmp_path, capsys):
    out = tmp_path / "demo"
    code, stdout, err = run(capsys, "demo", "--out", str(out), "--steps", "3", "--minutes", "2")
    assert code == 0, err
    assert "3-D video GAN" in stdout and "at most 3 steps / 2 min" in stdout
    for name in ("samples.gif", "samples.mp4", "samples.png", "loss_curve.png", "checkpoint.json"):
        assert (out / name).exists() and str(out / name) in stdout, name
    _, cfg = train.load_run(out)
    assert (cfg.model, cfg.num_frames, cfg.image_size) == ("vgan", 8, 32)  # the demo preset
    assert read_video(out / "samples.gif").shape[0] == cfg.num_frames
    code, stdout, _ = run(capsys, "demo", "--out", str(out), "--steps", "3")
    assert (
        code == 0 and "already has 3 of 3 steps" in stdout
    )  # run again: resumes, nothing left to do
