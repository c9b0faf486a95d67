"""VGAN (tfvidgan.models.vgan): 3-D networks, the frame judge, and the step on videos."""

import keras
import numpy as np
import pytest

from tfvidgan.config import get_config
from tfvidgan.models import vgan
from tfvidgan.models.base import GAN_OPTIONS

LATENT = 8


@pytest.mark.parametrize(
    "frames, size, channels", [(8, 32, 1), (16, 32, 1), (16, 64, 3), (12, 16, 1)]
)
@pytest.mark.parametrize("two_stream", [False, True])
def test_vgan_shapes_and_range(frames, size, channels, two_stream):
    g = vgan.build_generator(LATENT, frames, size, channels, 4, two_stream=two_stream)
    d = vgan.build_discriminator(frames, size, channels, 4)
    v = g(np.random.normal(size=(2, LATENT)).astype("float32"))
    assert v.shape == (2, frames, size, size, channels) and v.dtype == "float32"
    assert float(keras.ops.min(v)) >= -1 and float(keras.ops.max(v)) <= 1
    assert d(v).shape == (2, 1)


def test_time_is_doubled_in_all_but_the_last_up_block():
    assert vgan._time_plan(16, 3) == (4, 2)  # 4 -> 8 -> 16, the pixel layer keeps time
    assert vgan._time_plan(12, 3) == (3, 2)
    assert vgan._time_plan(7, 3) == (7, 0)
    g = vgan.build_generator(LATENT, 16, 32, 1, 4)
    convs = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv3DTranspose)]
    assert [c.strides for c in convs] == [(2, 2, 2), (2, 2, 2), (1, 2, 2)]


def test_vgan_frames_differ_over_time():
    g = vgan.build_generator(LATENT, 8, 16, 1, 4)
    v = g(np.random.normal(size=(1, LATENT)).astype("float32")).numpy()
    assert np.abs(v[0, 1:] - v[0, :-1]).mean() > 0


def test_two_stream_video_is_the_mask_mix_of_foreground_and_static_background():
    g = vgan.build_generator(LATENT, 4, 16, 1, 4, two_stream=True)
    composite = g.get_layer("composite")
    mask, foreground, background = composite.input
    parts = keras.Model(g.input, [mask, foreground, background, g.output])
    z = np.random.default_rng(0).normal(size=(2, LATENT)).astype("float32")
    m, f, b, video = [t.numpy() for t in parts(z)]
    assert m.min() >= 0 and m.max() <= 1 and b.shape == (2, 1, 16, 16, 1)
    np.testing.assert_allclose(video, m * f + (1 - m) * b, atol=1e-6)


def _first_volume_halves(g, z):
    """The generator's first feature volume, split into its shared and per-time halves,
    each (B, t0, 4, 4, C/2)."""
    first = next(
        layer
        for layer in g.layers
        if isinstance(layer, keras.layers.Concatenate) and layer.axis == -1
    )
    return np.split(keras.Model(g.input, first.output)(z).numpy(), 2, axis=-1)  # what, how


def test_shared_content_is_the_same_at_every_time_step():
    g = vgan.build_generator(LATENT, 16, 32, 1, 4, shared_content=True)
    what, how = _first_volume_halves(g, np.random.normal(size=(2, LATENT)).astype("float32"))
    assert what.shape == (2, 4, 4, 4, 8)
    assert np.allclose(what, what[:, :1]) and not np.allclose(how, how[:, :1])


@pytest.mark.parametrize("bad", [dict(image_size=30), dict(image_size=4), dict(num_frames=1)])
def test_impossible_sizes_are_rejected_clearly(bad):
    kwargs = dict(latent_dim=LATENT, num_frames=8, image_size=16, channels=1, base_filters=4) | bad
    with pytest.raises(ValueError, match="not possible"):
        vgan.build_generator(**kwargs)


def test_video_gan_train_step_with_gradient_penalty(fit_step, videos):
    g = vgan.build_generator(LATENT, 4, 16, 1, 4, two_stream=True)
    model = vgan.VGAN(g, vgan.build_discriminator(4, 16, 1, 4), LATENT)
    logs = fit_step(model, videos(), loss="wasserstein", gradient_penalty=10.0)
    assert model.generate(model.sample_latents(2)).shape == (2, 4, 16, 16, 1)
    assert set(logs) >= {"d_loss", "g_loss"}


def test_frame_discriminator_judges_each_frame_alone(videos):
    d = vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=4)
    v = videos(n=2)
    base = d(v).numpy()
    assert base.shape == (2, 8)  # 4 copies of the video logit, then one logit per frame
    assert np.allclose(base[:, :4], base[:, :1])
    edited = v.copy()
    edited[:, 2] = -1.0  # blank frame 2 only
    out = d(edited).numpy()
    frame_changed = ~np.isclose(out[:, 4:], base[:, 4:], atol=1e-6)
    # frames go through the 2-D judge one by one
    assert frame_changed[:, 2].all() and not frame_changed[:, [0, 1, 3]].any()
    assert not np.allclose(out[:, 0], base[:, 0])  # the 3-D judge sees the edit too
    eight = vgan.build_discriminator(8, 16, 1, 4, frame_discriminator=3)
    assert eight(videos(n=2, frames=8)).shape == (2, 6)


def test_video_gan_with_frame_discriminator_trains_with_every_penalty(fit_step, videos):
    model = vgan.VGAN(
        vgan.build_generator(LATENT, 4, 16, 1, 4),
        vgan.build_discriminator(4, 16, 1, 4, spectral_norm=True, frame_discriminator=2),
        LATENT,
    )
    logs = fit_step(model, videos(), loss="hinge", gradient_penalty=1.0, r1_gamma=1.0)
    assert logs["d_loss"] > 0  # hinge: positive until D separates every logit by a margin


def test_infogan_step_trains_the_code_head_of_every_judge(fit_step, videos):
    d = vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=2, info_codes=3)
    logits, codes = d(videos())
    assert logits.shape == (4, 4) and codes.shape == (4, 3, 3)  # video guess + one per frame
    model = vgan.VGAN(
        vgan.build_generator(LATENT, 4, 16, 1, 4, shared_content=True), d, LATENT, info_codes=3
    )
    logs = fit_step(model, videos(), loss="hinge", gradient_penalty=1.0)
    assert 0 < logs["info_loss"] < 5


def test_packed_video_step_trains_with_penalties(fit_step, videos):
    model = vgan.VGAN(
        vgan.build_generator(LATENT, 4, 16, 1, 4),
        vgan.build_discriminator(4, 16, 2, 4, frame_discriminator=2),
        LATENT,
        seed=1,
        pack=2,
    )
    logs = fit_step(model, videos(8), gradient_penalty=10.0, r1_gamma=1.0)
    assert logs["d_loss"] > 0
    assert model.discriminate(videos(4)).shape == (2, 4)  # 4 clips -> 2 packs, 2 + 2 logits


def test_mixed_bfloat16_runs_every_convolution_in_bf16_but_the_one_reading_pixels():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    g, d = vgan.build_generator(LATENT, 4, 32, 1, 4), vgan.build_discriminator(4, 32, 1, 4)
    up = [layer.compute_dtype for layer in g.layers if "_transpose" in layer.name]
    down = [layer.compute_dtype for layer in d.layers if layer.name.startswith("conv")]
    assert up == ["bfloat16"] * 3 and down == ["float32", "bfloat16", "bfloat16"]
    assert g.output.dtype == "float32" and g.layers[-1].compute_dtype == "float32"


def test_presets_options_and_from_config():
    assert set(vgan.PRESETS) >= {"tiny", "demo", "full"}
    demo = vgan.PRESETS["demo"]
    assert (demo["num_frames"], demo["frame_discriminator"], demo["shared_content"]) == (8, 4, True)
    assert vgan.PRESETS["full"]["two_stream"] and vgan.PRESETS["full"]["image_size"] == 64
    assert set(vgan.OPTIONS) == set(GAN_OPTIONS) | {
        "two_stream",
        "shared_content",
        "frame_discriminator",
        "info_codes",
        "info_weight",
        "pack",
    }
    cfg = get_config("vgan", "tiny", image_size=16, frame_discriminator=2, pack=2, two_stream=True)
    model = vgan.from_config(cfg)
    assert isinstance(model, vgan.VGAN) and model.pack == 2
    assert model.generator.output.shape == (None, 8, 16, 16, 1)
    assert model.discriminator.input_shape == (None, 8, 16, 16, 2)
    assert model.discriminator.output.shape == (None, 4)  # video logit x 2, 2 frame logits
    assert "composite" in [layer.name for layer in model.generator.layers]
