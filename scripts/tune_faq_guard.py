"""Chooses the FAQ guard's thresholds on the validation split, never on the held-out set.

The guard (bot/nlu/faq_guard.py) answers an FAQ directly only when the
ResponseSelector's best topic has at least `min_confidence` and leads the second
by at least `min_margin`; otherwise the bot asks "Did you mean ...?". This script
parses the validation messages (tests/nlu/validation/) once with the trained model,
replays the guard's decision for every pair of thresholds on a grid, and picks the
pair that answers most FAQ questions directly and correctly (the worse of the two
languages counts) while, in each language, at most --max-wrong of FAQ questions get
a wrong answer and at most --max-oos of off-topic messages get an FAQ answer.
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

from bot.nlu.faq_guard import is_unsure  # noqa: E402
from bot.nlu.text import detect_language, normalise  # noqa: E402

GUARDED = {"faq", "faq_unsure"}
CONFIDENCES = [round(0.20 + 0.05 * i, 2) for i in range(15)]  # 0.20 .. 0.90
MARGINS = [round(0.00 + 0.05 * i, 2) for i in range(7)]  # 0.00 .. 0.30


def topic_ranking(parse: dict) -> list[dict]:
    return ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []


def replay(rows: list[dict], min_confidence: float, min_margin: float) -> dict[str, dict[str, float]]:
    """Per language: direct-correct, wrong and clarified shares of FAQ questions; off-topic answered as FAQ."""
    out = {}
    for language in ("zh", "en"):
        faq = [r for r in rows if r["language"] == language and r["expected"].startswith("faq/")]
        oos = [r for r in rows if r["language"] == language and r["expected"] == "out_of_scope"]
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
    parses = asyncio.run(evaluate_nlu.parse_all(args.model, [text for _, text in pairs]))
    rows = []
    for (expected, text), parse in zip(pairs, parses, strict=True):
        ranking = topic_ranking(parse)
        rows.append(
            {
                "expected": expected,
                "intent": (parse.get("intent") or {}).get("name"),
                "ranking": ranking[:2],
                "top": f"faq/{str(ranking[0].get('intent_response_key', '')).removeprefix('faq/')}" if ranking else "",
                "language": detect_language(normalise(text)) or "zh",
            }
        )
    grid = []
    for confidence in CONFIDENCES:
        for margin in MARGINS:
            result = replay(rows, confidence, margin)
            allowed = all(r["wrong"] <= args.max_wrong and r["oos_answered"] <= args.max_oos for r in result.values())
            score = min(r["direct"] for r in result.values())
            grid.append({"min_confidence": confidence, "min_margin": margin, "allowed": allowed, "score": score,
                         "by_language": result})  # fmt: skip
    allowed = [g for g in grid if g["allowed"]]
    # Best worst-language direct accuracy; ties go to the stricter (higher) thresholds.
    best = max(allowed, key=lambda g: (g["score"], g["min_confidence"], g["min_margin"])) if allowed else None
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "faq_guard_tuning.json").write_text(json.dumps({"best": best, "grid": grid}, indent=1))
    lines = [
        "# FAQ guard thresholds on the validation split",
        "",
        f"Constraints per language: wrong answers <= {args.max_wrong:.0%}, off-topic answered <= {args.max_oos:.0%}.",
        "",
        "| min_confidence | min_margin | allowed | zh direct / wrong / clarified | en direct / wrong / clarified "
        "| off-topic answered zh / en |",
        "|---|---|---|---|---|---|",
    ]
    for g in grid:
        zh, en = g["by_language"]["zh"], g["by_language"]["en"]
        lines.append(
            f"| {g['min_confidence']} | {g['min_margin']} | {'yes' if g['allowed'] else 'no'} "
            f"| {zh['direct']:.1%} / {zh['wrong']:.1%} / {zh['clarified']:.1%} "
            f"| {en['direct']:.1%} / {en['wrong']:.1%} / {en['clarified']:.1%} "
            f"| {zh['oos_answered']:.1%} / {en['oos_answered']:.1%} |"
        )
    (args.out / "faq_guard_tuning.md").write_text("\n".join(lines) + "\n")
    if best is None:
        print("no thresholds meet the constraints on the validation split")
        return 1
    print(f"best: min_confidence {best['min_confidence']}, min_margin {best['min_margin']}: {best['by_language']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
