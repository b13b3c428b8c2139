"""The held-out quality gate of scripts/evaluate_nlu.py on hand-made outcomes (server environment)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "evaluate_nlu", Path(__file__).resolve().parents[2] / "scripts" / "evaluate_nlu.py"
)
evaluate_nlu = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(evaluate_nlu)  # type: ignore[union-attr]


def parse(intent: str, *keys: str) -> dict:
    ranking = [{"intent_response_key": f"faq/{k}", "confidence": 0.5} for k in keys]
    return {"intent": {"name": intent}, "response_selector": {"faq": {"ranking": ranking}}}


def rows(outcomes: list[tuple[str, dict]], language: str = "en") -> list[dict]:
    out = []
    for expected, p in outcomes:
        kind, predicted = evaluate_nlu.outcome(expected, p)
        out.append({"text": "", "expected": expected, "predicted": predicted, "kind": kind, "language": language})
    return out


def test_outcomes_name_what_the_user_got():
    assert evaluate_nlu.outcome("faq/a", parse("faq", "a", "b"))[0] == "correct"
    assert evaluate_nlu.outcome("faq/a", parse("faq", "b", "a"))[0] == "wrong_answer"
    assert evaluate_nlu.outcome("faq/a", parse("faq_unsure", "b", "a"))[0] == "clarified_hit"
    assert evaluate_nlu.outcome("faq/a", parse("faq_unsure", "b", "c"))[0] == "clarified_miss"
    assert evaluate_nlu.outcome("out_of_scope", parse("faq", "a"))[0] == "answered_faq"
    assert evaluate_nlu.outcome("out_of_scope", parse("nlu_fallback"))[0] == "declined"


def test_clarifications_count_as_answers_but_not_as_direct_ones():
    summary = evaluate_nlu.summarise(
        rows([("faq/a", parse("faq", "a"))] * 8 + [("faq/a", parse("faq_unsure", "b", "a"))] * 2)
    )
    en = summary["by_language"]["en"]
    assert en["faq_answer_accuracy"] == 1.0
    assert en["faq_direct_answer_accuracy"] == 0.8
    assert evaluate_nlu.gate(summary, 0.9, 0.1, 0.05, min_direct=0.8) == []
    assert evaluate_nlu.gate(summary, 0.9, 0.1, 0.05, min_direct=0.85) == [
        "en: FAQ answered directly and right 80.0% < 85%"
    ]


def test_wrong_answers_and_answered_off_topic_messages_fail_the_gate():
    summary = evaluate_nlu.summarise(
        rows(
            [("faq/a", parse("faq", "a"))] * 9 + [("faq/a", parse("faq", "b"))] + [("out_of_scope", parse("faq", "a"))]
        )
    )
    failures = evaluate_nlu.gate(summary, 0.9, 0.1, 0.05)
    assert any("wrong FAQ answers 10.0%" in f for f in failures)
    assert any("100.0% of out-of-scope messages got an FAQ answer" in f for f in failures)
