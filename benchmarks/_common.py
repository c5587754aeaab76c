"""Helpers shared by the benchmark modules: fresh-subprocess timing and peak memory.

Every measured run happens in a new Python process that prints one JSON line; its peak
memory is that process's own high-water mark (``VmHWM`` from ``/proc/self/status``), so
nothing measured earlier can inflate it. ``ru_maxrss`` is deliberately not used: Linux
keeps it across ``exec``, so a child started by a process holding a large dataset would
report the parent's peak.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: prepended to every child script: a JSON line with seconds and peak RSS at the end
CHILD_PRELUDE = r"""
import json as _json, resource as _resource, sys as _sys, time as _time, warnings as _w
_w.simplefilter("ignore")
_T0 = _time.perf_counter()
def _peak_mb():
    # VmHWM: this process's own high-water mark. ru_maxrss is NOT used: Linux carries it
    # over exec() from the parent, so a child of a big process would inherit its peak.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024.0
def _emit(**kw):
    kw.setdefault("peak_mb", _peak_mb())
    print("@@RESULT@@" + _json.dumps(kw, default=float))
"""


def run_child(script: str, *args: str, python: str | Path | None = None,
              timeout: float = 3600, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``script`` (after :data:`CHILD_PRELUDE`) in a fresh interpreter; return its dict."""
    full_env = dict(os.environ)
    full_env.setdefault("PYTHONHASHSEED", "0")
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    proc = subprocess.run([str(python or sys.executable), "-c", CHILD_PRELUDE + script, *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=full_env, check=False)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("@@RESULT@@"):
            out: dict[str, Any] = json.loads(line[len("@@RESULT@@"):])
            return out
    raise RuntimeError(f"benchmark child failed (exit {proc.returncode}):\n"
                       f"{proc.stderr[-3000:]}")


def summarize(runs: list[dict[str, Any]], key: str = "seconds") -> dict[str, Any]:
    """Median and all values of ``key`` over repeated runs, plus the largest peak RSS."""
    values = [float(r[key]) for r in runs]
    return {"median_s": statistics.median(values), "times_s": values,
            "peak_mb": max(float(r.get("peak_mb", float("nan"))) for r in runs)}


def bench_python(packages: tuple[str, ...] = ("pingouin",)) -> Path | None:
    """Interpreter of the peers' own environment (``.venv-bench``), created on first use.

    Reuses ``benchmarks.bench_process.ensure_bench_venv`` when that module exists; returns
    ``None`` when the environment cannot be created (no network to the package index).
    """
    try:
        from benchmarks.bench_process import ensure_bench_venv
    except Exception:  # the PROCESS benchmark is absent: create the environment here
        ensure_bench_venv = None
    try:
        if ensure_bench_venv is not None:
            return Path(ensure_bench_venv(packages=packages))
        venv = ROOT / ".venv-bench"
        py = venv / "bin" / "python"
        if not py.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        probe = subprocess.run([str(py), "-c", "import " + ", ".join(packages)],
                               capture_output=True, check=False)
        if probe.returncode != 0:
            subprocess.run([str(py), "-m", "pip", "install", "--quiet", *packages], check=True)
        return py
    except Exception:
        return None


def versions(python: str | Path | None, modules: tuple[str, ...]) -> dict[str, str]:
    """Versions of ``modules`` in the interpreter ``python`` (current one by default)."""
    # the distribution's metadata first: some packages (plspm) have no __version__
    code = ("import importlib, importlib.metadata as md, json\nout = {}\n"
            f"for m in {list(modules)!r}:\n"
            "    try:\n        out[m] = md.version(m)\n"
            "    except Exception:\n"
            "        try:\n            out[m] = importlib.import_module(m).__version__\n"
            "        except Exception:\n            out[m] = 'absent'\n"
            "print(json.dumps(out))")
    proc = subprocess.run([str(python or sys.executable), "-c", code], capture_output=True,
                          text=True, check=False)
    try:
        result: dict[str, str] = json.loads(proc.stdout.strip().splitlines()[-1])
        return result
    except Exception:
        return dict.fromkeys(modules, "unknown")
