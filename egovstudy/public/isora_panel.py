"""The ISORA tax-administration panel shipped with the package, and its byte-for-byte rebuild.

``egovstudy/data/isora_panel.csv.gz`` holds one row per tax administration and fiscal
year 2018-2021 with the indicators of
:func:`~egovstudy.public.isora.isora_indicators` that notebook 08 uses (staff, staff
education, operating and ICT expenditure, e-filing and e-payment shares). It lets the
notebook run on a machine without the raw ISORA forms. Its provenance (sources,
licence, attribution, sha256 of every raw input, the command) is
``egovstudy/data/isora_panel.md``. Rebuild it from the raw files with::

    python -m egovstudy.public.isora_panel build [--output DIR]

The build is deterministic (as :func:`egovstudy.public.panel.panel_bytes`): rows sorted
by ``administration, year``, floats written with ``%.10g``, gzip with time stamp 0.
Internet speed (Ookla Open Data, CC BY-NC-SA 4.0) is deliberately not shipped.

Examples
--------
>>> tax = load_isora_panel()
>>> int(tax["administration"].nunique()), ISORA_PANEL_COLUMNS[:3]
(174, ('iso3', 'administration', 'year'))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from egovstudy.errors import DataFormatError, DataSourceError

__all__ = ["ISORA_PANEL_COLUMNS", "ISORA_PANEL_FILE", "build_isora_panel", "load_isora_panel",
           "main", "write_isora_panel"]

#: the panel shipped in the package (built by ``python -m egovstudy.public.isora_panel build``)
ISORA_PANEL_FILE = Path(__file__).resolve().parent.parent / "data" / "isora_panel.csv.gz"
#: its columns: the indicators notebook 08 uses (the e-filing shares by tax as well,
#: to check them against the Blavatnik index documentation)
ISORA_PANEL_COLUMNS = ("iso3", "administration", "year", "staff", "staff_degree_share", "opex",
                       "ict_exp", "ict_share", "efile_cit", "efile_pit", "efile_vat", "efile",
                       "epay_number")
_SOURCE = "bipa2024_public_admin"
_FORMS_USED = "CDG"
_BUILD = "python -m egovstudy.public.isora_panel build"


def build_isora_panel(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """The shipped panel's rows, built from the raw ISORA forms C, D and G.

    Administrations whose name is not a country keep ``iso3`` empty; rows are sorted
    by ``administration, year``.

    Raises
    ------
    DataSourceError
        When a form is missing (the message names ``egovstudy data fetch``).

    Examples
    --------
    >>> build_isora_panel.__name__
    'build_isora_panel'
    """
    import warnings

    from egovstudy.errors import DataQualityWarning

    with warnings.catch_warnings():
        # the non-country administrations are reported by load_isora; kept on purpose
        warnings.simplefilter("ignore", DataQualityWarning)
        from egovstudy.public.isora import isora_indicators

        tax = isora_indicators(mirror=mirror)
    out = tax[list(ISORA_PANEL_COLUMNS)]
    return out.sort_values(["administration", "year"], kind="mergesort").reset_index(drop=True)


def load_isora_panel(path: str | Path | None = None) -> pd.DataFrame:
    """Read the ISORA panel shipped in the package (or a rebuilt copy at ``path``).

    Examples
    --------
    >>> tax = load_isora_panel()
    >>> sorted(tax["year"].unique().tolist()), tax.columns[:3].tolist()
    ([2018, 2019, 2020, 2021], ['iso3', 'administration', 'year'])
    """
    src = Path(path) if path is not None else ISORA_PANEL_FILE
    if not src.is_file():
        raise DataSourceError(f"the shipped ISORA panel {src} is missing; rebuild it with "
                              f"{_BUILD} (needs the raw files: egovstudy data fetch {_SOURCE})")
    frame = pd.read_csv(src, dtype={"iso3": "string", "administration": "string"})
    missing = [c for c in ISORA_PANEL_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFormatError(f"ISORA panel {src}: column(s) {missing} missing; rebuild it "
                              f"with {_BUILD}")
    frame["year"] = frame["year"].astype("Int64")
    return frame[list(ISORA_PANEL_COLUMNS)]


def _isora_provenance(data: bytes, *, mirror: str | Path | None) -> str:
    from egovstudy.public.panel import provenance_note

    inputs = [(_SOURCE, f"raw/ISORA_2021/ISORA_Form_{form}_2018_to_2021.xlsx",
               "ISORA data: re-use permitted (RA-FIT terms)") for form in _FORMS_USED]
    return provenance_note(
        data, file_name=ISORA_PANEL_FILE.name, mirror=mirror, command=_BUILD, inputs=inputs,
        intro="Tax-administration panel (one row per administration and fiscal year "
              "2018-2021) shipped with egovstudy so that notebook 08 runs without the raw "
              "forms (see `egovstudy.public.isora_panel`).",
        method="from the raw files below, byte for byte (rows sorted by administration and "
               "year, `%.10g` floats, gzip with time stamp 0). Columns: "
               + ", ".join(f"`{c}`" for c in ISORA_PANEL_COLUMNS)
               + "; their definitions are `egovstudy.public.isora.ISORA_INDICATORS`.",
        attribution="Licence and attribution: International Survey on Revenue Administration "
                    "(ISORA) 2018-2021, CIAT, IMF, IOTA and OECD, published on the IMF RA-FIT "
                    "portal (data.rafit.org), re-use permitted with attribution "
                    "(datahelp.rafit.org/knowledgebase/articles/1809769); forms as collected by "
                    "the Blavatnik Index of Public Administration source data "
                    "(github.com/blavatnik-index/bipa2024_sourcedata, commit 088271d0, outputs "
                    "CC BY 4.0). The derived shares are egovstudy's. Internet speed (Ookla Open "
                    "Data, CC BY-NC-SA 4.0) is not shipped: its NonCommercial and ShareAlike "
                    "terms do not fit egovstudy's MIT licence; get it with `egovstudy data fetch "
                    "ookla_speed_2019_2024`. Where each file can be downloaded: "
                    "`egovstudy.public.registry`.")


def write_isora_panel(output: str | Path | None = None, *,
                      mirror: str | Path | None = None) -> tuple[Path, Path]:
    """Build the panel and write ``isora_panel.csv.gz`` and ``isora_panel.md`` atomically.

    Examples
    --------
    >>> write_isora_panel.__name__
    'write_isora_panel'
    """
    from egovstudy.public.panel import write_panel_files

    return write_panel_files(build_isora_panel(mirror=mirror), ISORA_PANEL_FILE,
                             lambda data: _isora_provenance(data, mirror=mirror), output)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m egovstudy.public.isora_panel build [--output DIR]``.

    Examples
    --------
    >>> main.__name__
    'main'
    """
    from egovstudy.public.panel import build_command

    return build_command("egovstudy.public.isora_panel", "isora panel build", write_isora_panel,
                         argv)

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
