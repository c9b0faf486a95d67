"""tfvidgan.config: TrainConfig, its JSON round trip and get_config over the family presets."""

import dataclasses
import doctest
import json

import pytest

from tfvidgan import config
from tfvidgan.config import FAMILY_OPTIONS, TrainConfig, get_config
from tfvidgan.models import FAMILIES, family_module


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_has_tiny_demo_and_full_presets(family):
    for preset in ("tiny", "demo", "full"):
        cfg = get_config(family, preset)
        assert cfg.model == family and cfg.data == FAMILIES[family].dataset
        assert cfg.steps >= cfg.steps_per_epoch >= 1
        for field, value in family_module(family).PRESETS[preset].items():
            assert getattr(cfg, field) == value
    tiny, demo = get_config(family, "tiny"), get_config(family, "demo")
    assert tiny.steps < demo.steps and tiny.num_examples <= demo.num_examples


def test_overrides_and_round_trip_through_json():
    cfg = get_config("vgan", "demo", steps=7, loss="hinge")
    assert (cfg.steps, cfg.loss) == (7, "hinge")
    assert cfg.frame_discriminator == 4  # the rest of the preset stays
    assert TrainConfig.from_dict(json.loads(cfg.to_json())) == cfg
    assert get_config("dcgan", "tiny", data="moving_digits").data == "moving_digits"


def test_the_module_docstring_example_runs():
    assert doctest.testmod(config).failed == 0


def test_unknown_fields_presets_and_names_are_rejected_with_the_valid_ones():
    with pytest.raises(ValueError, match="valid fields") as err:
        get_config("dcgan", "demo", learning_rate=1.0)
    assert "learning_rate" in str(err.value) and "d_lr" in str(err.value)
    with pytest.raises(ValueError, match=r"unknown config fields \['lr_decay'\]"):
        TrainConfig.from_dict({"lr_decay": 0.5})  # a removed option is unknown now
    with pytest.raises(ValueError, match="unknown preset 'huge'; choose one of tiny, demo, full"):
        get_config("dcgan", "huge")
    with pytest.raises(ValueError, match="gaussian, dcgan"):
        get_config("stylegan")


def test_the_registry_and_presets_live_in_tfvidgan_models():
    assert not hasattr(config, "FAMILIES") and not hasattr(config, "PRESETS")
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(FAMILY_OPTIONS) <= fields
    assert "lr_decay" not in fields and "minibatch_stddev" not in fields  # removed options
