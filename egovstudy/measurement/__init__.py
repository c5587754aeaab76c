"""Measurement: instrument validity, reliability and factor structure.

Public names: :func:`item_validity`, :func:`r_table`, :func:`reliability`,
:func:`fornell_larcker`, :func:`htmt`, :func:`cross_loadings`, :func:`kmo`,
:func:`bartlett`, :func:`efa`, :func:`cfa`, :func:`modindices`, :func:`sem`, :func:`invariance`,
:func:`instrument_report`.
"""

from __future__ import annotations

from egovstudy.measurement.cfa import CFAResult, cfa
from egovstudy.measurement.discriminant import HTMTResult, cross_loadings, fornell_larcker, htmt
from egovstudy.measurement.factor import BartlettResult, EFAResult, KMOResult, bartlett, efa, kmo
from egovstudy.measurement.invariance import InvarianceResult, invariance
from egovstudy.measurement.modindices import modindices
from egovstudy.measurement.reliability import ReliabilityResult, reliability
from egovstudy.measurement.report import InstrumentReport, instrument_report
from egovstudy.measurement.sem import SEMResult, sem
from egovstudy.measurement.validity import ItemValidityResult, critical_r, item_validity, r_table

__all__ = [
    "BartlettResult",
    "CFAResult",
    "EFAResult",
    "HTMTResult",
    "InstrumentReport",
    "InvarianceResult",
    "ItemValidityResult",
    "KMOResult",
    "ReliabilityResult",
    "SEMResult",
    "bartlett",
    "cfa",
    "critical_r",
    "cross_loadings",
    "efa",
    "fornell_larcker",
    "htmt",
    "instrument_report",
    "invariance",
    "item_validity",
    "kmo",
    "modindices",
    "r_table",
    "reliability",
    "sem",
]
