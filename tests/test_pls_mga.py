"""Tests of PLS multigroup analysis and MICOM (egovstudy.pls_multigroup).

References: the group estimates are those of :func:`egovstudy.pls.pls_sem` on each
group's cases (pls_sem is checked against seminr in tests/test_pls.py), on seminr's
``mobi`` data split as in seminr's ``estimate_pls_mga`` example (``CUEX1 < 8``).
Henseler's PLS-MGA p is checked against the formula of Henseler, Ringle & Sinkovics
(2009) as seminr's ``estimate_pls_mga`` codes it (the full ``expand.grid`` of both
groups' bootstrap estimates), computed by brute force; the parametric and Welch tests
against the formulas in Sarstedt, Henseler & Ringle (2011) evaluated by hand. No
published MICOM numbers exist for data we ship, so MICOM is tested on properties that
must hold (Henseler, Ringle & Sarstedt 2016): identical groups give c = 1 and zero
differences; swapping the groups flips the signs and keeps every p; under H0 the
permutation p values are uniform (Kolmogorov-Smirnov over simulated data sets).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from egovstudy.errors import (
    DataQualityError,
    InsufficientDataError,
    ModelSpecError,
    StatisticalWarning,
)
from egovstudy.pls import pls_sem
from egovstudy.pls_multigroup import henseler_p, pls_mga
from tests._mobi import MOBI_MM, MOBI_SM

SMALL_MM = {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}
SMALL_SM = [("X", "Y")]


def _simulate(n: int, beta: float, rng: np.random.Generator) -> pd.DataFrame:
    f = rng.normal(size=(n, 1))
    g = beta * f + np.sqrt(1 - beta**2) * rng.normal(size=(n, 1))
    return pd.DataFrame(np.hstack([f + 0.7 * rng.normal(size=(n, 3)),
                                   g + 0.7 * rng.normal(size=(n, 3))]),
                        columns=["x1", "x2", "x3", "y1", "y2", "y3"])


@pytest.fixture(scope="module")
def mobi(reference_data: Path) -> pd.DataFrame:
    d = pd.read_csv(reference_data / "seminr" / "mobi.csv")
    return d.assign(grp=np.where(d["CUEX1"] < 8, "low", "high"))


@pytest.fixture(scope="module")
def mobi_mga(mobi: pd.DataFrame):  # type: ignore[no-untyped-def]
    return pls_mga(mobi, group="grp", groups=["low", "high"], measurement=MOBI_MM,
                   structural=MOBI_SM, n_perm=1000, n_boot=1000, seed=11)


def test_group_estimates_are_pls_sem_per_group(mobi, mobi_mga) -> None:  # type: ignore[no-untyped-def]
    # pls_sem reproduces seminr's estimate_pls (tests/test_pls.py); the group
    # estimates of the MGA must be those of pls_sem on the group's cases
    for lab, col in (("low", "estimate_1"), ("high", "estimate_2")):
        ref = pls_sem(mobi[mobi["grp"] == lab], measurement=MOBI_MM, structural=MOBI_SM,
                      n_boot=0, q2_folds=0).paths
        got = mobi_mga.paths.set_index("from")[col]
        np.testing.assert_allclose(got.loc[ref["from"]].to_numpy(), ref["estimate"], atol=1e-8)
    assert mobi_mga.groups["n"].tolist() == [int((mobi["CUEX1"] < 8).sum()),
                                              int((mobi["CUEX1"] >= 8).sum())]
    diff = mobi_mga.paths["estimate_1"] - mobi_mga.paths["estimate_2"]
    np.testing.assert_allclose(mobi_mga.paths["difference"], diff, atol=1e-12)


def test_plsc_group_estimates_are_pls_sem_plsc_per_group(mobi: pd.DataFrame) -> None:
    # consistent PLS (checked against seminr's PLSc fixtures in tests/test_pls.py) per group
    # one group is a Heywood case under PLSc: pls_sem's warning, naming the group
    with pytest.warns(StatisticalWarning, match=r"group '(low|high)' of column 'grp': PLSc "
                                                r"gives a construct correlation above 1"):
        res = pls_mga(mobi, group="grp", groups=["low", "high"], measurement=MOBI_MM,
                      structural=MOBI_SM, n_perm=50, n_boot=0, seed=1, consistent=True)
    for lab, col in (("low", "estimate_1"), ("high", "estimate_2")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StatisticalWarning)
            ref = pls_sem(mobi[mobi["grp"] == lab], measurement=MOBI_MM, structural=MOBI_SM,
                          n_boot=0, q2_folds=0, consistent=True).paths
        got = res.paths.set_index("from")[col]
        np.testing.assert_allclose(got.loc[ref["from"]].to_numpy(), ref["estimate"], atol=1e-8)
    assert res.paths["p_mga"].isna().all() and res.options["consistent"] is True


def test_henseler_p_matches_brute_force_formula(mobi_mga) -> None:  # type: ignore[no-untyped-def]
    # seminr: 1 - sum(Theta(2 mean1 - b1_j - 2 mean2 + b2_i)) / J^2 over expand.grid
    def brute(b1: np.ndarray, b2: np.ndarray) -> float:
        s = 0
        for x in b1:
            for y in b2:
                s += (2 * b1.mean() - x - 2 * b2.mean() + y) > 0
        return 1 - s / (len(b1) * len(b2))

    # a tiny bootstrap worked by hand: means 0.45 and 0.275; u = 0.9 - b1 =
    # [0.6, 0.4, 0.5, 0.3], v = 0.55 - b2 = [0.35, 0.1, 0.2, 0.45]; pairs u > v: 4+3+4+2
    # = 13 of 16, p = 1 - 13/16 = 0.1875
    b1 = np.array([0.3, 0.5, 0.4, 0.6])
    b2 = np.array([0.2, 0.45, 0.35, 0.1])
    assert henseler_p(b1, b2) == pytest.approx(0.1875, abs=1e-12)
    assert brute(b1, b2) == pytest.approx(0.1875, abs=1e-12)
    rng = np.random.default_rng(4)
    for _ in range(5):
        x, y = rng.normal(0.3, 0.1, 37), rng.normal(0.25, 0.15, 41)
        assert henseler_p(x, y) == pytest.approx(brute(x, y), abs=1e-12)
    # and the result's column is that formula on the result's own bootstrap samples
    for k, row in mobi_mga.paths.iterrows():
        b_1 = mobi_mga.boot["low"][row["term"]].to_numpy()[:200]
        b_2 = mobi_mga.boot["high"][row["term"]].to_numpy()[:200]
        full = henseler_p(mobi_mga.boot["low"][row["term"]].to_numpy(),
                          mobi_mga.boot["high"][row["term"]].to_numpy())
        assert row["p_mga_one_sided"] == pytest.approx(full, abs=1e-12)
        assert henseler_p(b_1, b_2) == pytest.approx(brute(b_1, b_2), abs=1e-12), k
        assert row["p_mga"] == pytest.approx(2 * min(full, 1 - full), abs=1e-12)


def test_parametric_and_welch_match_formulas_by_hand(mobi_mga) -> None:  # type: ignore[no-untyped-def]
    # Sarstedt, Henseler & Ringle (2011), eqs. for the parametric and the
    # Welch-Satterthwaite test, evaluated by hand on the result's own numbers
    n1, n2 = mobi_mga.groups["n"].tolist()
    for _, r in mobi_mga.paths.iterrows():
        b1, b2, s1, s2 = r["estimate_1"], r["estimate_2"], r["std_error_1"], r["std_error_2"]
        assert s1 == pytest.approx(np.nanstd(mobi_mga.boot["low"][r["term"]], ddof=1))
        sp = np.sqrt((n1 - 1) ** 2 / (n1 + n2 - 2) * s1**2
                     + (n2 - 1) ** 2 / (n1 + n2 - 2) * s2**2) * np.sqrt(1 / n1 + 1 / n2)
        t = abs(b1 - b2) / sp
        assert r["p_parametric"] == pytest.approx(2 * stats.t.sf(t, n1 + n2 - 2), rel=1e-10)
        a1, a2 = (n1 - 1) / n1 * s1**2, (n2 - 1) / n2 * s2**2
        df = (a1 + a2) ** 2 / ((n1 - 1) / n1**2 * s1**4 + (n2 - 1) / n2**2 * s2**4) - 2
        tw = abs(b1 - b2) / np.sqrt(a1 + a2)
        assert r["p_welch"] == pytest.approx(2 * stats.t.sf(tw, df), rel=1e-10)
    # one worked number: b1 - b2 = 0.2, se 0.1 and 0.08, n 100 and 150:
    # s_p = sqrt(99^2/248 0.01 + 149^2/248 0.0064) sqrt(1/100 + 1/150) = 0.127026;
    # Welch: a = 0.99 0.01 + 149/150 0.0064 = 0.0162573, df = a^2 / (99/100^2 0.1^4 +
    # 149/150^2 0.08^4) - 2 = 207.555
    from egovstudy.pls_multigroup import _parametric

    p_par, p_w = _parametric(np.array([0.5]), np.array([0.3]), np.array([0.1]),
                             np.array([0.08]), 100, 150)
    assert p_par[0] == pytest.approx(2 * stats.t.sf(0.2 / 0.127026, 248), rel=1e-4)
    assert p_w[0] == pytest.approx(2 * stats.t.sf(0.2 / np.sqrt(0.0162573), 207.555),
                                   rel=1e-4)


def test_identical_groups_give_c_one_and_zero_differences() -> None:
    d = _simulate(120, 0.5, np.random.default_rng(2))
    both = pd.concat([d.assign(g="a"), d.assign(g="b")], ignore_index=True)
    res = pls_mga(both, group="g", measurement=SMALL_MM, structural=SMALL_SM, n_perm=200,
                  n_boot=200, seed=3)
    np.testing.assert_allclose(res.paths["difference"], 0, atol=1e-12)
    np.testing.assert_allclose(res.paths["estimate_1"], res.paths["estimate_2"], atol=1e-12)
    np.testing.assert_allclose(res.micom.compositional["c"], 1, atol=1e-12)
    np.testing.assert_allclose(res.micom.equality[["mean_diff", "logvar_diff"]], 0, atol=1e-12)
    assert res.paths["p_permutation"].tolist() == [1.0]
    assert res.paths["verdict"].tolist() == ["not different"]
    assert set(res.micom.verdict["verdict"]) == {"full"} and res.micom.overall == "full"


def test_swapping_groups_flips_signs_and_keeps_p() -> None:
    rng = np.random.default_rng(8)
    d = pd.concat([_simulate(90, 0.6, rng).assign(g="a"), _simulate(70, 0.3, rng).assign(g="b")],
                  ignore_index=True)
    kw = {"group": "g", "measurement": SMALL_MM, "structural": SMALL_SM, "n_perm": 300,
          "n_boot": 300, "seed": 5}
    ab = pls_mga(d, groups=["a", "b"], **kw)
    ba = pls_mga(d, groups=["b", "a"], **kw)
    np.testing.assert_allclose(ab.paths["difference"], -ba.paths["difference"], atol=1e-12)
    for col in ("p_permutation", "p_mga", "p_parametric", "p_welch"):
        np.testing.assert_allclose(ab.paths[col], ba.paths[col], atol=1e-12)
    np.testing.assert_allclose(ab.paths["p_mga_one_sided"] + ba.paths["p_mga_one_sided"], 1,
                               atol=1e-9)
    ca, cb = ab.micom.compositional, ba.micom.compositional
    np.testing.assert_allclose(ca[["c", "q05", "p_value"]], cb[["c", "q05", "p_value"]],
                               atol=1e-12)
    ea, eb = ab.micom.equality, ba.micom.equality
    np.testing.assert_allclose(ea[["mean_diff", "logvar_diff"]],
                               -eb[["mean_diff", "logvar_diff"]], atol=1e-12)
    np.testing.assert_allclose(ea[["mean_p", "var_p"]], eb[["mean_p", "var_p"]], atol=1e-12)


@pytest.mark.filterwarnings("ignore:.*permutations of groups:UserWarning")
def test_permutation_p_uniform_under_h0() -> None:
    # both groups drawn from one population: the permutation test is exact, so its p
    # values over many data sets are uniform (Kolmogorov-Smirnov, fixed seeds). With
    # 30 cases per group a few permutations of near-zero paths do not converge within
    # max_iter; they are counted, warned about and left out.
    rng = np.random.default_rng(2026)
    p_path, p_c, p_mean = [], [], []
    for r in range(150):
        d = _simulate(60, 0.4, rng).assign(g=np.repeat(["a", "b"], 30))
        res = pls_mga(d, group="g", measurement=SMALL_MM, structural=SMALL_SM, n_perm=99,
                      n_boot=0, seed=r, n_jobs=1)
        p_path.append(res.paths["p_permutation"].iloc[0])
        p_mean.append(res.micom.equality["mean_p"].iloc[1])
        p_c.append(res.micom.compositional["p_value"].iloc[0])
    # p values live on the grid k / 100, k = 1..100; compare with a continuous U(0, 1)
    for ps in (p_path, p_mean, p_c):
        assert stats.kstest(np.asarray(ps) - 0.005, "uniform").pvalue > 0.01
    # and the 5% test rejects about 5% of the time (150 data sets: at most 9% by chance)
    assert np.mean(np.asarray(p_path) < 0.05) < 0.09


def test_detects_a_real_difference() -> None:
    rng = np.random.default_rng(12)
    d = pd.concat([_simulate(200, 0.7, rng).assign(g="a"), _simulate(200, 0.1, rng).assign(g="b")],
                  ignore_index=True)
    res = pls_mga(d, group="g", measurement=SMALL_MM, structural=SMALL_SM, n_perm=500,
                  n_boot=500, seed=1)
    row = res.paths.iloc[0]
    assert row["difference"] == pytest.approx(0.6, abs=0.15)
    assert row["p_permutation"] < 0.01 and row["p_mga_one_sided"] < 0.01
    assert row["p_parametric"] < 0.01 and row["p_welch"] < 0.01
    assert row["verdict"] == "different"


def test_same_seed_same_numbers_for_any_n_jobs() -> None:
    d = _simulate(200, 0.5, np.random.default_rng(1)).assign(g=np.tile(["a", "b"], 100))
    kw = {"group": "g", "measurement": SMALL_MM, "structural": SMALL_SM, "n_perm": 1200,
          "n_boot": 600, "seed": 9}
    one = pls_mga(d, n_jobs=1, **kw)
    two = pls_mga(d, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(one.paths, two.paths)
    pd.testing.assert_frame_equal(one.micom.equality, two.micom.equality)
    other = pls_mga(d, n_jobs=1, **{**kw, "seed": 10})
    assert not np.allclose(one.micom.compositional["q05"], other.micom.compositional["q05"])


def test_three_groups_are_compared_pairwise() -> None:
    rng = np.random.default_rng(3)
    d = pd.concat([_simulate(60, 0.5, rng).assign(g=k) for k in ("x", "y", "z")],
                  ignore_index=True)
    res = pls_mga(d, group="g", measurement=SMALL_MM, structural=SMALL_SM, n_perm=100,
                  n_boot=100, seed=1)
    pairs = list(zip(res.paths["group_1"], res.paths["group_2"], strict=True))
    assert pairs == [("x", "y"), ("x", "z"), ("y", "z")]
    assert len(res.micom.verdict) == 3 * 2
    # the pair (x, z) gets the same numbers when it is the only pair asked for
    xz = pls_mga(d, group="g", groups=["x", "z"], measurement=SMALL_MM, structural=SMALL_SM,
                 n_perm=100, n_boot=100, seed=1)
    np.testing.assert_allclose(xz.paths["p_permutation"], res.paths["p_permutation"].iloc[[1]])
    np.testing.assert_allclose(xz.paths["p_mga"], res.paths["p_mga"].iloc[[1]])


# --------------------------------------------------------------------------- bad input
@pytest.fixture()
def two_groups() -> pd.DataFrame:
    return _simulate(80, 0.5, np.random.default_rng(0)).assign(gender=np.tile(["m", "f"], 40))


def test_group_column_missing_suggests_name(two_groups: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"group='gendr' is not a column.*did you mean "
                                             r"'gender'"):
        pls_mga(two_groups, group="gendr", measurement=SMALL_MM, structural=SMALL_SM)


def test_unknown_group_label_suggests_name(two_groups: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"groups names 'ff'.*column 'gender'.*did you "
                                             r"mean 'f'"):
        pls_mga(two_groups, group="gender", groups=["m", "ff"], measurement=SMALL_MM,
                structural=SMALL_SM)


def test_group_smaller_than_indicators(two_groups: pd.DataFrame) -> None:
    d = two_groups.copy()
    d.loc[d.index[:5], "gender"] = "x"
    with pytest.raises(InsufficientDataError, match=r"group 'x' of column 'gender' has 5 "
                                                    r"cases, fewer than the 10 needed for 6"):
        pls_mga(d, group="gender", measurement=SMALL_MM, structural=SMALL_SM, n_perm=50,
                n_boot=0)


def test_constant_indicator_within_group(two_groups: pd.DataFrame) -> None:
    d = two_groups.copy()
    d.loc[d["gender"] == "f", "y2"] = 3.0
    with pytest.raises(DataQualityError, match=r"'y2' are constant within group 'f' of "
                                               r"column 'gender'"):
        pls_mga(d, group="gender", measurement=SMALL_MM, structural=SMALL_SM, n_perm=50,
                n_boot=0)


def test_one_group_and_bad_counts(two_groups: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match=r"column 'gender' has 1 group"):
        pls_mga(two_groups.assign(gender="m"), group="gender", measurement=SMALL_MM,
                structural=SMALL_SM)
    with pytest.raises(ModelSpecError, match=r"n_perm=5: pass an integer >= 20"):
        pls_mga(two_groups, group="gender", measurement=SMALL_MM, structural=SMALL_SM,
                n_perm=5)
    with pytest.raises(ModelSpecError, match=r"n_jobs=0"):
        pls_mga(two_groups, group="gender", measurement=SMALL_MM, structural=SMALL_SM,
                n_jobs=0)


def test_missing_group_labels_are_reported(two_groups: pd.DataFrame) -> None:
    d = two_groups.astype({"gender": object})
    d.loc[d.index[:4], "gender"] = None
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = pls_mga(d, group="gender", measurement=SMALL_MM, structural=SMALL_SM,
                      n_perm=50, n_boot=0, seed=1)
    assert any("missing for 4 cases" in str(x.message) for x in w)
    assert res.groups["n"].sum() == 76


# --------------------------------------------------------------------------- study file
STUDY = Path(__file__).resolve().parents[1] / "data" / "raw" / "default_study" / "study.yaml"


def _study_with(tmp_path: Path, pls_block: str) -> Path:
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace("data: survei_asn_opd.csv", f"data: {STUDY.parent}/survei_asn_opd.csv")
    text = text.replace("codebook: codebook.yaml", f"codebook: {STUDY.parent}/codebook.yaml")
    f = tmp_path / "study.yaml"
    f.write_text(text + "\n" + pls_block + "\n", encoding="utf-8")
    return f


def test_study_file_pls_mga_keys(tmp_path: Path) -> None:
    from egovstudy.study import StudyFileError, read_study

    ok = read_study(_study_with(tmp_path, "pls: {mga: gender, permutations: 300}"))
    assert ok.pls == {"mga": "gender", "permutations": 300}
    with pytest.raises(StudyFileError, match=r"permutations"):
        read_study(_study_with(tmp_path, "pls: {mga: gender, permutations: 5}"))


def test_study_file_mga_reaches_the_chapter(tmp_path: Path) -> None:
    from egovstudy.report import results_chapter
    from egovstudy.study import load_study_survey, read_study

    spec = read_study(_study_with(tmp_path, "pls: {mga: gender, permutations: 100}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = results_chapter(spec, tmp_path / "p.md", language=("en", "id"), n_boot=100,
                              pls=True, formats=("md",), dpi=60)
        _, survey = load_study_survey(spec)
        m = spec.model
        citems = survey.construct_items()
        meas = {}
        for c in [*m.predictors, m.mediator, m.outcome]:
            con = survey.codebook.constructs[c]
            meas[c] = list(con.items) or [i for d in con.dimensions for i in citems.get(d, [])]
        structural = [(p, m.mediator) for p in m.predictors]
        structural += [(p, m.outcome) for p in m.predictors] + [(m.mediator, m.outcome)]
        direct = pls_mga(survey.data, group="gender", measurement=meas, structural=structural,
                         n_perm=100, n_boot=100, seed=spec.seed)
    for lang, word in (("en", "Table"), ("id", "Tabel")):
        tabs = {t.kind: t for t in res.tables[lang]}
        assert "pls_mga" in tabs and "pls_micom" in tabs, lang
        got = tabs["pls_mga"].data
        np.testing.assert_allclose(got["difference"], direct.paths["difference"], atol=1e-12)
        np.testing.assert_allclose(got["perm_p_value"], direct.paths["p_permutation"])
        md = (tmp_path / f"p_{lang}.md").read_text(encoding="utf-8")
        n_diff = int((direct.paths["verdict"] == "different").sum())
        start = f"{word} {tabs['pls_mga'].number}: "
        sentence = next(p for p in md.replace("*", "").splitlines() if p.startswith(start))
        assert f" {len(got)} " in sentence and f" {n_diff} " in sentence
        assert f"{word} {tabs['pls_micom'].number}: MICOM" in md.replace("*", "")


def test_study_file_mga_column_misspelled(tmp_path: Path) -> None:
    from egovstudy.resolve import check_study_names
    from egovstudy.study import StudyFileError, load_study_survey, read_study

    spec = read_study(_study_with(tmp_path, "pls: {mga: gendr}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, survey = load_study_survey(spec)
    with pytest.raises(StudyFileError, match=r"pls\.mga: 'gendr' is not a column of the data"
                                             r".*did you mean 'gender'"):
        check_study_names(spec, survey)
