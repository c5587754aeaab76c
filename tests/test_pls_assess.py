"""Tests of the PLS-SEM assessment (egovstudy.pls_assess).

References:

* Outer VIF: R's ``car::vif`` (car 3.x) on the formative blocks of the extended
  corporate reputation model of Hair et al. (2021), *PLS-SEM Using R*, ch. 5 (data
  ``corp_rep_data``, -99 = missing, mean replacement)::

      d <- read.csv("corp_rep_data.csv"); d[d == -99] <- NA
      for (j in seq_along(d)) d[is.na(d[, j]), j] <- mean(d[, j], na.rm = TRUE)
      car::vif(lm(yy ~ qual_1 + ... + qual_8, data = d))   # yy: any response

* PLSpredict: seminr's fixtures tests/fixtures/V_3_6_0/predict_pls_DA.csv and
  predict_pls_EA.csv (sem-in-r/seminr, tests/testthat/test-plspredict.R:
  ``predict_pls(corp_rep_pls_model_ext, technique = predict_DA / predict_EA,
  noFolds = 344)``, leave-one-out, so no random fold split is involved). Rows 3/4 are
  the PLS out-of-sample RMSE/MAE, rows 7/8 the LM out-of-sample RMSE/MAE.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import ModelSpecError
from egovstudy.pls import pls_sem
from egovstudy.pls_assess import formative_assessment, model_fit, outer_vif, pls_predict
from tests._mobi import MOBI_MM

EXT_MM = {"QUAL": [f"qual_{i}" for i in range(1, 9)], "PERF": [f"perf_{i}" for i in range(1, 6)],
          "CSOR": [f"csor_{i}" for i in range(1, 6)], "ATTR": [f"attr_{i}" for i in range(1, 4)],
          "COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"],
          "CUSA": ["cusa"], "CUSL": ["cusl_1", "cusl_2", "cusl_3"]}
EXT_SM = ([(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")]
          + [(a, b) for a in ("COMP", "LIKE") for b in ("CUSA", "CUSL")] + [("CUSA", "CUSL")])
EXT_MODE = dict.fromkeys(("QUAL", "PERF", "CSOR", "ATTR"), "B")
ENDO_ITEMS = ["comp_1", "comp_2", "comp_3", "like_1", "like_2", "like_3", "cusa", "cusl_1",
              "cusl_2", "cusl_3"]


@pytest.fixture(scope="module")
def corp(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "seminr" / "corp_rep_data.csv")


def test_outer_vif_matches_car_vif(corp: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = outer_vif(corp, measurement=EXT_MM, na_values=[-99]).set_index("indicator")["vif"]
    # car::vif values (R call in the module docstring), rounded to 6 decimals
    ref = {"qual_1": 1.805542, "qual_2": 1.631807, "qual_3": 2.269271, "qual_4": 1.956556,
           "qual_5": 2.200697, "qual_6": 2.008039, "qual_7": 1.622898, "qual_8": 1.362041,
           "perf_1": 1.560095, "perf_2": 1.505802, "perf_3": 1.228651, "perf_4": 1.316294,
           "perf_5": 1.331353, "csor_1": 1.560449, "csor_2": 1.487495, "csor_3": 1.734933,
           "csor_4": 1.555961, "csor_5": 1.712105, "attr_1": 1.274879, "attr_2": 1.129485,
           "attr_3": 1.264234}
    for it, val in ref.items():
        assert v[it] == pytest.approx(val, abs=2e-6), it
    assert v["cusa"] == 1.0   # single indicator: SmartPLS prints 1.000


def test_outer_vif_bad_input(corp: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match="'qual_99' is not a column"):
        outer_vif(corp, measurement={"QUAL": ["qual_1", "qual_99"]})
    d = corp[["qual_1", "qual_2"]].assign(qual_3=corp["qual_1"] + corp["qual_2"])
    with pytest.raises(ModelSpecError, match="indicators of 'Q' are perfectly collinear"):
        outer_vif(d, measurement={"Q": ["qual_1", "qual_2", "qual_3"]})
    with pytest.raises(ModelSpecError, match="measurement must map"):
        outer_vif(corp, measurement={})


# seminr fixture rows (see module docstring): RMSE and MAE, PLS and LM, out of sample
SEMINR_DA = {
    "pls_rmse": [1.043629329, 1.100141058, 1.135192128, 1.127177512, 1.482142812, 1.50935676,
                 0.997149111, 1.19248628, 1.239661768, 1.312412929],
    "pls_mae": [0.798866334, 0.882640252, 0.897727264, 0.855954129, 1.149073617, 1.170249599,
                0.777705619, 0.882046273, 0.918901808, 0.957244219],
    "lm_rmse": [1.063798384, 1.110136012, 1.127114471, 1.148741709, 1.542315591, 1.578073907,
                0.991382503, 1.204255763, 1.254514491, 1.3328256],
    "lm_mae": [0.809836945, 0.871951261, 0.86561048, 0.876255232, 1.181077897, 1.232912983,
               0.776804863, 0.884958157, 0.927361162, 0.966591783]}
SEMINR_EA = {
    "pls_rmse": [1.043629329, 1.100141058, 1.135192128, 1.127177512, 1.482142812, 1.50935676,
                 1.021209189, 1.299571562, 1.52249223, 1.530234281],
    "pls_mae": [0.798866334, 0.882640252, 0.897727264, 0.855954129, 1.149073617, 1.170249599,
                0.790656327, 0.988709765, 1.174357176, 1.154882281],
    "lm_rmse": [1.063798384, 1.110136012, 1.127114471, 1.148741709, 1.542315591, 1.578073907,
                1.013235773, 1.30369479, 1.532354411, 1.559504791],
    "lm_mae": [0.809836945, 0.871951261, 0.86561048, 0.876255232, 1.181077897, 1.232912983,
               0.791151509, 0.95709193, 1.16086431, 1.1701509]}


@pytest.mark.parametrize(("technique", "ref"), [("DA", SEMINR_DA), ("EA", SEMINR_EA)])
def test_plspredict_loocv_matches_seminr(corp: pd.DataFrame, technique: str,
                                         ref: dict[str, list[float]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = pls_predict(corp, measurement=EXT_MM, structural=EXT_SM, mode=EXT_MODE,
                        folds=None, technique=technique, na_values=[-99])  # type: ignore[arg-type]
    t = r.indicators.set_index("indicator").loc[ENDO_ITEMS]
    for col, vals in ref.items():
        np.testing.assert_allclose(t[col].to_numpy(), vals, rtol=0, atol=1e-6, err_msg=col)
    assert r.options["leave_one_out"] and r.options["repetitions"] == 1
    # the verdict follows Shmueli et al. (2019) from the counts in the table
    v = r.verdict.set_index("construct")
    assert v.loc["LIKE", "power"] == "high"        # PLS beats LM on all three
    assert v.loc["CUSA", "power"] == "none"        # LM beats PLS on the single item
    if technique == "DA":
        assert v.loc["COMP", "power"] == "medium"  # 2 of 3 (comp_3: 1.135 > 1.127)
        assert "COMP memiliki daya prediksi sedang (2 dari 3 indikator" in " ".join(
            r.sentences("id"))


def test_plspredict_seeding_and_repetitions(corp: pd.DataFrame) -> None:
    # no published value for random folds: same seed same numbers, another seed other
    # numbers close to the leave-one-out ones (10 folds x 3 repetitions)
    kw = {"measurement": EXT_MM, "structural": EXT_SM, "mode": EXT_MODE, "na_values": [-99],
          "folds": 10, "repetitions": 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = pls_predict(corp, seed=7, **kw)  # type: ignore[arg-type]
        b = pls_predict(corp, seed=7, **kw)  # type: ignore[arg-type]
        c = pls_predict(corp, seed=8, **kw)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a.indicators, b.indicators)
    assert not np.allclose(a.indicators["pls_rmse"], c.indicators["pls_rmse"])
    got = a.indicators.set_index("indicator").loc[ENDO_ITEMS, "pls_rmse"].to_numpy()
    np.testing.assert_allclose(got, SEMINR_DA["pls_rmse"], rtol=0.03)


def test_plspredict_bad_input(corp: pd.DataFrame) -> None:
    kw = {"measurement": {"COMP": ["comp_1", "comp_2"], "CUSL": ["cusl_1", "cusl_2"]},
          "structural": [("COMP", "CUSL")]}
    with pytest.raises(ModelSpecError, match="technique='XA'"):
        pls_predict(corp, technique="XA", **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match=r"folds=1: pass 2\.\.344"):
        pls_predict(corp, folds=1, **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="repetitions=0"):
        pls_predict(corp, repetitions=0, **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="metric='mse'"):
        pls_predict(corp, metric="mse", **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="folds=6: a training fold has 8 cases"):
        pls_predict(corp.head(10).assign(x=range(10)), folds=6,
                    measurement={"A": ["comp_1", "comp_2", "comp_3", "like_1", "like_2",
                                       "like_3", "x"], "B": ["cusl_1", "cusl_2"]},
                    structural=[("A", "B")])


def test_formative_assessment_rule(corp: pd.DataFrame) -> None:
    # Hair et al. (2021, ch. 5, Fig. 5.3) rule applied to the bootstrap of the extended
    # model; the rule is checked row by row against the columns it reads
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pls_sem(corp, measurement=EXT_MM, structural=EXT_SM, mode=EXT_MODE,
                      na_values=[-99], n_boot=500, seed=11, q2_folds=0)
        vif = outer_vif(corp, measurement=EXT_MM, na_values=[-99])
    fa = formative_assessment(res, vif)
    assert set(fa["construct"]) == {"QUAL", "PERF", "CSOR", "ATTR"} and len(fa) == 21
    for _, r in fa.iterrows():
        if r["weight_p"] < 0.05 or r["loading"] >= 0.5:
            assert r["verdict"] == "retain"
        elif r["loading_p"] < 0.05:
            assert r["verdict"] == "retain (significant loading)"
        else:
            assert r["verdict"] == "consider removal"
    assert not fa["collinearity"].any()   # every VIF < 3 (car::vif above)
    # Hair et al. (2021, ch. 5): the weights of qual_2, qual_3, qual_4, csor_2 and csor_4
    # are not significant at 5 %, but their loadings are above 0.5, so all are retained
    ns = set(fa.loc[fa["weight_p"] > 0.05, "indicator"])
    assert ns == {"qual_2", "qual_3", "qual_4", "csor_2", "csor_4"}
    assert (fa["verdict"] == "retain").all()


def test_formative_assessment_bad_input(corp: pd.DataFrame) -> None:
    mm = {"COMP": ["comp_1", "comp_2"], "CUSL": ["cusl_1", "cusl_2"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res0 = pls_sem(corp, measurement=mm, structural=[("COMP", "CUSL")], n_boot=0,
                       q2_folds=0, na_values=[-99])
        res = pls_sem(corp, measurement=mm, structural=[("COMP", "CUSL")], n_boot=50, seed=1,
                      q2_folds=0, na_values=[-99])
        resb = pls_sem(corp, measurement=mm, structural=[("COMP", "CUSL")], n_boot=50, seed=1,
                       q2_folds=0, na_values=[-99], mode={"COMP": "B"})
    vif = outer_vif(corp, measurement=mm)
    with pytest.raises(ModelSpecError, match="no bootstrap; refit pls_sem with n_boot"):
        formative_assessment(res0, vif)
    with pytest.raises(ModelSpecError, match="no formative"):
        formative_assessment(res, vif)
    with pytest.raises(ModelSpecError, match="vif has no row for comp_1"):
        formative_assessment(resb, vif[vif["indicator"] != "comp_1"])
    with pytest.raises(ModelSpecError, match="pass the PLSResult"):
        formative_assessment(vif, vif)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- model fit
def test_model_fit_matches_lavaan_implied_matrix(reference_data: Path) -> None:
    # R (lavaan 0.6-14): the mobi model as a CFA with every parameter fixed at the PLS
    # estimates (loadings, construct correlations, residual variances 1 - loading²),
    #   f <- lavaan(m, sample.cov = S, sample.nobs = 250, sample.cov.rescale = FALSE)
    #   Sig <- lavInspect(f, "implied")$cov
    #   sqrt(mean((S - Sig)[lower.tri(S, diag = TRUE)]^2))       # SRMR
    #   0.5 * sum((S - Sig)^2)                                    # d_ULS
    #   0.5 * sum(log(eigen(solve(S) %*% Sig)$values)^2)          # d_G
    # The structural model is saturated (three predictors of one outcome), so the
    # estimated model equals the saturated one.
    mobi = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    fit = model_fit(mobi, measurement=MOBI_MM,
                    structural={"Satisfaction": ["Image", "Expectation", "Value"]})
    t = fit.table.set_index("criterion")
    ref = {"srmr": 0.0879748583302, "d_uls": 0.704301388538, "d_g": 1.3101413686}
    for k, v in ref.items():
        assert t.loc[k, "saturated"] == pytest.approx(v, abs=1e-9), k
        assert t.loc[k, "estimated"] == pytest.approx(v, abs=1e-9), k
    # identity: residual diagonal is zero, so d_ULS = SRMR² p (p + 1) / 2
    p = 13
    assert t.loc["d_uls", "saturated"] == pytest.approx(
        t.loc["srmr", "saturated"] ** 2 * p * (p + 1) / 2, rel=1e-12)


def _chain(n: int, direct: float, seed: int) -> pd.DataFrame:
    """X -> M -> Y (+ direct X -> Y), three indicators each, loadings 0.8."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m = 0.5 * x + np.sqrt(0.75) * rng.normal(size=n)
    yv = 0.4 * m + direct * x
    y = yv + np.sqrt(max(1 - np.var(yv), 0.1)) * rng.normal(size=n)
    cols = {}
    for name, f in (("x", x), ("m", m), ("y", y)):
        for i in (1, 2, 3):
            cols[f"{name}{i}"] = 0.8 * f + 0.6 * rng.normal(size=n)
    return pd.DataFrame(cols)


CHAIN_MM = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}


def test_model_fit_estimated_model_and_bollen_stine() -> None:
    # no published SmartPLS value for simulated data: properties with known truth.
    # (1) estimated model of a chain X -> M -> Y implies corr(X, Y) = b_XM * b_MY
    d = _chain(400, 0.0, 1)
    fit = model_fit(d, measurement=CHAIN_MM, structural=[("X", "M"), ("M", "Y")],
                    consistent=True, n_boot=300, seed=5)
    lam = fit.implied["estimated"]
    sat = fit.implied["saturated"]
    assert np.allclose(np.diag(lam), 1) and np.allclose(lam, lam.T)
    # within a Mode A block the implied correlations are the same in both models
    assert np.allclose(lam.loc["x1", "x2"], sat.loc["x1", "x2"])
    t = fit.table.set_index("criterion")
    # (2) a correct model is not rejected: the statistic lies below its HI99
    assert t.loc["srmr", "estimated"] < t.loc["srmr", "estimated_hi99"]
    assert (t[["saturated_hi95", "estimated_hi95"]].to_numpy() > 0).all()
    assert (t["saturated_hi99"] >= t["saturated_hi95"]).all()
    # (3) omitting a strong direct effect X -> Y is detected by the estimated model only
    d2 = _chain(400, 0.6, 2)
    bad = model_fit(d2, measurement=CHAIN_MM, structural=[("X", "M"), ("M", "Y")],
                    consistent=True, n_boot=300, seed=5).table.set_index("criterion")
    assert bad.loc["srmr", "estimated"] > bad.loc["srmr", "estimated_hi99"]
    assert bad.loc["d_uls", "estimated"] > bad.loc["d_uls", "estimated_hi99"]
    assert bad.loc["srmr", "saturated"] < bad.loc["srmr", "saturated_hi99"]
    # (4) same seed, same numbers
    again = model_fit(d, measurement=CHAIN_MM, structural=[("X", "M"), ("M", "Y")],
                      consistent=True, n_boot=300, seed=5)
    pd.testing.assert_frame_equal(fit.table, again.table)


def test_model_fit_bad_input(reference_data: Path) -> None:
    mobi = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    kw = {"measurement": MOBI_MM, "structural": {"Satisfaction": ["Image", "Expectation",
                                                                  "Value"]}}
    with pytest.raises(ModelSpecError, match="n_boot=50: the 99 % quantile needs"):
        model_fit(mobi, n_boot=50, **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="n_boot=-1"):
        model_fit(mobi, n_boot=-1, **kw)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="pass a pandas DataFrame"):
        model_fit(mobi.to_numpy(), **kw)  # type: ignore[arg-type]


def test_model_fit_keeps_mode_b_blocks_free(corp: pd.DataFrame) -> None:
    # a composite (Mode B) block leaves its indicator correlations free (cSEM's fit()):
    # the implied matrix equals the observed one inside QUAL, not loading products
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model_fit(corp, measurement=EXT_MM, structural=EXT_SM, mode=EXT_MODE,
                        na_values=[-99])
        X = corp[EXT_MM["QUAL"]].mask(corp[EXT_MM["QUAL"]] == -99)
    S = X.fillna(X.mean()).corr().to_numpy()
    for kind in ("saturated", "estimated"):
        Sig = fit.implied[kind].loc[EXT_MM["QUAL"], EXT_MM["QUAL"]].to_numpy()
        np.testing.assert_allclose(Sig, S, atol=1e-12)
    t = fit.table.set_index("criterion")
    # the estimated model restricts more than the saturated one
    assert t.loc["srmr", "estimated"] > t.loc["srmr", "saturated"]


# --------------------------------------------------------------------------- IPMA
def test_ipma_properties(corp: pd.DataFrame, tmp_path: Path) -> None:
    # no published IPMA output for these data: properties with hand computations.
    # The answer scale of the corporate reputation items is 1-7 (Hair et al. 2021, ch. 2).
    from egovstudy.errors import StatisticalWarning
    from egovstudy.pls_assess import ipma, ipma_map

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        warnings.simplefilter("error", category=StatisticalWarning)
        with pytest.raises(StatisticalWarning, match=r"negative outer weight.*qual_4"):
            ipma(corp, measurement=EXT_MM, structural=EXT_SM, mode=EXT_MODE, target="CUSL",
                 scale=(1, 7), na_values=[-99])
        warnings.simplefilter("ignore")
        r = ipma(corp, measurement=EXT_MM, structural=EXT_SM, mode=EXT_MODE, target="CUSL",
                 scale=(1, 7), na_values=[-99])
    X = corp.mask(corp == -99)
    X = X.fillna(X.mean())
    ind = r.indicators.set_index("indicator")
    # indicator performance = mean of (x - 1) / 6 * 100
    for it in ("qual_1", "cusa", "like_2"):
        assert ind.loc[it, "performance"] == pytest.approx(((X[it] - 1) / 6 * 100).mean())
    c = r.constructs.set_index("construct")
    assert set(c.index) == {"QUAL", "PERF", "CSOR", "ATTR", "COMP", "LIKE", "CUSA"}
    # construct performance = weighted mean of its indicators' performance (weights sum 1)
    for con, g in r.indicators.groupby("construct"):
        assert g["rescaled_weight"].sum() == pytest.approx(1.0)
        assert c.loc[con, "performance"] == pytest.approx(
            (g["rescaled_weight"] * g["performance"]).sum())
        assert g["importance"].sum() == pytest.approx(c.loc[con, "importance"])
    assert ((c["performance"] > 0) & (c["performance"] < 100)).all()
    # CUSA's only route to CUSL is the direct path, so its importance is the unstandardized
    # OLS slope of the rescaled CUSL score on the rescaled COMP, LIKE and CUSA scores
    sc = r.scores
    A = np.column_stack([np.ones(len(sc)), sc[["COMP", "LIKE", "CUSA"]].to_numpy()])
    beta = np.linalg.lstsq(A, sc["CUSL"].to_numpy(), rcond=None)[0]
    assert c.loc["CUSA", "importance"] == pytest.approx(beta[3], rel=1e-10)
    # the map: one point per construct, saved as PNG, SVG and PDF
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from egovstudy.report import save_figure

    ax = ipma_map(r, language="id")
    assert len(ax.collections[0].get_offsets()) == 7
    assert ax.get_ylabel() == "Kinerja (0-100)"
    paths = save_figure(ax.figure, tmp_path / "ipma", formats=["png", "svg", "pdf"])
    assert {p.suffix for p in paths} == {".png", ".svg", ".pdf"} and all(
        p.stat().st_size > 0 for p in paths)
    plt.close("all")


def test_ipma_bad_input(corp: pd.DataFrame) -> None:
    from egovstudy.pls_assess import IPMAResult, ipma, ipma_map

    kw = {"measurement": {"COMP": ["comp_1", "comp_2"], "CUSL": ["cusl_1", "cusl_2"]},
          "structural": [("COMP", "CUSL")], "na_values": [-99]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ModelSpecError, match=r"target='CUSLL'.*did you mean 'CUSL'"):
            ipma(corp, target="CUSLL", **kw)  # type: ignore[arg-type]
        with pytest.raises(ModelSpecError, match="target='COMP' is exogenous"):
            ipma(corp, target="COMP", **kw)  # type: ignore[arg-type]
        with pytest.raises(ModelSpecError, match="'comp_1' has values outside its scale"):
            ipma(corp, target="CUSL", scale=(1, 5), **kw)  # type: ignore[arg-type]
        with pytest.raises(ModelSpecError, match=r"scale names 'comp_9'.*did you mean"):
            ipma(corp, target="CUSL", scale={"comp_9": (1, 7)}, **kw)  # type: ignore[arg-type]
        with pytest.raises(ModelSpecError, match="scale for 'comp_1' is \\(7, 1\\)"):
            ipma(corp, target="CUSL", scale={"comp_1": (7, 1)}, **kw)  # type: ignore[arg-type]
        r = ipma(corp, target="CUSL", **kw)  # type: ignore[arg-type]
    assert isinstance(r, IPMAResult)
    with pytest.raises(ModelSpecError, match="level='item'"):
        ipma_map(r, level="item")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- blindfolding
def _two_blocks(n: int, b: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    g = b * f + np.sqrt(1 - b**2) * rng.normal(size=(n, 1))
    lam = np.array([0.9, 0.8, 0.7])
    e = np.sqrt(1 - lam**2)
    return pd.DataFrame(np.hstack([f * lam + rng.normal(size=(n, 3)) * e,
                                   g * lam + rng.normal(size=(n, 3)) * e]),
                        columns=["x1", "x2", "x3", "y1", "y2", "y3"])


def test_blindfolding_known_truth() -> None:
    # no published blindfolding output for these data: with standardized indicators the
    # cross-validated redundancy of a Mode A block tends to mean(loading²) · R² (each
    # omitted point is predicted by loading x predicted score), slightly lower because the
    # omitted points are mean-replaced; and every data point is omitted exactly once, so
    # SSO is the block's total sum of squares up to the round means
    from egovstudy.pls_assess import blindfolding

    mm = {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}
    d = _two_blocks(4001, 0.6, 2)
    q = blindfolding(d, measurement=mm, structural=[("X", "Y")]).iloc[0]
    r = pls_sem(d, measurement=mm, structural=[("X", "Y")], n_boot=0, q2_folds=0)
    lam = r.outer_loadings.set_index("indicator").loc[["y1", "y2", "y3"], "estimate"]
    assert q["q2"] == pytest.approx(float((lam**2).mean() * r.r2["r2"].iloc[0]), abs=0.015)
    ss = float(((d[["y1", "y2", "y3"]] - d[["y1", "y2", "y3"]].mean()) ** 2).sum().sum())
    assert q["sso"] == pytest.approx(ss, rel=0.005)
    # no relation: no predictive relevance
    q0 = blindfolding(_two_blocks(1003, 0.0, 3), measurement=mm,
                      structural=[("X", "Y")]).iloc[0]
    assert q0["q2"] < 0.01


def test_blindfolding_bad_input(corp: pd.DataFrame) -> None:
    from egovstudy.pls_assess import blindfolding

    kw = {"measurement": {"COMP": ["comp_1", "comp_2"], "CUSL": ["cusl_1", "cusl_2"]},
          "structural": [("COMP", "CUSL")], "na_values": [-99]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # 344 cases: D = 8 divides them
        with pytest.raises(ModelSpecError, match=r"omission_distance=8 divides the 344 cases"
                                                 r".*use e.g. 7"):
            blindfolding(corp, omission_distance=8, **kw)  # type: ignore[arg-type]
        with pytest.raises(ModelSpecError, match="omission_distance=1: pass an integer"):
            blindfolding(corp, omission_distance=1, **kw)  # type: ignore[arg-type]
        q = blindfolding(corp, **kw)  # type: ignore[arg-type]
    assert q["construct"].tolist() == ["CUSL"] and 0 < q.loc[0, "q2"] < 1
