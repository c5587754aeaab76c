"""CFA against lavaan::cfa (Rosseel 2012; lavaan 0.6.14): ML, marker-variable scaling,
listwise deletion. Estimates, standard errors, standardized solution and fit measures."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import egovstudy
from crosscheck._support import (
    DATASET_NAMES,
    ITERATIVE,
    LAVAAN_FIT,
    Comparer,
    Dataset,
    check_lavaan_estimates,
    lavaan_measurement,
    param_key,
    r_section,
)

FIT = {**LAVAAN_FIT, "ntotal": "ntotal"}


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_cfa(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "cfa", "cfa")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = egovstudy.cfa(lavaan_measurement(ds), ds.frame)
    check_lavaan_estimates(check, res.estimates.set_index(["latent", "op", "item"]), r)
    for ours, theirs in FIT.items():
        check(f"fit {ours}", res.fit[ours], r["fit"][theirs], ITERATIVE)
    check.finish()


MLR_FIT = {"chisq_scaled": "chisq.scaled", "scaling_factor": "chisq.scaling.factor",
           "baseline_chisq_scaled": "baseline.chisq.scaled", "cfi_scaled": "cfi.scaled",
           "tli_scaled": "tli.scaled", "rmsea_scaled": "rmsea.scaled",
           "cfi_robust": "cfi.robust", "tli_robust": "tli.robust",
           "rmsea_robust": "rmsea.robust", "rmsea_ci_lower_robust": "rmsea.ci.lower.robust",
           "rmsea_ci_upper_robust": "rmsea.ci.upper.robust"}
WLSMV_FIT = {"chisq": "chisq", "df": "df", "chisq_scaled": "chisq.scaled",
             "scaling_factor": "chisq.scaling.factor", "baseline_chisq": "baseline.chisq",
             "baseline_chisq_scaled": "baseline.chisq.scaled", "cfi": "cfi", "tli": "tli",
             "rmsea": "rmsea", "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled",
             "rmsea_scaled": "rmsea.scaled", "srmr": "srmr", "ntotal": "ntotal"}


def _rows(est: object) -> dict[tuple[str, str, str], object]:
    import pandas as pd

    assert isinstance(est, pd.DataFrame)
    out: dict[tuple[str, str, str], object] = {}
    for _, row in est.iterrows():
        a, o, b = row["latent"], row["op"], row["item"]
        out[param_key(a, o, b)] = row
    return out


@pytest.mark.parametrize("estimator", ["MLR", "MLM"])
@pytest.mark.parametrize("name", DATASET_NAMES)
def test_cfa_mlr(name: str, estimator: str, datasets: dict[str, Dataset]) -> None:
    """lavaan::cfa(estimator = "MLR" / "MLM"): robust SEs, scaled and robust fit measures."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "cfa", f"cfa_{estimator.lower()}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = egovstudy.cfa(lavaan_measurement(ds), ds.frame, estimator=estimator)
    rows = _rows(res.estimates)
    for lhs, op, rhs, se in zip(r["lhs"], r["op"], r["rhs"], r["se"]):
        key = param_key(lhs, op, rhs)
        got = rows[key]["std_error"] if key in rows else np.nan  # type: ignore[index]
        check(f"{estimator} {lhs}{op}{rhs} se", got, np.nan if se == 0 else se, ITERATIVE)
    for ours, theirs in MLR_FIT.items():
        check(f"{estimator} fit {ours}", res.fit[ours], r["fit"][theirs], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_cfa_modindices(name: str, datasets: dict[str, Dataset]) -> None:
    """lavaan::modindices(fit): mi, epc and sepc.all of every added parameter."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "cfa", "cfa_modindices")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mi = egovstudy.cfa(lavaan_measurement(ds), ds.frame).modindices()
    got = {param_key(a, o, b): (m, e, s)
           for a, o, b, m, e, s in zip(mi["lhs"], mi["op"], mi["rhs"], mi["mi"], mi["epc"],
                                       mi["sepc_all"])}
    for lhs, op, rhs, m, e, s in zip(r["lhs"], r["op"], r["rhs"], r["mi"], r["epc"],
                                     r["sepc_all"]):
        key = param_key(lhs, op, rhs)
        ours = got.get(key, (np.nan, np.nan, np.nan))
        check(f"MI {lhs}{op}{rhs}", ours, [m, e, s], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_cfa_wlsmv(name: str, datasets: dict[str, Dataset]) -> None:
    """lavaan::cfa(ordered = items, estimator = "WLSMV"): DWLS on polychoric correlations."""
    from egovstudy.errors import InsufficientDataError

    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "cfa", "cfa_wlsmv")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = egovstudy.cfa(lavaan_measurement(ds), ds.frame, ordered=True)
    except InsufficientDataError as exc:  # a category with a single case: we refuse, on purpose
        pytest.skip(f"refused by design: {exc}")
    rows = _rows(res.estimates)
    for lhs, op, rhs, e, se, std in zip(r["lhs"], r["op"], r["rhs"], r["est"], r["se"],
                                        r["std"]):
        key = param_key(lhs, op, rhs)
        row = rows.get(key)
        ours = ([row["estimate"], row["std_error"], row["std_estimate"]]  # type: ignore[index]
                if row is not None else [np.nan] * 3)
        check(f"WLSMV {lhs}{op}{rhs}", ours, [e, se, std], ITERATIVE)
    for ours_key, theirs in WLSMV_FIT.items():
        check(f"WLSMV fit {ours_key}", res.fit[ours_key], r["fit"][theirs], ITERATIVE)
    check.finish()
