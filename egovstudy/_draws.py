"""Drawing bootstrap resamples and counting them, chunk by chunk.

This is the hot loop of every bootstrap in egovstudy (5,000 resamples of 1,000 cases
are five million draws). Two implementations give **identical** counts:

* a compiled kernel (numba), used when numba is installed and the batch is large;
* plain NumPy (``Generator.integers`` + ``bincount``), used otherwise.

Why a kernel of our own: NumPy needs three passes and two temporary arrays per chunk
(draw the indices, offset them per row, ``bincount`` them), each a fresh allocation
whose pages are faulted in again and again. The kernel reads the generator's raw bits
once and increments the counts in a buffer that stays in cache; measured on the
project's 2-core machine it draws and counts a batch about 1.7 times faster
(``python -m benchmarks.run --only process``).

How the two agree: ``Generator.integers(0, units, dtype=uint16)`` (PCG64) turns the
raw 64-bit outputs, read as a little-endian stream of 16-bit words, into indices by
Lemire's multiply-shift with rejection: ``m = word * units``; the word is rejected when
``m mod 2**16 < 2**16 mod units``, else the index is ``m >> 16``. Beyond 65,535 units
the same holds for 32-bit words. The kernel applies that rule to the same raw words
(``PCG64.random_raw``), so it reproduces NumPy's indices exactly (tested against
``Generator.integers`` for many sizes), and raw words can be fetched in pieces without
changing the stream.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["JIT_MIN_DRAWS", "count_chunks", "jit_available"]

#: Batches with fewer draws than this are counted with NumPy (compiling or loading
#: the kernel costs more than it saves on small runs; the counts are the same).
JIT_MIN_DRAWS = 200_000

#: Draws per counting chunk: the chunk's counts stay in cache.
_CHUNK_DRAWS = 65536
_MIN_CHUNK_ROWS = 16

_KERNEL: Any = None


def _fill_counts(stream: np.ndarray, pos: int, units: int, threshold: int, bits: int,
                 out: np.ndarray, row: int, col: int) -> tuple[int, int, int]:
    """Turn raw words ``stream[pos:]`` into draws and count them into ``out``.

    Continues at draw ``col`` of row ``row``; returns ``(pos, row, col)`` where it
    stopped: ``row == out.shape[0]`` when ``out`` is full, else the stream ran out.
    Compiled with numba (``nogil``: threads run batches in parallel).
    """
    rows, n = out.shape
    length = stream.shape[0]
    nu = np.uint64(units)
    th = np.uint64(threshold)
    shift = np.uint64(bits)
    mask = (np.uint64(1) << shift) - np.uint64(1)
    while row < rows:
        while col < n:
            if pos >= length:
                return pos, row, col
            m = np.uint64(stream[pos]) * nu
            pos += 1
            if (m & mask) >= th:
                out[row, np.intp(m >> shift)] += 1.0
                col += 1
        col = 0
        row += 1
    return pos, row, col


def _kernel() -> Callable[..., tuple[int, int, int]] | None:
    """The compiled kernel, or ``None`` without numba or with ``EGOVSTUDY_JIT=0``."""
    global _KERNEL
    if os.environ.get("EGOVSTUDY_JIT", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    if _KERNEL is None:
        try:
            import numba
        except ImportError:
            _KERNEL = False
        else:
            _KERNEL = numba.njit(cache=True, nogil=True, boundscheck=False)(_fill_counts)
    return _KERNEL or None


def jit_available() -> bool:
    """Whether the compiled counting kernel is used for large batches.

    Examples
    --------
    >>> isinstance(jit_available(), bool)
    True
    """
    return _kernel() is not None


def _word_dtype(units: int) -> tuple[type[np.unsignedinteger[Any]], int]:
    return (np.uint16, 16) if units <= np.iinfo(np.uint16).max else (np.uint32, 32)


def _chunk_rows(units: int) -> int:
    return max(_MIN_CHUNK_ROWS, _CHUNK_DRAWS // units)


def count_chunks(units: int, size: int, ss: np.random.SeedSequence
                 ) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first row, counts of the chunk's rows)`` for one batch of resamples.

    The counts (float64 holding whole numbers, shape ``(rows, units)``) are the same
    as ``bincount`` of ``default_rng(ss).integers(0, units, (size, units))`` row by
    row. The yielded array is a buffer reused for the next chunk: use or copy it
    before advancing the iterator.

    Examples
    --------
    >>> ss = np.random.SeedSequence(3)
    >>> chunks = [(s, c.copy()) for s, c in count_chunks(10, 4, ss)]
    >>> [s for s, _ in chunks], chunks[0][1].sum(axis=1).tolist()
    ([0], [10.0, 10.0, 10.0, 10.0])
    """
    kernel = _kernel() if size * units >= JIT_MIN_DRAWS else None
    if kernel is None:
        yield from _count_chunks_numpy(units, size, ss)
        return
    dtype, bits = _word_dtype(units)
    per_word = 64 // bits
    threshold = (1 << bits) % units
    accept = 1.0 - threshold / float(1 << bits)
    bit_gen = np.random.PCG64(ss)          # what default_rng(ss) would use
    ch = _chunk_rows(units)
    buf = np.zeros((min(ch, size), units))
    stream = np.empty(0, dtype=dtype)
    pos = 0
    for s in range(0, size, ch):
        k = min(ch, size - s)
        out = buf[:k]
        out.fill(0.0)
        row = col = 0
        while row < k:
            if pos >= stream.shape[0]:
                # enough raw words for the rest of the chunk, with a margin for rejections
                need = ((k - row) * units - col) / accept
                n_words = int(need / per_word) + 64
                stream = bit_gen.random_raw(n_words).view(dtype)
                pos = 0
            pos, row, col = kernel(stream, pos, units, threshold, bits, out, row, col)
        yield s, out


def _count_chunks_numpy(units: int, size: int, ss: np.random.SeedSequence
                        ) -> Iterator[tuple[int, np.ndarray]]:
    """NumPy path of :func:`count_chunks`.

    All draws of a batch come from one ``integers`` call. They are counted by
    ``bincount`` in chunks that stay in cache (several times faster than one
    ``bincount`` over the whole batch or one call per row): within a chunk, row ``r``
    is offset by ``r * units`` in place so each row has its own bins, and weights of
    one make ``bincount`` count straight into float64.
    """
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
