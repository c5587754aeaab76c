"""Missing data: Little's MCAR test, multiple imputation, Rubin's rules, missing_report.

Reference numbers come from R: naniar's published test values, and
``tests/r/missing_reference.R`` (mice 3.15.0 ``pool`` on the SAME imputed datasets,
Little's statistic with an inline EM). Run it with ``Rscript tests/r/missing_reference.R``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from egovstudy.errors import InsufficientDataError, ModelSpecError
from egovstudy.missing import (
    ImputedData,
    impute,
    little_mcar_test,
    mi_logit,
    mi_ols,
    mi_process,
    missing_report,
    pool,
    rubin_pool,
)
from egovstudy.models import ols

IMPUTED_COLS = ["Ozone", "Solar.R", "Wind", "Temp"]


@pytest.fixture(scope="module")
def airquality(reference_data: Path) -> pd.DataFrame:
    # R: write.csv(airquality, "tests/data/rdatasets/datasets_airquality.csv")
    return pd.read_csv(reference_data / "rdatasets" / "datasets_airquality.csv", index_col=0)


@pytest.fixture(scope="module")
def stored_imputations(reference_data: Path, airquality: pd.DataFrame) -> ImputedData:
    """The m = 5 datasets fed to R mice::pool (see tests/r/missing_reference.R)."""
    long = pd.read_csv(reference_data / "missing" / "airquality_mi5_seed2024.csv",
                       float_precision="round_trip")
    sets = tuple(g.drop(columns=[".imp", ".id"]).set_index(g[".id"].to_numpy())
                 for _, g in long.groupby(".imp"))
    miss = airquality[IMPUTED_COLS].isna()
    return ImputedData(datasets=sets, columns=tuple(IMPUTED_COLS), method="norm", seed=2024,
                       n_missing=miss.sum().to_dict(), share_imputed=float(miss.mean().mean()))


# --------------------------------------------------------------------------- Little
def test_little_airquality_matches_naniar(airquality: pd.DataFrame) -> None:
    res = little_mcar_test(airquality)
    # naniar tests/testthat/test-mcar-test.R: mcar_test(airquality) ->
    # statistic 35.1061288689702, df 14, p.value 0.00141778113856683, missing.patterns 4.
    # naniar stops norm::em.norm at a looser tolerance: agreement to ~1e-6 relative.
    assert res.statistic == pytest.approx(35.1061288689702, rel=1e-5)
    assert res.df == 14
    assert res.p_value == pytest.approx(0.00141778113856683, rel=1e-4)
    assert res.n_patterns == 4
    # tests/r/missing_reference.R: little(airquality), EM to 1e-12 ->
    # statistic 35.10617490715161, p.value 0.00141775887108866
    assert res.statistic == pytest.approx(35.10617490715161, rel=1e-10)
    assert res.p_value == pytest.approx(0.00141775887108866, rel=1e-9)


def test_little_all_missing_row_is_a_pattern_but_adds_nothing(airquality: pd.DataFrame) -> None:
    extra = pd.concat([airquality, pd.DataFrame({"Ozone": [np.nan]})], ignore_index=True)
    res = little_mcar_test(extra)
    # naniar: mcar_test(dplyr::add_row(airquality, Ozone = NA)) -> 35.1061229683641, 5 patterns
    assert res.n_patterns == 5
    assert res.statistic == pytest.approx(35.1061229683641, rel=1e-5)
    assert res.statistic == pytest.approx(35.10617490715161, rel=1e-10)


def test_little_bfi_agreeableness_matches_r(reference_data: Path) -> None:
    bfi = pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")
    res = little_mcar_test(bfi, ["A1", "A2", "A3", "A4", "A5"])
    # tests/r/missing_reference.R: little(bfi[, c("A1", ..., "A5")])
    assert res.statistic == pytest.approx(50.128728469518109, rel=1e-9)
    assert res.df == 40
    assert res.p_value == pytest.approx(0.130922128869022, rel=1e-8)
    # R: nrow(mice::md.pattern(bfi[, A1:A5], plot = FALSE)) - 1 -> 13
    assert res.n_patterns == 13
    # R: em_norm(bfi[, A1:A5])$mu and $sigma[1:2, 1:2]
    np.testing.assert_allclose(res.mean.to_numpy(),
                               [2.41266272353808, 4.80421326270370, 4.60619783372706,
                                4.70021794202271, 4.56142698146498], rtol=1e-10)
    np.testing.assert_allclose(res.cov.iloc[:2, :2].to_numpy(),
                               [[1.981084163006144, -0.561041222390735],
                                [-0.561041222390735, 1.372509340682953]], rtol=1e-9)


# --------------------------------------------------------------------------- Rubin's rules
# R (tests/r/missing_reference.R):
#   fit_lm <- lapply(imps, function(d) lm(Ozone ~ Solar.R + Wind + Temp, data = d))
#   p_lm <- pool(as.mira(fit_lm)); p_lm$pooled; summary(p_lm)
R_LM = pd.DataFrame({
    "estimate": [-68.2154094563255597, 0.0578777696696247, -3.1299377104514430,
                 1.6836239189317503],
    "ubar": [3.82805759215632e+02, 4.20030786705811e-04, 3.14829868603268e-01,
             4.76619879805588e-02],
    "b": [3.43036874271598e+02, 2.23424214864155e-04, 2.39538315792861e-01,
          3.12933829844290e-02],
    "std_error": [28.1859895753466425, 0.0262324197233651, 0.7760643320979914,
                  0.2919144524717364],
    "statistic": [-2.42018855765104, 2.20634506004313, -4.03309053257229, 5.76752505631684],
    "df": [12.3101194672116, 20.3700138845664, 14.2946926162957, 16.4720913456887],
    "riv": [1.075334524666965, 0.638308110554690, 0.913020039129952, 0.787882779808350],
    "lambda": [0.518149971431486, 0.389614204094110, 0.477266322597016, 0.440679214938692],
    "fmi": [0.581095271055105, 0.441850869328527, 0.537716506824106, 0.498127670282462],
    "p_value": [3.18420742212683e-02, 3.89942729460651e-02, 1.18591174546136e-03,
                2.57404750115654e-05],
})
LM_FORMULA = 'Ozone ~ Q("Solar.R") + Wind + Temp'


def _compare(table: pd.DataFrame, ref: pd.DataFrame, rtol: float = 1e-6) -> None:
    for col in ref.columns:
        np.testing.assert_allclose(table[col].to_numpy(float), ref[col].to_numpy(float),
                                   rtol=rtol, err_msg=col)


def test_pool_ols_matches_mice_pool(stored_imputations: ImputedData) -> None:
    fits = [ols(LM_FORMULA, d) for d in stored_imputations.datasets]
    res = pool(fits)
    _compare(res.tidy(), R_LM)
    assert (res.tidy()["dfcom"] == 149).all()  # R: p_lm$pooled$dfcom = 149 (n - k)
    assert res.m == 5


def test_mi_ols_matches_mice_pool(stored_imputations: ImputedData) -> None:
    _compare(mi_ols(LM_FORMULA, stored_imputations).tidy(), R_LM)


def test_pool_large_sample_df_matches_mice(stored_imputations: ImputedData) -> None:
    fits = [ols(LM_FORMULA, d) for d in stored_imputations.datasets]
    res = pool(fits, dfcom=np.inf).tidy()
    # R: pool(as.mira(fit_lm), dfcom = Inf)$pooled[, c("df", "fmi")]
    _compare(res, pd.DataFrame({
        "df": [14.8987226053977, 26.3505951371490, 17.5605620014062, 20.5975163933531],
        "fmi": [0.571991805755820, 0.431206941348921, 0.528114512190981, 0.488084270262129],
    }))


def test_mi_logit_matches_mice_pool_glm(stored_imputations: ImputedData) -> None:
    sets = tuple(d.assign(hot=(d["Temp"] > 80).astype(int))
                 for d in stored_imputations.datasets)
    imp = ImputedData(datasets=sets, columns=stored_imputations.columns, method="norm",
                      seed=2024, n_missing=stored_imputations.n_missing,
                      share_imputed=stored_imputations.share_imputed)
    res = mi_logit("hot ~ Ozone + Wind", imp).tidy()
    # R: glm(hot ~ Ozone + Wind, binomial, control = glm.control(epsilon = 1e-14)) per
    #    imputation; pool(as.mira(fit_glm))$pooled (dfcom = 150) and summary()
    _compare(res, pd.DataFrame({
        "estimate": [-2.1249558325166515, 0.0530978287875073, -0.0314195626420060],
        "std_error": [1.0345412904462905, 0.0105424270370997, 0.0766373200868730],
        "df": [76.5850056993400, 98.5979940445894, 64.3391082806133],
        "fmi": [0.165296220730010, 0.119990099430093, 0.196475233222754],
        "p_value": [4.33876308267057e-02, 2.14343102323559e-06, 6.83184520930320e-01],
    }))
    assert (res["dfcom"] == 150).all()
    assert res["p_value"].iloc[1] == pytest.approx(2 * stats.t.sf(
        5.036584896499802, 98.5979940445894), rel=1e-6)


def test_mi_process_pools_y_equation_like_mice(stored_imputations: ImputedData) -> None:
    res = mi_process(stored_imputations, model=4, x="Wind", m="Solar.R", y="Ozone",
                     n_boot=200, seed=1).tidy()
    coef = res[(res["part"] == "coefficient") & (res["outcome"] == "Ozone")]
    # R: summary(pool(as.mira(lapply(imps, function(d) lm(Ozone ~ Wind + Solar.R, d)))))
    ref = pd.DataFrame({"estimate": [73.931247948419667, -5.119360727853341,
                                     0.105431191266583],
                        "std_error": [10.2384972644277816, 0.7006423271716060,
                                      0.0291097405149513],
                        "df": [17.4385891261946, 31.8756893253206, 22.0427042062086],
                        "fmi": [0.482966584057928, 0.335628822947011, 0.422218499963788]})
    _compare(coef.reset_index(drop=True), ref)
    # the pooled indirect effect is the mean over imputations of a * b
    ab = [ols('Q("Solar.R") ~ Wind', d).params["Wind"]
          * ols('Ozone ~ Wind + Q("Solar.R")', d).params['Q("Solar.R")']
          for d in stored_imputations.datasets]
    ind = res.loc[res["part"] == "indirect", "estimate"]
    assert ind.iloc[0] == pytest.approx(np.mean(ab), rel=1e-10)


def test_rubin_pool_textbook_formulas() -> None:
    # Rubin (1987) / van Buuren (2018, sec. 2.3): qbar = 1, ubar = 0.04,
    # b = var(1.0, 1.2, 0.8) = 0.04, t = 0.04 + (4/3) 0.04 = 0.09333.., df_old = 2 / lambda^2
    r = rubin_pool(np.array([[1.0], [1.2], [0.8]]), np.array([[0.04], [0.05], [0.03]]))
    lam = (4 / 3 * 0.04) / (0.04 + 4 / 3 * 0.04)
    assert r["t"].iloc[0] == pytest.approx(0.04 + 4 / 3 * 0.04, rel=1e-12)
    assert r["df"].iloc[0] == pytest.approx(2 / lam**2, rel=1e-12)
    assert r["riv"].iloc[0] == pytest.approx(4 / 3, rel=1e-12)


# --------------------------------------------------------------------------- imputation
def test_impute_is_seeded_and_keeps_observed(airquality: pd.DataFrame,
                                             stored_imputations: ImputedData) -> None:
    a = impute(airquality, IMPUTED_COLS, m=5, seed=2024)
    b = impute(airquality, IMPUTED_COLS, m=5, seed=2024)
    c = impute(airquality, IMPUTED_COLS, m=5, seed=2025)
    for da, db, dc in zip(a.datasets, b.datasets, c.datasets, strict=True):
        pd.testing.assert_frame_equal(da, db)
        assert not np.allclose(da["Ozone"], dc["Ozone"])
        assert da[IMPUTED_COLS].notna().all().all()
        obs = airquality["Ozone"].notna()
        np.testing.assert_array_equal(da.loc[obs, "Ozone"], airquality.loc[obs, "Ozone"])
        pd.testing.assert_series_equal(da["Month"], airquality["Month"])
    # the imputations differ between copies (draws, not a single regression prediction)
    assert not np.allclose(a.datasets[0]["Ozone"], a.datasets[1]["Ozone"])
    # the stored file (fed to R) is what impute(seed=2024) gives with this scikit-learn
    for da, ds in zip(a.datasets, stored_imputations.datasets, strict=True):
        np.testing.assert_allclose(da[IMPUTED_COLS].to_numpy(), ds[IMPUTED_COLS].to_numpy(),
                                   rtol=1e-9)
    # R: colSums(is.na(airquality)) -> Ozone 37, Solar.R 7; 44 of 612 cells
    assert a.n_missing == {"Ozone": 37, "Solar.R": 7, "Wind": 0, "Temp": 0}
    assert a.share_imputed == pytest.approx(44 / 612)


# --------------------------------------------------------------------------- report
def test_missing_report_airquality(airquality: pd.DataFrame) -> None:
    rep = missing_report(airquality)
    # R: colSums(is.na(airquality)); sum(!complete.cases(airquality)) -> 42 of 153;
    # nrow(md.pattern(airquality, plot = FALSE)) - 1 -> 4 patterns
    assert rep.by_column.set_index("column")["n_missing"].to_dict() == {
        "Ozone": 37, "Solar.R": 7, "Wind": 0, "Temp": 0, "Month": 0, "Day": 0}
    assert rep.share_rows == pytest.approx(42 / 153)
    assert len(rep.patterns) == 4
    assert rep.patterns["n_rows"].tolist() == [111, 35, 5, 2]  # R: md.pattern row counts
    assert rep.little is not None and rep.little.df == 14
    en = rep.sentence("en")
    assert "27.5%" in en and "chi2(14) = 35.11" in en and "listwise" in en
    imp = impute(airquality, IMPUTED_COLS, m=5, seed=1)
    ind = missing_report(airquality, IMPUTED_COLS, imputed=imp).sentence("id")
    assert "27,5%" in ind and "m = 5" in ind and "aturan Rubin" in ind and "7,2%" in ind


# --------------------------------------------------------------------------- bad input
def test_entirely_missing_column_is_named(airquality: pd.DataFrame) -> None:
    d = airquality.assign(empty=np.nan)
    with pytest.raises(InsufficientDataError, match="column 'empty' is entirely missing"):
        impute(d, ["Ozone", "empty"], m=5, seed=1)
    with pytest.raises(InsufficientDataError, match="'empty'"):
        little_mcar_test(d)


def test_m_below_two_is_refused(airquality: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match=r"m=1.*at least 2"):
        impute(airquality, IMPUTED_COLS, m=1, seed=1)
    with pytest.raises(InsufficientDataError, match="at least 2"):
        pool([ols("Ozone ~ Wind", airquality.dropna())])


def test_unknown_method_and_column_suggest(airquality: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"method='nrom'.*did you mean 'norm'"):
        impute(airquality, IMPUTED_COLS, m=5, method="nrom", seed=1)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match=r"column 'Ozon'.*did you mean 'Ozone'"):
        impute(airquality, ["Ozon", "Wind"], m=5, seed=1)
    with pytest.raises(ModelSpecError, match=r"column 'txt' is not numeric"):
        missing_report(airquality.assign(txt="a"), ["Ozone", "txt"])


def test_pool_refuses_different_models(airquality: pd.DataFrame) -> None:
    d = airquality.dropna()
    frame = pd.DataFrame({"term": ["x"], "estimate": [1.0]})
    with pytest.raises(ModelSpecError, match=r"lacks column\(s\) \['std_error'\]"):
        pool([frame, frame])
    with pytest.raises(ModelSpecError, match="fit 2 has terms"):
        pool([ols("Ozone ~ Wind", d), ols("Ozone ~ Temp", d)])


# --------------------------------------------------------------------------- FIML CFA
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
# R (tests/r/cfa_fiml_reference.R, lavaan 0.6):
#   fit <- cfa(HS_MODEL, data = d, missing = "fiml"); fitMeasures(fit, ...)
R_FIML_FIT = {"npar": 30, "chisq": 83.6892379332464, "df": 24,
              "pvalue": 1.55539809920668e-08, "baseline_chisq": 789.287880450815,
              "baseline_df": 36, "cfi": 0.920761717422661, "tli": 0.881142576133992,
              "rmsea": 0.0908990089919615, "logl": -3407.55926260611,
              "unrestricted_logl": -3365.71464363949, "aic": 6875.11852521223,
              "bic": 6986.33183315469, "ntotal": 301}
# R: parameterEstimates(fit, standardized = TRUE)[, c("lhs", "op", "rhs", "est", "se",
#    "std.all")]  (free parameters)
R_FIML_EST = [
    ("visual", "=~", "x2", 0.559350204660799, 0.1204860595648650, 0.413214154570815),
    ("visual", "=~", "x3", 0.762339065901019, 0.1349989567271740, 0.603845411496047),
    ("textual", "=~", "x5", 1.137163055017219, 0.0744458609142537, 0.850356811750180),
    ("textual", "=~", "x6", 0.955421423041235, 0.0624621011215415, 0.861367866217723),
    ("speed", "=~", "x8", 1.206011458154013, 0.1692507186255639, 0.712238909923264),
    ("speed", "=~", "x9", 1.119701237868567, 0.2588505445656770, 0.678546016768570),
    ("x1", "~~", "x1", 0.562114990004031, 0.1337408661083218, 0.415595068157902),
    ("x2", "~~", "x2", 1.201084285481387, 0.1163436920292568, 0.829254062462327),
    ("x3", "~~", "x3", 0.800461891538560, 0.1039018608499756, 0.635370719015169),
    ("x4", "~~", "x4", 0.385382773778444, 0.0544404488787726, 0.286702298214516),
    ("x5", "~~", "x5", 0.474774601268609, 0.0663780471751700, 0.276893292710069),
    ("x6", "~~", "x6", 0.304397223335144, 0.0469201551384924, 0.258045399047527),
    ("x7", "~~", "x7", 0.843085787731787, 0.1041984319564885, 0.693918861766904),
    ("x8", "~~", "x8", 0.525348567214764, 0.1196393510530939, 0.492715735191320),
    ("x9", "~~", "x9", 0.546383294877214, 0.1140516450182763, 0.539575303127508),
    ("visual", "~~", "visual", 0.790439534994470, 0.1637375846334932, 1.0),
    ("textual", "~~", "textual", 0.958808661652929, 0.1168176844977334, 1.0),
    ("speed", "~~", "speed", 0.371877278101391, 0.1074197960118355, 1.0),
    ("visual", "~~", "textual", 0.375712040505778, 0.0799345412196423, 0.431573541830453),
    ("visual", "~~", "speed", 0.241536242735650, 0.0566266094941248, 0.445500460706391),
    ("textual", "~~", "speed", 0.172508901232778, 0.0497960686540514, 0.288898783352801),
    ("x1", "~1", "", 4.936194242521456, 0.0698211257683553, 4.244385774684963),
    ("x2", "~1", "", 6.109600762787648, 0.0725904608968981, 5.076564322470165),
    ("x3", "~1", "", 2.213060240177674, 0.0673236640216423, 1.971680328886734),
    ("x4", "~1", "", 3.061323110085514, 0.0684549163053855, 2.640454012781211),
    ("x5", "~1", "", 4.326348795691890, 0.0768972571679918, 3.303954127735940),
    ("x6", "~1", "", 2.195710234276875, 0.0638796486948629, 2.021634977064707),
    ("x7", "~1", "", 4.200173754306352, 0.0657554821292969, 3.810532928436587),
    ("x8", "~1", "", 5.553045570176812, 0.0622425870323121, 5.377812761292391),
    ("x9", "~1", "", 5.383097502550081, 0.0603878494068865, 5.349455405275827),
]


@pytest.fixture(scope="module")
def hs_blanks(reference_data: Path) -> pd.DataFrame:
    # HolzingerSwineford1939 x1..x9, 10% of cells blanked: np.random.default_rng(1939)
    return pd.read_csv(reference_data / "missing" / "hs1939_mcar10_seed1939.csv")


def test_cfa_fiml_matches_lavaan(hs_blanks: pd.DataFrame) -> None:
    from egovstudy.measurement import cfa

    res = cfa(HS_MODEL, hs_blanks, missing="fiml")
    for key, value in R_FIML_FIT.items():
        assert res.fit[key] == pytest.approx(value, rel=1e-6, abs=1e-8), key
    est = res.estimates
    for lhs, op, rhs, value, se, std in R_FIML_EST:
        if op == "~1":
            row = est[(est["op"] == "~1") & (est["item"] == lhs)]
        elif op == "=~":
            row = est[(est["op"] == "=~") & (est["latent"] == lhs) & (est["item"] == rhs)]
        else:
            row = est[(est["op"] == "~~") & (((est["latent"] == lhs) & (est["item"] == rhs))
                                            | ((est["latent"] == rhs) & (est["item"] == lhs)))]
        assert len(row) == 1, (lhs, op, rhs)
        got = row.iloc[0]
        assert got["estimate"] == pytest.approx(value, abs=1e-4), (lhs, op, rhs)
        assert got["std_error"] == pytest.approx(se, abs=1e-4), (lhs, op, rhs)
        assert got["std_estimate"] == pytest.approx(std, abs=1e-4), (lhs, op, rhs)
    assert res.n == 301


def test_cfa_default_stays_listwise(hs_blanks: pd.DataFrame) -> None:
    from egovstudy.measurement import cfa

    res = cfa(HS_MODEL, hs_blanks)
    # R: sum(complete.cases(d)) -> 115 rows kept by lavaan's default missing = "listwise"
    assert res.n == 115
    assert "~1" not in set(res.estimates["op"])


def test_cfa_missing_option_is_checked(hs_blanks: pd.DataFrame) -> None:
    from egovstudy.measurement import cfa

    with pytest.raises(ModelSpecError, match=r"missing='fmil'.*did you mean 'fiml'"):
        cfa(HS_MODEL, hs_blanks, missing="fmil")  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError, match=r"6 cases with answers for 9 items"):
        cfa(HS_MODEL, hs_blanks.dropna().head(6), missing="fiml")
    with pytest.raises(InsufficientDataError, match=r"\['x9'\] have fewer than 3 non-missing"):
        cfa(HS_MODEL, hs_blanks.assign(x9=np.nan), missing="fiml")
