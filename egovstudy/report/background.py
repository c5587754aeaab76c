"""Figures and tables written in the background while the statistics go on.

:class:`FigureWriter` takes each finished figure and table of a run and writes its files
(PNG/SVG/PDF, CSV/XLSX/DOCX/TeX/MD/HTML) in worker processes while the caller computes
the next section. With ``staged=True`` nothing reaches its final name before
:meth:`FigureWriter.wait` (see :func:`egovstudy._output.staged_writes`).

Why a queue of our own in front of ``ProcessPoolExecutor``: the workers start in the
background (a fork server's start-up would otherwise block the caller's first submit),
so work submitted meanwhile waits here; work still queued can be cancelled when a run
is refused; and if no worker can be started the caller writes the queue itself. An
example is in :class:`FigureWriter`.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovstudy.errors import EgovStudyWarning, OutputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["WORKER_NICENESS", "FigureWriter", "start_fork_server"]

#: How much a writer worker yields to the process that queued its work (``os.nice``):
#: where cores are short the statistics keep their core and the figures and tables use
#: what is left, instead of the two slowing each other alike.
WORKER_NICENESS = 10

#: Modules a worker needs, imported once by the fork server (see :func:`_worker_context`).
#: The last one draws and writes once in memory, so that forked workers start warm.
_PRELOAD = ["egovstudy.report.save", "egovstudy.report.writers", "matplotlib.pyplot",
            "matplotlib.backends.backend_agg", "matplotlib.backends.backend_pdf",
            "matplotlib.backends.backend_svg", "pandas", "docx", "xlsxwriter",
            "egovstudy.report._worker_warm"]


def _default_jobs() -> int:
    """Processes of a :class:`FigureWriter` without ``n_jobs``: the usable cores."""
    from egovstudy.bootstrap import _usable_cores

    return _usable_cores()


def _worker_context() -> Any:
    """How worker processes start: from a fork server where there is one, else spawned.

    A spawned worker is a new interpreter that imports matplotlib, pandas, python-docx
    and xlsxwriter again (about a second of CPU each time). The fork server (POSIX) is
    started once, imports them once (:data:`_PRELOAD`), and forks each worker from
    that clean single-threaded process, so a worker costs almost nothing and nothing of
    the caller's state (threads, open files) reaches it. Windows has no fork server:
    workers are spawned there.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def start_fork_server() -> None:
    """Start the workers' fork server now, if this system has one (POSIX).

    The fork server imports what a save needs (:data:`_PRELOAD`, about a second of CPU)
    in a process of its own. Started first thing by :func:`egovstudy.study.run_study`
    (``egovstudy run``), it does so while
    this process imports the statistics and reads the study, when a core is still free;
    started with the first :class:`FigureWriter`, it did so later, when both cores were
    busy with the statistics and the first tables. Calling it again does nothing; a fork
    server that cannot start here is left to :meth:`FigureWriter.start`, which warns and
    writes in this process instead.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    _worker_context()  # sets what the server imports
    with contextlib.suppress(Exception):  # e.g. a sandbox without sockets: see above
        forkserver.ensure_running()


def _worker_start() -> None:
    """Worker side: a lower priority, and the imports a save needs (if spawned)."""
    import os

    if hasattr(os, "nice"):  # POSIX; on Windows workers keep the normal priority
        with contextlib.suppress(OSError):  # a sandbox that forbids it: same files, slower
            os.nice(WORKER_NICENESS)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    from matplotlib.backends import backend_pdf, backend_svg  # noqa: F401


def _noop() -> None:
    """A first task for each worker, so that :meth:`FigureWriter.start` starts them all."""


@contextlib.contextmanager
def _fresh_rc() -> Iterator[None]:
    """matplotlib's settings as a new process has them (the matplotlibrc file's), so that
    a figure saved here gives the bytes a worker gives, whatever the caller changed."""
    import matplotlib as mpl

    orig: dict[str, Any] = {k: v for k, v in mpl.rcParamsOrig.items() if k != "backend"}
    with mpl.rc_context(orig):  # type: ignore[arg-type]
        yield


def _job(kind: str, payload: Any, path: Any, options: dict[str, Any],
         staged: bool) -> tuple[list[str], list[tuple[str, str]]]:
    """Save one figure or write one table to its paths; return its files.

    ``kind`` is ``"table"`` (``payload`` a Table, ``path`` a list of paths),
    ``"figure"`` (``payload`` a pickled figure, in a worker) or ``"figure_object"``
    (``payload`` the figure itself, in the caller's process). With ``staged`` the files
    stay under their temporary names and the ``(temporary, final)`` pairs are returned
    for :func:`egovstudy._output.commit_staged`.
    """
    import pickle

    from egovstudy._output import staged_writes
    from egovstudy.report.save import save_figure

    pairs: list[tuple[Path, Path]]
    context: contextlib.AbstractContextManager[list[tuple[Path, Path]]] = (
        staged_writes() if staged else contextlib.nullcontext([]))
    with context as pairs:
        if kind == "table":
            from egovstudy.report.writers import write_table

            files = [str(write_table(payload, p, **options)) for p in path]
        else:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            # our own bytes, pickled by the parent process a moment ago
            fig = payload if kind == "figure_object" else pickle.loads(payload)
            try:
                files = [str(p) for p in save_figure(fig, path, **options)]
            finally:
                if kind != "figure_object":
                    plt.close(fig)
    return files, [(str(tmp), str(target)) for tmp, target in pairs]


@dataclass
class _Work:
    """One queued figure or table: what to run here, what to send, and its result."""

    kind: str  # "figure" or "table"
    obj: Any  # the figure or the table
    blob: bytes | None  # the pickled figure (None: the table is pickled by the pool)
    path: Any
    options: dict[str, Any]
    future: Future[Any] = field(default_factory=Future)

    def here(self, staged: bool) -> None:
        """Run in this process (the future must be running)."""
        try:
            with _fresh_rc() if self.kind == "figure" else contextlib.nullcontext():
                kind = "figure_object" if self.kind == "figure" else "table"
                self.future.set_result(_job(kind, self.obj, self.path, self.options, staged))
        except BaseException as exc:
            self.future.set_exception(exc)


class FigureWriter:
    """Save figures and write tables in worker processes while the caller goes on.

    Rendering a figure at 300 dpi as PNG, SVG and PDF, and writing a table as CSV,
    XLSX, DOCX, TeX, Markdown and HTML, are CPU and disk work that depends on nothing
    computed after it, so each figure (pickled) and each table is queued as soon as it
    exists and handed, one job at a time, to a worker process while the caller computes
    the next section. Workers are forked from a clean fork
    server, or spawned where there is none; each has its own matplotlib state, and a
    figure saved in the caller's process is saved under matplotlib's default settings
    as in a worker, so the files are byte-identical to a rerun whatever ``n_jobs`` is.
    The workers run at a lower priority (:data:`WORKER_NICENESS`), so that where cores
    are short the caller's statistics are not slowed by them. A figure that cannot be
    pickled (e.g. a formatter holding a lambda) is saved at once in this process, and
    if no worker can be started the caller writes everything itself when it waits.

    Parameters
    ----------
    n_jobs : int, optional
        Worker processes; default the cores this process may use. ``1`` writes each
        figure and table at once in this process (no workers).
    staged : bool, default False
        Leave every file under a temporary name in its folder until :meth:`wait`,
        which moves them all over their final names; :meth:`discard` (or an error)
        removes them instead. A run can then write while it computes and still leave
        nothing behind when it is refused at the end (``allow_partial=False``).

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import mkdtemp
    >>> from matplotlib.figure import Figure
    >>> chart = Figure(figsize=(2, 2))
    >>> _ = chart.add_subplot().bar(["Setuju", "Netral"], [0.7, 0.3])
    >>> out = Path(mkdtemp())
    >>> with FigureWriter(n_jobs=2, staged=True) as writer:
    ...     handle = writer.submit(chart, out / "shares", formats=("png",))
    ...     staged_only = not (out / "shares.png").exists()
    ...     written = writer.wait()
    >>> staged_only, [p.name for p in written[0]]
    (True, ['shares.png'])
    """

    def __init__(self, n_jobs: int | None = None, *, staged: bool = False) -> None:
        import multiprocessing

        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                                   or n_jobs < 1):
            raise OutputError(f"n_jobs={n_jobs!r}: give a positive number of worker "
                              "processes, or None for every core")
        if getattr(multiprocessing.current_process(), "_inheriting", False):
            # a worker being started imports the caller's script: one without a main guard
            # would run the whole study again in every worker
            raise OutputError("a writer was started while a worker process was importing "
                              "the script that started it. Fix: put the script's code "
                              "under `if __name__ == \"__main__\":`")
        self.n_jobs = _default_jobs() if n_jobs is None else n_jobs
        self.staged = bool(staged)
        #: files of the tables written by the last :meth:`wait`, in submit order
        self.table_files: list[Path] = []
        self._workers = 0 if self.n_jobs == 1 else self.n_jobs
        self._pool: Any = None
        self._lock = threading.Lock()
        self._work: list[_Work] = []  # every job of the batch, in submit order
        self._queue: deque[_Work] = deque()  # not yet handed to anyone
        self._busy = 0  # jobs the workers hold
        self._ready = False  # the workers are up (start() or the first submit)
        self._starter: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self._own: list[tuple[Path, Path]] = []  # files the caller staged (adopt())

    # ------------------------------------------------------------------ workers
    def start(self) -> None:
        """Start the worker processes now, in the background, so that their start-up
        overlaps the caller's own work (e.g. reading the data and the statistics)
        instead of delaying it. Work submitted meanwhile waits in the queue."""
        if self._workers > 0 and self._pool is None and self._starter is None:
            self._starter = threading.Thread(target=self._start_workers,
                                             name="egovstudy-writer-start", daemon=True)
            self._starter.start()

    def _start_workers(self) -> None:
        """Thread of :meth:`start`: bring the workers up, then hand them queued work."""
        from concurrent.futures import ProcessPoolExecutor

        try:
            self._pool = ProcessPoolExecutor(max_workers=self._workers,
                                             mp_context=_worker_context(),
                                             initializer=_worker_start)
            for warm in [self._pool.submit(_noop) for _ in range(self._workers)]:
                warm.result()
        except BaseException as exc:  # no workers: the caller writes everything itself
            self._start_error = exc
            import warnings

            warnings.warn(f"egovstudy could not start its writer processes ({exc!r}); the "
                          "figures and tables are written in this process instead (the "
                          "same files, more slowly). If this is a script, put its code "
                          "under `if __name__ == \"__main__\":`", EgovStudyWarning,
                          stacklevel=1)
        with self._lock:
            self._ready = True
        self._dispatch()

    def _dispatch(self) -> None:
        """Hand queued work to idle workers, one job each."""
        if self._start_error is not None or self._pool is None:
            return
        while True:
            with self._lock:
                if not self._ready or self._busy >= self._workers or not self._queue:
                    return
                work = self._next()
                if not work.future.set_running_or_notify_cancel():
                    continue  # discarded
                self._busy += 1
            kind, payload = (("figure", work.blob) if work.kind == "figure"
                             else ("table", work.obj))
            try:
                sent = self._pool.submit(_job, kind, payload, work.path, work.options,
                                         self.staged)
            except BaseException as exc:  # the pool is shutting down or broken
                with self._lock:
                    self._busy -= 1
                work.future.set_exception(exc)
                continue
            sent.add_done_callback(lambda done, work=work: self._finished(done, work))

    def _finished(self, done: Future[Any], work: _Work) -> None:
        error = done.exception()
        if error is None:
            work.future.set_result(done.result())
        else:
            work.future.set_exception(error)
        with self._lock:
            self._busy -= 1
        self._dispatch()

    def _next(self) -> _Work:
        """Take the next job off the queue (the lock held): the oldest figure, else the
        oldest table.

        A figure (PNG, SVG and PDF: a third of a second of CPU on the default study) costs
        five to ten tables; handed out first, the last figure of a run no longer waits
        behind the tables queued before it and then runs alone while the other workers
        idle (the longest jobs first shortens the whole). The files do not depend on the
        order.
        """
        for i, work in enumerate(self._queue):
            if work.kind == "figure":
                del self._queue[i]
                return work
        return self._queue.popleft()

    def _take(self) -> _Work | None:
        """The next queued job, for this process to run (None if the queue is empty)."""
        with self._lock:
            while self._queue:
                work = self._next()
                if work.future.set_running_or_notify_cancel():
                    return work
        return None

    def _write_here(self, until: Future[Any] | None = None) -> None:
        """If the workers failed to start, write queued work in this process: all of it,
        or until ``until`` is done. With workers this does nothing: a busy worker takes
        the next job sooner than this process, which saves a figure 1.2-2x more slowly
        in its large heap, would finish it (measured)."""
        if self._starter is not None:
            self._starter.join()  # the workers are still coming up (or failing to)
            self._starter = None
        if self._workers > 0 and self._start_error is None:
            return
        while until is None or not until.done():
            work = self._take()
            if work is None:
                return
            work.here(self.staged)

    # ------------------------------------------------------------------ submit
    def _add(self, work: _Work) -> int:
        handle = len(self._work)
        self._work.append(work)
        if self._workers == 0 or (work.kind == "figure" and work.blob is None):
            work.future.set_running_or_notify_cancel()
            work.here(self.staged)
            return handle
        with self._lock:
            self._queue.append(work)
        if self._pool is None and self._starter is None:
            self.start()
        self._dispatch()
        return handle

    def submit(self, fig: Figure, path: str | Path, **options: Any) -> int:
        """Queue ``fig`` to be saved as :func:`~egovstudy.report.save.save_figure`
        ``(fig, path, **options)``.

        The targets are checked (``overwrite``) here, before anything is queued. Returns
        a handle for :meth:`current_files`.
        """
        import pickle

        from egovstudy.report.save import _formats
        from egovstudy.report.writers import check_writable

        stem, fmts = _formats(Path(path), options.get("formats"))
        for fmt in fmts:
            check_writable(stem.with_name(stem.name + "." + fmt),
                           overwrite=bool(options.get("overwrite", False)))
        blob = None
        if self._workers > 0 and self._start_error is None:
            try:
                blob = pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an unpicklable artist (a lambda formatter): save it here
                blob = None
        return self._add(_Work("figure", fig, blob, str(path), dict(options)))

    def submit_table(self, table: Any, paths: str | Path | Sequence[str | Path], *,
                     overwrite: bool = False) -> int:
        """Queue ``table`` to be written to each of ``paths`` as
        :func:`~egovstudy.report.writers.write_table` ``(table, path, overwrite=overwrite)``
        (each format from its suffix), in one job: the cells are formatted once.

        The targets are checked (``overwrite``) here, before anything is queued.
        """
        from egovstudy.report.writers import check_writable

        targets = [paths] if isinstance(paths, str | Path) else list(paths)
        for target in targets:
            check_writable(Path(target), overwrite=overwrite)
        return self._add(_Work("table", table, None, [str(t) for t in targets],
                               {"overwrite": overwrite}))

    def adopt(self, pairs: Sequence[tuple[Path, Path]]) -> None:
        """Add files the caller staged itself (:func:`egovstudy._output.staged_writes`):
        :meth:`wait` moves them with the rest, :meth:`discard` removes them."""
        self._own.extend((Path(tmp), Path(target)) for tmp, target in pairs)

    # ------------------------------------------------------------------ results
    def current_files(self, handle: int) -> list[Path]:
        """Wait for one job (``handle`` from :meth:`submit`) and return where its files
        can be read now: their final names, or their temporary names if staged."""
        work = self._work[handle]
        self._write_here(until=work.future)
        files, staged = work.future.result()
        now = {Path(target): Path(tmp) for tmp, target in staged}
        return [now.get(Path(f), Path(f)) for f in files]

    def wait(self, *, close: bool = True) -> list[list[Path]]:
        """Wait until everything queued is written; return the files of each figure, in
        submit order (the tables' files are in :attr:`table_files`).

        A staged writer moves every file over its final name now. An error in a worker
        (e.g. ``OutputError``) is raised here, after the staged files are removed.
        ``close=False`` keeps the workers for a next batch.
        """
        from egovstudy._output import _ACTIVE, commit_staged, discard_staged

        self._write_here()
        figures: list[list[Path]] = []
        tables: list[Path] = []
        pairs: list[tuple[Path, Path]] = []
        error: BaseException | None = None
        work, self._work = self._work, []
        for item in work:
            try:
                files, staged = item.future.result()
            except BaseException as exc:  # keep collecting: every staged file is cleaned up
                error = error or exc
                continue
            pairs.extend((Path(a), Path(b)) for a, b in staged)
            paths = [Path(p) for p in files]
            if item.kind == "table":
                tables.extend(paths)
            else:
                figures.append(paths)
        own, self._own = self._own, []
        if close:
            self.close()  # the workers end with the batch; the next submit starts new ones
        if error is not None:
            discard_staged([*pairs, *own])
            raise error
        commit_staged([*pairs, *own])  # unstaged work left no pairs: only the caller's
        if not self.staged:
            run = _ACTIVE.get()
            if run is not None:  # written in a worker: this process's run records them
                for f in [*(p for fs in figures for p in fs), *tables]:
                    run.record(f)
        self.table_files = tables
        return figures

    def discard(self) -> None:
        """Drop everything queued: unstarted work is cancelled, staged files removed.

        Files an unstaged writer already moved to their final names stay (each is
        complete); use ``staged=True`` to leave nothing behind.
        """
        from egovstudy._output import discard_staged

        work, self._work = self._work, []
        with self._lock:
            queued, self._queue = list(self._queue), deque()
        for item in queued:
            item.future.cancel()
        own, self._own = self._own, []
        discard_staged(own)
        for item in work:
            try:
                _, staged = item.future.result()
            except BaseException:  # a cancelled or failed job left no staged file
                continue
            discard_staged((Path(a), Path(b)) for a, b in staged)
        self.close()

    def close(self) -> None:
        """Stop the worker processes (after the work they hold is done)."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._pool = None
        self._ready = False
        self._start_error = None

    def __del__(self) -> None:  # a caller that failed before wait(): no idle workers left
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> FigureWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.discard()
        self.close()
