"""Public-data notebooks on a fresh machine: the shipped panels, optional notebooks skipped.

Notebooks 07 and 08 are executed in a temporary copy of the working tree with no
``EGOVSTUDY_DATA_MIRROR``, no ``../shared`` beside it and an empty download cache, so
they must run on the panels shipped in the package (07: the UN 2024 headlines; 08: the
ISORA counts of the Blavatnik index documentation).
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


def _run_fresh(clone: Path, tmp_path: Path, only: str) -> Path:
    """Run one notebook in the clone with no mirror and an empty download cache."""
    assert not (tmp_path / "shared").exists()
    env = {k: v for k, v in os.environ.items() if k != "EGOVSTUDY_DATA_MIRROR"}
    env.update(PYTHONPATH=str(clone), EGOVSTUDY_CACHE=str(tmp_path / "empty_cache"),
               MPLBACKEND="Agg")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "egovstudy.notebooks", "run", "--only", only,
                           "--output", str(out), "--no-html"], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


# Mean e-filing and e-payment shares by year over the administrations reporting them,
# computed from the raw ISORA forms C/D/G 2018-2021 (bipa2024_public_admin mirror, sha256
# in egovstudy/data/isora_panel.md) by isora_indicators(); the mirror test below recomputes
# them from the raw files and checks these constants.
ISORA_MEANS = {"efile": {2018: 0.6439506635, 2019: 0.6902931332, 2020: 0.7303209777,
                         2021: 0.7083408006},
               "epay_number": {2018: 0.5613050420, 2019: 0.5700218487, 2020: 0.6442434426,
                               2021: 0.6878709677}}


@pytest.mark.notebooks
def test_notebook_08_on_a_fresh_clone_runs_on_the_shipped_isora_panel(tmp_path: Path) -> None:
    clone = _clone(tmp_path / "clone")
    out = _run_fresh(clone, tmp_path, "08")
    text = (out / "notebooks" / "08_tax_administrations.ipynb").read_text(encoding="utf-8")
    assert "data: shipped | internet speed: absent (speed models skipped)" in text
    assert "egovstudy data fetch bipa2024_public_admin" in text
    # Blavatnik Index of Public Administration 2024 source data, ISORA_2021.md "Variable
    # summary statistics": e-filing shares for 143 countries (corporate) and 137 (personal)
    assert "corporate income tax 143, personal income tax 137 countries" in text
    # the Ookla part says why it did not run (CC BY-NC-SA 4.0, not shipped)
    assert "Models 3-4 (internet speed) skipped" in text
    assert "licence: Ookla Open Data CC BY-NC-SA 4.0" in text
    means = pd.read_csv(out / "tables" / "08_means_by_year.csv", index_col="year")
    assert "fixed_mbps" not in means.columns
    for col, by_year in ISORA_MEANS.items():
        assert means[col].to_dict() == pytest.approx(by_year, abs=1e-9), col
    results = pd.read_csv(out / "tables" / "08_fe_results.csv")
    assert sorted(results["model"].unique()) == ["1 inputs", "2 + ICT x pandemic"]
    for ext in ("png", "svg", "pdf"):
        assert (out / "figures" / f"08_uptake.{ext}").stat().st_size > 10_000
    cells = json.loads(text)["cells"]
    [fig] = [c for c in cells if "08_uptake" in "".join(c["source"])]
    assert "display_data" in [o["output_type"] for o in fig["outputs"]]
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert [n["name"] for n in manifest["notebooks"]] == ["08_tax_administrations"]
    assert manifest["skipped"] == []
    [part] = manifest["partly_skipped"]
    assert part == {"name": "08_tax_administrations", "part": "models 3-4 (internet speed)",
                    "reason": "public data missing: ookla_speed_2019_2024 (get it: egovstudy "
                              "data fetch ookla_speed_2019_2024); licence -- "
                              "ookla_speed_2019_2024: Ookla Open Data CC BY-NC-SA 4.0"}


@pytest.mark.notebooks
def test_notebook_08_with_the_raw_files_uses_them_and_the_speed_models(
        data_mirror: Path, tmp_path: Path) -> None:
    import warnings

    from egovstudy.public.isora import isora_indicators

    runs = run_notebooks(tmp_path / "out", only=["08"], html=False,
                         parameters={"data_mirror": str(data_mirror)})
    text = runs[0].executed.read_text(encoding="utf-8")
    assert "data: raw | internet speed: Ookla open data" in text
    assert "corporate income tax 143, personal income tax 137 countries" in text
    means = pd.read_csv(tmp_path / "out" / "tables" / "08_means_by_year.csv", index_col="year")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Republika Srpska has no ISO3 code
        raw = isora_indicators(mirror=data_mirror).groupby("year")[list(ISORA_MEANS)].mean()
    for col, by_year in ISORA_MEANS.items():
        assert raw[col].to_dict() == pytest.approx(by_year, abs=1e-9), col
        assert means[col].to_dict() == pytest.approx(by_year, abs=1e-9), col
    assert means["fixed_mbps"].notna().sum() >= 3  # Ookla data start in 2019
    results = pd.read_csv(tmp_path / "out" / "tables" / "08_fe_results.csv")
    assert sorted(results["model"].unique()) == ["1 inputs", "2 + ICT x pandemic",
                                                 "3 + speed", "4 + speed x pandemic"]
    assert "speed_x_pandemic" in set(results["term"])
    manifest = json.loads((tmp_path / "out" / "run_manifest.json").read_text())
    assert manifest["partly_skipped"] == []


@pytest.mark.notebooks
def test_notebook_07_on_a_fresh_clone_prints_the_un_2024_headlines(tmp_path: Path) -> None:
    clone = _clone(tmp_path / "clone")
    out = _run_fresh(clone, tmp_path, "07")
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
    assert "licence -- ookla_sgi_aug2024: Ookla property, non-commercial" in skip["reason"]


def test_malformed_optional_parts_stop_the_run_naming_the_notebook(
        no_public_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = no_public_data / "98_bad_parts.py"
    source.write_text(
        "# ---\n# jupyter:\n#   egovstudy:\n#     optional_parts:\n"
        "#     - ookla_speed_2019_2024\n#   jupytext:\n#     formats: ipynb,py:percent\n"
        "#   kernelspec:\n#     display_name: Python 3\n#     language: python\n"
        "#     name: python3\n# ---\n\n# %%\nraise SystemExit('ran')\n", encoding="utf-8")
    monkeypatch.setattr("egovstudy.notebooks.discover_notebooks", lambda only=None: [source])
    with pytest.raises(NotebookError, match=r"notebook 98_bad_parts: egovstudy\.optional_parts "
                                            r"must map a source to the part it feeds"):
        run_notebooks(no_public_data / "out", html=False)
    source.write_text(source.read_text().replace("#     - ookla_speed_2019_2024",
                                                 "#       ookla_sped_2019_2024: speed"))
    with pytest.raises(NotebookError, match=r"98_bad_parts: egovstudy\.optional_parts names "
                                            r"an unknown source 'ookla_sped_2019_2024'; did "
                                            r"you mean 'ookla_speed_2019_2024'\?"):
        run_notebooks(no_public_data / "out", html=False)


def test_required_notebook_without_data_fails_loudly(
        no_public_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _needs_data(no_public_data, optional=False)
    monkeypatch.setattr("egovstudy.notebooks.discover_notebooks", lambda only=None: [source])
    with pytest.raises(NotebookError, match=r"notebook 99_needs_data cannot run: public data "
                                            r"missing: ookla_sgi_aug2024 \(get them: "
                                            r"egovstudy data fetch ookla_sgi_aug2024\)"):
        run_notebooks(no_public_data / "out", html=False)


def test_notebook_08_runs_on_a_fresh_clone_and_09_stays_optional() -> None:
    from egovstudy.notebooks import _to_notebook

    # 08 runs on the shipped ISORA panel: nothing required, so make reproduce executes it;
    # only its speed models need the (unshipped) Ookla file
    meta = _to_notebook(ROOT / "notebooks" / "08_tax_administrations.py").metadata["egovstudy"]
    assert meta == {"optional_parts": {"ookla_speed_2019_2024": "models 3-4 (internet speed)"}}
    meta = _to_notebook(ROOT / "notebooks" / "09_indonesia_provinces.py").metadata["egovstudy"]
    assert meta["optional"] is True
    assert len(meta["requires"]) == 2


def test_notebook_09_without_its_data_is_skipped_naming_sources_and_licence(
        no_public_data: Path) -> None:
    runs = run_notebooks(no_public_data / "out", only=["09"], html=False)
    assert runs == []
    manifest = json.loads((no_public_data / "out" / "run_manifest.json").read_text())
    [skip] = manifest["skipped"]
    assert skip["name"] == "09_indonesia_provinces"
    assert skip["reason"].startswith("public data missing: indonesia_province_2022, "
                                     "indonesia_apbn_province_2010_2021 (get them: egovstudy "
                                     "data fetch indonesia_province_2022 "
                                     "indonesia_apbn_province_2010_2021); licence -- ")
    assert skip["reason"].count("state no licence, so they are not shipped") == 2


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
