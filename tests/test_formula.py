"""Formulas are read by a whitelisted grammar and never evaluated as Python code (issue #15).

Two kinds of test:

* every payload of the security report (and its cousins) is refused with a
  :class:`ModelSpecError` naming the offending text, through ``build_design``, ``eg.ols``,
  ``ols_dask`` and the command line, and a sentinel file proves that nothing ran;
* every accepted formula shape gives the design matrix (values and column names) that
  ``patsy.dmatrices`` gives on the same data: patsy 1.0 is the external reference here, since
  the formula language is patsy's and only its ``eval`` is replaced.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import patsy
import pytest

import egovstudy as eg
from egovstudy.errors import InsufficientDataError, ModelSpecError
from egovstudy.models.design import build_design, formula_columns
from egovstudy.models.formula import MAX_FORMULA_CHARS, design_matrices, parse_formula
from egovstudy.scale import ols_dask

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STUDY = ROOT / "data" / "raw" / "default_study"


@pytest.fixture()
def df() -> pd.DataFrame:
    rng = np.random.default_rng(20261204)
    n = 60
    return pd.DataFrame({
        "y": rng.normal(5, 1, n),
        "x": rng.uniform(1, 3, n),
        "z": rng.normal(0, 2, n),
        "g": rng.choice(list("abc"), n),
        "flag": rng.choice([True, False], n),
        "odd name": rng.normal(0, 1, n),
        "k": rng.integers(1, 4, n).astype(float),
        "cat": pd.Categorical(rng.choice(["lo", "mid", "hi"], n),
                              categories=["lo", "mid", "hi"]),
    })


# -- payloads ---------------------------------------------------------------------------------
def _payloads(sentinel: Path) -> list[tuple[str, str]]:
    """(formula, text the error must name); each would create ``sentinel`` if evaluated."""
    s = str(sentinel)
    return [
        (f"y ~ I(y + 0*__import__.__call__('os').system('touch {s}'))", "__import__"),
        (f"I(y + 0*__import__.__call__('os').system('touch {s}')) ~ x", "__import__"),
        (f"y ~ I(x + 0*len(open.__call__('{s}', 'w').name))", "'len'"),
        (f"y ~ open.__call__('{s}', 'w')", "open.__call__"),
        (f"y ~ np.save('{s}', x)", "'np.save'"),
        (f"y ~ numpy.save('{s}', x)", "'numpy.save'"),
        (f"y ~ I((lambda: open('{s}', 'w'))())", "lambda"),
        (f"y ~ I([open('{s}', 'w') for _ in x])", "comprehension"),
        (f"y ~ I(x + 0 * [open('{s}', 'w')][0])", "subscript"),
        (f"y ~ exec(\"open('{s}', 'w')\")", "'exec'"),
        (f"y ~ eval(\"open('{s}', 'w')\")", "'eval'"),
        (f"y ~ np.log(x).__class__.__init__.__globals__['sys'].modules['os'].system('touch {s}')",
         "np.log(x).__class__"),
        (f"y ~ x.__class__.__init__.__globals__['os'].system('touch {s}')", "x.__class__"),
    ]


_REFUSED = [
    ("y ~ x.__class__", "attribute access 'x.__class__'"),
    ("y ~ I(x[0])", "subscript 'x[0]'"),
    ("y ~ 'text'", "text constant \"'text'\""),
    ("y ~ I(x + 'a')", "text constant \"'a'\""),
    ("y ~ __builtins__", "'__builtins__' is not in the data"),
    ("y ~ x.__dict__", "attribute access 'x.__dict__'"),
    ("y ~ I(x > 1)", "comparison 'x > 1'"),
    ("y ~ I(x // 2)", "operator 'x // 2'"),
    ("y ~ I(x if z else y)", "conditional expression"),
    ("y ~ I(f'{x}')", "f-string"),
    ("y ~ getattr(x, 'real')", "'getattr' is not an allowed function"),
    ("y ~ C(g, Poly)", "contrast 'Poly'"),
    ("y ~ C(g, levels=['a'])", "keyword 'levels'"),
    ("y ~ x(1)", "calls the column 'x'"),
    ("y ~ I(C(g) + 1)", "cannot be nested"),
    ("y ~ np.log(x, z)", "takes one argument"),
    ("y ~ scale(x, ddof='a')", "keyword ddof='a' in \"scale(x, ddof='a')\" must be a whole"),
    ("y ~ standardize(x, center=2)", "keyword center=2 in 'standardize(x, center=2)' must be True"),
    ("y ~ center(x, ddof=1)", "keyword 'ddof' in 'center(x, ddof=1)' is not allowed"),
    ("y ~ Q(x)", "Q() takes one quoted column name"),
    ("y ~ I(x + 1" + "0" * 400 + ")", "number '10000000000000000000' is too large"),
    ("y ~ I(x * 1e999)", "number '1e999' is too large"),
    ("y ~ x + lambda", "'lambda' is not a valid expression"),
    ("y ~ x +", "cannot parse it"),
    ("y ~ x | z", "operator 'x | z'"),
    ("y ~ |", "cannot parse it (AssertionError); check for stray characters such as |"),
    ("y ~ x + z ~ g", "cannot parse it"),
]


def test_payloads_refused_by_the_parser_naming_the_token(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    for formula, token in _payloads(sentinel):
        with pytest.raises(ModelSpecError, match=re.escape(token)):
            parse_formula(formula, ["y", "x", "z", "g"])
    assert not sentinel.exists()


@pytest.mark.parametrize(("formula", "message"), _REFUSED)
def test_outside_the_grammar_is_refused(df: pd.DataFrame, formula: str, message: str) -> None:
    with pytest.raises(ModelSpecError, match=re.escape(message)):
        build_design(formula, df)


@pytest.mark.parametrize("entry", ["build_design", "formula_columns", "ols", "ols_dask"])
def test_payloads_refused_by_every_entry_point(df: pd.DataFrame, tmp_path: Path,
                                               entry: str) -> None:
    fit: Callable[[str], Any] = {
        "build_design": lambda f: build_design(f, df),
        "formula_columns": lambda f: formula_columns(f, df),
        "ols": lambda f: eg.ols(f, df),
        "ols_dask": lambda f: ols_dask(f, df),
    }[entry]
    sentinel = tmp_path / "pwned"
    for formula, token in _payloads(sentinel):
        with pytest.raises(ModelSpecError, match=re.escape(token)):
            fit(formula)
    assert not sentinel.exists()


def test_term_explosion_is_refused_before_expansion(df: pd.DataFrame) -> None:
    # 2**40 terms if expanded; refused from the parse tree, before patsy expands it
    chain = "*".join(["x", "z", *(f"I(x + {i})" for i in range(38))])
    with pytest.raises(ModelSpecError, match="expands to more than 1000 terms"):
        build_design(f"y ~ {chain}", df)
    with pytest.raises(ModelSpecError, match="expands to more than 1000 terms"):
        build_design("y ~ (" + " + ".join(f"I(x + {i})" for i in range(40)) + ") ** 40", df)
    # the bound is not hit by ordinary models: 2**9 = 512 terms are fine
    parse_formula("y ~ " + "*".join(f"I(x + {i})" for i in range(9)), list(df.columns))


def test_too_wide_design_is_refused_before_allocation(df: pd.DataFrame) -> None:
    # one dummy per row: refused from patsy's column names, before the n x k matrix exists
    wide = df.assign(rid=[f"r{i}" for i in range(len(df))])
    with pytest.raises(InsufficientDataError,
                       match=r"n = 60 complete cases is not above k = 61 coefficients "
                             r"\(Intercept, .*\.\.\. \(61 in all\)\)"):
        build_design("y ~ x + C(rid)", wide)


def test_misspelled_column_and_function_get_close_matches(df: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"column 'xx' is not in the data; did you mean 'x'"):
        build_design("y ~ xx + z", df)
    with pytest.raises(ModelSpecError, match=r"'np\.lgo' is not an allowed function; did you "
                                             r"mean 'np\.log'"):
        build_design("y ~ np.lgo(x)", df)
    with pytest.raises(ModelSpecError, match=r"'sqr' is not an allowed function; did you mean "
                                             r"'sqrt'"):
        build_design("y ~ sqr(x)", df)
    with pytest.raises(ModelSpecError, match=r"column 'odd nme' is not in the data; did you "
                                             r"mean 'odd name'"):
        build_design("y ~ Q('odd nme')", df)


def test_bounded_formula_length_and_depth(df: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=f"more than the {MAX_FORMULA_CHARS} allowed"):
        build_design("y ~ " + " + ".join(["x"] * MAX_FORMULA_CHARS), df)
    deep = "y ~ I(" + "(" * 300 + "x" + ")" * 300 + ")"
    with pytest.raises(ModelSpecError, match="formula"):
        build_design(deep, df)


def test_transform_outside_its_domain_names_the_row(df: pd.DataFrame) -> None:
    bad = df.assign(x=df["x"].where(df.index != 7, -1.0))
    with pytest.raises(ModelSpecError, match=r"'np\.log\(x\)' is not a finite number in 1 "
                                             r"row\(s\), e\.g\. row 7 \(x=-1\.0\)"):
        build_design("y ~ np.log(x)", bad)
    with pytest.raises(ModelSpecError, match=r"column 'g' in 'I\(g \+ 1\)' holds text "
                                             r".*use C\(g\) alone"):
        build_design("y ~ I(g + 1)", df)


# -- the command line ------------------------------------------------------------------------
def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "egovstudy", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})


def test_cli_formula_payload_exits_nonzero_and_runs_nothing(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    payload = ("performance ~ I(performance + "
               f"0*__import__.__call__('os').system('touch {sentinel}'))")
    out = _cli("regress", DEFAULT_STUDY / "study.yaml", "--formula", payload, cwd=tmp_path)
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "__import__" in errors[0], out.stderr
    assert "Traceback" not in out.stderr
    assert not sentinel.exists()


def test_study_file_payload_in_model_outcome(tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(DEFAULT_STUDY, study)
    sentinel = tmp_path / "pwned"
    text = (study / "study.yaml").read_text(encoding="utf-8")
    payload = f"I(performance + 0*__import__.__call__('os').system('touch {sentinel}'))"
    assert "  outcome: performance\n" in text
    (study / "study.yaml").write_text(
        text.replace("  outcome: performance\n", f'  outcome: "{payload}"\n'), encoding="utf-8")
    out = _cli("regress", study / "study.yaml", cwd=tmp_path)
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "__import__" in errors[0], out.stderr
    assert "Traceback" not in out.stderr
    assert not sentinel.exists()


# -- accepted shapes: the same design as patsy ----------------------------------------------
_SHAPES = [
    "y ~ x",
    "y ~ x + z + g",
    "y ~ x * C(g)",
    "y ~ C(g):x + z",
    "y ~ x:z + x + z",
    "y ~ C(g, Treatment('b')) * x",
    "y ~ C(g, Treatment(reference='c')) + z",
    "y ~ C(g, Sum) + x",
    "y ~ C(k) + x",
    "y ~ C(k, Treatment(3)) + x",
    "y ~ x - 1",
    "y ~ 0 + x + z",
    "y ~ -1 + C(g) + x",
    "y ~ 1 + x",
    "y ~ (x + z) * g",
    "y ~ (x + z + g) ** 2 - x:z",
    "y ~ x / g",
    "y ~ I(x**2) + x",
    "y ~ I(-x + 2 * z / 3 - 1.5)",
    "y ~ np.log(x) + np.sqrt(x) + np.exp(z / 10) + np.log1p(x) + np.log10(x) + np.abs(z)",
    "y ~ numpy.log(x)",
    "y ~ center(x) + scale(z)",
    "y ~ standardize(z) + center(x):g",
    "y ~ standardize(z, ddof=1)",
    "np.log(y) ~ x + flag",
    "I(y * 2) ~ Q('odd name') + cat",
    "y ~ C(cat) * z",
]


def _patsy_reference(formula: str, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``patsy.dmatrices`` gives (patsy evaluates the factors with Python ``eval``)."""
    env = patsy.EvalEnvironment([{"np": np, "numpy": np}])
    return patsy.dmatrices(formula, data, eval_env=env, return_type="dataframe")


@pytest.mark.parametrize("formula", _SHAPES)
def test_same_design_as_patsy(df: pd.DataFrame, formula: str) -> None:
    y_ref, X_ref = _patsy_reference(formula, df)
    y, X = design_matrices(parse_formula(formula, list(df.columns)), df)
    assert list(X.columns) == list(X_ref.columns)
    np.testing.assert_allclose(X.to_numpy(), X_ref.to_numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.to_numpy(), y_ref.to_numpy(), rtol=1e-12)
    terms_ref = [t.name() for t in X_ref.design_info.terms]
    assert [t.name() for t in X.design_info.terms] == terms_ref


def test_build_design_never_reaches_eval(df: pd.DataFrame,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # build_design refuses a bare text column (C(g) asks for dummies); a categorical is fine
    df = df.assign(g=pd.Categorical(df["g"]))
    # references first, while patsy's eval is still allowed
    refs = {f: _patsy_reference(f, df)[1] for f in _SHAPES}

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval reached")

    designs = {}
    with monkeypatch.context() as m, warnings.catch_warnings():
        m.setattr(builtins, "eval", forbidden)
        m.setattr(builtins, "exec", forbidden)
        m.setattr(patsy.eval.EvalEnvironment, "eval", forbidden)
        m.setattr(patsy.eval.EvalFactor, "eval", forbidden)
        m.setattr(patsy.eval.EvalFactor, "memorize_passes_needed", forbidden)
        warnings.simplefilter("ignore")
        for formula in _SHAPES:
            designs[formula] = build_design(formula, df)
    with monkeypatch.context() as m, warnings.catch_warnings():
        # dask's scheduler itself calls exec on its own code: only patsy's eval is patched
        m.setattr(patsy.eval.EvalEnvironment, "eval", forbidden)
        m.setattr(patsy.eval.EvalFactor, "eval", forbidden)
        m.setattr(patsy.eval.EvalFactor, "memorize_passes_needed", forbidden)
        fit = ols_dask("y ~ x * C(g, Treatment('b')) + np.log(x)", df)
    for formula, d in designs.items():
        assert d.terms == list(refs[formula].columns), formula
        np.testing.assert_allclose(d.X, refs[formula].to_numpy(), rtol=1e-12, atol=1e-12)
    assert fit.terms[:2] == ["Intercept", "C(g, Treatment('b'))[T.a]"]


def test_listwise_deletion_then_stateful_transform(df: pd.DataFrame) -> None:
    # center() learns its mean from the complete cases only, as patsy does on the same rows
    holed = df.assign(z=df["z"].where(df.index % 5 != 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = build_design("y ~ center(x) + z", holed)
    _, X_ref = _patsy_reference("y ~ center(x) + z", holed.dropna(subset=["y", "x", "z"]))
    np.testing.assert_allclose(d.X, X_ref.to_numpy(), rtol=1e-12, atol=1e-12)
    assert abs(d.X[:, 1].mean()) < 1e-12


def test_ols_dask_matches_least_squares_on_the_patsy_design(df: pd.DataFrame) -> None:
    formula = "y ~ x * C(g, Treatment('b')) + I(z**2) + np.log(x)"
    y_ref, X_ref = _patsy_reference(formula, df)
    beta, *_ = np.linalg.lstsq(X_ref.to_numpy(), y_ref.to_numpy().ravel(), rcond=None)
    fit = ols_dask(formula, df)
    assert fit.terms == list(X_ref.columns)
    np.testing.assert_allclose(fit.coef, beta, rtol=1e-8)
    with pytest.raises(ModelSpecError, match=r"stateful transform scale\(\)"):
        ols_dask("y ~ scale(x)", df)


def test_random_garbage_only_ever_raises_project_errors(df: pd.DataFrame) -> None:
    # seeded fuzzing: before the fix of patsy's tokenizer crash, "y ~ |" escaped as an
    # AssertionError; every bad formula must end as an EgovStudyError with a message
    from egovstudy.errors import EgovStudyError

    pieces = [*"yxgz~+-*/:()[]{}.,'\"0123456789 _=<>!@#$%^&|\\`\n\t#", "np.log(", "I(", "C(",
              "Q(", "lambda", "**", "Treatment(", "center(", "scale(", "__class__", "Sum",
              "ddof=", "reference=", "x", "y", "g"]
    rng = np.random.default_rng(20261204)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3000):
            text = "".join(rng.choice(pieces, size=rng.integers(1, 20)))
            formula = "y ~ " + text if rng.random() < 0.8 else text
            try:
                build_design(formula, df)
            except EgovStudyError as exc:
                assert str(exc) and "\n" not in str(exc), formula
