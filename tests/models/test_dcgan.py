"""DCGAN networks (tfvidgan.models.dcgan): shapes, ranges, heads, presets and from_config."""

import keras
import numpy as np
import pytest

from tfvidgan.config import TrainConfig, get_config
from tfvidgan.models import dcgan
from tfvidgan.models.base import GAN_OPTIONS

LATENT = 8


@pytest.mark.parametrize("size, channels", [(16, 1), (32, 3), (64, 1)])
def test_dcgan_shapes_and_range(size, channels):
    g = dcgan.build_generator(LATENT, size, channels, 4)
    d = dcgan.build_discriminator(size, channels, 4)
    x = g(np.random.normal(size=(3, LATENT)).astype("float32"))
    assert x.shape == (3, size, size, channels) and x.dtype == "float32"
    assert float(keras.ops.min(x)) >= -1 and float(keras.ops.max(x)) <= 1
    assert d(x).shape == (3, 1)


def test_the_paper_recipe_5x5_kernels_and_a_4x4_start():
    g = dcgan.build_generator(LATENT, 32, 1, 4)
    convs = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [c.kernel_size for c in convs] == [(5, 5)] * 3  # 4 -> 8 -> 16 -> 32
    assert [c.strides for c in convs] == [(2, 2)] * 3
    reshape = next(layer for layer in g.layers if isinstance(layer, keras.layers.Reshape))
    assert reshape.target_shape == (4, 4, 16)  # base_filters * 2 ** (k - 1)
    d = dcgan.build_discriminator(32, 1, 4)
    d_convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in d_convs] == [4, 8, 16] and d_convs[0].kernel_size == (5, 5)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in d.layers)


def test_features_and_the_infogan_head():
    x = np.zeros((2, 16, 16, 1), "float32")
    features = dcgan.build_discriminator(16, 1, 4, include_top=False)
    assert features(x).shape == (2, 4 * 4 * 8)  # flattened 4x4 map of the last block
    logits, codes = dcgan.build_discriminator(16, 1, 4, info_codes=5)(x)
    assert logits.shape == (2, 1) and codes.shape == (2, 5)


def test_impossible_image_sizes_are_rejected_clearly():
    for size in (30, 4, 12):
        with pytest.raises(ValueError, match=f"image_size={size} is not possible"):
            dcgan.build_generator(LATENT, size, 1, 4)


def test_mixed_bfloat16_runs_every_convolution_in_bf16_but_the_one_reading_pixels():
    """The discriminator's first convolution reads 1-3 raw channels, where bf16 is
    slower than float32 on CPUs; every other convolution runs in bfloat16, and
    the generator's samples come out of a float32 tanh."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    g, d = dcgan.build_generator(LATENT, 32, 1, 4), dcgan.build_discriminator(32, 1, 4)
    up = [layer.compute_dtype for layer in g.layers if "_transpose" in layer.name]
    down = [layer.compute_dtype for layer in d.layers if layer.name.startswith("conv")]
    assert up == ["bfloat16"] * 3 and down == ["float32", "bfloat16", "bfloat16"]
    assert g.output.dtype == "float32" and g.layers[-1].compute_dtype == "float32"
    batch_norms = [
        layer for layer in g.layers if isinstance(layer, keras.layers.BatchNormalization)
    ]
    assert batch_norms and all(layer.compute_dtype == "float32" for layer in batch_norms)


def test_presets_pack_pairs_except_tiny():
    assert set(dcgan.PRESETS) == {"tiny", "demo", "full"}
    assert dcgan.PRESETS["tiny"].get("pack", 1) == 1
    for name in ("demo", "full"):
        assert dcgan.PRESETS[name] == {**dcgan.IMAGE_PRESETS[name], "pack": 2}
    assert set(dcgan.OPTIONS) == set(GAN_OPTIONS) | {"info_codes", "info_weight", "pack"}


def test_from_config_builds_a_compiled_dcgan_with_the_config_s_options():
    cfg = TrainConfig(**{**dcgan.PRESETS["tiny"], "image_size": 16, "pack": 2, "loss": "hinge"})
    model = dcgan.from_config(cfg)
    assert isinstance(model, dcgan.DCGAN) and model.pack == 2 and model.loss_name == "hinge"
    assert model.generator.output.shape == (None, 16, 16, 1)
    assert model.discriminator.input_shape == (None, 16, 16, 2)  # a pair stacked in channels
    assert model.latent_dim == cfg.latent_dim == 16
    info = dcgan.from_config(get_config("dcgan", "tiny", image_size=16, info_codes=3))
    assert info.info_codes == 3 and len(info.discriminator.outputs) == 2
