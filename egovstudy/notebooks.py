"""Execute the project's notebooks reproducibly: jupytext sources -> papermill -> reports/.

The ``.py`` files in ``notebooks/`` (jupytext "percent" format) are the source of
truth. :func:`run_notebooks` converts each to a notebook, executes it with
papermill (parameters injected after the cell tagged ``parameters``), writes the
executed ``.ipynb`` and an HTML copy under ``reports/notebooks/`` and a run
manifest (input hashes, versions, parameters, timings) to
``reports/run_manifest.json``. A failing notebook stops the run with an error
that names the notebook and the cell.

A notebook that needs public data files declares them in its jupytext header::

    # jupyter:
    #   egovstudy:
    #     requires: [bipa2024_public_admin]
    #     optional: true

When a required source is missing, an optional notebook is not executed and the
manifest lists it under ``skipped`` with the reason (the missing sources, the
``egovstudy data fetch`` command and each source's licence); any other stops the run
with an error naming the sources and ``egovstudy data fetch``. A notebook that runs
without a source but leaves a part out declares it as ``optional_parts: {source: part}``;
the manifest lists each part left out under ``partly_skipped``.

Command line::

    python -m egovstudy.notebooks run [--only 02] [--output reports] [--language id]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from egovstudy._output import OutputRun, atomic_write_text, check_output_dir
from egovstudy._paths import data_mirror, project_root
from egovstudy.errors import EgovStudyError
from egovstudy.provenance import file_sha256, make_provenance

__all__ = ["NotebookError", "NotebookOutputs", "NotebookRun", "discover_notebooks",
           "execute_notebook", "notebook_outputs", "run_notebooks", "show_inline",
           "sync_notebooks"]


class NotebookError(EgovStudyError, RuntimeError):
    """A notebook failed while executing; the message names the notebook and cell."""


@dataclass(frozen=True)
class NotebookRun:
    """The outcome of one executed notebook."""

    name: str
    source: Path
    executed: Path
    html: Path | None
    seconds: float
    parameters: dict[str, Any]


@dataclass(frozen=True)
class NotebookOutputs:
    """Where a notebook writes: ``<root>/tables`` and ``<root>/figures``, with provenance.

    Examples
    --------
    >>> import tempfile
    >>> out = NotebookOutputs(Path(tempfile.mkdtemp()), {"data_sha256": "abc"})
    >>> out.tables.name, out.figures.name
    ('tables', 'figures')
    """

    root: Path
    provenance: dict[str, Any]
    table_formats: tuple[str, ...] = ("csv", "xlsx")
    figure_formats: tuple[str, ...] = ("png", "svg", "pdf")

    @property
    def tables(self) -> Path:
        """Folder of the tables."""
        return self.root / "tables"

    @property
    def figures(self) -> Path:
        """Folder of the figures."""
        return self.root / "figures"

    def table(self, table: Any, name: str) -> Any:
        """Write a finished table in every table format (reruns overwrite); return it."""
        from egovstudy.report import write_table

        for ext in self.table_formats:
            write_table(table, self.tables / f"{name}.{ext}", overwrite=True)
        return table

    def figure(self, fig: Any, name: str, *, show: bool = True) -> Any:
        """Write a figure as PNG (300 dpi), SVG and PDF with the provenance embedded.

        In a notebook the figure is then shown inline (``show=True``) and closed, so it
        appears once, whatever the matplotlib backend (papermill runs use ``Agg``).
        """
        from egovstudy.report import save_figure

        save_figure(fig, self.figures / name, formats=self.figure_formats,
                    provenance=self.provenance, overwrite=True)
        if show:
            show_inline(fig)
        return fig


def show_inline(fig: Any, *, dpi: int = 100) -> bool:
    """Display ``fig`` as a PNG output of the running notebook, then close it.

    Returns whether it was displayed (False outside an IPython kernel, e.g. in a
    script, where the figure is only closed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> show_inline(plt.figure())
    False
    """
    import io

    import matplotlib.pyplot as plt

    shown = False
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with the notebook extras
        shell = None
    # a PNG of our own rather than plt.show(): with the Agg backend that the runner sets
    # (MPLBACKEND=Agg) plt.show() displays nothing
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import Image, display

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        display(Image(data=buf.getvalue(), format="png"))
        shown = True
    plt.close(fig)
    return shown


def notebook_outputs(output_dir: str | Path, *, data_hash: str | None = None,
                     options: Mapping[str, Any] | None = None) -> NotebookOutputs:
    """Return the :class:`NotebookOutputs` of a notebook run (folders created)."""
    out = NotebookOutputs(Path(output_dir), make_provenance(data_hash=data_hash,
                                                            options=options))
    out.tables.mkdir(parents=True, exist_ok=True)
    out.figures.mkdir(parents=True, exist_ok=True)
    return out


def notebooks_dir() -> Path:
    """Return the ``notebooks/`` folder of the project."""
    return project_root() / "notebooks"


def discover_notebooks(folder: str | Path | None = None,
                       only: Sequence[str] | None = None) -> list[Path]:
    """Return the numbered jupytext sources (``NN_name.py``) in data-flow order.

    Parameters
    ----------
    folder : path, optional
        Defaults to the project's ``notebooks/``.
    only : sequence of str, optional
        Keep notebooks whose file name starts with or contains one of these.

    Examples
    --------
    >>> [p.name for p in discover_notebooks()][:1]
    ['01_load_and_validate.py']
    """
    root = Path(folder) if folder is not None else notebooks_dir()
    found = sorted(p for p in root.glob("[0-9][0-9]_*.py"))
    if only:
        found = [p for p in found if any(p.name.startswith(o) or o in p.stem for o in only)]
        if not found:
            raise NotebookError(f"no notebook in {root} matches --only {list(only)}")
    return found


def _to_notebook(source: Path) -> Any:
    import jupytext

    nb = jupytext.read(source, fmt="py:percent")
    # a source without a jupytext header still runs: papermill needs a kernel and language
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                          "language": "python"})
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb


def sync_notebooks(folder: str | Path | None = None) -> list[Path]:
    """Write the output-free ``.ipynb`` twin of every jupytext source; return the paths."""
    import jupytext

    written = []
    for source in discover_notebooks(folder):
        nb = _to_notebook(source)
        for i, cell in enumerate(nb.cells):  # stable ids: a re-sync changes nothing
            cell["id"] = hashlib.sha1(f"{i}:{cell.source}".encode()).hexdigest()[:8]
        target = source.with_suffix(".ipynb")
        jupytext.write(nb, target, fmt="ipynb")
        written.append(target)
    return written


def _describe_failure(exc: Exception, name: str) -> str:
    cell = getattr(exc, "exec_count", None)
    cell_index = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f"cell {cell_index}" if cell_index is not None else (
        f"execution count {cell}" if cell is not None else "an unknown cell")
    return (f"notebook {name} failed in {where}: {ename}: {evalue}. "
            f"Open reports/notebooks/{name}.ipynb to see the traceback.")


def execute_notebook(
    source: str | Path,
    output_dir: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    html: bool = True,
    timeout: int = 900,
    kernel_name: str | None = None,
) -> NotebookRun:
    """Execute one jupytext notebook with papermill; write ``.ipynb`` (and HTML).

    The notebook runs with ``notebooks/`` as its working directory. ``output_dir``
    receives ``notebooks/<name>.ipynb`` and ``.html``; the notebook's own
    ``output_dir`` parameter is set to it so figures and tables land beside.
    """
    import nbformat
    import papermill

    source = Path(source)
    out = check_output_dir(output_dir)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    executed = out / "notebooks" / f"{source.stem}.ipynb"
    staged = out / "notebooks" / f".{source.stem}.input.ipynb"
    nbformat.write(_to_notebook(source), staged)
    params = {"output_dir": str(out), **dict(parameters or {})}
    start = time.perf_counter()
    try:  # no output path: papermill returns the notebook, written below in one atomic step
        result = papermill.execute_notebook(
            str(staged), None, parameters=params, cwd=str(source.parent),
            kernel_name=kernel_name or "python3", progress_bar=False, log_output=False,
            execution_timeout=timeout, report_mode=False,
        )
    except Exception as exc:  # papermill wraps the kernel error; name notebook and cell
        raise NotebookError(_describe_failure(exc, source.stem)) from exc
    finally:
        staged.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    result.metadata.setdefault("papermill", {})["output_path"] = str(executed)
    atomic_write_text(executed, nbformat.writes(result) + "\n")
    html_path = None
    if html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
        html_path = executed.with_suffix(".html")
        atomic_write_text(html_path, body)
    return NotebookRun(source.stem, source, executed, html_path, seconds, params)


def run_notebooks(
    output_dir: str | Path = "reports",
    *,
    only: Sequence[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    html: bool = True,
) -> list[NotebookRun]:
    """Execute every numbered notebook in order and write the run manifest.

    Parameters
    ----------
    output_dir : path, default "reports"
        Root of the outputs: ``notebooks/``, ``figures/``, ``tables/`` and
        ``run_manifest.json`` go there.
    only : sequence of str, optional
        Run only notebooks matching these names or numbers.
    parameters : mapping, optional
        Parameters given to every notebook (e.g. ``{"language": "id"}``); a
        notebook ignores those it does not declare.
    """
    with OutputRun(output_dir, overwrite=True, manifest="run_manifest.json") as lock:
        return _run_notebooks(lock.root, only=only, parameters=parameters, html=html)


def _run_notebooks(out: Path, *, only: Sequence[str] | None,
                   parameters: Mapping[str, Any] | None, html: bool) -> list[NotebookRun]:
    runs = []
    skipped: list[dict[str, str]] = []
    # kernels inherit this: semopy orders CFA parameters through Python sets, so a fixed
    # hash seed is what makes reruns byte-identical
    os.environ.setdefault("PYTHONHASHSEED", "0")
    mirror = data_mirror()
    base = dict(parameters or {})
    if mirror is not None:
        base.setdefault("data_mirror", str(mirror))
    partly: list[dict[str, str]] = []
    for source in discover_notebooks(only=only):
        reason = _missing_data(source)
        if reason is not None:
            if not reason[1]:
                raise NotebookError(f"notebook {source.stem} cannot run: {reason[0]}; or mark "
                                    "it optional in its header (egovstudy: optional: true)")
            print(f"[egovstudy] skipping {source.name} (optional): {reason[0]}", flush=True)
            skipped.append({"name": source.stem, "reason": reason[0]})
            continue
        parts = _missing_parts(source)  # checked before running: a bad header stops early
        declared = _declared_parameters(source)
        params = {k: v for k, v in base.items() if k in declared}
        print(f"[egovstudy] executing {source.name} ...", flush=True)
        run = execute_notebook(source, out, params, html=html)
        print(f"[egovstudy]   done in {run.seconds:.1f} s -> {run.executed}", flush=True)
        runs.append(run)
        partly.extend(parts)
    _write_manifest(out, runs, skipped, partly)
    return runs


def _missing_data(source: Path) -> tuple[str, bool] | None:
    """``(reason, optional)`` when a public source the notebook requires is missing."""
    meta = _to_notebook(source).metadata.get("egovstudy", {})
    requires = [str(name) for name in meta.get("requires", [])]
    if not requires:
        return None
    from egovstudy.public.sources import require_sources

    missing = []
    for name in requires:
        try:
            require_sources(name)
        except EgovStudyError:
            missing.append(name)
    if not missing:
        return None
    # the licence says why such data are not shipped with the package
    licences = "; ".join(_licence(name) for name in missing)
    return (f"public data missing: {', '.join(missing)} (get them: egovstudy data fetch "
            f"{' '.join(missing)}); licence -- {licences}", bool(meta.get("optional", False)))


def _licence(name: str) -> str:
    """The licence of a public source (it says why such data are not shipped)."""
    from egovstudy.public.sources import SOURCES

    return f"{name}: {SOURCES[name].licence}" if name in SOURCES else f"{name}: unknown source"


def _missing_parts(source: Path) -> list[dict[str, str]]:
    """The ``optional_parts`` of a notebook whose source is missing, with the reason."""
    from difflib import get_close_matches

    from egovstudy.public.sources import SOURCES, require_sources

    parts = _to_notebook(source).metadata.get("egovstudy", {}).get("optional_parts", {})
    if not isinstance(parts, Mapping):
        raise NotebookError(f"notebook {source.stem}: egovstudy.optional_parts must map a "
                            f"source to the part it feeds, e.g. {{ookla_speed_2019_2024: "
                            f"models 3-4}}; got {parts!r}")
    out = []
    for name, part in parts.items():
        if name not in SOURCES:
            near = get_close_matches(str(name), list(SOURCES), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise NotebookError(f"notebook {source.stem}: egovstudy.optional_parts names an "
                                f"unknown source {name!r}{hint} (known: see egovstudy.public."
                                "SOURCES)")
        try:
            require_sources(str(name))
        except EgovStudyError:
            out.append({"name": source.stem, "part": str(part),
                        "reason": f"public data missing: {name} (get it: egovstudy data fetch "
                                  f"{name}); licence -- {_licence(str(name))}"})
    return out


def _declared_parameters(source: Path) -> set[str]:
    nb = _to_notebook(source)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            names = set()
            for line in cell.source.splitlines():
                head = line.split("#", 1)[0]
                if "=" in head and not head.startswith((" ", "\t")):
                    names.add(head.split("=", 1)[0].strip().split(":")[0].strip())
            return names
    return set()


def _input_hashes() -> dict[str, str]:
    root = project_root()
    hashes = {}
    for folder in (root / "data" / "raw", root / "notebooks"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".ipynb":
                hashes[str(path.relative_to(root))] = file_sha256(path)
    return hashes


def _write_manifest(out: Path, runs: list[NotebookRun],
                    skipped: list[dict[str, str]] | None = None,
                    partly_skipped: list[dict[str, str]] | None = None) -> Path:
    import importlib.metadata as md

    versions: dict[str, str | None] = {}
    for dist in ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "semopy",
                 "papermill", "jupytext"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = None
    manifest = {
        "provenance": make_provenance(timestamp=True),
        "inputs_sha256": _input_hashes(),
        "packages": versions,
        "notebooks": [
            {"name": r.name, "seconds": round(r.seconds, 2), "parameters": r.parameters,
             "executed": str(r.executed.relative_to(out))}
            for r in runs
        ],
        "skipped": list(skipped or []),
        "partly_skipped": list(partly_skipped or []),
    }
    path = out / "run_manifest.json"
    return atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True,
                                              default=str) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the notebook runner (``python -m egovstudy.notebooks``)."""
    parser = argparse.ArgumentParser(prog="python -m egovstudy.notebooks",
                                     description="Execute or sync the project's notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute every notebook into the output folder")
    run.add_argument("--output", default="reports", help="output folder (default: reports)")
    run.add_argument("--only", nargs="*", help="notebook numbers or names to run")
    run.add_argument("--language", choices=["en", "id"], help="language of tables and text")
    run.add_argument("--no-html", action="store_true", help="skip the HTML copies")
    sub.add_parser("sync", help="write the output-free .ipynb twin of every .py source")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        if args.command == "sync":
            for path in sync_notebooks():
                print(path)
            return 0
        params = {"language": args.language} if args.language else {}
        run_notebooks(args.output, only=args.only, parameters=params, html=not args.no_html)
    except EgovStudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
