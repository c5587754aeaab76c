"""Modification indices against lavaan::modindices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import ModelSpecError
from egovstudy.measurement import cfa
from egovstudy.measurement.modindices import modindices

HS_MODEL = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""

# lavaan 0.6-14: f <- cfa(HS.model, HolzingerSwineford1939); mi <- modindices(f);
# class(mi) <- "data.frame"; round(mi[, 4:7], 6)   (columns mi, epc, sepc.lv, sepc.all)
MI_REF = [
    ("visual", "=~", "x4", 1.211432, 0.076554, 0.068869, 0.059259),
    ("visual", "=~", "x7", 18.630638, -0.421862, -0.379516, -0.348909),
    ("visual", "=~", "x9", 36.411031, 0.577022, 0.519100, 0.515249),
    ("textual", "=~", "x1", 8.902732, 0.350331, 0.346720, 0.297488),
    ("textual", "=~", "x3", 9.150895, -0.271638, -0.268838, -0.238099),
    ("speed", "=~", "x2", 1.580000, -0.198332, -0.122861, -0.104519),
    ("speed", "=~", "x4", 0.003259, -0.005064, -0.003137, -0.002699),
    ("x1", "~~", "x2", 3.606009, -0.183764, -0.183764, -0.232904),
    ("x2", "~~", "x7", 8.918022, -0.182725, -0.182725, -0.191930),
    ("x4", "~~", "x6", 6.220497, -0.234803, -0.234803, -0.645753),
    ("x5", "~~", "x9", 0.998871, 0.039621, 0.039621, 0.078828),
    ("x7", "~~", "x8", 34.145089, 0.536444, 0.536444, 0.859151),
    ("x8", "~~", "x9", 14.946392, -0.423096, -0.423096, -0.805203),
]


@pytest.fixture(scope="module")
def hs(reference_data):
    return pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")


@pytest.fixture(scope="module")
def hs_mi(hs):
    return cfa(HS_MODEL, hs).modindices()


def test_modindices_match_lavaan(hs_mi):
    # 18 cross-loadings and 36 residual covariances, in lavaan's order
    assert len(hs_mi) == 54
    assert list(hs_mi.iloc[0, :3]) == ["visual", "=~", "x4"]
    assert list(hs_mi.iloc[-1, :3]) == ["x8", "~~", "x9"]
    got = hs_mi.set_index(["lhs", "op", "rhs"])
    for lhs, op, rhs, *ref in MI_REF:
        row = got.loc[(lhs, op, rhs), ["mi", "epc", "sepc_lv", "sepc_all"]].to_numpy(float)
        np.testing.assert_allclose(row, ref, rtol=2e-5, atol=2e-6, err_msg=f"{lhs}{op}{rhs}")


def test_modindices_sort_and_minimum_as_lavaan(hs):
    # lavaan: modindices(f, sort. = TRUE, minimum.value = 10) lists these four, in this order
    mi = modindices(cfa(HS_MODEL, hs), sort=True, minimum_value=10)
    assert [tuple(r) for r in mi[["lhs", "op", "rhs"]].to_numpy()] == [
        ("visual", "=~", "x9"), ("x7", "~~", "x8"), ("visual", "=~", "x7"), ("x8", "~~", "x9")]
    assert mi["p_value"].max() < 0.001  # each mi > 10 on 1 df


def test_modindices_skip_parameters_already_free(hs):
    mi = cfa(HS_MODEL + "\nx7 ~~ x8", hs).modindices()
    pairs = set(zip(mi["lhs"], mi["rhs"]))
    assert ("x7", "x8") not in pairs and ("x8", "x9") in pairs
    assert len(mi) == 53


def test_modindices_of_mlr_fit_equal_ml(hs):
    # lavaan 0.6-14: max(abs(modindices(cfa(m, d))$mi -
    #   modindices(cfa(m, d, estimator = "MLR"))$mi)) is 0 (ML gradient, expected information)
    ml = cfa(HS_MODEL, hs).modindices()
    mlr = cfa(HS_MODEL, hs, estimator="MLR").modindices()
    np.testing.assert_allclose(mlr["mi"], ml["mi"], rtol=1e-10)


def test_modindices_refuse_fiml_fit(hs):
    with pytest.raises(ModelSpecError, match="modindices needs a listwise ML"):
        cfa(HS_MODEL, hs, missing="fiml").modindices()
