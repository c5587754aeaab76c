"""Chapter section: covariance-based SEM of the study's hypotheses (study key ``sem``).

The model is :func:`egovstudy.sem_model.study_sem_model` (codebook constructs and items,
hypotheses as paths, ``via`` hypotheses as indirect effects), fitted by
:func:`egovstudy.measurement.sem.sem` with the study's bootstrap B and seed. The section
writes the fit table and its sentence, then the path table (paths and indirect effects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["fit_frame", "path_frame", "sem_section"]

_FIT = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
        "srmr")


def fit_frame(res: Any) -> Any:
    """One row of fit measures (chi-square, df, p, CFI, TLI, RMSEA and its CI, SRMR).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace as NS
    >>> fit = pd.Series({"chisq": 10.0, "df": 8.0, "pvalue": 0.26, "cfi": 0.99, "tli": 0.98,
    ...                  "rmsea": 0.03, "rmsea_ci_lower": 0.0, "rmsea_ci_upper": 0.07,
    ...                  "srmr": 0.02})
    >>> fit_frame(NS(fit=fit)).columns.tolist()[:3]
    ['chisq', 'df', 'p_value']
    """
    import pandas as pd

    row = {k: float(res.fit[k]) for k in _FIT if k in res.fit.index}
    row["p_value"] = row.pop("pvalue", float("nan"))
    order = ["chisq", "df", "p_value", *[k for k in _FIT[3:] if k in row]]
    return pd.DataFrame([row])[order]


def path_frame(res: Any, labels: Mapping[str, str], chains: Mapping[str, list[str]],
               t: Callable[..., str]) -> Any:
    """Paths (``X → Y``) and indirect effects (``H7 (indirect: X → M → Y)``) with b, SE,
    z, p, CI and the standardized estimate."""
    import pandas as pd

    def lab(n: str) -> str:
        return str(labels.get(n, n))

    rows = []
    for _, r in res.paths.iterrows():
        rows.append({"path": f"{lab(r['rhs'])} → {lab(r['lhs'])}", **_stats(r)})
    for _, r in res.defined.iterrows():
        chain = chains.get(str(r["lhs"]), [])
        name = t("sem_indirect", id=r["lhs"], path=" → ".join(map(lab, chain)))
        rows.append({"path": name, **_stats(r)})
    return pd.DataFrame(rows)


def _stats(r: Any) -> dict[str, float]:
    lo = r.get("boot_ci_low", float("nan"))
    use_boot = lo == lo  # bootstrap percentile interval when there is one
    return {"estimate": float(r["estimate"]), "std_error": float(r["std_error"]),
            "statistic": float(r["statistic"]), "p_value": float(r["p_value"]),
            "ci_low": float(r["boot_ci_low"] if use_boot else r["ci_low"]),
            "ci_high": float(r["boot_ci_high"] if use_boot else r["ci_high"]),
            "std_estimate": float(r["std_estimate"])}


def sem_section(doc: Any, inp: Any, labels: Mapping[str, str],
                memo: Callable[[str, Callable[[], Any]], Any]) -> None:
    """Fit the study's SEM (once for every language) and write its section."""
    import re

    from egovstudy.measurement.sem import sem
    from egovstudy.report.tables import frame_table
    from egovstudy.sem_model import study_sem_model

    survey = inp.survey
    model = study_sem_model(inp.hypotheses, survey.codebook)
    names = set(re.findall(r"[\w.]+", model.syntax))
    latent = set(re.findall(r"^\s*([\w.]+)\s*=~", model.syntax, flags=re.M))
    # only the items: the construct scores share the factors' names
    data = survey.data[[c for c in survey.data.columns if c in names and c not in latent]]
    n_boot = int(inp.sem_options.get("n_boot", inp.n_boot))
    res = memo("sem", lambda: sem(model.syntax, data, indirect=model.indirect,
                                  n_boot=n_boot if model.indirect else 0, seed=inp.seed,
                                  level=inp.ci))
    doc.heading(doc.t("ch_sem"))
    fit = fit_frame(res)
    heads = {"chisq": "χ²", "df": "df", "p_value": "p", "cfi": "CFI", "tli": "TLI",
             "rmsea": "RMSEA", "rmsea_ci_lower": "RMSEA LL", "rmsea_ci_upper": "RMSEA UL",
             "srmr": "SRMR"}
    doc.table(frame_table(fit, title=doc.t("cap_sem_fit"), headers=heads,
                          language=doc.language, decimal=doc.decimal, digits=3,
                          kind="sem_fit"))
    f = fit.iloc[0]
    doc.para(doc.t("sem_fit_sentence", df=f"{int(f['df'])}", chisq=doc.num(f["chisq"], 2),
                   p=doc.num(f["p_value"], 3), cfi=doc.num(f["cfi"], 3),
                   rmsea=doc.num(f["rmsea"], 3), srmr=doc.num(f["srmr"], 3)))
    boot = res.bootstrap_info or doc.t("sem_boot_none")
    frame = path_frame(res, labels, model.indirect, doc.t)
    doc.table(frame_table(frame, title=doc.t("cap_sem_paths"),
                          headers={"path": doc.t("sem_col_path"), "estimate": "b",
                                   "std_error": "SE", "statistic": "z", "p_value": "p",
                                   "ci_low": "LLCI", "ci_high": "ULCI", "std_estimate": "β"},
                          notes=(doc.t("note_sem", n=res.n, boot=boot),),
                          language=doc.language, decimal=doc.decimal, digits=3,
                          kind="sem_paths"))


TITLE = "ch_sem"


def build(ctx: Any) -> None:
    """The study file's ``sem: {enabled: true}`` section, in the chapter's order."""
    if ctx.inp.sem_options.get("enabled"):
        sem_section(ctx.doc, ctx.inp, ctx.labels, ctx.memo)
