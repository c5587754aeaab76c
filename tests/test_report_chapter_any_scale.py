"""The results chapter of a study unlike the default one: a 7-point English survey whose
cluster column is called ``office`` (issue: "Any scale is described as 5-point")."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _generic_survey import AGREE7_EN, make_generic_study

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from egovstudy.report import results_chapter

    folder = tmp_path_factory.mktemp("generic7")
    study = make_generic_study(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(study, folder / "out" / "bab4.docx", language=("en", "id"),
                              n_boot=200, pls=False, table_formats=("csv", "md"),
                              figure_formats=("png",), dpi=80)
    return folder, res


def test_seven_point_items_get_every_code_and_their_own_categories(
        generic: tuple[Path, object]) -> None:
    folder, res = generic
    for lang in ("en", "id"):
        desc = next(t for t in res.tables[lang] if t.kind == "descriptives")  # type: ignore[attr-defined]
        pct = [c for c in desc.display.columns if str(c).startswith("% ")]
        assert pct == [f"% {v}" for v in range(1, 8)]
        raw = desc.data
        items = raw[raw["level"] == "item"]
        # every answer is counted: the seven percentages of an item add up to 100
        sums = items[[f"pct_{v}" for v in range(1, 8)]].sum(axis=1)
        assert sums.to_numpy() == pytest.approx(100.0)
        assert set(raw["scale_min"]) == {1} and set(raw["scale_max"]) == {7}
        # the interval rule on 1-7: width 6/5 = 1.2, so a mean of 4.3 is the third class
        from egovstudy.report.tables import interpretation_category

        for _, r in raw.iterrows():
            assert r["category"] == interpretation_category(r["mean"], low=1, high=7,
                                                            language=lang)
        assert any("1.20" in n or "1,20" in n for n in desc.notes)
    # the answers in the export: recount one item by hand
    data = pd.read_csv(folder / "data.csv")
    col = "System quality: statement 1"
    counts = data[col].value_counts(normalize=True) * 100
    desc = next(t for t in res.tables["en"] if t.kind == "descriptives")  # type: ignore[attr-defined]
    row = desc.data[desc.data["variable"] == "SYS1"].iloc[0]
    for code, label in enumerate(AGREE7_EN, start=1):
        assert row[f"pct_{code}"] == pytest.approx(counts.get(label, 0.0), abs=1e-9)


def test_generic_chapter_sentences_match_their_tables(generic: tuple[Path, object]) -> None:
    folder, res = generic
    md = (folder / "out" / "bab4_en.md").read_text(encoding="utf-8")
    # the unit of clustering is the study's own column, never "agency"
    assert "agency" not in md.lower()
    assert "(24 clusters of Office)" in md
    md = md.replace("*", "").replace("\u2212", "-")  # APA markup: italic symbols, minus signs
    for _df1, df2 in re.findall(r"F\((\d+), (\d+)\) = ", md):
        assert int(df2) == 23
    hyp = next(t for t in res.tables["en"] if t.kind == "hypotheses")  # type: ignore[attr-defined]
    p_in_table = dict(zip(hyp.display["Hypothesis"], hyp.display["p"]))
    sentences = re.findall(r"Hypothesis (H\d) \(.*?\) is (?:not )?supported \(b = [-\d.]+, "
                           r"t\(\d+\) = [-\d.]+, (p [<=] [.\d]+) \(two-sided\)\)", md)
    assert len(sentences) == 3
    for h, p in sentences:
        assert p.replace("p = ", "").replace("p < ", "<") == str(p_in_table[h]).replace(
            "< ", "<"), h


def test_cli_mediate_gives_the_chapter_interval(generic: tuple[Path, object],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # before: the chapter bootstrapped clusters while `egovstudy mediate` on the same study and
    # seed drew an ordinary bootstrap, so the two printed different intervals
    from egovstudy.cli import main

    folder, res = generic
    med = next(t for t in res.tables["en"] if t.kind == "mediation")  # type: ignore[attr-defined]
    ind = med.data[med.data["term"].str.startswith("H4: a × b")].iloc[0]
    assert any("cluster bootstrap by Office (24 clusters" in n for n in med.notes)
    assert any("seed 11" in n for n in med.notes)
    assert main(["mediate", str(folder / "study.yaml"), "--n-boot", "200"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("indirect"))
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", line)]
    assert numbers[0] == pytest.approx(ind["estimate"], abs=5e-5)
    assert ind["ci_low"] == pytest.approx(numbers[-2], abs=5e-5)
    assert ind["ci_high"] == pytest.approx(numbers[-1], abs=5e-5)
    assert "cluster bootstrap by office" in out


def test_pls_section_uses_the_study_bootstrap_and_states_missing_answers(
        tmp_path: Path) -> None:
    # before: PLS-SEM ran 1,000 resamples whatever the study said, and mean-imputed the
    # blank answers of about half the respondents without a word in the chapter
    from egovstudy import load_survey
    from egovstudy.report import results_chapter
    from egovstudy.study import read_study

    study = make_generic_study(tmp_path, n_offices=12, per_office=15)
    spec = read_study(study)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(study, tmp_path / "out" / "bab4.docx", language="en",
                              n_boot=120, pls=True, table_formats=("md",),
                              figure_formats=("png",), dpi=60)
        data = load_survey(spec.data, spec.codebook).data
    md = (tmp_path / "out" / "bab4.md").read_text(encoding="utf-8")
    pls = next(t for t in res.tables["en"] if t.kind == "pls")  # type: ignore[attr-defined]
    assert any("cluster bootstrap by Office, 120 resamples, seed 11" in n for n in pls.notes)
    items = [c for c in data.columns if c[:3] in ("sys", "use", "sat", "ben") and c[3:].isdigit()]
    blank = data[items].isna()
    sentence = (f"Missing answers: {int(blank.to_numpy().sum())} values in "
                f"{int(blank.any(axis=1).sum())} of {len(data)} respondents were replaced by the "
                "indicator mean")
    assert sentence in md


def test_one_sided_only_where_the_study_file_asks(tmp_path: Path) -> None:
    import yaml

    from egovstudy.report import results_chapter

    study = make_generic_study(tmp_path, n_offices=12, per_office=15)
    spec = yaml.safe_load(study.read_text(encoding="utf-8"))
    spec["hypotheses"][1]["tail"] = "one-sided"
    study.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(study, tmp_path / "out" / "bab4.docx", language="en",
                              n_boot=100, pls=False, table_formats=("md",),
                              figure_formats=("png",), dpi=60)
    md = (tmp_path / "out" / "bab4.md").read_text(encoding="utf-8")
    assert "p is two-sided except for H2 (one-sided)" in md
    assert re.search(r"Hypothesis H2 \(.*?\) is (not )?supported \(.*\(one-sided\)\)", md)
    assert re.search(r"Hypothesis H1 \(.*?\) is (not )?supported \(.*\(two-sided\)\)", md)
    hyp = next(t for t in res.tables["en"] if t.kind == "hypotheses")  # type: ignore[attr-defined]
    assert list(hyp.data["tail"].dropna()) == ["two-sided", "one-sided", "two-sided"]
    # a one-sided test without an expected sign is refused by the study file check
    spec["hypotheses"][1]["direction"] = "two-sided"
    study.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    from egovstudy.study import StudyFileError, read_study

    with pytest.raises(StudyFileError, match=r"hypotheses\[1\]\.tail: a one-sided test needs"):
        read_study(study)
