"""Benchmark: ``egovstudy run`` against the same report made by hand.

egovstudy: ``egovstudy run data/raw/default_study/study.yaml`` (load with quality
rules, instrument validity and reliability, CFA, descriptives, two OLS models with
assumption tests, PROCESS model 4 with B = 5,000, PLS-SEM, 18 tables in six formats,
8 figures in PNG/SVG/PDF at 300 dpi, the chapter as DOCX/MD/HTML).

By hand (the peer, in the peers' environment ``.venv-bench``): the statistics of
:mod:`benchmarks.bench_end_to_end` (pandas, pingouin's alpha and mediation with
B = 5,000, statsmodels OLS with cluster errors and every assumption test), then the
report a user writes with the usual libraries: the same 18 tables (their cells are
handed over as CSV files, so the peer does not have to format them: that favours the
peer) written with python-docx's cell API into one chapter DOCX with bold captions,
right-aligned numbers, 10 pt cells and APA rules, each table also as its own DOCX and
as CSV, XLSX, Markdown and HTML with pandas; 8 matplotlib figures (Likert bars, a
correlation heatmap, two residual panels, a coefficient plot, a path diagram, the
bootstrap distribution, a second path diagram) saved as PNG, SVG and PDF at 300 dpi
and embedded in the chapter. No CFA, PLS-SEM, quality rules, TeX tables or sentences:
the peer does less. Each run is a fresh interpreter, imports included.

Run: ``.venv/bin/python -m benchmarks.bench_report``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._common import bench_python, run_child
from benchmarks.bench_end_to_end import _PEER, STUDY, _peer_spec
from benchmarks.bench_run import _RUN

_REPORT = r"""
import glob, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
tables_dir, out = _sys.argv[4], _sys.argv[5]
os.makedirs(out, exist_ok=True)
t = _time.perf_counter()
figs = []
items = [i for its in spec["constructs"].values() for i in its][:12]
fig, ax = plt.subplots(figsize=(6.5, 5))
shares = pd.DataFrame({k: d[i].value_counts(normalize=True).sort_index()
                       for k, i in enumerate(items)}).T.fillna(0)
shares.plot.barh(stacked=True, ax=ax, width=0.8); ax.set_xlabel("Share")
figs.append(("likert", fig))
scores = d[list(spec["constructs"]) + list(spec["second_order"])]
fig, ax = plt.subplots(figsize=(6.5, 5.5))
corr = scores.corr().to_numpy()
im = ax.imshow(corr, vmin=-1, vmax=1, cmap="RdBu_r"); fig.colorbar(im)
for a in range(len(corr)):
    for b in range(len(corr)):
        ax.text(b, a, f"{corr[a, b]:.2f}", ha="center", va="center", fontsize=7)
ax.set_xticks(range(len(corr)), scores.columns, rotation=45, ha="right")
ax.set_yticks(range(len(corr)), scores.columns)
figs.append(("heatmap", fig))
for name, model in (("outcome", plain), ("mediator",
                    smf.ols("digitalisation ~ hr_quality + " + " + ".join(spec["covariates"]),
                            data).fit())):
    fig, axs = plt.subplots(2, 2, figsize=(6.5, 5.5))
    infl = OLSInfluence(model)
    axs[0, 0].scatter(model.fittedvalues, model.resid, s=6); axs[0, 0].axhline(0)
    stats.probplot(model.resid, plot=axs[0, 1])
    axs[1, 0].hist(model.resid, bins=30)
    axs[1, 1].scatter(infl.hat_matrix_diag, infl.resid_studentized_internal, s=6)
    fig.tight_layout()
    figs.append(("residuals_" + name, fig))
fig, ax = plt.subplots(figsize=(6.5, 4))
ci = res.conf_int().iloc[1:]
ax.errorbar(res.params.iloc[1:], range(len(ci)), xerr=[res.params.iloc[1:] - ci[0],
            ci[1] - res.params.iloc[1:]], fmt="o"); ax.axvline(0, ls="--")
ax.set_yticks(range(len(ci)), ci.index)
figs.append(("coefficients", fig))
for name in ("path", "path_pls"):
    fig, ax = plt.subplots(figsize=(6.5, 3.5)); ax.axis("off")
    for x, y, lab in ((0.1, 0.3, "HR quality"), (0.5, 0.8, "Digitalisation"),
                      (0.9, 0.3, "Performance")):
        ax.text(x, y, lab, ha="center", va="center", bbox={"boxstyle": "round"})
    for (x0, y0), (x1, y1), lab in (((0.18, 0.35), (0.42, 0.75), "a"),
                                    ((0.58, 0.75), (0.82, 0.35), "b"),
                                    ((0.2, 0.3), (0.8, 0.3), "c'")):
        ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "->"})
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.04, lab, ha="center")
    figs.append((name, fig))
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.hist(med_dist, bins=60); ax.axvline(0, ls="--")
figs.append(("bootstrap", fig))
for name, fig in figs:
    for fmt in ("png", "svg", "pdf"):
        fig.savefig(os.path.join(out, f"{name}.{fmt}"), dpi=300, bbox_inches="tight")
    plt.close(fig)
steps["figures"] = _time.perf_counter() - t; t = _time.perf_counter()


def add_table(document, frame, caption):
    p = document.add_paragraph()
    p.add_run(caption.split(".")[0]).bold = True
    p.add_run("\n" + caption).italic = True
    table = document.add_table(rows=frame.shape[0] + 1, cols=frame.shape[1])
    for j, head in enumerate(frame.columns):
        cell = table.cell(0, j)
        cell.text = str(head)
        cell.paragraphs[0].runs[0].font.size = Pt(10)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = "" if pd.isna(value) else str(value)
            para = cell.paragraphs[0]
            para.paragraph_format.space_before = Pt(1)
            para.paragraph_format.space_after = Pt(1)
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            for run in para.runs:
                run.font.size = Pt(10)
    return table


chapter = docx.Document()
chapter.add_heading("4. Results", level=1)
paths = sorted(glob.glob(os.path.join(tables_dir, "table_*.csv")),
               key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
for k, path in enumerate(paths, start=1):
    frame = pd.read_csv(path, dtype=str)
    caption = f"Table 4.{k}. " + os.path.basename(path)
    add_table(chapter, frame, caption)
    chapter.add_paragraph()
    single = docx.Document(); add_table(single, frame, caption)
    stem = os.path.join(out, f"table_4_{k}")
    single.save(stem + ".docx")
    frame.to_csv(stem + ".csv", index=False)
    frame.to_excel(stem + ".xlsx", index=False, engine="xlsxwriter")
    with open(stem + ".md", "w", encoding="utf-8") as fh:
        fh.write(frame.to_markdown(index=False))
    frame.to_html(stem + ".html", index=False)
for name, _ in figs:
    chapter.add_paragraph().add_run(name).italic = True
    chapter.add_picture(os.path.join(out, f"{name}.png"), width=Cm(15))
chapter.save(os.path.join(out, "chapter.docx"))
steps["tables_and_docx"] = _time.perf_counter() - t
_emit(seconds=_time.perf_counter() - _T0, steps=steps, n=int(plain.nobs),
      tables=len(paths), figures=len(figs))
"""

# the statistics of bench_end_to_end, with the bootstrap distribution kept for a figure
_PEER_REPORT = (_PEER.replace("pg.mediation_analysis(data=data,",
                              "_m, med_dist = pg.mediation_analysis(data=data,")
                .replace("n_boot=n_boot, seed=2026)",
                         "n_boot=n_boot, seed=2026, return_dist=True)")
                .split("_emit(")[0] + _REPORT)


def run(repeats: int = 3) -> dict[str, Any]:
    """Median wall time (fresh interpreters, interleaved) of both reports."""
    out: dict[str, Any] = {"case": "report", "repeats": repeats}
    py = bench_python(("pingouin", "python-docx", "xlsxwriter", "tabulate"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = run_child(_RUN, str(STUDY / "study.yaml"), str(folder / "ours"))
        tables = folder / "cells"
        tables.mkdir()
        for csv in (folder / "ours" / "chapter_files").glob("table_*.csv"):
            shutil.copy(csv, tables / csv.name)
        out["tables"] = len(list(tables.glob("*.csv")))
        out["figures"] = len(list((folder / "ours" / "chapter_files").glob("figure_*.png")))
        ours, peer = [first], []
        spec = _peer_spec(folder)
        for r in range(repeats):
            if py is not None:
                peer.append(run_child(_PEER_REPORT, str(STUDY / "survei_asn_opd.csv"), str(spec),
                                      "5000", str(tables), str(folder / f"peer{r}"), python=py))
            if r:
                ours.append(run_child(_RUN, str(STUDY / "study.yaml"), str(folder / "ours")))
    out["ours"] = {"name": "egovstudy run", "median_s": statistics.median(
        o["seconds"] for o in ours), "times_s": [o["seconds"] for o in ours],
        "peak_mb": max(o["peak_mb"] for o in ours)}
    if not peer:
        out["peer"] = None
        out["note"] = "peer environment unavailable: absolute time only"
        return out
    out["peer"] = {"name": "pandas + statsmodels + pingouin + python-docx + matplotlib",
                   "median_s": statistics.median(p["seconds"] for p in peer),
                   "times_s": [p["seconds"] for p in peer],
                   "peak_mb": max(p["peak_mb"] for p in peer), "steps": peer[-1]["steps"],
                   "tables": peer[-1]["tables"], "figures": peer[-1]["figures"]}
    out["ratio"] = out["peer"]["median_s"] / out["ours"]["median_s"]
    out["target"] = 3.0
    out["met"] = out["ratio"] >= out["target"]
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
