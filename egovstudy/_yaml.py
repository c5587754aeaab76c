"""The one YAML reader of the package: safe tags only, bounded size, aliases and depth.

Every YAML file egovstudy reads (study files, codebooks, the processed-data
pipeline's study file, the default study's truth file) goes through
:func:`load_yaml`. It uses PyYAML's safe loader (the C one when built), so a
tag such as ``!!python/object`` is an error, never code. Before building any
Python object it streams the parser's events and refuses a document that is
larger than ``max_bytes``, uses more than ``max_aliases`` aliases, would expand
to more than ``max_nodes`` values once its aliases are resolved (the "billion
laughs" document) or nests deeper than ``max_depth``. The limits are keyword
arguments and can be raised for a whole session with the environment variables
``EGOVSTUDY_MAX_YAML_BYTES``, ``EGOVSTUDY_MAX_YAML_ALIASES``,
``EGOVSTUDY_MAX_YAML_NODES`` and ``EGOVSTUDY_MAX_YAML_DEPTH``.

We wrap PyYAML rather than use another parser: PyYAML has no size or alias
limit of its own, and the event stream lets us count both in linear time
before anything is expanded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from egovstudy.errors import DataFormatError, EgovStudyError

__all__ = ["MAX_YAML_ALIASES", "MAX_YAML_BYTES", "MAX_YAML_DEPTH", "MAX_YAML_NODES",
           "load_yaml"]

#: Default limits (overridable per call or by the ``EGOVSTUDY_MAX_YAML_*`` variables).
MAX_YAML_BYTES = 5_000_000
MAX_YAML_ALIASES = 100
MAX_YAML_DEPTH = 64

MAX_YAML_NODES = 1_000_000

_ENV = {"bytes": "EGOVSTUDY_MAX_YAML_BYTES", "aliases": "EGOVSTUDY_MAX_YAML_ALIASES",
        "depth": "EGOVSTUDY_MAX_YAML_DEPTH", "nodes": "EGOVSTUDY_MAX_YAML_NODES"}
_DEFAULTS = {"bytes": MAX_YAML_BYTES, "aliases": MAX_YAML_ALIASES, "depth": MAX_YAML_DEPTH,
             "nodes": MAX_YAML_NODES}


def _limit(kind: str, given: int | None, what: str) -> int:
    if given is not None:
        value: Any = given
        source = f"max_{kind}"
    else:
        env = os.environ.get(_ENV[kind])
        if env is None:
            return _DEFAULTS[kind]
        value, source = env, _ENV[kind]
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise EgovStudyError(f"{what}: {source}={value!r} is not a non-negative integer. "
                             f"Fix: set {source} to a number such as {_DEFAULTS[kind]}")
    return number


def _check_events(events: Any, name: str, error: type[EgovStudyError], max_aliases: int,
                  max_depth: int, max_nodes: int) -> None:
    """Count aliases, depth and the size of the document once aliases are expanded.

    PyYAML shares an aliased node instead of copying it, but every reader that
    walks the result (schema validation, the codebook builder) visits it once
    per alias: 9 levels of 9 aliases are 387 million visits from 2 KB. The
    expanded size is counted here from the events without expanding anything.
    """
    import yaml

    aliases = 0
    anchors: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, expanded size so far] per open collection

    def add(size: int, anchor: str | None) -> None:
        if anchor:
            anchors[anchor] = size
        if stack:
            stack[-1][1] += size
            if stack[-1][1] > max_nodes:
                raise error(f"{name}: expands to more than {max_nodes} values once its "
                            f"aliases (*name) are resolved. Fix: write the values out, or set "
                            f"{_ENV['nodes']} higher")

    for event in events:
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                raise error(f"{name}: more than {max_aliases} YAML aliases (*name): "
                            f"too many aliases. Fix: set {_ENV['aliases']} higher")
            add(anchors.get(str(event.anchor), 1), None)
        elif isinstance(event, yaml.ScalarEvent):
            add(1, event.anchor)
        elif isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            if len(stack) > max_depth:
                raise error(f"{name}: nested deeper than {max_depth} levels. Fix: "
                            f"flatten it, or set {_ENV['depth']} higher")
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            add(size, anchor)


def load_yaml(
    path: str | Path,
    *,
    what: str = "file",
    error: type[EgovStudyError] = DataFormatError,
    max_bytes: int | None = None,
    max_aliases: int | None = None,
    max_depth: int | None = None,
    max_nodes: int | None = None,
) -> Any:
    """Read one YAML document safely, within size, alias and depth limits.

    Parameters
    ----------
    path : path
        The YAML file (UTF-8, a byte-order mark is accepted).
    what : str, default "file"
        How messages name the file (``"study file"``, ``"codebook"``).
    error : EgovStudyError subclass, default DataFormatError
        The exception raised on a bad or oversized document.
    max_bytes, max_aliases, max_depth, max_nodes : int, optional
        Limits; default ``EGOVSTUDY_MAX_YAML_BYTES`` (5 000 000 bytes),
        ``EGOVSTUDY_MAX_YAML_ALIASES`` (100 aliases), ``EGOVSTUDY_MAX_YAML_DEPTH``
        (64 levels) and ``EGOVSTUDY_MAX_YAML_NODES`` (1 000 000 values once the
        aliases are expanded).

    Returns
    -------
    object
        The parsed document (``None`` for an empty file).

    Raises
    ------
    error
        One line naming the file, the problem (and line/column) and the fix.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
    ...     _ = fh.write("a: &x [1, 2]\\nb: *x\\n")
    >>> load_yaml(fh.name)
    {'a': [1, 2], 'b': [1, 2]}
    >>> try:
    ...     load_yaml(fh.name, max_aliases=0)
    ... except DataFormatError as exc:
    ...     print(str(exc)[-60:])
    too many aliases. Fix: set EGOVSTUDY_MAX_YAML_ALIASES higher
    >>> os.remove(fh.name)
    """
    import yaml

    file = Path(path)
    name = f"{what} {file}"
    limit_bytes = _limit("bytes", max_bytes, name)
    limit_aliases = _limit("aliases", max_aliases, name)
    limit_depth = _limit("depth", max_depth, name)
    limit_nodes = _limit("nodes", max_nodes, name)
    try:
        with open(file, "rb") as fh:
            data = fh.read(limit_bytes + 1)
    except OSError as exc:
        raise error(f"{name}: cannot be read ({exc.strerror}). Fix: check the path and "
                    "permissions") from None
    if len(data) > limit_bytes:
        raise error(f"{name}: larger than the limit of {limit_bytes} bytes for a YAML file. "
                    f"Fix: shorten it, or set {_ENV['bytes']} (or max_bytes=) higher")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{name}: not UTF-8 text (byte {exc.start}). Fix: save the file as "
                    "UTF-8") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _check_events(yaml.parse(text, Loader=loader), name, error, limit_aliases, limit_depth,
                      limit_nodes)
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{name}:{where} invalid YAML ({problem}). Fix: correct the syntax; "
                    "tags such as !!python/object are not allowed") from None
