"""tfvidgan.checkpoint and the Checkpoint callback: resume that loses nothing (issue 16).

Every family of the registry is covered through the model protocol: a run
trained in two pieces ends where the uninterrupted run ends (weights, both
optimizers, every noise generator), also after ``kill -9`` mid-run. Damaged
checkpoints are skipped with a warning naming them, a failed write leaves the
previous checkpoint intact, and nonsense steps and intervals are refused.
"""

import errno
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from tfvidgan import checkpoint, cli, models, train
from tfvidgan.callbacks import Checkpoint, NaNGuard
from tfvidgan.config import get_config

ROOT = Path(__file__).resolve().parents[1]
FIRST = next(iter(models.FAMILIES))  # any family will do where the family does not matter
VIDEO = next(n for n, f in models.FAMILIES.items() if f.kind == "video")


def _build(family=FIRST, **overrides):
    model = models.build(train.resolve_data(get_config(family, "tiny", **overrides)))
    model.build_optimizers()
    return model


def _state(model) -> dict:
    """Every number a resumed run depends on: networks, optimizers, noise generators."""
    items = model.checkpoint_items()
    out = {}
    for name, obj in items.items():
        for i, v in enumerate(obj.variables):
            out[f"{name}/{i}"] = np.array(v)
    for i, v in enumerate(checkpoint.seed_states(model)):
        out[f"seed/{i}"] = np.array(v)
    return out


def _assert_same_state(a: dict, b: dict, rtol=1e-5, atol=1e-6):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=atol, err_msg=key)


def _fit(model, steps):
    """Advance ``model`` by ``steps`` steps of the first batches of its own tiny data."""
    cfg = train.resolve_data(get_config(FIRST, "tiny"))
    model.fit(train.make_dataset(cfg), epochs=1, steps_per_epoch=steps, verbose=0)


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


# --- the round trip ----------------------------------------------------------------


def test_restore_gives_back_weights_optimizers_and_every_noise_state(tmp_path):
    model = _build()
    _fit(model, 2)
    keras.random.normal((3,), seed=model.seed_generator)  # move the noise stream on
    checkpoint.save_checkpoint(model, tmp_path)
    fresh = _build()
    assert _state(fresh)["seed/0"].tolist() != _state(model)["seed/0"].tolist()
    assert checkpoint.restore_checkpoint(fresh, tmp_path) == 2
    _assert_same_state(_state(model), _state(fresh), rtol=0, atol=0)
    # the restored noise stream goes on as the original one does
    np.testing.assert_array_equal(
        keras.random.normal((4,), seed=model.seed_generator),
        keras.random.normal((4,), seed=fresh.seed_generator),
    )


def test_layer_seed_generators_are_saved_too(tmp_path):
    """Layers with their own noise (RandomFrames, Sampling) resume their stream as well."""
    for family in models.FAMILIES:
        model = _build(family)
        states = checkpoint.seed_states(model)
        if len(states) > 1:
            break
    else:
        pytest.skip("no family has a layer with its own SeedGenerator")
    for v in states:
        v.assign(np.array(v) + 7)
    checkpoint.save_checkpoint(model, tmp_path)
    fresh = _build(family)
    checkpoint.restore_checkpoint(fresh, tmp_path)
    for a, b in zip(states, checkpoint.seed_states(fresh)):
        np.testing.assert_array_equal(np.array(a), np.array(b))


def test_saves_keep_the_newest_few_and_the_index_names_the_latest(tmp_path):
    model = _build()
    for _ in range(4):
        _fit(model, 1)
        checkpoint.save_checkpoint(model, tmp_path, keep=2)
    names = sorted(p.name for p in tmp_path.glob("ckpt-*"))
    assert names == ["ckpt-000003", "ckpt-000004"]
    index = json.loads((tmp_path / "checkpoint.json").read_text())
    assert (index["latest"], index["step"]) == ("ckpt-000004", 4)
    manifest = json.loads((tmp_path / "ckpt-000004" / "manifest.json").read_text())
    assert manifest["batches"] == 4 and set(manifest["files"]) >= {"optimizers.npz", "noise.npz"}
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    "family",  # 20-40 s each on 2 shared cores: only the first family is in the fast suite
    [pytest.param(f, marks=() if f == FIRST else pytest.mark.slow) for f in models.FAMILIES],
)
def test_a_run_in_two_pieces_ends_where_the_uninterrupted_run_ends(family, tmp_path):
    """3 steps, resume, 2 more == 5 steps: data position, noise and optimizers all resume."""
    cfg = get_config(family, "tiny", steps=5, steps_per_epoch=5, checkpoint_every=1)
    whole = train.train(cfg, tmp_path / "whole", verbose=0, write_outputs=False)
    train.train(
        get_config(family, "tiny", steps=3, steps_per_epoch=5, checkpoint_every=1),
        tmp_path / "pieces",
        verbose=0,
        write_outputs=False,
    )
    resumed = train.train(cfg, tmp_path / "pieces", verbose=0, write_outputs=False)
    assert whole.trained_steps == resumed.trained_steps == 5
    _assert_same_state(_state(whole), _state(resumed))


# --- damage and failure ---------------------------------------------------------------


def _three_checkpoints(tmp_path):
    model = _build()
    for _ in range(3):
        _fit(model, 1)
        checkpoint.save_checkpoint(model, tmp_path)
    return model


def test_a_truncated_latest_checkpoint_falls_back_to_the_previous_with_a_warning(tmp_path):
    _three_checkpoints(tmp_path)
    weights = next((tmp_path / "ckpt-000003").glob("generator*.h5"), None) or next(
        (tmp_path / "ckpt-000003").glob("*.weights.h5")
    )
    weights.write_bytes(weights.read_bytes()[:100])  # a disk that filled up, a copy cut short
    with pytest.warns(checkpoint.CheckpointWarning, match="ckpt-000003 is damaged") as caught:
        step = checkpoint.restore_checkpoint(_build(), tmp_path)
    assert step == 2
    assert "resuming from the older ckpt-000002" in str(caught[0].message)


def test_a_damaged_run_resumes_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--model", FIRST, "--preset", "tiny", "--out", str(out)]
    assert _run(capsys, *argv, "--steps", "4", "--checkpoint-every", "1")[0] == 0
    (out / "ckpt-000004" / "optimizers.npz").write_bytes(b"not a checkpoint")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, text = _run(capsys, *argv, "--steps", "6")
    assert code == 0, text
    assert any("ckpt-000004 is damaged" in str(w.message) for w in caught)
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 6
    assert "made with another configuration" not in text


def test_every_checkpoint_damaged_says_so(tmp_path):
    _three_checkpoints(tmp_path)
    for folder in tmp_path.glob("ckpt-*"):
        (folder / "noise.npz").unlink()
    with pytest.raises(checkpoint.CheckpointError, match="every checkpoint .* is damaged"):
        checkpoint.restore_checkpoint(_build(), tmp_path)


def test_a_checkpoint_of_another_configuration_is_not_called_damaged(tmp_path):
    model = _build(latent_dim=4)
    checkpoint.save_checkpoint(model, tmp_path)
    with pytest.raises(checkpoint.CheckpointError, match="made with another configuration"):
        checkpoint.restore_checkpoint(_build(latent_dim=6), tmp_path)


def test_a_failed_write_stops_with_a_clear_message_and_keeps_the_previous(tmp_path, monkeypatch):
    model = _three_checkpoints(tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "ckpt-000003").iterdir()}
    _fit(model, 1)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(checkpoint.np, "savez", disk_full)
    with pytest.raises(checkpoint.CheckpointWriteError) as err:
        checkpoint.save_checkpoint(model, tmp_path)
    message = str(err.value)
    assert "No space left on device" in message and "ckpt-000003 is intact" in message
    assert not list(tmp_path.glob("*.tmp")) and not (tmp_path / "ckpt-000004").exists()
    assert {p.name: p.read_bytes() for p in (tmp_path / "ckpt-000003").iterdir()} == before
    assert json.loads((tmp_path / "checkpoint.json").read_text())["step"] == 3


def test_a_failed_write_during_training_exits_2_from_the_command_line(
    tmp_path, capsys, monkeypatch
):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(checkpoint.np, "savez", disk_full)
    code, text = _run(
        capsys, "train", "--model", FIRST, "--preset", "tiny", "--out", str(tmp_path / "r")
    )
    assert code == 2 and "could not write checkpoint" in text and "none was kept" in text


# --- when the callback saves --------------------------------------------------------


def _saves(callback, steps, clock=None):
    model = _build()
    saved = []
    spy = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: saved.append(
            json.loads((callback.run_dir / "checkpoint.json").read_text())["step"]
            if (callback.run_dir / "checkpoint.json").exists()
            else None
        )
    )
    cfg = train.resolve_data(get_config(FIRST, "tiny"))
    model.fit(
        train.make_dataset(cfg), epochs=1, steps_per_epoch=steps, verbose=0,
        callbacks=[callback, spy],
    )  # fmt: skip
    return saved


def test_checkpoint_every_n_steps_and_at_the_end(tmp_path):
    saved = _saves(Checkpoint(tmp_path, every_epochs=0, every_steps=2), steps=5)
    assert saved == [None, 2, 2, 4, 4]
    assert sorted(p.name for p in tmp_path.glob("ckpt-*")) == [
        "ckpt-000002",
        "ckpt-000004",
        "ckpt-000005",
    ]


def test_checkpoint_every_m_minutes(tmp_path, monkeypatch):
    from tfvidgan.callbacks import checkpointing

    now = [1000.0]
    monkeypatch.setattr(checkpointing.time, "monotonic", lambda: now[0])
    callback = Checkpoint(tmp_path, every_epochs=0, every_minutes=2)
    model = _build()
    callback.set_model(model)
    callback.on_train_begin()
    for step, minutes in ((1, 1.0), (2, 2.5), (3, 3.0), (4, 5.0)):
        model.g_optimizer.iterations.assign(step)
        now[0] = 1000.0 + 60 * minutes
        callback.on_train_batch_end(step)
    assert sorted(p.name for p in tmp_path.glob("ckpt-*")) == ["ckpt-000002", "ckpt-000004"]


def test_nothing_is_saved_after_the_guard_tripped(tmp_path):
    guard = NaNGuard()
    guard.tripped = "d_loss became non-finite at step 1"
    _saves(Checkpoint(tmp_path, every_steps=1, nan_guard=guard), steps=2)
    assert not list(tmp_path.glob("ckpt-*"))


def test_a_run_that_diverges_before_its_first_checkpoint_says_none_was_kept(tmp_path, monkeypatch):
    from tfvidgan.callbacks import alarms

    def trip(self, batch, logs=None):
        self.tripped = "d_loss became non-finite at step 1"
        self.model.stop_training = True

    monkeypatch.setattr(alarms.WeightGuard, "on_train_batch_end", trip)
    with pytest.raises(train.TrainingDiverged, match="No checkpoint was written") as err:
        train.train(get_config(FIRST, "tiny"), tmp_path, verbose=0, write_outputs=False)
    assert "last good checkpoint" not in str(err.value)


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--steps", "-5"], "--steps must be at least 1, got -5"),
        (["--steps", "0"], "--steps must be at least 1"),
        (["--steps-per-epoch", "0"], "--steps-per-epoch must be at least 1"),
        (["--checkpoint-every", "-1"], "--checkpoint-every must be positive"),
        (["--checkpoint-minutes", "-2"], "--checkpoint-minutes must be positive"),
        (["--keep-checkpoints", "0"], "--keep-checkpoints must be at least 1"),
    ],
)
def test_nonsense_steps_and_intervals_exit_2(tmp_path, capsys, flags, message):
    out = tmp_path / "run"
    code, text = _run(
        capsys, "train", "--model", FIRST, "--preset", "tiny", "--out", str(out), *flags
    )
    assert code == 2 and message in text and "Traceback" not in text
    assert not list(out.glob("ckpt-*"))


def test_resuming_with_another_precision_exits_2(tmp_path, capsys):
    out = str(tmp_path / "run")
    argv = ["train", "--model", FIRST, "--preset", "tiny", "--out", out, "--steps", "2"]
    assert _run(capsys, *argv, "--precision", "float32")[0] == 0
    code, text = _run(capsys, *argv[:-1], "4", "--precision", "mixed_bfloat16")
    assert code == 2 and "trained in float32, not mixed_bfloat16" in text


# --- kill -9 ---------------------------------------------------------------------------


def _train_process(out, steps, *extra):
    env = {**os.environ, "TFVIDGAN_PRECISION": "float32", "TF_CPP_MIN_LOG_LEVEL": "3"}
    env["TF_DETERMINISTIC_OPS"] = "1"
    argv = [sys.executable, "-m", "tfvidgan", "train", "--model", VIDEO, "--preset", "tiny"]
    argv += ["--out", str(out), "--steps", str(steps), "--steps-per-epoch", "10"]
    argv += ["--checkpoint-every", "3", *extra]
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_and_continues_the_uninterrupted_one(tmp_path):
    steps = 60
    whole = _train_process(tmp_path / "whole", steps)
    assert whole.wait(timeout=600) == 0, whole.stdout.read().decode()[-2000:]

    killed = _train_process(tmp_path / "killed", steps)
    index = tmp_path / "killed" / "checkpoint.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and killed.poll() is None:
        if index.exists() and json.loads(index.read_text())["step"] >= 9:
            break
        time.sleep(0.05)
    assert killed.poll() is None, "the run finished before it could be killed"
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(timeout=60) == -signal.SIGKILL
    at_kill = checkpoint.latest_checkpoint(tmp_path / "killed")["step"]
    assert 9 <= at_kill < steps

    resumed = _train_process(tmp_path / "killed", steps)
    log = resumed.communicate(timeout=600)[0].decode()
    assert resumed.returncode == 0, log[-2000:]
    assert f"trained {steps - at_kill} steps" in log  # it went on from its last checkpoint

    a, _ = train.load_run(tmp_path / "whole")
    b, _ = train.load_run(tmp_path / "killed")
    assert a.trained_steps == b.trained_steps == steps
    _assert_same_state(_state(a), _state(b), rtol=1e-4, atol=1e-5)
