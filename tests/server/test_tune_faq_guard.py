"""The tuner's replay of the ranker's blend and the guard (scripts/tune_faq_guard.py), on hand-made inputs."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "tune_faq_guard", Path(__file__).resolve().parents[2] / "scripts" / "tune_faq_guard.py"
)
tune = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(tune)  # type: ignore[union-attr]

# The selector prefers topic a a little; the linear model prefers b strongly.
INPUTS = (
    [{"intent_response_key": "faq/a", "confidence": 0.6}, {"intent_response_key": "faq/b", "confidence": 0.4}],
    {"faq/a": 0.1, "faq/b": 0.9},
)


def test_reblend_follows_the_weight():
    assert [r["intent_response_key"] for r in tune.reblend(INPUTS, 1.0)] == ["faq/a", "faq/b"]
    assert [r["intent_response_key"] for r in tune.reblend(INPUTS, 0.3)] == ["faq/b", "faq/a"]
    best, second = tune.reblend(INPUTS, 0.5)
    assert (best["intent_response_key"], round(best["confidence"], 2), round(second["confidence"], 2)) == (
        "faq/b",
        0.65,
        0.35,
    )
    assert tune.reblend(None, 0.5) == []


def row(expected: str, weight: float, intent: str = "faq", language: str = "en") -> dict:
    ranking = tune.reblend(INPUTS, weight)
    return {"expected": expected, "intent": intent, "language": language, "ranking": ranking,
            "top": ranking[0]["intent_response_key"]}  # fmt: skip


def test_replay_counts_direct_wrong_clarified_and_answered_off_topic():
    rows = [row("faq/b", 0.5), row("faq/a", 0.5), row("out_of_scope", 0.5), row("out_of_scope", 0.5, "nlu_fallback")]
    loose = tune.replay(rows, 0.5, 0.2)["en"]
    assert (loose["direct"], loose["wrong"], loose["clarified"], loose["oos_answered"]) == (0.5, 0.5, 0.0, 0.5)
    # A margin the 0.65 / 0.35 ranking does not reach: every FAQ question gets "Did you mean".
    strict = tune.replay(rows, 0.5, 0.35)["en"]
    assert (strict["direct"], strict["wrong"], strict["clarified"], strict["oos_answered"]) == (0.0, 0.0, 1.0, 0.0)


def test_right_topic_first_ignores_the_guard_and_off_topic_messages():
    rows = [row("faq/b", 0.5, "faq_unsure"), row("faq/a", 0.5), row("out_of_scope", 0.5)]
    assert tune.right_topic_first(rows, "en") == 0.5
    assert tune.right_topic_first(rows, "zh") == 0.0


def test_task_intent_accuracy_counts_only_task_messages():
    rows = [row("check_coverage", 0.5, "check_coverage"), row("complain", 0.5, "request_human"), row("faq/a", 0.5)]
    assert tune.task_intent_accuracy(rows, "en") == 0.5
