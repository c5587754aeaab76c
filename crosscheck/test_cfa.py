"""CFA against lavaan::cfa (Rosseel 2012; lavaan 0.6.14): ML, marker-variable scaling,
listwise deletion. Estimates, standard errors, standardized solution and fit measures."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import egovstudy
from crosscheck._support import DATASET_NAMES, ITERATIVE, Comparer, Dataset, r_section

FIT = {"npar": "npar", "chisq": "chisq", "df": "df", "pvalue": "pvalue",
       "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "cfi": "cfi",
       "tli": "tli", "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower",
       "rmsea_ci_upper": "rmsea.ci.upper", "srmr": "srmr", "logl": "logl",
       "unrestricted_logl": "unrestricted.logl", "aic": "aic", "bic": "bic", "bic2": "bic2",
       "ntotal": "ntotal"}


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_cfa(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "cfa", "cfa")
    model = "\n".join(f"{k} =~ {' + '.join(v)}" for k, v in ds.spec["constructs"].items())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = egovstudy.cfa(model, ds.frame)
    est = res.estimates.set_index(["latent", "op", "item"])
    for lhs, op, rhs, e, se, std in zip(r["lhs"], r["op"], r["rhs"], r["est"], r["se"],
                                        r["std"]):
        key = (lhs, op, rhs) if (lhs, op, rhs) in est.index else (rhs, op, lhs)
        if key not in est.index:
            check(f"{lhs} {op} {rhs} present", np.nan, e, ITERATIVE)
            continue
        row = est.loc[key]
        check(f"{lhs}{op}{rhs} est", row["estimate"], e, ITERATIVE)
        check(f"{lhs}{op}{rhs} se", row["std_error"], np.nan if se == 0 else se, ITERATIVE)
        check(f"{lhs}{op}{rhs} std.all", row["std_estimate"], std, ITERATIVE)
    for ours, theirs in FIT.items():
        check(f"fit {ours}", res.fit[ours], r["fit"][theirs], ITERATIVE)
    check.finish()
