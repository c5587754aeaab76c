"""Save a figure as PNG, SVG and PDF with provenance embedded and byte-identical reruns.

Examples
--------
>>> import tempfile, pathlib
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([1, 2], [1, 3])
>>> paths = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "fig", formats=("png", "svg"))
>>> [p.suffix for p in paths]
['.png', '.svg']
>>> plt.close(fig)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovstudy._output import atomic_path
from egovstudy.errors import OutputError
from egovstudy.report.decimal_mark import decimal_mark
from egovstudy.report.style import styled
from egovstudy.report.writers import check_writable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_FORMATS", "PRINT_RC", "FigureWriter", "read_png_provenance", "save_figure"]

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: rcParams every saved figure gets: TrueType (Type 42) fonts in PDF/PS, never Type 3,
#: and SVG ids salted with a fixed string for byte-identical reruns.
#: The saved area is the drawn artists' bounding box ("tight"), so a legend or label
#: placed outside the axes is never cut, whether or not the house style is active.
PRINT_RC: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.hashsalt": "egovstudy",
                            "savefig.bbox": "tight", "savefig.pad_inches": 0.05}


def _formats(path: Path, formats: Sequence[str] | str | None) -> tuple[Path, list[str]]:
    suffix = path.suffix.lower().lstrip(".")
    if isinstance(formats, str):
        formats = [formats]
    if formats is None:
        fmts = [suffix] if suffix in FIGURE_FORMATS else list(FIGURE_FORMATS)
    else:
        fmts = [f.lower().lstrip(".") for f in formats]
    bad = [f for f in fmts if f not in FIGURE_FORMATS]
    if bad or not fmts:
        raise OutputError(f"figure format(s) {bad or fmts} not supported; use any of "
                          f"{', '.join(FIGURE_FORMATS)}")
    stem = path.with_suffix("") if suffix in FIGURE_FORMATS else path
    return stem, list(dict.fromkeys(fmts))


def save_figure(
    fig: Figure,
    path: str | Path,
    *,
    formats: Sequence[str] | str | None = None,
    dpi: int = 300,
    provenance: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    title: str | None = None,
    decimal: str = ".",
) -> list[Path]:
    """Write ``fig`` as PNG, SVG and/or PDF with metadata, deterministically.

    Parameters
    ----------
    fig : matplotlib Figure
    path : str or Path
        Output path; its suffix (if .png/.svg/.pdf) is replaced by each format's.
    formats : sequence of {"png", "svg", "pdf"}, optional
        Default: the suffix's format if ``path`` has one, else all three.
    dpi : int, default 300
        Resolution of the PNG.
    provenance : mapping, optional
        Record from :func:`egovstudy.provenance.make_provenance` (data hash,
        version, commit, options); made without a data hash when omitted.
        Embedded as PNG text chunks, SVG ``<metadata>`` (Dublin Core) and the
        PDF info dictionary.
    overwrite : bool, default False
        Replace existing files; otherwise raise :class:`OutputError` before
        writing anything.
    title : str, optional
        Document title stored in the metadata.
    decimal : {".", ","}, default "."
        Decimal mark of the numbers in the saved files (tick labels, titles, legends,
        annotations); ``","`` for Indonesian reports. The figure itself is left as it
        was (see :func:`egovstudy.report.decimal_mark.decimal_mark`).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Notes
    -----
    Dates are left out of the metadata and SVG ids are salted with a fixed string
    (``svg.hashsalt``), so the same figure gives byte-identical files on rerun.
    Fonts are embedded as TrueType (``pdf.fonttype = 42``, ``ps.fonttype = 42``)
    whatever the caller's rcParams say: publishers reject the Type 3 fonts that are
    matplotlib's default. SVG text follows ``svg.fonttype`` (the house style and
    matplotlib's default ``"path"`` draw glyphs as outlines, so the figure looks the
    same without the fonts installed; set ``"none"`` to keep text editable).
    Each file is written to a temporary name in its folder and moved over the
    final name once complete; a symbolic link at a target is refused.
    """
    import matplotlib as mpl

    from egovstudy.provenance import make_provenance

    if not hasattr(fig, "savefig"):
        raise OutputError(f"save_figure needs a matplotlib Figure, got {type(fig).__name__}; "
                          "pass ax.figure for an Axes")
    if int(dpi) <= 0:
        raise OutputError(f"dpi={dpi} must be a positive integer")
    stem, fmts = _formats(Path(path), formats)
    targets = [stem.with_name(stem.name + "." + f) for f in fmts]
    for t in targets:  # check every target before writing any
        check_writable(t, overwrite=overwrite)
    record = dict(provenance) if provenance is not None else make_provenance()
    prov = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    version = f"egovstudy {record.get('version', '')}".strip()
    title = title or stem.name
    out = []
    if decimal not in (".", ","):
        raise OutputError(f"decimal={decimal!r} is not supported; use '.' or ','")
    rc = {**PRINT_RC, "pdf.compression": 6}
    # a figure made in the house style is saved in it: tick labels are created at draw time
    made_in = getattr(fig, "_egovstudy_rc", None)
    style = styled(made_in) if made_in is not None else nullcontext()
    rc_cm = mpl.rc_context(rc)  # type: ignore[arg-type]
    with style, rc_cm, decimal_mark(fig, decimal), _drawn_once(fig, dpi, len(fmts)) as bbox:
        for fmt, target in zip(fmts, targets):
            if fmt == "png":
                meta: dict[str, Any] = {"Title": title, "Software": version,
                                        "Description": prov,
                                        "egovstudy:data_sha256": str(record.get("data_sha256")),
                                        "egovstudy:commit": str(record.get("commit"))}
            elif fmt == "svg":
                meta = {"Title": title, "Creator": version, "Description": prov, "Date": None,
                        "Source": str(record.get("data_sha256"))}
            else:
                meta = {"Title": title, "Creator": version, "Producer": version,
                        "Subject": prov, "Keywords": f"data_sha256={record.get('data_sha256')}",
                        "CreationDate": None, "ModDate": None}
            with atomic_path(target, overwrite=overwrite) as tmp:  # never a half-written file
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta, bbox_inches=bbox)
            out.append(target)
    return out


@contextmanager
def _drawn_once(fig: Figure, dpi: int, n_formats: int) -> Iterator[Any]:
    """Lay out ``fig`` and find its tight bounding box once for all its formats.

    ``savefig(bbox_inches="tight")`` draws the whole figure a first time only to
    measure it (and to run its layout engine), before drawing it again for the
    file: for three formats that is six draws. Here the figure is laid out and
    measured once (at the PNG's resolution) and every format is saved with that box
    and the layout engine off, so each format costs one draw. Yields ``"tight"``
    (matplotlib's own path) when there is a single format.
    """
    if n_formats < 2 or fig.get_figwidth() <= 0 or fig.get_figheight() <= 0:
        yield "tight"
        return
    import matplotlib as mpl

    if not hasattr(fig.canvas, "get_renderer"):  # a canvas without a renderer of its own
        yield "tight"
        return
    engine = fig.get_layout_engine()
    old_dpi = fig.dpi
    try:
        fig.set_dpi(dpi)
        fig.draw_without_rendering()  # runs the layout engine (constrained/tight)
        renderer = fig.canvas.get_renderer()
        pad = float(mpl.rcParams["savefig.pad_inches"])
        bbox = fig.get_tightbbox(renderer).padded(pad)
    finally:
        fig.set_dpi(old_dpi)
    if engine is not None:
        fig.set_layout_engine("none")
    try:
        yield bbox
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


def _default_jobs() -> int:
    """Worker processes of a :class:`FigureWriter` without ``n_jobs``: the usable cores."""
    from egovstudy.bootstrap import _usable_cores

    return _usable_cores()


def _warm() -> None:
    """Worker side of :meth:`FigureWriter.start`: the imports a save needs, done early."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    from matplotlib.backends import backend_pdf, backend_svg  # noqa: F401


def _save_pickled(blob: bytes, path: str, options: dict[str, Any]) -> list[str]:
    """Worker side of :class:`FigureWriter`: rebuild the figure and save every format."""
    import pickle

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = pickle.loads(blob)  # our own bytes, pickled by the parent process a moment ago
    try:
        return [str(p) for p in save_figure(fig, path, **options)]
    finally:
        plt.close(fig)


class FigureWriter:
    """Save figures with :func:`save_figure` in worker processes while the caller goes on.

    Rendering a figure at 300 dpi as PNG, SVG and PDF is pure CPU work that does not
    depend on anything written after it, so each figure is pickled and saved in a
    worker process (``spawn``: each worker has its own matplotlib state, whatever the
    platform) while the caller writes tables and documents. Every figure is saved by
    the same code, with the same fixed metadata, so the files are byte-identical to a
    rerun whatever ``n_jobs`` is. A figure that cannot be pickled (e.g. a formatter
    holding a lambda) is saved in this process instead.

    Parameters
    ----------
    n_jobs : int, optional
        Worker processes; default the cores this process may use. ``1`` saves each
        figure at once in this process (no workers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], [1, 3])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with FigureWriter(n_jobs=1) as writer:
    ...     writer.submit(fig, folder / "fig", formats=("png", "svg"))
    ...     files = writer.wait()
    >>> [p.name for p in files[0]]
    ['fig.png', 'fig.svg']
    """

    def __init__(self, n_jobs: int | None = None) -> None:
        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                                   or n_jobs < 1):
            raise OutputError(f"n_jobs={n_jobs!r}: give a positive number of worker "
                              "processes, or None for every core")
        self.n_jobs = _default_jobs() if n_jobs is None else n_jobs
        self._pool: Any = None
        self._pending: list[Any] = []

    def _ensure_pool(self) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.n_jobs,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def start(self) -> None:
        """Start the worker processes now, so that their start-up and imports overlap the
        caller's own work (e.g. the statistics) instead of delaying the first figure."""
        if self.n_jobs > 1 and self._pool is None:
            pool = self._ensure_pool()
            for _ in range(self.n_jobs):
                pool.submit(_warm)

    def submit(self, fig: Figure, path: str | Path, **options: Any) -> None:
        """Queue ``fig`` to be saved as :func:`save_figure` ``(fig, path, **options)``.

        The targets are checked (``overwrite``) here, before anything is queued.
        """
        import pickle

        stem, fmts = _formats(Path(path), options.get("formats"))
        for fmt in fmts:
            check_writable(stem.with_name(stem.name + "." + fmt),
                           overwrite=bool(options.get("overwrite", False)))
        blob = None
        if self.n_jobs > 1:
            try:
                blob = pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an unpicklable artist (a lambda formatter): save it here
                blob = None
        if blob is None:
            self._pending.append(save_figure(fig, path, **options))
            return
        self._pending.append(self._ensure_pool().submit(_save_pickled, blob, str(path),
                                                        dict(options)))

    def wait(self) -> list[list[Path]]:
        """Block until every queued figure is saved; the files of each, in submit order.

        An error in a worker (e.g. ``OutputError``) is raised here.
        """
        from egovstudy._output import _ACTIVE

        run = _ACTIVE.get()
        out: list[list[Path]] = []
        try:
            for item in self._pending:
                if isinstance(item, list):
                    out.append(item)
                    continue
                files = [Path(p) for p in item.result()]
                if run is not None:  # written in a worker: this process's run records them
                    for f in files:
                        run.record(f)
                out.append(files)
        finally:
            self._pending = []
            self.close()  # the workers end with the batch; the next submit starts new ones
        return out

    def close(self) -> None:
        """Stop the worker processes (after the queued figures are saved)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._pool = None

    def __del__(self) -> None:  # a caller that failed before wait(): no idle workers left
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> FigureWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_png_provenance(path: str | Path) -> dict[str, Any]:
    """Return the provenance record embedded in a PNG written by :func:`save_figure`."""
    from PIL import Image

    with Image.open(path) as im:
        desc = im.info.get("Description")
    if not desc:
        raise OutputError(f"{path} carries no egovstudy provenance (PNG 'Description' chunk)")
    return json.loads(desc)
