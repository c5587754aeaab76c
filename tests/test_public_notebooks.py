"""Public-data notebooks on a fresh machine: the shipped panel, optional notebooks skipped.

Notebook 07 is executed in a temporary copy of the working tree with no
``EGOVSTUDY_DATA_MIRROR``, no ``../shared`` beside it and an empty download cache, so
it must run on the panel shipped in the package and print the UN 2024 headlines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from egovstudy.notebooks import NotebookError, run_notebooks

ROOT = Path(__file__).resolve().parent.parent


def _clone(target: Path) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to copy the working tree")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for name in files:
        src = ROOT / name
        if src.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name)
    return target


@pytest.mark.notebooks
def test_notebook_07_on_a_fresh_clone_prints_the_un_2024_headlines(tmp_path: Path) -> None:
    clone = _clone(tmp_path / "clone")
    assert not (tmp_path / "shared").exists()
    env = {k: v for k, v in os.environ.items() if k != "EGOVSTUDY_DATA_MIRROR"}
    env.update(PYTHONPATH=str(clone), EGOVSTUDY_CACHE=str(tmp_path / "empty_cache"),
               MPLBACKEND="Agg")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "egovstudy.notebooks", "run", "--only", "07",
                           "--output", str(out), "--no-html"], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (out / "notebooks" / "07_egdi_country_panel.ipynb").read_text(encoding="utf-8")
    assert "data: shipped" in text
    assert "egovstudy data fetch un_egdi_2005_2024" in text
    head = pd.read_csv(out / "tables" / "07_egdi_headlines.csv").set_index("year").loc[2024]
    # UN DESA, E-Government Survey 2024 (chapter 1): world average EGDI 0.6382, 76 countries
    # in the very-high group, Denmark first (0.9847)
    assert round(head["mean_egdi"], 4) == 0.6382
    assert head["n_very_high"] == 76
    assert head["top_iso3"] == "DNK"
    assert "0.6382" in text and "Denmark" in text  # shown in the notebook's output
    for name in ("07_stage_transitions.csv", "07_fe_results.csv"):
        assert (out / "tables" / name).stat().st_size > 100
    # the world maps (issue #20): saved in the three print formats and shown inline
    for stem in ("07_world_egdi_2024", "07_world_internet_2023"):
        for ext in ("png", "svg", "pdf"):
            assert (out / "figures" / f"{stem}.{ext}").stat().st_size > 10_000, stem
    cells = json.loads(text)["cells"]
    maps = [c for c in cells if "world_map(" in "".join(c["source"])]
    assert [o["output_type"] for o in maps[0]["outputs"]] == ["display_data"] * 2
    assert "EGDI by country, 2024" in (out / "figures" / "07_world_egdi_2024.svg").read_text()
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert [n["name"] for n in manifest["notebooks"]] == ["07_egdi_country_panel"]
    assert manifest["skipped"] == []


def _needs_data(folder: Path, optional: bool) -> Path:
    source = folder / "99_needs_data.py"
    source.write_text(
        "# ---\n# jupyter:\n#   egovstudy:\n"
        f"#     optional: {'true' if optional else 'false'}\n"
        "#     requires:\n#     - ookla_sgi_aug2024\n#   jupytext:\n"
        "#     formats: ipynb,py:percent\n#   kernelspec:\n#     display_name: Python 3\n"
        "#     language: python\n#     name: python3\n# ---\n\n"
        "# %% tags=[\"parameters\"]\noutput_dir = '.'\n\n# %%\nraise SystemExit('ran')\n",
        encoding="utf-8")
    return source


@pytest.fixture()
def no_public_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EGOVSTUDY_DATA_MIRROR", str(tmp_path / "no_mirror"))
    monkeypatch.setenv("EGOVSTUDY_CACHE", str(tmp_path / "empty_cache"))
    monkeypatch.setattr("egovstudy.public.sources.project_root", lambda: tmp_path)
    return tmp_path


def test_optional_notebook_without_data_is_skipped_and_recorded(
        no_public_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _needs_data(no_public_data, optional=True)
    monkeypatch.setattr("egovstudy.notebooks.discover_notebooks", lambda only=None: [source])
    runs = run_notebooks(no_public_data / "out", html=False)
    assert runs == []
    manifest = json.loads((no_public_data / "out" / "run_manifest.json").read_text())
    assert manifest["notebooks"] == []
    [skip] = manifest["skipped"]
    assert skip["name"] == "99_needs_data"
    assert "public data missing: ookla_sgi_aug2024" in skip["reason"]
    assert "egovstudy data fetch ookla_sgi_aug2024" in skip["reason"]


def test_required_notebook_without_data_fails_loudly(
        no_public_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _needs_data(no_public_data, optional=False)
    monkeypatch.setattr("egovstudy.notebooks.discover_notebooks", lambda only=None: [source])
    with pytest.raises(NotebookError, match=r"notebook 99_needs_data cannot run: public data "
                                            r"missing: ookla_sgi_aug2024 \(get them: "
                                            r"egovstudy data fetch ookla_sgi_aug2024\)"):
        run_notebooks(no_public_data / "out", html=False)


@pytest.mark.parametrize("name", ["08_tax_administrations", "09_indonesia_provinces"])
def test_notebooks_08_and_09_declare_their_data_as_optional(name: str) -> None:
    from egovstudy.notebooks import _to_notebook

    meta = _to_notebook(ROOT / "notebooks" / f"{name}.py").metadata["egovstudy"]
    assert meta["optional"] is True
    assert len(meta["requires"]) == 2


@pytest.mark.notebooks
def test_notebook_09_with_its_data_draws_the_province_map(data_mirror: Path,
                                                          tmp_path: Path) -> None:
    # issue #20: the optional notebook gets the province map when its tables are present
    runs = run_notebooks(tmp_path / "out", only=["09"], html=False,
                         parameters={"data_mirror": str(data_mirror)})
    assert [r.executed.stem for r in runs] == ["09_indonesia_provinces"]
    for ext in ("png", "svg", "pdf"):
        assert (tmp_path / "out" / "figures" / f"09_map_digital_literacy.{ext}").stat().st_size \
            > 10_000
    svg = (tmp_path / "out" / "figures" / "09_map_digital_literacy.svg").read_text()
    # 34 provinces of 2022 on the 33 shipped outlines: Kalimantan Utara shares its parent's
    assert "Cross-hatched: Kalimantan Timur" in svg
    cells = json.loads(runs[0].executed.read_text(encoding="utf-8"))["cells"]
    [cell] = [c for c in cells if "province_map(" in "".join(c["source"])]
    assert [o["output_type"] for o in cell["outputs"]] == ["display_data"]
