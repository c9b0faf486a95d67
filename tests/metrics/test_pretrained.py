"""tfvidgan.metrics.pretrained: the Inception-v3 and I3D protocols, and their offline errors.

Nothing here touches the internet: downloads point at a loopback port with nothing
listening, and Inception runs with random weights. The download-and-cache paths (a
loopback HTTP server serving a fake I3D) are tested in ``tests/test_downloads.py``.
"""

import socket
import time

import numpy as np
import pytest

from tfvidgan import data
from tfvidgan.metrics import pretrained

SEED = 31_337


def dead_port():
    """A loopback port with nothing listening (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TFVIDGAN_CACHE", str(folder))
    pretrained.clear_caches()
    yield folder
    pretrained.clear_caches()


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_i3d_offline_fails_fast_with_clear_message(cache, monkeypatch):
    url = f"http://127.0.0.1:{dead_port()}/i3d.tar.gz"
    monkeypatch.setenv("TFVIDGAN_I3D_URL", url)
    start = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        pretrained.i3d_features(np.zeros((1, 16, 32, 32, 1), np.uint8), timeout=5)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert url in message and str(cache) in message
    assert "machine with network" in message and "offline extractors" in message
    assert "saved_model.pb" in message  # the I3D hint: where an extracted copy goes
    assert "tfvidgan.metrics.classifiers.image_features" in message
    assert leftovers(cache) == []


def test_inception_offline_fails_fast_with_clear_message(cache, tmp_path, monkeypatch):
    keras_home = tmp_path / "keras_home"
    url = f"http://127.0.0.1:{dead_port()}/inception_v3.h5"
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("TFVIDGAN_INCEPTION_URL", url)
    start = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        pretrained.inception_v3_features(np.zeros((2, 32, 32, 1), np.uint8), timeout=5)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert url in message and str(keras_home / "models" / pretrained.INCEPTION_FILE) in message
    assert "offline extractors" in message
    assert leftovers(keras_home) in ([], ["models"])


@pytest.mark.slow  # builds the full Inception-v3 (about 24 M parameters)
def test_inception_protocol_with_random_weights(cache):
    import keras

    x = data.load_arrays("digits", 3, seed=SEED)[0]
    pre = pretrained.inception_preprocess(x)
    assert pre.shape == (3, 299, 299, 3) and pre.min() >= -1.0 and pre.max() <= 1.0
    np.testing.assert_allclose(pre[..., 0], pre[..., 2])  # grey repeated to RGB
    pretrained.use_inception(keras.applications.InceptionV3(weights=None))
    features, probs = pretrained.inception_v3_features(x), pretrained.inception_probs(x)
    assert features.shape == (3, 2048) and probs.shape == (3, 1000)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)
    with pytest.raises(ValueError):
        pretrained.inception_preprocess(np.zeros((2, 32, 32, 2), np.uint8))


def test_i3d_preprocess_protocol():
    clip = np.zeros((2, 16, 8, 8, 1), np.uint8)
    clip[1] = 255
    x = pretrained.i3d_preprocess(clip)
    assert x.shape == (2, 16, 224, 224, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], -1.0)  # uint8 0 -> -1
    np.testing.assert_allclose(x[1], 1.0)  # uint8 255 -> 1
    # 8 frames are resampled to 16 by nearest-frame indexing: frame value = its index
    ramp = np.broadcast_to(
        np.linspace(-1, 1, 8, dtype=np.float32)[None, :, None, None, None], (1, 8, 4, 4, 3)
    )
    with pytest.warns(UserWarning, match="resampling T=8 to 16"):
        y = pretrained.i3d_preprocess(ramp)
    expected = np.linspace(-1, 1, 8)[np.round(np.linspace(0, 7, 16)).astype(int)]
    np.testing.assert_allclose(y[0, :, 0, 0, 0], expected, atol=1e-6)
    assert pretrained.i3d_preprocess(ramp, num_frames=None).shape == (1, 8, 224, 224, 3)


def test_i3d_features_shape_errors_come_before_any_download(cache, monkeypatch):
    monkeypatch.setenv("TFVIDGAN_I3D_URL", f"http://127.0.0.1:{dead_port()}/i3d.tar.gz")
    with pytest.raises(ValueError, match="shape"):
        pretrained.i3d_features(np.zeros((16, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        pretrained.i3d_features(np.zeros((1, 16, 8, 8, 2), np.float32))
    assert leftovers(cache) == []
