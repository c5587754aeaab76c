"""CFA, HTMT and instrument_report tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import ModelSpecError, StatisticalWarning
from egovstudy.measurement import cfa, cross_loadings, fornell_larcker, htmt, instrument_report
from tests._mobi import MOBI_MM

HS_MODEL = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""

MOBI = MOBI_MM


@pytest.fixture(scope="module")
def hs_fit(reference_data):
    d = pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")
    return cfa(HS_MODEL, d)


def test_cfa_fit_measures_match_lavaan_tutorial(hs_fit):
    # lavaan tutorial, "A CFA example" (lavaan.ugent.be/tutorial/cfa.html),
    # summary(cfa(HS.model, data = HolzingerSwineford1939), fit.measures = TRUE):
    f = hs_fit.fit
    assert round(f["chisq"], 3) == 85.306
    assert f["df"] == 24
    assert round(f["baseline_chisq"], 3) == 918.852
    assert round(f["cfi"], 3) == 0.931
    assert round(f["tli"], 3) == 0.896
    assert round(f["logl"], 3) == -3737.745
    assert round(f["unrestricted_logl"], 3) == -3695.092
    assert round(f["aic"], 3) == 7517.490
    assert round(f["bic"], 3) == 7595.339
    assert round(f["bic2"], 3) == 7528.739
    assert round(f["rmsea"], 3) == 0.092
    assert round(f["rmsea_ci_lower"], 3) == 0.071
    assert round(f["rmsea_ci_upper"], 3) == 0.114
    assert round(f["srmr"], 3) == 0.065
    assert "CFI = 0.931" in hs_fit.summary()


def test_cfa_estimates_match_lavaan_tutorial(hs_fit):
    # Same tutorial output, Latent Variables: x2 0.554 (SE 0.100), x3 0.729 (0.109),
    # x5 1.113 (0.065), x6 0.926 (0.055), x8 1.180 (0.165), x9 1.082 (0.151); factor
    # variances visual 0.809, textual 0.979, speed 0.384. Standardized loadings (std.all)
    # follow from these printed estimates: lambda*sqrt(psi)/sqrt(lambda^2 psi + theta),
    # e.g. x1: sqrt(.809)/sqrt(.809 + .549) = 0.772.
    ld = hs_fit.loadings.set_index("item")
    np.testing.assert_allclose(ld.loc[["x2", "x3", "x5", "x6", "x8", "x9"], "estimate"],
                               [0.554, 0.729, 1.113, 0.926, 1.180, 1.082], atol=0.0011)
    np.testing.assert_allclose(ld.loc[["x2", "x3", "x5", "x6", "x8", "x9"], "std_error"],
                               [0.100, 0.109, 0.065, 0.055, 0.165, 0.151], atol=0.0011)
    lam = np.array([1, .554, .729, 1, 1.113, .926, 1, 1.180, 1.082])
    psi = np.repeat([.809, .979, .384], 3)
    theta = np.array([.549, 1.134, .844, .371, .446, .356, .799, .488, .566])
    std = lam * np.sqrt(psi) / np.sqrt(lam**2 * psi + theta)
    np.testing.assert_allclose(ld["std_estimate"], std, atol=0.002)


def test_cfa_bad_model(reference_data):
    d = pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")
    with pytest.raises(ModelSpecError, match=r"\['zz'\] are not columns"):
        cfa("f =~ x1 + x2 + zz", d)
    with pytest.raises(ModelSpecError, match="=~"):
        cfa("x1 ~ x2", d)


def test_htmt_matches_seminr(reference_data):
    # seminr tests/fixtures/V_3_5_X/htmt.csv (mobi; Image, Expectation, Value,
    # Satisfaction measurement model of tests/testthat/test-summary.R).
    m = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    res = htmt(m, MOBI, n_boot=500, seed=11)
    want = {("Image", "Expectation"): 0.88803042750925, ("Image", "Value"): 0.651659392487802,
            ("Image", "Satisfaction"): 0.910100923782741,
            ("Expectation", "Value"): 0.588628982316289,
            ("Expectation", "Satisfaction"): 0.865108193553153,
            ("Value", "Satisfaction"): 0.740808927759395}
    for (a, b), v in want.items():
        assert res.matrix.loc[a, b] == pytest.approx(v, abs=1e-9)
    t = res.tidy()
    assert (t["ci_low"] < t["estimate"]).all() and (t["estimate"] < t["ci_high"]).all()
    # same seed, same interval (the shared bootstrap engine is deterministic)
    again = htmt(m, MOBI, n_boot=500, seed=11).tidy()
    np.testing.assert_array_equal(t["ci_high"], again["ci_high"])


def test_fornell_larcker_and_cross_loadings_identities(reference_data):
    # Independent checks: the diagonal is sqrt(AVE) from reliability(); off-diagonal
    # entries are Pearson correlations of the item-mean scores; cross-loadings are
    # item-score correlations (computed here directly with numpy).
    from egovstudy.measurement import reliability

    m = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    fl = fornell_larcker(m, MOBI)
    assert fl.loc["Image", "Image"] == pytest.approx(
        np.sqrt(reliability(m, MOBI["Image"]).scale["ave"]))
    s_img = m[MOBI["Image"]].mean(axis=1)
    s_val = m[MOBI["Value"]].mean(axis=1)
    assert fl.loc["Value", "Image"] == pytest.approx(np.corrcoef(s_img, s_val)[0, 1])
    cl = cross_loadings(m, MOBI)
    assert cl.loc["PERV1", "Image"] == pytest.approx(np.corrcoef(m["PERV1"], s_img)[0, 1])


def _simulated_study(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    # stand-in for the default study (load_survey not available yet): budget with bud4
    # loading 0.15 (the planted weak item of truth.yaml), two other constructs, n = 600,
    # 5-point Likert codes.
    n = 600
    f = rng.normal(size=(n, 3))
    spec = {"budget": ([0.75, 0.7, 0.72, 0.15], 0), "internet": ([0.7, 0.75, 0.7], 1),
            "performance": ([0.7, 0.72, 0.68, 0.74, 0.7], 2)}
    cols, cons = {}, {}
    prefix = {"budget": "bud", "internet": "net", "performance": "perf"}
    for name, (lams, fi) in spec.items():
        cons[name] = []
        for j, lam in enumerate(lams, 1):
            z = lam * f[:, fi] + np.sqrt(1 - lam**2) * rng.normal(size=n)
            item = f"{prefix[name]}{j}"
            cols[item] = np.clip(np.round(3 + 1.1 * z), 1, 5)
            cons[name].append(item)
    return pd.DataFrame(cols), cons


def test_instrument_report_flags_weak_item(rng):
    data, cons = _simulated_study(rng)
    rep = instrument_report(data, cons)
    assert rep.weak_items == ["bud4"]
    assert (rep.constructs["verdict"] != "unreliable").all()
    row = rep.items.set_index("item").loc["bud4"]
    assert "tidak valid" in row["sentence_id"] and "not valid" in row["sentence_en"]
    assert "Cronbach's alpha" in rep.summary("id")
    with pytest.raises(ModelSpecError, match="constructs is required"):
        instrument_report(data)


def test_instrument_report_alpha_is_cronbachs_alpha(rng):
    """``.alpha`` is Cronbach's alpha of each construct (as reliability(), checked against
    psych::alpha in test_measurement_reliability); the r-table level is ``.sig_level``."""
    from egovstudy.measurement import reliability

    data, cons = _simulated_study(rng)
    rep = instrument_report(data, cons)
    assert rep.sig_level == 0.05
    for name, items in cons.items():
        assert rep.alpha[name] == pytest.approx(reliability(data, items).alpha, rel=1e-12)
    old = instrument_report(data, cons, alpha=0.01)      # former keyword still accepted
    assert old.sig_level == 0.01 and "significance level 0.01" in old.summary("en")
    assert "taraf signifikansi 0,01" in old.summary("id")
    with pytest.raises(ModelSpecError, match="sig_level=5"):
        instrument_report(data, cons, sig_level=5)
    with pytest.raises(ModelSpecError, match=r"alpha=0\.01 and sig_level=0\.1 disagree"):
        instrument_report(data, cons, alpha=0.01, sig_level=0.1)


def test_instrument_report_default_study():
    # Runs on the real default study once the ingestion helper's load_survey exists.
    egov = pytest.importorskip("egovstudy.survey")
    from egovstudy._paths import project_root

    path = project_root() / "data" / "raw" / "default_study"
    if not (path / "codebook.yaml").exists():
        pytest.skip("default study not written yet")
    survey = egov.load_survey(path / "survei_asn_opd.csv", path / "codebook.yaml")
    rep = instrument_report(survey)
    assert rep.weak_items == ["bud4"]


def test_cfa_heywood_case_reported_as_lavaan():
    """R 4, lavaan: x = the 12-row frame below (listwise: 8 rows);
    f <- cfa("f =~ a + b + c + d", x) warns "some estimated ov variances are negative";
    parameterEstimates(f, standardized = TRUE): loadings 1, 0.953 (SE 0.188), 0.805
    (0.197), 0.805 (0.197); a ~~ a -0.062, b ~~ b 0.440, c ~~ c 0.489, d ~~ d 0.489,
    f ~~ f 1.562; std.all loadings 1.021 0.874 0.821 0.821; fitMeasures chisq 0.845, df 2,
    srmr 0.032."""
    x = pd.DataFrame({
        "a": [1, 2, 3, 4, 5, 4, 3, 2, 4, 5, np.nan, 3],
        "b": [2, 2, 3, 4, 5, 5, 3, 1, np.nan, 4, 4, 3],
        "c": [1, 3, 3, 5, 4, 4, 2, 2, 4, np.nan, 5, 2],
        "d": [2, 1, 4, 4, 5, 3, 3, 2, 3, 5, 4, np.nan],
    })
    with pytest.warns(StatisticalWarning, match=r"Heywood case: negative variance "
                      r"estimate\(s\) 'a' \(-0\.062\)"):
        res = cfa("f =~ a + b + c + d", x)
    est = res.estimates
    load = est[est["op"] == "=~"]
    np.testing.assert_allclose(load["estimate"], [1, 0.953, 0.805, 0.805], atol=5e-4)
    np.testing.assert_allclose(load["std_error"].iloc[1:], [0.188, 0.197, 0.197], atol=5e-4)
    np.testing.assert_allclose(load["std_estimate"], [1.021, 0.874, 0.821, 0.821], atol=5e-4)
    var = est[(est["op"] == "~~") & (est["latent"] == est["item"])].set_index("item")
    np.testing.assert_allclose(var.loc[["a", "b", "c", "d", "f"], "estimate"],
                               [-0.062, 0.440, 0.489, 0.489, 1.562], atol=5e-4)
    assert res.fit["chisq"] == pytest.approx(0.845, abs=5e-4)
    assert res.fit["srmr"] == pytest.approx(0.032, abs=5e-4)


def test_cfa_residual_covariance_standardized_as_lavaan(reference_data):
    # lavaan 0.6-14: standardizedSolution(cfa(paste(HS.model, "x7 ~~ x8"),
    #   HolzingerSwineford1939)): x7 ~~ x8 est.std 0.3886015 (cov / sqrt(theta_77 theta_88))
    d = pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")
    e = cfa(HS_MODEL + "\nx7 ~~ x8", d).estimates
    row = e[(e["op"] == "~~") & (e["latent"] != e["item"]) & e["latent"].isin(["x7", "x8"])]
    assert row["std_estimate"].iloc[0] == pytest.approx(0.3886015, abs=2e-6)
