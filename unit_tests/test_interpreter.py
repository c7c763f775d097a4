"""The guard against CPython's concurrent `ast.literal_eval` race (python/cpython#106905)."""

from __future__ import annotations

import ast
import sys

import pytest

import source_aha  # noqa: F401  (importing the source installs the guard where needed)
from source_aha.interpreter import FIXED_IN, serialize_literal_eval


def test_the_guard_is_installed_exactly_on_interpreters_with_the_race() -> None:
    affected = tuple(sys.version_info[:3]) < FIXED_IN
    assert getattr(ast.literal_eval, "_source_aha_serialized", False) is affected
    assert serialize_literal_eval() is affected  # a second call does not wrap twice


@pytest.mark.parametrize("version", [(3, 11, 8), (3, 12, 0), (3, 13, 1)])
def test_fixed_interpreters_are_left_alone(version: tuple[int, int, int]) -> None:
    before = ast.literal_eval
    assert serialize_literal_eval(version) is False
    assert ast.literal_eval is before


def test_the_guarded_literal_eval_evaluates_and_fails_like_the_original(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ast, "literal_eval", ast.literal_eval)  # restored after the test
    serialize_literal_eval((3, 11, 7))
    assert getattr(ast.literal_eval, "_source_aha_serialized", False)

    assert ast.literal_eval("[1, 'a', {'b': None}]") == [1, "a", {"b": None}]
    assert ast.literal_eval("12345678901234567890") == 12345678901234567890
    with pytest.raises(ValueError, match="malformed node"):
        ast.literal_eval("open('x')")
    with pytest.raises(SyntaxError):
        ast.literal_eval("2024-01-01T00:00:00Z")
