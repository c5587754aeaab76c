"""CLI verbs of the structural models: ``sem``, ``invariance`` and ``pls-mga``.

Each reads a study file, builds its model from the codebook and the hypotheses
(:mod:`egovstudy.sem_model`; for PLS the chapter's model: predictors -> mediator ->
outcome) and prints the tidy tables. Kept apart from ``cli.py`` so that the parser there
only registers them.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from egovstudy.errors import EgovStudyError

__all__ = ["COMMANDS", "add_parsers"]

HELPS = {
    "sem": "covariance-based SEM (ML, as lavaan) of the study's hypotheses",
    "invariance": "measurement invariance (configural, metric, scalar, strict) across groups",
    "pls-mga": "PLS multigroup analysis with MICOM across the groups of a column",
}


def add_parsers(sub: Any, add_input: Any) -> None:
    """Register the verbs on the subparsers ``sub`` (``add_input`` adds STUDY etc.)."""
    verbs = {}
    for verb, text in HELPS.items():
        verbs[verb] = sub.add_parser(verb, help=text, description=text)
        add_input(verbs[verb])
    verbs["sem"].add_argument("--n-boot", type=int, default=None,
                              help="bootstrap resamples of the indirect effects "
                                   "(default: the study's; 0: none)")
    verbs["sem"].add_argument("--seed", type=int, default=None)
    verbs["invariance"].add_argument("--by", required=True, help="group column, e.g. gender")
    verbs["invariance"].add_argument("--levels", nargs="*",
                                     default=["configural", "metric", "scalar", "strict"])
    verbs["pls-mga"].add_argument("--by", required=True, help="group column, e.g. gender")
    verbs["pls-mga"].add_argument("--permutations", type=int, default=None,
                                  help="permutations (default: the study's pls.permutations "
                                       "or 5000)")
    verbs["pls-mga"].add_argument("--n-boot", type=int, default=None)
    verbs["pls-mga"].add_argument("--seed", type=int, default=None)


def _study(args: argparse.Namespace, verb: str) -> tuple[Any, Any]:
    from egovstudy.cli import _inputs

    spec, survey = _inputs(args)
    if spec is None:
        raise EgovStudyError(f"{verb} needs a study file (its hypotheses give the model)")
    return spec, survey


def _items(syntax: str, data: Any) -> list[str]:
    names = set(re.findall(r"[A-Za-z_][\w.]*", syntax))
    latent = set(re.findall(r"^\s*([\w.]+)\s*=~", syntax, flags=re.M))
    return [c for c in data.columns if c in names and c not in latent]


def _print(frame: Any) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", 300, "display.max_columns", 20,
                           "display.width", 160):
        print(frame.to_string(index=False))


def _cmd_sem(args: argparse.Namespace) -> int:
    from egovstudy.cli import _progress
    from egovstudy.measurement.sem import sem
    from egovstudy.sem_model import study_sem_model

    spec, survey = _study(args, "sem")
    model = study_sem_model(spec.hypotheses, survey.codebook)
    # only the items: the construct scores share the factors' names
    data = survey.data[_items(model.syntax, survey.data)]
    n_boot = spec.n_boot if args.n_boot is None else args.n_boot
    seed = spec.seed if args.seed is None else args.seed
    _progress(f"SEM of {len(model.syntax.splitlines())} lines, {n_boot} bootstrap resamples")
    res = sem(model.syntax, data, indirect=model.indirect, n_boot=n_boot, seed=seed,
              level=spec.ci)
    print(model.syntax)
    print()
    _print(res.fit.rename("value").reset_index().rename(columns={"index": "measure"}))
    print()
    cols = [c for c in ("lhs", "op", "rhs", "estimate", "std_error", "statistic", "p_value",
                        "ci_low", "ci_high", "std_estimate", "boot_ci_low", "boot_ci_high")
            if c in res.estimates.columns]
    _print(res.paths[cols])
    if not res.defined.empty:
        print()
        _print(res.defined[cols])
    if res.bootstrap_info:
        print(res.bootstrap_info)
    return 0


def _cmd_invariance(args: argparse.Namespace) -> int:
    from egovstudy.measurement.invariance import invariance
    from egovstudy.sem_model import check_group_column, study_sem_model

    spec, survey = _study(args, "invariance")
    check_group_column(survey.data, args.by)
    model = study_sem_model(spec.hypotheses, survey.codebook)
    # first-order factors only: invariance is a property of the items' measurement
    latent = set(re.findall(r"^\s*([\w.]+)\s*=~", model.measurement, flags=re.M))
    first = "\n".join(line for line in model.measurement.splitlines()
                      if not set(re.findall(r"[\w.]+", line.split("=~")[1])) <= latent)
    data = survey.data[[*_items(first, survey.data), args.by]]
    res = invariance(first, data, args.by, levels=args.levels)
    print(res.summary())
    print(res.sentence(str(args.language or spec.language)))
    return 0


def _cmd_pls_mga(args: argparse.Namespace) -> int:
    from egovstudy.pls_multigroup import pls_mga
    from egovstudy.sem_model import check_group_column

    spec, survey = _study(args, "pls-mga")
    check_group_column(survey.data, args.by)
    m, cb = spec.model, survey.codebook
    citems = survey.construct_items()
    meas: dict[str, list[str]] = {}
    for c in [*m.predictors, *([m.mediator] if m.mediator else []), m.outcome]:
        con = cb.constructs[c]
        meas[c] = list(con.items) or [i for d in con.dimensions for i in citems.get(d, [])]
    # the chapter's PLS model (report/chapter.py, pls())
    structural = [(p, m.mediator) for p in m.predictors] if m.mediator else []
    structural += [(p, m.outcome) for p in m.predictors]
    if m.mediator:
        structural.append((m.mediator, m.outcome))
    opts = {k: v for k, v in spec.pls.items() if k in ("scheme", "consistent", "missing")}
    perms = args.permutations or int(spec.pls.get("permutations", 5000))
    res = pls_mga(survey.data, group=args.by, measurement=meas, structural=structural,
                  n_perm=perms, n_boot=args.n_boot or spec.n_boot,
                  seed=spec.seed if args.seed is None else args.seed, **opts)
    _print(res.micom.verdict)
    print()
    _print(res.tidy())
    return 0


COMMANDS = {"sem": _cmd_sem, "invariance": _cmd_invariance, "pls-mga": _cmd_pls_mga}
