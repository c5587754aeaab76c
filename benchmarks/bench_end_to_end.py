"""Benchmark: the default study end to end, egovstudy against the same steps by hand.

egovstudy: ``load_survey`` (labels, quality rules, reverse keying, scores) ->
``instrument_report`` (validity and reliability of every construct) -> ``ols`` with
agency-clustered errors -> ``assumption_tests`` -> ``process`` model 4 (B = 5,000).

By hand (the peer, in the peers' own environment ``.venv-bench``): ``pandas.read_csv``,
label mapping, duplicate removal, reverse keying and scores in pandas;
``pingouin.cronbach_alpha`` and corrected item-total correlations per construct;
statsmodels OLS with cluster errors plus Shapiro-Wilk, Jarque-Bera, VIF, Breusch-Pagan,
White, Durbin-Watson, Breusch-Godfrey, RESET and Cook's distance;
``pingouin.mediation_analysis`` (B = 5,000). The hand-made pipeline does less than
egovstudy (no straight-lining, speeder or attention rules, no sentences), so the
comparison favours the peer. Each run is a fresh interpreter and the time includes the
imports, as a user experiences it.

Run: ``.venv/bin/python -m benchmarks.bench_end_to_end``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, bench_python, run_child, summarize

STUDY = ROOT / "data" / "raw" / "default_study"
PREDICTORS = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]
FORMULA = "performance ~ " + " + ".join([*PREDICTORS, "digitalisation"])
COVARIATES = ["hr_quantity", "budget", "internet", "computers"]

_OURS = rf"""
csv, codebook, n_boot = _sys.argv[1], _sys.argv[2], int(_sys.argv[3])
steps = {{}}
t = _time.perf_counter()
import egovstudy as eg
s = eg.load_survey(csv, codebook)
steps["load_survey"] = _time.perf_counter() - t; t = _time.perf_counter()
eg.instrument_report(s)
steps["instrument_report"] = _time.perf_counter() - t; t = _time.perf_counter()
r = eg.ols({FORMULA!r}, s.data, vcov={{"cluster": "agency"}})
steps["ols_cluster"] = _time.perf_counter() - t; t = _time.perf_counter()
eg.assumption_tests(r)
steps["assumption_tests"] = _time.perf_counter() - t; t = _time.perf_counter()
p = eg.process(s.data, model=4, x="hr_quality", m="digitalisation", y="performance",
               covariates={COVARIATES!r}, n_boot=n_boot, seed=2026, progress=False)
steps["process_model4"] = _time.perf_counter() - t
ind = p.tidy()
_emit(seconds=_time.perf_counter() - _T0, steps=steps, n=int(r.n),
      b_digitalisation=float(r.params["digitalisation"]))
"""

_PEER = r"""
csv, spec_path, n_boot = _sys.argv[1], _sys.argv[2], int(_sys.argv[3])
steps = {}
t = _time.perf_counter()
import json
import numpy as np, pandas as pd, pingouin as pg
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.diagnostic import (acorr_breusch_godfrey, het_breuschpagan, het_white,
                                          linear_reset)
from statsmodels.stats.outliers_influence import OLSInfluence, variance_inflation_factor
from statsmodels.stats.stattools import durbin_watson, jarque_bera
spec = json.load(open(spec_path))
raw = pd.read_csv(csv)
raw = raw.drop_duplicates(subset=[spec["id"]], keep="first")
d = pd.DataFrame({"agency": raw[spec["agency"]].astype(str).str.strip().str.lower()})
for col, item in spec["columns"].items():
    labels = {lab.lower(): i + 1 for i, lab in enumerate(spec["labels"][item])}
    codes = raw[col].astype(str).str.strip().str.lower().map(labels)
    d[item] = (len(labels) + 1 - codes) if item in spec["reverse"] else codes
for name, items in spec["constructs"].items():
    d[name] = d[items].mean(axis=1)
for name, dims in spec["second_order"].items():
    d[name] = d[dims].mean(axis=1)
steps["load"] = _time.perf_counter() - t; t = _time.perf_counter()
for name, items in spec["constructs"].items():
    sub = d[items].dropna()
    pg.cronbach_alpha(data=sub)
    total = sub.sum(axis=1)
    [np.corrcoef(sub[i], total - sub[i])[0, 1] for i in items]
steps["instrument"] = _time.perf_counter() - t; t = _time.perf_counter()
data = d.dropna(subset=spec["model_columns"])
res = smf.ols(spec["formula"], data).fit(cov_type="cluster",
                                         cov_kwds={"groups": pd.factorize(data["agency"])[0]})
steps["ols_cluster"] = _time.perf_counter() - t; t = _time.perf_counter()
plain = smf.ols(spec["formula"], data).fit()
X = plain.model.exog
stats.shapiro(plain.resid); jarque_bera(plain.resid)
[variance_inflation_factor(X, j) for j in range(1, X.shape[1])]
het_breuschpagan(plain.resid, X); het_white(plain.resid, X); durbin_watson(plain.resid)
acorr_breusch_godfrey(plain, nlags=1); linear_reset(plain, power=3, use_f=True)
OLSInfluence(plain).cooks_distance
steps["diagnostics"] = _time.perf_counter() - t; t = _time.perf_counter()
pg.mediation_analysis(data=data, x="hr_quality", m="digitalisation", y="performance",
                      covar=spec["covariates"], n_boot=n_boot, seed=2026)
steps["mediation"] = _time.perf_counter() - t
_emit(seconds=_time.perf_counter() - _T0, steps=steps, n=int(plain.nobs),
      b_digitalisation=float(res.params["digitalisation"]))
"""


def _peer_spec(folder: Path) -> Path:
    from egovstudy.codebook import read_codebook

    cb = read_codebook(STUDY / "codebook.yaml")
    spec = {
        "id": "NIP", "agency": "Nama OPD / Instansi",
        "columns": {it.column: name for name, it in cb.items.items()},
        "labels": {name: it.scale.labels["id"] for name, it in cb.items.items()},
        "reverse": [name for name, it in cb.items.items() if it.reverse],
        "constructs": {n: c.items for n, c in cb.constructs.items() if c.items},
        "second_order": {n: c.dimensions for n, c in cb.constructs.items() if c.dimensions},
        "formula": FORMULA, "covariates": COVARIATES,
        "model_columns": ["performance", *PREDICTORS, "digitalisation", "agency"],
    }
    path = folder / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def run(repeats: int = 3, n_boot: int = 5000, peer: bool = True) -> dict[str, Any]:
    """Median wall time (fresh interpreter, imports included) of both pipelines."""
    csv = STUDY / "survei_asn_opd.csv"
    out: dict[str, Any] = {"case": "end_to_end", "repeats": repeats, "n_boot": n_boot}
    ours_runs = [run_child(_OURS, str(csv), str(STUDY / "codebook.yaml"), str(n_boot))
                 for _ in range(repeats)]
    out["ours"] = {"name": "egovstudy pipeline", **summarize(ours_runs),
                   "steps": ours_runs[-1]["steps"], "n": ours_runs[-1]["n"]}
    py = bench_python(("pingouin",)) if peer else None
    if py is None:
        out["peer"] = None
        out["note"] = "peer environment unavailable: absolute time only"
        return out
    with tempfile.TemporaryDirectory() as tmp:
        spec = _peer_spec(Path(tmp))
        peer_runs = [run_child(_PEER, str(csv), str(spec), str(n_boot), python=py)
                     for _ in range(repeats)]
    out["peer"] = {"name": "pandas + pingouin + statsmodels by hand", **summarize(peer_runs),
                   "steps": peer_runs[-1]["steps"], "n": peer_runs[-1]["n"]}
    out["ratio"] = out["peer"]["median_s"] / out["ours"]["median_s"]
    out["note"] = (f"n = {out['ours']['n']} (egovstudy, after quality rules) vs "
                   f"{out['peer']['n']} (by hand, duplicates only); B = {n_boot}")
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
