"""Linear mixed models (random intercepts and slopes) via statsmodels MixedLM with REML."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, InsufficientDataError, ModelSpecError
from egovstudy.models.design import build_design
from egovstudy.models.results import TidyResult, tidy_frame
from egovstudy.models.satterthwaite import satterthwaite_df

__all__ = ["mixed_model"]


def mixed_model(formula: str, data: pd.DataFrame, *, group: str,
                random_slopes: Sequence[str] = (), reml: bool = True,
                conf_level: float = 0.95,
                df_method: Literal["satterthwaite", "z"] = "satterthwaite") -> TidyResult:
    """Linear mixed model ``y ~ fixed + (1 + slopes | group)`` fitted by REML.

    Equivalent to ``lme4::lmer(y ~ fixed + (1 + slopes | group))`` (unstructured covariance of
    the random effects). ``tidy()`` lists the fixed effects with t tests on Satterthwaite
    degrees of freedom (column ``df``), as ``lmerTest`` and SAS ``PROC MIXED`` report them
    (``df_method="z"``: Wald z tests, as statsmodels; when a variance estimate lies on the
    boundary the df are undefined and z tests are reported, with a note);
    ``raw["random_effects"]`` and the notes give the random effect SDs and correlations,
    ``fit_stats()`` the REML criterion (``-2 logLik_REML``), the number of groups and, for a
    random-intercept model, the ICC.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(20), 10)
    >>> x = rng.normal(size=200)
    >>> y = 1 + 0.5 * x + rng.normal(size=20)[g] + rng.normal(size=200)
    >>> res = mixed_model("y ~ x", pd.DataFrame({"y": y, "x": x, "g": g}), group="g")
    >>> res.tidy()["term"].tolist()
    ['Intercept', 'x']
    """
    import statsmodels.formula.api as smf

    if df_method not in ("satterthwaite", "z"):
        raise ModelSpecError(f"df_method={df_method!r}: choose 'satterthwaite' or 'z'")
    d = build_design(formula, data, extra=[group, *random_slopes], eval_env=1)
    n_groups = d.data[group].nunique()
    if n_groups < 2:
        raise InsufficientDataError(
            f"group variable {group!r} has {n_groups} level(s); a mixed model needs several")
    for s in random_slopes:
        if s not in d.terms:
            raise ModelSpecError(
                f"random slope {s!r} must also be a fixed-effect term; terms are {d.terms}")
    re_formula = "~1" + "".join(f" + {s}" for s in random_slopes)
    frame = d.data.copy()
    model = smf.mixedlm(formula, frame, groups=frame[group], re_formula=re_formula)
    fit = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # statsmodels' default (BFGS) first; L-BFGS can report convergence at a degenerate
        # point with an infinite log-likelihood (zero group variance, exploding SEs), so a
        # fit is accepted only when its log-likelihood is finite.
        for method in ("bfgs", "lbfgs", "powell", "nm"):
            try:
                cand = model.fit(reml=reml, method=method, maxiter=5000)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if not (cand.converged and np.isfinite(cand.llf)):
                continue
            if fit is None or cand.llf > fit.llf + 1e-9:
                fit = cand
            break
    if fit is None:
        raise ConvergenceError(f"mixed model {formula!r} (group {group!r}) did not converge")
    fe = fit.fe_params.index.tolist()
    cov_re = np.asarray(fit.cov_re)
    ddf: Any = None
    if df_method == "satterthwaite":
        ddf = satterthwaite_df(fit.model.exog, fit.model.endog, fit.model.exog_re,
                               np.asarray(fit.model.groups), cov_re, float(fit.scale),
                               reml=reml)
        if not np.isfinite(ddf).all():      # a variance on the boundary: no curvature
            ddf = None
    table = tidy_frame(fe, np.asarray(fit.fe_params), np.asarray(fit.bse_fe), df=ddf,
                       conf_level=conf_level)
    table.insert(3, "df", np.nan if ddf is None else ddf)
    names_re = ["(Intercept)", *random_slopes]
    sd = np.sqrt(np.diag(cov_re))
    re_rows: list[dict[str, Any]] = [
        {"group": group, "term": t, "sd": float(s), "variance": float(s * s)}
        for t, s in zip(names_re, sd)]
    corr = cov_re / np.outer(sd, sd)
    sigma = float(np.sqrt(fit.scale))
    re_rows.append({"group": "Residual", "term": "", "sd": sigma, "variance": sigma ** 2})
    re = pd.DataFrame(re_rows)
    stats: dict[str, Any] = {"n": d.n, "n_groups": int(n_groups), "loglik": float(fit.llf),
                             "reml": reml, "sigma": sigma, "n_dropped": d.n_dropped}
    if reml:
        stats["reml_criterion"] = float(-2 * fit.llf)
    else:
        k = len(fe) + len(names_re) * (len(names_re) + 1) // 2 + 1
        stats["aic"] = float(-2 * fit.llf + 2 * k)
    if not random_slopes:
        stats["icc"] = float(cov_re[0, 0] / (cov_re[0, 0] + fit.scale))
    notes = ["random effects: " + ", ".join(f"SD({t}) = {s:.4g}" for t, s in zip(names_re, sd))
             + f", residual SD = {sigma:.4g}"]
    if df_method == "satterthwaite" and ddf is None:
        notes.append("Satterthwaite df could not be computed (a variance estimate on the "
                     "boundary); Wald z tests are reported")
    else:
        notes.append("t tests with Satterthwaite df (as lmerTest)" if ddf is not None
                     else "Wald z tests")
    if len(names_re) > 1:
        notes.append("random-effect correlations: " + ", ".join(
            f"corr({names_re[i]}, {names_re[j]}) = {corr[i, j]:.3f}"
            for i in range(len(names_re)) for j in range(i + 1, len(names_re))))
    return TidyResult(model=f"Linear mixed model (REML={reml}): {formula} | {group}",
                      table=table, stats=stats, notes=notes,
                      raw={"fit": fit, "random_effects": re, "re_corr": corr})
