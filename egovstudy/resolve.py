"""Resolve every name a study file uses against its codebook and its data.

The schema (:mod:`egovstudy.schema`) checks that a study file is well formed;
this step checks that what it names exists: constructs, model variables,
hypotheses' source / target / mediator, the cluster column. It also checks
that every hypothesis can be tested by the model the study asks for (a direct
hypothesis needs its target to be the mediator or the outcome and its source
on the right-hand side of that equation). ``egovstudy validate`` and the start
of ``egovstudy run`` report all problems at once.

Examples
--------
>>> from egovstudy.datasets import default_study_dir
>>> from egovstudy.study import read_study
>>> from egovstudy.survey import load_survey
>>> import warnings
>>> spec = read_study(default_study_dir() / "study.yaml")
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     survey = load_survey(spec.data, spec.codebook, policies=spec.quality)
>>> study_name_problems(spec, survey)
[]
>>> bad = spec.with_options(model=spec.model.__class__(["hr_qualty"], "performance",
...                                                   cluster="office"))
>>> for line in study_name_problems(bad, survey):
...     print(line)
model.predictors[0]: 'hr_qualty' is not a construct or column of the data
    (did you mean 'hr_quality'?). Fix: use a construct of the codebook or a column of the data
model.cluster: 'office' is not a column of the data.
    Fix: name the column that holds the cluster, one of: respondent_id, submitted_at, agency,
    ...
...
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = ["check_study_names", "study_name_problems"]


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def study_name_problems(spec: Any, survey: Any) -> list[str]:
    """Return every unresolved name of a study, one ``"<key path>: ..."`` line each.

    Parameters
    ----------
    spec : StudySpec
        The study (see :func:`egovstudy.study.read_study`).
    survey : Survey
        The survey loaded with the study's codebook (its ``data`` holds the items,
        the construct scores, the variables and the special columns).

    Returns
    -------
    list of str
        Empty when every name resolves.
    """
    columns = [str(c) for c in survey.data.columns]
    constructs = list(survey.codebook.constructs)
    known = set(columns) | set(constructs)
    problems: list[str] = []

    def need(entry: str, name: str | None, *, what: str = "construct or column of the data",
             pool: Iterable[str] = ()) -> bool:
        pool = list(pool) or sorted(known)
        if name is None or name in pool:
            return True
        problems.append(f"{entry}: {name!r} is not a {what}{_did_you_mean(name, pool)}. Fix: "
                        "use a construct of the codebook or a column of the data")
        return False

    for i, name in enumerate(spec.constructs or []):
        need(f"constructs[{i}]", name, what="construct of the codebook", pool=constructs)
    m = spec.model
    for i, name in enumerate(m.predictors):
        need(f"model.predictors[{i}]", name)
    need("model.outcome", m.outcome)
    need("model.mediator", m.mediator)
    for i, name in enumerate(m.covariates):
        need(f"model.covariates[{i}]", name)
    if m.cluster is not None and m.cluster not in columns:
        items = set(survey.codebook.items)
        units = [c for c in columns if c not in items and c not in constructs]
        shown = ", ".join(units[:10]) + (", ..." if len(units) > 10 else "")
        problems.append(f"model.cluster: {m.cluster!r} is not a column of the data"
                        f"{_did_you_mean(m.cluster, columns)}. Fix: name the column that "
                        f"holds the cluster, one of: {shown}")
    _survey_method_problems(spec, columns, constructs, need)
    # each equation the chapter estimates, and its right-hand side
    rhs = [*m.predictors, *m.covariates]
    equations = {m.outcome: [*m.predictors, *([m.mediator] if m.mediator else []),
                             *m.covariates]}
    if m.mediator:
        equations[m.mediator] = rhs
    estimators = getattr(spec, "estimators", {}) or {}
    for i, h in enumerate(spec.hypotheses):
        entry = f"hypotheses[{i}] ({h.id})"
        ok = need(f"{entry}.from", h.source) & need(f"{entry}.to", h.target)
        if h.via is not None:
            ok &= need(f"{entry}.via", h.via)
            if not estimators.get("process", True):
                problems.append(f"{entry}: an indirect-effect hypothesis needs the PROCESS "
                                "estimator, but estimators.process is false. Fix: set "
                                "estimators.process: true or remove 'via'")
            continue
        if not ok:
            continue
        if h.target not in equations:
            problems.append(f"{entry}.to: {h.target!r} is not estimated by the model (only "
                            f"{', '.join(map(repr, equations))}). Fix: make it the model's "
                            "outcome or mediator, or test it with 'via'")
        elif h.source not in equations[h.target]:
            problems.append(f"{entry}.from: {h.source!r} is not a predictor of "
                            f"{h.target!r} in the model. Fix: add it to model.predictors "
                            "(or covariates)")
    if estimators.get("ols", True) is False:
        problems.append("estimators.ols: false is not supported: the regression section (and "
                        "the direct hypotheses) always use the OLS models. Fix: remove it or "
                        "set estimators.ols: true")
    mga = (getattr(spec, "pls", {}) or {}).get("mga")
    if mga is not None and mga not in columns:
        problems.append(f"pls.mga: {mga!r} is not a column of the data"
                        f"{_did_you_mean(mga, columns)}. Fix: name the column whose groups the "
                        "multigroup analysis compares (e.g. gender), or remove pls.mga")
    inv = (getattr(spec, "invariance", {}) or {}).get("by")
    if inv is not None and inv not in columns:
        problems.append(f"invariance.by: {inv!r} is not a column of the data"
                        f"{_did_you_mean(inv, columns)}. Fix: name the column whose groups "
                        "the invariance test compares (e.g. gender), or remove invariance")
    return problems


def _survey_method_problems(spec: Any, columns: list[str], constructs: list[str],
                            need: Any) -> None:
    """The columns named by ``comparisons``, ``nonresponse`` and ``method_bias``."""
    comp = getattr(spec, "comparisons", {}) or {}
    for i, name in enumerate(comp.get("by") or []):
        need(f"comparisons.by[{i}]", name, what="column of the data", pool=columns)
    chosen = comp.get("constructs", "all")
    for i, name in enumerate([] if chosen == "all" else chosen):
        need(f"comparisons.constructs[{i}]", name, what="construct of the codebook",
             pool=constructs)
    time = (getattr(spec, "nonresponse", {}) or {}).get("time")
    need("nonresponse.time", time, what="column of the data", pool=columns)
    marker = (getattr(spec, "method_bias", {}) or {}).get("marker")
    need("method_bias.marker", marker, what="column of the data", pool=columns)
    design = getattr(spec, "design", {}) or {}
    for key in ("weights", "psu", "strata", "fpc"):
        need(f"design.{key}", design.get(key), what="column of the data", pool=columns)


def check_study_names(spec: Any, survey: Any) -> None:
    """Raise ``StudyFileError`` listing every unresolved name of the study at once.

    Every line starts with the study file, then the key path and the fix.
    """
    from egovstudy.study import StudyFileError

    problems = study_name_problems(spec, survey)
    if problems:
        raise StudyFileError("\n".join(f"study file {spec.path}: {p}" for p in problems))
