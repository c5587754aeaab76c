"""Run every benchmark in one go and write ``reports/benchmarks.md`` (and ``.json``).

``python -m benchmarks.run [--quick] [--only CASE[,CASE...]]`` (``make bench`` runs the full
sizes). Each case runs in a fresh Python subprocess (its module's ``run(**kwargs)``), so no
case inherits imports, caches or memory from another; inside, every side is timed in
fresh subprocesses of its own. The table gives, per comparison, the median time of each
side over the repetitions, the ratio (peer time / egovstudy time: how many times faster
egovstudy is), the peak memory of each side and egovstudy's share of the peer's memory,
the target set in the issues and whether it is met.

Cases: import, loading, ols, process, pls, pls_mga, end_to_end, scale. A case whose module is
absent or fails is reported as such; the others still run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, versions

REPORTS = ROOT / "reports"

# case -> (module, full kwargs, quick kwargs)
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "import": ("benchmarks.bench_import", {"repeats": 9}, {"repeats": 5}),
    "loading": ("benchmarks.bench_loading", {"n": 1_000_000, "k": 40, "repeats": 3},
                {"n": 100_000, "k": 40, "repeats": 3}),
    "ols": ("benchmarks.bench_ols", {"n": 1_000_000, "k": 6, "repeats": 3},
            {"n": 200_000, "k": 6, "repeats": 3}),
    # 5 alternations (3 before): a call of ours right after one of the peer's took
    # 12.0, 15.2 or 18.3 ms in one run, as the machine's second core woke up
    "process": ("benchmarks.bench_process", {"sizes": [1000, 5000], "n_boot": 5000,
                                             "repeats": 5},
                {"sizes": [1000], "n_boot": 5000, "repeats": 5}),
    # plspm needs ~0.35 s per resample: 500 of them are timed and scaled to 5,000
    "pls": ("benchmarks.bench_pls", {"n": 300, "n_boot": 5000, "peer_n_boot": 500,
                                     "repeats": 3},
            {"n": 300, "n_boot": 5000, "peer_n_boot": 50, "repeats": 3}),
    "end_to_end": ("benchmarks.bench_end_to_end", {"repeats": 3, "n_boot": 5000},
                   {"repeats": 2, "n_boot": 5000}),
    "scale": ("benchmarks.bench_scale", {"n": 10_000_000, "repeats": 1},
              {"n": 500_000, "repeats": 1}),
}

_CHILD = r"""
import inspect, json, sys, importlib
mod = importlib.import_module(sys.argv[1])
kwargs = json.loads(sys.argv[2])
accepted = inspect.signature(mod.run).parameters
has_var_kw = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()
      if has_var_kw or k in accepted}
out = mod.run(**kw)
out["_kwargs"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
import resource
try:
    out["_case_peak_mb"] = int([ln for ln in open("/proc/self/status")
                                if ln.startswith("VmHWM:")][0].split()[1]) / 1024
except OSError:
    pass
out["_children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("@@CASE@@" + json.dumps(out, default=float))
"""


def run_case(name: str, quick: bool, timeout: float) -> dict[str, Any]:
    """Run one case module in a fresh interpreter; return its dict or a status dict."""
    module, full, small = CASES[name]
    if importlib.util.find_spec(module) is None:
        return {"_status": "missing", "_error": f"{module} not found"}
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, module,
                               json.dumps(small if quick else full)],
                              capture_output=True, text=True, cwd=ROOT, env=env,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"_status": "timeout", "_error": f"no result within {timeout:.0f} s"}
    elapsed = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("@@CASE@@"):
            out: dict[str, Any] = json.loads(line[len("@@CASE@@"):])
            out["_status"] = "ok"
            out["_wall_s"] = elapsed
            return out
    return {"_status": "failed", "_error": proc.stderr.strip()[-1500:] or proc.stdout[-1500:],
            "_wall_s": elapsed}


# ----------------------------------------------------------------------------------------
# adapters: each module's dict -> table rows
# ----------------------------------------------------------------------------------------
def _median(entry: dict[str, Any]) -> tuple[float | None, str]:
    """Median of the repeated times in ``entry`` (or its single/best time, said so)."""
    for key in ("times_s", "seconds_all", "times"):
        if isinstance(entry.get(key), list) and entry[key]:
            return float(statistics.median(entry[key])), "median"
    for key in ("median_s", "seconds", "time"):
        if isinstance(entry.get(key), int | float):
            return float(entry[key]), ("median" if key == "median_s" else "best")
    return None, ""


def _row(case: str, comparison: str, **kw: Any) -> dict[str, Any]:
    row = {"case": case, "comparison": comparison, "size": "", "ours_s": None, "peer_s": None,
           "speed_ratio": None, "ours_mb": None, "peer_mb": None, "mem_ratio": None,
           "target": "", "met": None, "agree": None, "note": ""}
    row.update(kw)
    if row["ours_s"] and row["peer_s"] and row["speed_ratio"] is None:
        row["speed_ratio"] = row["peer_s"] / row["ours_s"]
    if row["ours_mb"] and row["peer_mb"] and row["mem_ratio"] is None:
        row["mem_ratio"] = row["ours_mb"] / row["peer_mb"]
    return row


def _adapt_import(r: dict[str, Any]) -> list[dict[str, Any]]:
    ours, peer = r["ours"], r["peer"]
    return [_row("import", f"{ours['name']} vs {peer['name']}", size="fresh interpreter",
                 ours_s=ours["median_s"], peer_s=peer["median_s"], ours_mb=ours["peak_mb"],
                 peer_mb=peer["peak_mb"], target="ratio >= 3 (<= 1/3 of the time)",
                 met=r["ratio"] >= 3,
                 note=f"{ours['modules']} vs {peer['modules']} modules loaded")]


def _adapt_loading(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    size = f"{r.get('n', '?'):,} x {r.get('k', '?')}"
    for label, target in (("csv", "ratio >= 1, memory <= 0.4"), ("sav", "ratio >= 1")):
        s = r.get(label)
        if not isinstance(s, dict):
            continue
        ours = s.get("load_survey", {})
        ref = next((k for k, v in s.items() if isinstance(v, dict) and k != "load_survey"), None)
        peer = s.get(ref, {}) if ref else {}
        o, how = _median(ours)
        p, _ = _median(peer)
        fastest = s.get("fastest_reader", ref)
        if fastest and fastest != ref:  # time against the fastest reader, memory vs pandas'
            p, _ = _median(s.get(fastest, {}))
        others = ", ".join(f"{k} {v['seconds']:.2f} s / {v['peak_mb']:.0f} MB"
                           for k, v in s.items() if isinstance(v, dict) and k != "load_survey"
                           and "seconds" in v)
        versus = (f"{fastest} (time) and {ref} (memory)" if fastest and fastest != ref
                  else str(ref))
        row = _row("loading", f"load_survey vs {versus} ({label.upper()})", size=size, ours_s=o,
                   peer_s=p, ours_mb=ours.get("peak_mb"), peer_mb=peer.get("peak_mb"),
                   target=target, note=others if label == "csv" else "")
        ok = row["speed_ratio"] is not None and row["speed_ratio"] >= 1
        if label == "csv":
            ok = ok and row["mem_ratio"] is not None and row["mem_ratio"] <= 0.4
            above = s.get("memory_ratio_above_imports")
            if above is not None:
                row["note"] += f"; memory above imports: {above:.2f} of pandas'"
        row["met"] = ok
        if how == "best":
            row["note"] = (row["note"] + "; " if row["note"] else "") + "times: best of runs"
        rows.append(row)
    return rows


def _adapt_ols(r: dict[str, Any]) -> list[dict[str, Any]]:
    o = r.get("time_ours_s")
    p = r.get("time_statsmodels_s")
    for key in ("times_ours_s", "time_ours_all"):
        if isinstance(r.get(key), list):
            o = statistics.median(r[key])
    for key in ("times_statsmodels_s", "time_statsmodels_all"):
        if isinstance(r.get(key), list):
            p = statistics.median(r[key])
    diff = r.get("max_rel_diff")
    row = _row("ols", "OLS + VIF, BP, White, DW, JB, RESET vs statsmodels",
               size=f"{r.get('n', '?'):,} x {r.get('k', '?')}", ours_s=o, peer_s=p,
               ours_mb=r.get("peak_ours_mb"), peer_mb=r.get("peak_statsmodels_mb"),
               target="ratio >= 20, memory <= 0.25, diff <= 1e-8",
               agree=None if diff is None else diff <= 1e-8,
               note=(f"max rel. diff {diff:.1e}; " if diff is not None else "")
               + "memory: tracemalloc peak"
               + ("" if any(isinstance(r.get(k), list) for k in ("times_ours_s", "time_ours_all"))
                  else "; times: best of runs"))
    row["met"] = bool(row["speed_ratio"] and row["speed_ratio"] >= 20 and row["mem_ratio"]
                      is not None and row["mem_ratio"] <= 0.25 and row["agree"])
    return [row]


def _fallback_memory(row: dict[str, Any], r: dict[str, Any]) -> None:
    """Memory figures when the module reports none: the case process (egovstudy ran in it)
    and the largest peer subprocess. Both are upper bounds, said so in the note."""
    if row["ours_mb"] is None and r.get("_case_peak_mb"):
        row["ours_mb"] = r["_case_peak_mb"]
        if row["peer_s"] is not None and r.get("_children_peak_mb"):
            row["peer_mb"] = r["_children_peak_mb"]
            row["mem_ratio"] = row["ours_mb"] / row["peer_mb"]
        row["note"] += ("; memory (upper bounds): whole benchmark process for egovstudy, "
                        "largest peer subprocess (ru_maxrss) for the peer")


def _adapt_process(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    targets = r.get("targets", {"1000": 50, "5000": 25})
    for key, entry in r.items():
        if not (isinstance(entry, dict) and key.startswith("n=")):
            continue
        n = key[2:]
        o, how = _median(entry.get("ours", {}))
        peer = entry.get("pingouin") or {}
        p, peer_how = _median(peer)
        target = targets.get(n)
        row = _row("process", "PROCESS model 4 (2 covariates) vs pingouin.mediation_analysis",
                   size=f"n = {int(n):,}, B = {r.get('n_boot', '?'):,}", ours_s=o, peer_s=p,
                   target=f"ratio >= {target}" if target else "",
                   agree=entry.get("ci_agree"),
                   note=("CI endpoints agree within MC error"
                         if entry.get("ci_agree") else "CI agreement: see JSON"))
        row["met"] = bool(target and row["speed_ratio"] and row["speed_ratio"] >= target)
        ours = entry.get("ours", {})
        if ours.get("seconds_one_thread") and p:
            kernel = "compiled" if ours.get("compiled_kernel") else "NumPy"
            row["note"] += (f"; default run on {ours.get('threads', '?')} threads, {kernel} "
                            "counting kernel; one thread: "
                            f"{ours['seconds_one_thread'] * 1e3:.1f} ms "
                            f"({p / ours['seconds_one_thread']:.0f}x); first full-size call in the "
                            f"process (with lazy imports) "
                            f"{ours.get('first_call_seconds', float('nan')):.2f} s")
        if how == "best" or peer_how == "best":
            row["note"] += "; a single or best-of time on " + (
                "both sides" if how == peer_how else ("egovstudy's" if how == "best"
                                                      else "the peer's") + " side")
        _fallback_memory(row, r)
        rows.append(row)
    for key, entry in (r.get("model7") or {}).items():
        if not (isinstance(entry, dict) and key.startswith("n=")):
            continue
        o, _ = _median(entry.get("ours", {}))
        p, _ = _median(entry.get("statsmodels_loop") or {})
        row = _row("process", "PROCESS model 7 (1 covariate) vs a statsmodels loop by hand",
                   size=f"n = {int(key[2:]):,}, B = {r['model7'].get('n_boot', '?'):,}",
                   ours_s=o, peer_s=p, target="ratio >= 50",
                   note="peer: two statsmodels OLS fits per resample (pingouin has no "
                        "model 7), timed alternately with ours")
        row["met"] = bool(row["speed_ratio"] and row["speed_ratio"] >= 50)
        rows.append(row)
    return rows


def _adapt_pls(r: dict[str, Any]) -> list[dict[str, Any]]:
    o, _ = _median(r.get("ours", {}))
    peer = r.get("plspm") or {}
    p = peer.get("seconds_per_5000_extrapolated")
    peer_boot = (r.get("_kwargs") or {}).get("peer_n_boot", 500)
    target = r.get("target", 1000)
    row = _row("pls", "PLS-SEM bootstrap (3 constructs, 11 indicators) vs plspm",
               size=f"n = {r.get('n', '?')}, B = {r.get('n_boot', '?'):,}", ours_s=o,
               peer_s=p, target=f"ratio >= {target}",
               agree=(r.get("estimate_agree") and r.get("ci_agree"))
               if "estimate_agree" in r else None,
               note=f"plspm timed on B = {peer_boot}, scaled to B = {r.get('n_boot', '?')}")
    row["met"] = bool(row["speed_ratio"] and row["speed_ratio"] >= target)
    _fallback_memory(row, r)
    return [row]


def _adapt_end_to_end(r: dict[str, Any]) -> list[dict[str, Any]]:
    ours, peer = r["ours"], r.get("peer")
    row = _row("end_to_end", "default study: load, instrument, OLS (cluster), assumptions, "
               "PROCESS 4" + (" vs pandas + pingouin + statsmodels" if peer else ""),
               size=f"n = {ours.get('n')}", ours_s=ours["median_s"], ours_mb=ours["peak_mb"],
               peer_s=peer["median_s"] if peer else None,
               peer_mb=peer["peak_mb"] if peer else None, target="(none set)",
               note=r.get("note", ""))
    return [row]


def _adapt_scale(r: dict[str, Any]) -> list[dict[str, Any]]:
    ours = r["ours"]
    ds = r.get("dataset", {})
    workers = ", ".join(f"{w:.0f}" for w in r.get("worker_peak_mb", []))
    chk = r.get("check")
    note = (f"{ds.get('files')} Parquet files, {ds.get('mb_on_disk', 0):.0f} MB; "
            f"{r.get('partitions')} partitions; worker peaks {workers} MB")
    if chk:
        note += f"; max rel. diff vs in-memory {max(chk.values()):.1e}"
    return [_row("scale", "Dask path: descriptives (40 items), alpha (8 scales), OLS "
                 "cluster; driver memory", size=f"{ds.get('rows', 0):,} x 40",
                 ours_s=ours["median_s"], ours_mb=r["driver_peak_mb"],
                 target="driver peak < 1024 MB", met=r.get("met"),
                 agree=None if not chk else max(chk.values()) < 1e-9, note=note)]


ADAPTERS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "import": _adapt_import, "loading": _adapt_loading, "ols": _adapt_ols,
    "process": _adapt_process, "pls": _adapt_pls, "end_to_end": _adapt_end_to_end,
    "scale": _adapt_scale,
}



# group comparisons (issue 18): one hunk registers the case and its adapter
def _adapt_compare(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for method in ("auto", "parametric"):
        sides = r.get(method)
        if not sides:
            continue
        ours = sides["ours"]
        tests = ", ".join(f"{k} {v}" for k, v in ours["tests"].items())
        for key in ("scipy", "pingouin"):
            peer = sides.get(key)
            rows.append(_row(
                "compare", f"compare_groups(method={method!r}), 10 demographics x 12 "
                f"constructs vs {peer['name'] if peer else key + ' (unavailable)'}",
                size=f"n = {r['n']}", ours_s=ours["median_s"], ours_mb=ours["peak_mb"],
                peer_s=peer["median_s"] if peer else None,
                peer_mb=peer["peak_mb"] if peer else None, target="ours < 1 s",
                met=ours["median_s"] < r.get("target_s", 1.0),
                agree=None if not peer else peer["max_rel_diff_statistic"] < 1e-8,
                note=f"{tests}; peers compute no effect-size CIs"))
    return rows


# whole-run speed (issue 21): the run against its statistics alone and a hand-made report
def _adapt_run(r: dict[str, Any]) -> list[dict[str, Any]]:
    run, st = r["run"], r["statistics"]
    ident = "byte-identical" if r.get("byte_identical") else (
        "NOT byte-identical: " + ", ".join(r.get("differing_files", [])[:5]))
    return [_row("run", "egovstudy run (default study, every file) vs the same analyses "
                 "without writing (peer column)", size=f"{r.get('files')} files",
                 ours_s=run["median_s"], peer_s=st["median_s"], speed_ratio=r["ratio"],
                 ours_mb=run["peak_mb"], peer_mb=st["peak_mb"],
                 target="run / statistics <= 1.5, byte-identical", met=r.get("met"),
                 agree=r.get("byte_identical"),
                 note=f"ratio = run / statistics; two runs {ident}")]


def _adapt_report(r: dict[str, Any]) -> list[dict[str, Any]]:
    ours, peer = r["ours"], r.get("peer")
    return [_row("report", "egovstudy run vs the same report by hand "
                 f"({peer['name'] if peer else 'peer unavailable'})",
                 size=f"{r.get('tables')} tables, {r.get('figures')} figures",
                 ours_s=ours["median_s"], ours_mb=ours["peak_mb"],
                 peer_s=peer["median_s"] if peer else None,
                 peer_mb=peer["peak_mb"] if peer else None, target="ratio >= 3",
                 met=r.get("met"),
                 note="" if not peer else "peer steps: " + ", ".join(
                     f"{k} {v:.1f} s" for k, v in peer["steps"].items()))]


# 5 interleaved repetitions (3 before): the medians of 3 gave run / statistics 1.44
# and 1.50 for the same code within an hour
CASES["run"] = ("benchmarks.bench_run", {"repeats": 5}, {"repeats": 1})
CASES["report"] = ("benchmarks.bench_report", {"repeats": 3}, {"repeats": 1})
ADAPTERS["run"] = _adapt_run
ADAPTERS["report"] = _adapt_report

CASES["compare"] = ("benchmarks.bench_compare", {"n": 600, "repeats": 5},
                    {"n": 600, "repeats": 3})
ADAPTERS["compare"] = _adapt_compare


# PLS multigroup analysis with MICOM (issue 19): one hunk registers the case and its adapter
def _adapt_pls_mga(r: dict[str, Any]) -> list[dict[str, Any]]:
    o, _ = _median(r.get("ours", {}))
    peer = r.get("plspm") or {}
    p = peer.get("seconds_extrapolated")
    target = r.get("target", 100)
    row = _row("pls_mga", f"PLS-MGA + MICOM, default study by gender ({r.get('constructs')} "
               f"constructs, {r.get('indicators')} indicators) vs plspm refitted per "
               "permutation and resample",
               size=f"n = {r.get('n', '?')}, {r.get('n_perm', 0):,} permutations, "
               f"B = {r.get('n_boot', 0):,} per group", ours_s=o, peer_s=p,
               target=f"ratio >= {target}", agree=r.get("estimate_agree"),
               note=f"plspm timed on {peer.get('n', '?')} permutations and resamples per "
               "group, scaled to the full run")
    row["met"] = bool(row["speed_ratio"] and row["speed_ratio"] >= target)
    _fallback_memory(row, r)
    return [row]


# plspm needs ~1.4 s per fit of this model: 20 permutations and resamples are timed
CASES["pls_mga"] = ("benchmarks.bench_pls_mga",
                    {"n_perm": 5000, "n_boot": 5000, "peer_n": 20, "repeats": 3},
                    {"n_perm": 5000, "n_boot": 5000, "peer_n": 3, "repeats": 1})
ADAPTERS["pls_mga"] = _adapt_pls_mga


def rows_for(name: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows of one case (a status row when it is missing or failed)."""
    if result.get("_status") != "ok":
        return [_row(name, CASES[name][0], note=f"{result.get('_status', '?').upper()}: "
                     + str(result.get("_error", "")).splitlines()[-1][:120]
                     if result.get("_error") else result.get("_status", "?"))]
    try:
        return ADAPTERS[name](result)
    except Exception as exc:  # a module changed its result shape: report, keep going
        return [_row(name, CASES[name][0], note=f"result not understood ({exc!r}); see JSON")]


# ----------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------
def _fmt_s(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"


def _fmt(v: Any, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def _flag(v: bool | None) -> str:
    return "-" if v is None else ("yes" if v else "NO")


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table of the rows."""
    head = ["case", "comparison", "size", "egovstudy", "peer", "ratio (x faster)",
            "egovstudy MB", "peer MB", "memory share", "target", "met", "numbers agree"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["case"], r["comparison"], str(r["size"]), _fmt_s(r["ours_s"]),
                 _fmt_s(r["peer_s"]), _fmt(r["speed_ratio"], ".1f"), _fmt(r["ours_mb"], ".0f"),
                 _fmt(r["peer_mb"], ".0f"), _fmt(r["mem_ratio"], ".2f"), r["target"],
                 _flag(r["met"]), _flag(r["agree"])]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """CPU, cores, memory, Python and library versions of this run."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = int(line.split()[1]) / 2**20
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT, check=False).stdout.strip() or "unknown"
    info: dict[str, Any] = {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb,
        "python": platform.python_version(), "platform": platform.platform(),
        "commit": commit,
        "libraries": versions(None, ("egovstudy", "numpy", "pandas", "scipy", "statsmodels",
                                     "pyreadstat", "seaborn", "dask", "distributed")),
    }
    for venv, mods in ((ROOT / ".venv-bench", ("pingouin", "pandas", "statsmodels")),
                       (ROOT / ".venv-bench-plspm", ("plspm", "pandas"))):
        py = venv / "bin" / "python"
        if py.exists():
            info[f"peers ({venv.name})"] = versions(py, mods)
    return info


def write_report(rows: list[dict[str, Any]], results: dict[str, Any], info: dict[str, Any],
                 quick: bool, elapsed: float, out_dir: Path = REPORTS) -> Path:
    """Write ``benchmarks.md`` and ``benchmarks.json`` to ``out_dir``; return the .md path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    peers = "; ".join(f"{k}: " + ", ".join(f"{m} {v}" for m, v in d.items())
                      for k, d in info.items() if k.startswith("peers"))
    lines = [
        "# egovstudy benchmarks", "",
        f"Run {stamp} ({'quick sizes: --quick' if quick else 'full sizes'}), commit "
        f"{info['commit']}, {elapsed / 60:.1f} min in total.", "",
        f"Machine: {info['cpu']}, {info['cores']} cores, "
        f"{(info['memory_gb'] or 0):.0f} GB RAM; Python {info['python']} on "
        f"{info['platform']}.", "",
        f"Libraries: {libs}.", "",
        f"Peers' own environments: {peers or 'none'}.", "",
        "Every case ran in a fresh interpreter and every side of every comparison in fresh "
        "subprocesses; times are medians over the repetitions unless a note says otherwise. "
        "*ratio* = peer time / egovstudy time (how many times faster egovstudy is); "
        "*memory share* = egovstudy peak / peer peak (process high-water mark, VmHWM, unless "
        "a note says otherwise).", "",
        table(rows), "",
        "## Notes", "",
    ]
    for r in rows:
        if r["note"]:
            lines.append(f"- **{r['case']}** ({r['size']}): {r['note']}")
    for name, res in results.items():
        steps = {}
        for side in ("ours", "peer"):
            part = res.get(side) if isinstance(res, dict) else None
            if isinstance(part, dict) and isinstance(part.get("steps"), dict):
                steps[part.get("name", side)] = part["steps"]
        for side, st in steps.items():
            detail = ", ".join(f"{k} {_fmt_s(v)}" for k, v in st.items())
            lines.append(f"- **{name}**, {side}, last run by step: {detail}")
    lines += ["", "Raw results: `reports/benchmarks.json`. Re-run with `make bench` "
              "(full sizes) or `python -m benchmarks.run --quick`.", ""]
    md = out_dir / "benchmarks.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    (out_dir / "benchmarks.json").write_text(json.dumps(
        {"machine": info, "quick": quick, "rows": rows, "results": results}, indent=2,
        default=float), encoding="utf-8")
    return md


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of egovstudy against its peers.")
    parser.add_argument("--quick", action="store_true", help="small sizes (a few minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated cases of {list(CASES)}")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per case")
    parser.add_argument("--out", default=str(REPORTS), help="folder of the report")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    timeout = args.timeout or (1200 if args.quick else 4 * 3600)
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for name in names:
        print(f"[bench] {name} ...", flush=True)
        results[name] = run_case(name, args.quick, timeout)
        new = rows_for(name, results[name])
        rows += new
        wall = results[name].get("_wall_s")
        print(f"[bench] {name}: {results[name]['_status']}"
              + (f" ({wall:.0f} s)" if wall else ""), flush=True)
    info = machine()
    md = write_report(rows, results, info, args.quick, time.perf_counter() - t0,
                      Path(args.out))
    print()
    print(table(rows))
    print(f"\nwritten: {md} and {md.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
