"""The harmonised country panel shipped with the package, and its byte-for-byte rebuild.

``egovstudy/data/egdi_panel.csv.gz`` holds one row per country and UN survey year
(2005-2024): EGDI and its components (OSI, HCI, TII, E-Participation) with the rank,
internet users (% of population), GDP per capita PPP and WGI government effectiveness
of the year before the survey (as :func:`~egovstudy.public.analysis.country_panel`
with ``lag=1``), and the World Bank GovTech Maturity Index of the survey year (2020,
2022). It lets the country notebook run on a machine without the raw files. Its
provenance (sources, licences, sha256 of every raw input, the command) is
``egovstudy/data/egdi_panel.md``. Rebuild it from the raw files with::

    python -m egovstudy.public.panel build [--output DIR]

The build is deterministic: rows sorted by ``iso3, year``, floats written with
``%.10g``, ``\\n`` line ends, gzip without a file name and with time stamp 0.

Examples
--------
>>> panel = load_panel()
>>> int(panel["year"].max()), PANEL_COLUMNS[:3]
(2024, ('iso3', 'country', 'year'))
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd

from egovstudy.errors import DataSourceError

__all__ = ["PANEL_COLUMNS", "PANEL_FILE", "PANEL_INPUTS", "build_command", "build_panel",
           "load_panel", "main", "panel_bytes", "provenance_note", "write_panel",
           "write_panel_files"]

PANEL_FILE = Path(__file__).resolve().parent.parent / "data" / "egdi_panel.csv.gz"
PANEL_COLUMNS = ("iso3", "country", "year", "egdi", "osi", "hci", "tii", "epart",
                 "egdi_rank", "internet_pct", "gdppc_ppp", "gov_effectiveness", "gtmi")
#: (source, file, licence) of every raw input
PANEL_INPUTS: tuple[tuple[str, str, str], ...] = (
    ("un_egdi_2005_2024", "EGOV_MERGED_2005_2024.csv",
     "UN DESA E-Government Survey data; no licence stated in the snapshot -- reproduced "
     "with attribution to UN DESA (check the UN terms of use)"),
    ("un_egdi_2005_2024", "internet_penetration_ogdi.csv",
     "World Bank WDI IT.NET.USER.ZS, CC BY 4.0"),
    ("wb_wdi_gdp", "API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_1588678.csv", "World Bank WDI, CC BY 4.0"),
    ("wb_wgi_1996_2019", "2020_Worldwide_Governance_Indicators_1996-2019.csv.gz",
     "World Bank WGI, CC BY 4.0"),
    ("wb_gtmi_2020_2022", "Clean_GovTech.xlsx", "World Bank GovTech dataset, CC BY 4.0"),
)
_COMMAND = "python -m egovstudy.public.panel build"


def build_panel(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """Assemble the panel from the raw files (project folder, mirror or download cache).

    Raises
    ------
    DataSourceError
        When a raw file is missing (the message names ``egovstudy data fetch``).

    Examples
    --------
    >>> build_panel.__name__
    'build_panel'
    """
    from egovstudy.public.analysis import country_panel
    from egovstudy.public.worldbank import load_gtmi

    raw = country_panel(lag=1, mirror=mirror, source="raw")
    gtmi = load_gtmi(mirror=mirror)[["iso3", "year", "gtmi"]]
    out = raw.merge(gtmi, on=["iso3", "year"], how="left")
    out = out[list(PANEL_COLUMNS)].sort_values(["iso3", "year"], kind="mergesort")
    return out.reset_index(drop=True)


def panel_bytes(panel: pd.DataFrame) -> bytes:
    """The panel as deterministic gzip-compressed CSV bytes.

    Examples
    --------
    >>> df = pd.DataFrame({"iso3": ["DNK"], "year": [2024], "egdi": [0.98471234567891]})
    >>> gzip.decompress(panel_bytes(df)).decode()
    'iso3,year,egdi\\nDNK,2024,0.9847123457\\n'
    """
    text = panel.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def load_panel(path: str | Path | None = None) -> pd.DataFrame:
    """Read the shipped panel (or a rebuilt copy at ``path``).

    Examples
    --------
    >>> panel = load_panel()
    >>> panel.query("year == 2024").sort_values("egdi_rank").iloc[0]["iso3"]
    'DNK'
    """
    src = Path(path) if path is not None else PANEL_FILE
    if not src.is_file():
        raise DataSourceError(f"the shipped panel {src} is missing; rebuild it with "
                              f"{_COMMAND} (needs the raw files: egovstudy data fetch)")
    frame = pd.read_csv(src, dtype={"iso3": "string", "country": "string"})
    frame["year"] = frame["year"].astype("Int64")
    frame["egdi_rank"] = frame["egdi_rank"].astype("Int64")
    return frame


def provenance_note(data: bytes, *, file_name: str, intro: str, command: str, method: str,
                    inputs: Iterable[tuple[str, str, str]], attribution: str,
                    mirror: str | Path | None) -> str:
    """The Markdown provenance record of a shipped panel (shared by every panel builder).

    Parameters
    ----------
    data
        The panel's bytes (their sha256 is recorded).
    file_name, intro, command, method, attribution
        The panel's file name, the sentence before "Built by", the build command,
        the paragraph on how it is built and the closing attribution paragraph.
    inputs
        ``(source, file, licence)`` of every raw input; each file's sha256 is recorded.
    mirror
        Passed to :func:`egovstudy.public.sources.find_file`.

    Examples
    --------
    >>> note = provenance_note(b"x", file_name="p.csv.gz", intro="A panel.", command="make",
    ...                        method="Sorted.", inputs=(), attribution="Us.", mirror=None)
    >>> note.splitlines()[:5]
    ['# p.csv.gz -- provenance', '', 'A panel. Built by', '', '    make']
    """
    from egovstudy.provenance import file_sha256
    from egovstudy.public.sources import find_file

    lines = [f"# {file_name} -- provenance", "", f"{intro} Built by", "", f"    {command}", "",
             method, "", f"sha256 of {file_name}: `{hashlib.sha256(data).hexdigest()}`", "",
             "| source | file | sha256 of the raw file | licence |", "|---|---|---|---|"]
    for source, name, licence in inputs:
        path = find_file(source, name, mirror=mirror)
        lines.append(f"| {source} | {path.name} | `{file_sha256(path)}` | {licence} |")
    lines += ["", attribution, ""]
    return "\n".join(lines)


def write_panel_files(frame: pd.DataFrame, target: Path, note: Callable[[bytes], str],
                      output: str | Path | None = None) -> tuple[Path, Path]:
    """Write ``frame`` as ``target`` (deterministic bytes) and its ``.md`` record, atomically.

    ``output`` is the folder (default: ``target``'s); ``note`` turns the panel's
    bytes into the provenance text (see :func:`provenance_note`).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> csv, md = write_panel_files(pd.DataFrame({"a": [1]}), out / "p.csv.gz",
    ...                             lambda data: f"{len(data)} bytes")
    >>> csv.name, md.name
    ('p.csv.gz', 'p.md')
    """
    from egovstudy._output import atomic_write_bytes, atomic_write_text

    folder = Path(output) if output is not None else target.parent
    folder.mkdir(parents=True, exist_ok=True)
    data = panel_bytes(frame)
    csv = atomic_write_bytes(folder / target.name, data)
    md = atomic_write_text(folder / target.name.replace(".csv.gz", ".md"), note(data))
    return csv, md


def build_command(prog: str, label: str, write: Callable[[str | None], tuple[Path, Path]],
                  argv: Sequence[str] | None) -> int:
    """Run ``python -m <prog> build [--output DIR]`` with ``write(output)``; 2 on missing raw files.

    Examples
    --------
    >>> build_command("demo", "demo build", lambda out: (), ["build"])
    0
    """
    parser = argparse.ArgumentParser(prog=f"python -m {prog}")
    parser.add_argument("action", choices=["build"])
    parser.add_argument("--output", help="folder (default: the package's egovstudy/data)")
    args = parser.parse_args(argv)
    try:
        for path in write(args.output):
            print(path)
    except DataSourceError as err:
        print(f"{label}: error: {err}", file=sys.stderr)
        return 2
    return 0


def _provenance(data: bytes, *, mirror: str | Path | None) -> str:
    return provenance_note(
        data, file_name=PANEL_FILE.name, mirror=mirror, command=_COMMAND, inputs=PANEL_INPUTS,
        intro="Harmonised country-year panel shipped with egovstudy (see "
              "`egovstudy.public.panel`).",
        method="from the raw files below, byte for byte (sorted rows, `%.10g` floats, gzip "
               "with time stamp 0). Covariates (internet, GDP, WGI) are those of the year "
               "before each survey; GTMI is that of the survey year.",
        attribution="Attribution: United Nations Department of Economic and Social Affairs, "
                    "UN E-Government Survey 2005-2024; World Bank, World Development Indicators, "
                    "Worldwide Governance Indicators and GovTech dataset (CC BY 4.0). Where each "
                    "file can be downloaded: `egovstudy.public.registry`.")


def write_panel(output: str | Path | None = None, *,
                mirror: str | Path | None = None) -> tuple[Path, Path]:
    """Build the panel and write ``egdi_panel.csv.gz`` and ``egdi_panel.md`` atomically.

    Examples
    --------
    >>> write_panel.__name__
    'write_panel'
    """
    return write_panel_files(build_panel(mirror=mirror), PANEL_FILE,
                             lambda data: _provenance(data, mirror=mirror), output)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m egovstudy.public.panel build [--output DIR]``.

    Examples
    --------
    >>> main.__name__
    'main'
    """
    return build_command("egovstudy.public.panel", "panel build", write_panel, argv)

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
