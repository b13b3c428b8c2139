"""The tuner's replay of the guard, the fallback and explicit requests (scripts/tune_faq_guard.py)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "tune_faq_guard", Path(__file__).resolve().parents[2] / "scripts" / "tune_faq_guard.py"
)
tune = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(tune)  # type: ignore[union-attr]

LOOSE = {"min_confidence": 0.5, "min_margin": 0.2, "max_off_topic_ratio": 1.0}


def row(expected: str, intents: list[tuple[str, float]], topics=(("faq/b", 0.65), ("faq/a", 0.35)), **extra) -> dict:
    return {
        "expected": expected,
        "language": "en",
        "ranking": [{"name": n, "confidence": c} for n, c in intents],
        "topics": [{"intent_response_key": k, "confidence": c} for k, c in topics],
        "explicit": None,
        **extra,
    }


def test_the_guard_the_fallback_and_an_explicit_request_decide_as_the_pipeline_does():
    faq = row("faq/b", [("faq", 0.6), ("out_of_scope", 0.3), ("greet", 0.1)])
    assert tune.decide(faq, LOOSE, 0.0) == "faq"
    assert tune.decide(faq, {**LOOSE, "min_margin": 0.35}, 0.0) == "faq_unsure"
    assert tune.decide(faq, {**LOOSE, "max_off_topic_ratio": 0.5}, 0.0) == "nlu_fallback"
    assert tune.decide(faq, LOOSE, 0.7) == "nlu_fallback"
    tie = row("greet", [("greet", 0.45), ("goodbye", 0.4)])
    assert tune.decide(tie, LOOSE, 0.0) == "nlu_fallback"  # within the ambiguity threshold
    assert tune.decide({**faq, "explicit": "complain"}, LOOSE, 0.9) == "complain"


def test_replay_counts_direct_wrong_and_answered_off_topic_as_the_evaluation_does():
    rows = [
        row("faq/b", [("faq", 0.9), ("greet", 0.1)]),
        row("faq/a", [("faq", 0.9), ("greet", 0.1)]),
        row("out_of_scope", [("faq", 0.6), ("out_of_scope", 0.4)]),
        row("check_coverage", [("check_coverage", 0.8), ("faq", 0.2)]),
    ]
    loose = tune.replay(rows, LOOSE, 0.0)["en"]
    assert (loose["faq_direct_answer_accuracy"], loose["faq_wrong_answer_rate"]) == (0.5, 0.5)
    assert (loose["oos_answered_as_faq_rate"], loose["task_intent_accuracy"]) == (1.0, 1.0)
    strict = tune.replay(rows, {**LOOSE, "max_off_topic_ratio": 0.5}, 0.0)["en"]
    assert (strict["oos_answered_as_faq_rate"], strict["oos_declined_rate"]) == (0.0, 1.0)


def test_the_search_keeps_the_constraints_in_each_language():
    rows = [
        row("faq/b", [("faq", 0.9), ("greet", 0.1)]),
        row("faq/a", [("faq", 0.9), ("greet", 0.1)], topics=(("faq/b", 0.55), ("faq/a", 0.45))),
        row("out_of_scope", [("faq", 0.6), ("out_of_scope", 0.4)]),
    ]
    best = tune.search(rows + [{**r, "language": "zh"} for r in rows], max_wrong=0.0, max_oos=0.0)
    for chosen in best["languages"].values():
        summary = chosen["summary"]
        assert summary["faq_wrong_answer_rate"] == 0.0 and summary["oos_answered_as_faq_rate"] == 0.0
        assert summary["faq_direct_answer_accuracy"] == 0.5  # the clear one answered, the close wrong one asked


def test_right_topic_first_ignores_the_guard_and_off_topic_messages():
    rows = [row("faq/b", [("faq", 0.9)]), row("faq/a", [("faq", 0.9)]), row("out_of_scope", [("faq", 0.9)])]
    assert tune.right_topic_first(rows, "en") == 0.5
    assert tune.right_topic_first(rows, "zh") == 0.0
