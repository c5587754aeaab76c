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
                   "fit": {"n_boot": 100}, "ipma": {"target": "benefits", "scale": [1, 7]},
                   "moderation": [{"iv": "satisfaction", "moderator": "use",
                                   "to": "benefits"}]}
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
    assert "Moderation (two-stage interaction terms)" in md
    assert "moderat" in md.split("Moderation (two-stage interaction terms)")[1][:3000]
    kinds = [t.kind for t in res.tables["en"]]  # type: ignore[attr-defined]
    assert kinds.count("pls_assessment") == 4


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
    spec["pls"] = {"moderation": [{"iv": "use", "moderator": "satisfaction"}]}
    study.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(EgovStudyError, match="to"):
        read_study(study)


def test_moderation_key_names_model_constructs() -> None:
    import numpy as np
    import pandas as pd

    from egovstudy.errors import ModelSpecError
    from egovstudy.report.sections.pls_assessment import assessment_tables

    rng = np.random.default_rng(1)
    d = pd.DataFrame(rng.normal(size=(120, 4)), columns=["x1", "x2", "y1", "y2"])
    kw = {"measurement": {"X": ["x1", "x2"], "Y": ["y1", "y2"]},
          "structural": [("X", "Y")], "core": {}, "seed": 1}
    with pytest.raises(ModelSpecError, match="moderator='Z' is not a construct"):
        assessment_tables(d, options={"moderation": [{"iv": "X", "moderator": "Z",
                                                      "to": "Y"}]}, **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="moderator 'Y' must differ"):
        assessment_tables(d, options={"moderation": [{"iv": "X", "moderator": "Y",
                                                      "to": "Y"}]}, **kw)  # type: ignore[arg-type]
    d["z1"], d["z2"] = rng.normal(size=(2, 120))
    kw3 = {**kw, "measurement": {"X": ["x1", "x2"], "Z": ["z1", "z2"], "Y": ["y1", "y2"]},
           "structural": [("X", "Y"), ("Z", "Y")]}
    with pytest.raises(ModelSpecError, match="no path Y -> X"):
        assessment_tables(d, options={"moderation": [{"iv": "Y", "moderator": "Z",
                                                      "to": "X"}]}, **kw3)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="mixes methods"):
        assessment_tables(d, options={"moderation": [
            {"iv": "X", "moderator": "Z", "to": "Y", "method": "two_stage"},
            {"iv": "Z", "moderator": "X", "to": "Y", "method": "product_indicator"}]},
            **kw3)  # type: ignore[arg-type]


@pytest.mark.slow
def test_study_higher_order_reaches_the_chapter(tmp_path: Path) -> None:
    # the default study's mediator (digitalisation) has five codebook dimensions: with
    # pls.higher_order the chapter measures it by their stage-1 scores (two-stage HOC)
    import shutil

    from egovstudy.report import results_chapter

    src = Path(__file__).resolve().parents[1] / "data" / "raw" / "default_study"
    folder = tmp_path / "study"
    shutil.copytree(src, folder)
    spec = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    spec["pls"] = {"higher_order": {"method": "two_stage"}}
    (folder / "study.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results_chapter(folder / "study.yaml", tmp_path / "out" / "bab4.docx", language="en",
                        n_boot=100, pls=True, table_formats=("md",), figure_formats=("png",),
                        dpi=60)
    md = (tmp_path / "out" / "bab4.md").read_text(encoding="utf-8")
    loadings = md.split("*PLS-SEM Outer Loadings*")[1].split("\n\n\n")[0]
    # the dimensions are constructs: printed by their codebook labels
    for dim in ("Planning", "Organising", "Implementation", "Monitoring", "Evaluation"):
        assert f"| Digitalisation process | {dim} |" in loadings


def test_fit_pls_uses_pls_higher_order(reference_data: Path) -> None:
    import pandas as pd

    from egovstudy.pls_extend import pls_higher_order
    from egovstudy.report.sections.pls_assessment import fit_pls

    mobi = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    meas = {"Expectation": ["CUEX1", "CUEX2", "CUEX3"],
            "Satisfaction": [f"IMAG{i}" for i in range(1, 6)] + ["PERV1", "PERV2"],
            "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
    dims = {"Satisfaction": {"Image": [f"IMAG{i}" for i in range(1, 6)],
                             "Value": ["PERV1", "PERV2"]}}
    sm = [("Expectation", "Satisfaction"), ("Satisfaction", "Loyalty")]
    got = fit_pls(mobi, measurement=meas, structural=sm, dimensions=dims,
                  core={"higher_order": {"method": "two_stage"}}, n_boot=0, q2_folds=0)
    ref = pls_higher_order(mobi, measurement={"Expectation": meas["Expectation"],
                                              "Loyalty": meas["Loyalty"], **dims["Satisfaction"]},
                           structural=sm, higher_order={"Satisfaction": ["Image", "Value"]},
                           n_boot=0, q2_folds=0)
    pd.testing.assert_frame_equal(got.paths, ref.fit.paths)
    plain = fit_pls(mobi, measurement=meas, structural=sm, dimensions=dims, core={},
                    n_boot=0, q2_folds=0)
    assert "IMAG1" in plain.outer_loadings["indicator"].tolist()
