"""Type stub of the optional compiled CSV parser (source: ``_csvcore.c``)."""

from typing import Any

def parse(block: Any, delimiter: str, modes: bytes, skip_first: bool, last: bool,
          salt: int) -> tuple[int, int, int, list[Any] | None]: ...
def split(buffer: Any, n: int) -> int: ...
