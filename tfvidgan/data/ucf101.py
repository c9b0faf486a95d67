"""UCF-101 (Soomro et al. 2012): 13,320 YouTube clips of 101 actions, in class folders.

Paper: https://arxiv.org/abs/1212.0402; data: https://www.crcv.ucf.edu/data/UCF101.php.
The layout after extracting ``UCF101.rar`` and
``UCF101TrainTestSplits-RecognitionTask.zip``::

    <root>/UCF-101/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi ...
    <root>/ucfTrainTestlist/classInd.txt        "1 ApplyEyeMakeup" ... (1-based)
    <root>/ucfTrainTestlist/trainlist01.txt     "ApplyEyeMakeup/v_..._g08_c01.avi 1"
    <root>/ucfTrainTestlist/testlist01.txt      "ApplyEyeMakeup/v_..._g01_c01.avi"

Three official splits (groups 1-7, 8-14, 15-21 held out for testing); use them, not
random splits, because clips of one group come from the same long video.

Example::

    from tfvidgan.data import ucf101
    root = ucf101.download_ucf101()                      # 6.5 GiB, resumable; or your copy
    ds = ucf101.ucf101_clips(root, split=1, subset="train", num_frames=16,
                             image_size=64, batch_size=8, with_labels=True)
"""

from __future__ import annotations

import warnings
from pathlib import Path

from tfvidgan import downloads

from .video_files import VideoFiles, load_clips, video_clips

__all__ = [
    "VIDEO_URL",
    "SPLITS_URL",
    "default_root",
    "find_layout",
    "read_class_index",
    "read_split",
    "ucf101_files",
    "ucf101_clips",
    "download_ucf101",
]

VIDEO_URL = "https://www.crcv.ucf.edu/data/UCF101/UCF101.rar"
SPLITS_URL = "https://www.crcv.ucf.edu/data/UCF101/UCF101TrainTestSplits-RecognitionTask.zip"
NUM_CLASSES = 101


def default_root() -> Path:
    """``<data_dir>/ucf101`` (see :func:`tfvidgan.downloads.data_dir`)."""
    return downloads.data_dir() / "ucf101"


def _missing_message(root) -> str:
    return (
        f"no UCF-101 at {root}. Download {VIDEO_URL} (6.5 GiB) and {SPLITS_URL}, extract both "
        f"into {root} (giving {root}/UCF-101/<class>/*.avi and {root}/ucfTrainTestlist/), or "
        f"run tfvidgan.data.ucf101.download_ucf101('{root}')"
    )


def find_layout(root=None, splits_dir=None) -> tuple[Path, Path]:
    """``(video_root, splits_dir)`` under ``root``: the folder holding the class folders
    and the one holding ``classInd.txt``. Raises ``FileNotFoundError`` saying what to get."""
    root = Path(root).expanduser() if root is not None else default_root()
    videos = next((c for c in (root / "UCF-101", root / "UCF101", root) if c.is_dir()
                   and any(p.is_dir() for p in c.iterdir())), None)  # fmt: skip
    if splits_dir is not None:
        splits = Path(splits_dir).expanduser()
    else:
        candidates = [root / "ucfTrainTestlist", root, root.parent / "ucfTrainTestlist"]
        splits = next((c for c in candidates if (c / "classInd.txt").is_file()), None)
    if videos is None or splits is None or not (splits / "classInd.txt").is_file():
        raise FileNotFoundError(_missing_message(root))
    return videos, splits


def read_class_index(path) -> tuple[str, ...]:
    """Class names from ``classInd.txt`` (lines ``"<1-based id> <name>"``), in id order."""
    entries = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise ValueError(f"{path}, line {n}: expected '<id> <ClassName>', got {line!r}")
        entries.append((int(parts[0]), parts[1]))
    ids = sorted(i for i, _ in entries)
    if ids != list(range(1, len(ids) + 1)):
        raise ValueError(f"{path}: class ids must be 1..{len(ids)} without gaps")
    return tuple(name for _, name in sorted(entries))


def read_split(splits_dir, split=1, subset="train") -> list[tuple[str, int]]:
    """``(relative path, 0-based label)`` of every clip in an official split list.

    Args:
        splits_dir: folder with ``classInd.txt``, ``trainlist0N.txt``, ``testlist0N.txt``.
        split: 1, 2 or 3.
        subset: ``"train"`` or ``"test"`` (test lists carry no label: it comes from
            the clip's class folder).
    """
    if split not in (1, 2, 3) or subset not in ("train", "test"):
        raise ValueError(
            f"split must be 1, 2 or 3 and subset 'train' or 'test', got {split}, {subset!r}"
        )
    splits_dir = Path(splits_dir)
    names = read_class_index(splits_dir / "classInd.txt")
    index = {name: i for i, name in enumerate(names)}
    list_file = splits_dir / f"{subset}list0{split}.txt"
    if not list_file.is_file():
        raise FileNotFoundError(f"missing {list_file}; it comes from {SPLITS_URL}")
    out = []
    for n, line in enumerate(list_file.read_text().splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        rel = parts[0].replace("\\", "/")
        folder = rel.split("/")[0]
        if folder not in index:
            raise ValueError(f"{list_file}, line {n}: class {folder!r} is not in classInd.txt")
        label = index[folder]
        if len(parts) > 1 and int(parts[1]) - 1 != label:
            raise ValueError(
                f"{list_file}, line {n}: label {parts[1]} disagrees with folder {folder!r}"
            )
        out.append((rel, label))
    return out


def ucf101_files(root=None, split=1, subset="train", splits_dir=None) -> VideoFiles:
    """The files and labels of one official split (missing clips: one warning, skipped)."""
    videos, splits = find_layout(root, splits_dir)
    names = read_class_index(splits / "classInd.txt")
    entries = read_split(splits, split, subset)
    present = [(videos / rel, label) for rel, label in entries if (videos / rel).is_file()]
    if len(present) < len(entries):
        warnings.warn(
            f"UCF-101: {len(entries) - len(present)} of {len(entries)} clips of "
            f"{subset}list0{split}.txt are missing under {videos}; they are skipped",
            UserWarning,
            stacklevel=2,
        )
    if not present:
        raise FileNotFoundError(
            _missing_message(Path(root) if root is not None else default_root())
        )
    return VideoFiles(
        paths=tuple(str(p) for p, _ in present),
        labels=tuple(label for _, label in present),
        class_names=names,
        source=str(videos),
    )


def ucf101_clips(root=None, split=1, subset="train", *, splits_dir=None, **kwargs):
    """:func:`~tfvidgan.data.video_clips` over one official split, labels 0..100.

    Args:
        root: the extracted dataset (``None``: :func:`default_root`).
        split: 1, 2 or 3.
        subset: ``"train"`` or ``"test"``.
        splits_dir: where the split lists are, if not found under ``root``.
        **kwargs: arguments of :func:`~tfvidgan.data.video_clips` (``num_frames``,
            ``image_size``, ``batch_size``, ``with_labels``, ``cache_dir``, ...).
    """
    files = ucf101_files(root, split, subset, splits_dir)
    return video_clips(list(files.paths), labels=list(files.labels),
                       class_names=files.class_names, **kwargs)  # fmt: skip


def download_ucf101(
    root=None, *, timeout=downloads.DEFAULT_TIMEOUT, video_url=None, splits_url=None
):
    """Download and extract UCF-101 and its split lists into ``root``; return ``root``.

    The 6.5 GiB archive resumes where an interrupted call stopped (the ``.part`` file
    is kept); both archives are extracted member by member (:func:`tfvidgan.downloads.extract`:
    nothing lands outside ``root``), then deleted. RAR needs ``unrar``, ``7z`` or
    ``bsdtar`` (or the ``rarfile`` package); without one the error says so.

    Args:
        root: target folder (``None``: :func:`default_root`).
        timeout: seconds allowed for every network step.
        video_url, splits_url: other addresses (mirrors) for the two archives.
    """
    root = Path(root).expanduser() if root is not None else default_root()
    try:
        find_layout(root)
        return root  # already there
    except FileNotFoundError:
        pass
    root.mkdir(parents=True, exist_ok=True)
    for url, name in (
        (splits_url or SPLITS_URL, "ucf101_splits.zip"),
        (video_url or VIDEO_URL, "UCF101.rar"),
    ):
        archive = root / name
        if not archive.is_file():
            hint = f", then extract it into {root}"
            downloads.download(url, archive, what=f"UCF-101 ({name})", timeout=timeout,
                               keep_partial=True, hint=hint)  # fmt: skip
        downloads.extract(archive, root)
        archive.unlink()
    find_layout(root)
    return root


def render(num, image_size=64, num_frames=16, seed=0, root=None):
    """``num`` clips of the train list of split 1 as arrays: registry adapter."""
    files = ucf101_files(root, 1, "train")
    return load_clips(list(files.paths), num_frames, max_clips=num, labels=list(files.labels),
                      class_names=files.class_names, image_size=image_size, seed=seed)  # fmt: skip
