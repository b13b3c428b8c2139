"""Command line of the application environment: `python -m bot.cli --help`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import yaml

from bot.settings import get_settings, rasa_redis_lock_store, rasa_sql_store


def render_endpoints(_: argparse.Namespace) -> int:
    """Print the Rasa endpoints.yml for this environment's settings."""
    settings = get_settings()
    endpoints: dict[str, object] = {
        "action_endpoint": {"url": f"http://127.0.0.1:{settings.action_port}/webhook"},
        "tracker_store": rasa_sql_store(settings.tracker_url),
    }
    if settings.redis_url:
        endpoints["lock_store"] = rasa_redis_lock_store(settings.redis_url)
    yaml.safe_dump(endpoints, sys.stdout, sort_keys=False)
    return 0


def rasa_token(_: argparse.Namespace) -> int:
    """Print the Rasa HTTP API token (generated once for development)."""
    print(get_settings().ensure_rasa_token())
    return 0


def check_faq(args: argparse.Namespace) -> int:
    """Check the curated FAQ files; print each problem with its topic and file."""
    from bot.faq.catalogue import FAQ_DIR, HELDOUT_DIR
    from bot.faq.checks import check_curation

    problems = check_curation(FAQ_DIR, HELDOUT_DIR, max_review_age_days=args.max_review_age_days)
    for problem in problems:
        print(problem)
    print(f"FAQ curation: {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("render-endpoints", help=render_endpoints.__doc__).set_defaults(run=render_endpoints)
    commands.add_parser("rasa-token", help=rasa_token.__doc__).set_defaults(run=rasa_token)
    faq = commands.add_parser("check-faq", help=check_faq.__doc__)
    faq.add_argument("--max-review-age-days", type=int, default=365)
    faq.set_defaults(run=check_faq)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
