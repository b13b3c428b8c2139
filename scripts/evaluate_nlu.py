"""Evaluates a trained model on the held-out set the way users meet it (server environment).

For each held-out message it asks the model what the bot would do and counts, per
language: FAQ answers that are right, wrong or replaced by a clarification;
off-topic messages that are declined or answered as FAQ; task intents.

FAQ answer accuracy is the share of FAQ questions for which the bot gives the
right curated answer: directly, or as one of the two topics of its "Did you
mean ...?" question (one tap away). Both it and the direct rate (the right answer with
no tap) must reach 90% per language; the wrong-answer rate has a gate of its own, and the
clarification rate is reported beside them.
Writes results/<name>.json and .md; exits 1 when a quality gate fails.

    .venv/server/bin/python scripts/evaluate_nlu.py --model models/bot.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml  # noqa: E402

from rasa_server.nlu.text import detect_language, normalise  # noqa: E402
from rasa_server.startup import start  # noqa: E402

DECLINED = {"out_of_scope", "nlu_fallback"}
# Inline entity annotations of the held-out files: [text](entity) and [text]{"entity": ...}.
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
UNSURE = "faq_unsure"


def load_heldout(directory: Path) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(directory.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    pairs.append((str(item["intent"]), ANNOTATION.sub(r"\1", line[2:].strip())))
    return pairs


def faq_keys(parse: dict) -> list[str]:
    # A selector trained for the `faq` retrieval intent reports under "faq"; one trained for all
    # retrieval intents (stock Rasa's default) under "default".
    selectors = parse.get("response_selector") or {}
    ranking = (selectors.get("faq") or selectors.get("default") or {}).get("ranking") or []
    return [str(r.get("intent_response_key", "")).removeprefix("faq/") for r in ranking]


def outcome(expected: str, parse: dict) -> tuple[str, str]:
    """(kind, predicted) for one message; kind names what the user would have got."""
    intent = (parse.get("intent") or {}).get("name") or "None"
    keys = faq_keys(parse)
    predicted = f"faq/{keys[0]}" if intent == "faq" and keys else intent
    if expected.startswith("faq/"):
        key = expected.removeprefix("faq/")
        if intent == "faq":
            return ("correct" if keys and keys[0] == key else "wrong_answer"), predicted
        if intent == UNSURE:
            return ("clarified_hit" if key in keys[:2] else "clarified_miss"), f"{UNSURE}:{','.join(keys[:2])}"
        return "missed", predicted
    if expected == "out_of_scope":
        if intent in DECLINED:
            return "declined", predicted
        return ("answered_faq" if intent == "faq" else "other"), predicted
    return ("correct" if intent == expected else "wrong"), predicted


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def message_kind(expected: str) -> str:
    """What a labelled message tests: "faq" (a topic), "oos" (off-topic) or "task" (any other intent)."""
    if expected.startswith("faq/"):
        return "faq"
    return "oos" if expected == "out_of_scope" else "task"


def summarise(rows: list[dict]) -> dict:
    by_language: dict[str, dict] = {}
    for language in ("zh", "en"):
        mine = [r for r in rows if r["language"] == language]
        faq = [r for r in mine if message_kind(r["expected"]) == "faq"]
        oos = [r for r in mine if message_kind(r["expected"]) == "oos"]
        task = [r for r in mine if message_kind(r["expected"]) == "task"]
        kinds = Counter(r["kind"] for r in faq)
        by_language[language] = {
            "faq_examples": len(faq),
            "faq_answer_accuracy": round((kinds["correct"] + kinds["clarified_hit"]) / len(faq), 4) if faq else None,
            "faq_direct_answer_accuracy": round(kinds["correct"] / len(faq), 4) if faq else None,
            "faq_wrong_answer_rate": round(kinds["wrong_answer"] / len(faq), 4) if faq else None,
            "faq_clarified_rate": round((kinds["clarified_hit"] + kinds["clarified_miss"]) / len(faq), 4)
            if faq
            else None,
            "faq_outcomes": dict(kinds),
            "task_examples": len(task),
            "task_intent_accuracy": round(sum(r["kind"] == "correct" for r in task) / len(task), 4) if task else None,
            "oos_examples": len(oos),
            "oos_declined_rate": round(sum(r["kind"] == "declined" for r in oos) / len(oos), 4) if oos else None,
            "oos_answered_as_faq_rate": round(sum(r["kind"] == "answered_faq" for r in oos) / len(oos), 4)
            if oos
            else None,
        }
    confusions = Counter(
        tuple(sorted((r["expected"], r["predicted"])))
        for r in rows
        if r["expected"].startswith("faq/") and r["kind"] == "wrong_answer"
    )
    per_topic: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        if r["expected"].startswith("faq/"):
            per_topic[r["expected"].removeprefix("faq/")][r["kind"]] += 1
    return {
        "by_language": by_language,
        "confused_topic_pairs": [{"pair": list(p), "count": n} for p, n in confusions.most_common(10)],
        "per_topic": {k: dict(v) for k, v in sorted(per_topic.items())},
    }


def markdown(name: str, summary: dict) -> str:
    lines = [f"# Held-out NLU evaluation: {name}", "", "| measure | zh | en |", "|---|---|---|"]
    zh, en = summary["by_language"]["zh"], summary["by_language"]["en"]
    for key in zh:
        if key != "faq_outcomes":
            lines.append(f"| {key} | {zh[key]} | {en[key]} |")
    lines += ["", "## Per topic", "", "| topic | correct | wrong | clarified | missed |", "|---|---|---|---|---|"]
    for topic, kinds in summary["per_topic"].items():
        clarified = kinds.get("clarified_hit", 0) + kinds.get("clarified_miss", 0)
        lines.append(
            f"| {topic} | {kinds.get('correct', 0)} | {kinds.get('wrong_answer', 0)} | {clarified} "
            f"| {kinds.get('missed', 0)} |"
        )
    lines += ["", "## Most confused topic pairs", ""]
    lines += [f"- {p['pair'][0]} ↔ {p['pair'][1]}: {p['count']}" for p in summary["confused_topic_pairs"]] or ["none"]
    return "\n".join(lines) + "\n"


def gate(summary: dict, min_faq: float, max_oos_faq: float, max_wrong: float, min_direct: float = 0.0) -> list[str]:
    failures = []
    for language, s in summary["by_language"].items():
        if s["faq_answer_accuracy"] is not None and s["faq_answer_accuracy"] < min_faq:
            failures.append(f"{language}: FAQ answer accuracy {s['faq_answer_accuracy']:.1%} < {min_faq:.0%}")
        direct = s["faq_direct_answer_accuracy"]
        if direct is not None and direct < min_direct:
            failures.append(f"{language}: FAQ answered directly and right {direct:.1%} < {min_direct:.0%}")
        if s["faq_wrong_answer_rate"] is not None and s["faq_wrong_answer_rate"] > max_wrong:
            failures.append(f"{language}: wrong FAQ answers {s['faq_wrong_answer_rate']:.1%} > {max_wrong:.0%}")
        if s["oos_answered_as_faq_rate"] is not None and s["oos_answered_as_faq_rate"] > max_oos_faq:
            failures.append(
                f"{language}: {s['oos_answered_as_faq_rate']:.1%} of out-of-scope messages got an FAQ answer "
                f"(> {max_oos_faq:.0%})"
            )
    return failures


def quiet() -> None:
    """Warnings and errors only, from the standard logging and from Rasa's structlog events."""
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "bot.tar.gz")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--name", default="nlu_heldout")
    parser.add_argument("--min-faq-accuracy", type=float, default=0.90)
    parser.add_argument("--max-oos-faq-rate", type=float, default=0.10)
    parser.add_argument("--max-wrong-answer-rate", type=float, default=0.05)
    # The same 90% for questions answered directly, without the "Did you mean" tap, so that a
    # looser guard cannot hide a worse model behind clarifications; measured 91.9% zh / 90.9% en
    # (docs/benchmarks.md).
    parser.add_argument("--min-direct-accuracy", type=float, default=0.90)
    parser.add_argument("--no-gate", action="store_true", help="report only (for baselines)")
    args = parser.parse_args()
    quiet()
    start()  # as the server starts: numbers masked in the log, the Rasa patches installed

    pairs = load_heldout(args.heldout)
    parses = asyncio.run(parse_all(args.model, [text for _, text in pairs]))
    rows = []
    for (expected, text), parse in zip(pairs, parses, strict=True):
        kind, predicted = outcome(expected, parse)
        language = detect_language(normalise(text)) or "zh"
        rows.append({"text": text, "expected": expected, "predicted": predicted, "kind": kind, "language": language})
    summary = summarise(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(
        json.dumps({**summary, "errors": [r for r in rows if r["kind"] not in {"correct", "declined"}]}, indent=2,
                   ensure_ascii=False)
    )  # fmt: skip
    (args.out / f"{args.name}.md").write_text(markdown(args.name, summary))

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    for language, s in summary["by_language"].items():
        print(
            f"{language}: FAQ answer accuracy {pct(s['faq_answer_accuracy'])} "
            f"(direct {pct(s['faq_direct_answer_accuracy'])}, "
            f"wrong {pct(s['faq_wrong_answer_rate'])}, clarified {pct(s['faq_clarified_rate'])}); "
            f"task intents {pct(s['task_intent_accuracy'])}; "
            f"out-of-scope declined {pct(s['oos_declined_rate'])}, "
            f"answered as FAQ {pct(s['oos_answered_as_faq_rate'])}"
        )
    failures = (
        []
        if args.no_gate
        else gate(
            summary, args.min_faq_accuracy, args.max_oos_faq_rate, args.max_wrong_answer_rate, args.min_direct_accuracy
        )
    )
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
