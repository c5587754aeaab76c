"""Formula -> design matrix, with listwise deletion and input checks that name the culprit.

The formula language is patsy's (the one statsmodels users know: ``y ~ x1 + C(region) +
np.log(mbps) + x1:x2``). Before patsy sees the data we

* check that every column the formula names exists (the error lists close matches),
* refuse a text column used as a numeric term (``x`` holding ``"Setuju"``) instead of
  silently turning it into dummies; ``C(x)`` asks for dummies explicitly,
* drop incomplete rows listwise over the formula's columns plus any extra columns (cluster,
  group, entity) and report how many rows each column cost,
* refuse constant predictors and ``n`` not above ``k``.

Perfect collinearity is detected later, by the pivoted QR of :mod:`egovstudy.models.ols`,
which names the dependent terms.
"""

from __future__ import annotations

import ast
import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from egovstudy.errors import (
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
)

__all__ = ["Design", "build_design", "formula_columns"]

# names a formula may use that are not data columns (patsy built-ins and numpy)
_KNOWN_FUNCTIONS = {
    "np", "numpy", "C", "I", "Q", "center", "standardize", "scale", "log", "log1p", "exp",
    "sqrt", "abs", "Treatment", "Sum", "Poly", "Diff", "Helmert", "bs", "cr", "cc", "te",
    "Reference", "levels", "True", "False", "None",
}


@dataclass(frozen=True)
class Design:
    """A response vector and design matrix built from a formula, after listwise deletion.

    Attributes
    ----------
    formula, response : str
        The formula as given and the name of its response.
    y : numpy.ndarray
        Response, shape ``(n,)``, float64.
    X : numpy.ndarray
        Design matrix, shape ``(n, k)``, float64.
    terms : list of str
        Column names of ``X`` (patsy's names, e.g. ``Intercept``, ``C(region)[T.B]``).
    term_columns : dict
        Formula term -> indices of its columns in ``X`` (for partial F tests of blocks).
    has_intercept : bool
        Whether ``X`` holds a constant column.
    data : pandas.DataFrame
        The complete rows used (the formula's columns and the extra columns).
    n_input, n_dropped : int
        Rows given and rows removed by listwise deletion.
    dropped_by : dict
        Column -> number of missing values among the rows given.
    """

    formula: str
    response: str
    y: np.ndarray
    X: np.ndarray
    terms: list[str]
    term_columns: dict[str, list[int]]
    has_intercept: bool
    data: pd.DataFrame
    n_input: int
    n_dropped: int
    dropped_by: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of complete cases used."""
        return int(self.X.shape[0])

    @property
    def k(self) -> int:
        """Number of columns of the design matrix (coefficients)."""
        return int(self.X.shape[1])


def _names_in_code(code: str) -> tuple[set[str], set[str]]:
    """Return (bare names, strings quoted inside Q()) used by one patsy factor's code."""
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as exc:  # patsy would fail too; say where
        raise ModelSpecError(f"formula term {code!r} is not valid Python: {exc.msg}") from exc
    names: set[str] = set()
    quoted: set[str] = set()
    attr_bases: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attr_bases.add(id(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in attr_bases:
            names.add(node.id)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "Q" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            quoted.add(node.args[0].value)
    return names, quoted


def _is_numeric_like(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def formula_columns(formula: str, data: pd.DataFrame) -> tuple[str, list[str]]:
    """Return the response name and every data column a formula refers to.

    Raises :class:`~egovstudy.errors.ModelSpecError` naming a column that is not in
    ``data`` or a text column used as a numeric term.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 3], "x": [1.0, 0, 1], "g": ["a", "b", "a"]})
    >>> formula_columns("y ~ x + C(g)", df)
    ('y', ['y', 'x', 'g'])
    """
    from patsy import ModelDesc, PatsyError

    if not isinstance(formula, str) or "~" not in formula:
        raise ModelSpecError(
            f"formula must be a string 'response ~ predictors', got {formula!r}")
    try:
        desc = ModelDesc.from_formula(formula)
    except PatsyError as exc:
        raise ModelSpecError(f"cannot parse formula {formula!r}: {exc}") from exc
    if len(desc.lhs_termlist) != 1 or len(desc.lhs_termlist[0].factors) != 1:
        raise ModelSpecError(
            f"formula {formula!r} needs exactly one response on the left of '~'")
    columns = [str(c) for c in data.columns]
    used: list[str] = []

    def check_factor(code: str, *, response: bool) -> None:
        names, quoted = _names_in_code(code)
        for name in sorted(names | quoted):
            if name in columns:
                if name not in used:
                    used.append(name)
            elif name in quoted or name not in _KNOWN_FUNCTIONS:
                close = difflib.get_close_matches(name, columns, n=3)
                hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
                raise ModelSpecError(
                    f"formula {formula!r} refers to column {name!r}, which is not in the data."
                    f"{hint} Available columns start with {columns[:8]}.")
        bare = code.strip()
        if bare.startswith("Q(") and len(quoted) == 1:
            bare = next(iter(quoted))
        if bare in columns and not _is_numeric_like(data[bare]):
            series = data[bare]
            if isinstance(series.dtype, pd.CategoricalDtype) and not response:
                return
            example = series.dropna().astype(str).head(1).tolist()
            shown = f" (e.g. {example[0]!r})" if example else ""
            if response:
                raise ModelSpecError(
                    f"response column {bare!r} is not numeric{shown}; recode it to numbers "
                    "(for an ordered outcome use ordinal_logit, for 0/1 use logit)")
            raise ModelSpecError(
                f"column {bare!r} is used as a numeric term but holds text{shown}; recode it "
                f"to numbers, or write C({bare}) in the formula to treat it as categorical")

    check_factor(desc.lhs_termlist[0].factors[0].code, response=True)
    for term in desc.rhs_termlist:
        for factor in term.factors:
            check_factor(factor.code, response=False)
    response = desc.lhs_termlist[0].factors[0].code
    return response, used


def build_design(
    formula: str,
    data: pd.DataFrame,
    *,
    extra: Sequence[str] = (),
    eval_env: int = 0,
    min_resid_df: int = 1,
) -> Design:
    """Build ``y`` and ``X`` from a formula after listwise deletion.

    Parameters
    ----------
    formula : str
        patsy formula, e.g. ``"perf ~ hrq + bud + C(region)"``.
    data : pandas.DataFrame
        The data.
    extra : sequence of str
        Further columns that must be complete (cluster, group or entity variables).
    eval_env : int
        How many frames above the caller to look for names such as user functions.
    min_resid_df : int
        Required ``n - k`` (1 for OLS).

    Returns
    -------
    Design

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, None], "x": [0.0, 1, 2, 3, 4]})
    >>> import warnings; warnings.simplefilter("ignore")
    >>> d = build_design("y ~ x", df)
    >>> d.terms, d.n, d.n_dropped
    (['Intercept', 'x'], 4, 1)
    """
    import patsy

    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(
            f"data must be a pandas DataFrame, got {type(data).__name__}")
    response, used = formula_columns(formula, data)
    missing_extra = [c for c in extra if c not in data.columns]
    if missing_extra:
        raise ModelSpecError(
            f"column(s) {missing_extra} named as cluster/group variables are not in the data")
    cols = list(dict.fromkeys([*used, *extra]))
    sub = data.loc[:, cols]
    for c in used:
        if _is_numeric_like(sub[c]) and pd.api.types.is_float_dtype(sub[c]):
            values = sub[c].to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(values).any():
                row = sub.index[np.isinf(values)][0]
                raise ModelSpecError(
                    f"column {c!r} holds an infinite value (row {row!r}); replace it by a "
                    "number or by a missing value")
    na = sub.isna()
    dropped_by = {c: int(v) for c, v in na.sum().items() if v}
    keep = ~na.any(axis=1)
    n_input = len(sub)
    n_dropped = int((~keep).sum())
    clean = data.loc[keep.to_numpy(), :]
    if n_dropped:
        detail = ", ".join(f"{c}: {v}" for c, v in dropped_by.items())
        warnings.warn(
            f"listwise deletion dropped {n_dropped} of {n_input} rows with missing values "
            f"({detail}); the model uses n = {n_input - n_dropped}",
            DataQualityWarning, stacklevel=3)
    if len(clean) == 0:
        raise InsufficientDataError(
            f"no complete rows left for formula {formula!r} after listwise deletion "
            f"(missing values per column: {dropped_by})")
    env = patsy.EvalEnvironment.capture(eval_env + 1).with_outer_namespace({"np": np})
    try:
        y_df, x_df = patsy.dmatrices(formula, clean, eval_env=env, NA_action="raise",
                                     return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ModelSpecError(f"cannot build the design of {formula!r}: {exc}") from exc
    if y_df.shape[1] != 1:
        raise ModelSpecError(
            f"response of {formula!r} expands to {y_df.shape[1]} columns; use a numeric response")
    X = np.asarray(x_df, dtype=np.float64)
    y = np.asarray(y_df, dtype=np.float64).ravel()
    terms = [str(c) for c in x_df.columns]
    info = x_df.design_info
    term_columns = {
        term.name(): list(range(sl.start, sl.stop))
        for term, sl in info.term_slices.items()
    }
    has_intercept = "Intercept" in terms
    n, k = X.shape
    for j, name in enumerate(terms):
        if name == "Intercept":
            continue
        col = X[:, j]
        if np.all(col == col[0]) and (has_intercept or col[0] == 0):
            raise ModelSpecError(
                f"predictor {name!r} is constant (every one of the {n} complete cases has the "
                f"value {col[0]:g}); it carries no information: drop it from the formula")
    if n - k < min_resid_df:
        raise InsufficientDataError(
            f"n = {n} complete cases is not above k = {k} coefficients ({', '.join(terms)}); "
            "collect more data or use fewer predictors")
    return Design(
        formula=formula, response=response, y=y, X=X, terms=terms, term_columns=term_columns,
        has_intercept=has_intercept, data=clean.loc[:, cols], n_input=n_input,
        n_dropped=n_dropped, dropped_by=dropped_by,
    )
