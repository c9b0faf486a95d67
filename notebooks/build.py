"""Rebuild the .ipynb notebooks from their reviewable jupytext sources.

Each notebook is written as a jupytext "percent" script (``NN_name.py``, cells
start with ``# %%``); this writes the paired ``NN_name.ipynb`` with no outputs.
Edit the .py, run ``python notebooks/build.py``, commit both.
``tests/test_notebooks.py`` fails when a pair is out of sync.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import jupytext

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def sources() -> list[Path]:
    """Every notebook source: ``notebooks/NN_*.py`` and ``notebooks/solutions/NN_*.py``."""
    return sorted(HERE.glob("[0-9][0-9]_*.py")) + sorted(
        (HERE / "solutions").glob("[0-9][0-9]_*.py")
    )


def to_notebook(source: Path):
    nb = jupytext.read(source)
    nb.metadata = {
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    }
    for i, cell in enumerate(nb.cells):
        cell.metadata = {}
        cell.id = hashlib.sha1(f"{i}:{cell.source}".encode()).hexdigest()[
            :12
        ]  # stable ids: clean diffs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def main() -> int:
    for source in sources():
        target = source.with_suffix(".ipynb")
        jupytext.write(to_notebook(source), target, fmt="ipynb")
        print(f"wrote {target.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
