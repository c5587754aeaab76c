"""Hashes, versions and the manifest that every export carries.

Every table and figure the package writes can say which data (sha256), which
code version (package version and git commit when known) and which options
made it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["file_sha256", "frame_sha256", "git_commit", "make_provenance", "package_version"]


def file_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex sha256 of a file, read in chunks.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as fh:
    ...     _ = fh.write(b"abc")
    >>> file_sha256(fh.name)[:16]
    'ba7816bf8f01cfea'
    >>> os.remove(fh.name)
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_sha256(frame: Any) -> str:
    """Return a sha256 of a DataFrame's values, index and column names.

    The hash does not depend on the object's memory layout, so the same data
    gives the same hash in every session.
    """
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    hashed = pd.util.hash_pandas_object(frame, index=True)
    digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


def package_version() -> str:
    """Return the installed egovstudy version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("egovstudy")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """Return the git commit of the source tree, or ``None`` outside a checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
            timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def make_provenance(
    *,
    data_hash: str | None = None,
    options: Mapping[str, Any] | None = None,
    timestamp: bool = False,
) -> dict[str, Any]:
    """Return the provenance record an export embeds.

    Parameters
    ----------
    data_hash : str, optional
        sha256 of the data behind the output (see :func:`file_sha256`,
        :func:`frame_sha256`).
    options : mapping, optional
        The options that produced the output; must be JSON-serialisable.
    timestamp : bool, default False
        Add the creation time. Off by default so that repeated runs give
        byte-identical outputs.

    Examples
    --------
    >>> rec = make_provenance(data_hash="abc", options={"seed": 1})
    >>> rec["data_sha256"], rec["options"]
    ('abc', {'seed': 1})
    """
    record: dict[str, Any] = {
        "package": "egovstudy",
        "version": package_version(),
        "commit": git_commit(),
        "python": platform.python_version(),
        "data_sha256": data_hash,
        "options": dict(options or {}),
    }
    if timestamp:
        record["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    return record
