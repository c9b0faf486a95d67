"""Precision choice, seeds, and configuration presets."""

import keras
import numpy as np
import pytest

from tfvidgan import runtime
from tfvidgan.config import FAMILIES, PRESETS, TrainConfig, get_config


def test_choose_precision_auto_follows_the_hardware(monkeypatch):
    monkeypatch.delenv("TFVIDGAN_PRECISION", raising=False)
    monkeypatch.setattr(runtime, "cpu_supports_bf16", lambda: True)
    assert runtime.choose_precision("auto") == "mixed_bfloat16"
    monkeypatch.setattr(runtime, "cpu_supports_bf16", lambda: False)
    assert runtime.choose_precision("auto") == "float32"


def test_precision_override_by_argument_and_environment(monkeypatch):
    monkeypatch.setenv("TFVIDGAN_PRECISION", "float32")
    assert runtime.choose_precision("auto") == "float32"
    assert runtime.choose_precision("mixed_float16") == "mixed_float16"
    with pytest.raises(ValueError, match="mixed_bfloat16"):
        runtime.choose_precision("fp8")


def test_set_precision_sets_the_keras_policy():
    assert runtime.set_precision("mixed_bfloat16") == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    layer = keras.layers.Dense(2)
    assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"


def test_set_seed_makes_keras_noise_repeatable():
    runtime.set_seed(3)
    a = keras.random.normal((4,)).numpy()
    runtime.set_seed(3)
    np.testing.assert_array_equal(a, keras.random.normal((4,)).numpy())


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_has_tiny_demo_and_full_presets(family):
    for preset in ("tiny", "demo", "full"):
        cfg = get_config(family, preset)
        assert cfg.model == family and cfg.data == FAMILIES[family][1]
        assert cfg.steps >= cfg.steps_per_epoch >= 1
    assert set(PRESETS[family]) == {"tiny", "demo", "full"}


def test_overrides_and_round_trip_through_json():
    cfg = get_config("vgan", "demo", steps=7, loss="hinge")
    assert (cfg.steps, cfg.loss) == (7, "hinge")
    import json

    assert TrainConfig.from_dict(json.loads(cfg.to_json())) == cfg


def test_unknown_fields_and_names_are_rejected_with_the_valid_ones():
    with pytest.raises(ValueError, match="valid fields"):
        get_config("dcgan", "demo", learning_rate=1.0)
    with pytest.raises(ValueError, match="gaussian, dcgan"):
        get_config("stylegan")
