"""Analytic power and sample size: multiple regression (G*Power's fixed model) and
the test of a correlation (exact bivariate-normal model or Fisher's z).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd

from egovstudy.errors import ModelSpecError
from egovstudy.planning._result import (
    PlanningResult,
    check_choice,
    check_count,
    check_counts,
    check_open_unit,
    check_positive,
    fmt_int,
    fmt_num,
    fmt_p,
)

__all__ = [
    "correlation_power",
    "correlation_sample_size",
    "regression_power",
    "regression_sample_size",
]

Alternative = Literal["two-sided", "greater", "less"]
CorrMethod = Literal["exact", "fisher_z"]

N_MAX = 10_000_000


def _smallest_n(power_at: Callable[[int], float], target: float, n_min: int) -> int:
    """Smallest n >= n_min with power_at(n) >= target (power increases with n)."""
    lo, hi = n_min, max(n_min, 8)
    while power_at(hi) < target:
        lo, hi = hi, hi * 2
        if hi > N_MAX:
            raise ModelSpecError("no sample size up to 10,000,000 reaches the requested "
                                 "power: the effect size is too small to detect")
    if power_at(lo) >= target:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if power_at(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- regression

def _f2_from(f2: float | None, r2: float | None) -> tuple[float, float]:
    if (f2 is None) == (r2 is None):
        raise ModelSpecError("pass exactly one effect size: f2 (Cohen's f\u00b2, e.g. 0.15 for a "
                             "medium effect) or r2 (the population R\u00b2, e.g. 0.13)")
    if f2 is not None:
        ff = check_positive("f2", f2, hint="Cohen's f\u00b2; 0.02 small, 0.15 medium, 0.35 large")
        return ff, ff / (1 + ff)
    rr = check_open_unit("r2", r2, hint="the population R\u00b2 explained by the predictors")
    return rr / (1 - rr), rr


def _reg_power(n: int, f2: float, u: int, k: int, alpha: float) -> tuple[float, float, float]:
    """Power, critical F and lambda of G*Power's fixed-model F test."""
    from scipy.stats import f as f_dist
    from scipy.stats import ncf

    df2 = n - k - 1
    lam = f2 * n
    if df2 < 1:
        return 0.0, math.nan, lam
    crit = float(f_dist.isf(alpha, u, df2))
    return float(ncf.sf(crit, u, df2, lam)), crit, lam


def _reg_inputs(f2: float | None, r2: float | None, n_predictors: int, n_tested: int | None,
                alpha: float) -> tuple[float, float, int, int, float]:
    ff, rr = _f2_from(f2, r2)
    k = check_count("n_predictors", n_predictors, minimum=1)
    u = k if n_tested is None else check_count("n_tested", n_tested, minimum=1)
    if u > k:
        raise ModelSpecError(f"n_tested={u} exceeds n_predictors={k}: the tested set is part of "
                             "the predictors")
    a = check_open_unit("alpha", alpha, hint="the significance level, e.g. 0.05")
    return ff, rr, k, u, a


def _effect_label(f2: float, lang: str) -> str:
    names = {"en": ("small", "medium", "large"), "id": ("kecil", "sedang", "besar")}[lang]
    for value, name in zip((0.02, 0.15, 0.35), names):
        if abs(f2 - value) < 1e-9:
            return f"{name} "
    return ""


_REG_REF = ("G*Power 3.1 'Linear multiple regression: Fixed model, R\u00b2 deviation from zero' "
            "(Faul et al., 2007, 2009); noncentral F with \u03bb = f\u00b2N (Cohen, 1988, ch. 9)")


def _reg_assumptions(k: int, u: int) -> dict[str, list[str]]:
    test_en = ("the omnibus F test of R\u00b2 against zero" if u == k
               else f"the F test of the R\u00b2 increase of {u} of the {k} predictors")
    test_id = ("uji F omnibus R\u00b2 terhadap nol" if u == k
               else f"uji F kenaikan R\u00b2 dari {u} di antara {k} prediktor")
    return {
        "en": [test_en, "fixed-predictor linear regression with normal, homoscedastic errors",
               "the effect size f\u00b2 = R\u00b2 / (1 - R\u00b2) is a population value chosen "
               "before the data are seen (from theory, earlier studies or Cohen's conventions)"],
        "id": [test_id, "regresi linear dengan prediktor tetap, galat normal dan homoskedastis",
               "ukuran efek f\u00b2 = R\u00b2 / (1 - R\u00b2) adalah nilai populasi yang "
               "ditetapkan sebelum data dilihat (dari teori, penelitian terdahulu atau konvensi "
               "Cohen)"],
    }


def regression_sample_size(*, f2: float | None = None, r2: float | None = None,
                           n_predictors: int, n_tested: int | None = None,
                           power: float = 0.80, alpha: float = 0.05) -> PlanningResult:
    """Minimum N for the F test of a multiple regression, as G*Power computes it.

    G*Power's "Linear multiple regression: Fixed model, R\u00b2 deviation from zero":
    the F statistic with ``u`` and ``N - k - 1`` degrees of freedom follows a noncentral
    F with ``lambda = f2 * N`` under the alternative. With ``n_tested < n_predictors``
    it is G*Power's "R\u00b2 increase" test of a subset of ``u`` predictors (``f2`` is
    then the partial effect ``Delta R^2 / (1 - R^2_full)``).

    Parameters
    ----------
    f2, r2 : float
        Effect size: Cohen's f\u00b2 (> 0) *or* the population R\u00b2 in (0, 1).
    n_predictors : int
        Number of predictors ``k`` in the model.
    n_tested : int, optional
        Predictors tested (``u``); default all of them.
    power : float
        Target power in (0, 1).
    alpha : float
        Significance level in (0, 1).

    Returns
    -------
    PlanningResult
        ``n`` is the smallest N whose power reaches ``power``; ``power`` is the power
        actually achieved at that N; ``details`` has lambda, the critical F and dfs.

    Notes
    -----
    Reproduces the G*Power 2 manual example (R\u00b2 = .10, five predictors, N = 110:
    power .7518, critical F(5, 104) = 2.3017, lambda = 12.2210) and is checked
    against statsmodels' ``FTestPower``; see tests/test_planning.py.

    Examples
    --------
    >>> res = regression_sample_size(f2=0.15, n_predictors=5, power=0.95)
    >>> res.n, round(res.power, 4)
    (138, 0.9508)
    """
    ff, rr, k, u, a = _reg_inputs(f2, r2, n_predictors, n_tested, alpha)
    target = check_open_unit("power", power, hint="the target power, e.g. 0.80")
    n = _smallest_n(lambda m: _reg_power(m, ff, u, k, a)[0], target, k + 2)
    achieved, crit, lam = _reg_power(n, ff, u, k, a)
    inputs = {"f2": ff, "r2": rr, "n_predictors": k, "n_tested": u, "power_target": target,
              "alpha": a}
    details = {"lambda": lam, "critical_f": crit, "df1": u, "df2": n - k - 1}
    eff_en, eff_id = _effect_label(ff, "en"), _effect_label(ff, "id")
    sentences = {
        "en": (f"An a priori power analysis for {'the' if u == k else 'a'} multiple regression "
               f"F test (G*Power's 'Linear multiple regression: Fixed model, R\u00b2 deviation "
               f"from zero'; noncentral F with \u03bb = f\u00b2N) showed that N = {fmt_int(n)} "
               f"respondents are needed to detect a {eff_en}effect of f\u00b2 = "
               f"{fmt_num(ff, 'en', 2)} (R\u00b2 = {fmt_num(rr, 'en', 3)}) with {k} predictors"
               + ("" if u == k else f" ({u} tested)")
               + f" at \u03b1 = {fmt_p(a, 'en')} with a power of {fmt_p(target, 'en')} "
               f"(achieved power {fmt_p(achieved, 'en', 3)})."),
        "id": (f"Analisis daya uji a priori untuk uji F regresi linear berganda (G*Power: "
               f"'Linear multiple regression: Fixed model, R\u00b2 deviation from zero'; F "
               f"nonsentral dengan \u03bb = f\u00b2N) menunjukkan bahwa diperlukan "
               f"N = {fmt_int(n, 'id')} responden untuk mendeteksi efek {eff_id}sebesar "
               f"f\u00b2 = {fmt_num(ff, 'id', 2)} (R\u00b2 = {fmt_num(rr, 'id', 3)}) dengan {k} "
               "prediktor" + ("" if u == k else f" ({u} diuji)")
               + f" pada \u03b1 = {fmt_p(a, 'id')} dan daya uji {fmt_p(target, 'id')} "
               f"(daya uji tercapai {fmt_p(achieved, 'id', 3)})."),
    }
    return PlanningResult(
        method="regression", label={"en": "Multiple regression F test (G*Power)",
                                    "id": "Uji F regresi berganda (G*Power)"},
        n=n, power=achieved, inputs=inputs, details=details, sentences=sentences,
        assumptions=_reg_assumptions(k, u), reference=_REG_REF)


def regression_power(n: int | Sequence[int], *, f2: float | None = None,
                     r2: float | None = None, n_predictors: int, n_tested: int | None = None,
                     alpha: float = 0.05) -> PlanningResult:
    """Power of the multiple-regression F test at one or several sample sizes.

    Same model as :func:`regression_sample_size` (G*Power's fixed model,
    ``lambda = f2 * N``). Pass a list of sample sizes for a power curve
    (:func:`egovstudy.planning.plot_power_curve`).

    Parameters
    ----------
    n : int or sequence of int
        Total sample size(s) N; each must exceed ``n_predictors + 1``.
    f2, r2, n_predictors, n_tested, alpha
        As in :func:`regression_sample_size`.

    Returns
    -------
    PlanningResult
        ``power`` and ``n`` refer to the first sample size; :meth:`~PlanningResult.tidy`
        has one row per sample size.

    Examples
    --------
    >>> res = regression_power(110, r2=0.10, n_predictors=5)   # G*Power 2 manual example
    >>> round(res.power, 4), round(res.details["critical_f"], 4)
    (0.7518, 2.3017)
    """
    ff, rr, k, u, a = _reg_inputs(f2, r2, n_predictors, n_tested, alpha)
    ns = check_counts("n", n, minimum=k + 2)
    rows: list[dict[str, Any]] = []
    for m in ns:
        pw, crit, lam = _reg_power(m, ff, u, k, a)
        rows.append({"test": "F", "n": m, "power": pw, "lambda": lam, "critical_f": crit,
                     "df1": u, "df2": m - k - 1})
    table = pd.DataFrame(rows)
    first = rows[0]
    inputs = {"f2": ff, "r2": rr, "n_predictors": k, "n_tested": u, "alpha": a}
    if len(ns) == 1:
        en_tail = f"N = {fmt_int(ns[0])} gives a power of {fmt_p(first['power'], 'en', 3)}"
        id_tail = f"N = {fmt_int(ns[0], 'id')} memberikan daya uji {fmt_p(first['power'], 'id', 3)}"
    else:
        en_tail = "power at N = " + ", ".join(
            f"{fmt_int(r['n'])}: {fmt_p(r['power'], 'en', 3)}" for r in rows)
        id_tail = "daya uji pada N = " + ", ".join(
            f"{fmt_int(r['n'], 'id')}: {fmt_p(r['power'], 'id', 3)}" for r in rows)
    sentences = {
        "en": (f"For the multiple regression F test (G*Power's fixed model, \u03bb = f\u00b2N) "
               f"with {k} predictors, f\u00b2 = {fmt_num(ff, 'en', 3)} and "
               f"\u03b1 = {fmt_p(a, 'en')}, {en_tail}."),
        "id": (f"Untuk uji F regresi berganda (model tetap G*Power, \u03bb = f\u00b2N) dengan "
               f"{k} prediktor, f\u00b2 = {fmt_num(ff, 'id', 3)} dan \u03b1 = {fmt_p(a, 'id')}, "
               f"{id_tail}."),
    }
    return PlanningResult(
        method="regression_power", label={"en": "Power of the multiple regression F test",
                                          "id": "Daya uji F regresi berganda"},
        n=ns[0], power=first["power"], inputs=inputs,
        details={k2: first[k2] for k2 in ("lambda", "critical_f", "df1", "df2")},
        sentences=sentences, assumptions=_reg_assumptions(k, u), reference=_REG_REF,
        table=table)


# --------------------------------------------------------------------------- correlation

def _log_r_density(r: float, rho: float, n: int) -> float:
    """Log density of Pearson's r in bivariate-normal samples of size n (Hotelling, 1953)."""
    from scipy.special import gammaln, hyp2f1

    if abs(r) >= 1:
        return -math.inf
    return float(math.log(n - 2) + gammaln(n - 1) - gammaln(n - 0.5) - 0.5 * math.log(2 * math.pi)
                 + 0.5 * (n - 1) * math.log1p(-rho * rho) + 0.5 * (n - 4) * math.log1p(-r * r)
                 - (n - 1.5) * math.log1p(-rho * r)
                 + math.log(hyp2f1(0.5, 0.5, n - 0.5, (1 + rho * r) / 2)))


def _r_upper(x: float, rho: float, n: int) -> float:
    """P(r > x) for the exact distribution of r."""
    from scipy.integrate import quad

    if x >= 1:
        return 0.0
    if x <= -1:
        return 1.0
    # the density is sharply peaked near rho for large n: split the range there
    pts = [p for p in (rho,) if x < p < 1]
    val, _ = quad(lambda t: math.exp(_log_r_density(t, rho, n)), x, 1, points=pts or None,
                  limit=200, epsabs=1e-12, epsrel=1e-10)
    return min(max(val, 0.0), 1.0)


def _r_critical_exact(rho0: float, n: int, tail_prob: float, upper: bool) -> float:
    from scipy.optimize import brentq
    from scipy.stats import t as t_dist

    if rho0 == 0:
        tc = float(t_dist.isf(tail_prob, n - 2))
        rc = tc / math.sqrt(tc * tc + n - 2)
        return rc if upper else -rc
    if upper:
        return float(brentq(lambda x: _r_upper(x, rho0, n) - tail_prob, -1 + 1e-12, 1 - 1e-12,
                            xtol=1e-12))
    return float(brentq(lambda x: (1 - _r_upper(x, rho0, n)) - tail_prob, -1 + 1e-12,
                        1 - 1e-12, xtol=1e-12))


def _corr_power(n: int, rho: float, rho0: float, alpha: float, alternative: str,
                method: str) -> float:
    from scipy.stats import norm
    from scipy.stats import t as t_dist

    if method == "fisher_z":
        # Cohen (1988, p. 546): critical r from the t distribution, then Fisher's z with
        # the bias correction z' = atanh(r) + r / (2(n - 1)) on both r and r_crit
        tail = alpha / 2 if alternative == "two-sided" else alpha
        tc = float(t_dist.isf(tail, n - 2))
        rc = tc / math.sqrt(tc * tc + n - 2)
        zc = math.atanh(rc) + rc / (2 * (n - 1))
        r = -rho if alternative == "less" else rho
        if alternative == "two-sided":
            r = abs(r)
        zr = math.atanh(r) + r / (2 * (n - 1))
        s = math.sqrt(n - 3)
        pw = float(norm.cdf((zr - zc) * s))
        if alternative == "two-sided":
            pw += float(norm.cdf((-zr - zc) * s))
        return pw
    if alternative == "two-sided":
        hi = _r_critical_exact(rho0, n, alpha / 2, upper=True)
        lo = _r_critical_exact(rho0, n, alpha / 2, upper=False)
        return _r_upper(hi, rho, n) + (1 - _r_upper(lo, rho, n))
    if alternative == "greater":
        return _r_upper(_r_critical_exact(rho0, n, alpha, upper=True), rho, n)
    return 1 - _r_upper(_r_critical_exact(rho0, n, alpha, upper=False), rho, n)


def _corr_inputs(r: float, rho0: float, alpha: float, alternative: str, method: str
                 ) -> tuple[float, float, float]:
    check_choice("alternative", alternative, ("two-sided", "greater", "less"))
    check_choice("method", method, ("exact", "fisher_z"))
    if not isinstance(r, int | float) or isinstance(r, bool) or not -1 < r < 1:
        raise ModelSpecError(f"r={r!r}: the population correlation must lie strictly between "
                             "-1 and 1 (0.1 small, 0.3 medium, 0.5 large)")
    if not isinstance(rho0, int | float) or not -1 < rho0 < 1:
        raise ModelSpecError(f"rho0={rho0!r}: the null correlation must lie strictly between "
                             "-1 and 1 (usually 0)")
    if method == "fisher_z" and rho0 != 0:
        raise ModelSpecError("method='fisher_z' (Cohen's approximation) tests rho0 = 0 only; "
                             "use method='exact' for rho0 != 0")
    if r == rho0:
        raise ModelSpecError(f"r={r!r} equals rho0: the effect size r - rho0 must be non-zero; "
                             "pass the correlation you expect under the alternative")
    if (alternative == "greater" and r < rho0) or (alternative == "less" and r > rho0):
        raise ModelSpecError(f"alternative={alternative!r} contradicts r={r} and rho0={rho0}: "
                             "the one-sided test must point toward the expected correlation")
    a = check_open_unit("alpha", alpha, hint="the significance level, e.g. 0.05")
    return float(r), float(rho0), a


_CORR_REF = {"exact": ("G*Power 3.1 'Exact: Correlation: Bivariate normal model' (Faul et al., "
                       "2009); exact distribution of r (Hotelling, 1953)"),
             "fisher_z": ("Fisher's z approximation with Cohen's (1988, p. 546) bias "
                          "correction, as in R pwr::pwr.r.test 1.2")}
_CORR_NAME = {"exact": ("the exact bivariate-normal model (as in G*Power)",
                        "model normal bivariat eksak (seperti G*Power)"),
              "fisher_z": ("Fisher's z approximation (Cohen, 1988)",
                           "pendekatan z Fisher (Cohen, 1988)")}


def _corr_assumptions(method: str) -> dict[str, list[str]]:
    return {"en": ["the two variables are bivariate normal", "cases are independent",
                   "power from " + _CORR_NAME[method][0]],
            "id": ["kedua variabel berdistribusi normal bivariat", "kasus saling bebas",
                   "daya uji dihitung dengan " + _CORR_NAME[method][1]]}


def _alt_text(alternative: str, lang: str) -> str:
    return {"two-sided": ("two-sided", "dua arah"), "greater": ("one-sided", "satu arah"),
            "less": ("one-sided", "satu arah")}[alternative][0 if lang == "en" else 1]


def correlation_power(r: float, n: int | Sequence[int], *, rho0: float = 0.0,
                      alpha: float = 0.05, alternative: Alternative = "two-sided",
                      method: CorrMethod = "exact") -> PlanningResult:
    """Power of the test of a Pearson correlation.

    ``method="exact"`` integrates the exact sampling distribution of r under
    bivariate normality (G*Power's "Exact: Correlation: Bivariate normal model");
    for ``rho0 = 0`` its critical value is the usual t test's. ``method="fisher_z"``
    is Cohen's (1988, p. 546) large-sample approximation behind his power tables
    (critical r from the t distribution, then ``z' = atanh(r) + r / (2(n - 1))`` for
    both r and the critical r), as in R's ``pwr::pwr.r.test`` up to version 1.2
    (later pwr versions drop the correction on the critical r).

    Parameters
    ----------
    r : float
        Population correlation under the alternative, in (-1, 1).
    n : int or sequence of int
        Sample size(s), at least 4.
    rho0 : float
        Correlation under the null hypothesis (``"exact"`` only).
    alpha : float
        Significance level.
    alternative : {"two-sided", "greater", "less"}
        Direction of the test.
    method : {"exact", "fisher_z"}
        Exact distribution (default) or Fisher's z approximation.

    Returns
    -------
    PlanningResult

    Examples
    --------
    >>> res = correlation_power(0.3, 85)
    >>> round(res.power, 3)
    0.805
    """
    rr, r0, a = _corr_inputs(r, rho0, alpha, alternative, method)
    ns = check_counts("n", n, minimum=4)
    rows: list[dict[str, Any]] = [
        {"test": method, "n": m, "power": _corr_power(m, rr, r0, a, alternative, method)}
        for m in ns]
    first = rows[0]
    pw_en = ", ".join(f"{fmt_p(x['power'], 'en', 3)} at N = {fmt_int(x['n'])}" for x in rows)
    pw_id = ", ".join(f"{fmt_p(x['power'], 'id', 3)} pada N = {fmt_int(x['n'], 'id')}"
                      for x in rows)
    sentences = {
        "en": (f"The power of the {_alt_text(alternative, 'en')} test of a correlation of "
               f"\u03c1 = {fmt_num(rr, 'en', 2)} (H0: \u03c1 = {fmt_num(r0, 'en', 2)}) at "
               f"\u03b1 = {fmt_p(a, 'en')}, computed with {_CORR_NAME[method][0]}, is {pw_en}."),
        "id": (f"Daya uji {_alt_text(alternative, 'id')} untuk korelasi \u03c1 = "
               f"{fmt_num(rr, 'id', 2)} (H0: \u03c1 = {fmt_num(r0, 'id', 2)}) pada "
               f"\u03b1 = {fmt_p(a, 'id')}, dihitung dengan {_CORR_NAME[method][1]}, adalah "
               f"{pw_id}."),
    }
    return PlanningResult(
        method="correlation_power", label={"en": "Power of the correlation test",
                                           "id": "Daya uji korelasi"},
        n=ns[0], power=first["power"],
        inputs={"r": rr, "rho0": r0, "alpha": a, "alternative": alternative,
                "correlation_method": method},
        details={}, sentences=sentences, assumptions=_corr_assumptions(method),
        reference=_CORR_REF[method], table=pd.DataFrame(rows))


def correlation_sample_size(r: float, *, power: float = 0.80, rho0: float = 0.0,
                            alpha: float = 0.05, alternative: Alternative = "two-sided",
                            method: CorrMethod = "exact") -> PlanningResult:
    """Minimum N to detect a population correlation ``r`` with the given power.

    See :func:`correlation_power` for the two methods. Cohen's (1992, Table 2) sample
    sizes (r = .10, .30, .50 at alpha = .05 two-sided, power .80: 783, 85, 28) come
    from his approximation; ``method="fisher_z"`` gives 783, 85 and 29, the exact
    method 782, 84 and 29.

    Parameters
    ----------
    r : float
        Expected population correlation.
    power : float
        Target power in (0, 1).
    rho0, alpha, alternative, method
        As in :func:`correlation_power`.

    Returns
    -------
    PlanningResult

    Examples
    --------
    >>> correlation_sample_size(0.3).n
    84
    >>> correlation_sample_size(0.3, method="fisher_z").n
    85
    """
    rr, r0, a = _corr_inputs(r, rho0, alpha, alternative, method)
    target = check_open_unit("power", power, hint="the target power, e.g. 0.80")
    n = _smallest_n(lambda m: _corr_power(m, rr, r0, a, alternative, method), target, 4)
    achieved = _corr_power(n, rr, r0, a, alternative, method)
    sentences = {
        "en": (f"An a priori power analysis ({_CORR_NAME[method][0]}) showed that "
               f"N = {fmt_int(n)} respondents are needed to detect a correlation of "
               f"\u03c1 = {fmt_num(rr, 'en', 2)} (H0: \u03c1 = {fmt_num(r0, 'en', 2)}) with a "
               f"{_alt_text(alternative, 'en')} test at \u03b1 = {fmt_p(a, 'en')} and a power of "
               f"{fmt_p(target, 'en')} (achieved power {fmt_p(achieved, 'en', 3)})."),
        "id": (f"Analisis daya uji a priori ({_CORR_NAME[method][1]}) menunjukkan bahwa "
               f"diperlukan N = {fmt_int(n, 'id')} responden untuk mendeteksi korelasi "
               f"\u03c1 = {fmt_num(rr, 'id', 2)} (H0: \u03c1 = {fmt_num(r0, 'id', 2)}) dengan uji "
               f"{_alt_text(alternative, 'id')} pada \u03b1 = {fmt_p(a, 'id')} dan daya uji "
               f"{fmt_p(target, 'id')} (daya uji tercapai {fmt_p(achieved, 'id', 3)})."),
    }
    return PlanningResult(
        method="correlation", label={"en": "Correlation test", "id": "Uji korelasi"},
        n=n, power=achieved,
        inputs={"r": rr, "rho0": r0, "power_target": target, "alpha": a,
                "alternative": alternative, "correlation_method": method},
        details={}, sentences=sentences, assumptions=_corr_assumptions(method),
        reference=_CORR_REF[method])

