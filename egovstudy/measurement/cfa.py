"""Confirmatory factor analysis with lavaan's ML conventions.

``semopy`` parses the lavaan-style model and supplies the model matrices; the
estimates are then refined and every fit index computed here with lavaan's default
(``estimator = "ML"``, ``likelihood = "normal"``) conventions, which differ from
semopy's defaults:

* the sample covariance matrix uses divisor N (semopy: N - 1);
* chi-square = N * F_ML with F_ML = ln|Sigma| - ln|S| + tr(S Sigma^-1) - p (semopy
  reports the objective with its own scaling and estimates with SLSQP, stopping
  early; the estimates are re-optimised here with L-BFGS-B to a tight tolerance);
* RMSEA = sqrt(max(chi2 - df, 0) / (df * N)) with a 90% interval from the
  noncentral chi-square; CFI and TLI against the independence model; SRMR as
  lavaan's ``srmr`` (Bentler, no mean structure); logL, AIC and BIC with the
  saturated mean structure, as lavaan prints them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import (
    ConvergenceError,
    MissingDependencyError,
    ModelSpecError,
    StatisticalWarning,
)
from egovstudy.measurement._common import html_table, item_frame

__all__ = ["CFAResult", "cfa"]


@dataclass(frozen=True)
class CFAResult:
    """CFA fit measures and parameter estimates (unstandardized and standardized)."""

    fit: pd.Series
    estimates: pd.DataFrame
    n: int
    estimator: str = "ML"
    #: the fitted semopy model and sample moments, for :meth:`modindices` (listwise fits)
    fitted: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def loadings(self) -> pd.DataFrame:
        """Factor loadings: latent, item, estimate, std_error, std_estimate."""
        return self.estimates[self.estimates["op"] == "=~"].reset_index(drop=True)

    def tidy(self) -> pd.DataFrame:
        """All parameters with broom names."""
        return self.estimates.copy()

    def modindices(self, *, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """Modification indices as ``lavaan::modindices`` (see
        :func:`egovstudy.measurement.modindices.modindices`)."""
        from egovstudy.measurement.modindices import modindices

        return modindices(self, sort=sort, minimum_value=minimum_value)

    def summary(self) -> str:
        """Text summary of the fit indices as lavaan prints them."""
        f = self.fit
        lines = [f"CFA ({self.estimator}, lavaan conventions), n = {self.n}",
                 f"  chi2({int(f['df'])}) = {f['chisq']:.3f}, p = {f['pvalue']:.3f}",
                 f"  CFI = {f['cfi']:.3f}, TLI = {f['tli']:.3f}",
                 f"  RMSEA = {f['rmsea']:.3f} [90% CI {f['rmsea_ci_lower']:.3f}, "
                 f"{f['rmsea_ci_upper']:.3f}], SRMR = {f['srmr']:.3f}"]
        if "aic" in f.index:
            lines.append(f"  AIC = {f['aic']:.3f}, BIC = {f['bic']:.3f}")
        if "scaling_factor" in f.index:
            lines.append(f"  Scaled chi2({int(f['df'])}) = {f['chisq_scaled']:.3f}, "
                         f"p = {f['pvalue_scaled']:.3f}, Scaling factor = "
                         f"{f['scaling_factor']:.3f}" + (
                             f", Shift parameter = {f['shift_parameter']:.3f}"
                             if "shift_parameter" in f.index else ""))
        if "cfi_robust" in f.index:
            lines.append(f"  Robust CFI = {f['cfi_robust']:.3f}, TLI = {f['tli_robust']:.3f}, "
                         f"RMSEA = {f['rmsea_robust']:.3f} [90% CI "
                         f"{f['rmsea_ci_lower_robust']:.3f}, {f['rmsea_ci_upper_robust']:.3f}]")
        elif "cfi_scaled" in f.index:
            lines.append(f"  Scaled CFI = {f['cfi_scaled']:.3f}, TLI = {f['tli_scaled']:.3f}, "
                         f"RMSEA = {f['rmsea_scaled']:.3f}")
        lines += ["Standardized loadings:",
                 self.loadings[["latent", "item", "estimate", "std_estimate"]].round(3)
                 .to_string(index=False)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table("CFA fit", self.fit.to_frame("value")) + html_table(
            "Loadings", self.loadings)


def _rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    from scipy.optimize import brentq
    from scipy.stats import chi2, ncx2

    def bound(p: float) -> float:
        if chi2.cdf(chisq, df) < p:
            return 0.0
        f = lambda lam: ncx2.cdf(chisq, df, lam) - p  # noqa: E731
        hi = max(chisq * 4, 100.0)
        lam = brentq(f, 1e-10, hi) if f(1e-10) > 0 else 0.0
        return float(np.sqrt(lam / (df * n)))

    a = (1 - level) / 2
    return bound(1 - a), bound(a)


ESTIMATORS = ("ML", "MLR", "MLM", "WLSMV")


def cfa(model: str, data: pd.DataFrame, *,
        missing: Literal["listwise", "fiml"] = "listwise",
        estimator: Literal["ML", "MLR", "MLM", "WLSMV"] | None = None,
        ordered: bool | Sequence[str] | None = None) -> CFAResult:
    """Fit a CFA (lavaan syntax) by maximum likelihood and report lavaan's fit measures.

    Matches R ``lavaan::cfa(model, data)`` (estimates, SE, ``std.all`` and ``fitMeasures``) and
    ``lavaan::cfa(..., missing = "fiml")``; compared in ``make crosscheck``.

    Parameters
    ----------
    model : str
        lavaan-style syntax, e.g. ``"visual =~ x1 + x2 + x3"``; the first loading of
        each factor is fixed to 1 (lavaan's default).
    data : pandas.DataFrame
        Observed variables; rows with missing values are dropped (listwise, lavaan's
        default ``missing = "listwise"``) unless ``missing="fiml"``.
    missing : {"listwise", "fiml"}
        ``"fiml"``: full-information ML over all cases with at least one observed item, with
        free means (lavaan ``missing = "fiml"``; see :mod:`egovstudy.measurement.cfa_fiml`):
        estimates then include the intercepts (op ``"~1"``), SEs are from the observed
        information, and SRMR is not computed (NaN).
    estimator : {"ML", "MLR", "MLM"}
        ``"ML"`` (default): normal-theory SEs and chi-square. ``"MLR"``: the same estimates
        with Huber-White robust SEs and the Yuan-Bentler (Mplus variant) scaled chi-square,
        as lavaan ``estimator = "MLR"``; ``"MLM"``: robust SEs from the expected information
        and the Satorra-Bentler scaled chi-square (lavaan ``estimator = "MLM"``). Both add to
        ``fit``: chisq_scaled, pvalue_scaled, scaling_factor, baseline_chisq_scaled,
        baseline_scaling_factor, cfi/tli/rmsea_scaled and cfi/tli/rmsea_robust with the
        robust RMSEA interval (lavaan's ``*.scaled`` and ``*.robust``). Listwise data only.
        ``"WLSMV"`` (the default when ``ordered`` is given): DWLS on polychoric correlations
        with robust SEs and the scaled-shifted chi-square (lavaan ``ordered = ...``,
        ``estimator = "WLSMV"``, see :mod:`egovstudy.measurement.cfa_wlsmv`); thresholds are
        rows with op ``"|"``; ``fit`` has the standard and ``*_scaled`` CFI/TLI/RMSEA and
        ``shift_parameter`` (no AIC/BIC, no ``*_robust`` indices).
    ordered : bool or list of str, optional
        The ordinal (Likert) items: ``True`` for every model item, or their names (every
        model item must be listed: mixed continuous and ordinal items are not covered).

    Returns
    -------
    CFAResult
        ``fit`` (npar, chisq, df, pvalue, baseline_chisq, baseline_df, cfi, tli, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, srmr, logl, unrestricted_logl, aic, bic, bic2)
        and ``estimates`` (latent/op/item, estimate, std_error, statistic, p_value,
        std_estimate = lavaan's ``std.all``).

    Notes
    -----
    Variances are not bounded (semopy bounds them at 0): a Heywood case is reported as
    lavaan reports it, with its negative variance and a standardized loading above 1, and a
    :class:`~egovstudy.errors.StatisticalWarning` names the item.

    Checked against the lavaan tutorial's 3-factor HolzingerSwineford1939 model
    (chi2 = 85.306, df = 24, CFI = 0.931, TLI = 0.896, RMSEA = 0.092 [0.071, 0.114],
    SRMR = 0.065, AIC = 7517.490, BIC = 7595.339).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f + 0.8 * rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> res = cfa("F =~ a + b + c + d", df)
    >>> int(res.fit["df"])
    2
    """
    from egovstudy._blas import single_thread_blas

    if missing not in ("listwise", "fiml"):
        import difflib

        near = difflib.get_close_matches(str(missing), ["listwise", "fiml"], n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ModelSpecError(f"missing={missing!r} is not one of ['listwise', 'fiml']{hint}")
    est_name = _check_estimator(estimator, ordered)
    if missing == "fiml" and est_name != "ML":
        raise ModelSpecError(f"estimator={estimator!r} with missing='fiml' is not available; "
                             "use estimator='ML' with missing='fiml', or listwise deletion")
    with single_thread_blas():  # same arithmetic on every run: byte-identical tables
        return _fit_cfa(model, data, fiml=missing == "fiml", estimator=est_name,
                        ordered=ordered)


def _check_estimator(estimator: object, ordered: object = None) -> str:
    """Upper-cased estimator name, or a ModelSpecError with a did-you-mean hint."""
    import difflib

    has_ordered = ordered is not None and ordered is not False
    if estimator is None:
        return "WLSMV" if has_ordered else "ML"
    name = str(estimator).upper()
    if name in ESTIMATORS:
        if name == "WLSMV" and not has_ordered:
            raise ModelSpecError("estimator='WLSMV' needs the ordinal items: pass "
                                 "ordered=True (every model item) or ordered=[...]")
        if name != "WLSMV" and has_ordered:
            raise ModelSpecError(f"ordered items need estimator='WLSMV', not {estimator!r}; "
                                 "drop ordered= to treat the items as continuous")
        return name
    near = difflib.get_close_matches(name, list(ESTIMATORS), n=1, cutoff=0.5)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise ModelSpecError(f"estimator={estimator!r} is not one of {list(ESTIMATORS)}{hint}")


def _fit_cfa(model: str, data: pd.DataFrame, fiml: bool = False,
             estimator: str = "ML", ordered: object = None) -> CFAResult:
    try:
        import semopy
    except ImportError as exc:  # pragma: no cover - semopy is a dependency
        raise MissingDependencyError("cfa needs semopy: pip install semopy") from exc
    from scipy.optimize import minimize
    from scipy.stats import chi2

    if not isinstance(model, str) or "=~" not in model:
        raise ModelSpecError("model must be lavaan syntax with at least one '=~' line, e.g. "
                             "'budget =~ bud1 + bud2 + bud3'")
    try:
        m = semopy.Model(model)
    except Exception as exc:
        raise ModelSpecError(f"semopy could not parse the model: {exc}") from exc
    observed_all = list(m.vars["observed"])
    missing = [v for v in observed_all if v not in data.columns]
    if missing:
        raise ModelSpecError(f"model variables {missing} are not columns of data")
    frame = item_frame(data, observed_all, min_items=2, what="CFA")
    if fiml:
        return _fit_fiml(m, frame, observed_all)
    if estimator == "WLSMV":
        from egovstudy.measurement.cfa_wlsmv import fit_wlsmv

        _check_ordered(ordered, observed_all)
        wfit, west, wn = fit_wlsmv(m, frame.dropna(), list(m.vars["observed"]))
        _warn_heywood(west)
        return CFAResult(fit=wfit, estimates=west, n=wn, estimator="WLSMV")
    frame = frame.dropna()
    n = int(frame.shape[0])
    x = frame.to_numpy()
    s = np.cov(x, rowvar=False, bias=True)  # lavaan: divisor N
    cov_df = pd.DataFrame(s, index=observed_all, columns=observed_all)
    try:
        m.fit(cov=cov_df, n_samples=n, obj="MLW")
    except Exception as exc:
        raise ConvergenceError(f"the CFA could not be estimated: {exc}") from exc
    obs = list(m.vars["observed"])
    order = [observed_all.index(v) for v in obs]
    s = s[np.ix_(order, order)]
    p = len(obs)
    _, logdet_s = np.linalg.slogdet(s)

    def fml(theta: np.ndarray) -> float:
        m.update_matrices(theta)
        sigma, _ = m.calc_sigma()
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10
        return float(logdet - logdet_s + np.trace(s @ np.linalg.inv(sigma)) - p)

    # first within semopy's bounds (variances >= 0), which keeps the search away from
    # non-positive-definite regions; a variance that ends on its bound is a Heywood case, and
    # then the fit is continued without bounds so that, as lavaan, the improper (negative)
    # estimate is reported with a warning instead of hidden at the bound
    opts = {"ftol": 1e-15, "gtol": 1e-9, "maxiter": 5000}
    bounds = m.get_bounds()
    res = minimize(fml, np.array(m.param_vals, dtype=float), method="L-BFGS-B",
                   bounds=bounds, options=opts)
    lows = np.array([-np.inf if b[0] is None else b[0] for b in bounds], dtype=float)
    if np.any(np.isfinite(lows) & (np.asarray(res.x) <= lows + 1e-8)):
        res = minimize(fml, np.asarray(res.x, dtype=float), method="L-BFGS-B", options=opts)
    theta = np.asarray(res.x)
    fmin = fml(theta)
    m.param_vals = theta
    m.update_matrices(theta)
    sigma, _ = m.calc_sigma()
    npar = len(theta)
    df = p * (p + 1) // 2 - npar
    chisq = n * fmin
    base = n * float(np.sum(np.log(np.diag(s))) - logdet_s)
    base_df = p * (p - 1) // 2
    cfi = 1 - max(chisq - df, 0) / max(chisq - df, base - base_df, 0) if base > 0 else np.nan
    tli = ((base / base_df) - (chisq / df)) / ((base / base_df) - 1) if df > 0 else np.nan
    rmsea = float(np.sqrt(max(chisq - df, 0) / (df * n))) if df > 0 else 0.0
    lo, hi = _rmsea_ci(chisq, df, n) if df > 0 else (0.0, 0.0)
    ds, dsig = np.sqrt(np.diag(s)), np.sqrt(np.diag(sigma))
    resid = s / np.outer(ds, ds) - sigma / np.outer(dsig, dsig)
    srmr = float(np.sqrt(np.mean(resid[np.tril_indices(p)] ** 2)))
    c = p * np.log(2 * np.pi)
    _, logdet_sig = np.linalg.slogdet(sigma)
    logl = -n / 2 * (c + logdet_sig + np.trace(s @ np.linalg.inv(sigma)))
    logl1 = -n / 2 * (c + logdet_s + p)
    k_ic = npar  # lavaan (no mean structure) counts the free covariance parameters
    fit = pd.Series({
        "npar": float(npar), "chisq": chisq, "df": float(df),
        "pvalue": float(chi2.sf(chisq, df)) if df > 0 else np.nan,
        "baseline_chisq": base, "baseline_df": float(base_df), "cfi": cfi, "tli": tli,
        "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "srmr": srmr,
        "logl": logl, "unrestricted_logl": logl1,
        "aic": -2 * logl + 2 * k_ic, "bic": -2 * logl + k_ic * np.log(n),
        "bic2": -2 * logl + k_ic * np.log((n + 2) / 24), "ntotal": float(n)})
    est = _estimates(m, x, n, obs)
    if estimator != "ML":
        fit, est = _robust(m, theta, x[:, order], fit, est, estimator)
    _warn_heywood(est)
    return CFAResult(fit=fit, estimates=est, n=n, estimator=estimator,
                     fitted={"model": m, "theta": theta, "s": s, "n": n, "obs": obs})


def _robust(m: Any, theta: np.ndarray, x: np.ndarray, fit: pd.Series, est: pd.DataFrame,
            estimator: str) -> tuple[pd.Series, pd.DataFrame]:
    """MLR/MLM: robust SEs in ``est`` and the scaled/robust fit measures added to ``fit``
    (see :mod:`egovstudy.measurement.robust`)."""
    from scipy.stats import norm

    from egovstudy.measurement.cfa_fiml import parameter_rows
    from egovstudy.measurement.robust import robust_fit_measures, robust_ml

    def sigma_fn(th: np.ndarray) -> np.ndarray:
        m.update_matrices(th)
        return np.asarray(m.calc_sigma()[0])

    r = robust_ml(sigma_fn, theta, x, estimator)
    m.update_matrices(theta)
    v = x.var(axis=0)  # independence model: the variances alone, estimated by diag(S)
    r0 = robust_ml(lambda th: np.diag(th), v, x, estimator)
    ses = parameter_rows(m, np.sqrt(np.clip(np.diag(r["vcov"]), 0, None)))
    est = est.copy()
    est["std_error"] = [ses.get((a, o, b), np.nan)
                        for a, o, b in zip(est["latent"], est["op"], est["item"], strict=True)]
    est["statistic"] = est["estimate"] / est["std_error"]
    est["p_value"] = 2 * norm.sf(np.abs(est["statistic"]))
    extra = robust_fit_measures(float(fit["chisq"]), int(fit["df"]),
                                float(fit["baseline_chisq"]), int(fit["baseline_df"]),
                                x.shape[0], r["trace"], r0["trace"])
    return pd.concat([fit, pd.Series(extra)]), est


def _check_ordered(ordered: object, observed: list[str]) -> None:
    """WLSMV here needs every model item ordinal; an unknown name gets a did-you-mean."""
    import difflib

    if ordered is True:
        return
    if isinstance(ordered, str) or not isinstance(ordered, Sequence):
        raise ModelSpecError(f"ordered={ordered!r} must be True or a list of item names")
    names = [str(v) for v in ordered]
    for v in names:
        if v not in observed:
            near = difflib.get_close_matches(v, observed, n=1, cutoff=0.5)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ModelSpecError(f"ordered item {v!r} is not an item of the model{hint}")
    rest = [v for v in observed if v not in names]
    if rest:
        raise ModelSpecError(f"model item {rest[0]!r} is not in ordered=: WLSMV here needs "
                             "every item ordinal; add it or pass ordered=True")


def _warn_heywood(est: pd.DataFrame, stacklevel: int = 4) -> None:
    var = est[(est["op"] == "~~") & (est["latent"] == est["item"])]
    neg = var[var["estimate"] < 0]
    if len(neg):
        warnings.warn(
            "Heywood case: negative variance estimate(s) " + ", ".join(
                f"{v!r} ({e:.3f})" for v, e in zip(neg["item"], neg["estimate"]))
            + " (standardized loadings above 1): the solution is improper and is reported "
            "as lavaan reports it. Check the items for redundancy or a wrong key, simplify "
            "the model or collect more data.", StatisticalWarning, stacklevel=stacklevel)


def _estimates(m: Any, x: np.ndarray, n: int, obs: list[str]) -> pd.DataFrame:
    from scipy.stats import norm

    try:
        ins = m.inspect(std_est=True, information="expected")
    except TypeError:
        ins = m.inspect(std_est=True)
    out = pd.DataFrame({
        "latent": ins["rval"].where(ins["op"] == "~", ins["lval"]),
        "op": ins["op"].replace({"~": "=~"}),
        "item": ins["lval"].where(ins["op"] == "~", ins["rval"]),
        "estimate": ins["Estimate"].astype(float),
    })
    se = pd.to_numeric(ins["Std. Err"], errors="coerce")
    out["std_error"] = se
    out["statistic"] = out["estimate"] / out["std_error"]
    out["p_value"] = 2 * norm.sf(np.abs(out["statistic"]))
    out["std_estimate"] = ins["Est. Std"].astype(float)
    out.loc[out["op"] == "=~", "op"] = "=~"
    lat = set(m.vars["latent"])
    out.loc[(out["op"] == "=~") & ~out["latent"].isin(lat), "op"] = "~"
    return _std_residual_covariances(out.reset_index(drop=True), obs)


def _std_residual_covariances(est: pd.DataFrame, obs: list[str]) -> pd.DataFrame:
    """lavaan's std.all of a residual covariance y1 ~~ y2 is cov / sqrt(theta_11 theta_22)
    (the residual variances), not semopy's cov / sqrt(sigma_11 sigma_22)."""
    resv = {b: float(x) for a, op, b, x in zip(est["latent"], est["op"], est["item"],
                                                est["estimate"], strict=True)
            if op == "~~" and a == b and b in obs}
    rc = ((est["op"] == "~~") & est["latent"].isin(obs) & est["item"].isin(obs)
          & (est["latent"] != est["item"]))
    if rc.any():
        est.loc[rc, "std_estimate"] = [
            x / np.sqrt(resv[a] * resv[b]) if resv.get(a, 0) * resv.get(b, 0) > 0 else np.nan
            for a, b, x in zip(est.loc[rc, "latent"], est.loc[rc, "item"],
                               est.loc[rc, "estimate"], strict=True)]
    return est


def _fit_fiml(m: Any, frame: pd.DataFrame, observed_all: list[str]) -> CFAResult:
    """FIML branch of :func:`cfa` (the likelihood is in :mod:`.cfa_fiml`)."""
    from scipy.stats import chi2, norm

    from egovstudy.errors import InsufficientDataError
    from egovstudy.measurement.cfa_fiml import fit_cfa_fiml, parameter_rows
    from egovstudy.missing import em_normal

    empty = [c for c in observed_all if frame[c].isna().all()]
    if empty:
        raise InsufficientDataError(f"CFA item {empty[0]!r} is entirely missing; drop it "
                                    "from the model")
    frame = frame[frame.notna().any(axis=1)]
    x_all = frame.to_numpy(dtype=float)
    _, sig_em, _ = em_normal(x_all)
    cov_df = pd.DataFrame(sig_em, index=observed_all, columns=observed_all)
    n = int(frame.shape[0])
    try:
        m.fit(cov=cov_df, n_samples=n, obj="MLW")  # start values from the EM covariance
    except Exception as exc:
        raise ConvergenceError(f"the CFA could not be estimated: {exc}") from exc
    obs = list(m.vars["observed"])
    r = fit_cfa_fiml(m, frame, obs)
    p = len(obs)
    npar = len(r["theta"]) + p
    df = p * (p + 1) // 2 + p - npar
    chisq = 2 * (r["unrestricted_logl"] - r["logl"])
    base = 2 * (r["unrestricted_logl"] - r["baseline_logl"])
    base_df = p * (p - 1) // 2
    cfi = 1 - max(chisq - df, 0) / max(chisq - df, base - base_df, 0) if base > 0 else np.nan
    tli = ((base / base_df) - (chisq / df)) / ((base / base_df) - 1) if df > 0 else np.nan
    rmsea = float(np.sqrt(max(chisq - df, 0) / (df * n))) if df > 0 else 0.0
    lo, hi = _rmsea_ci(chisq, df, n) if df > 0 else (0.0, 0.0)
    logl = r["logl"]
    fit = pd.Series({
        "npar": float(npar), "chisq": chisq, "df": float(df),
        "pvalue": float(chi2.sf(chisq, df)) if df > 0 else np.nan,
        "baseline_chisq": base, "baseline_df": float(base_df), "cfi": cfi, "tli": tli,
        "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "srmr": np.nan,
        "logl": logl, "unrestricted_logl": r["unrestricted_logl"],
        "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * np.log(n),
        "bic2": -2 * logl + npar * np.log((n + 2) / 24), "ntotal": float(n)})
    est = _estimates(m, x_all, n, obs)
    ses = parameter_rows(m, r["se_theta"])
    est["std_error"] = [ses.get((a, o, b), np.nan)
                        for a, o, b in zip(est["latent"], est["op"], est["item"], strict=True)]
    sigma, _ = m.calc_sigma()
    sd = np.sqrt(np.diag(sigma))
    means = pd.DataFrame({"latent": obs, "op": "~1", "item": obs, "estimate": r["mu"],
                          "std_error": r["se_mu"], "std_estimate": r["mu"] / sd})
    est = pd.concat([est, means], ignore_index=True)
    est["statistic"] = est["estimate"] / est["std_error"]
    est["p_value"] = 2 * norm.sf(np.abs(est["statistic"]))
    _warn_heywood(est, stacklevel=5)
    return CFAResult(fit=fit, estimates=est, n=n)
