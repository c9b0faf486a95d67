"""tfvidgan.callbacks.media: sample files and TensorBoard media that read back."""

import glob

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import video_io
from tfvidgan.callbacks import SampleMonitor, TensorBoardMedia, fixed_samples, media
from tfvidgan.models import dcgan, vae, vgan

LATENT = 8


def _adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def _dcgan():
    model = dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4), dcgan.build_discriminator(16, 1, 4), LATENT, seed=1
    )
    model.compile(_adam(), _adam())
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


def _read_events(log_dir):
    values = {}
    for path in glob.glob(str(log_dir / "**" / "events.out.tfevents.*"), recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                values.setdefault(value.tag, []).append((event.step, value))
    return values


# --- fixed_samples ------------------------------------------------------------


def test_fixed_samples_are_the_generator_output_in_inference_mode():
    model = _dcgan()
    latents, _ = model.grid_inputs(4, seed=0)
    out = keras.ops.convert_to_numpy(fixed_samples(model, latents))
    np.testing.assert_allclose(out, model.generator(latents, training=False).numpy(), atol=1e-6)
    np.testing.assert_array_equal(out, keras.ops.convert_to_numpy(fixed_samples(model, latents)))
    auto = vae.VAE(vae.build_encoder(4, 16, 1, 4), vae.build_decoder(4, 16, 1, 4), 4)
    z, condition = auto.grid_inputs(3)
    decoded = keras.ops.convert_to_numpy(fixed_samples(auto, z, condition))
    np.testing.assert_allclose(decoded, auto.decoder(z).numpy(), atol=1e-6)


# --- TensorBoardMedia -------------------------------------------------------


def test_tensorboard_media_video(tmp_path):
    model = _vgan()
    cb = TensorBoardMedia(tmp_path, num=4, log_scalars=True)
    cb.set_model(model)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"d_loss": 1.25})
    cb.on_epoch_end(1, {"d_loss": 1.0})
    cb.on_train_end()
    assert glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))  # Keras's "train" run
    values = _read_events(tmp_path)
    assert {"samples/frames", "samples/animation", "sample_diversity", "epoch_d_loss"} <= set(
        values
    )
    assert cb.tags == set(values)

    steps, gifs = zip(*values["samples/animation"])
    assert steps == (0, 1)
    assert gifs[0].image.encoded_image_string.startswith(b"GIF8")
    assert (gifs[0].image.height, gifs[0].image.width) == (2 * 16 + 1, 2 * 16 + 1)

    frames = values["samples/frames"][0][1]
    assert frames.metadata.plugin_data.plugin_name == "images"
    width, height, png = tf.make_ndarray(frames.tensor)[:3]
    assert png.startswith(b"\x89PNG") and (int(width), int(height)) == (4 * 17 - 1, 4 * 17 - 1)

    _, scalar = values["epoch_d_loss"][1]
    assert float(tf.make_ndarray(scalar.tensor)) == pytest.approx(1.0)


def test_tensorboard_media_images_every_other_epoch(tmp_path):
    cb = TensorBoardMedia(tmp_path, num=4, every_epochs=2, diversity=False)
    cb.set_model(_dcgan())
    cb.on_train_begin()
    for epoch in range(4):
        cb.on_epoch_end(epoch, {})
    cb.on_train_end()
    values = _read_events(tmp_path)
    assert set(values) == {"samples/grid"}  # no animation for images, diversity off
    assert [step for step, _ in values["samples/grid"]] == [1, 3]
    png = tf.make_ndarray(values["samples/grid"][0][1].tensor)[2]
    assert png.startswith(b"\x89PNG")
    grid = tf.io.decode_png(png).numpy()
    assert grid.shape == (2 * 17 - 1, 2 * 17 - 1, 1) and grid.dtype == np.uint8


def test_tensorboard_media_writes_nothing_for_non_finite_samples(tmp_path):
    model = _dcgan()
    last = [layer for layer in model.generator.layers if layer.weights][-1]
    last.weights[0].assign(np.full(last.weights[0].shape, np.nan, "float32"))
    cb = TensorBoardMedia(tmp_path, num=4)
    cb.set_model(model)
    cb.on_train_begin()
    cb.on_epoch_end(0, {})
    cb.on_train_end()
    assert cb.tags == set() and _read_events(tmp_path) == {}


@pytest.mark.parametrize("have_tensorboard", [True, False])
def test_scalar_and_image_records_read_back_with_or_without_tensorboard(
    tmp_path, monkeypatch, have_tensorboard
):
    monkeypatch.setattr(media, "_HAVE_TENSORBOARD", have_tensorboard)
    image = np.linspace(-1, 1, 6 * 5, dtype="float32").reshape(6, 5)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        media.write_scalar("loss", 0.25, step=3)
        media.write_image("grid", image, step=3, description="a ramp")
    writer.close()
    values = _read_events(tmp_path)
    (step, scalar), (_, record) = values["loss"][0], values["grid"][0]
    assert step == 3 and float(tf.make_ndarray(scalar.tensor)) == pytest.approx(0.25)
    assert scalar.metadata.plugin_data.plugin_name == "scalars"
    assert record.metadata.plugin_data.plugin_name == "images"
    width, height, png = tf.make_ndarray(record.tensor)[:3]
    assert (int(width), int(height)) == (5, 6)
    np.testing.assert_array_equal(tf.io.decode_png(png).numpy()[..., 0], video_io.to_uint8(image))


def test_write_gif_stores_an_animated_gif(tmp_path):
    clip = np.linspace(-1, 1, 3 * 8 * 6, dtype="float32").reshape(3, 8, 6, 1)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        gif = media.write_gif("clip", clip, step=2, fps=4)
    writer.close()
    step, value = _read_events(tmp_path)["clip"][0]
    assert step == 2 and value.image.encoded_image_string == gif and gif.startswith(b"GIF8")
    assert (value.image.height, value.image.width, value.image.colorspace) == (8, 6, 1)
    (tmp_path / "back.gif").write_bytes(gif)
    assert video_io.read_video(tmp_path / "back.gif").shape[:3] == (3, 8, 6)


# --- SampleMonitor ------------------------------------------------------------


def test_sample_monitor_writes_a_gif_per_epoch_and_displays_it(tmp_path, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    model = _vgan()
    model.run_eagerly = True  # two tiny steps: tracing would cost more than them
    monitor = SampleMonitor(tmp_path / "samples", num=4, display=True, width=120)
    ds = (
        tf.data.Dataset.from_tensor_slices(np.zeros((8, 4, 16, 16, 1), "float32")).batch(4).repeat()
    )
    model.fit(ds, epochs=2, steps_per_epoch=1, verbose=0, callbacks=[monitor])
    assert [p.name for p in monitor.paths] == ["epoch_0001.gif", "epoch_0002.gif"]
    assert video_io.read_video(monitor.paths[-1]).shape[0] == 4  # one grid frame per video frame
    assert len(shown) == 2 and shown[-1].width == 120
    assert shown[-1].data == monitor.paths[-1].read_bytes()


def test_sample_monitor_draws_the_same_latents_each_epoch_as_png(tmp_path):
    model = _dcgan()
    monitor = SampleMonitor(tmp_path, num=4, seed=7)
    monitor.set_model(model)
    monitor.on_train_begin()
    np.testing.assert_array_equal(monitor.latents, model.grid_inputs(4, 7)[0])
    monitor.on_epoch_end(0)
    monitor.on_epoch_end(1)
    from PIL import Image

    first, second = (np.asarray(Image.open(p)) for p in monitor.paths)
    assert [p.name for p in monitor.paths] == ["epoch_0001.png", "epoch_0002.png"]
    assert first.shape[:2] == (2 * 17 - 1, 2 * 17 - 1)  # a 2 x 2 grid of 16 x 16 digits
    np.testing.assert_array_equal(first, second)  # same weights, same latents, same grid
