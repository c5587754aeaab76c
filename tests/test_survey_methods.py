"""Survey methods wired into a study: study-file keys, CLI verbs and chapter sections.

The statistics are checked against R on the screened default study (586 respondents).
The reference script exports ``survey.data`` (construct scores and items as float) and runs:

    d <- read.csv("default.csv", stringsAsFactors = TRUE)
    kruskal.test(hr_quality ~ education, data = d)       # chi-squared = 11.76, p = 0.01923
    # wave: first / last floor(0.25 * 586) = 146 respondents by submitted_at
    t.test(planning ~ wave, data = d)                    # t = 2.0195, df = 278.72, p = 0.04439
    psych::principal(na.omit(d[, items]), nfactors = 1, rotate = "none")$values[1] / 42
                                                         # 0.254815 (n = 372 complete)
    1 / (1 - summary(lm(monitoring ~ <other 11 constructs>, na.omit(d[, cons])))$r.squared)
                                                         # 2.001691; hr_quality 1.339546
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from egovstudy.cli import main
from egovstudy.datasets import default_study_dir
from egovstudy.study import StudyFileError, load_study_survey, read_study

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _generic_survey import make_generic_study

STUDY = default_study_dir() / "study.yaml"


@pytest.fixture(scope="module")
def default() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_study_survey(STUDY)


# ---------------------------------------------------------------- study file
def test_default_study_file_carries_the_survey_method_keys() -> None:
    spec = read_study(STUDY)
    assert spec.comparisons["by"] == ["gender", "education", "rank", "position"]
    assert spec.nonresponse == {"time": "submitted_at", "share": 0.25}
    assert spec.missing["method"] == "listwise"
    assert spec.method_bias["marker"] is None


def test_unknown_survey_method_key_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(STUDY.read_text(encoding="utf-8"))
    raw["data"] = str(default_study_dir() / raw["data"])
    raw["codebook"] = str(default_study_dir() / raw["codebook"])
    raw["comparisons"] = {"bye": ["gender"]}
    raw["missing"] = {"method": "fiml"}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(StudyFileError, match=r"comparisons(.|\n)*bye(.|\n)*missing\.method"):
        read_study(path)


def test_misspelt_survey_method_names_say_did_you_mean(default: tuple[Any, Any]) -> None:
    from egovstudy.resolve import check_study_names

    spec, survey = default
    bad = spec.with_options(comparisons={"by": ["gendr"]},
                            nonresponse={"time": "submited_at"},
                            method_bias={"marker": "mbsp"})
    with pytest.raises(StudyFileError, match=r"comparisons\.by\[0\]: 'gendr'.*did you mean "
                                             r"'gender'(.|\n)*nonresponse\.time: 'submited_at'"
                                             r".*'submitted_at'(.|\n)*method_bias\.marker"):
        check_study_names(bad, survey)


# ---------------------------------------------------------------- statistics vs R
def test_comparisons_and_nonresponse_match_r(default: tuple[Any, Any]) -> None:
    from egovstudy.survey_methods import study_comparisons, study_nonresponse

    spec, survey = default
    comp = study_comparisons(survey, spec.comparisons, constructs=spec.constructs).tidy()
    row = comp.set_index(["group", "outcome"]).loc[("education", "hr_quality")]
    # R: kruskal.test(hr_quality ~ education): chi-squared = 11.76, df = 4, p = 0.01923
    assert row["test"] == "kruskal"
    assert row["statistic"] == pytest.approx(11.76, abs=0.005)
    assert row["p_value"] == pytest.approx(0.01923, abs=5e-6)
    late = study_nonresponse(survey, spec.nonresponse, constructs=spec.constructs).tidy()
    plan = late.set_index("outcome").loc["planning"]
    # R: t.test(planning ~ wave): t = 2.0195, df = 278.72, p-value = 0.04439
    assert plan["statistic"] == pytest.approx(2.0195, abs=5e-5)
    assert plan["df"] == pytest.approx(278.72, abs=0.005)
    assert plan["p_value"] == pytest.approx(0.04439, abs=5e-6)


def test_method_bias_matches_r(default: tuple[Any, Any]) -> None:
    from egovstudy.survey_methods import study_method_bias

    spec, survey = default
    bias = study_method_bias(survey, spec.method_bias, constructs=spec.constructs)
    # R: psych::principal(items, nfactors = 1, rotate = "none")$values[1] / 42 = 0.254815
    assert bias.harman.variance_explained == pytest.approx(0.254815, abs=5e-7)
    assert bias.harman.n == 372
    vif = bias.full_vif.table.set_index("construct")["vif"]
    # R: 1 / (1 - R^2) of lm(construct ~ the other 11) on complete cases
    assert vif["monitoring"] == pytest.approx(2.001691, abs=5e-7)
    assert vif["hr_quality"] == pytest.approx(1.339546, abs=5e-7)
    assert bias.marker is None


def test_multiple_imputation_is_reproducible_with_its_seed(default: tuple[Any, Any]) -> None:
    from egovstudy.survey_methods import study_missing

    spec, survey = default
    opts = {"method": "mi", "m": 3, "seed": 5}
    first = study_missing(survey, opts, constructs=spec.constructs, model=spec.model)
    again = study_missing(survey, opts, constructs=spec.constructs, model=spec.model)
    other = study_missing(survey, {**opts, "seed": 6}, constructs=spec.constructs,
                          model=spec.model)
    a = first.pooled["performance"].tidy()["estimate"].to_numpy()
    assert set(first.pooled) == {"digitalisation", "performance"}
    assert (a == again.pooled["performance"].tidy()["estimate"].to_numpy()).all()
    assert not (a == other.pooled["performance"].tidy()["estimate"].to_numpy()).all()
    # the model variables have 5 missing cells of 586 x 13 (the items' report is separate)
    assert first.report.imputed.share_imputed == pytest.approx(5 / (586 * 13))


# ---------------------------------------------------------------- CLI and chapter
def _write_chapter(study: Path, folder: Path) -> dict[str, str]:
    """The English and Indonesian results chapters of ``study`` (200 resamples, no PLS)."""
    from egovstudy.report import results_chapter

    out = folder / "bab4.md"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results_chapter(study, out, language=("en", "id"), n_boot=200, pls=False,
                        formats=("md",), table_formats=("csv",), figure_formats=("png",))
    return {lang: (folder / f"bab4_{lang}.md").read_text(encoding="utf-8")
            for lang in ("en", "id")}


@pytest.fixture(scope="module")
def chapter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _write_chapter(STUDY, tmp_path_factory.mktemp("wire18"))


@pytest.mark.slow
def test_chapter_gains_the_survey_method_sections(chapter: dict[str, str]) -> None:
    en, id_ = chapter["en"], chapter["id"]
    for heading in ("Group Comparisons of the Respondent Profile", "Non-Response Bias",
                    "Missing Data", "Common-Method Bias"):
        assert f"# {heading}" in en
    for heading in ("Uji Beda berdasarkan Profil Responden", "Bias Non-Respons", "Data Hilang",
                    "Bias Metode Umum"):
        assert f"# {heading}" in id_
    assert "HR quality differs by Education (Kruskal-Wallis H = 11.76, *p* = .019)." in en
    assert "Planning (Welch's *t* = 2.02, *p* = .044)" in en
    assert "explains 25.5% of the variance of the 42 items" in en
    assert "menjelaskan 25.5% varians 42 butir" in id_
    assert "Little's MCAR test is not significant (χ²(3272) = 3225.83, *p* = .714)" in en
    assert "nested in 30 clusters" in en and "ICC(1)" in id_


@pytest.mark.slow
def test_cli_verbs_print_the_chapter_numbers(chapter: dict[str, str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["method-bias", str(STUDY)]) == 0
    out = capsys.readouterr().out
    assert "0.254815" in out and "2.001691" in out
    assert "(largest 2.00)" in chapter["en"]
    assert main(["compare", str(STUDY), "--by", "education"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "education" in ln and "hr_quality" in ln)
    assert "kruskal" in line and "11.76" in line
    assert main(["missing", str(STUDY)]) == 0
    assert "chi2(3272) = 3225.830, p = 0.714" in capsys.readouterr().out


def test_cli_compare_names_a_misspelt_column(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(STUDY), "--by", "rnk"]) == 2
    assert "--by: 'rnk' is not a column of the data (did you mean 'rank'?)" in \
        capsys.readouterr().err


@pytest.mark.slow
def test_generic_survey_chapter_has_the_sections_and_the_few_cluster_advice(
        tmp_path: Path) -> None:
    study = make_generic_study(tmp_path, n_offices=12, per_office=20)
    text = _write_chapter(study, tmp_path / "out")
    en, id_ = text["en"], text["id"]
    assert "compares every construct score across the respondent profile (Office)" in en
    assert "first and the last 25% of respondents (60 each)" in en
    assert "With only 12 clusters (fewer than 20)" in en
    assert "Dengan hanya 12 klaster (kurang dari 20)" in id_
    assert "Harman's single-factor test: one unrotated factor explains" in en


# ---------------------------------------------------------------- sample design
def _weighted_generic(folder: Path) -> Path:
    """The generic survey (12 offices of 20) with a weight column and ``design.weights``."""
    import numpy as np
    import pandas as pd

    study = make_generic_study(folder, n_offices=12, per_office=20)
    d = pd.read_csv(folder / "data.csv")
    d["Weight"] = 1.0 + (np.arange(len(d)) % 3) * 0.5
    d.to_csv(folder / "data.csv", index=False)
    cb = yaml.safe_load((folder / "codebook.yaml").read_text(encoding="utf-8"))
    cb["variables"].append({"name": "weight", "column": "Weight", "type": "numeric"})
    (folder / "codebook.yaml").write_text(yaml.safe_dump(cb, sort_keys=False), encoding="utf-8")
    raw = yaml.safe_load(study.read_text(encoding="utf-8"))
    raw["design"] = {"weights": "weight"}
    study.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return study


def test_design_fits_match_svyglm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.survey_methods import study_design_fits

    study = _weighted_generic(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec, survey = load_study_survey(study)
    fits = study_design_fits(survey, spec.design, model=spec.model, cluster=spec.model.cluster)
    # R: des <- svydesign(ids = ~office, weights = ~weight, data = survey.data)
    #    g <- svyglm(benefits ~ system_quality + use + satisfaction, design = des)
    #    coef(g); SE(g); g$df.residual
    fit = fits["benefits"]
    terms = ["Intercept", "system_quality", "use", "satisfaction"]
    assert fit.params[terms].tolist() == pytest.approx(
        [1.9438851709939, 0.1049564855177, 0.0172540239229, 0.4551852143816], abs=1e-9)
    assert fit.bse[terms].tolist() == pytest.approx(
        [0.2486484085657, 0.0546401903921, 0.0457009664449, 0.0535763395310], abs=1e-9)
    assert fit.df_inference == 8
    # svyglm(satisfaction ~ system_quality + use, design = des)
    sat = fits["satisfaction"]
    assert sat.params.tolist() == pytest.approx([1.597761112727, 0.47364966, 0.190912667053],
                                                abs=1e-9)
    assert sat.bse.tolist() == pytest.approx([0.2706871708010, 0.0662014573835,
                                              0.0698089476163], abs=1e-9)
    assert main(["design", str(study)]) == 0
    out = capsys.readouterr().out
    assert "0.0546" in out and "icc1" in out


def test_design_without_weights_or_misspelt_is_refused(tmp_path: Path) -> None:
    from egovstudy.resolve import check_study_names

    study = _weighted_generic(tmp_path)
    raw = yaml.safe_load(study.read_text(encoding="utf-8"))
    raw["design"] = {"strata": "office"}
    study.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(StudyFileError, match=r"design.*weights"):
        read_study(study)
    raw["design"] = {"weights": "wieght"}
    study.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec, survey = load_study_survey(study)
    with pytest.raises(StudyFileError, match=r"design\.weights: 'wieght'.*did you mean "
                                             r"'weight'"):
        check_study_names(spec, survey)


@pytest.mark.slow
def test_chapter_states_the_design_based_estimates(tmp_path: Path) -> None:
    study = _weighted_generic(tmp_path)
    text = _write_chapter(study, tmp_path / "out")
    en, id_ = text["en"], text["id"]
    assert "With the sampling weights (weight) and the sample design, the design-based " \
           "estimates of the model of Net benefits" in en
    assert "(8 design degrees of freedom)" in en
    assert "(derajat bebas desain 8)" in id_


@pytest.mark.slow
def test_mi_reaches_process_and_the_chapter(tmp_path: Path) -> None:
    from egovstudy.survey_methods import study_missing

    study = make_generic_study(tmp_path)
    raw = yaml.safe_load(study.read_text(encoding="utf-8"))
    raw["missing"] = {"method": "mi", "m": 3, "seed": 4}
    study.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec, survey = load_study_survey(study)
        runs = [study_missing(survey, spec.missing, constructs=spec.constructs,
                              model=spec.model, n_boot=200,
                              mediation=[("system_quality", "satisfaction", "benefits")])
                for _ in range(2)]
    pooled = [r.pooled_process["system_quality -> satisfaction -> benefits"].tidy()
              for r in runs]
    ind = [p[p["part"] == "indirect"].iloc[0] for p in pooled]
    assert (ind[0]["estimate"], ind[0]["ci_low"]) == (ind[1]["estimate"], ind[1]["ci_low"])
    fits = runs[0].pooled_process["system_quality -> satisfaction -> benefits"].fits
    per = [f.effects.query("part == 'indirect'")["estimate"].iloc[0] for f in fits]
    assert len(per) == 3 and ind[0]["estimate"] == pytest.approx(sum(per) / 3, rel=1e-12)
    text = _write_chapter(study, tmp_path / "out")
    en, id_ = text["en"], text["id"]
    assert "Indirect Effects Pooled over 3 Imputations" in en
    assert "imputed 3 times by chained equations (seed 4)" in en
    assert "Efek Tidak Langsung Gabungan dari 3 Imputasi" in id_


def test_a_grouping_with_a_single_respondent_level_is_left_out_by_name() -> None:
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from egovstudy.errors import StatisticalWarning
    from egovstudy.survey_methods import study_comparisons

    rng = np.random.default_rng(3)
    d = pd.DataFrame({"y": rng.normal(size=40), "sex": list("fm") * 20,
                      "grade": ["II"] * 39 + ["IV"]})
    survey = SimpleNamespace(data=d, codebook=SimpleNamespace(constructs={}, variables={}))
    with pytest.warns(StatisticalWarning, match=r"left out 'grade' \(level 'IV' has 1 "
                                                r"respondent\(s\)\)"):
        comp = study_comparisons(survey, {"by": ["sex", "grade"], "method": "parametric"},
                                 constructs=["y"])
    assert comp.tidy()["group"].tolist() == ["sex"]
    # leaving grade out does not change the comparison by sex
    alone = study_comparisons(survey, {"by": ["sex"], "method": "parametric"},
                              constructs=["y"])
    assert comp.tidy()["statistic"].iloc[0] == alone.tidy()["statistic"].iloc[0]
