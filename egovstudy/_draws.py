"""Drawing bootstrap resamples and counting them, chunk by chunk.

This is the hot loop of every bootstrap in egovstudy (5,000 resamples of 1,000 cases
are five million draws). The draws of a batch are those of
``default_rng(ss).integers(0, units, (size, units))`` on the batch's own stream
(16-bit draws, 32-bit beyond 65,535 units); they are counted per resample into
float64 rows, ready for a matrix product. Two implementations give the same counts:

* **compiled** (``egovstudy._countcore``, built from ``_countcore.c`` when the package
  is installed with a C compiler): it reads the generator's raw output
  (``PCG64.random_raw``) as a stream of 16-bit (32-bit) words and applies to it the
  rule ``Generator.integers`` itself applies -- Lemire's multiply-shift with rejection:
  ``m = word * units``, the word is rejected when ``m mod 2**16 < 2**16 mod units``,
  else the draw is ``m >> 16`` -- counting each draw as it is made, in one pass with
  no temporary arrays and the GIL released. Raw words can be fetched in pieces without
  changing the stream, so the counts are exactly NumPy's (tested for many sizes). The
  raw words themselves come from the kernel's own PCG64 step (the 128-bit LCG and
  XSL-RR output of NumPy's ``pcg64.h``, seeded from ``PCG64(ss).state``): the same
  words as ``random_raw`` (tested), about twice as fast, because ``random_raw`` calls
  the generator through a function pointer per word.
* **NumPy** (always available): one ``integers`` call per batch, counted by
  ``bincount`` in chunks of up to 65,536 draws that stay in cache (row ``r`` of a
  chunk is offset by ``r * units`` so each row has its own bins; weights of one make
  ``bincount`` count straight into float64).

Why a kernel of our own: measured on the project's 2-core machine, drawing, counting
and multiplying the batches of a 5,000-resample PROCESS run, and the whole run, take
about 0.7 of the NumPy path's time (``python -m benchmarks.run --only process``, with
and without ``EGOVSTUDY_NO_EXTENSION=1``); since then the kernel's inner loop has one
bound, zeroes each row as it starts it and makes its own raw words, and 5,000 x 1,000
draws take about 9 ms of CPU instead of 16 ms. Also measured and kept out: forming
``counts @ moments`` in the kernel, row by row over the cases drawn (1.5-2x slower than
counting and letting BLAS multiply, even with AVX2).

:func:`batch_moments` goes one step further for the moments path (PROCESS): one
kernel call draws, counts and multiplies whole batches (:class:`SharedBatches` lets
threads take them one by one from a shared counter) -- the products by SciPy's BLAS
``dgemm``, reached through ``scipy.linalg.cython_blas`` -- with the GIL released from
start to end. Called chunk by chunk, two threads handed the GIL over at every chunk
and product (about 40 times a batch) and ran a 5,000-resample batch set no faster
than one thread (measured 8.0 vs 7.9 ms for the counting alone); with one call per
thread they run side by side. Also
measured and kept out: ``np.add.at`` into a reused buffer (about 10 % faster on one
thread, but it holds the GIL, so batches on threads stop scaling) and numba (as fast
as the C kernel, but loading it costs about 0.65 s and 125 MB in every new Python
process, which made a one-off study run slower, not faster). Set ``EGOVSTUDY_NO_EXTENSION=1``
to use the NumPy path. The kernel is used only after it reproduced the installed NumPy's
draws on a small sample (once per process): a NumPy release that changes the rule of
``integers`` switches it off instead of changing any number.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from egovstudy._compiled import compiled

__all__ = ["SharedBatches", "batch_moments", "compiled_kernel_available", "count_chunks"]

#: Draws per counting chunk (the chunk stays in cache).
_CHUNK_DRAWS = 65536


def _compiled_module() -> Any:
    """``egovstudy._countcore``, or ``None`` (not built, or switched off with
    ``EGOVSTUDY_NO_EXTENSION=1``), whatever NumPy's drawing rule: for the parts of the
    kernel that draw nothing (the batched Cholesky solver)."""
    return compiled("egovstudy._countcore")


def _extension() -> Any:
    """The compiled kernel module for drawing, or ``None`` (not built, switched off, or
    not reproducing the installed NumPy's draws)."""
    ext = _compiled_module()
    if ext is None:
        return None
    return ext if _kernel_agrees_with_numpy(ext) else None


@functools.cache
def _kernel_agrees_with_numpy(ext: Any) -> bool:
    """Whether the kernel reproduces this NumPy's ``Generator.integers`` (checked once).

    The kernel re-implements how ``integers`` turns raw words into bounded draws; a NumPy
    release that changes that rule (numpy 2.5 did for these dtypes) would make the
    compiled counts differ from NumPy's. Then the NumPy path is used, so the numbers
    stay those of ``default_rng(ss).integers`` whatever NumPy is installed.
    """
    for units, size in ((10, 40), (1000, 8), (70001, 2)):
        ss = np.random.SeedSequence(20261204)
        got = np.vstack([c.copy() for _, c in _count_chunks_compiled(ext, units, size, ss)])
        ref = np.vstack([c.copy() for _, c in _count_chunks_numpy(units, size, ss)])
        if not np.array_equal(got, ref):
            return False
    return True


def compiled_kernel_available() -> bool:
    """Whether bootstrap draws are counted by the compiled kernel (else by NumPy).

    Examples
    --------
    >>> isinstance(compiled_kernel_available(), bool)
    True
    """
    return _extension() is not None


def count_chunks(units: int, size: int, ss: np.random.SeedSequence
                 ) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first row, counts of the chunk's rows)`` for one batch of resamples.

    The counts (float64 holding whole numbers, shape ``(rows, units)``) are those of
    ``default_rng(ss).integers(0, units, (size, units))``, row by row. The yielded
    array may be a buffer reused for the next chunk: use or copy it before advancing
    the iterator.

    Examples
    --------
    >>> ss = np.random.SeedSequence(3)
    >>> chunks = [(s, c.copy()) for s, c in count_chunks(10, 4, ss)]
    >>> [s for s, _ in chunks], chunks[0][1].sum(axis=1).tolist()
    ([0], [10.0, 10.0, 10.0, 10.0])
    """
    ext = _extension()
    if ext is None:
        yield from _count_chunks_numpy(units, size, ss)
        return
    yield from _count_chunks_compiled(ext, units, size, ss)


def _count_chunks_compiled(ext: Any, units: int, size: int, ss: np.random.SeedSequence
                           ) -> Iterator[tuple[int, np.ndarray]]:
    """Compiled path of :func:`count_chunks` (see the module docstring)."""
    bits = 16 if units <= np.iinfo(np.uint16).max else 32
    dtype = np.uint16 if bits == 16 else np.uint32
    threshold = (1 << bits) % units
    accept = 1.0 - threshold / float(1 << bits)
    raw = _raw_words(ext, ss)
    ch = max(1, _CHUNK_DRAWS // units)
    buf = np.empty((min(ch, size), units))
    words = np.empty(0, dtype=dtype)
    pos = 0
    for s in range(0, size, ch):
        k = min(ch, size - s)
        out = buf[:k]                                # the kernel zeroes each row
        row = col = 0
        while row < k:
            if pos >= words.shape[0]:
                # raw words for the rest of the chunk, with a margin for rejections
                need = ((k - row) * units - col) / accept
                words = raw(int(need * bits / 64) + 64).view(dtype)
                pos = 0
            pos, row, col = ext.fill_counts(words, pos, units, threshold, bits, out, k, row,
                                            col)
        yield s, out


def _raw_words(ext: Any, ss: np.random.SeedSequence) -> Callable[[int], np.ndarray]:
    """``m -> the next m raw words`` of ``PCG64(ss)`` (the bit generator of
    ``default_rng(ss)``): by the compiled kernel where it has ``pcg64_words``, else
    ``PCG64.random_raw`` (the same words, tested)."""
    words = getattr(ext, "pcg64_words", None)
    if words is None:                                # pragma: no cover - no 128-bit ints
        return np.random.PCG64(ss).random_raw
    state = _pcg64_state(ss)

    def raw(m: int) -> np.ndarray:
        out = np.empty(m, dtype=np.uint64)
        words(state, out)
        return out

    return raw


def _dgemm_capsule() -> Any:
    """SciPy's BLAS ``dgemm`` as a capsule for the kernel's :func:`batch_moments`, or ``None``."""
    try:
        from scipy.linalg import cython_blas
    except ImportError:                              # pragma: no cover - SciPy is required
        return None
    return getattr(cython_blas, "__pyx_capi__", {}).get("dgemm")


def batch_moments(units: int, batches: Sequence[tuple[int, np.random.SeedSequence]],
                  moments: np.ndarray, gemm_rows: int,
                  entering: Callable[[], None] | None = None) -> np.ndarray | None:
    """``counts @ moments`` of whole batches in a single compiled call, or ``None``.

    ``batches`` holds ``(size, seed sequence)`` of consecutive batches; their rows
    follow one another in the result. The counts are those of :func:`count_chunks`
    (same stream, same order: tested); they are multiplied ``gemm_rows`` resamples at
    a time by BLAS's ``dgemm`` while still in cache. One call for several batches holds
    the GIL once instead of at every chunk, so batches on threads run side by side.
    ``None`` when the kernel, its ``batch_moments`` or SciPy's BLAS capsule is
    missing: the caller then goes chunk by chunk. ``entering`` is called just before
    the kernel, which then releases the GIL.

    Examples
    --------
    >>> ss = [np.random.SeedSequence(3), np.random.SeedSequence(4)]
    >>> m = np.column_stack([np.arange(10.0), np.ones(10)])
    >>> out = batch_moments(10, [(4, ss[0]), (2, ss[1])], m, gemm_rows=2)
    >>> ref = np.vstack([c @ m for s, n in zip(ss, (4, 2)) for _, c in count_chunks(10, n, s)])
    >>> out is None or bool(np.allclose(out, ref))
    True
    """
    ext = _extension()
    kernel = getattr(ext, "batch_moments", None)
    capsule = _dgemm_capsule() if kernel is not None else None
    if kernel is None or capsule is None:
        return None
    bits = 16 if units <= np.iinfo(np.uint16).max else 32
    states = np.stack([_pcg64_state(ss) for _, ss in batches])
    sizes = np.array([size for size, _ in batches], dtype=np.intp)
    out = np.empty((int(sizes.sum()), moments.shape[1]))
    if entering is not None:
        entering()
    kernel(states, sizes, units, (1 << bits) % units, bits,
           np.ascontiguousarray(moments, dtype=float), out, capsule,
           _chunk_rows(units, gemm_rows), max(1, int(gemm_rows)))
    return out


class SharedBatches:
    """Batches of the moments path that threads take one by one from a shared counter.

    :func:`batch_moments` for threads that do not know beforehand how many batches
    each will do: every :meth:`claim` (one compiled call, the GIL released) takes the
    next batch nobody has taken, draws it from its own stream and writes its
    ``counts @ moments`` into its own rows of :attr:`out`, until ``limit`` batches are
    done or none is left. Which thread does a batch changes no number; :meth:`finished`
    tells which batches are done, whoever did them. Split in two fixed halves
    beforehand, the batches of a PROCESS run ended 1.1-1.9 ms apart on two threads
    when the calling thread shared a core with one of them (its point estimates run
    meanwhile); taken one by one, they end at most a batch apart.

    Examples
    --------
    >>> ss = [np.random.SeedSequence(3), np.random.SeedSequence(4)]
    >>> m = np.column_stack([np.arange(10.0), np.ones(10)])
    >>> shared = SharedBatches.create(10, [(4, ss[0]), (2, ss[1])], m, gemm_rows=2)
    >>> if shared is not None:
    ...     done = shared.claim(limit=5)
    ...     ref = batch_moments(10, [(4, ss[0]), (2, ss[1])], m, gemm_rows=2)
    ...     assert done.tolist() == [0, 1] and np.array_equal(shared.out, ref)
    ...     assert len(shared.claim(limit=5)) == 0                 # nothing is left
    """

    def __init__(self, ext: Any, capsule: Any, units: int,
                 batches: Sequence[tuple[int, np.random.SeedSequence]], moments: np.ndarray,
                 gemm_rows: int) -> None:
        self._kernel, self._batches_done, self._capsule = (ext.batch_moments,
                                                           ext.batches_done, capsule)
        self._units = units
        self._bits = 16 if units <= np.iinfo(np.uint16).max else 32
        self._states = np.stack([_pcg64_state(ss) for _, ss in batches])
        self._sizes = np.array([size for size, _ in batches], dtype=np.intp)
        self._first = np.concatenate([[0], np.cumsum(self._sizes)[:-1]]).astype(np.intp)
        self._moments = np.ascontiguousarray(moments, dtype=float)
        self._gemm_rows = max(1, int(gemm_rows))
        self._next = np.zeros(1, dtype=np.int64)
        self._done = np.zeros(len(self._sizes), dtype=np.uint8)   # set by the kernel
        #: ``counts @ moments`` of every batch, rows in batch order
        self.out = np.empty((int(self._sizes.sum()), self._moments.shape[1]))

    @classmethod
    def create(cls, units: int, batches: Sequence[tuple[int, np.random.SeedSequence]],
               moments: np.ndarray, gemm_rows: int) -> SharedBatches | None:
        """The shared batches, or ``None`` when the compiled kernel (or SciPy's BLAS
        capsule) is missing, or was built before it could share batches: the caller
        then splits the batches itself."""
        ext = _extension()
        if not (hasattr(ext, "batch_moments") and hasattr(ext, "batches_done")):
            return None
        capsule = _dgemm_capsule()
        return None if capsule is None else cls(ext, capsule, units, batches, moments,
                                                gemm_rows)

    def claim(self, limit: int, entering: Callable[[], None] | None = None) -> np.ndarray:
        """Do up to ``limit`` batches nobody has taken; return their numbers (ascending).
        ``entering`` is called just before the kernel, which then releases the GIL."""
        mine = np.empty(len(self._sizes), dtype=np.intp)
        if entering is not None:
            entering()
        done = self._kernel(self._states, self._sizes, self._units,
                            (1 << self._bits) % self._units, self._bits, self._moments,
                            self.out, self._capsule, _chunk_rows(self._units, self._gemm_rows),
                            self._gemm_rows, self._next, mine, max(1, int(limit)),
                            self._done)
        return mine[:done]

    def finished(self) -> list[int]:
        """Numbers of the batches whose rows of :attr:`out` are written, by any thread
        (read with the kernel's acquire loads, so the rows are complete here too)."""
        done: list[int] = self._batches_done(self._done)
        return done

    def stop(self) -> None:
        """Hand out no more batches (a thread in the kernel ends the batch it is doing).
        An aligned 8-byte store, seen whole by the kernel's atomic additions."""
        self._next[0] = len(self._sizes)

    def rows(self, numbers: Sequence[int] | np.ndarray) -> np.ndarray:
        """Row numbers of :attr:`out` holding the given batches, in their order."""
        if len(numbers) == 0:
            return np.empty(0, dtype=np.intp)
        return np.concatenate([np.arange(self._first[b], self._first[b] + self._sizes[b])
                               for b in numbers])


def _chunk_rows(units: int, gemm_rows: int) -> int:
    """Resamples counted at a time by the kernel: a chunk of ``_CHUNK_DRAWS`` draws, or
    one matrix product's rows if fewer (the counts are multiplied while in cache)."""
    return max(1, min(_CHUNK_DRAWS // units, int(gemm_rows)))


def _pcg64_state(ss: np.random.SeedSequence) -> np.ndarray:
    """``PCG64(ss)``'s state and increment as 4 uint64 (lo, hi, lo, hi) for the kernel."""
    st = np.random.PCG64(ss).state["state"]
    mask = (1 << 64) - 1
    return np.array([st["state"] & mask, st["state"] >> 64, st["inc"] & mask,
                     st["inc"] >> 64], dtype=np.uint64)


def _count_chunks_numpy(units: int, size: int, ss: np.random.SeedSequence
                        ) -> Iterator[tuple[int, np.ndarray]]:
    """NumPy path of :func:`count_chunks` (one ``integers`` call, chunked ``bincount``)."""
    rng = np.random.default_rng(ss)
    dtype = np.uint16 if units <= np.iinfo(np.uint16).max else np.int32
    idx = rng.integers(0, units, size=(size, units), dtype=dtype)
    ch = max(1, _CHUNK_DRAWS // units)
    # offsets of up to 65,536 draws per chunk fit the 16-bit dtype
    off = (np.arange(ch) * units).astype(dtype)[:, None]
    ones = np.ones(ch * units)
    for s in range(0, size, ch):
        blk = idx[s:s + ch]
        k = blk.shape[0]
        np.add(blk, off[:k], out=blk)
        yield s, np.bincount(blk.ravel(), weights=ones[:k * units],
                             minlength=k * units).reshape(k, units)
