"""Offline extractors (shipped weights) and the download paths of Inception / I3D.

Nothing here touches the internet: the "network" is a loopback HTTP server
started by the tests, or a loopback port with nothing listening.
"""

import http.server
import io
import json
import socket
import tarfile
import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import data
from tfvidgan.metrics import extractors as ex
from tfvidgan.metrics.distances import frechet_distance_from_features

# Held-out seeds: the evaluators trained on seeds 1000-1999 and GAN runs use 0.
SEED = 31_337


# ---------------------------------------------------------------------------
# Shipped weights and accuracy
# ---------------------------------------------------------------------------


def test_weights_and_metadata_are_shipped():
    total = 0
    for name in (ex.DIGIT_NAME, ex.VIDEO_NAME):
        weights = ex.WEIGHTS_DIR / f"{name}.weights.h5"
        meta = json.loads((ex.WEIGHTS_DIR / f"{name}.json").read_text())
        assert weights.is_file()
        total += weights.stat().st_size
        assert meta["held_out_accuracy"] >= 0.98
    assert total < 1.5 * 2**20


def test_digit_classifier_accuracy_and_features():
    x, y = data.load_arrays("digits", 200, seed=SEED)
    clf = ex.load_digit_classifier()
    assert clf is ex.load_digit_classifier()  # cached
    features, probs = clf.predict(x)
    assert features.shape == (200, 64) and probs.shape == (200, 10)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert np.mean(probs.argmax(1) == y) >= 0.95
    # uint8 and [-1, 1] floats give the same answer
    np.testing.assert_allclose(ex.image_features(data.to_float(x)), features, atol=1e-4)
    np.testing.assert_allclose(ex.image_probs(x), probs, atol=1e-5)


def test_digit_classifier_reads_video_frames():
    v, y = data.load_arrays("moving_digits", 20, num_frames=16, seed=SEED)
    probs = ex.frame_digit_probs(v)
    assert probs.shape == (20, 16, 10)
    assert np.mean(probs.argmax(-1) == y[:, :1]) >= 0.95


def test_video_classifier_accuracy_for_16_and_8_frames():
    for t in (16, 8):
        v, y = data.load_arrays("moving_digits", 40, num_frames=t, seed=SEED + t)
        out = ex.video_probs(v)
        assert out["digit"].shape == (40, 10) and out["motion"].shape == (40, 4)
        assert np.mean(out["digit"].argmax(1) == y[:, 0]) >= 0.95
        assert np.mean(out["motion"].argmax(1) == y[:, 1]) >= 0.85
        assert ex.video_features(v).shape == (40, 64)


def test_other_sizes_are_resized():
    x, y = data.load_arrays("digits", 100, image_size=64, seed=SEED)
    assert np.mean(ex.image_probs(x).argmax(1) == y) >= 0.9
    v, y = data.load_arrays("moving_digits", 10, image_size=64, num_frames=8, seed=SEED)
    assert ex.video_features(v).shape == (10, 64)


def test_shape_and_channel_errors():
    with pytest.raises(ValueError, match="channel"):
        ex.image_features(np.zeros((4, 32, 32, 3), np.uint8))
    with pytest.raises(ValueError, match="channel"):
        ex.video_features(np.zeros((2, 8, 32, 32, 3), np.uint8))
    with pytest.raises(ValueError, match=r"\(N, H, W, 1\)"):
        ex.image_features(np.zeros((4, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="batch axis"):
        ex.video_features(np.zeros((8, 32, 32, 1), np.uint8))
    with pytest.raises(ValueError, match="T >= 4"):
        ex.video_features(np.zeros((2, 2, 32, 32, 1), np.uint8))
    with pytest.raises(ValueError, match="NaN"):
        ex.image_features(np.full((2, 32, 32, 1), np.nan, np.float32))


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # dead ReLU units on noise
def test_fid_real_vs_real_much_smaller_than_real_vs_noise():
    a, _ = data.load_arrays("digits", 300, seed=SEED)
    b, _ = data.load_arrays("digits", 300, seed=SEED + 1)
    noise = np.random.default_rng(0).uniform(-1, 1, (300, 32, 32, 1)).astype(np.float32)
    fa, fb, fn = ex.image_features(a), ex.image_features(b), ex.image_features(noise)
    same = frechet_distance_from_features(fa, fb)
    different = frechet_distance_from_features(fa, fn)
    assert same * 20 < different


# ---------------------------------------------------------------------------
# Downloads: a loopback server, or nothing listening
# ---------------------------------------------------------------------------


def dead_port():
    """A loopback port with nothing listening (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeI3D(tf.Module):
    """(B, T, 224, 224, 3) -> {"default": (B, 400)}: mean colour times a fixed matrix."""

    def __init__(self):
        super().__init__()
        self.w = tf.Variable(np.random.default_rng(0).normal(size=(3, 400)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, None, 224, 224, 3], tf.float32)])
    def __call__(self, x):
        return {"default": tf.matmul(tf.reduce_mean(x, axis=[1, 2, 3]), self.w)}


@pytest.fixture(scope="module")
def fake_i3d_archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fake_i3d")
    module = FakeI3D()
    tf.saved_model.save(module, str(folder / "model"), signatures={"default": module.__call__})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted((folder / "model").rglob("*")):
            tar.add(path, arcname="./" + str(path.relative_to(folder / "model")), recursive=False)
    return buffer.getvalue(), module.w.numpy()


class Server:
    """A loopback HTTP server in a thread that serves one payload and counts requests."""

    def __init__(self, payload, mode="ok"):
        self.payload, self.mode, self.requests = payload, mode, 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests += 1
                body = server.payload
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.mode == "truncated":  # promise everything, send half, hang up
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/i3d.tar.gz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TFVIDGAN_CACHE", str(folder))
    ex.clear_caches()
    yield folder
    ex.clear_caches()


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_i3d_offline_fails_fast_with_clear_message(cache, monkeypatch):
    url = f"http://127.0.0.1:{dead_port()}/i3d.tar.gz"
    monkeypatch.setenv("TFVIDGAN_I3D_URL", url)
    start = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        ex.i3d_features(np.zeros((1, 16, 32, 32, 1), np.uint8), timeout=5)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert url in message and str(cache) in message
    assert "machine with network" in message and "offline extractors" in message
    assert leftovers(cache) == []


def test_i3d_downloads_once_caches_and_returns_logits(cache, monkeypatch, fake_i3d_archive):
    payload, w = fake_i3d_archive
    videos = data.load_arrays("moving_digits", 3, num_frames=16, seed=SEED)[0]
    with Server(payload) as server:
        monkeypatch.setenv("TFVIDGAN_I3D_URL", server.url)
        first = ex.i3d_features(videos)
        assert server.requests == 1
        assert first.shape == (3, 400) and np.all(np.isfinite(first))
        assert (cache / ex.I3D_DIRNAME / "saved_model.pb").is_file()
        assert not list(cache.glob("*.part")) and not list(cache.glob("*.tar.gz"))
        ex.clear_caches()  # forget the loaded model: the disk cache must be enough
        second = ex.i3d_features(videos)
        assert server.requests == 1
    np.testing.assert_allclose(first, second, rtol=1e-5)
    # the protocol: grey -> RGB in [-1, 1]; the fake network averages the pixels
    expected = ex.i3d_preprocess(videos).mean(axis=(1, 2, 3)) @ w
    np.testing.assert_allclose(first, expected, rtol=1e-3, atol=1e-3)
    with pytest.warns(UserWarning, match="resampling T=8"):
        assert ex.i3d_features(videos[:, :8]).shape == (3, 400)


def test_i3d_uses_an_archive_copied_into_the_cache(cache, monkeypatch, fake_i3d_archive):
    monkeypatch.setenv("TFVIDGAN_I3D_URL", f"http://127.0.0.1:{dead_port()}/i3d.tar.gz")
    cache.mkdir(parents=True)
    (cache / f"{ex.I3D_DIRNAME}.tar.gz").write_bytes(fake_i3d_archive[0])
    assert ex.i3d_features(np.zeros((2, 16, 8, 8, 3), np.float32)).shape == (2, 400)
    assert [p.name for p in cache.iterdir()] == [ex.I3D_DIRNAME]  # extracted; the archive is gone
    with pytest.raises(ValueError, match="shape"):
        ex.i3d_features(np.zeros((16, 8, 8, 3), np.float32))


def test_i3d_truncated_download_leaves_no_cache(cache, monkeypatch, fake_i3d_archive):
    with Server(fake_i3d_archive[0], mode="truncated") as server:
        monkeypatch.setenv("TFVIDGAN_I3D_URL", server.url)
        with pytest.raises(ConnectionError, match="incomplete|IncompleteRead") as info:
            ex.load_i3d(timeout=5)
    assert server.url in str(info.value)
    assert leftovers(cache) == []


def test_i3d_corrupt_archive_is_deleted(cache, monkeypatch):
    with Server(b"this is not a tar.gz archive" * 100) as server:
        monkeypatch.setenv("TFVIDGAN_I3D_URL", server.url)
        with pytest.raises(RuntimeError, match="not a readable .tar.gz"):
            ex.load_i3d(timeout=5)
    assert leftovers(cache) == []


def test_inception_offline_fails_fast_with_clear_message(cache, tmp_path, monkeypatch):
    keras_home = tmp_path / "keras_home"
    url = f"http://127.0.0.1:{dead_port()}/inception_v3.h5"
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("TFVIDGAN_INCEPTION_URL", url)
    start = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        ex.inception_v3_features(np.zeros((2, 32, 32, 1), np.uint8), timeout=5)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert url in message and str(keras_home / "models" / ex.INCEPTION_FILE) in message
    assert leftovers(keras_home) in ([], ["models"])


def test_inception_protocol_with_random_weights(cache):
    import keras

    x = data.load_arrays("digits", 3, seed=SEED)[0]
    pre = ex.inception_preprocess(x)
    assert pre.shape == (3, 299, 299, 3) and pre.min() >= -1.0 and pre.max() <= 1.0
    np.testing.assert_allclose(pre[..., 0], pre[..., 2])  # grey repeated to RGB
    ex.use_inception(keras.applications.InceptionV3(weights=None))
    features, probs = ex.inception_v3_features(x), ex.inception_probs(x)
    assert features.shape == (3, 2048) and probs.shape == (3, 1000)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)
    with pytest.raises(ValueError):
        ex.inception_preprocess(np.zeros((2, 32, 32, 2), np.uint8))
