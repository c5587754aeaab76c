"""The chapter a thesis needs (issue #16, point 4): respondent profile, the invalid-item
decision, convergent/discriminant validity, assumption conclusions, t/F tabel, the regression
equation and the Pembahasan skeleton, in English and Indonesian, each citing its table."""

from __future__ import annotations

import copy
import dataclasses
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # two chapters of the default study: ~60-90 s on 2 cores

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "data" / "raw" / "default_study" / "study.yaml"



def _plain(md: str) -> str:
    """The chapter's Markdown without APA markup (italic symbols, minus signs)."""
    return md.replace("*", "").replace("\u2212", "-")

def _prose(md: str) -> list[str]:
    """Paragraphs of a chapter's Markdown that are sentences (no tables, captions, images)."""
    out = []
    for block in md.split("\n\n"):
        b = block.strip()
        if b and not b.startswith(("|", "#", "**", "*", "!", "<!--", ">")):
            out.append(b)
    return out


@pytest.fixture(scope="module")
def dropped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    if not STUDY.is_file():
        pytest.skip(f"default study not found at {STUDY}")
    from egovstudy.report import results_chapter
    from egovstudy.study import read_study

    spec = read_study(STUDY).with_options(invalid_items="drop")
    out = tmp_path_factory.mktemp("thesis")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(spec, out / "bab4.md", language=("en", "id"), n_boot=200,
                              pls=False, formats=("md",), dpi=60)
    return out, res, spec


def _md(out: Path, lang: str) -> str:
    return _plain((out / f"bab4_{lang}.md").read_text(encoding="utf-8"))


def _cited(prose: list[str], pattern: str) -> list[str]:
    return [m for p in prose for m in re.findall(pattern, p)]


def test_study_file_key_invalid_items(tmp_path: Path) -> None:
    from egovstudy.study import StudyFileError, read_study

    assert read_study(STUDY).invalid_items == "keep"  # the default
    text = STUDY.read_text(encoding="utf-8").replace("data: survei_asn_opd.csv",
                                                     f"data: {STUDY.parent}/survei_asn_opd.csv")
    text = text.replace("codebook: codebook.yaml", f"codebook: {STUDY.parent}/codebook.yaml")
    ok = tmp_path / "drop.yaml"
    ok.write_text(text + "\ninstrument:\n  invalid_items: drop\n", encoding="utf-8")
    assert read_study(ok).invalid_items == "drop"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text + "\ninstrument:\n  invalid_items: remove\n", encoding="utf-8")
    with pytest.raises(StudyFileError, match=r"instrument.invalid_items"):
        read_study(bad)


def test_drop_recomputes_budget_without_bud4(dropped: tuple[Path, Any, Any]) -> None:
    import pandas as pd

    from egovstudy import ols
    from egovstudy.study import load_study_survey

    out, res, spec = dropped
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, survey = load_study_survey(spec)
    data = survey.data
    # hand recomputation: the mean of the answered Budget items other than bud4
    items = [i for i in survey.codebook.constructs["budget"].items if i != "bud4"]
    assert "bud4" in survey.codebook.constructs["budget"].items and len(items) == 3
    # codebook min_items = 3 of 4; one item dropped keeps one skip allowed: 2 of 3
    assert survey.codebook.constructs["budget"].min_items == 3
    answers = data[items].astype("float")
    hand = answers.mean(axis=1, skipna=True).where(answers.notna().sum(axis=1) >= 2)
    desc = next(t for t in res.tables["en"] if t.kind == "descriptives")
    row = desc.data[(desc.data["level"] == "construct")
                    & (desc.data["variable"] == "Budget adequacy")].iloc[0]
    assert row["mean"] == pytest.approx(hand.mean(), abs=1e-9)
    assert abs(hand.mean() - data["budget"].mean()) > 1e-3  # bud4 did move the score
    # the regression uses the recomputed score: its equation coefficient equals a refit
    d2 = data.copy()
    d2["budget"] = hand
    m = spec.model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # listwise deletion of one missing answer
        fit = ols(f"{m.mediator} ~ {' + '.join(m.predictors)}", d2,
                  vcov={"cluster": m.cluster})
    b = float(pd.Series(fit.params, index=fit.terms)["budget"])
    md = _md(out, "en")
    eq = re.search(r"equation of Digitalisation process: .*?([+−]) ([\d.]+) Budget adequacy",
                   md)
    assert eq is not None
    assert (-1 if eq.group(1) == "−" else 1) * float(eq.group(2)) == pytest.approx(b, abs=6e-4)
    assert "(BUD4) were dropped, and the construct scores were recomputed" in md
    assert "(BUD4) dikeluarkan, dan skor konstruk dihitung ulang" in _md(out, "id")


def test_every_new_sentence_cites_its_own_table(dropped: tuple[Path, Any, Any]) -> None:
    out, res, _ = dropped
    for lang, word in (("en", "Table"), ("id", "Tabel")):
        by_kind: dict[str, list[str]] = {}
        for t in res.tables[lang]:
            by_kind.setdefault(t.kind, []).append(t.number)
        prose = _prose(_md(out, lang))
        heads = {"en": ["shows that by", "reports the validity", "shows AVE below",
                        "shows the HTMT", "shows the Fornell-Larcker",
                        "reports the descriptive", "shows that the mean of",
                        "regression equation", "shows that the hypothesis"],
                 "id": ["menunjukkan bahwa berdasarkan", "menyajikan uji validitas",
                        "menunjukkan AVE di bawah", "menyajikan rasio HTMT",
                        "kriteria Fornell-Larcker", "menyajikan statistik deskriptif",
                        "menunjukkan rata-rata", "persamaan regresi",
                        "menunjukkan bahwa hipotesis"]}[lang]
        kinds = ["profile", "validity", "reliability", "htmt", "fornell_larcker",
                 "descriptives", "descriptives", "regression", "hypotheses"]
        for head, kind in zip(heads, kinds):
            found = _cited([p for p in prose if head in p], rf"{word} (\d+\.\d+)")
            assert found, f"{lang}: no sentence with {head!r}"
            assert set(found) <= set(by_kind[kind]), (lang, head, found, by_kind[kind])


def test_profile_counts_and_largest_group(dropped: tuple[Path, Any, Any]) -> None:
    from egovstudy.study import load_study_survey

    out, res, spec = dropped
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, survey = load_study_survey(spec)
    prof = next(t for t in res.tables["en"] if t.kind == "profile")
    cats = [v for v in survey.codebook.variables.values() if v.type == "categorical"]
    assert {str(v.label["en"]) for v in cats} == set(prof.data["variable"])
    gender = survey.data["gender"].value_counts()
    rows = prof.data[prof.data["variable"] == "Gender"].set_index("category")
    assert rows.loc["Laki-laki", "n"] == gender["male"]
    assert rows.loc["Perempuan", "n"] == gender["female"]
    assert rows["percent"].sum() == pytest.approx(100.0)
    top = gender.idxmax()
    shown = {"male": "Laki-laki", "female": "Perempuan"}[top]
    md = _md(out, "en")
    assert (f"Table {prof.number} shows that by Gender, the largest group is {shown} "
            f"({gender.max()} respondents") in md


def test_critical_t_and_f_are_rs(dropped: tuple[Path, Any, Any]) -> None:
    from scipy import stats

    out, _, _ = dropped
    # R 4.x: qt(.975, 29) = 2.045229642; qf(.95, 5, 29) = 2.545386488;
    # qf(.95, 6, 29) = 2.432434105 (30 agencies: cluster-robust df = G - 1 = 29)
    r_values = {("t", 29): 2.045229642, ("f", 5, 29): 2.545386488, ("f", 6, 29): 2.432434105}
    assert stats.t.ppf(0.975, 29) == pytest.approx(r_values[("t", 29)], abs=1e-9)
    assert stats.f.ppf(0.95, 5, 29) == pytest.approx(r_values[("f", 5, 29)], abs=1e-9)
    md = _md(out, "en")
    ts = re.findall(r"with df = (\d+), the critical t is ([\d.]+)", md)
    fs = re.findall(r"critical F at α = \.05 with df = \((\d+), (\d+)\) is ([\d.]+)", md)
    assert ts and fs
    for df, t in ts:
        assert float(t) == pytest.approx(r_values[("t", int(df))], abs=5e-4)
    assert {(int(a), int(b)) for a, b, _ in fs} == {(5, 29), (6, 29)}
    for a, b, f in fs:
        assert float(f) == pytest.approx(r_values[("f", int(a), int(b))], abs=5e-4)
    idmd = _md(out, "id")
    assert "nilai t tabel adalah 2.045" in idmd and "F tabel" in idmd


def test_convergent_validity_flags_low_ave(dropped: tuple[Path, Any, Any]) -> None:
    out, res, _ = dropped
    rel = next(t for t in res.tables["en"] if t.kind == "reliability")
    low = rel.data[rel.data["ave"] < 0.5]
    assert set(low["construct"]) == {"Budget adequacy", "Implementation"}
    md = _md(out, "en")
    sentence = next(p for p in _prose(md) if "shows AVE below .50" in p)
    for name, ave in zip(low["construct"], low["ave"]):
        assert f"{name} ({ave:.3f}".replace("0.", ".", 1) in sentence
    assert "Fornell and Larcker (1981) accept AVE < .50" in sentence


def test_assumption_conclusions_and_sensitivity_refit(dropped: tuple[Path, Any, Any]) -> None:
    out, _, _ = dropped
    md = _md(out, "en")
    for what in ("normality", "heteroskedasticity", "multicollinearity",
                 "influential cases"):
        assert f"Conclusion ({what}):" in md
    # the default study has agencies: heteroskedasticity is met by cluster-robust errors
    assert "remedy: cluster-robust standard errors by agency are used" in md
    assert "a sensitivity refit without them" in md
    idmd = _md(out, "id")
    assert "Kesimpulan (heteroskedastisitas)" in idmd and "uji sensitivitas" in idmd


def test_indonesian_has_no_english_leftovers(dropped: tuple[Path, Any, Any]) -> None:
    out, _, _ = dropped
    idmd = _md(out, "id")
    # "CI " as a word (PROCESS's LLCI/ULCI column names are kept, as theses print them)
    for word in ("tolerance", "CI ", "robust terhadap klaster agency", "supported"):
        assert re.search(rf"\b{re.escape(word)}", idmd) is None, word
    assert "berpengaruh positif dan signifikan terhadap" in idmd
    assert "IK 95%" in idmd


def test_pembahasan_paragraph_per_hypothesis(dropped: tuple[Path, Any, Any]) -> None:
    out, res, spec = dropped
    every = [h.id for h in spec.hypotheses]  # direct ones first, then the mediation ones
    direct = [h.id for h in spec.hypotheses if not h.via] + [h.id for h in spec.hypotheses
                                                             if h.via]
    assert sorted(direct) == sorted(every)
    hyp = next(t for t in res.tables["id"] if t.kind == "hypotheses")
    figs = dict(res.figures["id"])
    idmd = _md(out, "id")
    part = idmd.split("## Pembahasan", 1)[1]
    paras = [p for p in _prose(part) if "[bandingkan dengan penelitian terdahulu" in p]
    assert [p.split(" ", 1)[0] for p in paras] == direct
    for p in paras:
        assert f"Tabel {hyp.number} menunjukkan" in p
        fig = re.search(r"Gambar (\d+\.\d+)", p)
        assert fig is not None and fig.group(1) in figs
    assert "## Discussion" in _md(out, "en")


def test_no_categorical_variables_gives_a_sentence(tmp_path: Path) -> None:
    from egovstudy.report import results_chapter
    from egovstudy.study import load_study_survey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, survey = load_study_survey(STUDY)
        bare = copy.copy(survey)
        bare.codebook = dataclasses.replace(survey.codebook, variables={})
        res = results_chapter(bare, tmp_path / "c.md", language=("en", "id"), formats=("md",),
                              pls=False, dpi=60)
    assert all(t.kind != "profile" for t in res.tables["en"])
    assert "no respondent profile is reported" in (tmp_path / "c_en.md").read_text("utf-8")
    assert "karakteristik responden tidak disajikan" in (tmp_path / "c_id.md").read_text(
        "utf-8")


def test_pls_measurement_and_structural_sentences(tmp_path: Path) -> None:
    from egovstudy.report import results_chapter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(STUDY, tmp_path / "p.md", language=("en", "id"), n_boot=100,
                              pls=True, formats=("md",), dpi=60)
    for lang, word in (("en", "Table"), ("id", "Tabel")):
        tabs = {t.kind: t for t in res.tables[lang]}
        for kind in ("pls_loadings", "pls_reliability", "pls_htmt", "pls", "pls_fit"):
            assert kind in tabs, (lang, kind)
        prose = _prose((tmp_path / f"p_{lang}.md").read_text(encoding="utf-8"))
        loadings = tabs["pls_loadings"].data
        n_ok = int((loadings["estimate"] >= 0.70).sum())
        first = next(p for p in prose if p.startswith(f"{word} {tabs['pls_loadings'].number} "))
        assert f" {n_ok} " in first and f" {len(loadings)} " in first
        lowest = loadings.loc[loadings["estimate"].idxmin(), "indicator"]
        assert lowest in first  # bud4, the planted weak item
        rel = next(p for p in prose
                   if p.startswith(f"{word} {tabs['pls_reliability'].number} "))
        n_ave = int((tabs["pls_reliability"].data["ave"] >= 0.5).sum())
        assert f" {n_ave} " in rel
        assert any(p.startswith(f"{word} {tabs['pls_htmt'].number} ") for p in prose)
        n_paths = len(tabs["pls"].data)
        assert sum(p.startswith(f"{word} {tabs['pls'].number}: ") for p in prose) == n_paths
        fit = tabs["pls_fit"].data
        r2_sent = [p for p in prose if p.startswith(f"{word} {tabs['pls_fit'].number}: R²")]
        assert len(r2_sent) == len(fit)
        for sentence, r2 in zip(r2_sent, fit["r2"]):
            # Hair et al. (2019): .75 substantial, .50 moderate, .25 weak
            word_r2 = {"en": ("substantial", "moderate", "weak", "below the weak level"),
                       "id": ("kuat", "moderat", "lemah", "di bawah batas lemah")}[lang]
            idx = 0 if r2 >= .75 else 1 if r2 >= .5 else 2 if r2 >= .25 else 3
            assert f"({word_r2[idx]};" in sentence


def test_heteroskedasticity_without_clusters_refits_with_hc3(tmp_path: Path) -> None:
    # no cluster unit: the remedy named in the text (HC3) is the covariance the t tests use
    from egovstudy import ols
    from egovstudy.models import assumption_tests
    from egovstudy.report import results_chapter
    from egovstudy.study import ModelSpec, load_study_survey

    model = ModelSpec(predictors=["hr_quality", "budget", "digitalisation"],
                      outcome="performance")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, survey = load_study_survey(STUDY)
        formula = "performance ~ hr_quality + budget + digitalisation"
        classical = ols(formula, survey.data)
        verdicts = set(assumption_tests(classical).tidy()["verdict"])
        assert "heteroskedastic" in verdicts  # the premise of this test
        res = results_chapter(STUDY, tmp_path / "h.md", language="en", formats=("md",),
                              model=model, pls=False, dpi=60,
                              hypotheses=[{"id": "H1", "from": "budget", "to": "performance"}])
        hc3 = ols(formula, survey.data, vcov="HC3").tidy().set_index("term").loc["budget"]
    md = _plain((tmp_path / "h.md").read_text(encoding="utf-8"))
    assert "remedy: HC3 heteroskedasticity-consistent standard errors are used" in md
    found = re.search(r"Hypothesis H1 \(Budget adequacy → Employee performance\) is [a-z ]+? "
                      r"\(b = ([\d.]+), t\((\d+)\) = ([\d.]+)", md)
    assert found is not None
    assert float(found.group(3)) == pytest.approx(hc3["statistic"], abs=0.006)
    cls = classical.tidy().set_index("term").loc["budget", "statistic"]
    assert abs(float(found.group(3)) - cls) > 0.01  # not the classical t
    assert res.skipped == []
