"""Downloads that never hang, and the cache folder they fill.

:func:`download` writes to a temporary file next to the destination and renames it
only when the bytes are complete, so an interrupted download never looks cached;
every network step has a timeout, and every failure raises ``ConnectionError`` with
a message that says what to do offline. :func:`cache_dir` is where downloaded files
live (``$TFVIDGAN_CACHE``, default ``~/.cache/tfvidgan``). :func:`_safe_extract`
unpacks a tar archive without letting a member escape the target folder.

Users today: the pretrained networks of :mod:`tfvidgan.metrics.pretrained`.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
import threading
import urllib.request
from pathlib import Path

__all__ = ["DEFAULT_TIMEOUT", "cache_dir", "download"]

DEFAULT_TIMEOUT = 30.0  # seconds to connect, and for any read to make progress


def cache_dir() -> Path:
    """Where downloaded files are kept: ``$TFVIDGAN_CACHE`` or ``~/.cache/tfvidgan``."""
    return Path(
        os.environ.get("TFVIDGAN_CACHE") or Path.home() / ".cache" / "tfvidgan"
    ).expanduser()


def _offline_message(what, url, dest, reason, hint=""):
    """The error text of a failed download: what, from where, why, and where to copy it."""
    return (
        f"could not download {what} from {url} ({reason}). Without network access: download "
        f"{url} on a machine with network and copy it to {dest}{hint}."
    )


def _urlopen(url, timeout):
    """``urlopen`` with a hard deadline, name resolution included (runs in a helper thread)."""
    box = {}

    def target():
        try:
            box["response"] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True, name="tfvidgan-download")
    thread.start()
    thread.join(timeout + 1.0)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["response"]


def download(url, dest, *, what="a file", timeout=DEFAULT_TIMEOUT, md5=None, hint="") -> Path:
    """Download ``url`` to ``dest`` safely; return ``dest``.

    The bytes go to a temporary file next to ``dest`` that is renamed only once
    the download is complete (Content-Length reached, optional MD5 checked), so
    an interrupted download never leaves a file that looks cached.

    Args:
        url: the address to fetch.
        dest: the file to write (its folder is created).
        what: words naming the file in error messages ("the I3D model").
        timeout: seconds allowed to connect and for every read to make progress.
        md5: the expected MD5 hex digest, or ``None`` to skip the check.
        hint: text appended to the error message right after the destination
            (for example ``" (or ...)"`` or ``"; or use ..."``).

    Raises:
        ConnectionError: (an ``OSError``) with a message naming the URL, the
            destination and what to do offline.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            response = _urlopen(url, timeout)
            with response:
                expected = response.headers.get("Content-Length")
                expected = int(expected) if expected and expected.isdigit() else None
                hasher = hashlib.md5(usedforsecurity=False) if md5 else None
                received = 0
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
        if expected is not None and received != expected:
            raise ConnectionError(f"incomplete download: got {received} of {expected} bytes")
        if received == 0:
            raise ConnectionError("the server sent an empty file")
        if hasher is not None and hasher.hexdigest() != md5:
            raise ConnectionError(f"corrupted download: MD5 {hasher.hexdigest()} != expected {md5}")
        os.replace(tmp, dest)
        return dest
    except Exception as err:  # noqa: BLE001 - every failure gets the same clear message
        tmp.unlink(missing_ok=True)
        reason = getattr(err, "reason", None) or err
        raise ConnectionError(
            _offline_message(what, url, dest, f"{type(err).__name__}: {reason}", hint)
        ) from err
    finally:
        tmp.unlink(missing_ok=True)


def _safe_extract(archive: Path, target: Path):
    """Extract the tar archive ``archive`` (any compression) into the folder ``target``.

    Uses tarfile's ``"data"`` filter where it exists; older Pythons (< 3.11.4) refuse
    absolute paths, ``..`` and links instead. Raises ``tarfile.TarError`` on an unsafe
    or unreadable archive.
    """
    with tarfile.open(archive, "r:*") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python < 3.11.4: refuse absolute paths and '..'
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if (
                    member.name.startswith(("/", "\\"))
                    or ".." in parts
                    or member.issym()
                    or member.islnk()
                ):
                    raise tarfile.TarError(f"unsafe path in archive: {member.name}")
            tar.extractall(target)  # noqa: S202 - members checked above
