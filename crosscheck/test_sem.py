"""Full SEM and measurement invariance against lavaan (Rosseel 2012; lavaan 0.6.14): ML,
listwise. ``sem``: every estimate, SE, ``std.all``, R² and fit measure of a three-construct
chain with a defined indirect effect; ``invariance``: the fit of the configural, metric,
scalar and strict models across odd and even rows and ``lavTestLRT``'s differences."""

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
    r_section,
)

FIT = LAVAAN_FIT


@pytest.mark.parametrize("section", ["sem", "higher_order"])
@pytest.mark.parametrize("name", DATASET_NAMES)
def test_sem(name: str, section: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "sem", section)
    cn = list(ds.spec["constructs"])
    measurement = lavaan_measurement(ds)
    model = (f"{measurement}\n{cn[1]} ~ a*{cn[0]}\n{cn[2]} ~ b*{cn[1]} + {cn[0]}\n"
             "ab := a*b") if section == "sem" else f"{measurement}\nG2 =~ {' + '.join(cn)}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = egovstudy.sem(model, ds.frame)
    est = res.estimates.copy()
    est["rhs"] = est["rhs"].str.replace(" ", "")
    est = est.set_index(["lhs", "op", "rhs"])
    check_lavaan_estimates(check, est, r)
    for ours, theirs in FIT.items():
        check(f"fit {ours}", res.fit[ours], r["fit"][theirs], ITERATIVE)
    r2 = res.r_squared.set_index("variable")["r_squared"]
    for var, val in r.get("r2", {}).items():
        check(f"r2 {var}", r2[var], val, ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_invariance(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "sem", "invariance")
    frame = ds.frame.copy()
    frame["grp"] = np.where(np.arange(len(frame)) % 2 == 1, "even", "odd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = egovstudy.invariance(lavaan_measurement(ds), frame, "grp")
    t = res.table.set_index("level")
    for level, fit in r["fit"].items():
        for ours in ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic",
                     "bic"):
            check(f"{level} {ours}", t.loc[level, ours], fit[FIT[ours]], ITERATIVE)
    check("delta chisq", t["delta_chisq"].to_numpy()[1:], r["chisq_diff"], ITERATIVE)
    check("delta df", t["delta_df"].to_numpy()[1:], r["df_diff"], ITERATIVE)
    check("p of delta", t["p_delta"].to_numpy()[1:], r["p_diff"], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_study_file_sem(name: str, datasets: dict[str, Dataset]) -> None:
    """The study file's SEM (egovstudy.sem_model: hypothesis c1 -> c3 via c2, measurement
    from the codebook's constructs) equals R's "sem" section: paths, the indirect effect
    a*b and the fit measures (lavaan::sem)."""
    from types import SimpleNamespace

    from egovstudy.sem_model import study_sem_model

    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "sem", "sem")
    cn = list(ds.spec["constructs"])[:3]
    cb = SimpleNamespace(constructs={k: SimpleNamespace(items=list(v), dimensions=[])
                                     for k, v in ds.spec["constructs"].items()})
    model = study_sem_model([{"id": "H1", "from": cn[0], "to": cn[2], "via": cn[1]}], cb)
    extra = [k for k in ds.spec["constructs"] if k not in cn]
    syntax = model.syntax if not extra else (
        model.syntax + "\n" + "\n".join(f"{k} =~ {' + '.join(ds.spec['constructs'][k])}"
                                        for k in extra))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = egovstudy.sem(syntax, ds.frame, indirect=model.indirect)
    paths = res.paths.set_index(["lhs", "rhs"])
    for lhs, op, rhs, e, se in zip(r["lhs"], r["op"], r["rhs"], r["est"], r["se"],
                                   strict=True):
        if op == "~":
            check(f"{lhs}~{rhs} est", paths.loc[(lhs, rhs), "estimate"], e, ITERATIVE)
            check(f"{lhs}~{rhs} se", paths.loc[(lhs, rhs), "std_error"], se, ITERATIVE)
        elif op == ":=":
            h1 = res.defined.set_index("lhs").loc["H1"]
            check("indirect est", h1["estimate"], e, ITERATIVE)
            check("indirect se", h1["std_error"], se, ITERATIVE)
    for ours, theirs in FIT.items():
        check(f"fit {ours}", res.fit[ours], r["fit"][theirs], ITERATIVE)
    check.finish()
