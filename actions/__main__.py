"""`python -m actions ARGS...`: the action server, rasa_sdk's command line (`python -m rasa_sdk
--actions actions ARGS...`) with phone numbers masked in every log record from the first one
(common/redact.py). rasa_sdk imports this module with the others; only `-m` runs it.
"""

from __future__ import annotations

import sys

from common.redact import install_log_redaction


def main(argv: list[str]) -> None:
    install_log_redaction()
    from rasa_sdk.__main__ import main as rasa_sdk_main

    sys.argv = ["rasa_sdk", "--actions", "actions", *argv]
    rasa_sdk_main()


if __name__ == "__main__":
    main(sys.argv[1:])
