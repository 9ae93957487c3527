"""Scope strings as Auth reads them (docs/auth.md): dependencies, optional
markers, repeats folded together, and clear refusals."""

from __future__ import annotations

import pytest

from globus_testkit.services.auth.scopes import ScopeRequest, ScopeSyntaxError, parse_scopes


def test_a_repeated_scope_folds_its_dependencies_together():
    assert parse_scopes("A[B] A[C] A") == [
        ScopeRequest("A", dependencies=(ScopeRequest("B"), ScopeRequest("C")))
    ]


def test_a_scope_asked_for_both_optionally_and_not_is_required():
    assert parse_scopes("*A A") == [ScopeRequest("A")]
    assert parse_scopes("*A *A") == [ScopeRequest("A", optional=True)]


def test_a_list_of_scope_strings_reads_like_the_joined_string():
    assert parse_scopes(["A[*B]", "C"]) == parse_scopes("A[*B] C")


def test_a_scope_request_prints_back_as_its_string():
    assert [str(r) for r in parse_scopes("A[*B C[D]]")] == ["A[*B C[D]]"]


def test_an_unclosed_bracket_is_refused_naming_the_string():
    with pytest.raises(ScopeSyntaxError, match=r"^unclosed '\[' in scope 'A\[B'$"):
        parse_scopes("A[B")
