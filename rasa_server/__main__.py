"""`python -m rasa_server ARGS...`: Rasa's own command line (`rasa ARGS...`), started the way this
project serves it (rasa_server/startup.py: phone numbers masked in the logs, the Rasa patches
installed). Use it wherever `rasa` would be: run, train, test, data validate.
"""

from __future__ import annotations

import sys

from rasa_server import rasa_fixes
from rasa_server.startup import start


def main(argv: list[str]) -> None:
    try:
        start()
    except (rasa_fixes.UntestedRasaVersion, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
