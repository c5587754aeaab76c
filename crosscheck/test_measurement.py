"""Measurement statistics against psych, lavaan and semTools (R).

References: ``psych::alpha``, ``psych::omega``, ``psych::KMO``, ``psych::cortest.bartlett``,
``psych::fa`` (Revelle, psych 2.2.9); ``lavaan::cfa`` standardized loadings (Rosseel 2012,
lavaan 0.6.14) for CR/AVE (Fornell & Larcker 1981); ``semTools::htmt`` (Henseler, Ringle &
Sarstedt 2015).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
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


def _constructs(ds: Dataset) -> list[str]:
    return list(ds.spec["constructs"])


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_alpha_and_items(name: str, datasets: dict[str, Dataset]) -> None:
    """psych::alpha(x): total, alpha if deleted, raw.r / r.drop, item means, Feldt CI."""
    ds = datasets[name]
    check = Comparer(name)
    for cn in _constructs(ds):
        r = r_section(ds, "measurement", f"alpha:{cn}")
        res = egovstudy.reliability(ds.frame, ds.spec["constructs"][cn])
        s, it = res.scale, res.items
        tot = r["total"]
        check(f"{cn} raw_alpha", s["raw_alpha"], tot["raw_alpha"], CLOSED)
        check(f"{cn} std_alpha", s["std_alpha"], tot["std.alpha"], CLOSED)
        check(f"{cn} G6(smc)", s["lambda6"], tot["G6(smc)"], CLOSED)
        check(f"{cn} average_r", s["average_r"], tot["average_r"], CLOSED)
        check(f"{cn} median_r", s["median_r"], tot["median_r"], CLOSED)
        check(f"{cn} scale mean", s["mean"], tot["mean"], CLOSED)
        check(f"{cn} scale sd", s["sd"], tot["sd"], CLOSED)
        check(f"{cn} alpha if deleted", it["alpha_if_deleted"], r["drop_raw"], CLOSED)
        check(f"{cn} std alpha if deleted", it["std_alpha_if_deleted"], r["drop_std"], CLOSED)
        check(f"{cn} G6 if deleted", it["lambda6_if_deleted"], r["drop_g6"], CLOSED)
        check(f"{cn} average_r if deleted", it["average_r_if_deleted"], r["drop_avr"], CLOSED)
        check(f"{cn} r.drop", it["r_rest"], r["r_drop"], CLOSED)
        check(f"{cn} item mean", it["mean"], r["mean"], CLOSED)
        check(f"{cn} item sd", it["sd"], r["sd"], CLOSED)
        check(f"{cn} item n", it["n"], r["n"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_item_total_raw_r(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """psych::alpha()$item.stats$raw.r (item-total r from the pairwise covariances)."""
    ds = datasets[name]
    check = Comparer(name)
    for cn in _constructs(ds):
        r = r_section(ds, "measurement", f"alpha:{cn}")
        res = egovstudy.reliability(ds.frame, ds.spec["constructs"][cn])
        check(f"{cn} raw.r", res.items["r_total"], r["raw_r"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_feldt_interval(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """psych::alpha()$feldt (Feldt, Woodruff & Salih 1987) lower and upper 95% limits."""
    ds = datasets[name]
    check = Comparer(name)
    for cn in _constructs(ds):
        r = r_section(ds, "measurement", f"alpha:{cn}")
        s = egovstudy.reliability(ds.frame, ds.spec["constructs"][cn]).scale
        check(f"{cn} Feldt CI", [s["alpha_ci_low"], s["alpha_ci_high"]], r["feldt"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_alpha_complete_cases(name: str, datasets: dict[str, Dataset]) -> None:
    """reliability(use="complete") against psych::alpha(na.omit(x))."""
    ds = datasets[name]
    check = Comparer(name)
    for cn in _constructs(ds):
        r = r_section(ds, "measurement", f"alpha_complete:{cn}")
        res = egovstudy.reliability(ds.frame, ds.spec["constructs"][cn], use="complete")
        check(f"{cn} raw_alpha", res.scale["raw_alpha"], r["raw"], CLOSED)
        check(f"{cn} std_alpha", res.scale["std_alpha"], r["std"], CLOSED)
        check(f"{cn} raw.r", res.items["r_total"], r["raw_r"], CLOSED)
        check(f"{cn} r.drop", res.items["r_rest"], r["r_drop"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_item_validity(name: str, datasets: dict[str, Dataset]) -> None:
    """item_validity: R's cor() and cor.test() of each item with the total (complete cases)."""
    ds = datasets[name]
    check = Comparer(name)
    for cn in _constructs(ds):
        r = r_section(ds, "measurement", f"itemtotal:{cn}")
        tab = egovstudy.item_validity(ds.frame, ds.spec["constructs"][cn]).tidy()
        check(f"{cn} n", tab["n"].iloc[0], r["n"], CLOSED)
        check(f"{cn} r_total", tab["r_total"], r["r"], CLOSED)
        check(f"{cn} r_rest", tab["r_rest"], r["rest"], CLOSED)
        check(f"{cn} p", tab["p_value"], r["p"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_omega_cr_ave(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """omega total vs psych::omega(nfactors=1); CR, AVE and loadings vs lavaan std.all."""
    ds = datasets[name]
    check = Comparer(name)
    for cn in _constructs(ds):
        res = egovstudy.reliability(ds.frame, ds.spec["constructs"][cn])
        om = r_section(ds, "measurement", f"omega:{cn}")
        check(f"{cn} omega_total", res.scale["omega_total"], om["omega_total"], ITERATIVE)
        ca = r_section(ds, "measurement", f"cr_ave:{cn}")
        check(f"{cn} std loadings", res.items["loading"], ca["loadings"], ITERATIVE)
        check(f"{cn} CR", res.scale["rho_c"], ca["cr"], ITERATIVE)
        check(f"{cn} AVE", res.scale["ave"], ca["ave"], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_kmo_bartlett(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """psych::KMO (overall MSA, MSAi) and psych::cortest.bartlett on cor(x, use="pairwise")."""
    ds = datasets[name]
    check = Comparer(name)
    items = ds.spec["efa_items"]
    k = egovstudy.kmo(ds.frame, items)
    r = r_section(ds, "measurement", "kmo")
    check("KMO overall", k.overall, r["overall"], CLOSED)
    check("MSA per item", k.per_item, r["msa"], CLOSED)
    b = egovstudy.bartlett(ds.frame, items)
    r = r_section(ds, "measurement", "bartlett")
    check("Bartlett chisq", b.statistic, r["chisq"], CLOSED)
    check("Bartlett df", b.df, r["df"], CLOSED)
    check("Bartlett p", b.p_value, r["p"], CLOSED)
    check.finish()


def _align(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Our factor columns reordered and reflected to best match R's (factor order and sign
    are arbitrary in EFA)."""
    k = theirs.shape[1]
    best, best_cols = -np.inf, ours
    for perm in itertools.permutations(range(k)):
        cols = ours[:, perm]
        signs = np.sign(np.sum(cols * theirs, axis=0))
        signs[signs == 0] = 1
        cols = cols * signs
        score = -np.abs(cols - theirs).sum()
        if score > best:
            best, best_cols = score, cols
    return best_cols


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("method", ["minres", "ml"])
@pytest.mark.parametrize("rotation", ["none", "varimax", "promax", "oblimin"])
def test_efa(name: str, method: str, rotation: str, datasets: dict[str, Dataset],
             request: Any) -> None:
    """psych::fa(x, nfactors, fm, rotate): loadings (after aligning order/sign), communalities."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "measurement", f"fa:{method}:{rotation}")
    res = egovstudy.efa(ds.frame, ds.spec["efa_items"], ds.spec["n_factors"], method=method,
                        rotation=rotation)  # type: ignore[arg-type]
    theirs = np.asarray(r["loadings"], dtype=float)
    ours = _align(np.asarray(res.loadings, dtype=float), theirs)
    check("loadings", ours, theirs, ITERATIVE)
    check("communalities", res.communalities, r["communality"], ITERATIVE)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_htmt(name: str, datasets: dict[str, Dataset]) -> None:
    """semTools::htmt(model, data, missing="listwise"): every construct pair."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "measurement", "htmt")
    res = egovstudy.htmt(ds.frame, ds.spec["constructs"])
    ours = res.matrix.loc[r["names"], r["names"]].to_numpy(dtype=float)
    theirs = np.asarray(r["matrix"], dtype=float)
    low = np.tril_indices_from(theirs, -1)
    check("HTMT", ours[low], theirs[low], CLOSED)
    check.finish()
