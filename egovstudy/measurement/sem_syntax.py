"""lavaan model syntax to a parameter table (our own parser: nothing is evaluated).

Why our own: semopy parses lavaan-style syntax but has no multi-group models, no
``group.equal`` constraints and no mean structure across groups, all of which
measurement invariance needs; its ``:=`` support evaluates Python expressions. This
parser reads the subset of lavaan's syntax a survey model uses and builds the same
parameter table as ``lavaan::sem()`` / ``lavaan::cfa()`` with their defaults:

* ``=~`` latent definitions (first loading fixed to 1, ``auto.fix.first``), ``~``
  regressions, ``~~`` (co)variances, ``~ 1`` intercepts, ``:=`` defined parameters;
* modifiers ``2*x`` (fixed), ``NA*x`` (free) and ``a*x`` (label; a label used twice, or in
  every group, makes the parameters equal);
* residual variances of every variable free (``auto.var``), covariances among exogenous
  latents (``auto.cov.lv.x``) and among purely endogenous latents or among purely
  endogenous observed variables (``auto.cov.y``) free, a single indicator's residual
  variance fixed to 0 (``auto.fix.single``), exogenous observed regressors fixed at
  their sample moments (``fixed.x = TRUE``).
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from egovstudy.errors import ModelSpecError

__all__ = ["Defined", "ModelSpec", "ParRow", "parse_model"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_OPS = ("=~", "~~", ":=", "~")


@dataclass
class ParRow:
    """One row of the parameter table (before groups are expanded)."""

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None   # a number: fixed at it; None: free
    label: str = ""
    user: bool = True


@dataclass
class Defined:
    """A defined parameter ``name := expression`` (the expression as a checked AST)."""

    name: str
    expr: str
    tree: ast.expr


@dataclass
class ModelSpec:
    """The parsed model: parameter rows, variables and defined parameters."""

    rows: list[ParRow]
    observed: list[str]
    latent: list[str]
    defined: list[Defined] = field(default_factory=list)
    exog_x: list[str] = field(default_factory=list)
    meanstructure: bool = False


def _split_terms(rhs: str, line: str) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    for term in rhs.split("+"):
        term = term.strip()
        if not term:
            raise ModelSpecError(f"model line {line!r} has an empty term; write terms as "
                                 "'a + b + c'")
        mod: str | None = None
        if "*" in term:
            mod, term = (s.strip() for s in term.split("*", 1))
        if term != "1" and not _NAME.match(term):
            raise ModelSpecError(f"model line {line!r}: {term!r} is not a variable name")
        out.append((mod, term))
    return out


def _modifier(mod: str | None, line: str) -> tuple[float | None, str, bool]:
    """Return (fixed value, label, explicitly free) of a modifier."""
    if mod is None:
        return None, "", False
    if mod == "NA":
        return None, "", True
    try:
        return float(mod), "", False
    except ValueError:
        pass
    if _NAME.match(mod):
        return None, mod, False
    raise ModelSpecError(f"model line {line!r}: modifier {mod!r} is not a number, NA or a "
                         "label (group-wise c(...) modifiers are not supported; use "
                         "group_equal= instead)")


_ALLOWED_BIN = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def _check_expr(node: ast.AST, name: str) -> None:
    """Allow only numbers, labels and + - * / ** in a defined parameter."""
    if isinstance(node, ast.Expression):
        _check_expr(node.body, name)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, _ALLOWED_BIN):
        _check_expr(node.left, name)
        _check_expr(node.right, name)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check_expr(node.operand, name)
    elif isinstance(node, ast.Name) or (isinstance(node, ast.Constant)
                                        and isinstance(node.value, (int, float))):
        return
    else:
        raise ModelSpecError(f"defined parameter {name!r}: only labels, numbers and "
                             "+ - * / ^ are allowed, e.g. 'ab := a*b'")


def labels_in(tree: ast.AST) -> list[str]:
    """Labels (names) used in a defined-parameter expression."""
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]


def _statements(model: str) -> list[str]:
    out: list[str] = []
    for raw in model.splitlines():
        raw = re.split(r"[#!]", raw, maxsplit=1)[0]
        out.extend(s.strip() for s in raw.split(";") if s.strip())
    return out


def parse_model(model: str, columns: list[str]) -> ModelSpec:
    """Parse lavaan syntax into a :class:`ModelSpec` checked against ``columns``.

    Examples
    --------
    >>> spec = parse_model("f =~ a + b + c\\ny ~ f", ["a", "b", "c", "y"])
    >>> spec.latent, spec.observed
    (['f'], ['a', 'b', 'c', 'y'])
    """
    if not isinstance(model, str) or not model.strip():
        raise ModelSpecError("model must be lavaan syntax, e.g. 'f =~ a + b + c'")
    rows: list[ParRow] = []
    defined: list[Defined] = []
    first_loading: dict[str, bool] = {}
    latent: list[str] = []
    for line in _statements(model):
        op = next((o for o in _OPS if o in line), None)
        if op is None:
            raise ModelSpecError(f"model line {line!r} has no operator; use '=~', '~', '~~' "
                                 "or ':='")
        lhs, rhs = (s.strip() for s in line.split(op, 1))
        if op == ":=":
            if not _NAME.match(lhs):
                raise ModelSpecError(f"defined parameter name {lhs!r} is not a valid name")
            try:
                tree = ast.parse(rhs.replace("^", "**"), mode="eval")
            except SyntaxError as exc:
                raise ModelSpecError(f"defined parameter {lhs!r}: cannot read {rhs!r}") from exc
            _check_expr(tree, lhs)
            defined.append(Defined(lhs, rhs, tree.body))
            continue
        if not _NAME.match(lhs):
            raise ModelSpecError(f"model line {line!r}: left side {lhs!r} is not a name")
        if op == "=~" and lhs not in latent:
            latent.append(lhs)
        for mod, var in _split_terms(rhs, line):
            fixed, label, free = _modifier(mod, line)
            if op == "~" and var == "1":
                rows.append(ParRow(lhs, "~1", "", fixed, label))
                continue
            if op == "=~":
                if not first_loading.get(lhs) and fixed is None and not free:
                    fixed = 1.0   # auto.fix.first
                first_loading[lhs] = True
            rows.append(ParRow(lhs, op, var, fixed, label))
    if not latent and not any(r.op == "~" for r in rows):
        raise ModelSpecError("model has no '=~' or '~' line; write e.g. 'f =~ a + b + c'")
    names = {r.lhs for r in rows} | {r.rhs for r in rows if r.rhs}
    observed_names = [v for v in names if v not in latent]
    unknown = sorted(v for v in observed_names if v not in columns)
    if unknown:
        near = difflib.get_close_matches(unknown[0], columns, n=1, cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ModelSpecError(f"model variable {unknown[0]!r} is neither a column of data nor "
                             f"a latent variable defined with '=~'{hint}")
    order = {c: i for i, c in enumerate(columns)}
    # lavaan's order: indicators in order of appearance, then other observed variables
    observed: list[str] = []
    for r in rows:
        for v in (r.rhs, r.lhs) if r.op == "=~" else (r.lhs, r.rhs):
            if v and v not in latent and v not in observed and v in order:
                observed.append(v)
    labels = {r.label for r in rows if r.label}
    for k, d in enumerate(defined):   # a defined name may use labels and earlier definitions
        bad = [n for n in labels_in(d.tree) if n not in labels
               and n not in {x.name for x in defined[:k]}]
        if bad:
            near = difflib.get_close_matches(bad[0], sorted(labels), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ModelSpecError(f"defined parameter {d.name!r} uses {bad[0]!r}, which is not "
                                 f"a label of the model (label a path as 'y ~ a*x'){hint}")
    rows = _add_defaults(rows, latent, observed)
    indicators = {r.rhs for r in rows if r.op == "=~"}
    lhs_reg = {r.lhs for r in rows if r.op == "~"}
    exog_x = [v for v in observed if v not in indicators and v not in lhs_reg]
    return ModelSpec(rows=rows, observed=observed, latent=latent, defined=defined,
                     exog_x=exog_x, meanstructure=any(r.op == "~1" for r in rows))


def _has(rows: list[ParRow], a: str, op: str, b: str) -> bool:
    return any(r.op == op and {r.lhs, r.rhs} == {a, b} for r in rows)


def _add_defaults(rows: list[ParRow], latent: list[str], observed: list[str]) -> list[ParRow]:
    out = list(rows)
    indicators = [r.rhs for r in rows if r.op == "=~"]
    lhs_reg = {r.lhs for r in rows if r.op == "~"}
    rhs_reg = {r.rhs for r in rows if r.op == "~"}
    exog_x = [v for v in observed if v not in indicators and v not in lhs_reg]
    for v in observed + latent:   # auto.var
        if v in exog_x:
            continue
        if not _has(out, v, "~~", v):
            out.append(ParRow(v, "~~", v, user=False))
    for lv in latent:            # auto.fix.single
        ind = [r for r in rows if r.op == "=~" and r.lhs == lv]
        if len(ind) == 1 and ind[0].rhs in observed:
            for r in out:
                if r.op == "~~" and r.lhs == r.rhs == ind[0].rhs and not r.user:
                    r.fixed = 0.0
    lv_x = [v for v in latent if v not in lhs_reg and v not in indicators]
    lv_y = [v for v in latent if v in lhs_reg and v not in rhs_reg and v not in indicators]
    ov_y = [v for v in observed if v in lhs_reg and v not in rhs_reg and v not in indicators]
    for group in (lv_x, lv_y, ov_y):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if not _has(out, a, "~~", b):
                    out.append(ParRow(a, "~~", b, user=False))
    return out
