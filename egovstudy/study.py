"""The study file: one YAML that says what to analyse and how.

A study file names the data file and codebook (paths relative to the study
file), the language of the outputs, the seed, respondent-quality policies, the
model (predictors, mediator, outcome, cluster), the hypotheses H1..Hn, the
estimators and the outputs. :func:`read_study` validates it;
``egovstudy.pipeline_study.run_study`` (``egovstudy run study.yaml``) produces
the tables, figures and results chapter.

Every key, its type and default: ``docs/reference.md`` (generated from
``egovstudy/schemas/study.schema.json``); an example is
``data/raw/default_study/study.yaml``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from egovstudy.errors import CodebookError, DataFormatError
from egovstudy.report.formats import FIGURE_FORMATS as _FIGURE_FORMATS
from egovstudy.report.formats import TABLE_FORMATS as _TABLE_FORMATS

if TYPE_CHECKING:
    from egovstudy.survey import Survey

__all__ = ["Hypothesis", "ModelSpec", "StudyRun", "StudySpec", "export_tables",
           "load_study_survey", "read_study", "run_study"]

Direction = Literal["positive", "negative", "two-sided"]


class StudyFileError(CodebookError):
    """The study file is malformed; the message names the entry and the fix."""


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis: ``source -> target`` (optionally through a mediator)."""

    id: str
    source: str
    target: str
    direction: Direction = "positive"
    via: str | None = None
    tail: Literal["two-sided", "one-sided"] = "two-sided"

    @property
    def label(self) -> str:
        """Return e.g. ``"H7: hr_quality -> digitalisation -> performance"``."""
        middle = f" -> {self.via}" if self.via else ""
        return f"{self.id}: {self.source}{middle} -> {self.target}"


@dataclass(frozen=True)
class ModelSpec:
    """The structural model analysed on construct scores."""

    predictors: list[str]
    outcome: str
    mediator: str | None = None
    covariates: list[str] = field(default_factory=list)
    cluster: str | None = None


@dataclass(frozen=True)
class StudySpec:
    """A validated study file."""

    path: Path
    name: str
    title: dict[str, str]
    data: Path
    codebook: Path
    model: ModelSpec
    hypotheses: list[Hypothesis]
    language: Literal["en", "id"] = "en"
    decimal_comma: bool = False
    seed: int = 2026
    quality: dict[str, str] = field(default_factory=dict)
    constructs: list[str] | None = None
    estimators: dict[str, bool] = field(default_factory=dict)
    pls: dict[str, Any] = field(default_factory=dict)
    n_boot: int = 5000
    ci: float = 0.95
    process: dict[str, Any] = field(default_factory=dict)
    sem: dict[str, Any] = field(default_factory=dict)
    invariance: dict[str, Any] = field(default_factory=dict)
    tables: list[str] = field(default_factory=lambda: list(_TABLE_FORMATS))
    figures: list[str] = field(default_factory=lambda: list(_FIGURE_FORMATS))
    chapter: bool = True
    invalid_items: Literal["keep", "drop"] = "keep"
    comparisons: dict[str, Any] = field(default_factory=dict)
    nonresponse: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, Any] = field(default_factory=dict)
    method_bias: dict[str, Any] = field(default_factory=dict)
    design: dict[str, Any] = field(default_factory=dict)

    def with_options(self, **changes: Any) -> StudySpec:
        """Return a copy with some settings changed (e.g. ``language="id"``)."""
        from dataclasses import replace

        return replace(self, **changes)


def _fail(path: Path, entry: str, problem: str, fix: str) -> StudyFileError:
    return StudyFileError(f"{path}: {entry}: {problem}. Fix: {fix}")


def _names(value: Any) -> list[str]:
    """A name or a list of names (already checked by the schema) as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _choice(value: Any, allowed: tuple[str, ...], path: Path, entry: str) -> str:
    if value not in allowed:
        raise _fail(path, entry, f"{value!r} is not one of {list(allowed)}",
                    f"use one of {', '.join(allowed)}")
    return str(value)


def _process_options(value: Any, path: Path) -> dict[str, Any]:
    """The ``process`` entry (types already checked by the schema): the moderators a
    model needs are present and those it does not use are absent."""
    from egovstudy.mediation import MODELS

    opts = {str(k): v for k, v in (value or {}).items()}
    model = int(opts.get("model", 4))   # 1-3: W (and Z) moderate each direct hypothesis
    for role in ("w", "z"):
        needed = any(role in mods for mods in MODELS[model].values())
        if needed and not opts.get(role):
            raise _fail(path, f"process.{role}", f"model {model} needs a moderator {role}",
                        f"add {role}: <construct or column>")
        if not needed and opts.get(role):
            raise _fail(path, f"process.{role}", f"model {model} has no moderator {role}",
                        f"remove {role} or choose a model that uses it")
    if opts.get("w_coding") and not opts.get("w"):
        raise _fail(path, "process.w_coding", "there is no w", "remove w_coding")
    return opts


def _survey_options(value: Any) -> dict[str, Any]:
    """A survey-methods entry (checked by the schema); names in ``by`` as a list."""
    opts = {str(k): v for k, v in (value or {}).items()}
    if "by" in opts:
        opts["by"] = _names(opts["by"])
    return opts


def _hypotheses(value: Any, path: Path) -> list[Hypothesis]:
    out: list[Hypothesis] = []
    seen: dict[str, int] = {}
    problems = []
    for i, entry in enumerate(value or []):
        hid = str(entry["id"])
        if hid in seen:
            problems.append(f"study file {path}: hypotheses[{i}].id: duplicate hypothesis id "
                            f"{hid!r} (also hypotheses[{seen[hid]}]). Fix: number them "
                            "uniquely")
        seen.setdefault(hid, i)
        if entry.get("tail") == "one-sided" and entry.get("direction") in (None, "two-sided"):
            problems.append(f"study file {path}: hypotheses[{i}].tail: a one-sided test needs "
                            "an expected sign. Fix: set direction to positive or negative, or "
                            "remove tail")
        out.append(Hypothesis(hid, str(entry["from"]), str(entry["to"]),
                              entry.get("direction", "positive"),
                              str(entry["via"]) if entry.get("via") else None,
                              entry.get("tail", "two-sided")))
    if problems:
        raise StudyFileError("\n".join(problems))
    return out


def read_study(path: str | Path) -> StudySpec:
    """Read and validate a study file.

    Every key is checked against the study-file schema
    (``egovstudy/schemas/study.schema.json``, documented in ``docs/reference.md``):
    an unknown or misspelt key, a wrong type or value is an error, and all
    problems of the file are listed at once. Names are resolved against the
    codebook and the data by :func:`egovstudy.resolve.check_study_names`.

    Parameters
    ----------
    path : path
        The YAML study file (read with a safe, size- and alias-bounded loader:
        it cannot run code).

    Returns
    -------
    StudySpec

    Raises
    ------
    StudyFileError
        When entries are missing, unknown or malformed; one line per problem,
        each naming the file and the key path (``model.cluster``).
    DataFormatError
        When the file is not readable YAML.

    Examples
    --------
    >>> from egovstudy.datasets import default_study_dir
    >>> spec = read_study(default_study_dir() / "study.yaml")
    >>> spec.model.outcome, spec.hypotheses[0].label
    ('performance', 'H1: hr_quality -> digitalisation')
    """
    from egovstudy._yaml import load_yaml
    from egovstudy.schema import check_schema

    file = Path(path)
    if not file.is_file():
        raise DataFormatError(f"study file {file} not found. Fix: check the path, or copy "
                              "data/raw/default_study/study.yaml as a template")
    raw = load_yaml(file, what="study file", error=DataFormatError)
    check_schema(raw, "study", where=f"study file {file}", error=StudyFileError)
    base = file.parent
    model_raw = raw["model"]
    model = ModelSpec(
        predictors=_names(model_raw["predictors"]),
        outcome=str(model_raw["outcome"]),
        mediator=str(model_raw["mediator"]) if model_raw.get("mediator") else None,
        covariates=_names(model_raw.get("covariates")),
        cluster=str(model_raw["cluster"]) if model_raw.get("cluster") else None,
    )
    outputs = raw.get("outputs") or {}
    boot = raw.get("bootstrap") or {}
    title = raw.get("title") or {}
    if isinstance(title, str):
        title = {"en": title, "id": title}
    return StudySpec(
        path=file,
        name=str(raw.get("name", file.stem)),
        title={str(k): str(v) for k, v in title.items()},
        data=(base / str(raw["data"])).resolve(),
        codebook=(base / str(raw["codebook"])).resolve(),
        model=model,
        hypotheses=_hypotheses(raw.get("hypotheses"), file),
        language=raw.get("language", "en"),
        decimal_comma=bool(raw.get("decimal_comma", False)),
        seed=int(raw.get("seed", 2026)),
        quality={str(k): str(v) for k, v in (raw.get("quality") or {}).items()},
        constructs=_names(raw.get("constructs")) or None,
        estimators={str(k): bool(v) for k, v in (raw.get("estimators") or {}).items()},
        pls=dict(raw.get("pls") or {}),
        n_boot=int(boot.get("n_boot", 5000)),
        ci=float(boot.get("ci", 0.95)),
        process=_process_options(raw.get("process"), file),
        sem=dict(raw.get("sem") or {}),
        invariance=dict(raw.get("invariance") or {}),
        tables=list(outputs.get("tables", _TABLE_FORMATS)),
        figures=list(outputs.get("figures", _FIGURE_FORMATS)),
        chapter=bool(outputs.get("chapter", True)),
        invalid_items=(raw.get("instrument") or {}).get("invalid_items", "keep"),
        **{key: _survey_options(raw.get(key))
           for key in ("comparisons", "nonresponse", "missing", "method_bias", "design")},
    )


@dataclass(frozen=True)
class StudyRun:
    """What :func:`run_study` produced."""

    spec: StudySpec
    output_dir: Path
    chapter: Any
    manifest: Path
    seconds: float

    def summary(self) -> str:
        """Return a short account of the run: documents, counts and where they are."""
        lines = [f"Study {self.spec.name!r} ({self.spec.language}) -> {self.output_dir}",
                 self.chapter.summary(), f"manifest: {self.manifest}",
                 f"done in {self.seconds:.1f} s"]
        return "\n".join(lines)


def _as_spec(study: StudySpec | str | Path) -> StudySpec:
    if isinstance(study, StudySpec):
        return study
    path = Path(study)
    return read_study(path / "study.yaml" if path.is_dir() else path)


def load_study_survey(study: StudySpec | str | Path) -> tuple[StudySpec, Survey]:
    """Read a study file and load its survey screened by the study's quality policies.

    The one sample of a study: the chapter, every CLI verb and the notebooks load their
    data through this function, so their n and estimates agree.

    Parameters
    ----------
    study : StudySpec, str or Path
        A study file, the folder holding ``study.yaml``, or a read study.

    Returns
    -------
    tuple
        ``(spec, survey)``.

    Examples
    --------
    >>> import warnings
    >>> from egovstudy.datasets import default_study_dir
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     spec, survey = load_study_survey(default_study_dir())
    >>> spec.quality["speeders"], len(survey.data)
    ('drop', 586)
    """
    from egovstudy.survey import load_survey

    spec = _as_spec(study)
    return spec, load_survey(spec.data, spec.codebook, policies=spec.quality or None)


def _check_output(out: Path, spec: StudySpec | None = None) -> Path:
    """Resolve ``out``; refuse data/raw and the folders holding the study's data and codebook.

    The study file's own folder is allowed (``my_study.yaml`` may sit in the project
    root beside ``reports/``); the raw data's folder is not.
    """
    from egovstudy._output import check_output_dir

    inputs = [spec.data, spec.codebook] if spec is not None else []
    return check_output_dir(out, inputs=inputs)


def _default_output(spec: StudySpec) -> Path:
    """``reports/<name>``; a name that is a path or holds odd characters is refused."""
    from egovstudy._output import check_name

    return Path("reports") / check_name(spec.name, where=f"{spec.path}: name")


def run_study(
    study: StudySpec | str | Path,
    output_dir: str | Path | None = None,
    *,
    language: Literal["en", "id"] | None = None,
    n_boot: int | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    allow_partial: bool = False,
) -> StudyRun:
    """Run a whole study: every table, figure and the results chapter.

    Parameters
    ----------
    study : StudySpec or path
        A study file (or its folder).
    output_dir : path, optional
        Where to write; default ``reports/<study name>`` under the current
        directory (a study ``name`` that is not a plain name, e.g. ``../x`` or
        ``/tmp/x``, is refused). Never inside ``data/raw`` nor inside the folder
        holding the study's data file or codebook.
    language : {"en", "id"}, optional
        Override the study's language.
    n_boot : int, optional
        Override the study's bootstrap resamples.
    overwrite : bool, default False
        Replace existing outputs (a rerun with the same inputs gives
        byte-identical tables). The files the previous ``manifest.json`` lists
        and this run does not write again are removed; no other file is touched.
    progress : callable, optional
        Called with a message at each step (the command line prints them).
    allow_partial : bool, default False
        By default a section that cannot be produced stops the run with
        ``IncompleteResultsError`` (nothing is dropped silently); ``True`` writes
        the chapter with a note saying which section is missing and why.

    Returns
    -------
    StudyRun

    Raises
    ------
    OutputError
        Output folder inside ``data/raw`` or the input folder, a bad study name,
        an existing output without ``overwrite``, a symbolic link at an output,
        or another run holding the folder's ``.egovstudy.lock``.

    Notes
    -----
    Every file is written to a temporary name and moved over its final name
    when complete; the manifest is written last. A run killed midway leaves the
    previous files complete and the previous manifest in place.
    """
    start = time.perf_counter()
    from egovstudy.report.background import start_fork_server

    # first thing (this module imports in milliseconds): the writers' imports then run
    # while this process imports the statistics and reads the study
    start_fork_server()
    from egovstudy.provenance import file_sha256 as _sha
    from egovstudy.provenance import make_provenance
    from egovstudy.report import results_chapter

    spec = _as_spec(study)
    if language is not None:
        spec = spec.with_options(language=_choice(language, ("en", "id"), spec.path,
                                                  "language"))
    if n_boot is not None:
        spec = spec.with_options(n_boot=n_boot)
    from egovstudy._output import OutputRun

    out_arg = _check_output(Path(output_dir) if output_dir is not None
                            else _default_output(spec), spec)
    say = progress or (lambda message: None)
    with OutputRun(out_arg, overwrite=overwrite,
                   inputs=[spec.data, spec.codebook]) as run:
        out = run.root
        say(f"analysing {spec.data.name} ({spec.language}, {spec.n_boot} bootstrap resamples, "
            f"seed {spec.seed})")
        chapter = results_chapter(
            spec, out / "chapter", language=spec.language,
            decimal="," if spec.decimal_comma else None,
            formats=("docx", "md", "html") if spec.chapter else ("md",),
            table_formats=spec.tables, figure_formats=spec.figures, overwrite=overwrite,
            allow_partial=allow_partial,
        )
        say(f"wrote {len(chapter.table_files)} table files and {len(chapter.figure_files)} "
            "figure files")
        for skipped in chapter.skipped:
            say(f"section missing from the chapter (--allow-partial): {skipped}")
        manifest = {
            "provenance": make_provenance(
                data_hash=_sha(spec.data),
                options={"study": spec.name, "language": spec.language, "seed": spec.seed,
                         "n_boot": spec.n_boot, "decimal_comma": spec.decimal_comma,
                         "pls": spec.pls}),
            "inputs_sha256": {p.name: _sha(p) for p in (spec.path, spec.data, spec.codebook)},
            "skipped": list(chapter.skipped),
        }
        manifest_path = run.write_manifest(manifest)  # adds outputs_sha256, drops stale files
        if run.removed:
            say(f"removed {len(run.removed)} file(s) of the previous run no longer produced")
    return StudyRun(spec, out, chapter, manifest_path, time.perf_counter() - start)


def export_tables(
    spec: StudySpec | None,
    survey: Any,
    output_dir: str | Path,
    *,
    formats: Sequence[str] = _TABLE_FORMATS,
    language: str = "en",
    overwrite: bool = False,
) -> list[Path]:
    """Write every table of the analysis in the given formats; return the files.

    With a study file the model sections are included; with a bare survey only
    the screening, instrument and descriptive tables. The folder is checked,
    locked and written atomically like :func:`run_study`'s; the files written are
    listed in ``export_manifest.json`` so that ``overwrite`` removes exactly the
    stale files of the previous export.
    """
    from egovstudy._output import OutputRun
    from egovstudy.report import results_chapter

    data_file = getattr(survey, "path", None)
    inputs = ([spec.data, spec.codebook] if spec is not None
              else [data_file] if isinstance(data_file, str | Path) else [])
    with OutputRun(output_dir, overwrite=overwrite, manifest="export_manifest.json",
                   inputs=inputs) as run:
        source = spec if spec is not None else survey
        chapter = results_chapter(source, run.root / "tables", language=language,
                                  formats=("md",), table_formats=list(formats),
                                  figure_formats=("png",), overwrite=overwrite)
        run.write_manifest({"language": language, "formats": list(formats)})
    return list(chapter.table_files)
