"""Mixed, logit, ordinal, panel and PROCESS against R: ``lmerTest::lmer`` (Kuznetsova et al.
2017, Satterthwaite df), ``lme4::VarCorr``/``REMLcrit`` (Bates et al. 2015),
``glm(family = binomial)``, ``ordinal::clm`` (Christensen 2019), ``plm::plm`` within and
``plm::vcovHC(method = "arellano", type = "sss", cluster = "group")`` (Croissant & Millo 2008),
and the PROCESS equations (Hayes 2022) as ``lm`` fits."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import egovstudy
from crosscheck._support import (
    CLOSED,
    DATASET_NAMES,
    ITERATIVE,
    Comparer,
    Dataset,
    r_section,
)


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _rhs(ds: Dataset) -> str:
    return " + ".join(ds.spec["x"])


def _mixed(ds: Dataset, reml: bool) -> Any:
    return egovstudy.mixed_model(f"{ds.spec['y']} ~ {_rhs(ds)}", ds.frame,
                                 group=ds.spec["cluster"], reml=reml)


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("reml", [True, False])
def test_mixed_intercept(name: str, reml: bool, datasets: dict[str, Dataset]) -> None:
    """Random-intercept model: fixed effects, Satterthwaite df, variance components, sigma,
    log-likelihood and REML criterion."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", f"lmer:{'reml' if reml else 'ml'}")
    res = _mixed(ds, reml)
    check("fixed effects", res.table["estimate"], r["est"], ITERATIVE)
    # 1e-3: Satterthwaite df come from a numerical Hessian of the variance parameters in
    # lmerTest (numDeriv), so they agree to about three digits at best
    check("Satterthwaite df", res.table["df"], r["df"], 1e-3)
    re = res.raw["random_effects"]
    check("group variance", re["variance"].iloc[0], r["var_group"], ITERATIVE)
    check("residual variance", re["variance"].iloc[-1], r["var_resid"], ITERATIVE)
    check("sigma", res.stats["sigma"], r["sigma"], ITERATIVE)
    check("logLik", res.stats["loglik"], r["loglik"], ITERATIVE)
    if reml:
        check("REML criterion", res.stats["reml_criterion"], r["reml_crit"], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("reml", [True, False])
def test_mixed_intercept_se(name: str, reml: bool, datasets: dict[str, Dataset],
                            request: Any) -> None:
    """Random-intercept model: SE and t of the fixed effects (lmerTest)."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", f"lmer:{'reml' if reml else 'ml'}")
    res = _mixed(ds, reml)
    check("SE", res.table["std_error"], r["se"], ITERATIVE)
    check("t", res.table["statistic"], r["t"], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_mixed_slope(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """Random intercept and slope (1 + x | g): fixed effects, SE, df, random SDs, REML crit."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", "lmer:slope")
    res = egovstudy.mixed_model(f"{ds.spec['y']} ~ {_rhs(ds)}", ds.frame,
                                group=ds.spec["cluster"], random_slopes=[ds.spec["x"][0]])
    check("fixed effects", res.table["estimate"], r["est"], ITERATIVE)
    check("SE", res.table["std_error"], r["se"], ITERATIVE)
    check("Satterthwaite df", res.table["df"], r["df"], 1e-3)  # numerical Hessian, see above
    check("random SDs", res.raw["random_effects"]["sd"], r["sd"], ITERATIVE)
    check("REML criterion", res.stats["reml_criterion"], r["reml_crit"], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_logit(name: str, datasets: dict[str, Dataset]) -> None:
    """glm(binomial): coefficients, SE, z, p, logLik, AIC, BIC, LR chi2, McFadden R2."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", "glm")
    res = egovstudy.logit(f"{ds.spec['binary']} ~ {_rhs(ds)}", ds.frame)
    tab = res.table
    for col, key in [("estimate", "est"), ("std_error", "se"), ("statistic", "z"),
                     ("p_value", "p")]:
        check(col, tab[col], r[key], ITERATIVE)
    for ours, theirs in [("loglik", "loglik"), ("aic", "aic"), ("bic", "bic"),
                         ("lr_chi2", "lr"), ("pseudo_r2", "pseudo_r2")]:
        check(ours, res.stats[ours], r[theirs], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_ordinal(name: str, datasets: dict[str, Dataset]) -> None:
    """ordinal::clm(link = "logit"): slopes, thresholds, their SE, logLik."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", "clm")
    res = egovstudy.ordinal_logit(f"{ds.spec['ordinal']} ~ {_rhs(ds)}", ds.frame, brant=False)
    tab = res.table.set_index("term")
    slopes = tab.loc[ds.spec["x"]]
    cuts = tab.drop(index=ds.spec["x"])
    check("slopes", slopes["estimate"], r["beta"], ITERATIVE)
    check("slope SE", slopes["std_error"], r["beta_se"], ITERATIVE)
    check("thresholds", cuts["estimate"], r["theta"], ITERATIVE)
    check("threshold SE", cuts["std_error"], r["theta_se"], ITERATIVE)
    check("logLik", res.stats["loglik"], r["loglik"], ITERATIVE)
    check.finish()


def _panel(ds: Dataset, effect: str, cluster: str | None, small_sample: str = "stata") -> Any:
    return egovstudy.panel_regression(f"{ds.spec['y']} ~ {_rhs(ds)}", ds.frame,
                                      entity=ds.spec["entity"], time=ds.spec["time"],
                                      time_effects=effect == "twoways", cluster=cluster,
                                      small_sample=small_sample)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("effect", ["individual", "twoways"])
def test_panel(name: str, effect: str, datasets: dict[str, Dataset]) -> None:
    """plm within (entity, or entity and time effects): coefficients, classical SE, df."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", f"plm:{effect}")
    plain = _panel(ds, effect, None)
    check("coefficients", plain.table["estimate"], r["est"], CLOSED)
    check("classical SE", plain.table["std_error"], r["se"], CLOSED)
    check("df_resid", plain.stats["df_resid"], r["df_resid"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("effect", ["individual", "twoways"])
def test_panel_r2(name: str, effect: str, datasets: dict[str, Dataset], request: Any) -> None:
    """summary(plm)$r.squared: R2 of the demeaned (within) regression."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", f"plm:{effect}")
    check("within R2", _panel(ds, effect, None).stats["r2_within"], r["r2"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("effect", ["individual", "twoways"])
def test_panel_cluster(name: str, effect: str, datasets: dict[str, Dataset],
                       request: Any) -> None:
    """plm::vcovHC(method = "arellano", type = "sss", cluster = "group")."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", f"plm:{effect}")
    check("clustered SE", _panel(ds, effect, "entity", "sss").table["std_error"],
          r["se_cluster"], CLOSED)
    check.finish()


def _rows(res: Any, part: str, outcome: str | None = None) -> pd.Series:
    tab = res.tidy()
    sel = tab["part"] == part
    if outcome is not None:
        sel &= tab["outcome"] == outcome
    return tab.loc[sel, "estimate"].reset_index(drop=True)


def _mean_sd(rows: pd.Series) -> pd.Series:
    return rows.iloc[:3]  # mean-1SD, mean, mean+1SD (the percentile probes follow)


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_process(name: str, datasets: dict[str, Dataset]) -> None:
    """PROCESS models 1, 4, 7, 8, 14: every equation's coefficients as lm(); indirect,
    conditional (mean and +/- 1 SD of W) and index of moderated mediation from them."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "models", "process")
    p = ds.spec["process"]
    x, m, w, y = p["x"], p["m"], p["w"], p["y"]

    def run(model: int, **kw: Any) -> Any:
        return egovstudy.process(ds.frame, model=model, x=x, y=y, n_boot=200, seed=1, **kw)

    res = run(1, w=w)
    check("m1 y coefficients", _rows(res, "coefficient", y), r["m1_y"], CLOSED)
    check("m1 conditional effects", _mean_sd(_rows(res, "conditional_effect")), r["m1_cond"],
          CLOSED)
    res = run(4, m=m)
    check("m4 m coefficients", _rows(res, "coefficient", m), r["m4_m"], CLOSED)
    check("m4 y coefficients", _rows(res, "coefficient", y), r["m4_y"], CLOSED)
    check("m4 total", _rows(res, "coefficient", f"{y} (total effect model)"), r["m4_total"],
          CLOSED)
    check("m4 indirect", _rows(res, "indirect"), r["m4_ind"], CLOSED)
    for model in (7, 8, 14):
        res = run(model, m=m, w=w)
        check(f"m{model} m coefficients", _rows(res, "coefficient", m), r[f"m{model}_m"],
              CLOSED)
        check(f"m{model} y coefficients", _rows(res, "coefficient", y), r[f"m{model}_y"],
              CLOSED)
        check(f"m{model} conditional indirect", _mean_sd(_rows(res, "conditional_indirect")),
              r[f"m{model}_cond"], CLOSED)
        check(f"m{model} index", _rows(res, "index_modmed"), r[f"m{model}_index"], CLOSED)
        if model == 8:
            check("m8 conditional direct", _mean_sd(_rows(res, "conditional_direct")),
                  r["m8_direct"], CLOSED)
    check.finish()


def test_datasets_differ(datasets: dict[str, Dataset]) -> None:
    """The shapes really differ: answer scales, blank shares and cluster layouts."""
    points = {n: int(np.nanmax(ds.frame["A1"])) for n, ds in datasets.items() if "skew" in n}
    assert {4, 5, 7} <= set(points.values())
    assert any(ds.has_blanks for ds in datasets.values())
    assert not all(ds.has_blanks for ds in datasets.values())
    sizes = datasets["skew7_blank2_unbal-s11"].frame["g"].value_counts()
    assert sizes.max() >= 4 * sizes.min()
