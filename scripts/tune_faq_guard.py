"""Chooses the FAQ ranker's weight and the guard's thresholds on the validation split, never on the held-out set.

The topic ranking is a weighted average of the ResponseSelector's confidences and the
linear model's probabilities (bot/nlu/faq_ranker.py, `selector_weight`). The guard
(bot/nlu/faq_guard.py) answers an FAQ directly only when the best topic of that ranking
has at least `min_confidence` and leads the second by at least `min_margin`; otherwise
the bot asks "Did you mean ...?". This script parses the validation messages
(tests/nlu/validation/) once with the trained model, recording both inputs of the
blend, then replays the blend and the guard's decision for every weight and pair of
thresholds on a grid. It picks the combination that answers most FAQ questions
directly and correctly (the worse of the two languages counts) while, in each
language, at most --max-wrong of FAQ questions get a wrong answer and at most
--max-oos of off-topic messages get an FAQ answer. Neither the selector nor the
linear model depends on the weight, so one trained model serves the whole grid.
Writes results/faq_guard_tuning.json and .md; config.yml is edited by hand.

    .venv/server/bin/python scripts/tune_faq_guard.py --model models/bot.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("evaluate_nlu", ROOT / "scripts" / "evaluate_nlu.py")
evaluate_nlu = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(evaluate_nlu)  # type: ignore[union-attr]

from bot.nlu import faq_ranker  # noqa: E402
from bot.nlu.faq_guard import is_unsure  # noqa: E402
from bot.nlu.text import detect_language, normalise  # noqa: E402

GUARDED = {"faq", "faq_unsure"}
CONFIDENCES = [round(0.20 + 0.05 * i, 2) for i in range(15)]  # 0.20 .. 0.90
MARGINS = [round(0.00 + 0.05 * i, 2) for i in range(7)]  # 0.00 .. 0.30
WEIGHTS = [round(0.3 + 0.1 * i, 1) for i in range(8)]  # 0.3 .. 1.0 (1.0: the selector alone)


async def parse_recording_blend(model: Path, texts: list[str]) -> list[tuple[dict, tuple | None]]:
    """Parses each text; beside the parse, the (selector ranking, linear probabilities) the ranker blended."""
    from rasa.core.agent import Agent

    recorded: list[tuple] = []
    original = faq_ranker.blend

    def recording_blend(selector_ranking, linear, selector_weight):  # type: ignore[no-untyped-def]
        recorded.append((selector_ranking, linear))
        return original(selector_ranking, linear, selector_weight)

    faq_ranker.blend = recording_blend  # type: ignore[assignment]
    try:
        agent = Agent.load(str(model))
        out = []
        for text in texts:
            before = len(recorded)
            parse = await agent.parse_message(text)
            out.append((parse, recorded[-1] if len(recorded) > before else None))
        return out
    finally:
        faq_ranker.blend = original  # type: ignore[assignment]


def reblend(inputs: tuple | None, weight: float) -> list[dict]:
    """The two best topics of the ranking the ranker would give at `weight`, as the guard reads them."""
    if inputs is None:
        return []
    selector_ranking, linear = inputs
    return [{"intent_response_key": key, "confidence": confidence} for key, confidence in
            faq_ranker.blend(selector_ranking, linear, weight)[:2]]  # fmt: skip


def of_kind(rows: list[dict], language: str, kind: str) -> list[dict]:
    """The language's rows of one kind of message (evaluate_nlu.message_kind: faq, oos or task)."""
    return [r for r in rows if r["language"] == language and evaluate_nlu.message_kind(r["expected"]) == kind]


def replay(rows: list[dict], min_confidence: float, min_margin: float) -> dict[str, dict[str, float]]:
    """Per language: direct-correct, wrong and clarified shares of FAQ questions; off-topic answered as FAQ.

    Each row's "ranking" and "top" are those of the weight being replayed.
    """
    out = {}
    for language in ("zh", "en"):
        faq = of_kind(rows, language, "faq")
        oos = of_kind(rows, language, "oos")
        counts = {"correct": 0, "wrong": 0, "clarified": 0}
        for r in faq:
            if r["intent"] not in GUARDED:
                continue
            if is_unsure(r["ranking"], min_confidence, min_margin):
                counts["clarified"] += 1
            else:
                counts["correct" if r["top"] == r["expected"] else "wrong"] += 1
        answered_oos = sum(
            r["intent"] in GUARDED and not is_unsure(r["ranking"], min_confidence, min_margin) for r in oos
        )
        out[language] = {
            "direct": round(counts["correct"] / len(faq), 4) if faq else 0.0,
            "wrong": round(counts["wrong"] / len(faq), 4) if faq else 0.0,
            "clarified": round(counts["clarified"] / len(faq), 4) if faq else 0.0,
            "oos_answered": round(answered_oos / len(oos), 4) if oos else 0.0,
        }
    return out


def right_topic_first(rows: list[dict], language: str) -> float:
    """Share of the language's FAQ questions whose right topic the ranking puts first, guard or not."""
    faq = of_kind(rows, language, "faq")
    return round(sum(r["top"] == r["expected"] for r in faq) / len(faq), 4) if faq else 0.0


def task_intent_accuracy(rows: list[dict], language: str) -> float:
    """Share of the language's task-intent messages (neither FAQ nor off-topic) given the right intent."""
    tasks = of_kind(rows, language, "task")
    return round(sum(r["intent"] == r["expected"] for r in tasks) / len(tasks), 4) if tasks else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "bot.tar.gz")
    parser.add_argument("--validation", type=Path, default=ROOT / "tests" / "nlu" / "validation")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--max-wrong", type=float, default=0.03)
    parser.add_argument("--max-oos", type=float, default=0.05)
    args = parser.parse_args()

    evaluate_nlu.quiet()
    pairs = evaluate_nlu.load_heldout(args.validation)
    parses = asyncio.run(parse_recording_blend(args.model, [text for _, text in pairs]))
    base = [
        {
            "expected": expected,
            "intent": (parse.get("intent") or {}).get("name"),
            "inputs": inputs,
            "language": detect_language(normalise(text)) or "zh",
        }
        for (expected, text), (parse, inputs) in zip(pairs, parses, strict=True)
    ]
    grid = []
    first = {}  # per weight and language: FAQ questions whose right topic the blend ranks first
    for weight in WEIGHTS:
        rows = []
        for row in base:
            ranking = reblend(row["inputs"], weight)
            top = str(ranking[0]["intent_response_key"]).removeprefix("faq/") if ranking else ""
            rows.append({**row, "ranking": ranking, "top": f"faq/{top}" if top else ""})
        first[weight] = {language: right_topic_first(rows, language) for language in ("zh", "en")}
        for confidence in CONFIDENCES:
            for margin in MARGINS:
                result = replay(rows, confidence, margin)
                allowed = all(
                    r["wrong"] <= args.max_wrong and r["oos_answered"] <= args.max_oos for r in result.values()
                )
                score = min(r["direct"] for r in result.values())
                grid.append({"selector_weight": weight, "min_confidence": confidence, "min_margin": margin,
                             "allowed": allowed, "score": score, "by_language": result})  # fmt: skip
    allowed = [g for g in grid if g["allowed"]]
    # Best worst-language direct accuracy; ties go to the stricter (higher) thresholds, then to
    # the larger selector weight (the plainer model).
    key = lambda g: (g["score"], g["min_confidence"], g["min_margin"], g["selector_weight"])  # noqa: E731
    best = max(allowed, key=key) if allowed else None
    args.out.mkdir(parents=True, exist_ok=True)
    tasks = {language: task_intent_accuracy(base, language) for language in ("zh", "en")}
    messages = {
        language: {kind: len(of_kind(base, language, kind)) for kind in ("faq", "oos", "task")}
        for language in ("zh", "en")
    }
    (args.out / "faq_guard_tuning.json").write_text(
        json.dumps(
            {"best": best, "messages": messages, "right_topic_first": first, "task_intents": tasks, "grid": grid},
            indent=1,
        )  # fmt: skip
    )

    def row(g: dict) -> str:
        zh, en = g["by_language"]["zh"], g["by_language"]["en"]
        return (
            f"| {g['selector_weight']} | {g['min_confidence']} | {g['min_margin']} | {'yes' if g['allowed'] else 'no'} "
            f"| {zh['direct']:.1%} / {zh['wrong']:.1%} / {zh['clarified']:.1%} "
            f"| {en['direct']:.1%} / {en['wrong']:.1%} / {en['clarified']:.1%} "
            f"| {zh['oos_answered']:.1%} / {en['oos_answered']:.1%} |"
        )

    header = [
        "| selector_weight | min_confidence | min_margin | allowed | zh direct / wrong / clarified "
        "| en direct / wrong / clarified | off-topic answered zh / en |",
        "|---|---|---|---|---|---|---|",
    ]
    lines = [
        "# FAQ ranker weight and guard thresholds on the validation split",
        "",
        f"Validation messages: FAQ {messages['zh']['faq']} zh / {messages['en']['faq']} en, "
        f"off-topic {messages['zh']['oos']} zh / {messages['en']['oos']} en, "
        f"task intents {messages['zh']['task']} zh / {messages['en']['task']} en.",
        f"Task intents right (DIET and the rules after it; the weight and the guard do not change them): "
        f"{tasks['zh']:.1%} zh / {tasks['en']:.1%} en.",
        f"Constraints per language: wrong answers <= {args.max_wrong:.0%}, off-topic answered <= {args.max_oos:.0%}.",
        "",
        "## The best allowed thresholds for each weight",
        "",
        *header,
    ]
    for weight in WEIGHTS:
        mine = [g for g in allowed if g["selector_weight"] == weight]
        if mine:
            lines.append(row(max(mine, key=key)))
    lines += [
        "",
        "## Right topic ranked first (before the guard), FAQ questions",
        "",
        "| selector_weight | zh | en |",
        "|---|---|---|",
        *(f"| {w} | {first[w]['zh']:.1%} | {first[w]['en']:.1%} |" for w in WEIGHTS),
    ]
    lines += ["", "## Every combination", "", *header, *(row(g) for g in grid)]
    (args.out / "faq_guard_tuning.md").write_text("\n".join(lines) + "\n")
    if best is None:
        print("no weight and thresholds meet the constraints on the validation split")
        return 1
    print(
        f"best: selector_weight {best['selector_weight']}, min_confidence {best['min_confidence']}, "
        f"min_margin {best['min_margin']}: {best['by_language']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
