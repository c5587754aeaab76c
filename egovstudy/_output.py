"""Writes that cannot hurt: checked output folders, atomic files, a lock and owned outputs.

Every file egovstudy writes (tables, figures, documents, Parquet, manifests,
executed notebooks) goes through this module:

* :func:`check_output_dir` refuses an output folder inside ``data/raw`` (of the
  project, or any ``data/raw`` on the path) or inside the folder holding the
  study's input files; :func:`check_name` refuses a study ``name`` that is not a
  plain file name (absolute, ``..``, a path separator, odd characters), so the
  default ``reports/<name>`` stays inside ``reports/``.
* :func:`atomic_path` hands out a temporary file in the destination folder
  (``tempfile.mkstemp``); once the writer has finished it is flushed, fsync'd
  and ``os.replace``-d over the final name, so a killed run never leaves a
  truncated file under a final name. A destination that is a symbolic link is
  refused (its target is never written).
* :class:`OutputRun` holds ``.egovstudy.lock`` (``O_CREAT | O_EXCL``; a stale
  lock of a dead process on this host is taken over with a warning), records
  the files the run writes, and after the new manifest is in place removes the
  files the previous manifest listed that this run did not rewrite: exactly
  those, never a user's file.

The standard library does all of this (``tempfile``, ``os.replace``,
``os.open``); no third-party package is needed. Own code because the one-line
errors must name the path and the fix.

Examples
--------
>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> atomic_write_text(root / "a.txt", "hello\\n").read_text()
'hello\\n'
>>> sorted(p.name for p in root.iterdir())
['a.txt']
>>> neutralise_cell("=HYPERLINK(\\"http://x\\",\\"y\\")"), neutralise_cell("-0.52")
('\\'=HYPERLINK("http://x","y")', '-0.52')
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import re
import socket
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from egovstudy.errors import EgovStudyWarning, OutputError

__all__ = ["LOCK_NAME", "OutputRun", "atomic_path", "atomic_write_bytes", "atomic_write_text",
           "check_name", "check_output_dir", "check_target", "commit_staged", "discard_staged",
           "neutralise_cell", "neutralise_frame", "staged_writes"]

LOCK_NAME = ".egovstudy.lock"
TMP_PREFIX = ".egovstudy-tmp-"
_NAME = re.compile(r"\w[\w.\-]{0,99}")
_ACTIVE: ContextVar[OutputRun | None] = ContextVar("egovstudy_output_run", default=None)
# inside staged_writes(): the (temporary, final) pairs of the finished files not yet moved
_STAGED: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("egovstudy_staged", default=None)


# ---------------------------------------------------------------------------- names, folders
def check_name(name: str, *, what: str = "study name", where: str = "") -> str:
    """Return ``name`` if it is a plain name usable as a file or folder name.

    A name that is absolute, holds ``..`` or a path separator, starts with a dot
    or a dash, or holds characters other than letters, digits, ``_``, ``-`` and
    ``.`` (at most 100) is refused, not silently changed: the message suggests a
    cleaned name.

    Examples
    --------
    >>> check_name("default_study")
    'default_study'
    >>> check_name("../../x")
    Traceback (most recent call last):
    ...
    egovstudy.errors.OutputError: study name '../../x' cannot name an output folder: ...
    """
    text = str(name)
    if _NAME.fullmatch(text) and ".." not in text:
        return text
    slug = re.sub(r"[^\w.\-]+", "_", text).replace("..", "_").strip("._-")[:100] or "study"
    prefix = f"{where}: " if where else ""
    raise OutputError(f"{prefix}{what} {text!r} cannot name an output folder: it must be a "
                      "plain name of letters, digits, '_', '-' or '.', not a path. "
                      f"Fix: use e.g. {slug!r}")


def _within(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _has_data_raw(path: Path) -> bool:
    parts = [p.lower() for p in path.parts]
    return any(a == "data" and b == "raw" for a, b in itertools.pairwise(parts))


def check_output_dir(path: str | Path, *, inputs: Iterable[str | Path] = (),
                     what: str = "output folder") -> Path:
    """Resolve an output folder and refuse one that would write over raw data.

    Parameters
    ----------
    path : path
        The folder the user named (it may itself be a symbolic link: it is resolved).
    inputs : paths
        Input files (data, codebook, study file); the folders holding them are
        never written.
    what : str
        How the message names the folder (e.g. ``"--output"``).

    Returns
    -------
    Path
        The resolved folder (not created).

    Raises
    ------
    OutputError
        Inside ``data/raw`` or inside the folder of an input file; an existing file.

    Examples
    --------
    >>> import tempfile
    >>> check_output_dir(Path(tempfile.mkdtemp()) / "out").name
    'out'
    """
    from egovstudy._paths import project_root

    out = Path(path).expanduser().resolve()
    raw = (project_root() / "data" / "raw").resolve()
    if _within(out, raw) or _has_data_raw(out):
        raise OutputError(f"{what} {out} lies inside data/raw: raw data is never written. "
                          "Fix: choose e.g. reports/<study name>")
    for item in inputs:
        source = Path(item).expanduser().resolve()
        folder = source if source.is_dir() else source.parent
        if _within(out, folder):
            raise OutputError(f"{what} {out} lies inside {folder}, the folder holding the input "
                              f"file {source.name}: raw data is never written. Fix: choose a "
                              f"folder outside it, e.g. {folder.parent / 'reports'}")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{what} {out} is a file, not a folder. Fix: give a folder path")
    return out


def _symlinked_part(path: Path, root: Path) -> Path | None:
    """Return the first symbolic link among the folders from ``root`` down to ``path``."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    current = root
    for part in rel.parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
    return None


def check_target(path: str | Path, *, overwrite: bool) -> Path:
    """Check one destination file before writing; create its folder; return it.

    Refuses an existing file without ``overwrite``, a folder, a symbolic link (its
    target would be written), and, inside an :class:`OutputRun`, a path outside the
    run's folder or below a symbolically linked sub-folder.
    """
    p = Path(path)
    run = _ACTIVE.get()
    if run is not None:
        p = Path(os.path.abspath(p))  # lexically normalised: "a/../../x" cannot slip out
        if not _within(p.parent, run.root) and not _within(p.parent.resolve(), run.root):
            raise OutputError(f"{p} lies outside the output folder {run.root}. Fix: write "
                              "inside the output folder")
        link = _symlinked_part(p, run.root)
        if link is not None:
            raise OutputError(f"{link} inside the output folder is a symbolic link; outputs "
                              "never follow links. Fix: remove the link or choose another "
                              "output folder")
    if p.is_symlink():
        raise OutputError(f"{p} is a symbolic link; outputs never write through links. Fix: "
                          "remove the link or choose another path")
    if p.exists() and p.is_dir():
        raise OutputError(f"{p} is a folder; give a file path")
    if p.exists() and not overwrite:
        raise OutputError(f"{p} already exists; pass overwrite=True (--overwrite) to replace "
                          "it or choose another path")
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


@functools.cache
def _umask() -> int:
    """The process umask (read once: os.umask can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it over ``path`` atomically.

    The writer writes the whole file to the yielded path. On a clean exit the file
    is fsync'd and ``os.replace``-d over ``path`` (so readers see the old file or
    the new one, never a half-written one); on an error it is removed.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "x.bin"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_bytes(b"abc")
    >>> target.read_bytes()
    b'abc'
    """
    target = check_target(path, overwrite=overwrite)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=TMP_PREFIX,
                                suffix="-" + target.name[-40:])
    os.close(fd)
    tmp = Path(name)
    staged = _STAGED.get()
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        if staged is not None:  # complete under its temporary name; commit_staged moves it
            staged.append((tmp, target))
            return
        if target.is_symlink():  # appeared while writing
            raise OutputError(f"{target} became a symbolic link while writing; nothing was "
                              "replaced. Fix: remove the link")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    run = _ACTIVE.get()
    if run is not None:
        run.record(target)


@contextlib.contextmanager
def staged_writes() -> Iterator[list[tuple[Path, Path]]]:
    """Inside, every :func:`atomic_path` leaves its finished file under the temporary name.

    Each finished file is complete and fsync'd, but only listed as a ``(temporary,
    final)`` pair in the yielded list; :func:`commit_staged` later moves the pairs
    over their final names, :func:`discard_staged` removes them. This lets work
    write its files early (e.g. in a worker process while the statistics are still
    running) and still leave nothing under a final name if the run is then refused.
    An error inside the block removes the files staged so far.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with staged_writes() as pairs:
    ...     _ = atomic_write_text(root / "a.txt", "x")
    >>> (root / "a.txt").exists(), len(pairs)
    (False, 1)
    >>> [p.name for p in commit_staged(pairs)], (root / "a.txt").read_text()
    (['a.txt'], 'x')
    """
    pairs: list[tuple[Path, Path]] = []
    token = _STAGED.set(pairs)
    try:
        yield pairs
    except BaseException:
        discard_staged(pairs)
        raise
    finally:
        _STAGED.reset(token)


def commit_staged(pairs: Iterable[tuple[Path, Path]]) -> list[Path]:
    """Move staged files (see :func:`staged_writes`) over their final names; return those.

    A final name that has become a symbolic link is refused (its target is never
    written); the staged files not yet moved are then removed. Each folder is
    fsync'd once after its files are in place, and an active :class:`OutputRun`
    records every file.
    """
    pairs = [(Path(tmp), Path(target)) for tmp, target in pairs]
    done: list[Path] = []
    for i, (tmp, target) in enumerate(pairs):
        if target.is_symlink():
            discard_staged(pairs[i:])
            raise OutputError(f"{target} became a symbolic link while writing; it was not "
                              "replaced. Fix: remove the link")
        os.replace(tmp, target)
        done.append(target)
    for folder in dict.fromkeys(t.parent for t in done):
        _fsync_dir(folder)
    run = _ACTIVE.get()
    if run is not None:
        for target in done:
            run.record(target)
    return done


def discard_staged(pairs: Iterable[tuple[Path, Path]]) -> None:
    """Remove staged files (see :func:`staged_writes`); their final names are untouched."""
    for tmp, _ in pairs:
        Path(tmp).unlink(missing_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str, *, overwrite: bool = True) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (newlines kept as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


# ---------------------------------------------------------------------------- spreadsheet cells
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a signed number as tables print it: -0.52, -.02 (APA), -1,234.5, 3,14e-5, -12%, -0.52***,
# or a lone dash standing for "not applicable"
_NUMBER = re.compile(r"[-+\u2212]|[-+\u2212]?[.,]?\d[\d\u2007\u202f ,.]*(e[-+]?\d+)?%?"
                     r"[*\u2020\u2021]*", re.IGNORECASE)


def neutralise_cell(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (OWASP CSV injection).

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (after any leading spaces) gets a leading single quote. Purely numeric text
    (``-0.52``, ``-.02``, ``-1,234.5``, ``-0.52***``, ``−0,31``) and a lone dash
    stay as they are: OWASP lets numeric cells through, and a number must remain
    a number.

    Examples
    --------
    >>> neutralise_cell("@SUM(A1)"), neutralise_cell("-2+3"), neutralise_cell("-0.52***")
    ("'@SUM(A1)", "'-2+3", '-0.52***')
    >>> neutralise_cell("-.02"), neutralise_cell("-"), neutralise_cell("-1e5+cmd|x")
    ('-.02', '-', "'-1e5+cmd|x")
    """
    text = str(value)
    body = text.lstrip(" \u2007\u00a0")
    if not body.startswith(_FORMULA_START) or _NUMBER.fullmatch(body):
        return text
    return "'" + text


def neutralise_frame(frame: Any) -> Any:
    """Return a copy of a DataFrame with every text cell and header neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


# ---------------------------------------------------------------------------- lock and run
def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there: never take over
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_lock(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(4096)
        record = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def acquire_lock(folder: Path) -> Path:
    """Create ``folder/.egovstudy.lock`` exclusively; take over a dead process's lock."""
    path = folder / LOCK_NAME
    host = socket.gethostname()
    for attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0),
                         0o644)
        except FileExistsError:
            held = _read_lock(path)
            if held is None:
                raise OutputError(f"output folder {folder} is locked by {path}, which cannot be "
                                  "read. Fix: delete the lock file if no egovstudy run is "
                                  "writing there") from None
            pid = held.get("pid")
            if (attempt == 0 and held.get("host") == host and isinstance(pid, int)
                    and not _pid_alive(pid)):
                warnings.warn(f"taking over the stale lock {path} of process {pid} "
                              f"(started {held.get('time')}), which is no longer running",
                              EgovStudyWarning, stacklevel=3)
                path.unlink(missing_ok=True)
                continue
            raise OutputError(f"output folder {folder} is in use by another egovstudy run "
                              f"(lock file {path}: pid {pid} on {held.get('host')} since "
                              f"{held.get('time')}). Fix: wait for that run to finish, or "
                              "delete the lock file if no run is active") from None
        record = {"pid": os.getpid(), "host": host,
                  "time": datetime.now(UTC).isoformat(timespec="seconds")}
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return path
    raise OutputError(f"output folder {folder}: could not take the lock {path}. Fix: retry")


class OutputRun:
    """One run writing into one output folder: checked, locked, recording what it owns.

    Parameters
    ----------
    root : path
        The output folder (created).
    overwrite : bool
        Whether files of an earlier run may be replaced; then, when the new
        manifest is written, the files the previous manifest listed and this run
        did not rewrite are removed (only those).
    manifest : str
        Name of the manifest file inside ``root``.
    inputs : paths
        Input files whose folders are never written (see :func:`check_output_dir`).
    owned_key : str
        Key of the manifest mapping that lists the owned files (relative paths).

    Examples
    --------
    >>> import tempfile
    >>> with OutputRun(Path(tempfile.mkdtemp()) / "out") as run:
    ...     _ = atomic_write_text(run.root / "t.md", "x")
    ...     manifest = run.write_manifest({"note": "demo"})
    >>> json.loads(manifest.read_text())["outputs_sha256"].keys()
    dict_keys(['t.md'])
    """

    def __init__(self, root: str | Path, *, overwrite: bool = False,
                 manifest: str = "manifest.json", inputs: Iterable[str | Path] = (),
                 owned_key: str = "outputs_sha256", what: str = "output folder") -> None:
        self.root = check_output_dir(root, inputs=inputs, what=what)
        self.overwrite = overwrite
        self.manifest = self.root / check_name(manifest, what="manifest name")
        self.owned_key = owned_key
        self.written: list[Path] = []
        self.removed: list[Path] = []
        self._lock: Path | None = None
        self._token: Any = None

    # ---------------------------------------------------------------- context
    def __enter__(self) -> OutputRun:
        if _ACTIVE.get() is not None:
            raise OutputError(f"{self.root}: an output run is already active in this process. "
                              "Fix: finish the first run before starting another")
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = acquire_lock(self.root)
        # a killed run's temporary files, in the folders the last run wrote (no deep walk
        # of a large folder the user named)
        folders = {self.root} | {p.parent for p in self.previous_outputs()}
        for folder in sorted(folders):
            if not folder.is_dir() or _symlinked_part(folder / "x", self.root) is not None:
                continue
            for leftover in folder.glob(TMP_PREFIX + "*"):
                if leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink(missing_ok=True)
        self._token = _ACTIVE.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _ACTIVE.reset(self._token)
            self._token = None
        if self._lock is not None:
            self._lock.unlink(missing_ok=True)
            self._lock = None

    # ---------------------------------------------------------------- ownership
    def record(self, path: Path) -> None:
        """Note a file this run wrote (called by :func:`atomic_path`)."""
        p = path if path.is_absolute() else Path.cwd() / path
        if p not in self.written:
            self.written.append(p)

    def previous_outputs(self) -> list[Path]:
        """Files listed by the manifest already in the folder (only safe, relative ones)."""
        if not self.manifest.is_file() or self.manifest.is_symlink():
            return []
        if self.manifest.stat().st_size > 64 * 1024 * 1024:
            raise OutputError(f"{self.manifest} is larger than 64 MB, not an egovstudy "
                              "manifest. Fix: move it away")
        try:
            record = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return []
        listed = record.get(self.owned_key) if isinstance(record, Mapping) else None
        if not isinstance(listed, Mapping | list):
            return []
        out = []
        for key in listed:
            rel = Path(str(key))
            if rel.is_absolute() or ".." in rel.parts or not rel.parts:
                continue  # a hand-edited manifest never reaches outside the folder
            out.append(self.root / rel)
        return out

    def write_manifest(self, record: Mapping[str, Any]) -> Path:
        """Write ``record`` plus the sha256 of every file this run wrote; remove stale files.

        The manifest is replaced atomically; afterwards the files the previous
        manifest listed that this run did not write again are deleted (with
        ``overwrite`` only; never a file the manifest does not list, never a link).
        """
        from egovstudy.provenance import file_sha256

        previous = self.previous_outputs() if self.overwrite else []
        owned = {str(p.relative_to(self.root).as_posix()): file_sha256(p)
                 for p in sorted(self.written)
                 if p.is_file() and _within(p.parent, self.root) and p != self.manifest}
        full = {**dict(record), self.owned_key: owned}
        text = json.dumps(full, indent=2, sort_keys=True, default=str) + "\n"
        atomic_write_text(self.manifest, text, overwrite=self.overwrite)
        keep = set(self.written) | {self.manifest}
        for stale in previous:
            if stale in keep or stale.is_symlink() or not stale.is_file():
                continue
            if _symlinked_part(stale, self.root) is not None:
                continue
            stale.unlink()
            self.removed.append(stale)
        return self.manifest
