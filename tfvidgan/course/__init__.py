"""Helpers for the course notebooks: smoke mode, Colab set-up and self-checks.

Smoke mode
    CI runs every notebook with ``TFVIDGAN_SMOKE=1``: the same cells with tiny
    sizes, so a broken notebook fails the build. In a notebook write
    ``steps = pick(normal=1500, smoke=4)``.

Exercises
    Each notebook ends with TODO cells. A student's answer goes through
    :func:`check`, which prints ``correct``, raises an ``AssertionError`` with
    a hint when the answer is wrong, and only *reminds* while the TODO is
    untouched. Solution notebooks call :func:`require_solutions` first, so an
    unanswered exercise fails there. The checks of notebook NN live in
    ``tfvidgan/course/nbNN.py``, shared by the student and solution notebooks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

SMOKE = os.environ.get("TFVIDGAN_SMOKE", "") not in ("", "0")
_REQUIRE = False


def pick(normal, smoke):
    """``smoke`` under ``TFVIDGAN_SMOKE=1`` (CI), else ``normal``."""
    return smoke if SMOKE else normal


def in_colab() -> bool:
    return "google.colab" in sys.modules


def require_solutions() -> None:
    """Make :func:`check` fail on untouched TODOs (used by solution notebooks)."""
    global _REQUIRE
    _REQUIRE = True


class TODO(NotImplementedError):
    """Raise this (or leave ``...``) in an exercise you have not done yet."""


def check(name: str, answer: Any, test: Callable[[Any], None]) -> bool:
    """Run ``test(answer)`` and report.

    ``answer`` may be a value or a function; ``None``, ``...`` or a function
    that raises :class:`TODO` / ``NotImplementedError`` count as not attempted.
    Returns True when correct.
    """
    try:
        if answer is None or answer is Ellipsis:
            raise TODO
        test(answer)
    except NotImplementedError:
        if _REQUIRE:
            raise AssertionError(f"{name}: not answered") from None
        print(f"[ ] {name}: not done yet - replace the TODO and run this cell again")
        return False
    print(f"[x] {name}: correct")
    return True
