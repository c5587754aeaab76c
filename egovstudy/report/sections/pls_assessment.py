"""The PLS-SEM assessment the study file asks for: PLSpredict, model fit and IPMA.

The study file's ``pls:`` block may hold ``predict: {folds, repetitions, technique}``,
``fit: {n_boot}`` and ``ipma: {target, scale}``; :func:`split_options` separates them from
the estimator's own options and :func:`assessment_tables` runs them and returns, per
assessment, a title, a tidy frame and the sentences (words from the catalogues).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from egovstudy.errors import ModelSpecError

__all__ = ["ASSESSMENT_KEYS", "assessment_tables", "split_options"]

#: Keys of the study file's ``pls:`` block that select an assessment, not an estimator option.
ASSESSMENT_KEYS = ("predict", "fit", "ipma")


def split_options(pls: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(estimator options, assessment options)`` of a study's ``pls:`` block.

    Examples
    --------
    >>> split_options({"scheme": "path", "predict": {"folds": 5}})
    ({'scheme': 'path'}, {'predict': {'folds': 5}})
    """
    core = {k: v for k, v in pls.items() if k not in ASSESSMENT_KEYS}
    extra = {k: v for k, v in pls.items() if k in ASSESSMENT_KEYS}
    return core, extra


def assessment_tables(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
                      structural: Any, options: Mapping[str, Any], core: Mapping[str, Any],
                      seed: int, language: str = "en", decimal: str = ".",
                      labels: Mapping[str, str] | None = None
                      ) -> list[tuple[str, pd.DataFrame, list[str]]]:
    """Run the assessments in ``options`` and return ``(title, frame, sentences)`` each.

    ``core`` holds the estimator options (``scheme``, ``missing``, ``consistent``) so the
    assessment estimates the same model as the chapter's PLS-SEM section.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(200, 1))
    >>> g = 0.6 * f + 0.8 * rng.normal(size=(200, 1))
    >>> d = pd.DataFrame(np.hstack([f + 0.6 * rng.normal(size=(200, 2)),
    ...                             g + 0.6 * rng.normal(size=(200, 2))]),
    ...                  columns=["x1", "x2", "y1", "y2"])
    >>> out = assessment_tables(d, measurement={"X": ["x1", "x2"], "Y": ["y1", "y2"]},
    ...                         structural=[("X", "Y")], core={},
    ...                         options={"predict": {"folds": 5, "repetitions": 2}}, seed=1)
    >>> out[0][0], list(out[0][1].columns)[:3]
    ('PLSpredict: PLS-SEM vs the linear-model benchmark', ['construct', 'indicator', 'q2_predict'])
    """
    from egovstudy.pls_assess import ipma, model_fit, pls_predict
    from egovstudy.report.language import text
    from egovstudy.report.numbers import fmt_num

    lab = dict(labels or {})
    base = {"measurement": measurement, "structural": structural,
            "missing": core.get("missing", "mean"), "scheme": core.get("scheme", "path")}
    out: list[tuple[str, pd.DataFrame, list[str]]] = []
    pred = options.get("predict")
    if pred:
        p = dict(pred) if isinstance(pred, Mapping) else {}
        res = pls_predict(data, folds=p.get("folds", 10), repetitions=p.get("repetitions", 10),
                          technique=p.get("technique", "DA"), seed=seed, **base)
        frame = res.indicators.assign(construct=res.indicators["construct"].map(
            lambda c: lab.get(c, c)))
        out.append((text("cap_pls_predict", language), frame, res.sentences(language)))
    fit = options.get("fit")
    if fit:
        nb = int(fit.get("n_boot", 1000)) if isinstance(fit, Mapping) else 1000
        mf = model_fit(data, n_boot=nb, seed=seed, consistent=bool(core.get("consistent")),
                       **base)
        t = mf.table.set_index("criterion")
        srmr = float(t.loc["srmr", "estimated"])
        sent = text("sent_pls_fit", language, srmr=fmt_num(srmr, 3, decimal=decimal),
                    verdict=text("pls_fit_good" if srmr < 0.08 else "pls_fit_poor", language))
        out.append((text("cap_pls_modelfit", language), mf.table, [sent]))
    ip = options.get("ipma")
    if ip:
        if not isinstance(ip, Mapping) or "target" not in ip:
            raise ModelSpecError("pls.ipma needs a target construct, e.g. ipma: {target: Y}")
        scale = ip.get("scale")
        r = ipma(data, target=ip["target"], scale=tuple(scale) if scale else None, **base)
        c = r.constructs.sort_values("importance", ascending=False)
        top = c.iloc[0]
        sent = text("sent_pls_ipma", language, target=lab.get(r.target, r.target),
                    construct=lab.get(top["construct"], top["construct"]),
                    importance=fmt_num(top["importance"], 3, decimal=decimal),
                    performance=fmt_num(top["performance"], 1, decimal=decimal))
        out.append((text("cap_pls_ipma", language, target=lab.get(r.target, r.target)),
                    c.assign(construct=c["construct"].map(lambda v: lab.get(v, v))), [sent]))
    return out
