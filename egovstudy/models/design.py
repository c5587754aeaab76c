"""Formula -> design matrix, with listwise deletion and input checks that name the culprit.

The formula language is patsy's (the one statsmodels users know: ``y ~ x1 + C(region) +
np.log(mbps) + x1:x2``), restricted to the whitelisted grammar of ``docs/formula.md`` and
read by :mod:`egovstudy.models.formula`, which never evaluates any of it as Python code
(patsy would ``eval`` it). Before the design is built we

* check the formula against the grammar and check that every column it names exists (the
  error lists close matches),
* refuse a text column used as a numeric term (``x`` holding ``"Setuju"``) instead of
  silently turning it into dummies; ``C(x)`` asks for dummies explicitly,
* drop incomplete rows listwise over the formula's columns plus any extra columns (cluster,
  group, entity) and report how many rows each column cost,
* refuse constant predictors and ``n`` not above ``k``.

Perfect collinearity is detected later, by the pivoted QR of :mod:`egovstudy.models.ols`,
which names the dependent terms.
"""

from __future__ import annotations

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
from egovstudy.models.formula import ParsedFormula, design_matrices, parse_formula

__all__ = ["Design", "build_design", "formula_columns"]

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


def _is_numeric_like(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def formula_columns(formula: str, data: pd.DataFrame) -> tuple[str, list[str]]:
    """Return the response name and every data column a formula refers to.

    Raises :class:`~egovstudy.errors.ModelSpecError` naming a column that is not in
    ``data``, a text column used as a numeric term, or anything outside the formula grammar
    of ``docs/formula.md`` (nothing of the formula is evaluated as Python code).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 3], "x": [1.0, 0, 1], "g": ["a", "b", "a"]})
    >>> formula_columns("y ~ x + C(g)", df)
    ('y', ['y', 'x', 'g'])
    """
    parsed = parse_formula(formula, [str(c) for c in data.columns])
    _check_types(parsed, data)
    return parsed.response, list(parsed.columns)


def _check_types(parsed: ParsedFormula, data: pd.DataFrame) -> None:
    """Refuse a text column used as a numeric term or as the response."""
    codes = [parsed.response, *(c for c in parsed.factor_codes() if c != parsed.response)]
    for code in codes:
        response = code == parsed.response
        if parsed.factor_kind(code) != "lookup":
            continue
        bare = parsed.factor_columns(code)[0]
        if _is_numeric_like(data[bare]):
            continue
        series = data[bare]
        if isinstance(series.dtype, pd.CategoricalDtype) and not response:
            continue
        example = series.dropna().astype(str).head(1).tolist()
        shown = f" (e.g. {example[0]!r})" if example else ""
        if response:
            raise ModelSpecError(
                f"response column {bare!r} is not numeric{shown}; recode it to numbers "
                "(for an ordered outcome use ordinal_logit, for 0/1 use logit)")
        raise ModelSpecError(
            f"column {bare!r} is used as a numeric term but holds text{shown}; recode it "
            f"to numbers, or write C({bare}) in the formula to treat it as categorical")


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
        Formula in the grammar of ``docs/formula.md``, e.g. ``"perf ~ hrq + bud + C(region)"``.
    data : pandas.DataFrame
        The data.
    extra : sequence of str
        Further columns that must be complete (cluster, group or entity variables).
    eval_env : int
        Accepted for compatibility and ignored: formulas never see the caller's variables
        (only data columns and the whitelisted functions of ``docs/formula.md``).
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
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(
            f"data must be a pandas DataFrame, got {type(data).__name__}")
    parsed = parse_formula(formula, [str(c) for c in data.columns])
    _check_types(parsed, data)
    response, used = parsed.response, list(parsed.columns)
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
    y_df, x_df = design_matrices(parsed, clean, max_columns=len(clean) - min_resid_df)
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
