"""The study file's ``pls:`` assessment keys reach the estimators and the chapter.

The numbers behind these tables are tested against seminr, car and lavaan in
tests/test_pls_assess.py; here the wiring is checked: every key changes the output, and
keys the schema does not know are refused.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _generic_survey import make_generic_study


@pytest.mark.slow
def test_study_pls_assessment_reaches_the_chapter(tmp_path: Path) -> None:
    from egovstudy.report import results_chapter

    study = make_generic_study(tmp_path, n_offices=12, per_office=15)
    spec = yaml.safe_load(study.read_text(encoding="utf-8"))
    spec["pls"] = {"predict": {"folds": 5, "repetitions": 2, "technique": "EA"},
                   "fit": {"n_boot": 100}, "ipma": {"target": "benefits", "scale": [1, 7]}}
    study.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(study, tmp_path / "out" / "bab4.docx", language="en",
                              n_boot=100, pls=True, table_formats=("md",),
                              figure_formats=("png",), dpi=60)
    md = (tmp_path / "out" / "bab4.md").read_text(encoding="utf-8")
    assert "PLSpredict: PLS-SEM vs the linear-model benchmark" in md
    assert "PLSpredict (5 folds, 2 repetitions)" in md
    assert "*Model fit (SRMR, d" in md and "The SRMR of the estimated model is" in md
    assert "most important driver" in md
    kinds = [t.kind for t in res.tables["en"]]  # type: ignore[attr-defined]
    assert kinds.count("pls_assessment") == 3


def test_study_refuses_unknown_pls_keys(tmp_path: Path) -> None:
    from egovstudy.errors import EgovStudyError
    from egovstudy.study import read_study

    study = make_generic_study(tmp_path, n_offices=12, per_office=15)
    spec = yaml.safe_load(study.read_text(encoding="utf-8"))
    spec["pls"] = {"predict": {"folds": 5, "repeats": 2}}
    study.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(EgovStudyError, match="repeats"):
        read_study(study)
    spec["pls"] = {"ipma": {"scale": [1, 7]}}
    study.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(EgovStudyError, match="target"):
        read_study(study)
