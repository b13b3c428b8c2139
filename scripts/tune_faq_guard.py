"""Chooses the FAQ guard's and the fallback's thresholds on the validation split, never on the held-out set.

Thresholds decide what the bot does with a message after the classifier has spoken:
- the FAQ guard (rasa_server/nlu/faq_guard.py), per language: declines an FAQ reading when the
  off-topic class has at least `max_off_topic_ratio` times the best topic's probability, and
  otherwise answers directly only when the best topic has at least `min_confidence` and leads
  the second by at least `min_margin` (else "Did you mean ...?");
- Rasa's FallbackClassifier declines a message whose best intent has less than `threshold`
  (or leads the second by less than `ambiguity_threshold`).

This script parses the validation messages (tests/nlu/validation/) once with the trained
model, recording what the classifier said before the guard and the fallback changed it, and
replays both decisions for every combination on a grid, counting outcomes exactly as
scripts/evaluate_nlu.py does. Within each language it keeps the combinations under which at
most --max-wrong of FAQ questions get a wrong answer and at most --max-oos of off-topic
messages get an FAQ answer, and of those the one that handles most messages right: FAQ
questions answered directly and right plus task intents recognised, equally weighted. The
fallback threshold is shared by both languages: the one whose worse language scores best wins.
The classifier does not depend on these thresholds, so one trained model serves the whole grid.
Writes results/faq_guard_tuning.json and .md; config.yml is edited by hand.

    .venv/server/bin/python scripts/tune_faq_guard.py --model models/bot.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import importlib.util
import json
import sys
from itertools import product
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("evaluate_nlu", ROOT / "scripts" / "evaluate_nlu.py")
evaluate_nlu = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(evaluate_nlu)  # type: ignore[union-attr]

from rasa_server.nlu import linear_classifier  # noqa: E402
from rasa_server.nlu.explicit_requests import compile_patterns, explicit_intent  # noqa: E402
from rasa_server.nlu.faq_guard import FAQ_INTENT, verdict  # noqa: E402
from rasa_server.nlu.text import detect_language, normalise  # noqa: E402
from rasa_server.startup import start  # noqa: E402

FALLBACK = "nlu_fallback"
CONFIDENCES = [round(0.20 + 0.05 * i, 2) for i in range(15)]  # 0.20 .. 0.90
MARGINS = [round(0.00 + 0.05 * i, 2) for i in range(7)]  # 0.00 .. 0.30
OFF_TOPIC_RATIOS = [0.1, 0.15, 0.2, 0.3, 0.5, 1.0]  # 1.0: only when off-topic ties the best topic
FALLBACK_THRESHOLDS = [0.0, 0.1, 0.2, 0.3, 0.4]
AMBIGUITY = 0.1


def decide(row: dict, guard: dict[str, float], threshold: float) -> str:
    """The intent the pipeline would end with at these thresholds (guard, fallback, explicit request)."""
    if row["explicit"]:
        return row["explicit"]
    ranking = row["ranking"]
    if not ranking:
        return FALLBACK
    intent = ranking[0]["name"]
    if intent == FAQ_INTENT:
        intent = verdict(ranking, row["topics"], guard)
    best = float(ranking[0].get("confidence", 0.0))
    second = float(ranking[1].get("confidence", 0.0)) if len(ranking) > 1 else 0.0
    if best < threshold or best - second < AMBIGUITY:
        return FALLBACK
    return intent


def replay(rows: list[dict], guard: dict[str, float], threshold: float) -> dict:
    """evaluate_nlu's per-language summary of the outcomes at these thresholds."""
    outcomes = []
    for row in rows:
        intent = decide(row, guard, threshold)
        parse = {"intent": {"name": intent}, "response_selector": {FAQ_INTENT: {"ranking": row["topics"]}}}
        kind, predicted = evaluate_nlu.outcome(row["expected"], parse)
        outcomes.append(
            {"expected": row["expected"], "predicted": predicted, "kind": kind, "language": row["language"]}
        )
    return evaluate_nlu.summarise(outcomes)["by_language"]


def allowed(s: dict, max_wrong: float, max_oos: float) -> bool:
    """One language's summary within the constraints."""
    return (s["faq_wrong_answer_rate"] or 0.0) <= max_wrong and (s["oos_answered_as_faq_rate"] or 0.0) <= max_oos


def score(s: dict) -> float:
    """One language's share of FAQ questions answered directly and right plus its share of task intents."""
    return round((s["faq_direct_answer_accuracy"] or 0.0) + (s["task_intent_accuracy"] or 0.0), 4)


def right_topic_first(rows: list[dict], language: str) -> float:
    """Share of the language's FAQ questions whose right topic is ranked first, guard or not."""
    faq = [r for r in rows if r["language"] == language and r["expected"].startswith("faq/")]
    hits = sum(bool(r["topics"]) and r["topics"][0]["intent_response_key"] == r["expected"] for r in faq)
    return round(hits / len(faq), 4) if faq else 0.0


def explicit_patterns() -> list:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    component = next(c for c in config["pipeline"] if c["name"].endswith("ExplicitRequestClassifier"))
    return compile_patterns(component.get("intents") or {})


async def parse_recording(model: Path, texts: list[str]) -> list[tuple[list[dict], list[dict]]]:
    """Parses each text; the (intent ranking, topic ranking) the classifier gave, before anything changed them."""
    from rasa.core.agent import Agent

    recorded: list[tuple[list[dict], list[dict]]] = []
    original = linear_classifier.LinearIntentClassifier.process

    def recording(self, messages):  # type: ignore[no-untyped-def]
        out = original(self, messages)
        for m in out:
            selection = (m.get("response_selector") or {}).get(FAQ_INTENT) or {}
            recorded.append(
                (copy.deepcopy(m.get("intent_ranking") or []), copy.deepcopy(selection.get("ranking") or []))
            )
        return out

    linear_classifier.LinearIntentClassifier.process = recording  # type: ignore[method-assign]
    try:
        agent = Agent.load(str(model))
        for text in texts:
            await agent.parse_message(text)
    finally:
        linear_classifier.LinearIntentClassifier.process = original  # type: ignore[method-assign]
    if len(recorded) != len(texts):
        raise RuntimeError(f"the classifier ran {len(recorded)} times for {len(texts)} messages")
    return recorded


def recorded_rows(model: Path, validation: Path) -> list[dict]:
    pairs = evaluate_nlu.load_heldout(validation)
    recorded = asyncio.run(parse_recording(model, [text for _, text in pairs]))
    patterns = explicit_patterns()
    rows = []
    for (expected, text), (ranking, topics) in zip(pairs, recorded, strict=True):
        normalised = normalise(text)
        rows.append({
            "expected": expected,
            "language": detect_language(normalised) or "zh",
            "ranking": ranking,
            "topics": topics,
            "explicit": explicit_intent(normalised, patterns),
        })  # fmt: skip
    return rows


def search(rows: list[dict], max_wrong: float, max_oos: float) -> dict | None:
    """The best allowed guard per language at the best shared fallback threshold, with the grid's results."""
    languages = ("zh", "en")
    guards = [
        {"min_confidence": c, "min_margin": m, "max_off_topic_ratio": r}
        for c, m, r in product(CONFIDENCES, MARGINS, OFF_TOPIC_RATIOS)
    ]
    best = None
    for threshold in FALLBACK_THRESHOLDS:
        chosen = {}
        for language in languages:
            mine = [r for r in rows if r["language"] == language]
            results = [(guard, replay(mine, guard, threshold)[language]) for guard in guards]
            ok = [(g, s) for g, s in results if allowed(s, max_wrong, max_oos)]
            if not ok:
                break
            # Ties go to the stricter guard: higher thresholds, a lower off-topic ratio.
            guard, summary = max(ok, key=lambda gs: (score(gs[1]), gs[0]["min_confidence"], gs[0]["min_margin"],
                                                     -gs[0]["max_off_topic_ratio"]))  # fmt: skip
            chosen[language] = {"guard": guard, "summary": summary}
        else:
            worse = min(score(chosen[language]["summary"]) for language in languages)
            if best is None or worse > best["score"]:
                best = {"threshold": threshold, "score": worse, "languages": chosen}
    return best


def markdown(rows: list[dict], best: dict | None, args: argparse.Namespace) -> str:
    lines = [
        "# FAQ guard and fallback thresholds on the validation split",
        "",
        f"Messages: {len(rows)}. Right topic ranked first (before the guard): "
        f"{right_topic_first(rows, 'zh'):.1%} zh / {right_topic_first(rows, 'en'):.1%} en.",
        f"Constraints per language: wrong answers <= {args.max_wrong:.0%}, off-topic answered <= {args.max_oos:.0%}.",
        "",
    ]
    if best is None:
        return "\n".join([*lines, "No thresholds meet the constraints."]) + "\n"
    lines += [
        f"Fallback threshold: {best['threshold']}.",
        "",
        "| language | min_confidence | min_margin | max_off_topic_ratio | FAQ direct | FAQ one tap | FAQ wrong "
        "| task intents | off-topic declined | off-topic answered |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for language, chosen in best["languages"].items():
        g, s = chosen["guard"], chosen["summary"]
        lines.append(
            f"| {language} | {g['min_confidence']} | {g['min_margin']} | {g['max_off_topic_ratio']} "
            f"| {s['faq_direct_answer_accuracy']:.1%} | {s['faq_answer_accuracy']:.1%} "
            f"| {s['faq_wrong_answer_rate']:.1%} "
            f"| {s['task_intent_accuracy']:.1%} | {s['oos_declined_rate']:.1%} | {s['oos_answered_as_faq_rate']:.1%} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "bot.tar.gz")
    parser.add_argument("--validation", type=Path, default=ROOT / "tests" / "nlu" / "validation")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--max-wrong", type=float, default=0.03)
    parser.add_argument("--max-oos", type=float, default=0.05)
    args = parser.parse_args()

    evaluate_nlu.quiet()
    start()  # as the server starts: numbers masked in the log, the Rasa patches installed
    rows = recorded_rows(args.model, args.validation)
    best = search(rows, args.max_wrong, args.max_oos)
    args.out.mkdir(parents=True, exist_ok=True)
    first = {language: right_topic_first(rows, language) for language in ("zh", "en")}
    (args.out / "faq_guard_tuning.json").write_text(json.dumps({"best": best, "right_topic_first": first}, indent=1))
    (args.out / "faq_guard_tuning.md").write_text(markdown(rows, best, args))
    if best is None:
        print("no thresholds meet the constraints on the validation split")
        return 1
    print(markdown(rows, best, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
