"""Moving MNIST, UCF-101, paths in the dataset registry, and the download helpers.

Nothing touches the internet: every file is written by the test, and the "network" is
an HTTP server on 127.0.0.1 that the test starts and stops (or a port with nothing on it).
"""

import hashlib
import http.server
import io
import os
import socket
import tarfile
import threading
import zipfile

import numpy as np
import pytest

from tfvidgan import downloads
from tfvidgan import video_io as vio
from tfvidgan.data import datasets as D
from tfvidgan.data import moving_mnist, ucf101

# ---------------------------------------------------------------- helpers


class Server:
    """Loopback HTTP server for one payload. Honours ``Range`` (206) when ``ranges``;
    ``break_first`` sends half of the first response and hangs up; ``status`` forces
    an error code. ``headers`` records the Range header of every request."""

    def __init__(self, payload, ranges=True, break_first=False, status=200):
        self.payload, self.ranges, self.break_first, self.status = (
            payload,
            ranges,
            break_first,
            status,
        )
        self.headers = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.headers.append(self.headers.get("Range"))
                if server.status != 200:
                    self.send_error(server.status)
                    return
                body, start = server.payload, 0
                wanted = self.headers.get("Range")
                if wanted and server.ranges:
                    start = int(wanted.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                rest = body[start:]
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                if server.break_first and len(server.headers) == 1:
                    self.wfile.write(rest[: len(rest) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(rest)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/file"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def dead_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/file"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("TFVIDGAN_DATA", str(folder))
    return folder


def fake_moving_mnist(path, sequences=12, frames=20):
    """(T, N, 64, 64) uint8 where sequence n, frame t has the value n * 20 + t."""
    values = np.arange(sequences)[None, :] * 20 + np.arange(frames)[:, None]
    data = np.broadcast_to(values[:, :, None, None], (frames, sequences, 64, 64)).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, data)
    return path


# ---------------------------------------------------------------- Moving MNIST


def test_moving_mnist_reads_the_standard_layout(tmp_path):
    path = fake_moving_mnist(tmp_path / "mnist_test_seq.npy")
    videos = moving_mnist.load_moving_mnist(path)
    assert videos.shape == (12, 20, 64, 64, 1) and videos.dtype == np.uint8
    assert videos[3, 7, 0, 0, 0] == 3 * 20 + 7  # sequence first, then time
    clips, labels = moving_mnist.render(5, image_size=32, num_frames=8, seed=0, path=path)
    assert clips.shape == (5, 8, 32, 32, 1) and labels is None
    for clip in clips:  # consecutive frames of one sequence
        assert np.all(np.diff(clip[:, 0, 0, 0].astype(int)) == 1)
    with pytest.raises(ValueError, match="num_frames=21 is not possible"):
        moving_mnist.render(2, num_frames=21, path=path)


def test_moving_mnist_in_the_registry_and_as_a_path(data_dir, tmp_path):
    fake_moving_mnist(moving_mnist.default_path())
    x = next(
        iter(D.make_dataset("moving_mnist", batch_size=4, num=8, num_frames=10, image_size=64))
    )
    assert x.shape == (4, 10, 64, 64, 1) and -1 <= float(np.min(x)) <= float(np.max(x)) <= 1
    own = fake_moving_mnist(tmp_path / "mine" / "seq.npy", sequences=3)
    spec = D.get_spec(str(own))
    assert spec.kind == "video" and spec.channels == 1 and spec.source == "path"
    arrays, _ = D.load_arrays(str(own), 2, image_size=64, num_frames=20)
    assert arrays.shape == (2, 20, 64, 64, 1)


def test_moving_mnist_bad_file_and_missing_file(tmp_path, data_dir):
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match=r"Moving MNIST is uint8 frames stored as \(20, 10000"):
        moving_mnist.load_moving_mnist(bad)
    with pytest.raises(FileNotFoundError, match="Download https://www.cs.toronto.edu.*and put it"):
        moving_mnist.load_moving_mnist(download=False)


def test_moving_mnist_downloads_once_from_a_local_server(data_dir, monkeypatch, tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((20, 2, 64, 64), np.uint8))
    with Server(buffer.getvalue()) as server:
        monkeypatch.setenv("TFVIDGAN_MOVING_MNIST_URL", server.url)
        assert moving_mnist.load_moving_mnist().shape == (2, 20, 64, 64, 1)
        assert moving_mnist.load_moving_mnist().shape[0] == 2
        assert len(server.headers) == 1  # cached after the first call
    assert moving_mnist.default_path().is_file()


def test_moving_mnist_offline_says_what_to_download_and_where(data_dir, monkeypatch):
    url = dead_url()
    monkeypatch.setenv("TFVIDGAN_MOVING_MNIST_URL", url)
    with pytest.raises(ConnectionError) as info:
        moving_mnist.load_moving_mnist(timeout=5)
    message = str(info.value)
    assert url in message and str(moving_mnist.default_path()) in message
    assert "on a machine with network and copy it to" in message


# ---------------------------------------------------------------- UCF-101


def make_ucf(root, classes=("ApplyEyeMakeup", "Basketball", "CleanAndJerk")):
    """A tiny UCF-101 layout: 2 groups x 1 clip per class, official list formats."""
    videos = root / "UCF-101"
    splits = root / "ucfTrainTestlist"
    splits.mkdir(parents=True)
    (splits / "classInd.txt").write_text("".join(f"{i} {c}\n" for i, c in enumerate(classes, 1)))
    train, test = [], []
    for i, name in enumerate(classes):
        for group in (1, 8):
            clip = np.full((10, 64, 64, 3), 40 * (i + 1), np.uint8)
            rel = f"{name}/v_{name}_g{group:02d}_c01.avi"
            vio.write_mp4(videos / rel, clip)  # an AVI container (FFmpeg picks it by suffix)
            (train if group == 8 else test).append(rel)
    train_lines = [f"{rel} {classes.index(rel.split('/')[0]) + 1}" for rel in train]
    (splits / "trainlist01.txt").write_text("\r\n".join(train_lines) + "\r\n")  # CRLF, as shipped
    (splits / "testlist01.txt").write_text("\r\n".join(test) + "\r\n")
    return root


def test_ucf101_split_lists(tmp_path):
    root = make_ucf(tmp_path / "ucf")
    splits = root / "ucfTrainTestlist"
    assert ucf101.read_class_index(splits / "classInd.txt") == (
        "ApplyEyeMakeup",
        "Basketball",
        "CleanAndJerk",
    )
    train = ucf101.read_split(splits, 1, "train")
    assert train[1] == ("Basketball/v_Basketball_g08_c01.avi", 1)
    test = ucf101.read_split(splits, 1, "test")
    assert [label for _, label in test] == [0, 1, 2]  # from the folder: test lists have none
    with pytest.raises(ValueError, match="split must be 1, 2 or 3"):
        ucf101.read_split(splits, 4)
    with pytest.raises(FileNotFoundError, match="testlist02.txt"):
        ucf101.read_split(splits, 2, "test")


def test_ucf101_clips_and_registry(tmp_path, data_dir):
    root = make_ucf(tmp_path / "ucf")
    os.remove(root / "UCF-101" / "CleanAndJerk" / "v_CleanAndJerk_g08_c01.avi")
    with pytest.warns(UserWarning, match="1 of 3 clips of trainlist01.txt are missing"):
        ds = ucf101.ucf101_clips(root, 1, "train", num_frames=8, image_size=16,
                                 with_labels=True, shuffle=False)  # fmt: skip
    items = [(x.numpy(), int(y)) for x, y in ds]
    assert [y for _, y in items] == [0, 1]
    assert ds.class_names[:2] == ("ApplyEyeMakeup", "Basketball")
    for x, y in items:  # class i was painted with grey 40 * (i + 1)
        assert abs((x.mean() + 1) * 127.5 - 40 * (y + 1)) < 3

    with pytest.raises(FileNotFoundError, match="no UCF-101 at .*UCF101.rar"):
        D.make_dataset("ucf101", batch_size=2)
    make_ucf(data_dir / "ucf101")
    x, y = next(iter(D.make_dataset("ucf101", batch_size=3, num_frames=4, image_size=16,
                                    with_labels=True, repeat=True)))  # fmt: skip
    assert x.shape == (3, 4, 16, 16, 3) and sorted(y.numpy().tolist()) == [0, 1, 2]
    assert (data_dir / "clip_cache").is_dir()  # decoded once, reused in later epochs


def test_download_ucf101_from_a_local_server(tmp_path):
    made = make_ucf(tmp_path / "made")

    def zipped(folder):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(folder.parent).as_posix())
        return buffer.getvalue()

    with (
        Server(zipped(made / "UCF-101")) as videos,
        Server(zipped(made / "ucfTrainTestlist")) as lists,
    ):
        root = ucf101.download_ucf101(tmp_path / "got", video_url=videos.url, splits_url=lists.url)
    assert len(ucf101.ucf101_files(root, 1, "test").paths) == 3
    assert sorted(p.name for p in root.iterdir()) == [
        "UCF-101",
        "ucfTrainTestlist",
    ]  # archives gone


# ---------------------------------------------------------------- paths in the registry


def test_existing_path_wins_over_a_dataset_name(tmp_path, monkeypatch, data_dir):
    monkeypatch.chdir(tmp_path)
    vio.write_gif(tmp_path / "digits" / "a.gif", np.zeros((8, 16, 16, 1), np.uint8))
    spec = D.get_spec("digits")
    assert spec.source == "path" and spec.channels == 1  # grey videos -> one channel
    assert D.get_spec("moving_digits").source == "procedural"
    with pytest.raises(ValueError) as info:
        D.get_spec("no_such_thing")
    assert "moving_digits" in str(info.value) and "a folder of videos" in str(info.value)


def test_make_dataset_on_a_folder_of_videos(tmp_path, data_dir):
    for k in range(3):
        clip = np.zeros((12, 48, 64, 3), np.uint8)
        clip[..., k] = 200
        vio.write_mp4(tmp_path / "mine" / ("red", "green", "blue")[k] / f"{k}.mp4", clip)
    spec = D.get_spec(tmp_path / "mine")
    assert (spec.kind, spec.channels, spec.num_classes) == ("video", 3, 3)
    ds = D.make_dataset(str(tmp_path / "mine"), batch_size=2, num_frames=8, image_size=32,
                        with_labels=True)  # fmt: skip
    batches = list(ds.take(3))
    assert all(x.shape == (2, 8, 32, 32, 3) for x, _ in batches)
    assert ds.class_names == ("blue", "green", "red")  # sorted, not in creation order
    channel = {"red": 0, "green": 1, "blue": 2}
    x, y = batches[0]
    for clip, label in zip(x.numpy(), y.numpy()):
        assert clip[..., channel[ds.class_names[label]]].mean() > 0.3  # its colour, in RGB order
    arrays, labels = D.load_arrays(
        str(tmp_path / "mine" / "*" / "*.mp4"), 5, image_size=16, num_frames=8
    )
    assert arrays.shape == (3, 8, 16, 16, 3)  # only 3 files: 3 clips


# ---------------------------------------------------------------- downloads


def test_download_checks_sha256(tmp_path):
    payload = os.urandom(50_000)
    with Server(payload) as server:
        good = hashlib.sha256(payload).hexdigest()
        assert downloads.download(server.url, tmp_path / "a", sha256=good).read_bytes() == payload
        with pytest.raises(ConnectionError, match="corrupted download: SHA256"):
            downloads.download(server.url, tmp_path / "b", sha256="0" * 64)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_download_resumes_a_broken_transfer(tmp_path):
    payload = os.urandom(3 << 20)
    with Server(payload, break_first=True) as server:
        got = downloads.download(server.url, tmp_path / "big", retries=2, timeout=5)
    assert got.read_bytes() == payload
    assert server.headers[0] is None and server.headers[1].startswith("bytes=")  # resumed
    assert int(server.headers[1].split("=")[1].rstrip("-")) > 0


def test_keep_partial_survives_a_failed_call_and_is_resumed(tmp_path):
    payload = os.urandom(2 << 20)
    with Server(payload, break_first=True) as server:
        with pytest.raises(ConnectionError):
            downloads.download(server.url, tmp_path / "f", retries=0, keep_partial=True, timeout=5)
        part = tmp_path / "f.part"
        assert 0 < part.stat().st_size < len(payload)
        downloads.download(server.url, tmp_path / "f", retries=0, keep_partial=True, timeout=5)
    assert (tmp_path / "f").read_bytes() == payload and not part.exists()


def test_http_errors_are_not_retried(tmp_path):
    with Server(b"x", status=404) as server:
        with pytest.raises(ConnectionError, match="HTTPError"):
            downloads.download(server.url, tmp_path / "x", retries=3)
    assert len(server.headers) == 1


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("TFVIDGAN_DATA", raising=False)
    monkeypatch.setenv("TFVIDGAN_CACHE", str(tmp_path / "c"))
    assert downloads.data_dir() == tmp_path / "c" / "datasets"
    monkeypatch.setenv("TFVIDGAN_DATA", str(tmp_path / "d"))
    assert downloads.data_dir() == tmp_path / "d"


@pytest.mark.parametrize("name", ["../escape.txt", "/abs/escape.txt", "a/../../escape.txt"])
def test_extract_refuses_zip_members_outside_the_target(tmp_path, name):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("fine.txt", "ok")
        zf.writestr(zipfile.ZipInfo(name), "bad")
    with pytest.raises(downloads.UnsafeArchiveError, match="outside"):
        downloads.extract(archive, tmp_path / "target")
    assert not (tmp_path / "target" / "fine.txt").exists()  # checked before writing anything
    assert not list(tmp_path.rglob("escape.txt"))


def test_extract_tar_and_zip_and_refuse_links(tmp_path):
    archive = tmp_path / "ok.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("folder/data.bin")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"\x00\x01\x02\x03"))
    assert (downloads.extract(archive, tmp_path / "t") / "folder" / "data.bin").read_bytes() == (
        b"\x00\x01\x02\x03"
    )
    link = tmp_path / "link.tar"
    with tarfile.open(link, "w") as tar:
        info = tarfile.TarInfo("innocent")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(downloads.UnsafeArchiveError, match="link"):
        downloads.extract(link, tmp_path / "l")
    with pytest.raises(tarfile.TarError):  # what tfvidgan.metrics.pretrained catches
        downloads._safe_extract(link, tmp_path / "l")
    good_zip = tmp_path / "ok.zip"
    with zipfile.ZipFile(good_zip, "w") as zf:
        zf.writestr("a/b.txt", "hello")
    assert (downloads.extract(good_zip, tmp_path / "z") / "a" / "b.txt").read_text() == "hello"


def test_rar_without_a_tool_says_what_to_install(tmp_path, monkeypatch):
    archive = tmp_path / "x.rar"
    archive.write_bytes(b"Rar!\x1a\x07\x00" + bytes(100))
    monkeypatch.setattr(downloads.shutil, "which", lambda name: None)
    monkeypatch.setitem(__import__("sys").modules, "rarfile", None)  # not installed
    with pytest.raises(RuntimeError, match="Install one of unrar, 7-Zip.*or extract"):
        downloads.extract(archive, tmp_path / "out")


def test_train_resolves_and_streams_a_folder_of_videos(tmp_path, data_dir):
    """What `tfvidgan train --data PATH` runs: resolve_data, then make_dataset."""
    from tfvidgan import train
    from tfvidgan.config import get_config

    for k in range(2):
        clip = np.zeros((10, 64, 64, 3), np.uint8)
        clip[..., k] = 200  # red, green: colour files
        vio.write_mp4(tmp_path / "clips" / f"{k}.mp4", clip)
    cfg = train.resolve_data(get_config("vgan", "tiny", data=str(tmp_path / "clips")))
    assert cfg.channels == 3  # colour files -> 3 channels, whatever the preset said
    x = next(iter(train.make_dataset(cfg)))
    assert x.shape == (cfg.batch_size, cfg.num_frames, cfg.image_size, cfg.image_size, 3)
    with pytest.raises(ValueError, match="needs image data"):
        train.resolve_data(get_config("dcgan", "tiny", data=str(tmp_path / "clips")))
