"""Many comparisons at once: every demographic by every construct, and early vs late.

:func:`compare_groups` is the respondent-profile table of a thesis ("uji beda" of each
construct by gender, rank, agency type, region ...); :func:`nonresponse_check` is the
Armstrong & Overton (1977) extrapolation check (first vs last quarter of respondents).
Per cell the test follows the number of groups (two: t / Mann-Whitney; more: ANOVA /
Kruskal-Wallis); the normality (Shapiro-Wilk per group) and equal-variance
(Brown-Forsythe) checks are reported beside it. The effect-size CIs of all cells are found
in one vectorised pass (noncentral t / F inversion), which is where the time would go in a
cell-by-cell loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.compare import _core
from egovstudy.compare._data import check_columns, check_frame, check_spread, numeric, split
from egovstudy.compare._result import TIDY_COLUMNS, GroupComparison
from egovstudy.errors import InsufficientDataError, ModelSpecError

__all__ = ["compare_groups", "nonresponse_check"]

Method = Literal["auto", "parametric", "nonparametric"]
Family = Literal["outcome", "group", "all"]


def _shapiro_min_p(arrays: Sequence[np.ndarray]) -> float:
    from scipy.stats import shapiro

    ps = [float(shapiro(a).pvalue) for a in arrays if 3 <= a.size <= 5000 and np.ptp(a) > 0]
    return min(ps) if ps else math.nan


def _cell(levels: list[Any], arrays: list[np.ndarray], n: int, method: str,
          equal_var: bool, alpha: float, level: float, names: tuple[str, str]) -> dict[str, Any]:
    k = len(arrays)
    norm_p = _shapiro_min_p(arrays)
    var_p = _core.levene(arrays, "median")["p"]
    nonpar = method == "nonparametric" or (method == "auto" and norm_p < alpha)
    if not nonpar and not equal_var:
        check_spread(levels, arrays, names[0], names[1],
                     "Welch's t test" if k == 2 else "Welch's ANOVA", every=k > 2)
    row: dict[str, Any] = {"n": n, "k": k, "estimate": math.nan, "df": math.nan,
                           "df2": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                           "effect_ci_low": math.nan, "effect_ci_high": math.nan,
                           "z": math.nan, "normality_p": norm_p, "variance_p": var_p,
                           "levels": " | ".join(map(str, levels)),
                           "means": " | ".join(f"{a.mean():.4g}" for a in arrays)}
    if k == 2 and not nonpar:
        t = _core.two_sample_t(arrays[0], arrays[1], equal_var, level)
        nn, m, v = _core.moments(arrays)
        sp = math.sqrt(((nn[0] - 1) * v[0] + (nn[1] - 1) * v[1]) / (nn.sum() - 2))
        row.update(test="student_t" if equal_var else "welch_t",
                   method="Two Sample t-test" if equal_var else "Welch Two Sample t-test",
                   estimate=t["diff"], statistic=t["t"], df=t["df"], p_value=t["p"],
                   ci_low=t["ci_low"], ci_high=t["ci_high"], effect="cohen_d",
                   effect_size=(m[0] - m[1]) / sp,
                   _ci=("t", (m[0] - m[1]) / sp * math.sqrt(nn[0] * nn[1] / nn.sum()),
                        nn.sum() - 2, math.sqrt(nn.sum() / (nn[0] * nn[1]))))
    elif k == 2:
        r = _core.mann_whitney(arrays[0], arrays[1], None, True)
        name = ("Wilcoxon rank sum exact test" if r["exact"] else
                "Wilcoxon rank sum test with continuity correction")
        row.update(test="mann_whitney", method=name, statistic=r["W"],
                   p_value=r["p"], z=r["z"], effect="r", effect_size=r["z"] / math.sqrt(n))
    elif not nonpar:
        classic = _core.anova(arrays)
        res = classic if equal_var else _core.welch_anova(arrays)
        row.update(test="anova" if equal_var else "welch_anova",
                   method="One-way analysis of means" + (
                       "" if equal_var else " (not assuming equal variances)"),
                   statistic=res["F"], df=res["df1"], df2=res["df2"], p_value=res["p"],
                   effect="eta_sq", effect_size=classic["eta_sq"],
                   _ci=("F", classic["F"], classic["df1"], classic["df2"]))
    else:
        r = _core.kruskal(arrays)
        row.update(test="kruskal", method="Kruskal-Wallis rank sum test", statistic=r["H"],
                   df=r["df"], p_value=r["p"], effect="eta_sq_h", effect_size=r["eta_sq_h"])
    return row


def _effect_cis(rows: list[dict[str, Any]], level: float) -> None:
    """Fill effect_ci_low/high of every cell in two vectorised root searches."""
    t_rows = [r for r in rows if r.get("_ci", ("",))[0] == "t"]
    if t_rows:
        t = np.array([r["_ci"][1] for r in t_rows])
        df = np.array([r["_ci"][2] for r in t_rows])
        scale = np.array([r["_ci"][3] for r in t_rows])
        lo, hi = _core.nct_ci(t, df, level)
        for r, a, b in zip(t_rows, lo * scale, hi * scale):
            r["effect_ci_low"], r["effect_ci_high"] = float(a), float(b)
    f_rows = [r for r in rows if r.get("_ci", ("",))[0] == "F"]
    if f_rows:
        f = np.array([r["_ci"][1] for r in f_rows])
        d1 = np.array([r["_ci"][2] for r in f_rows])
        d2 = np.array([r["_ci"][3] for r in f_rows])
        lo, hi = _core.ncf_eta_ci(f, d1, d2, level)
        for r, a, b in zip(f_rows, lo, hi):
            r["effect_ci_low"], r["effect_ci_high"] = float(a), float(b)
    for r in rows:
        r.pop("_ci", None)


def compare_groups(data: pd.DataFrame, *, groups: Sequence[str] | str,
                   outcomes: Sequence[str] | str, method: Method = "auto",
                   equal_var: bool = False, adjust: Literal["holm", "bonferroni"] | None = None,
                   family: Family = "outcome", alpha: float = 0.05, level: float = 0.95,
                   min_group_size: int = 2) -> GroupComparison:
    """Compare every outcome (construct score) across every grouping (demographic) column.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    groups : list of str
        Categorical columns (gender, rank, agency type, region ...).
    outcomes : list of str
        Numeric columns (construct scores).
    method : {"auto", "parametric", "nonparametric"}
        "parametric": t test (2 groups) / one-way ANOVA (3+); "nonparametric":
        Mann-Whitney / Kruskal-Wallis; "auto": nonparametric in the cells where the
        Shapiro-Wilk test rejects normality (p < ``alpha``) in at least one group (groups
        of 3 to 5,000 cases are tested; larger ones rely on the central limit theorem).
    equal_var : bool
        False (default): Welch's t and Welch's ANOVA, which do not assume equal variances
        (Delacre, Lakens & Leys 2017); True: Student's t and the classical F.
    adjust : {"holm", "bonferroni"}, optional
        Adjust the p values within each family (``p_adj``; NaN when not asked).
    family : {"outcome", "group", "all"}
        The family of an adjustment: the tests of one outcome (across the groupings),
        of one grouping (across the outcomes) or the whole table.
    alpha, level : float
        Significance level (tests, "auto" switch); confidence level of the intervals.
    min_group_size : int
        A level with fewer cases raises :class:`InsufficientDataError` naming it.

    Returns
    -------
    GroupComparison
        ``.tidy()``: one row per (group, outcome) with test, n, k, estimate (difference
        of means for two groups), statistic, df, df2, p_value, p_adj, ci_low, ci_high,
        effect (cohen_d, eta_sq, r, eta_sq_h), effect_size and its CI, z (rank tests),
        normality_p, variance_p (Brown-Forsythe), levels, means and method.

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"gender": rng.choice(["F", "M"], 200),
    ...                   "region": rng.choice(["A", "B", "C"], 200),
    ...                   "trust": rng.normal(3, 1, 200), "use": rng.normal(4, 1, 200)})
    >>> tab = compare_groups(d, groups=["gender", "region"], outcomes=["trust", "use"],
    ...                      method="parametric").tidy()
    >>> tab[["group", "outcome", "test"]].values.tolist()[:2]
    [['gender', 'trust', 'welch_t'], ['gender', 'use', 'welch_t']]
    """
    check_frame(data)
    groups_ = check_columns(data, groups, "groups")
    outcomes_ = check_columns(data, outcomes, "outcomes")
    for name, value, allowed in (("method", method, ("auto", "parametric", "nonparametric")),
                                 ("adjust", adjust, (None, "holm", "bonferroni")),
                                 ("family", family, ("outcome", "group", "all"))):
        if value not in allowed:
            raise ModelSpecError(f"{name}={value!r} is not supported; use one of "
                                 f"{', '.join(map(repr, allowed))}")
    if not 0 < level < 1 or not 0 < alpha < 1:
        raise ModelSpecError(f"level={level!r}, alpha={alpha!r}: both must lie between 0 and 1")
    both = set(groups_) & set(outcomes_)
    if both:
        raise ModelSpecError(f"column(s) {sorted(both)} are both a group and an outcome; "
                             "a column cannot be compared across itself")
    for o in outcomes_:
        numeric(data, o, "outcomes")
    rows = []
    for g in groups_:
        for o in outcomes_:
            lv, arrays, n = split(data, o, g, None, max(2, min_group_size))
            row = _cell(lv, arrays, n, method, equal_var, alpha, level, (o, g))
            row.update(group=g, outcome=o)
            rows.append(row)
    _effect_cis(rows, level)
    table = pd.DataFrame(rows)
    table["p_adj"] = np.nan
    if adjust is not None:
        keys = (["outcome"] if family == "outcome" else ["group"] if family == "group"
                else None)
        if keys is None:
            table["p_adj"] = _core.p_adjust(table["p_value"].to_numpy(), adjust)
        else:
            for _, idx in table.groupby(keys, sort=False).groups.items():
                table.loc[idx, "p_adj"] = _core.p_adjust(
                    table.loc[idx, "p_value"].to_numpy(), adjust)
    cols = [*TIDY_COLUMNS[:9], "p_adj", *TIDY_COLUMNS[9:], "k", "z", "normality_p",
            "variance_p", "levels", "means", "method"]
    return GroupComparison(table[cols], "Group comparisons", alpha,
                           {"method": method, "equal_var": equal_var, "adjust": adjust,
                            "family": family, "level": level})


def nonresponse_check(data: pd.DataFrame, *, timestamp: str, constructs: Sequence[str] | str,
                      share: float = 0.25, method: Method = "parametric",
                      equal_var: bool = False, alpha: float = 0.05,
                      level: float = 0.95) -> GroupComparison:
    """Early versus late respondents on every construct (Armstrong & Overton 1977).

    Respondents are ordered by ``timestamp``; the first and the last ``share`` of them
    (default a quarter each) are compared on every construct with :func:`compare_groups`
    (grouping column ``wave`` with levels "early" and "late"; ``estimate`` = early minus
    late). Late respondents stand in for non-respondents: no significant difference is
    the usual evidence against non-response bias.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    timestamp : str
        Submission time (datetime, or text that pandas parses as a date, or a number
        such as a submission index).
    constructs : list of str
        Numeric columns compared.
    share : float
        Share of respondents in each wave, in (0, 0.5].
    method, equal_var, alpha, level
        As :func:`compare_groups` (default: Welch's t test).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"submitted": pd.date_range("2026-01-01", periods=80, freq="h"),
    ...                   "trust": rng.normal(3, 1, 80)})
    >>> res = nonresponse_check(d, timestamp="submitted", constructs=["trust"])
    >>> res.tidy()[["group", "n", "test"]].values.tolist()
    [['wave', 40, 'welch_t']]
    """
    check_frame(data)
    (ts_col,) = check_columns(data, [timestamp], "timestamp")
    cons = check_columns(data, constructs, "constructs")
    if not isinstance(share, float | int) or not 0 < share <= 0.5:
        raise ModelSpecError(f"share={share!r}: pass the share of respondents in each wave, "
                             "between 0 and 0.5 (0.25 = first and last quarter)")
    ts = data[ts_col]
    if not (pd.api.types.is_numeric_dtype(ts) or pd.api.types.is_datetime64_any_dtype(ts)):
        parsed = pd.to_datetime(ts, errors="coerce")
        bad = ts.notna() & parsed.isna()
        if bad.any():
            first = ts[bad].iloc[0]
            raise ModelSpecError(f"timestamp: column '{ts_col}' has {int(bad.sum())} value(s) "
                                 f"that are not dates (e.g. {first!r} in row "
                                 f"{ts[bad].index[0]!r}); fix them or pass a parsed column")
        ts = parsed
    order = ts.dropna().sort_values(kind="stable").index
    k = math.floor(share * len(order))
    if k < 2:
        raise InsufficientDataError(f"timestamp: {len(order)} respondent(s) with a time in "
                                    f"'{ts_col}' give waves of {k} at share={share}; at "
                                    "least 2 per wave are needed")
    wave = pd.Series(pd.NA, index=data.index, dtype="object")
    wave.loc[order[:k]] = "early"
    wave.loc[order[-k:]] = "late"
    name = "wave" if "wave" not in cons else "response_wave"
    frame = data[cons].assign(**{name: wave})
    res = compare_groups(frame, groups=[name], outcomes=cons, method=method,
                         equal_var=equal_var, alpha=alpha, level=level)
    return GroupComparison(res.table, f"Non-response check: first vs last {share:.0%} of "
                           f"{len(order)} respondents by '{ts_col}' (Armstrong & Overton 1977)",
                           alpha, {**res.options, "share": share, "per_wave": k},
                           {name: {"en": "early and late respondents",
                                   "id": "responden awal dan akhir"}})
