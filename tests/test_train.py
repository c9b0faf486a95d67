"""tfvidgan.train: resolve_data, make_dataset, train (with resume and divergence), load_run.

The checkpoint round trip (tfvidgan.checkpoint) is tested here too for now.
"""

import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import checkpoint, data, models, train
from tfvidgan.config import get_config
from tfvidgan.runs import read_history


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    """A tiny DCGAN run folder (4 steps, 2 epochs); copy it before changing it."""
    out = tmp_path_factory.mktemp("dcgan") / "run"
    train.train(get_config("dcgan", "tiny"), out, verbose=0)
    return out


def _copy(run, tmp_path):
    return shutil.copytree(run, tmp_path / "run")


# --- resolve_data and make_dataset ---------------------------------------------


def test_resolve_data_copies_channels_and_classes_from_the_dataset():
    cfg = train.resolve_data(get_config("cgan", "tiny", data="digits", channels=3, num_classes=4))
    assert (cfg.channels, cfg.num_classes) == (1, 10)
    shapes = get_config("vgan", "tiny", data="bouncing_shapes")
    assert train.resolve_data(shapes).channels == 3


def test_resolve_data_refuses_data_of_the_wrong_kind_or_without_labels(monkeypatch):
    with pytest.raises(ValueError, match="model 'vgan' needs video data, but 'digits' is image"):
        train.resolve_data(get_config("vgan", "tiny", data="digits"))
    with pytest.raises(ValueError, match="use one of \\['digits'"):
        train.resolve_data(get_config("dcgan", "tiny", data="moving_digits"))
    unlabelled = data.DatasetSpec(
        "plain", "image", 1, 0, "no labels", render=lambda *a: (None, None)
    )
    monkeypatch.setattr(data, "get_spec", lambda name: unlabelled)
    with pytest.raises(ValueError, match="model 'cgan' needs labelled data; 'plain' has no labels"):
        train.resolve_data(get_config("cgan", "tiny", data="plain"))


def test_make_dataset_yields_labels_only_for_conditional_families():
    cfg = train.resolve_data(get_config("cgan", "tiny"))
    x, y = next(iter(train.make_dataset(cfg)))
    assert x.shape == (16, 32, 32, 1) and y.shape == (16,) and y.dtype.is_integer
    assert float(tf.reduce_min(x)) >= -1 and float(tf.reduce_max(x)) <= 1
    video = next(iter(train.make_dataset(train.resolve_data(get_config("vgan", "tiny")))))
    assert isinstance(video, tf.Tensor) and video.shape == (4, 8, 32, 32, 1)


# --- train: the run folder, resume, divergence ---------------------------------


def test_train_writes_a_run_folder_that_load_run_rebuilds(dcgan_run):
    for name in ("config.json", "history.csv", "checkpoint.json", "samples.png", "loss_curve.png"):
        assert (dcgan_run / name).exists(), name
    info = json.loads((dcgan_run / "checkpoint.json").read_text())
    assert info["step"] == 4 and info["parts"] == ["discriminator", "generator"]
    model, cfg = train.load_run(dcgan_run)
    assert cfg == train.resolve_data(get_config("dcgan", "tiny"))
    assert model.trained_steps == 4 and isinstance(model, models.dcgan.DCGAN)
    assert list(read_history(dcgan_run / "history.csv")["epoch"]) == [0, 1]


def test_resume_continues_from_the_checkpoint(dcgan_run, tmp_path, capsys):
    out = _copy(dcgan_run, tmp_path)
    model, _ = train.load_run(out)
    g_before = [w.numpy().copy() for w in model.generator.weights]
    moments_before = [v.numpy().copy() for v in model.g_optimizer.variables]
    capsys.readouterr()
    resumed = train.train(get_config("dcgan", "tiny", steps=6), out, verbose=0)
    assert "trained 2 steps" in capsys.readouterr().out
    assert resumed.trained_steps == 6
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 6
    assert len(read_history(out / "history.csv")["epoch"]) == 3  # 2 epochs, then 1 more
    reloaded, reloaded_cfg = train.load_run(out)
    assert int(reloaded.g_optimizer.iterations) == 6
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(g_before, reloaded.generator.weights))
    moments = reloaded.g_optimizer.variables
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(moments_before, moments))
    kept = sorted(p.name for p in out.glob("ckpt-*"))
    assert kept[-1] == "ckpt-000006" and len(kept) <= reloaded_cfg.keep_checkpoints


def test_a_finished_run_trains_no_further(dcgan_run, tmp_path, capsys):
    out = _copy(dcgan_run, tmp_path)
    before = (out / "history.csv").read_text()
    capsys.readouterr()
    model = train.train(get_config("dcgan", "tiny"), out, verbose=0, write_outputs=False)
    assert "already has 4 of 4 steps; nothing to train" in capsys.readouterr().out
    assert model.trained_steps == 4 and (out / "history.csv").read_text() == before


def test_a_run_folder_of_another_family_is_refused(dcgan_run):
    with pytest.raises(ValueError, match="holds a 'dcgan' run, not 'vgan'"):
        train.train(get_config("vgan", "tiny"), dcgan_run)


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(dcgan_run, tmp_path, monkeypatch):
    out = _copy(dcgan_run, tmp_path)
    before = (out / "checkpoint.json").read_text()

    def nan_dataset(cfg):
        x = np.full((cfg.batch_size, cfg.image_size, cfg.image_size, 1), np.nan, "float32")
        return tf.data.Dataset.from_tensors(x).repeat()

    monkeypatch.setattr(train, "make_dataset", nan_dataset)
    with pytest.raises(train.TrainingDiverged, match="last good checkpoint") as err:
        train.train(get_config("dcgan", "tiny", steps=8), out, write_outputs=False)
    assert "--gradient-penalty 10" in str(err.value)
    assert (out / "checkpoint.json").read_text() == before
    vae = tmp_path / "vae"  # a VAE is told only what it accepts
    with pytest.raises(train.TrainingDiverged) as err:
        train.train(get_config("vae", "tiny", steps=4), vae, write_outputs=False)
    assert "Try a lower learning rate (--g-lr), then rerun." in str(err.value)
    model, _ = train.load_run(out)  # still loads
    assert int(model.g_optimizer.iterations) == 4


def test_extra_callbacks_run_inside_fit(tmp_path):
    seen = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))
    cfg = get_config("gaussian", "tiny", steps=20, steps_per_epoch=10)
    train.train(cfg, tmp_path / "g", extra_callbacks=[record], verbose=0, write_outputs=False)
    assert len(seen) == 2 and all(np.isfinite(logs["d_loss"]) for logs in seen)
    assert not (tmp_path / "g" / "samples.png").exists()  # write_outputs=False


# --- the weight average and checkpoints ------------------------------------------


def test_the_generator_weight_average_is_checkpointed_and_sampled(tmp_path):
    out = tmp_path / "run"
    trained = train.train(get_config("dcgan", "tiny", ema=0.5), out, verbose=0, write_outputs=False)
    model, cfg = train.load_run(out)
    assert cfg.ema == 0.5 and model.g_optimizer.use_ema
    average = [v.numpy() for v in model.g_optimizer._model_variables_moving_average]
    trained_average = trained.g_optimizer._model_variables_moving_average
    assert all(np.allclose(a, b.numpy()) for a, b in zip(average, trained_average))
    weights = model.generator.trainable_weights
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(average, weights))
    with model.averaged_generator():  # the restored average is what sampling uses
        assert all(np.allclose(a, w.numpy()) for a, w in zip(average, weights))
        expected = model.generate(model.sample_latents(3, keras.random.SeedGenerator(0)))
    np.testing.assert_allclose(model.sample(3, seed=0), expected.numpy(), atol=1e-6)
    model.g_optimizer.use_ema = False
    assert not np.allclose(model.sample(3, seed=0), expected.numpy())  # the last weights differ


def test_restore_gives_back_identical_weights_and_optimizer_state(tmp_path):
    cfg = train.resolve_data(get_config("cgan", "tiny"))
    model = models.build(cfg)
    model.run_eagerly = True
    model.fit(train.make_dataset(cfg), epochs=1, steps_per_epoch=2, verbose=0)
    checkpoint.save_checkpoint(model, tmp_path)
    fresh = models.build(cfg)
    assert checkpoint.restore_checkpoint(fresh, tmp_path) == 2 == fresh.trained_steps
    for a, b in zip(
        model.discriminator.weights + model.d_optimizer.variables + model.generator.weights,
        fresh.discriminator.weights + fresh.d_optimizer.variables + fresh.generator.weights,
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_vae_checkpoint_round_trips_its_one_optimizer(tmp_path):
    cfg = train.resolve_data(get_config("vae", "tiny"))
    model = models.build(cfg)
    model.run_eagerly = True
    model.fit(train.make_dataset(cfg), epochs=1, steps_per_epoch=2, verbose=0)
    checkpoint.save_checkpoint(model, tmp_path)
    assert json.loads((tmp_path / "checkpoint.json").read_text())["parts"] == [
        "decoder",
        "encoder",
    ]
    fresh = models.build(cfg)
    assert checkpoint.restore_checkpoint(fresh, tmp_path) == 2 == fresh.trained_steps
    for a, b in zip(model.optimizer.variables, fresh.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(model.sample(2, seed=1), fresh.sample(2, seed=1))


def test_restoring_into_another_family_or_an_empty_folder_is_refused(dcgan_run, tmp_path):
    vae_model = models.build(train.resolve_data(get_config("vae", "tiny")))
    message = r"holds \['discriminator', 'generator'.*but this model has \['decoder', 'encoder'"
    with pytest.raises(checkpoint.CheckpointError, match=message):
        checkpoint.restore_checkpoint(vae_model, dcgan_run)
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint in"):
        checkpoint.restore_checkpoint(vae_model, tmp_path)
