"""Formulas without ``eval``: a whitelisted factor grammar interpreted by our own code.

patsy evaluates every factor of a formula (``np.log(x)``, ``I(x**2)``) with Python's
``eval``, so a formula read from a study file could run any code. Here a formula is read in
two steps and nothing of it is ever evaluated as Python:

1. The term algebra (``~ + - : * / ** ( )``, ``0``, ``1``, ``-1``) is parsed by
   ``patsy.ModelDesc.from_formula``. That parser only tokenizes and combines terms; it
   evaluates nothing (the factors stay text). We reuse it because it is well kept and gives
   exactly patsy's terms, order and names.
2. Each factor's text is parsed with :func:`ast.parse` and walked with a strict whitelist of
   node types (column names, ``Q('odd name')``, numbers, ``+ - * / **``, unary minus,
   ``C()``, ``I()``, a few numeric functions and ``center``/``scale``/``standardize``); we
   interpret the tree ourselves into a numeric array or a categorical column. Anything else
   (attributes, subscripts, lambdas, comprehensions, strings outside ``Q()``, other calls)
   raises :class:`~egovstudy.errors.ModelSpecError` naming the offending text.

The design matrix is then built by patsy from :class:`patsy.LookupFactor` objects, which only
index the dictionary of values we computed, so patsy's coding rules and column names
(``Intercept``, ``C(region)[T.B]``, ``x1:x2``, ``np.log(mbps)``) are unchanged.
The grammar is documented in ``docs/formula.md``.
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError

__all__ = ["ParsedFormula", "design_matrices", "parse_formula"]

#: longest formula accepted (characters); a bound on parsing time and recursion depth
MAX_FORMULA_CHARS = 4000
#: most terms a formula may expand to (``a*b*c*...`` doubles the terms with every factor)
MAX_TERMS = 1000

_UFUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log, "log1p": np.log1p, "log2": np.log2, "log10": np.log10, "exp": np.exp,
    "sqrt": np.sqrt, "abs": np.abs, "absolute": np.abs, "square": np.square,
}
_STATEFUL = ("center", "scale", "standardize")
_BARE_FUNCS = ("log", "log1p", "log2", "log10", "exp", "sqrt", "abs", "square")
_ALL_FUNCS = (
    "C", "I", "Q", *_STATEFUL, *_BARE_FUNCS, *(f"np.{f}" for f in _UFUNCS),
)
_NODE_WORDS = {
    ast.Lambda: "lambda", ast.ListComp: "comprehension", ast.SetComp: "comprehension",
    ast.DictComp: "comprehension", ast.GeneratorExp: "generator expression",
    ast.Subscript: "subscript", ast.Attribute: "attribute access", ast.Compare: "comparison",
    ast.BoolOp: "boolean operator", ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment expression", ast.Starred: "starred expression",
    ast.JoinedStr: "f-string", ast.List: "list", ast.Tuple: "tuple", ast.Dict: "dict",
    ast.Set: "set", ast.Await: "await", ast.Yield: "yield",
}
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide,
    ast.Pow: np.power,
}


@dataclass(frozen=True)
class _Factor:
    """One factor of a term: its patsy code, its validated tree and the columns it reads."""

    code: str
    body: ast.expr  # checked tree, with Q('name') replaced by a Name node
    columns: tuple[str, ...]
    kind: str  # "lookup" (a bare column), "categorical" (C()) or "numeric"
    stateful: tuple[str, ...]
    column: str | None = None  # the bare column of "lookup", or inside C()
    contrast: tuple[str, tuple[Any, ...]] | None = None  # ("Treatment", ("B",)) of C()


@dataclass(frozen=True)
class ParsedFormula:
    """A formula checked against the whitelisted grammar (see ``docs/formula.md``).

    Attributes
    ----------
    formula : str
        The formula as given.
    response : str
        Code of the response factor (``"y"``, ``"np.log(y)"``).
    columns : tuple of str
        Data columns the formula reads, response first, in order of appearance.
    stateful : tuple of str
        Stateful transforms used (``center``, ``scale``, ``standardize``).
    """

    formula: str
    response: str
    columns: tuple[str, ...]
    stateful: tuple[str, ...]
    _factors: dict[str, _Factor]
    _lhs: str
    _rhs: tuple[tuple[str, ...], ...]

    def factor_codes(self) -> list[str]:
        """patsy codes of every factor, response first (``["y", "x", "C(g)"]``)."""
        return list(self._factors)

    def factor_columns(self, code: str) -> tuple[str, ...]:
        """Data columns read by the factor with this patsy code."""
        return self._factors[code].columns

    def factor_kind(self, code: str) -> str:
        """``"lookup"``, ``"categorical"`` or ``"numeric"`` for the factor with this code."""
        return self._factors[code].kind


def _fail(formula: str, message: str) -> ModelSpecError:
    return ModelSpecError(f"formula {formula!r}: {message}")


def _hint(name: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


class _Checker:
    """Walk one factor's tree with the node whitelist; collect columns and transforms."""

    def __init__(self, formula: str, code: str, columns: Sequence[str]) -> None:
        self.formula, self.code, self.columns = formula, code, list(columns)
        self.used: list[str] = []
        self.stateful: list[str] = []
        self.bare: str | None = None
        self.contrast_spec: tuple[str, tuple[Any, ...]] | None = None

    def seg(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.code, node) or ast.unparse(node)

    def refuse(self, node: ast.AST, what: str | None = None) -> ModelSpecError:
        word = what or _NODE_WORDS.get(type(node), "expression")
        return _fail(self.formula,
                     f"{word} {self.seg(node)!r} is not allowed in a formula; use column names, "
                     "numbers, + - * / ** inside I(), C(), Q() and the functions listed in "
                     "docs/formula.md")

    def column(self, name: str, node: ast.AST) -> str:
        if name not in self.columns:
            funcs = [f for f in _ALL_FUNCS if "." not in f]
            raise _fail(self.formula,
                        f"column {name!r} is not in the data{_hint(name, self.columns)}"
                        + ("" if _hint(name, self.columns) else _hint(name, funcs))
                        + f" (columns start with {self.columns[:8]})")
        if name not in self.used:
            self.used.append(name)
        return name

    def quoted(self, node: ast.Call) -> str:
        arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise _fail(self.formula,
                        f"{self.seg(node)!r}: Q() takes one quoted column name, e.g. Q('my col')")
        return self.column(arg.value, node)

    def func_name(self, node: ast.Call) -> str:
        f = node.func
        if isinstance(f, ast.Name):
            if f.id in ("C", "I", "Q", *_STATEFUL, *_BARE_FUNCS):
                return f.id
            if f.id in self.columns:
                raise _fail(self.formula, f"{self.seg(node)!r} calls the column {f.id!r}; "
                                          "a column is not a function")
            raise _fail(self.formula,
                        f"{f.id!r} is not an allowed function{_hint(f.id, _ALL_FUNCS)} "
                        f"(allowed: {', '.join(_ALL_FUNCS)})")
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id in ("np", "numpy"):
            if f.attr in _UFUNCS:
                return "np." + f.attr
            name = f"{f.value.id}.{f.attr}"
            raise _fail(self.formula,
                        f"{name!r} is not an allowed function{_hint('np.' + f.attr, _ALL_FUNCS)}"
                        f" (allowed: {', '.join(_ALL_FUNCS)})")
        raise _fail(self.formula,
                    f"{self.seg(f)!r} is not an allowed function (allowed: "
                    f"{', '.join(_ALL_FUNCS)})")

    def no_keywords(self, node: ast.Call, allowed: Sequence[str] = ()) -> None:
        for kw in node.keywords:
            if kw.arg not in allowed:
                raise _fail(self.formula,
                            f"keyword {kw.arg or '**'!r} in {self.seg(node)!r} is not allowed"
                            + (f" (allowed: {', '.join(allowed)})" if allowed else ""))
            self.constant(kw.value, node)

    def constant(self, node: ast.expr, parent: ast.AST) -> Any:
        """A literal number, text or boolean (contrast references, ddof)."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and \
                isinstance(node.operand, ast.Constant) and \
                isinstance(node.operand.value, (int, float)) and \
                not isinstance(node.operand.value, bool):
            return -node.operand.value
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
            return node.value
        raise _fail(self.formula, f"{self.seg(node)!r} in {self.seg(parent)!r} must be a "
                                  "literal number or quoted text")

    def contrast(self, node: ast.expr, parent: ast.AST) -> tuple[str, tuple[Any, ...]]:
        if isinstance(node, ast.Name) and node.id in ("Treatment", "Sum"):
            return node.id, ()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("Treatment", "Sum"):
            key = "reference" if node.func.id == "Treatment" else "omit"
            if len(node.args) + len(node.keywords) > 1:
                raise _fail(self.formula, f"{self.seg(node)!r} takes one level at most")
            self.no_keywords(node, (key,))
            values = [self.constant(a, node) for a in node.args]
            values += [self.constant(k.value, node) for k in node.keywords]
            return node.func.id, tuple(values)
        raise _fail(self.formula,
                    f"contrast {self.seg(node)!r} in {self.seg(parent)!r} is not allowed; use "
                    "Treatment, Treatment('level'), Treatment(reference='level') or Sum")

    def value(self, node: ast.expr) -> None:
        """Any expression allowed inside a factor (numeric or a column)."""
        if isinstance(node, ast.Name):
            self.column(node.id, node)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                what = "text constant" if isinstance(node.value, str) else "constant"
                raise _fail(self.formula,
                            f"{what} {self.seg(node)!r} is not allowed here; text is allowed "
                            "only as Q('column name') or as a level in Treatment('level')")
            try:
                finite = math.isfinite(float(node.value))
            except OverflowError:
                finite = False
            if not finite:
                raise _fail(self.formula, f"number {self.seg(node)[:20]!r} is too large for a "
                                          "64-bit float")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                raise self.refuse(node, "operator")
            self.value(node.left)
            self.value(node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self.refuse(node, "operator")
            self.value(node.operand)
        elif isinstance(node, ast.Call):
            name = self.func_name(node)
            if name == "Q":
                self.quoted(node)
                return
            if name == "C":
                raise _fail(self.formula, f"{self.seg(node)!r}: C() makes a categorical "
                                          "factor and cannot be nested in arithmetic")
            allowed = ("center", "rescale", "ddof") if name in ("scale", "standardize") else ()
            if len(node.args) != 1:
                raise _fail(self.formula, f"{self.seg(node)!r}: {name}() takes one argument")
            self.no_keywords(node, allowed)
            for kw in node.keywords:
                val = self.constant(kw.value, node)
                ok = isinstance(val, bool) if kw.arg != "ddof" else \
                    isinstance(val, int) and not isinstance(val, bool) and val >= 0
                if not ok:
                    want = "True or False" if kw.arg != "ddof" else "a whole number >= 0"
                    raise _fail(self.formula, f"keyword {kw.arg}={self.seg(kw.value)} in "
                                              f"{self.seg(node)!r} must be {want}")
            if name in _STATEFUL and name not in self.stateful:
                self.stateful.append(name)
            self.value(node.args[0])
        else:
            raise self.refuse(node)

    def bare_column(self, node: ast.expr) -> str | None:
        """The column of a bare name or Q('name'), else None."""
        if isinstance(node, ast.Name):
            return self.column(node.id, node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "Q":
            return self.quoted(node)
        return None

    def factor(self, node: ast.expr) -> str:
        """Check a whole factor; return its kind."""
        self.bare = self.bare_column(node)
        if self.bare is not None:
            return "lookup"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "C":
            if not 1 <= len(node.args) <= 2:
                raise _fail(self.formula, f"{self.seg(node)!r}: C() takes a column and an "
                                          "optional contrast, e.g. C(region, Treatment('B'))")
            self.no_keywords(node)  # levels= is not supported: the data's levels are used
            self.bare = self.bare_column(node.args[0])
            if self.bare is None:
                self.value(node.args[0])
            if len(node.args) == 2:
                self.contrast_spec = self.contrast(node.args[1], node)
            return "categorical"
        self.value(node)
        return "numeric"


class _QToName(ast.NodeTransformer):
    """Replace the (checked) ``Q('name')`` calls by a Name node holding the column name."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "Q" and len(node.args) == 1 \
                and isinstance(node.args[0], ast.Constant):
            return ast.Name(id=str(node.args[0].value), ctx=ast.Load())
        self.generic_visit(node)
        return node


def _parse_factor(formula: str, code: str, columns: Sequence[str]) -> _Factor:
    try:
        body = ast.parse(code.strip(), mode="eval").body
    except SyntaxError as exc:
        raise _fail(formula, f"term {code!r} is not a valid expression ({exc.msg}); see "
                             "docs/formula.md for the formula grammar") from None
    checker = _Checker(formula, code.strip(), columns)
    try:
        kind = checker.factor(body)
        body = _QToName().visit(body)
    except RecursionError:
        raise _fail(formula, f"term {code[:40]!r}... is nested too deeply") from None
    return _Factor(code, body, tuple(checker.used), kind, tuple(checker.stateful),
                   checker.bare, checker.contrast_spec)


def _term_bound(node: Any) -> int:
    """Upper bound on the terms a patsy parse tree expands to, capped at ``MAX_TERMS + 1``."""
    cap = MAX_TERMS + 1
    kind, args = node.type, node.args
    if kind == "PYTHON_EXPR":
        return 1
    if not args:  # ZERO, ONE, NUMBER
        return 0
    if len(args) == 1:  # unary + - ~
        return _term_bound(args[0])
    if kind == "~":
        return _term_bound(args[1])
    left = _term_bound(args[0])
    if kind == "**":
        text = str(args[1].token.extra) if args[1].type in ("ONE", "NUMBER") else "1"
        power = min(int(text), left) if text.isdigit() and len(text) < 6 else left
        total, level = 0, 1
        for _ in range(power):
            level = min(level * left, cap)
            total = min(total + level, cap)
        return total
    right = _term_bound(args[1])
    if kind == "+":
        return min(left + right, cap)
    if kind == "-":
        return left
    if kind == ":":
        return min(left * right, cap)
    return min(left + right + left * right, cap)  # "*" and "/"


def parse_formula(formula: str, columns: Sequence[str]) -> ParsedFormula:
    """Check a formula against the grammar of ``docs/formula.md`` and the data's columns.

    Nothing of the formula is evaluated as Python code.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"``, e.g. ``"perf ~ hrq * C(region, Treatment('B'))"``.
    columns : sequence of str
        Column names of the data.

    Returns
    -------
    ParsedFormula

    Raises
    ------
    ModelSpecError
        Naming the offending text: an unknown column or function (with close matches),
        an attribute, subscript, lambda, comprehension, string outside ``Q()``, ...

    Examples
    --------
    >>> p = parse_formula("y ~ np.log(x) + C(g)", ["y", "x", "g"])
    >>> p.response, p.columns
    ('y', ('y', 'x', 'g'))
    >>> parse_formula("y ~ x.__class__", ["y", "x"])
    Traceback (most recent call last):
    ...
    egovstudy.errors.ModelSpecError: formula 'y ~ x.__class__': attribute access 'x.__class__' \
is not allowed in a formula; use column names, numbers, + - * / ** inside I(), C(), Q() and \
the functions listed in docs/formula.md
    """
    from patsy import ModelDesc, PatsyError

    if not isinstance(formula, str) or "~" not in formula:
        raise ModelSpecError(
            f"formula must be a string 'response ~ predictors', got {formula!r}")
    if len(formula) > MAX_FORMULA_CHARS:
        raise ModelSpecError(f"formula {formula[:40]!r}... has {len(formula)} characters, more "
                             f"than the {MAX_FORMULA_CHARS} allowed; shorten it")
    columns = [str(c) for c in columns]
    from patsy.parse_formula import parse_formula as patsy_parse

    try:
        # patsy's term-algebra parser: tokenizes and combines terms, evaluates nothing.
        # The tree is read first to bound the expansion: x1*x2*...*x30 is 2**30 terms.
        if _term_bound(patsy_parse(formula)) > MAX_TERMS:
            raise _fail(formula, f"expands to more than {MAX_TERMS} terms (each factor of a "
                                 "chain a*b*c*... or (...)**n doubles them); write the "
                                 "interactions you need with ':'")
        desc = ModelDesc.from_formula(formula)
    except PatsyError as exc:
        where = ""
        if exc.origin is not None:
            where = f" at {exc.origin.code[exc.origin.start:exc.origin.end]!r}"
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(formula, f"cannot parse it: {msg}{where}") from None
    except RecursionError:
        raise _fail(formula, "cannot parse it: nested too deeply") from None
    except ModelSpecError:
        raise
    except Exception as exc:  # patsy's tokenizer asserts on some input ('y ~ |')
        raise _fail(formula, f"cannot parse it ({type(exc).__name__}); check for stray "
                             "characters such as | ^ % < > and unbalanced quotes") from None
    if len(desc.lhs_termlist) != 1 or len(desc.lhs_termlist[0].factors) != 1:
        raise _fail(formula, "needs exactly one response on the left of '~'")
    factors: dict[str, _Factor] = {}
    used: list[str] = []
    stateful: list[str] = []

    def add(code: str) -> str:
        if code not in factors:
            f = _parse_factor(formula, code, columns)
            factors[code] = f
            used.extend(c for c in sorted(f.columns) if c not in used)
            stateful.extend(s for s in f.stateful if s not in stateful)
        return code

    lhs = add(desc.lhs_termlist[0].factors[0].code)
    rhs = tuple(tuple(add(f.code) for f in term.factors) for term in desc.rhs_termlist)
    return ParsedFormula(formula=formula, response=lhs, columns=tuple(used),
                         stateful=tuple(stateful), _factors=factors, _lhs=lhs, _rhs=rhs)


# ------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------
def _column_numbers(formula: str, data: pd.DataFrame, name: str, code: str) -> np.ndarray:
    s = data[name]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    example = s.dropna().astype(str).head(1).tolist()
    shown = f" (e.g. {example[0]!r})" if example else ""
    raise _fail(formula, f"column {name!r} in {code!r} holds text{shown}, not numbers; recode "
                         f"it to numbers, or use C({name}) alone as a categorical term")


def _numbers(node: ast.expr, data: pd.DataFrame, formula: str, code: str) -> Any:
    """Interpret a checked numeric expression (never with ``eval``)."""
    if isinstance(node, ast.Name):
        return _column_numbers(formula, data, node.id, code)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return np.float64(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_numbers(node.left, data, formula, code),
                                      _numbers(node.right, data, formula, code))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        val = _numbers(node.operand, data, formula, code)
        return -val if isinstance(node.op, ast.USub) else val
    if isinstance(node, ast.Call) and len(node.args) == 1:
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        x = np.asarray(_numbers(node.args[0], data, formula, code), dtype=np.float64)
        if name == "I":
            return x
        if name in _UFUNCS:
            return _UFUNCS[name](x)
        if name in _STATEFUL:
            x = np.broadcast_to(x, (len(data),)).astype(np.float64)
            kw = {k.arg: _literal(k.value) for k in node.keywords}
            do_center = name == "center" or bool(kw.get("center", True))
            rescale = name != "center" and bool(kw.get("rescale", True))
            ddof = int(kw.get("ddof", 0))
            out = x - x.mean() if do_center else x.copy()
            if rescale:
                out = out / np.sqrt(x.var(ddof=ddof))
            return out
    raise _fail(formula, f"cannot evaluate {ast.unparse(node)!r}")


def _literal(node: ast.expr) -> Any:
    """The value of a checked literal (``3``, ``-1.5``, ``'B'``, ``True``)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        value: Any = node.operand.value
        return -value
    raise ModelSpecError(f"{ast.unparse(node)!r} is not a literal")


def _contrast(spec: tuple[str, tuple[Any, ...]]) -> Any:
    from patsy.contrasts import Sum, Treatment

    cls = Treatment if spec[0] == "Treatment" else Sum
    return cls(spec[1][0]) if spec[1] else cls()


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _factor_values(f: _Factor, data: pd.DataFrame, formula: str) -> tuple[Any, Any]:
    """(values, patsy factor) of one factor; values indexed like ``data``."""
    from patsy import LookupFactor

    if f.kind == "lookup" and f.column is not None:
        return data[f.column], LookupFactor(f.code)
    if f.kind == "categorical" and isinstance(f.body, ast.Call):
        if f.column is not None:
            values = data[f.column]
        else:
            values = pd.Series(np.broadcast_to(
                _numbers(f.body.args[0], data, formula, f.code), (len(data),)), index=data.index)
        contrast = _contrast(f.contrast) if f.contrast is not None else None
        return values, LookupFactor(f.code, force_categorical=True, contrast=contrast)
    with np.errstate(all="ignore"):
        arr = np.broadcast_to(np.asarray(_numbers(f.body, data, formula, f.code),
                                         dtype=np.float64), (len(data),))
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        row = _plain(data.index[i])
        cols = ", ".join(f"{c}={_plain(data[c].iloc[i])!r}" for c in f.columns)
        where = f"row {row!r} ({cols})" if cols else f"row {row!r}"
        raise _fail(formula, f"{f.code!r} is not a finite number in {int(bad.sum())} row(s), "
                             f"e.g. {where}; check the transform's domain "
                             "(log of 0 or a negative number, division by 0)")
    return pd.Series(arr, index=data.index), LookupFactor(f.code)


def design_matrices(parsed: ParsedFormula, data: pd.DataFrame, *,
                    max_columns: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Response and design matrix of a parsed formula, as patsy data frames, without eval.

    ``data`` must hold complete rows (stateful transforms are computed on them).

    Parameters
    ----------
    parsed : ParsedFormula
        From :func:`parse_formula`.
    data : pandas.DataFrame
        Complete rows of the columns in ``parsed.columns``.
    max_columns : int, optional
        Refuse (:class:`~egovstudy.errors.InsufficientDataError`) a design with more columns
        than this, before the matrix is allocated (``C(respondent_id)`` on a million rows
        would need terabytes).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(y, X)`` as :func:`patsy.dmatrices` returns them (``X.design_info`` included).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3], "x": [1.0, 2, 3, 5], "g": list("abab")})
    >>> y, X = design_matrices(parse_formula("y ~ I(x**2) + C(g, Treatment('b'))",
    ...                                      df.columns), df)
    >>> list(X.columns)
    ['Intercept', "C(g, Treatment('b'))[T.a]", 'I(x ** 2)']
    """
    from patsy import (
        EvalEnvironment,
        PatsyError,
        Term,
        build_design_matrices,
        design_matrix_builders,
    )

    values: dict[str, Any] = {}
    lookups: dict[str, Any] = {}
    for code, f in parsed._factors.items():
        try:
            values[code], lookups[code] = _factor_values(f, data, parsed.formula)
        except RecursionError:
            raise _fail(parsed.formula, f"term {code[:40]!r} is nested too deeply") from None
    lhs = [Term([lookups[parsed._lhs]])]
    rhs = [Term([lookups[c] for c in term]) for term in parsed._rhs]
    try:
        # what patsy.dmatrices does, in two steps so that the width is known before the
        # matrix is allocated; LookupFactor only indexes ``values``
        infos = design_matrix_builders([lhs, rhs], lambda: iter([values]),
                                       EvalEnvironment([{}]), "raise")
        k = len(infos[1].column_names)
        if max_columns is not None and k > max_columns:
            names = infos[1].column_names
            shown = ", ".join(names[:12]) + (f", ... ({k} in all)" if k > 12 else "")
            raise InsufficientDataError(
                f"n = {len(data)} complete cases is not above k = {k} coefficients ({shown}); "
                "collect more data or use fewer predictors")
        y_df, x_df = build_design_matrices(infos, values, NA_action="raise",
                                           return_type="dataframe")
    except PatsyError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(parsed.formula, f"cannot build the design: {msg}") from None
    return y_df, x_df
