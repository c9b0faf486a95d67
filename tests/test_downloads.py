"""tfvidgan.downloads, and the download-and-cache path of the pretrained I3D network.

Nothing here touches the internet: the "network" is a loopback HTTP server started by
the tests, or a loopback port with nothing listening.
"""

import hashlib
import http.server
import io
import socket
import tarfile
import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import data, downloads
from tfvidgan.metrics import pretrained

SEED = 31_337


def dead_port():
    """A loopback port with nothing listening (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A loopback HTTP server in a thread that serves one payload and counts requests.

    ``mode="truncated"`` promises the whole payload in Content-Length, sends half and
    hangs up.
    """

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
                if server.mode == "truncated":
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
    pretrained.clear_caches()
    yield folder
    pretrained.clear_caches()


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


# ---------------------------------------------------------------------------
# download() and cache_dir()
# ---------------------------------------------------------------------------


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIDGAN_CACHE", str(tmp_path / "here"))
    assert downloads.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("TFVIDGAN_CACHE")
    assert downloads.cache_dir().parts[-2:] == (".cache", "tfvidgan")


def test_download_writes_the_bytes_and_checks_md5(tmp_path):
    payload = bytes(range(256)) * 4000  # about 1 MB: several reads
    dest = tmp_path / "sub" / "file.bin"
    with Server(payload) as server:
        got = downloads.download(server.url, dest, md5=hashlib.md5(payload).hexdigest())
        assert got == dest and dest.read_bytes() == payload
        with pytest.raises(ConnectionError, match="corrupted download: MD5"):
            downloads.download(server.url, tmp_path / "other.bin", md5="0" * 32)
    assert leftovers(tmp_path) == ["file.bin", "sub"]  # no .part file, no corrupted copy


def test_download_truncated_or_empty_leaves_nothing(tmp_path):
    with Server(b"x" * 10_000, mode="truncated") as server:
        with pytest.raises(ConnectionError, match="incomplete|IncompleteRead"):
            downloads.download(server.url, tmp_path / "a.bin", timeout=5)
    with Server(b"") as server:
        with pytest.raises(ConnectionError, match="empty file"):
            downloads.download(server.url, tmp_path / "b.bin", timeout=5)
    assert leftovers(tmp_path) == []


def test_download_offline_fails_fast_and_says_what_to_do(tmp_path):
    url = f"http://127.0.0.1:{dead_port()}/weights.h5"
    dest = tmp_path / "weights.h5"
    start = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        downloads.download(url, dest, what="the test weights", timeout=5, hint=" (HINT)")
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert message.startswith(f"could not download the test weights from {url} (")
    assert message.endswith(f"on a machine with network and copy it to {dest} (HINT).")
    assert leftovers(tmp_path) == []


def test_safe_extract_refuses_members_outside_the_target(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(tarfile.TarError):
        downloads._safe_extract(archive, tmp_path / "target")
    assert not (tmp_path / "escaped.txt").exists()


# ---------------------------------------------------------------------------
# The I3D network: downloaded once, extracted, cached
# ---------------------------------------------------------------------------


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


def test_i3d_downloads_once_caches_and_returns_logits(cache, monkeypatch, fake_i3d_archive):
    payload, w = fake_i3d_archive
    videos = data.load_arrays("moving_digits", 3, num_frames=16, seed=SEED)[0]
    with Server(payload) as server:
        monkeypatch.setenv("TFVIDGAN_I3D_URL", server.url)
        first = pretrained.i3d_features(videos)
        assert server.requests == 1
        assert first.shape == (3, 400) and np.all(np.isfinite(first))
        assert (cache / pretrained.I3D_DIRNAME / "saved_model.pb").is_file()
        assert not list(cache.glob("*.part")) and not list(cache.glob("*.tar.gz"))
        pretrained.clear_caches()  # forget the loaded model: the disk cache must be enough
        second = pretrained.i3d_features(videos)
        assert server.requests == 1
    np.testing.assert_allclose(first, second, rtol=1e-5)
    # the protocol: grey -> RGB in [-1, 1]; the fake network averages the pixels
    expected = pretrained.i3d_preprocess(videos).mean(axis=(1, 2, 3)) @ w
    np.testing.assert_allclose(first, expected, rtol=1e-3, atol=1e-3)
    with pytest.warns(UserWarning, match="resampling T=8"):
        assert pretrained.i3d_features(videos[:, :8]).shape == (3, 400)


def test_i3d_uses_an_archive_copied_into_the_cache(cache, monkeypatch, fake_i3d_archive):
    monkeypatch.setenv("TFVIDGAN_I3D_URL", f"http://127.0.0.1:{dead_port()}/i3d.tar.gz")
    cache.mkdir(parents=True)
    (cache / f"{pretrained.I3D_DIRNAME}.tar.gz").write_bytes(fake_i3d_archive[0])
    assert pretrained.i3d_features(np.zeros((2, 16, 8, 8, 3), np.float32)).shape == (2, 400)
    # extracted; the archive is gone
    assert [p.name for p in cache.iterdir()] == [pretrained.I3D_DIRNAME]


def test_i3d_truncated_download_leaves_no_cache(cache, monkeypatch, fake_i3d_archive):
    with Server(fake_i3d_archive[0], mode="truncated") as server:
        monkeypatch.setenv("TFVIDGAN_I3D_URL", server.url)
        with pytest.raises(ConnectionError, match="incomplete|IncompleteRead") as info:
            pretrained.load_i3d(timeout=5)
    assert server.url in str(info.value)
    assert leftovers(cache) == []


def test_i3d_corrupt_archive_is_deleted(cache, monkeypatch):
    with Server(b"this is not a tar.gz archive" * 100) as server:
        monkeypatch.setenv("TFVIDGAN_I3D_URL", server.url)
        with pytest.raises(RuntimeError, match="not a readable .tar.gz"):
            pretrained.load_i3d(timeout=5)
    assert leftovers(cache) == []
