"""Helpers shared by the tests that compare CFA output with lavaan."""

from __future__ import annotations


def param_key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    """A parameter's ``(lhs, op, rhs)`` with a covariance's two sides in sorted order
    (semopy and lavaan may list ``a ~~ b`` as ``b ~~ a``)."""
    return (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))
