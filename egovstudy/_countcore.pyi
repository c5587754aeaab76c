"""Type stub of the optional compiled kernel (source: ``_countcore.c``)."""

from typing import Any

def fill_counts(words: Any, pos: int, units: int, threshold: int, bits: int, out: Any,
                rows: int, row: int, col: int) -> tuple[int, int, int]: ...
def pcg64_words(state: Any, out: Any) -> None: ...
