"""Reading a study file does not pay for jsonschema's optional "iri" format grammar."""

from __future__ import annotations

import json
import subprocess
import sys

from egovstudy._paths import project_root

_PROBE = r"""
import json, sys
from egovstudy.schema import schema_problems
found = schema_problems({"items": [{"name": "q1", "construct": "c", "revrese": True}]},
                        "codebook")
print(json.dumps({"found": found, "rfc3987": "rfc3987_syntax" in sys.modules,
                  "jsonschema": "jsonschema" in sys.modules}))
"""


def test_validation_works_without_importing_rfc3987_syntax() -> None:
    """A fresh interpreter validates a codebook (the misspelled key is still found) and
    never imports ``rfc3987_syntax`` (about 1.2 s of CPU at import)."""
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          cwd=project_root(), check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["jsonschema"] is True and out["rfc3987"] is False
    assert out["found"] == ["items[0].revrese: unknown key (did you mean 'reverse'?). "
                            "Fix: rename it to 'reverse'"]
