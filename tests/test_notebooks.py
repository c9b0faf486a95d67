"""Structure of the course notebooks (their execution is nbmake's job in `make test`)."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks"))
import build  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
INSTALL_CALL = (  # compared with white space removed (ruff may wrap the call)
    'subprocess.run([sys.executable,"-m","pip","install","-q",'
    '"git+https://github.com/tfvidgan/tfvidgan"],check=True)'
)


def test_every_source_has_its_notebook_in_sync():
    assert build.sources(), "no notebook sources found"
    for source in build.sources():
        target = source.with_suffix(".ipynb")
        assert target.exists(), f"{target.name} missing: run `python notebooks/build.py`"
        built = build.to_notebook(source)
        stored = json.loads(target.read_text())
        assert [c.source for c in built.cells] == ["".join(c["source"]) for c in stored["cells"]], (
            f"{target.name} is out of sync with {source.name}: run `python notebooks/build.py`"
        )


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_opens_in_colab(path):
    nb = json.loads(path.read_text())
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), (
        "outputs must be stripped"
    )
    first = "".join(nb["cells"][0]["source"])
    rel = path.relative_to(ROOT).as_posix()
    assert f"https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/{rel}" in first
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    squeezed = "".join(code[0].split()).replace(",]", "]").replace(",)", ")")
    assert INSTALL_CALL in squeezed, "the first code cell installs tfvidgan in Colab"
    text = "\n".join(code)
    assert "/work/" not in text and "/home/" not in text, "no local paths"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_exercises_and_a_solution(path):
    text = path.read_text()
    assert "TODO" in text and "course.check(" in text, "notebooks end with self-checked exercises"
    solution = ROOT / "notebooks" / "solutions" / path.name.replace(".ipynb", "_solutions.ipynb")
    assert solution.exists(), f"missing {solution.name}"
    assert "require_solutions()" in solution.read_text()


def test_readme_lists_every_notebook_with_colab_link_and_time():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        rel = path.relative_to(ROOT).as_posix()
        line = next(
            (
                row
                for row in readme.splitlines()
                if rel in row and "colab.research.google.com" in row
            ),
            None,
        )
        assert line is not None, f"README does not link {rel} to Colab"
        assert re.search(r"\d+(\.\d+)?\s*min", line), f"README gives no CPU time for {rel}"
