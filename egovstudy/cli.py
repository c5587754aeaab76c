"""The ``egovstudy`` command line.

Verbs::

    egovstudy run study.yaml [--output DIR] [--language id]   the whole report
                             [--allow-partial]                (keep going past a failed section)
    egovstudy validate study.yaml                             schema, names, data-quality report
    egovstudy describe study.yaml                             descriptives per item/construct
    egovstudy reliability study.yaml                          instrument validity/reliability
    egovstudy regress study.yaml [--formula "y ~ x1 + x2"]    OLS + assumption tests
    egovstudy mediate study.yaml [--x X --m M --y Y]          PROCESS model 4
                                 [--weights COLUMN]       (weighted least squares paths)
    egovstudy export study.yaml --output DIR                  every table in every format
    egovstudy compare study.yaml [--by gender rank]           group comparisons, non-response
    egovstudy missing study.yaml                              missing data, Little's MCAR, MI
    egovstudy method-bias study.yaml                          Harman, full collinearity VIF
    egovstudy design study.yaml                               ICC, design effect, svyglm-like fits
    egovstudy data fetch [SOURCE...]                          download public data (cache)

Instead of a study file, ``--data FILE --codebook FILE`` works for the verbs that
need no model. Every verb exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from egovstudy.errors import EgovStudyError

__all__ = ["main"]


def _add_input(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", nargs="?", help="study file (YAML); see data/raw/default_study")
    parser.add_argument("--data", help="data file (instead of a study file)")
    parser.add_argument("--codebook", help="codebook (with --data)")
    parser.add_argument("--language", choices=["en", "id"], help="language of the output")
    parser.add_argument("--output", help="folder to write tables to (default: print only)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="egovstudy",
        description="Analyse an e-government survey from a study file: validation, "
                    "instrument tests, regression, mediation, PLS-SEM and reports.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    helps = {
        "run": "the whole analysis: tables, figures and the results chapter",
        "validate": "check the codebook and report respondent data quality",
        "describe": "descriptive statistics per item and construct",
        "reliability": "item validity and construct reliability (instrument tests)",
        "regress": "OLS on construct scores with the classical assumption tests",
        "mediate": "PROCESS model 4 (mediation) with bootstrap intervals",
        "export": "write every table in every format",
        "compare": "construct scores compared across the respondent profile, and the "
                   "non-response check (early vs late respondents)",
        "missing": "missing answers, Little's MCAR test and (missing.method: mi) the pooled "
                   "multiple-imputation models",
        "method-bias": "common-method bias: Harman's single factor, full collinearity VIFs, "
                       "marker variable",
        "design": "ICC(1) and design effect of the model variables by the cluster, and the "
                  "design-based fits of the study file's design (weights, psu, strata, fpc)",
    }
    verbs = {}
    for verb, text in helps.items():
        verbs[verb] = sub.add_parser(verb, help=text, description=text)
        _add_input(verbs[verb])
    verbs["run"].add_argument("--n-boot", type=int, help="bootstrap resamples (default: study)")
    verbs["run"].add_argument("--allow-partial", action="store_true",
                              help="write the chapter even when a section cannot be produced "
                                   "(the chapter says which and why); default: exit non-zero")
    verbs["regress"].add_argument("--formula", help='e.g. "performance ~ digitalisation + budget"')
    verbs["regress"].add_argument("--vcov", default=None,
                                  help="classical, HC0..HC3 or cluster:<column>")
    for name in ("x", "m", "y"):
        verbs["mediate"].add_argument(f"--{name}", help=f"{name.upper()} variable")
    verbs["mediate"].add_argument("--n-boot", type=int, default=None)
    verbs["mediate"].add_argument("--seed", type=int, default=None)
    verbs["mediate"].add_argument("--weights", default=None, metavar="COLUMN",
                                  help="case weights: weighted least squares paths, the "
                                       "bootstrap keeps each row's weight")
    verbs["compare"].add_argument("--by", nargs="+", metavar="COLUMN",
                                  help="grouping columns (default: the study's comparisons.by "
                                       "or every categorical variable of the codebook)")
    verbs["export"].add_argument("--formats", nargs="*",
                                 default=["csv", "xlsx", "docx", "tex", "md", "html"])
    from egovstudy.cli_structural import add_parsers

    add_parsers(sub, _add_input)                  # sem, invariance, pls-mga
    data = sub.add_parser("data", help="public data: download into the cache",
                          description="public data: download into the cache")
    data_sub = data.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = data_sub.add_parser("fetch", help="download public sources (default all), "
                                "checked against their sha256, into EGOVSTUDY_CACHE")
    fetch.add_argument("sources", nargs="*", metavar="SOURCE")
    return parser


def _version() -> str:
    from egovstudy.provenance import package_version

    return f"egovstudy {package_version()}"


def _progress(message: str) -> None:
    print(f"[egovstudy] {message}", file=sys.stderr, flush=True)


def _inputs(args: argparse.Namespace) -> tuple[Any, Any]:
    """Return (study spec or None, survey)."""
    from egovstudy.study import load_study_survey, read_study
    from egovstudy.survey import load_survey

    if args.study:
        spec = read_study(args.study)
        if args.language:
            spec = spec.with_options(language=args.language)
        _progress(f"loading {spec.data.name} with {spec.codebook.name}")
        return load_study_survey(spec)
    if args.data and args.codebook:
        _progress(f"loading {Path(args.data).name} with {Path(args.codebook).name}")
        return None, load_survey(args.data, args.codebook)
    raise EgovStudyError("give a study file, or both --data and --codebook")


def _output_dir(args: argparse.Namespace, spec: Any) -> Path:
    """The checked ``--output`` folder (never data/raw nor the inputs' folder), created."""
    from egovstudy._output import check_output_dir

    inputs = ([spec.data, spec.codebook] if spec is not None
              else [p for p in (args.data, args.codebook) if p])
    out = check_output_dir(args.output, inputs=inputs, what="--output")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _emit(args: argparse.Namespace, name: str, frame: Any, table: Any = None,
          spec: Any = None) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", 200, "display.max_columns", 20,
                           "display.width", 140):
        print(frame.to_string(index=False) if hasattr(frame, "to_string") else frame)
    if args.output and table is not None:
        from egovstudy.report.writers import write_table

        out = _output_dir(args, spec)
        path = write_table(table, out / f"{name}.csv", overwrite=args.overwrite)
        _progress(f"wrote {path}")


def _language(args: argparse.Namespace, spec: Any) -> str:
    return str(args.language or (spec.language if spec is not None else "en"))


def _cmd_validate(args: argparse.Namespace) -> int:
    spec, survey = _inputs(args)
    if spec is not None:
        from egovstudy.resolve import check_study_names

        check_study_names(spec, survey)
        _progress(f"every name in {spec.path.name} resolves against the codebook and the data")
    print(survey.quality.summary())
    if args.output:
        from egovstudy._output import atomic_path, neutralise_frame

        path = _output_dir(args, spec) / "quality.csv"
        with atomic_path(path, overwrite=args.overwrite) as tmp:
            neutralise_frame(survey.quality.table).to_csv(tmp, index=False)
        _progress(f"wrote {path}")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from egovstudy.report.tables import descriptives_table

    spec, survey = _inputs(args)
    table = descriptives_table(survey.data, survey.construct_items(),
                               language=_language(args, spec))
    _emit(args, "descriptives", table.display, table, spec)
    return 0


def _cmd_reliability(args: argparse.Namespace) -> int:
    from egovstudy.measurement import instrument_report

    _spec, survey = _inputs(args)
    report = instrument_report(survey)
    print(report.summary())
    _emit(args, "instrument", report.tidy())
    return 0


def _parse_vcov(text: str | None, spec: Any) -> Any:
    if text is None:
        cluster = spec.model.cluster if spec is not None else None
        return {"cluster": cluster} if cluster else "HC3"
    if text.startswith("cluster:"):
        return {"cluster": text.split(":", 1)[1]}
    return text


def _cmd_regress(args: argparse.Namespace) -> int:
    from egovstudy.models import assumption_tests, ols

    spec, survey = _inputs(args)
    formulas = []
    if args.formula:
        formulas = [args.formula]
    elif spec is not None:
        m = spec.model
        rhs = [*m.predictors, *m.covariates]
        if m.mediator:
            formulas.append(f"{m.mediator} ~ {' + '.join(rhs)}")
            rhs = [m.mediator, *rhs]
        formulas.append(f"{m.outcome} ~ {' + '.join(rhs)}")
    else:
        raise EgovStudyError("regress needs --formula or a study file with a model")
    for formula in formulas:
        _progress(f"fitting {formula}")
        fit = ols(formula, survey.data, vcov=_parse_vcov(args.vcov, spec))
        print(fit.summary())
        tests = assumption_tests(fit)
        lang = _language(args, spec)
        cols = ["test", "statistic", "p_value", "verdict", f"sentence_{lang}"]
        _emit(args, "assumptions", tests.tidy()[cols])
    return 0


def _cmd_mediate(args: argparse.Namespace) -> int:
    from egovstudy.mediation import process

    spec, survey = _inputs(args)
    model = spec.model if spec is not None else None
    x = args.x or (model.predictors[0] if model else None)
    m = args.m or (model.mediator if model else None)
    y = args.y or (model.outcome if model else None)
    if not (x and m and y):
        raise EgovStudyError("mediate needs --x, --m and --y (or a study file with a mediator)")
    # the same model, bootstrap kind, B, level and seed as the chapter's mediation section
    covariates = [p for p in ([*model.predictors, *model.covariates] if model else [])
                  if p not in (x, m, y)]
    n_boot = args.n_boot or (spec.n_boot if spec is not None else 5000)
    seed = args.seed if args.seed is not None else (spec.seed if spec is not None else 2026)
    clusters = model.cluster if model is not None else None
    level = spec.ci if spec is not None else 0.95
    _progress(f"PROCESS model 4: {x} -> {m} -> {y}, {n_boot} bootstrap resamples, seed {seed}"
              + (f", clusters {clusters}" if clusters else ""))
    result = process(survey.data, model=4, x=x, m=m, y=y, covariates=covariates,
                     n_boot=n_boot, seed=seed, ci=level, clusters=clusters,
                     weights=args.weights)
    print(result.summary())
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from egovstudy.study import export_tables

    spec, survey = _inputs(args)
    if not args.output:
        raise EgovStudyError("export needs --output DIR")
    paths = export_tables(spec, survey, args.output, formats=args.formats,
                          language=_language(args, spec), overwrite=args.overwrite)
    for path in paths:
        print(path)
    return 0


def _show_frame(args: argparse.Namespace, spec: Any, name: str, shown: Any, full: Any) -> None:
    """Print ``shown``; with ``--output`` write ``full`` to ``<name>.csv`` (atomic)."""
    _emit(args, name, shown)
    if args.output:
        from egovstudy._output import atomic_path, neutralise_frame

        path = _output_dir(args, spec) / f"{name}.csv"
        with atomic_path(path, overwrite=args.overwrite) as tmp:
            neutralise_frame(full).to_csv(tmp, index=False)
        _progress(f"wrote {path}")


def _survey_options(spec: Any, key: str) -> dict[str, Any]:
    return dict(getattr(spec, key, {}) or {}) if spec is not None else {}


def _cmd_compare(args: argparse.Namespace) -> int:
    from egovstudy.survey_methods import study_comparisons, study_nonresponse

    spec, survey = _inputs(args)
    opts = _survey_options(spec, "comparisons")
    if args.by:
        from egovstudy.resolve import _did_you_mean

        for name in args.by:
            if name not in survey.data.columns:
                raise EgovStudyError(f"--by: {name!r} is not a column of the data"
                                     f"{_did_you_mean(name, map(str, survey.data.columns))}. "
                                     "Fix: name a categorical column")
        opts["by"] = list(args.by)
    constructs = spec.constructs if spec is not None else None
    cols = ["group", "outcome", "test", "n", "statistic", "df", "p_value", "effect",
            "effect_size", "means"]
    comp = study_comparisons(survey, opts, constructs=constructs)
    if comp is None:
        _progress("no grouping variable: the codebook has no categorical variable; use --by")
    else:
        _show_frame(args, spec, "comparisons", comp.tidy()[cols], comp.tidy())
    late = study_nonresponse(survey, _survey_options(spec, "nonresponse"),
                             constructs=constructs)
    if late is None:
        _progress("no non-response check: the data has no submission-time column "
                  "(set nonresponse.time in the study file)")
    else:
        print(late.title)
        _show_frame(args, spec, "nonresponse", late.tidy()[cols], late.tidy())
    return 0


def _cmd_missing(args: argparse.Namespace) -> int:
    from egovstudy.survey_methods import study_missing

    spec, survey = _inputs(args)
    check = study_missing(survey, _survey_options(spec, "missing"),
                          constructs=spec.constructs if spec is not None else None,
                          model=spec.model if spec is not None else None,
                          seed=spec.seed if spec is not None else 2026,
                          n_boot=spec.n_boot if spec is not None else 5000,
                          ci=spec.ci if spec is not None else 0.95,
                          mediation=[(h.source, h.via, h.target) for h in
                                     (spec.hypotheses if spec is not None else []) if h.via])
    print(check.summary())
    for path, pooled in check.pooled_process.items():
        print(f"PROCESS model 4 {path}, pooled over {check.report.imputed.m} imputations:\n"
              f"{pooled.summary()}")
    print(check.report.sentence(_language(args, spec)))
    return 0


def _cmd_method_bias(args: argparse.Namespace) -> int:
    from egovstudy.survey_methods import study_method_bias

    spec, survey = _inputs(args)
    bias = study_method_bias(survey, _survey_options(spec, "method_bias"),
                             constructs=spec.constructs if spec is not None else None)
    print(bias.summary())
    _show_frame(args, spec, "method_bias", bias.tidy(), bias.tidy())
    return 0


def _cmd_design(args: argparse.Namespace) -> int:
    from egovstudy.survey_methods import design_effects, study_design_fits

    spec, survey = _inputs(args)
    if spec is None:
        raise EgovStudyError("design needs a study file (its model, cluster and design)")
    m = spec.model
    if m.cluster:
        variables = [v for v in (m.mediator, m.outcome) if v]
        deff = design_effects(survey, m.cluster, variables)
        _show_frame(args, spec, "design_effects", deff, deff)
    else:
        _progress("no model.cluster: no ICC or design effect")
    fits = study_design_fits(survey, spec.design, model=m, cluster=m.cluster)
    if not fits:
        _progress("no design.weights in the study file: no design-based fits")
    for fit in fits.values():
        print(fit.summary())
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from egovstudy.study import run_study

    if not args.study:
        raise EgovStudyError("run needs a study file (see data/raw/default_study/study.yaml)")
    outcome = run_study(args.study, args.output, language=args.language,
                        n_boot=args.n_boot, overwrite=args.overwrite, progress=_progress,
                        allow_partial=args.allow_partial)
    print(outcome.summary())
    return 0


def _cmd_data(args: argparse.Namespace) -> int:
    from egovstudy.public.registry import fetch_source

    for path in fetch_source(*args.sources):
        print(path)
    return 0


_COMMANDS = {
    "data": _cmd_data,
    "run": _cmd_run,
    "validate": _cmd_validate,
    "describe": _cmd_describe,
    "reliability": _cmd_reliability,
    "regress": _cmd_regress,
    "mediate": _cmd_mediate,
    "export": _cmd_export,
    "compare": _cmd_compare,
    "missing": _cmd_missing,
    "method-bias": _cmd_method_bias,
    "design": _cmd_design,
}


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Print a warning as one readable line (no source excerpt)."""
    text = " ".join(str(message).split())
    print(f"[egovstudy] {category.__name__}: {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            from egovstudy.cli_structural import COMMANDS

            return {**_COMMANDS, **COMMANDS}[args.verb](args)
    except EgovStudyError as exc:
        # one block: a line per problem (schema and name checks list them all at once)
        lines = [" ".join(line.split()) for line in str(exc).splitlines() if line.strip()]
        print(f"egovstudy {args.verb}: error: " + "\n  ".join(lines or [type(exc).__name__]),
              file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read or written: the user's to fix
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"egovstudy {args.verb}: error: cannot access{where}: "
              f"{exc.strerror or exc}. Fix: check the path and its permissions", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception as exc:  # a bug of ours: one line, the traceback only on request
        if os.environ.get("EGOVSTUDY_DEBUG"):
            raise
        print(f"egovstudy {args.verb}: internal error ({type(exc).__name__}: "
              f"{' '.join(str(exc).split())[:300]}). This is a bug in egovstudy: please report "
              "it; EGOVSTUDY_DEBUG=1 shows the traceback", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
