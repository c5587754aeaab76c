"""OLS: NIST StRD certified values, Petersen's published clustered SEs, bad input."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import InsufficientDataError, ModelSpecError
from egovstudy.models import ols

# Model of each NIST StRD linear dataset (from each .dat header): (degree, intercept)
NIST = {"Norris": (1, True), "Pontius": (2, True), "NoInt1": (1, False),
        "NoInt2": (1, False), "Filip": (10, True), "Longley": (None, True),
        "Wampler1": (5, True), "Wampler2": (5, True), "Wampler3": (5, True),
        "Wampler4": (5, True), "Wampler5": (5, True)}


def parse_nist(path: Path) -> tuple[dict[int, tuple[float, float]], np.ndarray]:
    """Certified (estimate, SD) per B_j from the header, and the data block."""
    lines = path.read_text().splitlines()
    cert = {}
    for ln in lines:
        m = re.match(r"\s+B(\d+)\s+(\S+)\s+(\S+)\s*$", ln)
        if m:
            cert[int(m.group(1))] = (float(m.group(2)), float(m.group(3)))
    start = next(i for i, ln in enumerate(lines)
                 if ln.startswith("Data:") and "Response" not in ln)
    data = np.array([[float(v) for v in ln.split()] for ln in lines[start + 1:] if ln.strip()])
    return cert, data


def lre(est: np.ndarray, cert: np.ndarray) -> np.ndarray:
    """Log relative error (correct significant digits); absolute error when cert == 0."""
    err = np.where(cert != 0, np.abs(est - cert) / np.where(cert != 0, np.abs(cert), 1),
                   np.abs(est - cert))
    return -np.log10(np.maximum(err, 1e-15))


@pytest.mark.parametrize("name", list(NIST))
def test_nist_strd_certified_values(reference_data: Path, name: str) -> None:
    # Certified values: NIST/ITL StRD, https://www.itl.nist.gov/div898/strd/lls/lls.shtml,
    # parsed from the header of reference_data/nist/<name>.dat
    cert, data = parse_nist(reference_data / "nist" / f"{name}.dat")
    deg, icpt = NIST[name]
    if name == "Longley":
        df = pd.DataFrame(data, columns=["y", *[f"x{j}" for j in range(1, 7)]])
        formula = "y ~ " + " + ".join(f"x{j}" for j in range(1, 7))
    else:
        df = pd.DataFrame({"y": data[:, 0], "x": data[:, 1]})
        powers = ["x"] + [f"I(x**{p})" for p in range(2, deg + 1)]
        formula = "y ~ " + " + ".join(powers) + ("" if icpt else " - 1")
    res = ols(formula, df)
    b_cert = np.array([cert[j][0] for j in sorted(cert)])
    se_cert = np.array([cert[j][1] for j in sorted(cert)])
    digits = 5 if name == "Wampler5" else 7
    assert lre(res.coef, b_cert).min() >= digits
    assert lre(res.bse.to_numpy(), se_cert).min() >= digits


def test_pinv_would_fail_on_filip(reference_data: Path) -> None:
    # the reason we do not use a pseudo-inverse: on Filip it loses (nearly) every digit
    cert, data = parse_nist(reference_data / "nist" / "Filip.dat")
    x = data[:, 1]
    X = np.column_stack([x ** p for p in range(11)])
    b_pinv = np.linalg.pinv(X) @ data[:, 0]
    b_cert = np.array([cert[j][0] for j in sorted(cert)])
    assert lre(b_pinv, b_cert).min() < 3


@pytest.fixture(scope="module")
def petersen(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "petersen_test_data.txt", sep=r"\s+", header=None,
                       names=["firmid", "year", "x", "y"])


def test_petersen_clustered_standard_errors(petersen: pd.DataFrame) -> None:
    # Petersen's published results for test_data.txt (Kellogg website, "Programming advice:
    # test data"), as also asserted in statsmodels/stats/tests/test_sandwich.py:
    # OLS b = (0.0297, 1.0348); White SE (0.0284, 0.0284); clustered by firm (0.0670, 0.0506);
    # by year (0.0234, 0.0334); by firm and year (0.0651, 0.0536).
    classical = ols("y ~ x", petersen)
    np.testing.assert_allclose(classical.coef, [0.0297, 1.0348], atol=5e-5)
    # Petersen's OLS SEs (Stata regress): 0.0284, 0.0286
    np.testing.assert_allclose(classical.bse, [0.0284, 0.0286], atol=5e-5)
    hc = ols("y ~ x", petersen, vcov="HC1")
    np.testing.assert_allclose(hc.bse, [0.0284, 0.0284], atol=5e-5)
    firm = ols("y ~ x", petersen, vcov={"cluster": "firmid"})
    np.testing.assert_allclose(firm.bse, [0.0670, 0.0506], atol=5e-5)
    assert firm.df_inference == 499
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        year = ols("y ~ x", petersen, vcov={"cluster": "year"})
        both = ols("y ~ x", petersen, vcov={"cluster": ["firmid", "year"]})
    np.testing.assert_allclose(year.bse, [0.0234, 0.0334], atol=5e-5)
    np.testing.assert_allclose(both.bse, [0.0651, 0.0536], atol=5e-5)
    assert "G/(G-1)" in firm.vcov_note


def test_hc_variants_against_closed_form(rng: np.random.Generator) -> None:
    # independent check: HC0-HC3 from their textbook formulas (MacKinnon & White 1985)
    n = 40
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    df["y"] = 1 + df.x + rng.normal(size=n) * (1 + df.x.abs())
    X = np.column_stack([np.ones(n), df.x, df.z])
    b = np.linalg.solve(X.T @ X, X.T @ df.y)
    e = df.y - X @ b
    xi = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, xi, X)
    omegas = {"HC0": e**2, "HC1": e**2 * n / (n - 3), "HC2": e**2 / (1 - h),
              "HC3": e**2 / (1 - h) ** 2}
    for kind, w in omegas.items():
        V = xi @ (X.T * w.to_numpy()) @ X @ xi
        np.testing.assert_allclose(ols("y ~ x + z", df, vcov=kind).bse, np.sqrt(np.diag(V)),
                                   rtol=1e-10)


def test_tidy_fit_stats_summary_shape(rng: np.random.Generator) -> None:
    df = pd.DataFrame({"x": rng.normal(size=30)})
    df["y"] = 2 + 3 * df.x + rng.normal(size=30)
    res = ols("y ~ x", df)
    assert res.tidy().columns.tolist() == ["term", "estimate", "std_error", "statistic",
                                           "p_value", "ci_low", "ci_high", "std_estimate"]
    fs = res.fit_stats()
    # standardized beta of a single predictor equals Pearson's r (identity)
    r = np.corrcoef(df.x, df.y)[0, 1]
    assert res.tidy().loc[1, "std_estimate"] == pytest.approx(r, rel=1e-12)
    # F of a one-predictor model is t^2 (identity); R2 = r^2
    assert fs["f"] == pytest.approx(res.tidy().loc[1, "statistic"] ** 2, rel=1e-10)
    assert fs["r2"] == pytest.approx(r**2, rel=1e-12)
    assert {"r2", "adj_r2", "f", "f_p_value", "n", "df_model", "df_resid", "aic",
            "bic"} <= set(fs)
    assert "R2" in res.summary() and "<table" in res._repr_html_()


# -- bad input ---------------------------------------------------------------------------------
@pytest.fixture()
def frame(rng: np.random.Generator) -> pd.DataFrame:
    df = pd.DataFrame({"x1": rng.normal(size=20), "x2": rng.normal(size=20),
                       "g": ["a"] * 20})
    df["y"] = df.x1 + rng.normal(size=20)
    return df


def test_missing_values_listwise_with_count(frame: pd.DataFrame) -> None:
    frame.loc[[0, 3], "x1"] = np.nan
    frame.loc[5, "y"] = np.nan
    with pytest.warns(Warning, match=r"dropped 3 of 20 rows.*y: 1, x1: 2"):
        res = ols("y ~ x1 + x2", frame)
    assert res.n == 17 and res.fit_stats()["n_dropped"] == 3
    assert "dropped 3 rows" in res.summary()


def test_non_numeric_column(frame: pd.DataFrame) -> None:
    frame["likert"] = ["Setuju", "Sangat Setuju"] * 10
    with pytest.raises(ModelSpecError, match=r"'likert'.*holds text.*C\(likert\)"):
        ols("y ~ x1 + likert", frame)


def test_unknown_column(frame: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"'x3'.*not in the data"):
        ols("y ~ x1 + x3", frame)


def test_constant_predictor(frame: pd.DataFrame) -> None:
    frame["c"] = 4.0
    with pytest.raises(ModelSpecError, match=r"'c' is constant"):
        ols("y ~ x1 + c", frame)


def test_perfect_collinearity_names_terms(frame: pd.DataFrame) -> None:
    frame["x3"] = frame.x1 + 2 * frame.x2
    with pytest.raises(ModelSpecError, match=r"perfect collinearity: '\w+' is an exact linear "
                                             r"combination of") as info:
        ols("y ~ x1 + x2 + x3", frame)
    assert all(f"'{t}'" in str(info.value) for t in ("x1", "x2", "x3"))


def test_n_not_above_k(frame: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match=r"n = 3 .* k = 3"):
        ols("y ~ x1 + x2", frame.head(3))


def test_single_cluster(frame: pd.DataFrame) -> None:
    with pytest.raises(InsufficientDataError, match=r"cluster variable 'g' has 1 cluster"):
        ols("y ~ x1", frame, vcov={"cluster": "g"})


def test_bad_vcov_option(frame: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"vcov='HC9'.*HC3"):
        ols("y ~ x1", frame, vcov="HC9")


def test_recovers_documented_true_effects() -> None:
    # simulation with known truth (the default study is not yet available as data):
    # performance = 0.40*hrq + 0.00*hrn + 0.30*bud + noise, employees in 30 agencies
    rng = np.random.default_rng(2026)
    n_ag, per = 30, 20
    agency = np.repeat(np.arange(n_ag), per)
    hrq, hrn, bud = rng.normal(size=(3, n_ag * per))
    perf = 3 + 0.40 * hrq + 0.0 * hrn + 0.30 * bud + rng.normal(0, 0.3, n_ag)[agency] \
        + rng.normal(0, 0.7, n_ag * per)
    df = pd.DataFrame({"perf": perf, "hrq": hrq, "hrn": hrn, "bud": bud, "agency": agency})
    tidy = ols("perf ~ hrq + hrn + bud", df, vcov={"cluster": "agency"}).tidy().set_index("term")
    for term, truth in {"hrq": 0.40, "hrn": 0.0, "bud": 0.30}.items():
        assert tidy.loc[term, "ci_low"] <= truth <= tidy.loc[term, "ci_high"]
    assert tidy.loc["hrn", "p_value"] > 0.05 and tidy.loc["hrq", "p_value"] < 0.001
