"""Tests of PLS-SEM moderation (egovstudy.pls_extend).

References:

* The moderation model of Hair et al. (2021), *PLS-SEM Using R*, ch. 7: the extended
  corporate reputation model with switching costs (SC) moderating CUSA -> CUSL,
  two-stage interaction term. seminr's fixture tests/fixtures/V_3_6_0/
  interaction_fsquare.csv (sem-in-r/seminr, written by the test of
  ``summary(corp_rep_pls_model_mod)$fSquare``) gives f² of CUSA*SC -> CUSL =
  0.0142853429481137; f² there is computed from the R² of CUSL with and without the
  interaction path, so it checks the second-stage R² to many digits.
* Higher-order constructs: seminr's tests/testthat/test-hoc.R (mobi data; Satisfaction as
  a two-stage HOC of Image and Value; Expectation, Quality -> Satisfaction ->
  Complaints, Loyalty), fixtures tests/fixtures/V_3_5_X/hoc-paths.csv and
  V_3_6_0/hoc-loadings.csv.
* With single-indicator constructs PLS paths are standardized OLS coefficients, so the
  interaction path equals R's ``lm(scale(y) ~ x + m + scale(x * m))`` (x, m
  standardized; R call in the test).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from egovstudy.errors import ModelSpecError
from egovstudy.pls_extend import pls_higher_order, pls_moderation, simple_slopes_pls

matplotlib.use("Agg")

MOD_MM = {"QUAL": [f"qual_{i}" for i in range(1, 9)], "PERF": [f"perf_{i}" for i in range(1, 6)],
          "CSOR": [f"csor_{i}" for i in range(1, 6)], "ATTR": [f"attr_{i}" for i in range(1, 4)],
          "COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"],
          "CUSA": ["cusa"], "SC": [f"switch_{i}" for i in range(1, 5)],
          "CUSL": ["cusl_1", "cusl_2", "cusl_3"]}
MOD_SM = ([(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")]
          + [(a, b) for a in ("COMP", "LIKE") for b in ("CUSA", "CUSL")]
          + [("CUSA", "CUSL"), ("SC", "CUSL"), ("CUSA*SC", "CUSL")])
MOD_MODE = dict.fromkeys(("QUAL", "PERF", "CSOR", "ATTR"), "B")


@pytest.fixture(scope="module")
def corp(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "seminr" / "corp_rep_data.csv")


def _fit(corp: pd.DataFrame, **kw: object):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pls_moderation(corp, measurement=MOD_MM, structural=MOD_SM, mode=MOD_MODE,
                              interactions=[("CUSA", "SC")], na_values=[-99], **kw)


def test_two_stage_matches_seminr_fsquare(corp: pd.DataFrame) -> None:
    r = _fit(corp, n_boot=300, seed=3, q2_folds=0)
    row = r.interactions.iloc[0]
    assert (row["term"], row["to"]) == ("CUSA*SC", "CUSL")
    # seminr interaction_fsquare.csv, row CUSA*SC, column CUSL
    assert row["f2"] == pytest.approx(0.0142853429481137, abs=1e-9)
    # switching costs weaken CUSA -> CUSL: a negative interaction, as Hair et al. (2021,
    # ch. 7) discuss
    assert row["estimate"] < 0 and row["ci_low"] < row["estimate"] < row["ci_high"]
    sent = r.sentences("id")[0]
    assert "SC" in sent and "CUSA" in sent and "CUSL" in sent and "b = -0,0" in sent
    # same seed, same numbers
    r2 = _fit(corp, n_boot=300, seed=3, q2_folds=0)
    pd.testing.assert_frame_equal(r.interactions, r2.interactions)


def test_single_items_equal_standardized_ols(corp: pd.DataFrame) -> None:
    # R: x <- scale(d$cusa); m <- scale(d$switch_1); y <- scale(d$cusl_1)
    #    coef(lm(y ~ x + m + scale(x * m)))   (d: -99 -> mean replaced)
    ref = {"X": 0.4147392267, "M": 0.2963536130, "X*M": -0.03404287865}
    for method in ("two_stage", "product_indicator"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = pls_moderation(corp, measurement={"X": ["cusa"], "M": ["switch_1"],
                                                  "Y": ["cusl_1"]},
                               structural=[("X", "Y"), ("M", "Y"), ("X*M", "Y")],
                               interactions=[("X", "M")], method=method,  # type: ignore[arg-type]
                               na_values=[-99], n_boot=0, q2_folds=0)
        got = r.fit.paths.set_index("from")["estimate"]
        for k, v in ref.items():
            assert got[k] == pytest.approx(v, abs=1e-8), (method, k)
        # R: summary(lm(...))$r.squared
        assert r.fit.r2["r2"].iloc[0] == pytest.approx(0.3649662314, abs=1e-9)


def test_product_indicator_block(corp: pd.DataFrame) -> None:
    # no published value: the interaction block has 1 x 4 product indicators and the
    # estimate is close to the two-stage one (Hair et al. 2021, ch. 7 recommend two-stage
    # and note the approaches agree closely for reflective blocks)
    r = _fit(corp, n_boot=0, q2_folds=0, method="product_indicator")
    w = r.fit.outer_weights
    assert w.loc[w["construct"] == "CUSA*SC", "indicator"].tolist() == [
        f"cusa*switch_{i}" for i in range(1, 5)]
    ts = _fit(corp, n_boot=0, q2_folds=0)
    assert abs(r.interactions["estimate"].iloc[0] - ts.interactions["estimate"].iloc[0]) < 0.01


def test_simple_slopes_plot(corp: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    r = _fit(corp, n_boot=200, seed=1, q2_folds=0)
    ax = simple_slopes_pls(r, labels={"CUSA": "Satisfaction"})
    lines = ax.get_lines()
    assert len(lines) == 3
    b = r.fit.paths.set_index("from")["estimate"]
    # each line's slope is b_CUSA + b_int * w for w = -1, 0, +1 (standardized constructs)
    for line, wv in zip(lines, (-1.0, 0.0, 1.0), strict=True):
        x, y = line.get_data()
        slope = (y[-1] - y[0]) / (x[-1] - x[0])
        assert slope == pytest.approx(b["CUSA"] + b["CUSA*SC"] * wv, abs=1e-9)
    assert ax.get_xlabel() == "Satisfaction"
    plt.close("all")


def test_moderation_bad_input(corp: pd.DataFrame) -> None:
    kw = {"measurement": {"X": ["cusa"], "M": ["switch_1"], "Y": ["cusl_1"]},
          "structural": [("X", "Y"), ("M", "Y"), ("X*M", "Y")]}
    with pytest.raises(ModelSpecError, match=r"'MM', which is not a construct.*did you mean 'M'"):
        pls_moderation(corp, interactions=[("X", "MM")], **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="method='orthogonal'"):
        pls_moderation(corp, interactions=[("X", "M")], method="orthogonal",  # type: ignore[arg-type]
                       **kw)
    with pytest.raises(ModelSpecError, match="no path from the interaction 'M\\*X'"):
        pls_moderation(corp, interactions=[("M", "X")], **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="interactions must list"):
        pls_moderation(corp, interactions=[], **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="moderator must differ"):
        pls_moderation(corp, interactions=[("X", "X")], **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="'X\\*M' is already a column"):
        pls_moderation(corp.assign(**{"X*M": 1.0}), interactions=[("X", "M")],
                       **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="path from 'Y\\*Z', which is not in interactions"):
        pls_moderation(corp, interactions=[("X", "M")], measurement=kw["measurement"],
                       structural=[("X", "Y"), ("M", "Y"), ("X*M", "Y"), ("Y*Z", "Y")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r0 = pls_moderation(corp, interactions=[("X", "M")], n_boot=0, q2_folds=0,
                            na_values=[-99], **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="no bootstrap; refit with n_boot"):
        simple_slopes_pls(r0)
    with pytest.raises(ModelSpecError, match="pass the ModerationResult"):
        simple_slopes_pls(r0.fit)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- higher order
HOC_MM = {"Image": [f"IMAG{i}" for i in range(1, 6)], "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
          "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
          "Complaints": ["CUSCO"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
HOC_SM = [("Expectation", "Satisfaction"), ("Quality", "Satisfaction"),
          ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty")]


@pytest.fixture(scope="module")
def mobi(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "seminr" / "mobi.csv")


def test_two_stage_hoc_matches_seminr(mobi: pd.DataFrame) -> None:
    r = pls_higher_order(mobi, measurement=HOC_MM, structural=HOC_SM,
                         higher_order={"Satisfaction": ["Image", "Value"]}, n_boot=0,
                         q2_folds=0)
    paths = r.fit.paths.set_index(["from", "to"])["estimate"]
    # seminr hoc-paths.csv
    ref = {("Expectation", "Satisfaction"): 0.103641382040823,
           ("Quality", "Satisfaction"): 0.720064333276669,
           ("Satisfaction", "Complaints"): 0.486257317953653,
           ("Satisfaction", "Loyalty"): 0.627602841720655}
    for k, v in ref.items():
        assert paths[k] == pytest.approx(v, abs=1e-6), k
    # seminr hoc-loadings.csv: the HOC's loadings on its dimensions' scores, and CUSL2
    ld = r.fit.outer_loadings.set_index("indicator")["estimate"]
    assert ld["Image"] == pytest.approx(0.895650876207813, abs=1e-6)
    assert ld["Value"] == pytest.approx(0.839452525936479, abs=1e-6)
    assert ld["CUSL2"] == pytest.approx(0.224294512163711, abs=1e-6)
    assert r.first_stage is not None and set(r.first_stage.paths["to"]) >= {"Image", "Value"}


def test_repeated_indicators_hoc(mobi: pd.DataFrame) -> None:
    # no published value: properties from the literature.
    ri = pls_higher_order(mobi, measurement=HOC_MM, structural=HOC_SM,
                          higher_order={"Satisfaction": ["Image", "Value"]},
                          method="repeated_indicators", n_boot=0, q2_folds=0)
    w = ri.fit.outer_weights
    assert w.loc[w["construct"] == "Satisfaction", "indicator"].tolist() == [
        *(f"IMAG{i}@Satisfaction" for i in range(1, 6)), "PERV1@Satisfaction",
        "PERV2@Satisfaction"]
    # reflective-reflective: the HOC explains its dimensions, and the structural paths are
    # close to the two-stage ones (Sarstedt et al. 2019 find the approaches agree)
    p = ri.fit.paths.set_index(["from", "to"])["estimate"]
    assert p[("Satisfaction", "Image")] > 0.8 and p[("Satisfaction", "Value")] > 0.7
    assert p[("Quality", "Satisfaction")] == pytest.approx(0.720064333276669, abs=0.02)
    # reflective-formative with repeated indicators: the dimensions explain (almost) all of
    # the HOC, so other antecedents' paths shrink towards zero (Becker, Klein & Wetzels
    # 2012, the reason the two-stage approach is recommended there)
    rf = pls_higher_order(mobi, measurement=HOC_MM, structural=HOC_SM,
                          higher_order={"Satisfaction": ["Image", "Value"]},
                          method="repeated_indicators", hoc_mode={"Satisfaction": "B"},
                          n_boot=0, q2_folds=0)
    assert rf.fit.r2.set_index("construct").loc["Satisfaction", "r2"] > 0.99
    pf = rf.fit.paths.set_index(["from", "to"])["estimate"]
    assert abs(pf[("Quality", "Satisfaction")]) < 0.05


def test_hoc_bad_input(mobi: pd.DataFrame) -> None:
    kw = {"measurement": HOC_MM, "structural": HOC_SM}
    with pytest.raises(ModelSpecError, match=r"'Imgae', which is not a construct.*'Image'"):
        pls_higher_order(mobi, higher_order={"Satisfaction": ["Imgae", "Value"]},
                         **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="has 1 dimension"):
        pls_higher_order(mobi, higher_order={"Satisfaction": ["Image"]},
                         **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="'Image' of 'Satisfaction'; use the higher-order"):
        pls_higher_order(mobi, measurement=HOC_MM,
                         structural=[*HOC_SM, ("Image", "Loyalty")],
                         higher_order={"Satisfaction": ["Image", "Value"]})
    with pytest.raises(ModelSpecError, match="'Loyalty' is also in measurement"):
        pls_higher_order(mobi, higher_order={"Loyalty": ["Image", "Value"]},
                         **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="hoc_mode\\['Satisfaction'\\]='C'"):
        pls_higher_order(mobi, higher_order={"Satisfaction": ["Image", "Value"]},
                         hoc_mode={"Satisfaction": "C"}, **kw)  # type: ignore[arg-type,dict-item]
    with pytest.raises(ModelSpecError, match="method='embedded'"):
        pls_higher_order(mobi, higher_order={"Satisfaction": ["Image", "Value"]},
                         method="embedded", **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="dimension 'CUSCO' is also an indicator name"):
        mm = {k: v for k, v in HOC_MM.items() if k != "Image"}
        pls_higher_order(mobi, measurement={**mm, "CUSCO": ["CUSA1", "CUSA2"]},
                         structural=HOC_SM,
                         higher_order={"Satisfaction": ["CUSCO", "Value"]})
    with pytest.raises(ModelSpecError, match="'Image' belongs to both"):
        pls_higher_order(mobi, higher_order={"Satisfaction": ["Image", "Value"],
                                             "Other": ["Image", "Quality"]},
                         **kw)  # type: ignore[arg-type]
