"""The study file: one YAML that says what to analyse and how.

A study file names the data file and codebook (paths relative to the study
file), the language of the outputs, the seed, respondent-quality policies, the
model (predictors, mediator, outcome, cluster), the hypotheses H1..Hn, the
estimators and the outputs. :func:`read_study` validates it;
``egovstudy.pipeline_study.run_study`` (``egovstudy run study.yaml``) produces
the tables, figures and results chapter.

Schema: see ``data/raw/default_study/study.yaml``. Optional PLS-SEM settings go in a
``pls:`` mapping: ``consistent`` (``true``: PLSc for reflective constructs) and
``scheme`` (``path``, ``factorial`` or ``centroid``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from egovstudy.errors import CodebookError, DataFormatError

__all__ = ["Hypothesis", "ModelSpec", "StudyRun", "StudySpec", "export_tables", "read_study",
           "run_study"]

Direction = Literal["positive", "negative", "two-sided"]
_DIRECTIONS = ("positive", "negative", "two-sided")
_POLICIES = ("report", "drop", "raise")
_TABLE_FORMATS = ("csv", "xlsx", "docx", "tex", "md", "html")
_FIGURE_FORMATS = ("png", "svg", "pdf")


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
    tables: list[str] = field(default_factory=lambda: list(_TABLE_FORMATS))
    figures: list[str] = field(default_factory=lambda: list(_FIGURE_FORMATS))
    chapter: bool = True

    def with_options(self, **changes: Any) -> StudySpec:
        """Return a copy with some settings changed (e.g. ``language="id"``)."""
        from dataclasses import replace

        return replace(self, **changes)


def _fail(path: Path, entry: str, problem: str, fix: str) -> StudyFileError:
    return StudyFileError(f"{path}: {entry}: {problem}. Fix: {fix}")


def _names(value: Any, path: Path, entry: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, entry, f"expected a list of names, got {value!r}",
                    "write a YAML list such as [hr_quality, budget]")
    return list(value)


def _choice(value: Any, allowed: tuple[str, ...], path: Path, entry: str) -> str:
    if value not in allowed:
        raise _fail(path, entry, f"{value!r} is not one of {list(allowed)}",
                    f"use one of {', '.join(allowed)}")
    return str(value)


def _hypotheses(value: Any, path: Path) -> list[Hypothesis]:
    out: list[Hypothesis] = []
    if value is None:
        return out
    if not isinstance(value, list):
        raise _fail(path, "hypotheses", "expected a list", "write one entry per hypothesis")
    seen: set[str] = set()
    for i, entry in enumerate(value):
        where = f"hypotheses[{i}]"
        if not isinstance(entry, Mapping):
            raise _fail(path, where, f"expected a mapping, got {entry!r}",
                        "write {id: H1, from: x, to: y, direction: positive}")
        missing = [k for k in ("id", "from", "to") if k not in entry]
        if missing:
            raise _fail(path, where, f"missing {missing}", "give id, from and to")
        hid = str(entry["id"])
        if hid in seen:
            raise _fail(path, where, f"duplicate hypothesis id {hid!r}", "number them uniquely")
        seen.add(hid)
        direction = _choice(entry.get("direction", "positive"), _DIRECTIONS, path,
                            f"{where}.direction")
        out.append(Hypothesis(hid, str(entry["from"]), str(entry["to"]),
                              direction,  # type: ignore[arg-type]
                              str(entry["via"]) if entry.get("via") else None))
    return out


def read_study(path: str | Path) -> StudySpec:
    """Read and validate a study file.

    Parameters
    ----------
    path : path
        The YAML study file (read with a safe loader: it cannot run code).

    Returns
    -------
    StudySpec

    Raises
    ------
    StudyFileError
        When an entry is missing or malformed; the message names it.
    DataFormatError
        When the file is not readable YAML.

    Examples
    --------
    >>> from egovstudy.datasets import default_study_dir
    >>> spec = read_study(default_study_dir() / "study.yaml")
    >>> spec.model.outcome, spec.hypotheses[0].label
    ('performance', 'H1: hr_quality -> digitalisation')
    """
    file = Path(path)
    if not file.is_file():
        raise DataFormatError(f"study file {file} not found. Fix: check the path, or copy "
                              "data/raw/default_study/study.yaml as a template")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"study file {file} is not valid UTF-8 YAML: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise _fail(file, "top level", "expected a mapping of settings",
                    "start from data/raw/default_study/study.yaml")
    for key in ("data", "codebook", "model"):
        if key not in raw:
            raise _fail(file, key, "missing", f"add '{key}:' (see the default study's file)")
    base = file.parent
    model_raw = raw["model"]
    if not isinstance(model_raw, Mapping) or "outcome" not in model_raw:
        raise _fail(file, "model", "needs at least 'outcome' and 'predictors'",
                    "write model: {predictors: [...], outcome: performance}")
    model = ModelSpec(
        predictors=_names(model_raw.get("predictors"), file, "model.predictors"),
        outcome=str(model_raw["outcome"]),
        mediator=str(model_raw["mediator"]) if model_raw.get("mediator") else None,
        covariates=_names(model_raw.get("covariates"), file, "model.covariates"),
        cluster=str(model_raw["cluster"]) if model_raw.get("cluster") else None,
    )
    if not model.predictors:
        raise _fail(file, "model.predictors", "empty", "name at least one predictor")
    quality = {}
    for rule, policy in (raw.get("quality") or {}).items():
        quality[str(rule)] = _choice(policy, _POLICIES, file, f"quality.{rule}")
    language = _choice(raw.get("language", "en"), ("en", "id"), file, "language")
    outputs = raw.get("outputs") or {}
    tables = [_choice(f, _TABLE_FORMATS, file, "outputs.tables")
              for f in _names(outputs.get("tables", list(_TABLE_FORMATS)), file,
                              "outputs.tables")]
    figures = [_choice(f, _FIGURE_FORMATS, file, "outputs.figures")
               for f in _names(outputs.get("figures", list(_FIGURE_FORMATS)), file,
                               "outputs.figures")]
    boot = raw.get("bootstrap") or {}
    n_boot = boot.get("n_boot", 5000)
    if not isinstance(n_boot, int) or n_boot < 100:
        raise _fail(file, "bootstrap.n_boot", f"{n_boot!r} is not an integer >= 100",
                    "use 5000 (Hayes' default) or more")
    ci = boot.get("ci", 0.95)
    if not isinstance(ci, float) or not 0.5 < ci < 1:
        raise _fail(file, "bootstrap.ci", f"{ci!r} is not a level in (0.5, 1)", "use 0.95")
    pls_raw = raw.get("pls") or {}
    if not isinstance(pls_raw, dict):
        raise _fail(file, "pls", f"expected a mapping, got {pls_raw!r}",
                    "write e.g. 'pls: {consistent: true, scheme: path}'")
    unknown = sorted(set(map(str, pls_raw)) - {"consistent", "scheme"})
    if unknown:
        raise _fail(file, f"pls.{unknown[0]}", "unknown option",
                    "use 'consistent' (true/false) and 'scheme' (path, factorial, centroid)")
    pls_opts: dict[str, Any] = {}
    if "consistent" in pls_raw:
        if not isinstance(pls_raw["consistent"], bool):
            raise _fail(file, "pls.consistent", f"{pls_raw['consistent']!r} is not true/false",
                        "write true (PLSc for reflective constructs) or false")
        pls_opts["consistent"] = pls_raw["consistent"]
    if "scheme" in pls_raw:
        pls_opts["scheme"] = _choice(pls_raw["scheme"], ("path", "factorial", "centroid"), file,
                                     "pls.scheme")
    seed = raw.get("seed", 2026)
    if not isinstance(seed, int) or seed < 0:
        raise _fail(file, "seed", f"{seed!r} is not a non-negative integer", "use e.g. 2026")
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
        language=language,  # type: ignore[arg-type]
        decimal_comma=bool(raw.get("decimal_comma", False)),
        seed=seed,
        quality=quality,
        constructs=_names(raw.get("constructs"), file, "constructs") or None,
        estimators={str(k): bool(v) for k, v in (raw.get("estimators") or {}).items()},
        pls=pls_opts,
        n_boot=n_boot,
        ci=ci,
        tables=tables,
        figures=figures,
        chapter=bool(outputs.get("chapter", True)),
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
    from egovstudy.provenance import file_sha256 as _sha
    from egovstudy.provenance import make_provenance
    from egovstudy.report import results_chapter

    start = time.perf_counter()
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
        )
        say(f"wrote {len(chapter.table_files)} table files and {len(chapter.figure_files)} "
            "figure files")
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
