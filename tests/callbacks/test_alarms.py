"""tfvidgan.callbacks.alarms: alarms fire on sick sequences and stay silent on healthy ones."""

import glob
import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan.callbacks import alarms
from tfvidgan.models import dcgan, vgan

LATENT = 8


def _adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def _dcgan(loss="non_saturating"):
    model = dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4), dcgan.build_discriminator(16, 1, 4), LATENT, seed=1
    )
    model.compile(_adam(), _adam(), loss=loss)
    return model


def _vgan():
    model = vgan.VGAN(
        vgan.build_generator(LATENT, 4, 16, 1, 4),
        vgan.build_discriminator(4, 16, 1, 4),
        LATENT,
        seed=1,
    )
    model.compile(_adam(), _adam())
    return model


@pytest.fixture(scope="module")
def image_model():
    return _dcgan()


def _drive(cb, per_batch, epoch_length=50):
    """Feed per-batch values as Keras would: running means that reset every epoch."""
    names = list(per_batch)
    n = len(per_batch[names[0]])
    sums = dict.fromkeys(names, 0.0)
    for i in range(n):
        batch = i % epoch_length
        if batch == 0:
            sums = dict.fromkeys(names, 0.0)
        logs = {}
        for k in names:
            sums[k] += per_batch[k][i]
            logs[k] = np.float32(sums[k] / (batch + 1))
        cb.on_train_batch_end(batch, logs)


def _healthy_logs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "d_loss": 1.3 + 0.15 * rng.standard_normal(n),
        "g_loss": 0.75 + 0.1 * rng.standard_normal(n),
        "real_score": 0.3 + 0.5 * rng.standard_normal(n),
        "fake_score": -0.2 + 0.5 * rng.standard_normal(n),
        "d_grad_norm": np.abs(0.9 + 0.3 * rng.standard_normal(n)),
        "g_grad_norm": np.abs(0.5 + 0.2 * rng.standard_normal(n)),
    }


def test_per_batch_recovers_values_from_running_means():
    values = np.random.default_rng(1).uniform(0, 5, 25)
    pb, got = alarms._PerBatch(), []
    for i in range(len(values)):
        batch = i % 10
        mean = values[i - batch : i + 1].mean()
        got.append(pb.update(batch, {"x": mean})["x"])
    np.testing.assert_allclose(got, values, rtol=1e-9)


# --- WeightGuard --------------------------------------------------------------


def test_weight_guard_trips_on_nan_weight_and_not_before(image_model):
    guard = alarms.WeightGuard(every=1)
    guard.set_model(image_model)
    guard.on_train_batch_end(0, {"d_loss": 1.0, "g_loss": 0.7})
    assert guard.tripped is None and not image_model.stop_training
    kernel = image_model.discriminator.trainable_weights[0]
    saved = kernel.numpy()
    try:
        bad = saved.copy()
        bad.flat[3] = np.nan
        kernel.assign(bad)
        guard.on_train_batch_end(1, {"d_loss": 1.0, "g_loss": 0.7})  # losses still finite
        assert guard.tripped and "discriminator:" in guard.tripped and "non-finite" in guard.tripped
        assert image_model.stop_training
    finally:
        kernel.assign(saved)
        image_model.stop_training = False


def test_weight_guard_still_checks_losses(image_model):
    guard = alarms.WeightGuard(every=1000)
    guard.set_model(image_model)
    guard.on_train_batch_end(0, {"d_loss": float("nan"), "g_loss": 0.7})
    assert guard.tripped and "d_loss" in guard.tripped
    image_model.stop_training = False


# --- LossRatioAlarm -----------------------------------------------------------


def test_loss_ratio_alarm_silent_when_healthy(image_model):
    cb = alarms.LossRatioAlarm(window=40)
    cb.set_model(image_model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", alarms.TrainingHealthWarning)
        _drive(cb, _healthy_logs())
    assert cb.alarms == []


def test_loss_ratio_alarm_fires_once_when_discriminator_wins(image_model):
    n = 300
    logs = _healthy_logs(n)
    logs["d_loss"][100:] = 0.05
    logs["g_loss"][100:] = 4.5
    logs["real_score"][100:] += 4.0
    logs["fake_score"][100:] -= 4.0
    cb = alarms.LossRatioAlarm(window=40)
    cb.set_model(image_model)
    with pytest.warns(alarms.TrainingHealthWarning) as record:
        _drive(cb, logs)
    assert any("discriminator is winning" in str(w.message) for w in record)
    kinds = [a["kind"] for a in cb.alarms]
    assert kinds.count("discriminator_wins_loss") == 1  # fires once per bad phase
    assert "discriminator_wins_gap" in kinds
    assert all(set(a) == {"step", "kind", "message"} for a in cb.alarms)
    assert "label smoothing" in cb.alarms[0]["message"] and "TTUR" in cb.alarms[0]["message"]


def test_alarm_does_not_chatter_around_its_threshold_but_rearms_after_a_quiet_window(image_model):
    n = 400
    logs = _healthy_logs(n)
    logs["d_loss"][:] = 0.35
    logs["g_loss"][:] = np.where(np.arange(n) % 2 == 0, 3.6, 3.4)  # ratio wobbles around 10
    logs["g_loss"][200:300] = 0.7  # a healthy phase longer than the window...
    logs["d_loss"][200:300] = 1.3
    cb = alarms.LossRatioAlarm(window=20, verbose=False)
    cb.set_model(image_model)
    _drive(cb, {k: v for k, v in logs.items() if k in ("d_loss", "g_loss")})
    steps = [a["step"] for a in cb.alarms if a["kind"] == "discriminator_wins_loss"]
    assert len(steps) == 2, steps  # ...re-arms it: one alarm per bad phase, none per wobble


def test_loss_ratio_alarm_fires_when_generator_dominates(image_model):
    logs = _healthy_logs()
    logs["d_loss"][:] = 2.6
    logs["g_loss"][:] = 0.2
    cb = alarms.LossRatioAlarm(window=40)
    cb.set_model(image_model)
    with pytest.warns(alarms.TrainingHealthWarning):
        _drive(cb, logs)
    assert [a["kind"] for a in cb.alarms] == ["generator_wins_loss"]


def test_score_gap_signal_for_hinge_loss():
    model = _dcgan("hinge")
    healthy = _healthy_logs()
    healthy["g_loss"] = -healthy["fake_score"]  # hinge losses can be negative: no ratio
    cb = alarms.LossRatioAlarm(window=40)
    cb.set_model(model)
    assert cb.thresholds()["use_ratio"] is False
    _drive(cb, healthy)
    assert cb.alarms == []
    sick = _healthy_logs()
    sick["real_score"][:] = 3.5
    sick["fake_score"][:] = -3.0
    sick["g_loss"] = -sick["fake_score"]
    cb = alarms.LossRatioAlarm(window=40)
    cb.set_model(model)
    with pytest.warns(alarms.TrainingHealthWarning):
        _drive(cb, sick)
    assert [a["kind"] for a in cb.alarms] == ["discriminator_wins_gap"]


# --- GradientNormAlarm ------------------------------------------------------


def test_gradient_norm_alarm(image_model):
    cb = alarms.GradientNormAlarm(window=20)
    cb.set_model(image_model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", alarms.TrainingHealthWarning)
        _drive(cb, _healthy_logs())
    assert cb.alarms == []

    logs = _healthy_logs()
    logs["d_grad_norm"][150:] = 5e3
    logs["g_grad_norm"][150:] = 1e-6
    cb = alarms.GradientNormAlarm(window=20)
    cb.set_model(image_model)
    with pytest.warns(alarms.TrainingHealthWarning):
        _drive(cb, logs)
    assert sorted(a["kind"] for a in cb.alarms) == [
        "discriminator_gradients_exploding",
        "generator_gradients_vanishing",
    ]
    assert all(a["step"] == 0 for a in cb.alarms)  # steps come from the (untrained) optimizer


# --- ModeCollapseMonitor ----------------------------------------------------


def _last_conv(model):
    """The generator's last layer with weights (the pixel convolution before tanh)."""
    return [layer for layer in model.generator.layers if layer.weights][-1]


def test_mode_collapse_monitor_flags_constant_generator_only():
    real = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")

    # An untrained generator gives nearly one image for every z; a larger last
    # kernel makes its outputs as varied as a trained one's.
    varied = _dcgan()
    for w in _last_conv(varied).weights:
        w.assign(30 * w.numpy())
    cb = alarms.ModeCollapseMonitor(real, num=8, warmup_epochs=0)
    cb.set_model(varied)
    with warnings.catch_warnings():
        warnings.simplefilter("error", alarms.TrainingHealthWarning)
        cb.on_epoch_end(0, {})
    assert cb.alarms == [] and cb.history[0]["ratio"] > 0.3

    collapsed = _dcgan()
    for w in _last_conv(collapsed).weights:  # output = tanh(0) for every z
        w.assign(np.zeros(w.shape, "float32"))
    cb = alarms.ModeCollapseMonitor(real, num=8)  # warm-up: the first epoch never warns
    cb.set_model(collapsed)
    cb.on_epoch_end(0, {})
    assert cb.alarms == [] and cb.history[0]["ratio"] < 0.3
    logs = {}
    cb.add_to_logs = True
    with pytest.warns(alarms.TrainingHealthWarning, match="mode collapse"):
        cb.on_epoch_end(1, logs)
    assert cb.history[1]["diversity"] == pytest.approx(0.0, abs=1e-6)
    assert cb.alarms[0]["kind"] == "mode_collapse" and logs["diversity_ratio"] < 0.3


def test_mode_collapse_monitor_uses_first_check_without_real_batch(image_model):
    cb = alarms.ModeCollapseMonitor(num=4)
    cb.set_model(image_model)
    cb.on_epoch_end(0)
    cb.on_epoch_end(1)
    assert cb.history[0]["ratio"] == 1.0 and len(cb.history) == 2 and cb.alarms == []


# --- inside fit, and the default set ----------------------------------------


def _read_tags(log_dir):
    tags = set()
    for path in glob.glob(str(log_dir / "**" / "events.out.tfevents.*"), recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            tags |= {value.tag for value in event.summary.value}
    return tags


def test_default_callbacks_run_inside_fit(tmp_path):
    model = _dcgan()
    real = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    callbacks = alarms.default_health_callbacks(
        "image", log_dir=tmp_path, real_batch=real, include_guard=True
    )
    assert [type(c).__name__ for c in callbacks] == [
        "WeightGuard",
        "LossRatioAlarm",
        "GradientNormAlarm",
        "ModeCollapseMonitor",
        "TensorBoardMedia",
    ]
    model.compile(_adam(), _adam(), run_eagerly=True)
    ds = tf.data.Dataset.from_tensor_slices(real).batch(4).repeat()
    with warnings.catch_warnings():  # two steps in, the samples are far less varied than real data
        warnings.simplefilter("ignore", alarms.TrainingHealthWarning)
        model.fit(ds, epochs=2, steps_per_epoch=2, verbose=0, callbacks=callbacks)
    assert callbacks[0].tripped is None
    assert [h["step"] for h in callbacks[3].history] == [2, 4]
    assert callbacks[3].reference > 0  # from the real batch
    assert "samples/grid" in _read_tags(tmp_path)


@pytest.mark.parametrize("kind, num", [("image", 32), ("video", 32), ("vector", 64)])
def test_default_callbacks_for_every_kind_of_data(kind, num):
    callbacks = alarms.default_health_callbacks(kind, verbose=False)
    assert [type(c).__name__ for c in callbacks] == [
        "LossRatioAlarm",
        "GradientNormAlarm",
        "ModeCollapseMonitor",
    ]
    assert callbacks[2].num == num and not callbacks[0].verbose and not callbacks[2].verbose


def test_default_callbacks_take_a_kind_of_data_not_a_family_name():
    for bad in ("audio", "dcgan", "vae"):
        with pytest.raises(ValueError, match=f"kind must be image, video or vector; got '{bad}'"):
            alarms.default_health_callbacks(bad)


def test_alarm_summary_lists_every_alarm_and_a_tripped_guard(image_model):
    logs = _healthy_logs()
    logs["d_loss"][:] = 2.6
    logs["g_loss"][:] = 0.2
    alarm = alarms.LossRatioAlarm(window=40, verbose=False)
    alarm.set_model(image_model)
    _drive(alarm, logs)
    guard = alarms.NaNGuard()
    guard.set_model(image_model)
    assert alarms.alarm_summary([alarm, guard]).count("\n") == 0
    guard.on_train_batch_end(0, {"g_loss": float("inf"), "d_loss": 1.0})
    image_model.stop_training = False
    lines = alarms.alarm_summary([alarm, guard]).splitlines()
    assert lines == [
        f"[LossRatioAlarm/generator_wins_loss] {alarm.alarms[0]['message']}",
        "[NaNGuard] g_loss became non-finite at step 0",
    ]
    assert alarms.alarm_summary([]) == ""


def test_the_advice_names_flags_that_exist():
    """Every fix an alarm suggests is a `tfvidgan train` flag; removed tricks are not offered."""
    import dataclasses

    from tfvidgan.config import TrainConfig

    # `tfvidgan train` has one --flag per config field (tfvidgan.cli.add_config_flags)
    flags = {"--" + f.name.replace("_", "-") for f in dataclasses.fields(TrainConfig)}
    advice = alarms._D_WINS_FIXES + alarms._G_WINS_FIXES
    for flag in set(re.findall(r"--[a-z][a-z0-9-]+", advice)):
        assert flag in flags, flag
    assert "DiffAugment" not in advice and "--lr-decay" not in advice
