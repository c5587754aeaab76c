"""Weighted and design-based fits against R: ``survey::svyglm`` (Lumley 2004) with the
cluster as PSU and a positive column as sampling weights, and ``process(weights=)`` paths
against ``lm(weights=)`` (the PROCESS model 4 equations, Hayes 2022)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from crosscheck._support import CLOSED, DATASET_NAMES, Comparer, Dataset, r_section
from egovstudy.mediation import process
from egovstudy.models import SurveyDesign, ols


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_design_based_ols_matches_svyglm(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    s, cmp = ds.spec, Comparer(name)
    r = r_section(ds, "survey", "svyglm")
    cols = list(dict.fromkeys([s["y"], *s["x"], s["cluster"]]))
    d = ds.frame[cols].dropna()
    d = d[d[r["w"]] > 0].reset_index(drop=True)
    design = SurveyDesign(d, weights=r["w"], ids=s["cluster"])
    res = ols(f"{s['y']} ~ {r['rhs']}", d, design=design)
    cmp("n", len(d), r["n"], 0)
    cmp("svyglm coef", res.params, r["est"], CLOSED)
    cmp("svyglm se", res.bse, r["se"], CLOSED)
    cmp("svyglm df", res.df_inference, r["df"], 0)
    cmp.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_process_weights_match_lm_weights(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    p, cmp = ds.spec["process"], Comparer(name)
    r = r_section(ds, "survey", "process_weighted")
    d = ds.frame[list(dict.fromkeys([p["x"], p["m"], p["y"], r["w"]]))].dropna()
    d = d[d[r["w"]] > 0]
    res = process(d, model=4, x=p["x"], m=p["m"], y=p["y"], weights=r["w"], n_boot=200,
                  seed=1)
    coef = res.coefficients
    a = coef[coef.outcome == p["m"]]
    b = coef[coef.outcome == p["y"]]
    cmp("a est", a["estimate"], r["a_est"], CLOSED)
    cmp("a se", a["std_error"], r["a_se"], CLOSED)
    cmp("b est", b["estimate"], r["b_est"], CLOSED)
    cmp("b se", b["std_error"], r["b_se"], CLOSED)
    cmp("r2", res.model_fit["r2"].iloc[:2], r["r2"], CLOSED)
    ind = res.effects[res.effects.part == "indirect"]["estimate"].iloc[0]
    cmp("indirect", ind, r["indirect"], CLOSED)
    cmp.finish()
