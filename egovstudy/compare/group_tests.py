"""Single group comparisons ("uji beda"): t tests, ANOVA, rank tests, contingency tables.

Every function takes the data first and column names as arguments, drops incomplete
cases of the columns it uses, and returns a :class:`~egovstudy.compare.GroupTest`
(``.tidy()``, ``.summary()``, ``.sentence("en" | "id")``). The numbers match R 4.2:
``t.test``, ``car::leveneTest``, ``oneway.test``, ``aov`` + ``TukeyHSD``,
``pairwise.t.test``, ``wilcox.test``, ``kruskal.test``, ``chisq.test`` and
``fisher.test`` (see ``tests/test_compare.py`` for the R calls and printed values).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.compare import _core
from egovstudy.compare._data import (
    check_column,
    check_frame,
    check_spread,
    describe,
    numeric,
    split,
)
from egovstudy.compare._result import GroupTest
from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning

__all__ = ["anova_oneway", "chi_square", "dunn_test", "fisher_exact", "games_howell",
           "kruskal_wallis", "levene_test", "mann_whitney", "paired_t_test",
           "pairwise_t_tests", "t_test", "tukey_hsd", "var_test", "wilcoxon_signed_rank"]

Posthoc = Literal["tukey", "games_howell", "bonferroni", "holm", "none"]
Adjust = Literal["bonferroni", "holm", "none"]
NAN = float("nan")


def _choice(value: Any, name: str, allowed: Sequence[Any]) -> Any:
    if value not in allowed:
        raise ModelSpecError(f"{name}={value!r} is not supported; use one of "
                             f"{', '.join(map(repr, allowed))}")
    return value


def _level(level: float) -> float:
    if not isinstance(level, float | int) or not 0 < float(level) < 1:
        raise ModelSpecError(f"level={level!r}: pass a confidence level between 0 and 1, "
                             "e.g. 0.95")
    return float(level)


def _two(levels: list[Any], group: str) -> None:
    if len(levels) != 2:
        raise ModelSpecError(f"group column '{group}' has {len(levels)} levels {levels!r}: "
                             "this test compares two groups; pick two with levels=[a, b] or "
                             "use anova_oneway / kruskal_wallis")


def _posthoc_frame(levels: list[Any], res: dict[str, np.ndarray], method: str,
                   p_adj: np.ndarray | None = None) -> pd.DataFrame:
    n = res["i"].size
    return pd.DataFrame({
        "group1": [str(levels[i]) for i in res["i"]],
        "group2": [str(levels[j]) for j in res["j"]],
        "estimate": res["diff"], "statistic": res["statistic"],
        "df": res.get("df", np.full(n, np.nan)), "p_value": res["p"],
        "p_adj": res["p"] if p_adj is None else p_adj,
        "ci_low": res.get("ci_low", np.full(n, np.nan)),
        "ci_high": res.get("ci_high", np.full(n, np.nan)), "method": method})


# ----------------------------------------------------------------------- t tests
def t_test(data: pd.DataFrame, outcome: str, group: str, *, equal_var: bool = False,
           levels: Sequence[Any] | None = None, level: float = 0.95,
           alpha: float = 0.05) -> GroupTest:
    """Independent-samples t test (Welch by default, Student with ``equal_var=True``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    outcome : str
        Numeric column compared (e.g. a construct score).
    group : str
        Column with exactly two groups (or pick two with ``levels``).
    equal_var : bool
        False: Welch's t (R's default); True: Student's pooled-variance t.
    levels : sequence, optional
        The two levels to compare, in order (difference = first minus second).
    level : float
        Confidence level of the intervals.
    alpha : float
        Significance level of the verdict sentence.

    Returns
    -------
    GroupTest
        ``estimate`` is the difference of means with its CI; the effect is Cohen's d
        (pooled SD) with the noncentral-t CI; ``extra`` holds Hedges' g (and CI),
        Levene's (center = mean) and Brown-Forsythe's (center = median) tests.

    Notes
    -----
    Matches R's ``t.test(y ~ g, var.equal = ...)`` and ``car::leveneTest``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 4, 3, 5, 6, 7.0], "g": list("aaaabbbb")})
    >>> res = t_test(d, "y", "g")  # R: t.test(y ~ g) -> t = -2.569, df = 5.5846
    >>> round(res.statistic, 3), round(res.df, 4)
    (-2.569, 5.5846)
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    level = _level(level)
    lv, arrays, n = split(data, outcome, group, levels)
    _two(lv, group)
    if not equal_var:
        check_spread(lv, arrays, outcome, group, "Welch's t test", every=False)
    x, y = arrays
    tt = _core.two_sample_t(x, y, equal_var, level)
    nn, m, v = _core.moments(arrays)
    es = _core.cohen_d(nn[0], nn[1], m[0], m[1], v[0], v[1], level)
    lev = _core.levene(arrays, "mean")
    bf = _core.levene(arrays, "median")
    extra = {"hedges_g": float(es["g"][0]), "hedges_g_ci_low": float(es["g_low"][0]),
             "hedges_g_ci_high": float(es["g_high"][0]), "se": tt["se"],
             "levene_F": lev["F"], "levene_p": lev["p"], "brown_forsythe_F": bf["F"],
             "brown_forsythe_p": bf["p"], "variance_df": (lev["df1"], lev["df2"])}
    name = "Two Sample t-test" if equal_var else "Welch Two Sample t-test"
    return GroupTest("student_t" if equal_var else "welch_t", name, outcome, group, n,
                     tt["diff"], tt["t"], tt["df"], NAN, tt["p"], tt["ci_low"], tt["ci_high"],
                     "cohen_d", float(es["d"][0]), float(es["d_low"][0]),
                     float(es["d_high"][0]), describe(lv, arrays), None, extra, (), level,
                     alpha)


def _paired(data: pd.DataFrame, before: str,
            after: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Differences ``before - after`` of the complete pairs, and a description of both."""
    check_frame(data)
    check_column(data, before, "before")
    check_column(data, after, "after")
    a, b = numeric(data, before, "before"), numeric(data, after, "after")
    ok = ~np.isnan(a) & ~np.isnan(b)
    d = a[ok] - b[ok]
    if d.size < 2:
        raise InsufficientDataError(f"'{before}' and '{after}' have {d.size} complete pair(s); "
                                    "a paired test needs at least 2")
    return d, describe([before, after], [a[ok], b[ok]])


def paired_t_test(data: pd.DataFrame, before: str, after: str, *, level: float = 0.95,
                  alpha: float = 0.05) -> GroupTest:
    """Paired t test of ``before - after`` (R ``t.test(x, y, paired = TRUE)``).

    The effect is Cohen's d_z (mean difference / SD of differences) with the
    noncentral-t CI.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pre": [3, 4, 2, 5, 4.0], "post": [4, 5, 4, 5, 6.0]})
    >>> round(paired_t_test(d, "pre", "post").statistic, 4)
    -3.2071
    """
    level = _level(level)
    d, groups = _paired(data, before, after)
    if np.ptp(d) == 0:
        raise InsufficientDataError(f"the differences '{before}' - '{after}' are all equal "
                                    f"({d[0]:g}): the paired t test is undefined")
    tt = _core.paired_t(d, level)
    lo, hi = _core.nct_ci(np.array([tt["t"]]), np.array([tt["df"]]), level)
    sq = np.sqrt(d.size)
    return GroupTest("paired_t", "Paired t-test", before, after, int(d.size), tt["diff"],
                     tt["t"], tt["df"], NAN, tt["p"], tt["ci_low"], tt["ci_high"],
                     "cohen_dz", tt["t"] / sq, float(lo[0]) / sq, float(hi[0]) / sq, groups,
                     None, {"se": tt["se"]}, (), level, alpha)


# ----------------------------------------------------------------------- ANOVA
def levene_test(data: pd.DataFrame, outcome: str, group: str, *,
                center: Literal["median", "mean"] = "median",
                alpha: float = 0.05) -> GroupTest:
    """Test of equal variances: Brown-Forsythe (``center="median"``, car's default) or
    Levene (``center="mean"``), as ``car::leveneTest``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 4, 3, 5, 8, 9.0], "g": list("aaaabbbb")})
    >>> round(levene_test(d, "y", "g", center="mean").statistic, 4)  # car: F = 5.3571
    5.3571
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    _choice(center, "center", ("median", "mean"))
    lv, arrays, n = split(data, outcome, group)
    r = _core.levene(arrays, center)
    key = "brown_forsythe" if center == "median" else "levene"
    name = f"Levene's Test for Homogeneity of Variance (center = {center})"
    return GroupTest(key, name, outcome, group, n, NAN, r["F"], r["df1"], r["df2"], r["p"],
                     NAN, NAN, "", NAN, NAN, NAN, describe(lv, arrays), alpha=alpha)


def var_test(data: pd.DataFrame, outcome: str, group: str, *,
             levels: Sequence[Any] | None = None, level: float = 0.95,
             alpha: float = 0.05) -> GroupTest:
    """F test of the ratio of two variances (R ``var.test(y ~ g)``).

    ``estimate`` is the ratio var(first) / var(second) with its CI. The F test assumes
    normal data; :func:`levene_test` is the robust alternative.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 4, 3, 5, 8, 9.0], "g": list("aaaabbbb")})
    >>> round(var_test(d, "y", "g").statistic, 4)  # R var.test: F = 0.2197802
    0.2198
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    level = _level(level)
    lv, arrays, n = split(data, outcome, group, levels)
    _two(lv, group)
    check_spread(lv, arrays[1:], outcome, group, "var_test (denominator)", every=True)
    r = _core.var_ratio(arrays[0], arrays[1], level)
    return GroupTest("f_variance", "F test to compare two variances", outcome, group, n,
                     r["F"], r["F"], r["df1"], r["df2"], r["p"], r["ci_low"], r["ci_high"], "",
                     NAN, NAN, NAN, describe(lv, arrays), None, {}, (), level, alpha)


def _pairwise(levels: list[Any], arrays: list[np.ndarray], method: str,
              level: float) -> pd.DataFrame:
    if method == "tukey":
        return _posthoc_frame(levels, _core.tukey(arrays, level), "Tukey HSD")
    if method == "games_howell":
        return _posthoc_frame(levels, _core.games_howell(arrays, level), "Games-Howell")
    res = _core.pairwise_t(arrays, method, level)
    return _posthoc_frame(levels, res, f"pairwise t (pooled SD), {method}", res["p_adj"])


def anova_oneway(data: pd.DataFrame, outcome: str, group: str, *, welch: bool = False,
                 posthoc: Posthoc | None = None, level: float = 0.95,
                 alpha: float = 0.05) -> GroupTest:
    """One-way ANOVA (``welch=False``) or Welch's ANOVA (``welch=True``) with post hoc tests.

    Parameters
    ----------
    data, outcome, group
        As :func:`t_test`; ``group`` may have any number (>= 2) of levels.
    welch : bool
        True: Welch's F, not assuming equal variances (R ``oneway.test``).
    posthoc : {"tukey", "games_howell", "bonferroni", "holm", "none"}, optional
        Pairwise comparisons: Tukey HSD (R ``TukeyHSD``), Games-Howell (unequal
        variances), or pooled-SD t tests adjusted by Bonferroni / Holm (R
        ``pairwise.t.test``). Default: Tukey after the classical ANOVA, Games-Howell
        after Welch's.
    level, alpha : float
        Confidence level; significance level of the sentence.

    Returns
    -------
    GroupTest
        Effect: η² with the noncentral-F CI (Steiger 2004); ``extra`` holds ω² and the
        Levene / Brown-Forsythe tests.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 3, 4, 5, 6, 7, 8.0], "g": list("aaabbbccc")})
    >>> res = anova_oneway(d, "y", "g")
    >>> round(res.statistic, 3), res.posthoc["p_value"].round(4).tolist()  # R: aov, TukeyHSD
    (19.0, [0.1089, 0.0021, 0.0242])
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    level = _level(level)
    if posthoc is None:
        posthoc = "games_howell" if welch else "tukey"
    _choice(posthoc, "posthoc", ("tukey", "games_howell", "bonferroni", "holm", "none"))
    lv, arrays, n = split(data, outcome, group)
    if welch or posthoc == "games_howell":
        check_spread(lv, arrays, outcome, group,
                     "Welch's ANOVA" if welch else "Games-Howell", every=True)
    classic = _core.anova(arrays)
    res = _core.welch_anova(arrays) if welch else classic
    lo, hi = _core.ncf_eta_ci(np.array([classic["F"]]), classic["df1"], classic["df2"], level)
    lev, bf = _core.levene(arrays, "mean"), _core.levene(arrays, "median")
    extra = {"omega_sq": classic["omega_sq"], "ss_between": classic["ssb"],
             "ss_within": classic["ssw"], "levene_F": lev["F"], "levene_p": lev["p"],
             "brown_forsythe_F": bf["F"], "brown_forsythe_p": bf["p"]}
    post = None if posthoc == "none" else _pairwise(lv, arrays, posthoc, level)
    name = ("One-way analysis of means (not assuming equal variances)" if welch
            else "One-way analysis of means")
    return GroupTest("welch_anova" if welch else "anova", name, outcome, group, n, NAN,
                     res["F"], res["df1"], res["df2"], res["p"], NAN, NAN, "eta_sq",
                     classic["eta_sq"], float(lo[0]), float(hi[0]), describe(lv, arrays),
                     post, extra, (), level, alpha)


def tukey_hsd(data: pd.DataFrame, outcome: str, group: str, *,
              level: float = 0.95) -> pd.DataFrame:
    """Tukey HSD table (R ``TukeyHSD(aov(y ~ g))``): estimate = group2 - group1.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 3, 4, 5, 6, 7, 8.0], "g": list("aaabbbccc")})
    >>> tukey_hsd(d, "y", "g")["estimate"].tolist()
    [2.0, 5.0, 3.0]
    """
    return _posthoc_table(data, outcome, group, "tukey", level)


def games_howell(data: pd.DataFrame, outcome: str, group: str, *,
                 level: float = 0.95) -> pd.DataFrame:
    """Games-Howell pairwise comparisons (unequal variances): estimate = group2 - group1.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 3, 4, 5, 6, 7, 9.0], "g": list("aaabbbccc")})
    >>> games_howell(d, "y", "g").shape
    (3, 10)
    """
    return _posthoc_table(data, outcome, group, "games_howell", level)


def pairwise_t_tests(data: pd.DataFrame, outcome: str, group: str, *,
                     adjust: Adjust = "bonferroni", level: float = 0.95) -> pd.DataFrame:
    """Pooled-SD pairwise t tests with adjusted p (R ``pairwise.t.test``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 3, 4, 5, 6, 7, 8.0], "g": list("aaabbbccc")})
    >>> (pairwise_t_tests(d, "y", "g")["p_adj"] <= 1).all()
    np.True_
    """
    _choice(adjust, "adjust", ("bonferroni", "holm", "none"))
    return _posthoc_table(data, outcome, group, adjust, level)


def _posthoc_table(data: pd.DataFrame, outcome: str, group: str, method: str,
                   level: float) -> pd.DataFrame:
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    level = _level(level)
    lv, arrays, _ = split(data, outcome, group)
    if method == "games_howell":
        check_spread(lv, arrays, outcome, group, "Games-Howell", every=True)
    return _pairwise(lv, arrays, method, level)


# ----------------------------------------------------------------------- rank tests
def mann_whitney(data: pd.DataFrame, outcome: str, group: str, *,
                 exact: bool | None = None, correct: bool = True,
                 levels: Sequence[Any] | None = None, alpha: float = 0.05) -> GroupTest:
    """Mann-Whitney U / Wilcoxon rank-sum test (R ``wilcox.test(y ~ g)``).

    ``statistic`` is R's W (the U of the first group). As R: exact p when both groups have
    fewer than 50 cases and there are no ties, else the normal approximation with the
    tie-corrected variance and the continuity correction (``correct``). The effect is
    r = z / √N.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 4, 5, 6, 7, 8.0], "g": list("aabababb")})
    >>> res = mann_whitney(d, "y", "g")  # R wilcox.test: W = 3, p-value = 0.2 (exact)
    >>> res.statistic, round(res.p_value, 4)
    (3.0, 0.2)
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    lv, arrays, n = split(data, outcome, group, levels)
    _two(lv, group)
    r = _core.mann_whitney(arrays[0], arrays[1], exact, correct)
    for note in r["notes"]:
        warnings.warn(f"mann_whitney({outcome!r} by {group!r}): {note}", StatisticalWarning,
                      stacklevel=2)
    name = ("Wilcoxon rank sum exact test" if r["exact"] else
            "Wilcoxon rank sum test" + (" with continuity correction" if correct else ""))
    return GroupTest("mann_whitney", name, outcome, group, n, NAN, r["W"], NAN, NAN, r["p"],
                     NAN, NAN, "r", r["z"] / np.sqrt(n), NAN, NAN,
                     describe(lv, arrays, r["mean_rank"]), None,
                     {"z": r["z"], "exact": r["exact"]}, tuple(r["notes"]), 0.95, alpha)


def wilcoxon_signed_rank(data: pd.DataFrame, before: str, after: str, *,
                         exact: bool | None = None, correct: bool = True,
                         alpha: float = 0.05) -> GroupTest:
    """Wilcoxon signed-rank test of ``before - after`` (R ``wilcox.test(x, y, paired = TRUE)``).

    ``statistic`` is R's V (sum of the ranks of the positive differences); zero
    differences are dropped; exact p for n < 50 without ties or zeros, else the normal
    approximation as R. The effect is r = z / √n (n without zero differences).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pre": [3, 4, 2, 5, 4.5, 1], "post": [4, 5.5, 4.2, 5.1, 6, 3]})
    >>> import warnings
    >>> with warnings.catch_warnings():  # a tie in |d|: normal approximation, as R warns
    ...     warnings.simplefilter("ignore")
    ...     res = wilcoxon_signed_rank(d, "pre", "post")
    >>> res.statistic, round(res.p_value, 4)  # R: V = 0, p-value = 0.03552
    (0.0, 0.0355)
    """
    d, groups = _paired(data, before, after)
    if not np.any(d != 0):
        raise InsufficientDataError(f"all differences '{before}' - '{after}' are zero: "
                                    "the signed-rank test is undefined")
    r = _core.wilcoxon_signed(d, exact, correct)
    for note in r["notes"]:
        warnings.warn(f"wilcoxon_signed_rank({before!r}, {after!r}): {note}",
                      StatisticalWarning, stacklevel=2)
    name = ("Wilcoxon signed rank exact test" if r["exact"] else
            "Wilcoxon signed rank test" + (" with continuity correction" if correct else ""))
    return GroupTest("wilcoxon", name, before, after, int(d.size), NAN, r["V"], NAN, NAN,
                     r["p"], NAN, NAN, "r", r["z"] / np.sqrt(r["n"]), NAN, NAN,
                     groups, None,
                     {"z": r["z"], "exact": r["exact"], "zeros": r["zeros"]},
                     tuple(r["notes"]), 0.95, alpha)


def kruskal_wallis(data: pd.DataFrame, outcome: str, group: str, *,
                   posthoc: Adjust | None = "holm", alpha: float = 0.05) -> GroupTest:
    """Kruskal-Wallis H test (R ``kruskal.test``) with Dunn's (1964) post hoc z tests.

    ``posthoc`` is the p adjustment of Dunn's tests ("bonferroni", "holm", "none"), or
    None for no post hoc table. The effect is η²_H = (H - k + 1) / (N - k)
    (Tomczak & Tomczak 2014).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 3, 4, 5, 6, 7, 8.0], "g": list("aaabbbccc")})
    >>> res = kruskal_wallis(d, "y", "g")  # R kruskal.test: chi-squared = 6.8796, df = 2
    >>> round(res.statistic, 4), res.df
    (6.8796, 2.0)
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    if posthoc is not None:
        _choice(posthoc, "posthoc", ("bonferroni", "holm", "none"))
    lv, arrays, n = split(data, outcome, group)
    r = _core.kruskal(arrays)
    post = None
    if posthoc is not None:
        dn = _core.dunn(arrays, posthoc)
        post = _posthoc_frame(lv, dn, f"Dunn, {posthoc}", dn["p_adj"])
    return GroupTest("kruskal", "Kruskal-Wallis rank sum test", outcome, group, n, NAN,
                     r["H"], r["df"], NAN, r["p"], NAN, NAN, "eta_sq_h", r["eta_sq_h"], NAN,
                     NAN, describe(lv, arrays, r["mean_rank"]), post, {}, (), 0.95, alpha)


def dunn_test(data: pd.DataFrame, outcome: str, group: str, *,
              adjust: Adjust = "holm") -> pd.DataFrame:
    """Dunn's (1964) pairwise z tests of mean ranks; estimate = mean rank 2 - mean rank 1.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1, 2, 3, 3, 4, 5, 6, 7, 8.0], "g": list("aaabbbccc")})
    >>> dunn_test(d, "y", "g", adjust="bonferroni").shape
    (3, 10)
    """
    check_frame(data)
    check_column(data, outcome, "outcome")
    check_column(data, group, "group")
    _choice(adjust, "adjust", ("bonferroni", "holm", "none"))
    lv, arrays, _ = split(data, outcome, group)
    dn = _core.dunn(arrays, adjust)
    return _posthoc_frame(lv, dn, f"Dunn, {adjust}", dn["p_adj"])


# ----------------------------------------------------------------------- tables
def _crosstab(data: pd.DataFrame, row: str, column: str) -> pd.DataFrame:
    check_frame(data)
    check_column(data, row, "row")
    check_column(data, column, "column")
    sub = data[[row, column]].dropna()
    tab = pd.crosstab(sub[row], sub[column])
    for name, size in ((row, tab.shape[0]), (column, tab.shape[1])):
        if size < 2:
            raise InsufficientDataError(f"column '{name}' has {size} category with data: a "
                                        "contingency table needs at least two")
    return tab


def chi_square(data: pd.DataFrame, row: str, column: str, *, correct: bool = True,
               alpha: float = 0.05) -> GroupTest:
    """Pearson's chi-square test of independence (R ``chisq.test(table(row, column))``).

    Yates' continuity correction is applied to 2x2 tables when ``correct`` (R's default,
    with R's ``min(0.5, |O - E|)``). A :class:`StatisticalWarning` is issued when an
    expected count is below 5, as R's "Chi-squared approximation may be incorrect";
    then consider :func:`fisher_exact`. The effect is Cramér's V (from the uncorrected
    statistic).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": list("xxxxxyyyyy" * 2), "b": list("pppqqpqqqq" * 2)})
    >>> import warnings
    >>> with warnings.catch_warnings():  # expected counts of 4 < 5, as R warns
    ...     warnings.simplefilter("ignore")
    ...     res = chi_square(d, "a", "b", correct=False)
    >>> round(res.statistic, 4), round(res.effect_size, 4)  # R: X-squared = 3.3333
    (3.3333, 0.4082)
    """
    tab = _crosstab(data, row, column)
    r = _core.chi_square(tab.to_numpy(), correct)
    notes: tuple[str, ...] = ()
    if (r["expected"] < 5).any():
        share = float((r["expected"] < 5).mean())
        note = (f"{share:.0%} of the expected counts of '{row}' x '{column}' are below 5 "
                f"(smallest {r['expected'].min():.2f}): the chi-square approximation may be "
                "incorrect; use fisher_exact or merge categories")
        warnings.warn(note, StatisticalWarning, stacklevel=2)
        notes = (note,)
    name = "Pearson's Chi-squared test" + (" with Yates' continuity correction"
                                           if r["yates"] else "")
    observed = tab.rename_axis(index=None, columns=None)
    groups = observed.reset_index().rename(columns={"index": "level"})
    groups.columns = [str(c) for c in groups.columns]
    return GroupTest("chi_square", name, row, column, r["n"], NAN, r["chi2"], r["df"], NAN,
                     r["p"], NAN, NAN, "cramer_v", r["cramer_v"], NAN, NAN, groups, None,
                     {"expected": pd.DataFrame(r["expected"], index=tab.index,
                                               columns=tab.columns),
                      "chi2_uncorrected": r["chi2_uncorrected"]}, notes, 0.95, alpha)


def fisher_exact(data: pd.DataFrame, row: str, column: str, *, level: float = 0.95,
                 max_tables: int = 200_000, n_resamples: int = 100_000,
                 seed: int | np.random.SeedSequence | None = 0,
                 alpha: float = 0.05) -> GroupTest:
    """Fisher's exact test (R ``fisher.test``).

    A 2x2 table gives the conditional-MLE odds ratio (``estimate``) and its exact CI, as
    R. An r x c table is enumerated exactly (R's p value) while it has at most
    ``max_tables`` tables with its margins; beyond that the p value is a Monte Carlo
    estimate from ``n_resamples`` random tables drawn with ``seed`` (as R's
    ``simulate.p.value = TRUE``), and ``method`` says so.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": list("xxxxxyyyyy"), "b": list("pppqqpqqqq")})
    >>> round(fisher_exact(d, "a", "b").p_value, 4)  # R fisher.test: p-value = 0.5238
    0.5238
    """
    from scipy import stats
    from scipy.stats.contingency import odds_ratio

    level = _level(level)
    tab = _crosstab(data, row, column)
    t = tab.to_numpy()
    est = lo = hi = NAN
    name = "Fisher's Exact Test for Count Data"
    if t.shape == (2, 2):
        p = float(stats.fisher_exact(t).pvalue)
        orr = odds_ratio(t, kind="conditional")
        est = float(orr.statistic)
        ci = orr.confidence_interval(confidence_level=level)
        lo, hi = float(ci.low), float(ci.high)
    else:
        try:
            p = _core.fisher_rxc_exact(t, max_tables)
        except _core.TooManyTables:
            rng = np.random.default_rng(seed)
            method = stats.MonteCarloMethod(n_resamples=n_resamples, rng=rng)
            p = float(stats.fisher_exact(t, method=method).pvalue)
            name += f" (Monte Carlo p, {n_resamples} tables)"
    groups = tab.rename_axis(index=None, columns=None).reset_index().rename(
        columns={"index": "level"})
    groups.columns = [str(c) for c in groups.columns]
    return GroupTest("fisher", name, row, column, int(t.sum()), est, NAN, NAN, NAN,
                     min(p, 1.0), lo, hi, "", NAN, NAN, NAN, groups, None, {}, (), level,
                     alpha)
