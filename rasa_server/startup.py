"""What every process that runs the project's Rasa does first: the Rasa server, training,
`rasa test`, `rasa data validate` (all through `python -m rasa_server`) and the scripts that load a
model themselves (scripts/evaluate_nlu.py, scripts/tune_faq_guard.py).

1. Phone numbers are masked in every log record from then on (common/redact.py): Rasa logs the
   text of each message at debug level, and the tracebacks of failed turns quote it.
2. The Rasa patches the environment selects are installed (rasa_server/rasa_fixes.py), so what
   is measured and trained is what is served.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from common.redact import install_log_redaction
from rasa_server import rasa_fixes


def start(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Log redaction, then the selected patches (their names, also said on stderr). Raises
    rasa_fixes.UntestedRasaVersion on a Rasa the patches were not tested on, ValueError on an unknown name."""
    install_log_redaction()
    names = rasa_fixes.install(environ)
    said = f"installed: {', '.join(names)}" if names else "off"
    setting = environ.get(rasa_fixes.SWITCH, "on")
    print(f"rasa_server: Rasa patches {said} ({rasa_fixes.SWITCH}={setting})", file=sys.stderr)
    return names
