"""Check that the installed versions equal the pins of a constraints file.

Usage: python .ci/check_pins.py .ci/colab-constraints.txt

Prints one line per pinned package and exits with status 1 when any installed version
differs from its pin (installing tfvidgan replaced one of Colab's packages).
"""

import sys
from importlib.metadata import PackageNotFoundError, version


def main(path: str) -> int:
    failed = []
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, pinned = line.partition("==")
        name, pinned = name.strip(), pinned.strip()
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        ok = installed == pinned
        print(
            f"  {name:<16} pinned {pinned:<12} installed {installed}{'' if ok else '  <-- CHANGED'}"
        )
        if not ok:
            failed.append(name)
    if failed:
        print(
            f"installing tfvidgan changed Colab's {', '.join(failed)}: see pyproject.toml's floors"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
