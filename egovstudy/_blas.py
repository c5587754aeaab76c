"""Run a block of linear algebra on one BLAS thread.

Two reasons, both measured on the project's 2-core machines: many small matrix
products (bootstrap batches, Monte Carlo replications) run about twice as fast
without BLAS threading, and multi-threaded reductions may sum in a different
order from run to run, which changes the last bits of a result. Iterative fits
(CFA) then stop at slightly different points; one thread makes every run give
byte-identical tables.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

__all__ = ["single_thread_blas"]

_CONTROLLER: Any = None


def single_thread_blas() -> AbstractContextManager[Any]:
    """Return a context manager limiting BLAS to one thread (no-op without threadpoolctl).

    Examples
    --------
    >>> import numpy as np
    >>> with single_thread_blas():
    ...     float(np.ones((2, 2)) @ np.ones(2) @ np.ones(2))
    4.0
    """
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
        return nullcontext()
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    limited: AbstractContextManager[Any] = _CONTROLLER.limit(limits=1, user_api="blas")
    return limited
