"""Downloads that never hang, checked, resumed, and archives extracted safely.

:func:`download` writes to ``<dest>.part`` and renames it only when the bytes are
complete and their checksum (MD5 or SHA-256) matches, so an interrupted or corrupted
download never looks cached. A transfer that breaks off is retried, resuming with an
HTTP ``Range`` request where the server allows it; with ``keep_partial=True`` (large
datasets) the ``.part`` file also survives a failed call and the next call resumes
it. Every network step has a timeout; an unreachable server fails at once (no
retries) with a ``ConnectionError`` saying what to download and where to put it.

:func:`extract` unpacks zip, tar (any compression) and rar archives member by member,
refusing any member that would land outside the target folder (absolute paths,
``..``, links), whatever the Python or Keras version (``keras.utils.get_file``
hardened its extraction only in Keras 3.14). :func:`cache_dir` is where downloaded
files live (``$TFVIDGAN_CACHE``, default ``~/.cache/tfvidgan``); datasets go to
:func:`data_dir` (``$TFVIDGAN_DATA``, default ``<cache_dir>/datasets``).

Users: the pretrained networks of :mod:`tfvidgan.metrics.pretrained`, Moving MNIST
and UCF-101 (:mod:`tfvidgan.data`).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

__all__ = [
    "DEFAULT_TIMEOUT",
    "UnsafeArchiveError",
    "cache_dir",
    "data_dir",
    "download",
    "extract",
    "file_hash",
]

DEFAULT_TIMEOUT = 30.0  # seconds to connect, and for any read to make progress
CHUNK = 1 << 20


def cache_dir() -> Path:
    """Where downloaded files are kept: ``$TFVIDGAN_CACHE`` or ``~/.cache/tfvidgan``."""
    return Path(
        os.environ.get("TFVIDGAN_CACHE") or Path.home() / ".cache" / "tfvidgan"
    ).expanduser()


def data_dir() -> Path:
    """Where datasets are kept: ``$TFVIDGAN_DATA`` or ``<cache_dir()>/datasets``."""
    env = os.environ.get("TFVIDGAN_DATA")
    return Path(env).expanduser() if env else cache_dir() / "datasets"


def _offline_message(what, url, dest, reason, hint=""):
    """The error text of a failed download: what, from where, why, and where to copy it."""
    return (
        f"could not download {what} from {url} ({reason}). Without network access: download "
        f"{url} on a machine with network and copy it to {dest}{hint}."
    )


def _urlopen(url, timeout, headers=None):
    """``urlopen`` with a hard deadline, name resolution included (runs in a helper thread)."""
    box = {}
    request = urllib.request.Request(url, headers=headers or {})

    def target():
        try:
            box["response"] = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True, name="tfvidgan-download")
    thread.start()
    thread.join(timeout + 1.0)
    if thread.is_alive():
        raise _Unreachable(f"no answer within {timeout:g} s")
    if "error" in box:
        err = box["error"]
        if isinstance(err, urllib.error.HTTPError):
            raise err
        reason = getattr(err, "reason", err)
        if isinstance(reason, (socket.gaierror, ConnectionRefusedError, OSError)) and not (
            isinstance(reason, (TimeoutError, socket.timeout))
        ):
            raise _Unreachable(f"{type(reason).__name__}: {reason}") from err
        raise err
    return box["response"]


class _Unreachable(ConnectionError):
    """The server could not be reached at all: retrying will not help."""


def file_hash(path, algorithm="sha256") -> str:
    """Hex digest of a file (``"md5"`` or ``"sha256"``), read in 1 MiB chunks."""
    hasher = (
        hashlib.new(algorithm, usedforsecurity=False)
        if algorithm == "md5"
        else (hashlib.new(algorithm))
    )
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _fetch(url, part: Path, timeout):
    """Append the rest of ``url`` to ``part`` (resuming with Range); raise if short."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    response = _urlopen(url, timeout, headers)
    with response:
        status = getattr(response, "status", 200)
        if have and status != 206:  # the server ignored Range: start again
            have = 0
        length = response.headers.get("Content-Length")
        expected = have + int(length) if length and length.isdigit() else None
        with open(part, "ab" if have else "wb") as out:
            received = have
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
    if expected is not None and received != expected:
        raise ConnectionError(f"incomplete download: got {received} of {expected} bytes")
    if received == 0:
        raise ConnectionError("the server sent an empty file")


def download(
    url,
    dest,
    *,
    what="a file",
    timeout=DEFAULT_TIMEOUT,
    md5=None,
    sha256=None,
    hint="",
    retries=2,
    keep_partial=False,
) -> Path:
    """Download ``url`` to ``dest`` safely; return ``dest``.

    The bytes go to ``<dest>.part``, renamed to ``dest`` only once the download is
    complete (Content-Length reached) and the checksums given match, so an
    interrupted download never leaves a file that looks cached.

    Args:
        url: the address to fetch.
        dest: the file to write (its folder is created).
        what: words naming the file in error messages ("the I3D model").
        timeout: seconds allowed to connect and for every read to make progress.
        md5: the expected MD5 hex digest, or ``None`` to skip the check.
        sha256: the expected SHA-256 hex digest, or ``None`` to skip the check.
        hint: text appended to the error message right after the destination
            (for example ``" (or ...)"`` or ``"; or use ..."``).
        retries: extra attempts after a transfer breaks off (each resumes with a
            ``Range`` request; an unreachable server is not retried).
        keep_partial: keep ``<dest>.part`` after a failed call so the next call
            resumes it (for large datasets); by default nothing is left behind.

    Raises:
        ConnectionError: (an ``OSError``) with a message naming the URL, the
            destination and what to do offline.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if not keep_partial:
        part.unlink(missing_ok=True)
    last = None
    try:
        for attempt in range(int(retries) + 1):
            try:
                _fetch(url, part, timeout)
                last = None
                break
            except (_Unreachable, urllib.error.HTTPError) as err:
                last = err
                break  # offline, or 404/403: another try will not help
            except (ConnectionError, OSError, http.client.HTTPException, TimeoutError) as err:
                last = err
                if attempt < retries:
                    time.sleep(0.5 * 2**attempt)
        if last is not None:
            raise last
        for name, want in (("md5", md5), ("sha256", sha256)):
            if want and file_hash(part, name) != want.lower():
                got = file_hash(part, name)
                part.unlink(missing_ok=True)
                raise ConnectionError(
                    f"corrupted download: {name.upper()} {got} != expected {want}"
                )
        os.replace(part, dest)
        return dest
    except Exception as err:  # noqa: BLE001 - every failure gets the same clear message
        if not keep_partial:
            part.unlink(missing_ok=True)
        reason = getattr(err, "reason", None) or err
        raise ConnectionError(
            _offline_message(what, url, dest, f"{type(err).__name__}: {reason}", hint)
        ) from err


# ---------------------------------------------------------------------------
# Extraction, member by member
# ---------------------------------------------------------------------------


class UnsafeArchiveError(tarfile.TarError, ValueError):
    """An archive member would land outside the target folder (or is a link/device)."""


def _safe_member_path(target: Path, name: str) -> Path:
    """Where member ``name`` goes inside ``target``; raise if it would escape."""
    clean = name.replace("\\", "/")
    pure = PurePosixPath(clean)
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or ".." in pure.parts:
        raise UnsafeArchiveError(f"unsafe path in archive: {name!r} would land outside {target}")
    dest = (target / Path(*[p for p in pure.parts if p not in ("", ".")])).resolve()
    root = target.resolve()
    if dest != root and root not in dest.parents:
        raise UnsafeArchiveError(f"unsafe path in archive: {name!r} would land outside {target}")
    return dest


def _extract_tar(archive: Path, target: Path):
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for m in members:  # check everything before writing anything
            _safe_member_path(target, m.name)
            if not (m.isfile() or m.isdir()):
                raise UnsafeArchiveError(
                    f"archive member {m.name!r} is a link or device; refusing to extract it"
                )
        _copy_members(tar.extractfile, [(m.name, m.isdir(), m) for m in members], target)


def _extract_zip(archive: Path, target: Path):
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for info in infos:
            _safe_member_path(target, info.filename)
            mode = (info.external_attr >> 16) & 0o170000
            if mode == 0o120000:  # a symbolic link stored in the zip
                raise UnsafeArchiveError(f"archive member {info.filename!r} is a link; refusing")
        _copy_members(zf.open, [(i.filename, i.is_dir(), i) for i in infos], target)


def _copy_members(open_member, members, target: Path):
    """Write the checked ``members`` ``(name, is_dir, member)`` of an open archive under
    ``target``; ``open_member(member)`` returns its bytes as a file (tar, zip or rar)."""
    for name, is_dir, member in members:
        dest = _safe_member_path(target, name)
        if is_dir:
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open_member(member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)


def _rar_tool():
    for tool in ("unrar", "7z", "7zz", "bsdtar", "unar"):
        found = shutil.which(tool)
        if found:
            return tool, found
    return None, None


def _extract_rar(archive: Path, target: Path):
    try:
        import rarfile  # optional: pip install rarfile (it still needs unrar/7z/bsdtar)
    except ImportError:
        rarfile = None
    if rarfile is not None:
        with rarfile.RarFile(archive) as rf:
            infos = rf.infolist()
            for info in infos:
                _safe_member_path(target, info.filename)
                if info.is_symlink():
                    raise UnsafeArchiveError(f"archive member {info.filename!r} is a link")
            _copy_members(rf.open, [(i.filename, i.is_dir(), i) for i in infos], target)
        return
    tool, exe = _rar_tool()
    if tool is None:
        raise RuntimeError(
            f"cannot extract {archive.name}: Python has no RAR reader. Install one of unrar, "
            f"7-Zip (7z) or bsdtar (apt-get install unrar / p7zip-full / libarchive-tools), "
            f"or extract {archive} yourself into {target}"
        )
    list_cmd = {"unrar": [exe, "lb", str(archive)], "7z": [exe, "l", "-slt", str(archive)],
                "7zz": [exe, "l", "-slt", str(archive)], "bsdtar": [exe, "-tf", str(archive)],
                "unar": [shutil.which("lsar") or "lsar", str(archive)]}[tool]  # fmt: skip
    listing = subprocess.run(list_cmd, capture_output=True, text=True, check=True).stdout
    if tool in ("7z", "7zz"):
        names = [line[7:] for line in listing.splitlines() if line.startswith("Path = ")][1:]
    elif tool == "unar":
        names = listing.splitlines()[1:]
    else:
        names = listing.splitlines()
    for name in names:  # every member checked before anything is written
        if name.strip():
            _safe_member_path(target, name.strip())
    target.mkdir(parents=True, exist_ok=True)
    run = {"unrar": [exe, "x", "-o+", "-ol-", str(archive), str(target) + os.sep],
           "7z": [exe, "x", "-y", "-snl-", f"-o{target}", str(archive)],
           "7zz": [exe, "x", "-y", f"-o{target}", str(archive)],
           "bsdtar": [exe, "-xf", str(archive), "-C", str(target)],
           "unar": [exe, "-f", "-o", str(target), str(archive)]}[tool]  # fmt: skip
    subprocess.run(run, capture_output=True, check=True)


def extract(archive, target) -> Path:
    """Extract ``archive`` (zip, tar/.tar.gz/.tgz/.tar.bz2/.tar.xz, or rar) into ``target``.

    Members are checked one by one before anything is written: one whose path is
    absolute, contains ``..`` or resolves outside ``target``, and links or devices,
    make the whole extraction fail with :class:`UnsafeArchiveError`. RAR needs the
    ``rarfile`` package or an ``unrar`` / ``7z`` / ``bsdtar`` program.

    Args:
        archive: the archive file; its type is read from its content.
        target: the folder to extract into (created).

    Returns:
        ``target`` as a ``Path``.
    """
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    with open(archive, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"Rar!"):
        _extract_rar(archive, target)
    elif zipfile.is_zipfile(archive):
        _extract_zip(archive, target)
    else:
        _extract_tar(archive, target)  # tarfile.ReadError when it is not a tar either
    return target


def _safe_extract(archive: Path, target: Path):
    """Extract the tar archive ``archive`` (any compression) into the folder ``target``.

    Kept for :mod:`tfvidgan.metrics.pretrained`: :func:`extract` restricted to tar,
    raising ``tarfile.TarError`` (:class:`UnsafeArchiveError` is one) on an unsafe or
    unreadable archive.
    """
    _extract_tar(Path(archive), Path(target))
