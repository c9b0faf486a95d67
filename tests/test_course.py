"""The course helpers: smoke switch and exercise checking."""

import importlib

import pytest

from tfvidgan import course


def _must_be_two(x):
    assert x == 2, "expected 2"


def test_check_reports_correct_wrong_and_todo(capsys):
    assert course.check("ex", 2, _must_be_two) is True
    with pytest.raises(AssertionError, match="expected 2"):
        course.check("ex", 3, _must_be_two)
    assert course.check("ex", ..., _must_be_two) is False
    assert "not done yet" in capsys.readouterr().out


def test_check_treats_todo_functions_as_unanswered():
    def student():
        raise course.TODO

    assert course.check("ex", student, lambda f: f()) is False


def test_require_solutions_makes_todo_fail(monkeypatch):
    monkeypatch.setattr(course, "_REQUIRE", False)
    course.require_solutions()
    with pytest.raises(AssertionError, match="not answered"):
        course.check("ex", None, _must_be_two)


def test_pick_follows_the_environment(monkeypatch):
    monkeypatch.setenv("TFVIDGAN_SMOKE", "1")
    assert importlib.reload(course).pick(10, 1) == 1
    monkeypatch.setenv("TFVIDGAN_SMOKE", "0")
    assert importlib.reload(course).pick(10, 1) == 10
