"""Helpers of the cross-check suite (egovstudy against R; see docs/crosscheck.md).

The Python side builds seeded surveys of several shapes, writes each as CSV with a small JSON
spec beside it, runs ``Rscript crosscheck/r/<topic>.R in.csv spec.json out.json`` once per
topic and dataset (a topic runs on every dataset at its first use, two at a time) and the
tests
compare every number with :func:`pytest.approx`. The data are the same on every run: fixed
seeds, fixed shapes.

Not collected by ``make test`` (pytest's ``testpaths`` are ``tests`` and ``egovstudy``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
R_DIR = HERE / "r"

# Tolerances (see docs/crosscheck.md): closed forms agree to rounding, iterative fits to the
# optimiser's convergence; any looser tolerance is set where it is used, with its reason.
CLOSED = 1e-6
ITERATIVE = 1e-4

# shape name -> (points of the answer scale, share of blank answers, cluster layout, n)
SHAPES: dict[str, tuple[int, float, str, int]] = {
    "skew4": (4, 0.0, "balanced", 240),
    "skew5_blank5": (5, 0.05, "balanced", 300),
    "skew7_blank2_unbal": (7, 0.02, "unbalanced", 320),
    "skew5_blank8_unbal": (5, 0.08, "unbalanced", 260),
}
SEEDS = (11, 29, 47)
CONSTRUCTS = {"A": ["A1", "A2", "A3", "A4"], "B": ["B1", "B2", "B3", "B4"],
              "C": ["C1", "C2", "C3", "C4", "C5"]}


@dataclass
class Dataset:
    """One survey written for R: its frame, the spec R reads and where R's answers are."""

    name: str
    frame: pd.DataFrame
    spec: dict[str, Any]
    has_blanks: bool
    out: dict[str, Path] = field(default_factory=dict)


def _skewed_codes(latent: np.ndarray, points: int, rng: np.random.Generator) -> np.ndarray:
    """Cut a standard-normal latent answer into ``points`` categories skewed to 'agree'."""
    power = rng.uniform(1.2, 2.2)
    probs = np.arange(1, points + 1, dtype=float) ** power
    cuts = stats.norm.ppf(np.cumsum(probs / probs.sum())[:-1])
    return np.searchsorted(cuts, latent).astype(float) + 1


def make_survey(shape: str, seed: int) -> tuple[pd.DataFrame, bool]:
    """A seeded survey: 13 Likert items of three constructs, predictors, outcomes, clusters."""
    points, blank, layout, n = SHAPES[shape]
    rng = np.random.default_rng(np.random.SeedSequence([seed, points, int(blank * 100)]))
    phi = np.array([[1.0, 0.45, 0.3], [0.45, 1.0, 0.5], [0.3, 0.5, 1.0]])
    factors = rng.standard_normal((n, 3)) @ np.linalg.cholesky(phi).T
    frame = pd.DataFrame(index=range(n))
    for f, (_name, items) in enumerate(CONSTRUCTS.items()):
        for item in items:
            lam = rng.uniform(0.5, 0.85)
            latent = lam * factors[:, f] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
            frame[item] = _skewed_codes(latent, points, rng)
    if layout == "balanced":
        sizes = np.full(12, n // 12)
        sizes[: n - sizes.sum()] += 1
    else:  # a few big agencies and many small ones
        raw = rng.pareto(1.2, 18) + 0.15
        sizes = np.maximum(3, np.floor(raw / raw.sum() * n)).astype(int)
        sizes[np.argmax(sizes)] += n - sizes.sum()
    g = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(g)
    u = rng.normal(0, 0.6, len(sizes))[g]
    frame["g"] = [f"opd{j:02d}" for j in g]
    frame["h"] = [f"reg{j}" for j in rng.integers(0, 6, n)]
    # panel layout: a cluster's members in blocks of up to 9 periods, one entity per block
    within = pd.Series(g).groupby(g).cumcount().to_numpy()
    frame["t"] = within % 9 + 1
    frame["e"] = [f"opd{j:02d}b{b}" for j, b in zip(g, within // 9)]
    frame["x1"] = rng.standard_normal(n)
    frame["x2"] = rng.lognormal(0, 0.6, n)
    frame["x3"] = factors[:, 0] + 0.5 * rng.standard_normal(n)
    frame["w"] = rng.standard_normal(n)
    e = rng.standard_normal(n) * (1 + 0.5 * np.abs(frame["x1"].to_numpy()))
    frame["y"] = 0.5 + 0.4 * frame.x1 - 0.3 * frame.x2 + 0.3 * frame.x3 + u + e
    eta = -0.2 + 0.8 * frame.x1 - 0.5 * frame.x2 + 0.4 * frame.x3
    frame["yb"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    frame["yo"] = np.digitize(eta + rng.logistic(size=n), [-1.2, 0.0, 1.1]) + 1.0
    frame["m"] = 0.5 * frame.x1 + 0.25 * frame.x1 * frame.w + rng.standard_normal(n)
    frame["yp"] = (0.4 * frame.m + 0.2 * frame.x1 + 0.1 * frame.w + 0.15 * frame.m * frame.w
                   + rng.standard_normal(n))
    if blank > 0:
        cells = frame[[i for items in CONSTRUCTS.values() for i in items]]
        frame[cells.columns] = cells.mask(rng.uniform(size=cells.shape) < blank)
        frame.loc[rng.uniform(size=n) < blank, "y"] = np.nan
    return frame, blank > 0


def _synthetic_spec() -> dict[str, Any]:
    return {
        "constructs": CONSTRUCTS,
        "efa_items": [i for items in CONSTRUCTS.values() for i in items],
        "n_factors": 3,
        "y": "y", "x": ["x1", "x2", "x3"], "cluster": "g", "cluster2": "h",
        "entity": "e", "time": "t", "binary": "yb", "ordinal": "yo",
        "process": {"x": "x1", "m": "m", "w": "w", "y": "yp"},
    }


def default_study() -> tuple[pd.DataFrame, dict[str, Any]]:
    """The bundled default study, loaded and cleaned by egovstudy.load_survey."""
    import egovstudy

    folder = ROOT / "data" / "raw" / "default_study"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = egovstudy.load_survey(folder / "survei_asn_opd.csv", folder / "codebook.yaml")
    frame = survey.data.copy()
    constructs = {"hr_quality": ["hrq1", "hrq2", "hrq3", "hrq4"],
                  "budget": ["bud1", "bud2", "bud3", "bud4"],
                  "performance": ["perf1", "perf2", "perf3", "perf4", "perf5"],
                  "service_quality": ["psq1", "psq2", "psq3", "psq4", "psq5"]}
    keep = [i for items in constructs.values() for i in items]
    frame = frame[[*keep, "agency", "region", "hr_quality", "budget", "internet", "computers",
                   "digitalisation", "performance"]].rename(
        columns={"hr_quality": "s_hrq", "budget": "s_bud", "performance": "s_perf"})
    frame["g"] = frame.pop("agency").astype(str)
    frame["h"] = frame.pop("region").astype(str)
    within = frame.groupby("g").cumcount().to_numpy()
    frame["t"] = within % 9 + 1
    frame["e"] = [f"{j}b{b}" for j, b in zip(frame["g"], within // 9)]
    frame["yb"] = (frame["s_perf"] > frame["s_perf"].median()).astype(float)
    frame["yo"] = pd.cut(frame["s_perf"], [-np.inf, 3, 3.6, 4.2, np.inf], labels=False) + 1.0
    spec = {
        "constructs": constructs, "efa_items": keep, "n_factors": 4,
        "y": "s_perf", "x": ["s_hrq", "s_bud", "internet", "computers"],
        "cluster": "g", "cluster2": "h", "entity": "e", "time": "t",
        "binary": "yb", "ordinal": "yo",
        "process": {"x": "s_hrq", "m": "digitalisation", "w": "internet", "y": "s_perf"},
    }
    return frame.reset_index(drop=True), spec


def r_available() -> str | None:
    """None when Rscript runs, else why the suite is skipped."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (make crosscheck installs R when run as root)"
    return None


def _run_r(topic: str, ds: Dataset, folder: Path) -> None:
    out = folder / f"{ds.name}.{topic}.json"
    cmd = ["Rscript", "--vanilla", str(R_DIR / f"{topic}.R"), str(folder / f"{ds.name}.csv"),
           str(folder / f"{ds.name}.spec.json"), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        out.write_text(json.dumps({"_error": proc.stderr[-2000:]}))
    ds.out[topic] = out


DATASET_NAMES = [f"{s}-s{seed}" for s in SHAPES for seed in SEEDS] + ["default_study"]


@dataclass
class Session:
    """The datasets of this session, where they are written, and the topics R has run."""

    folder: Path
    datasets: dict[str, Dataset]
    done: set[str] = field(default_factory=set)


SESSION: list[Session] = []  # set once by the ``datasets`` fixture


def run_topic(topic: str) -> None:
    """Run ``<topic>.R`` on every dataset of the session (once; ``CROSSCHECK_JOBS`` at a time,
    2 by default): R start-up and package loading are paid once per topic and dataset."""
    sess = SESSION[0]
    if topic in sess.done:
        return
    jobs = int(os.environ.get("CROSSCHECK_JOBS", "2"))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda ds: _run_r(topic, ds, sess.folder), sess.datasets.values()))
    sess.done.add(topic)


def r_section(ds: Dataset, topic: str, section: str) -> dict[str, Any]:
    """R's answers for one section, or a skip naming why R has none (missing package)."""
    if topic not in ds.out:
        run_topic(topic)
    data = json.loads(ds.out[topic].read_text())
    if "_error" in data:
        pytest.fail(f"Rscript {topic}.R failed on {ds.name}: {data['_error']}")
    part = data.get(section)
    if part is None:
        pytest.fail(f"{topic}.R wrote no section {section!r} for {ds.name}")
    if isinstance(part, dict) and "error" in part:
        pytest.fail(f"R failed in {topic}.R section {section!r} on {ds.name}: {part['error']}")
    if isinstance(part, dict) and "skip" in part:
        pytest.skip(f"{section} on {ds.name}: {part['skip']}")
    return part


class Comparer:
    """Collects every comparison of one test and fails with the full list of mismatches."""

    count = 0  # comparisons over the whole session

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.misses: list[str] = []

    def __call__(self, what: str, ours: Any, theirs: Any, tol: float) -> None:
        a = np.atleast_1d(np.asarray(ours, dtype=float)).ravel()
        b = np.atleast_1d(np.asarray(theirs, dtype=float)).ravel()
        if a.shape != b.shape:
            self.misses.append(f"{what}: {a.size} values against R's {b.size}")
            Comparer.count += 1
            return
        for i, (x, y) in enumerate(zip(a, b)):
            Comparer.count += 1
            if not (np.isnan(x) and np.isnan(y)) and x != pytest.approx(y, rel=tol, abs=tol):
                label = what if a.size == 1 else f"{what}[{i}]"
                self.misses.append(f"{label}: egovstudy {x:.10g} vs R {y:.10g} "
                                   f"(diff {x - y:.3g}, tol {tol:g})")

    def finish(self) -> None:
        if self.misses:
            shown = "\n  ".join(self.misses[:40])
            more = f"\n  ... and {len(self.misses) - 40} more" if len(self.misses) > 40 else ""
            pytest.fail(f"{self.dataset}: {len(self.misses)} mismatches\n  {shown}{more}",
                        pytrace=False)


#: egovstudy's ML fit measures and their names in lavaan's ``fitMeasures``
LAVAAN_FIT = {"npar": "npar", "chisq": "chisq", "df": "df", "pvalue": "pvalue",
              "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "cfi": "cfi",
              "tli": "tli", "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower",
              "rmsea_ci_upper": "rmsea.ci.upper", "srmr": "srmr", "logl": "logl",
              "unrestricted_logl": "unrestricted.logl", "aic": "aic", "bic": "bic",
              "bic2": "bic2"}


def param_key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    """A parameter's ``(lhs, op, rhs)`` with a covariance's two sides in sorted order
    (lavaan and egovstudy may list ``a ~~ b`` as ``b ~~ a``)."""
    return (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))


def lavaan_measurement(ds: Dataset) -> str:
    """The dataset's constructs as lavaan ``=~`` lines."""
    return "\n".join(f"{k} =~ {' + '.join(v)}" for k, v in ds.spec["constructs"].items())


def check_lavaan_estimates(check: Comparer, est: pd.DataFrame, r: dict[str, Any]) -> None:
    """Estimate, SE and ``std.all`` of every lavaan row in ``r`` against ``est`` (indexed
    by ``(lhs, op, rhs)``, either order); a row we lack is a mismatch."""
    for lhs, op, rhs, e, se, std in zip(r["lhs"], r["op"], r["rhs"], r["est"], r["se"],
                                        r["std"], strict=True):
        key = (lhs, op, rhs) if (lhs, op, rhs) in est.index else (rhs, op, lhs)
        if key not in est.index:
            check(f"{lhs} {op} {rhs} present", np.nan, e, ITERATIVE)
            continue
        row = est.loc[key]
        check(f"{lhs}{op}{rhs} est", row["estimate"], e, ITERATIVE)
        check(f"{lhs}{op}{rhs} se", row["std_error"], np.nan if se == 0 else se, ITERATIVE)
        check(f"{lhs}{op}{rhs} std.all", row["std_estimate"], std, ITERATIVE)


def known_difference(request: pytest.FixtureRequest, reason: str, when: bool = True) -> None:
    """Mark this test as a known, being-fixed difference (runs strictly, xfail non-strict)."""
    if when:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=False))


