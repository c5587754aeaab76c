"""The PLS-SEM assessment the study file asks for: PLSpredict, model fit and IPMA.

The study file's ``pls:`` block may hold ``predict: {folds, repetitions, technique}``,
``fit: {n_boot}``, ``ipma: {target, scale}`` and ``moderation: [{iv, moderator, to,
method}]``; :func:`split_options` separates them from
the estimator's own options and :func:`assessment_tables` runs them and returns, per
assessment, a title, a tidy frame and the sentences (words from the catalogues).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from egovstudy.errors import ModelSpecError

__all__ = ["ASSESSMENT_KEYS", "assessment_tables", "fit_pls", "split_options"]

#: Keys of the study file's ``pls:`` block that select an assessment, not an estimator option.
ASSESSMENT_KEYS = ("predict", "fit", "ipma", "moderation")


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


def fit_pls(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]], structural: Any,
            core: Mapping[str, Any], dimensions: Mapping[str, Mapping[str, Sequence[str]]],
            **boot: Any) -> Any:
    """The chapter's PLS-SEM fit: :func:`~egovstudy.pls.pls_sem`, or, when the study file
    sets ``pls.higher_order`` and a construct of the model has codebook dimensions,
    :func:`~egovstudy.pls_extend.pls_higher_order` with those dimensions.

    ``dimensions`` maps each second-order construct of the model to ``{dimension: items}``;
    ``boot`` holds ``n_boot``, ``seed``, ``clusters``, ``progress``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame(rng.normal(size=(100, 4)), columns=["a", "b", "c", "e"])
    >>> fit_pls(d, measurement={"X": ["a", "b"], "Y": ["c", "e"]}, structural=[("X", "Y")],
    ...         core={}, dimensions={}, n_boot=0).paths["from"].tolist()
    ['X']
    """
    from egovstudy.pls import pls_sem
    from egovstudy.pls_extend import pls_higher_order

    opts = dict(core)
    hoc = opts.pop("higher_order", None)
    hocs = {c: dims for c, dims in dimensions.items() if c in measurement}
    if not hoc or not hocs:
        return pls_sem(data, measurement=measurement, structural=structural, **opts, **boot)
    hoc = dict(hoc) if isinstance(hoc, Mapping) else {}
    mm = {c: list(v) for c, v in measurement.items() if c not in hocs}
    for dims in hocs.values():
        mm.update({d: list(items) for d, items in dims.items()})
    res = pls_higher_order(data, measurement=mm, structural=structural,
                           higher_order={c: list(d) for c, d in hocs.items()},
                           method=hoc.get("method", "two_stage"),
                           hoc_mode=dict.fromkeys(hocs, hoc.get("hoc_mode", "A")), **opts,
                           **boot)
    return res.fit


def assessment_tables(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
                      structural: Any, options: Mapping[str, Any], core: Mapping[str, Any],
                      seed: int, language: str = "en", decimal: str = ".",
                      labels: Mapping[str, str] | None = None, n_boot: int = 1000,
                      clusters: str | None = None
                      ) -> list[tuple[str, pd.DataFrame, list[str]]]:
    """Run the assessments in ``options`` and return ``(title, frame, sentences)`` each.

    ``core`` holds the estimator options (``scheme``, ``missing``, ``consistent``) so the
    assessment estimates the same model as the chapter's PLS-SEM section; ``n_boot`` and
    ``clusters`` are the study's bootstrap (used by the moderation).

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
    mods = options.get("moderation")
    if mods:
        out.append(_moderation(data, mods, measurement, structural, core, seed, language,
                               lab, n_boot, clusters))
    return out


def _moderation(data: pd.DataFrame, mods: Any, measurement: Mapping[str, Sequence[str]],
                structural: Any, core: Mapping[str, Any], seed: int, language: str,
                lab: Mapping[str, str], n_boot: int, clusters: str | None
                ) -> tuple[str, pd.DataFrame, list[str]]:
    """The chapter's model with the interaction terms of ``pls.moderation``."""
    import difflib

    from egovstudy.pls_extend import pls_moderation
    from egovstudy.report.language import text

    cons = list(measurement)
    pairs = [tuple(p) for p in structural]
    inter = []
    methods: set[str] = set()
    for m in mods:
        for key in ("iv", "moderator", "to"):
            name = m.get(key)
            if name not in cons:
                close = difflib.get_close_matches(str(name), cons, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ModelSpecError(f"pls.moderation {key}={name!r} is not a construct of the "
                                     f"PLS-SEM model ({', '.join(cons)}){hint}")
        iv, mo, to = m["iv"], m["moderator"], m["to"]
        if mo in (iv, to):
            raise ModelSpecError(f"pls.moderation: the moderator {mo!r} must differ from iv and "
                                 "to")
        if (iv, to) not in pairs:
            raise ModelSpecError(f"pls.moderation: the model has no path {iv} -> {to} to "
                                 "moderate; pick a path of the model")
        if (mo, to) not in pairs:  # moderation needs the moderator's main effect
            pairs.append((mo, to))
        pairs.append((f"{iv}*{mo}", to))
        inter.append((iv, mo))
        methods.add(m.get("method", "two_stage"))
    if len(methods) > 1:
        raise ModelSpecError("pls.moderation mixes methods "
                             f"({', '.join(sorted(methods))}); use one method for all terms")
    method: Any = methods.pop()
    res = pls_moderation(data, measurement=measurement, structural=pairs, interactions=inter,
                         method=method, missing=core.get("missing", "mean"),
                         scheme=core.get("scheme", "path"), n_boot=n_boot, seed=seed,
                         clusters=clusters, progress=False, q2_folds=0)
    frame = res.interactions.assign(
        term=[f"{lab.get(a, a)} × {lab.get(b, b)} → {lab.get(t, t)}"
              for a, b, t in zip(res.interactions["iv"], res.interactions["moderator"],
                                 res.interactions["to"], strict=True)])
    frame = frame[["term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "f2"]]
    return text("cap_pls_moderation", language), frame, res.sentences(language)
