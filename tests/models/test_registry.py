"""tfvidgan.models: the FAMILIES registry, build(cfg) and every family's presets.

Every test iterates FAMILIES, so a family added later is covered without
editing this file.
"""

import dataclasses

import keras
import numpy as np
import pytest

from tfvidgan import data, models
from tfvidgan.config import FAMILY_OPTIONS, TrainConfig, get_config
from tfvidgan.models import FAMILIES, Family, build, family_module, get_family
from tfvidgan.models.base import GAN
from tfvidgan.train import make_dataset, resolve_data

FAMILY_NAMES = list(FAMILIES)


def other_value(option):
    """A value other than the default of a family option (build refuses it before using it)."""
    default = getattr(TrainConfig(), option)
    if isinstance(default, bool):
        return not default
    if isinstance(default, (int, float)):
        return default + 2 if isinstance(default, int) else default + 0.5
    return f"not-{default}"


def test_the_first_families_and_their_entries():
    assert FAMILY_NAMES[:5] == ["gaussian", "dcgan", "cgan", "vae", "vgan"]
    assert FAMILIES["cgan"] == Family("cgan", "image", "digits", conditional=True)
    assert FAMILIES["vgan"] == Family("vgan", "video", "moving_digits")
    assert get_family("gaussian").kind == "vector"
    assert models.family_module("dcgan") is models.dcgan


def test_unknown_family_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown model 'stylegan'; choose one of") as err:
        get_family("stylegan")
    assert ", ".join(FAMILY_NAMES) in str(err.value)
    with pytest.raises(ValueError, match="gaussian, dcgan"):
        build(TrainConfig(model="stylegan"))


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_every_family_file_has_the_same_shape(name):
    family, module = get_family(name), family_module(name)
    assert family.kind in ("vector", "image", "video")
    spec = data.get_spec(family.dataset)
    assert spec.kind == family.kind  # its default dataset suits it
    assert not family.conditional or spec.num_classes >= 2
    assert set(module.PRESETS) >= {"tiny", "demo", "full"}  # a family may add more (colab)
    assert set(module.OPTIONS) <= set(FAMILY_OPTIONS), set(module.OPTIONS) - set(FAMILY_OPTIONS)
    assert callable(module.from_config)
    gan_names = hasattr(module, "build_generator") and hasattr(module, "build_discriminator")
    vae_names = hasattr(module, "build_encoder") and hasattr(module, "build_decoder")
    assert gan_names or vae_names
    classes = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, keras.Model) and v.__module__ == module.__name__
    ]
    assert classes, f"{module.__name__} defines no model class"
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    for preset in module.PRESETS.values():
        assert set(preset) <= fields


def test_every_family_option_is_a_config_field_that_some_family_reads():
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(FAMILY_OPTIONS) <= fields
    read = {option for name in FAMILY_NAMES for option in family_module(name).OPTIONS}
    assert read == set(FAMILY_OPTIONS)  # an option nobody reads would be a dead flag
    default = TrainConfig()
    for option in FAMILY_OPTIONS:
        assert other_value(option) != getattr(default, option)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_build_refuses_options_the_family_does_not_read(name):
    module = family_module(name)
    for option in FAMILY_OPTIONS:
        if option in module.OPTIONS:
            continue
        users = [f for f in FAMILY_NAMES if option in family_module(f).OPTIONS]
        cfg = get_config(name, "tiny", **{option: other_value(option)})
        with pytest.raises(ValueError) as err:
            build(cfg)
        message = str(err.value)
        assert f"{option} is not an option of the {name!r} family" in message
        assert f"(it is one of: {', '.join(users)})" in message
        assert f"leave it at {getattr(TrainConfig(), option)!r}" in message


def test_build_refuses_pack_for_the_vae_naming_the_families_that_pack():
    with pytest.raises(ValueError, match="pack is not an option of the 'vae' family") as err:
        build(get_config("vae", "tiny", pack=2))
    users = str(err.value).split("it is one of: ")[1].split(")")[0].split(", ")
    assert {"dcgan", "vgan", "mocogan"} <= set(users) and "vae" not in users
    assert "image_to_video" in users  # its condition is in the clip: a pair carries both
    assert "video_cgan" not in users  # a pair of clips cannot be judged against one label
    assert "leave it at 1" in str(err.value)


def _check_model(model, cfg, num=2):
    """The model protocol on a built model: sample, grid_inputs/generate, discriminate."""
    kind = get_family(cfg.model).kind
    size = (cfg.image_size, cfg.image_size, cfg.channels)
    shape = {"vector": (1,), "image": size, "video": (cfg.num_frames, *size)}[kind]
    samples = model.sample(num, seed=0)
    assert samples.shape == (num, *shape) and samples.dtype == np.float32
    assert np.isfinite(samples).all()
    if kind != "vector":
        assert samples.min() >= -1 and samples.max() <= 1
    latents, condition = model.grid_inputs(num, seed=0)
    latents = keras.ops.convert_to_tensor(latents)
    condition = None if condition is None else keras.ops.convert_to_tensor(condition)
    fake = model.generate(latents, condition)
    assert tuple(fake.shape) == (num, *shape)
    if isinstance(model, GAN):
        logits = model.discriminate(fake, condition)
        logits = logits[0] if isinstance(logits, tuple) else logits
        assert logits.shape[0] == num // model.pack and np.isfinite(logits.numpy()).all()


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_every_tiny_preset_builds_and_trains_one_step(name):
    cfg = resolve_data(get_config(name, "tiny"))
    model = build(cfg)
    _check_model(model, cfg)
    assert model.trained_steps == 0
    model.run_eagerly = True  # one step: tracing would cost more than it
    hist = model.fit(make_dataset(cfg), epochs=1, steps_per_epoch=1, verbose=0).history
    assert hist and all(np.isfinite(v[-1]) for v in hist.values()), hist
    assert model.trained_steps == 1


# every preset but tiny (demo, full and any other a family has, e.g. colab)
LARGER_PRESETS = [(f, p) for f in FAMILY_NAMES for p in family_module(f).PRESETS if p != "tiny"]


@pytest.mark.slow
@pytest.mark.parametrize("name, preset", LARGER_PRESETS)
def test_every_larger_preset_builds_networks_that_fit_together(name, preset):
    cfg = resolve_data(get_config(name, preset))
    model = build(cfg)
    _check_model(model, cfg)
    if name in ("dcgan", "vgan", "mocogan", "video_cgan"):  # dcgan and mocogan judge pairs
        assert model.pack == cfg.pack == (2 if name in ("dcgan", "mocogan") else 1)
