"""Command line of the application environment: `python -m bot.cli --help`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import yaml

from bot.catalog.cli import register as register_catalog_commands
from bot.desk.cli import register as register_desk_commands
from bot.settings import get_settings, rasa_pika_broker, rasa_redis_lock_store, rasa_sql_broker, rasa_sql_store


def render_endpoints(args: argparse.Namespace) -> int:
    """Print (or write to --out) the Rasa endpoints.yml for this environment's settings."""
    settings = get_settings()
    endpoints: dict[str, object] = {
        "action_endpoint": {"url": settings.action_server_url or f"http://127.0.0.1:{settings.action_port}/webhook"},
        "tracker_store": rasa_sql_store(settings.tracker_url, settings.tracker_window),
    }
    if settings.redis_url:
        endpoints["lock_store"] = rasa_redis_lock_store(settings.redis_url, settings.lock_lifetime_seconds)
    if settings.model_server_url:
        # Rasa pulls the model at start and then every wait_time_between_pulls s, sending the ETag it has.
        endpoints["models"] = {
            "url": settings.model_server_url,
            "wait_time_between_pulls": settings.model_pull_seconds,
        }
    # The desk reads conversation events from the broker (bot/desk/broker.py): RabbitMQ when there is
    # one, else Rasa's SQL event broker on a database of its own.
    if settings.rabbitmq_url:
        endpoints["event_broker"] = rasa_pika_broker(settings.rabbitmq_url, settings.event_queue)
    else:
        endpoints["event_broker"] = rasa_sql_broker(settings.event_broker_database_url)
    text = yaml.safe_dump(endpoints, sort_keys=False)
    out = getattr(args, "out", None)
    if out:
        with open(out, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(out, 0o600)  # it may hold database and broker passwords
    else:
        sys.stdout.write(text)
    return 0


def rasa_token(_: argparse.Namespace) -> int:
    """Print the Rasa HTTP API token (generated once for development)."""
    print(get_settings().ensure_rasa_token())
    return 0


def check_faq(args: argparse.Namespace) -> int:
    """Check the curated FAQ files; print each problem with its topic and file."""
    from bot.faq.catalogue import FAQ_DIR, HELDOUT_DIR, VALIDATION_DIR
    from bot.faq.checks import check_curation

    other_training = sorted((FAQ_DIR.parent / "nlu").glob("*.yml"))
    problems = check_curation(
        FAQ_DIR,
        HELDOUT_DIR,
        max_review_age_days=args.max_review_age_days,
        other_training=other_training,
        validation_dir=VALIDATION_DIR,
    )
    for problem in problems:
        print(problem)
    print(f"FAQ curation: {len(problems)} problem(s)")
    return 1 if problems else 0


def drain_spool(_: argparse.Namespace) -> int:
    """File the complaints queued while the database was unreachable (at their original time)."""
    from bot.complaints.spool import ComplaintSpool
    from bot.notifications.publisher import notifying_uow_factory

    settings = get_settings()
    spool = ComplaintSpool(settings.spool_dir)
    tickets = spool.drain(notifying_uow_factory(settings))  # each filed with its "new complaint" notification
    print(f"filed {len(tickets)} queued complaint(s){': ' + ', '.join(tickets) if tickets else ''}; "
          f"{len(spool.pending())} still queued")  # fmt: skip
    return 0 if not spool.pending() else 1


def load_sample_catalogue(_: argparse.Namespace) -> int:
    """Import the sample catalogue (data/catalog/*.sample.csv) unless LOAD_SAMPLE_CATALOGUE=false."""
    from bot.catalog.importer import import_file
    from bot.db import session_factory
    from bot.settings import ROOT

    settings = get_settings()
    if not settings.load_sample_catalogue:
        print("sample catalogue not loaded (LOAD_SAMPLE_CATALOGUE=false)")
        return 0
    for kind in ("coverage", "handsets", "plans"):
        report = import_file(
            session_factory(settings.database_url), ROOT / "data" / "catalog" / f"{kind}.sample.csv", kind
        )
        if report.errors:
            for error in report.errors:
                print(error)
            return 1
        print(f"{kind}: {report.inserted} inserted, {report.updated} updated")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render-endpoints", help=render_endpoints.__doc__)
    render.add_argument("--out", help="write the file (mode 600) instead of printing it")
    render.set_defaults(run=render_endpoints)
    commands.add_parser("rasa-token", help=rasa_token.__doc__).set_defaults(run=rasa_token)
    faq = commands.add_parser("check-faq", help=check_faq.__doc__)
    faq.add_argument("--max-review-age-days", type=int, default=365)
    faq.set_defaults(run=check_faq)
    commands.add_parser("drain-spool", help=drain_spool.__doc__).set_defaults(run=drain_spool)
    commands.add_parser("load-sample-catalogue", help=load_sample_catalogue.__doc__).set_defaults(
        run=load_sample_catalogue
    )
    register_catalog_commands(commands)
    register_desk_commands(commands)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
