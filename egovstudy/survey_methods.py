"""The survey-methods checks of a study: group comparisons, non-response, missing data,
common-method bias and the design effect of a clustered sample.

One function per check, each taking the loaded survey and the study's options (the
``comparisons``, ``nonresponse``, ``missing`` and ``method_bias`` entries of the study
file). The command-line verbs (``egovstudy compare | missing | method-bias``) and the
results chapter call these same functions, so they print the same numbers.

Examples
--------
>>> import warnings
>>> from egovstudy.datasets import default_study_dir
>>> from egovstudy.study import load_study_survey
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     spec, survey = load_study_survey(default_study_dir())
>>> comp = study_comparisons(survey, spec.comparisons, constructs=spec.constructs)
>>> sorted(set(comp.tidy()["group"]))
['education', 'gender', 'position', 'rank']
>>> round(study_method_bias(survey, spec.method_bias).harman.variance_explained, 3)
0.255
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from egovstudy.errors import ModelSpecError

__all__ = ["MethodBias", "MissingCheck", "design_effects", "study_comparisons",
           "study_design_fits", "study_method_bias", "study_missing", "study_nonresponse",
           "uncomparable_groups"]


def _constructs(survey: Any, constructs: Sequence[str] | None, chosen: Any = "all") -> list[str]:
    """The construct-score columns compared: ``chosen`` ("all" = the study's constructs)."""
    if chosen not in (None, "all"):
        return [str(c) for c in chosen]
    names = list(constructs) if constructs else list(survey.codebook.constructs)
    return [c for c in names if c in survey.data.columns]


def _items(survey: Any, constructs: Sequence[str]) -> list[str]:
    citems = survey.construct_items()
    return [i for c in constructs for i in citems.get(c, []) if i in survey.data.columns]


def uncomparable_groups(data: pd.DataFrame, by: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Grouping columns that cannot be compared: ``{column: {"n_levels", "level", "n"}}``
    (fewer than 2 levels, or ``level`` has only ``n`` < 2 respondents).

    Examples
    --------
    >>> d = pd.DataFrame({"g": list("aaab"), "h": list("xxxx"), "k": list("aabb")})
    >>> uncomparable_groups(d, ["g", "h", "k"])
    {'g': {'n_levels': 2, 'level': 'b', 'n': 1}, 'h': {'n_levels': 1, 'level': None, 'n': 0}}
    """
    out: dict[str, dict[str, Any]] = {}
    for g in by:
        counts = data[g].dropna().value_counts(sort=False)
        if len(counts) < 2:
            out[g] = {"n_levels": len(counts), "level": None, "n": 0}
        elif counts.min() < 2:
            out[g] = {"n_levels": len(counts), "level": str(counts.idxmin()),
                      "n": int(counts.min())}
    return out


def _why(info: Mapping[str, Any]) -> str:
    if info["level"] is None:
        return f"{info['n_levels']} level(s)"
    return f"level {info['level']!r} has {info['n']} respondent(s)"


def study_comparisons(survey: Any, options: Mapping[str, Any] | None = None, *,
                      constructs: Sequence[str] | None = None) -> Any:
    """Every construct score compared across every grouping variable (the "uji beda").

    Parameters
    ----------
    survey : Survey
        The loaded survey (construct scores already computed).
    options : mapping, optional
        The study file's ``comparisons`` entry: ``by`` (grouping columns; default every
        categorical variable of the codebook), ``constructs`` ("all" or a list), ``method``
        ("auto", "parametric", "nonparametric") and ``adjust`` ("none", "holm",
        "bonferroni"; within each construct).
    constructs : list of str, optional
        The study's constructs (``constructs`` of the study file), used for "all".

    Returns
    -------
    GroupComparison or None
        None when no grouping variable can be compared. A grouping column with a level of
        fewer than 2 respondents is left out with a ``StatisticalWarning`` naming it (see
        :func:`uncomparable_groups`; merge rare levels in the codebook to compare it).
    """
    from egovstudy.compare import compare_groups
    from egovstudy.report.sections.profile import categorical_variables

    opts = dict(options or {})
    by = opts.get("by") or [v.name for v in categorical_variables(survey.codebook,
                                                                  survey.data.columns)]
    skipped = uncomparable_groups(survey.data, by)
    if skipped:
        import warnings

        from egovstudy.errors import StatisticalWarning

        warnings.warn("comparisons: left out " + "; ".join(
            f"{g!r} ({_why(info)})" for g, info in skipped.items()) + ". Fix: merge rare levels in "
            "the codebook or drop the column from comparisons.by", StatisticalWarning,
            stacklevel=2)
    by = [g for g in by if g not in skipped]
    if not by:
        return None
    outcomes = _constructs(survey, constructs, opts.get("constructs", "all"))
    adjust = opts.get("adjust", "none")
    return compare_groups(survey.data, groups=list(by), outcomes=outcomes,
                          method=opts.get("method", "auto"),
                          adjust=None if adjust == "none" else adjust, family="outcome")


def study_nonresponse(survey: Any, options: Mapping[str, Any] | None = None, *,
                      constructs: Sequence[str] | None = None) -> Any:
    """Early versus late respondents on every construct (Armstrong & Overton 1977).

    ``options`` is the study file's ``nonresponse`` entry: ``time`` (the submission-time
    column; default ``submitted_at`` when the data has it) and ``share`` (of respondents
    in each wave, default 0.25). Returns None when there is no time column.
    """
    from egovstudy.compare import nonresponse_check

    opts = dict(options or {})
    time = opts.get("time") or ("submitted_at" if "submitted_at" in survey.data.columns
                                else None)
    if time is None:
        return None
    return nonresponse_check(survey.data, timestamp=str(time),
                             constructs=_constructs(survey, constructs),
                             share=float(opts.get("share", 0.25)))


@dataclass(frozen=True)
class MissingCheck:
    """The missing-data statement of a study: the report, and the pooled MI models.

    Attributes
    ----------
    report : MissingReport
        Shares missing in the items, patterns, Little's MCAR test (and the imputations).
    method : str
        "listwise" or "mi".
    pooled : dict
        With ``method="mi"``: ``{outcome: PooledResult}`` of the study's OLS equations
        estimated in every imputed dataset and pooled by Rubin's rules.
    pooled_process : dict
        With ``method="mi"`` and mediation paths: ``{"x -> m -> y": PooledResult}`` of
        PROCESS model 4 in every imputed dataset, pooled by Rubin's rules.
    """

    report: Any
    method: str
    pooled: dict[str, Any]
    pooled_process: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """Text report."""
        parts = [self.report.summary(), self.report.sentence("en")]
        parts += [f"Pooled OLS of {y} ({self.report.imputed.m} imputations):\n{p.summary()}"
                  for y, p in self.pooled.items()]
        return "\n".join(parts)


def _equations(model: Any) -> dict[str, list[str]]:
    if model is None:
        return {}
    rhs = [*model.predictors, *model.covariates]
    eqs = {}
    if model.mediator:
        eqs[model.mediator] = rhs
        rhs = [model.mediator, *rhs]
    eqs[model.outcome] = rhs
    return eqs


def study_missing(survey: Any, options: Mapping[str, Any] | None = None, *,
                  constructs: Sequence[str] | None = None, model: Any = None,
                  seed: int = 2026, mediation: Sequence[tuple[str, str, str]] = (),
                  n_boot: int = 5000, ci: float = 0.95) -> MissingCheck:
    """Missing data in the items of the study's constructs, and multiple imputation.

    ``options`` is the study file's ``missing`` entry: ``method`` ("listwise", default,
    or "mi"), ``m`` (imputations, default 20) and ``seed`` (default the study's seed).
    With "mi" the construct scores and the model variables are imputed ``m`` times
    (chained equations) and every OLS equation of ``model`` is pooled by Rubin's rules;
    the same seed gives the same imputations and estimates. Each ``(x, m, y)`` of
    ``mediation`` is also estimated as PROCESS model 4 in every imputed dataset (the
    model's other predictors and covariates as covariates; ``n_boot`` resamples seeded with
    the imputation seed) and pooled.
    """
    from egovstudy.missing import impute, mi_ols, missing_report

    opts = dict(options or {})
    method = str(opts.get("method", "listwise"))
    if method not in ("listwise", "mi"):
        raise ModelSpecError(f"missing.method={method!r} is not supported; use 'listwise' or "
                             "'mi'")
    cons = _constructs(survey, constructs)
    items = _items(survey, cons)
    data = survey.data
    imputed = None
    pooled: dict[str, Any] = {}
    eqs = _equations(model)
    if method == "mi":
        cols = list(dict.fromkeys([*cons, *(v for y, rhs in eqs.items() for v in (y, *rhs))]))
        block = data[cols].apply(pd.to_numeric, errors="coerce").astype(float)
        imputed = impute(block, cols, m=int(opts.get("m", 20)),
                         seed=int(opts.get("seed", seed)))
        for y, rhs in eqs.items():
            pooled[y] = mi_ols(f"{y} ~ {' + '.join(rhs)}", imputed)
    pooled_process: dict[str, Any] = {}
    if imputed is not None and model is not None:
        from egovstudy.missing import mi_process

        others = [*model.predictors, *model.covariates]
        for x, m, y in mediation:
            pooled_process[f"{x} -> {m} -> {y}"] = mi_process(
                imputed, conf_level=ci, model=4, x=x, m=m, y=y,
                covariates=[c for c in others if c not in (x, m, y)], n_boot=n_boot,
                seed=int(opts.get("seed", seed)), ci=ci)
    report = missing_report(data[items].astype(float), imputed=imputed)
    return MissingCheck(report, method, pooled, pooled_process)


@dataclass(frozen=True)
class MethodBias:
    """Common-method-bias checks of a study: Harman, full collinearity VIF, marker.

    Each attribute is None when the study file switched the check off.
    """

    harman: Any
    full_vif: Any
    marker: Any

    def tidy(self) -> pd.DataFrame:
        """One row per check: check, statistic, threshold, flag."""
        rows = []
        if self.harman is not None:
            rows.append({"check": "harman", "statistic": self.harman.variance_explained,
                         "threshold": self.harman.threshold, "cmb_flag": self.harman.dominant})
        if self.full_vif is not None:
            t = self.full_vif.table
            rows.append({"check": "full_vif_max", "statistic": float(t["vif"].max()),
                         "threshold": self.full_vif.threshold,
                         "cmb_flag": bool(t["cmb_flag"].any())})
        if self.marker is not None:
            t = self.marker.table
            rows.append({"check": "marker_r_m", "statistic": self.marker.r_m,
                         "threshold": float("nan"),
                         "cmb_flag": bool((t["significant"] & ~t["still_significant"]).any())})
        return pd.DataFrame(rows, columns=["check", "statistic", "threshold", "cmb_flag"])

    def summary(self) -> str:
        """Text report with each check's verdict."""
        return "\n\n".join(r.summary() for r in (self.harman, self.full_vif, self.marker)
                           if r is not None)


def study_method_bias(survey: Any, options: Mapping[str, Any] | None = None, *,
                      constructs: Sequence[str] | None = None) -> MethodBias:
    """Harman's single-factor test on the items, Kock's full collinearity VIFs on the
    construct scores and (when ``marker`` names a column) Lindell & Whitney's marker
    correction. ``options`` is the study file's ``method_bias`` entry (``harman``,
    ``full_vif``: booleans, default true; ``marker``: a column or null)."""
    from egovstudy.measurement.cmb import (
        full_collinearity_vif,
        harman_test,
        marker_correction,
    )

    opts = dict(options or {})
    cons = _constructs(survey, constructs)
    data = survey.data
    items = _items(survey, cons)
    harman = (harman_test(data[items].astype(float).dropna(), items)
              if opts.get("harman", True) else None)
    full = (full_collinearity_vif(data[cons].astype(float).dropna(), cons)
            if opts.get("full_vif", True) else None)
    marker = opts.get("marker")
    mark = (marker_correction(data[[*cons, marker]].astype(float), cons, str(marker))
            if marker else None)
    return MethodBias(harman, full, mark)


def design_effects(survey: Any, cluster: str, variables: Sequence[str]) -> pd.DataFrame:
    """ICC(1) and Kish design effect of each variable clustered by ``cluster``.

    Returns a frame ``variable, n, n_clusters, mean_cluster_size, icc1, deff,
    deff_unequal, effective_n`` (one row per variable).
    """
    from egovstudy.models.design_effect import design_effect

    rows = []
    for v in variables:
        d = design_effect(survey.data.assign(**{v: survey.data[v].astype(float)}), v, cluster)
        rows.append({"variable": v, "n": d.n, "n_clusters": d.n_clusters,
                     "mean_cluster_size": d.mean_cluster_size, "icc1": d.icc1, "deff": d.deff,
                     "deff_unequal": d.deff_unequal, "effective_n": d.effective_n})
    return pd.DataFrame(rows)


def _equation_formulas(model: Any) -> dict[str, str]:
    return {y: f"{y} ~ {' + '.join(rhs)}" for y, rhs in _equations(model).items()}


def study_design_fits(survey: Any, options: Mapping[str, Any] | None, *, model: Any,
                      cluster: str | None = None) -> dict[str, Any]:
    """Design-based OLS of every equation of ``model`` (Taylor linearisation, R ``svyglm``).

    ``options`` is the study file's ``design`` entry: ``weights`` (required), ``psu``
    (default ``cluster``), ``strata`` and ``fpc``. Returns ``{}`` without weights or a model,
    else ``{outcome: OLSResult}``. The design is built on every respondent (rows that a model
    drops keep their PSU in the variance, as R does).
    """
    from egovstudy.models import SurveyDesign, ols

    opts = dict(options or {})
    if not opts.get("weights") or model is None:
        return {}
    design = SurveyDesign(survey.data, weights=str(opts["weights"]),
                          ids=opts.get("psu") or cluster, strata=opts.get("strata"),
                          fpc=opts.get("fpc"))
    return {y: ols(f, survey.data, design=design)
            for y, f in _equation_formulas(model).items()}
