"""The curation checks name the topic and file at fault; the shipped FAQ passes them."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.faq.catalogue import FAQ_DIR, HELDOUT_DIR
from bot.faq.checks import REQUIRED_TOPICS, check_curation

TODAY = dt.date(2026, 12, 7)
KEY = "plan_change"


@pytest.fixture
def dirs(tmp_path):
    faq, heldout = tmp_path / "faq", tmp_path / "heldout"
    faq.mkdir()
    heldout.mkdir()
    shutil.copy(FAQ_DIR / f"{KEY}.yml", faq)
    shutil.copy(HELDOUT_DIR / f"faq_{KEY}.yml", heldout)
    return faq, heldout


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems(dirs, **kwargs):
    faq, heldout = dirs
    return [str(p) for p in check_curation(faq, heldout, today=TODAY, required=[KEY], **kwargs)]


def test_the_shipped_faq_has_every_required_topic_and_no_problem():
    assert check_curation(FAQ_DIR, HELDOUT_DIR) == []
    assert {p.stem for p in FAQ_DIR.glob("*.yml")} >= set(REQUIRED_TOPICS)


def test_a_clean_topic_passes(dirs):
    assert problems(dirs) == []


def test_a_missing_required_topic_is_reported(dirs):
    faq, heldout = dirs
    found = [str(p) for p in check_curation(faq, heldout, today=TODAY, required=[KEY, "plan_throttling"])]
    assert any("[plan_throttling] required topic has no file" in p for p in found)


def test_an_answer_missing_a_language_names_topic_and_file(dirs):
    edit(dirs[0] / f"{KEY}.yml", lambda d: d["responses"][f"utter_faq/{KEY}"].pop(1))
    [problem] = problems(dirs)
    assert problem.endswith(f"faq/{KEY}.yml: [{KEY}] the answer in 'en' is missing") or "'en' is missing" in problem
    assert f"{KEY}.yml" in problem


def test_a_topic_without_any_answer_is_reported(dirs):
    edit(dirs[0] / f"{KEY}.yml", lambda d: d.pop("responses"))
    found = problems(dirs)
    assert any("'zh' is missing" in p for p in found) and any("'en' is missing" in p for p in found)


def test_missing_sources_and_review_date_are_reported(dirs):
    def strip(d):
        d["nlu"][0]["metadata"].pop("sources")
        d["nlu"][0]["metadata"].pop("reviewed")

    edit(dirs[0] / f"{KEY}.yml", strip)
    found = problems(dirs)
    assert any("metadata.sources is missing" in p for p in found)
    assert any("metadata.reviewed is missing" in p for p in found)


def set_sources(*sources):
    return lambda d: d["nlu"][0]["metadata"].update(sources=list(sources))


@pytest.mark.parametrize(
    "sources",
    [
        ["shared/domain/5g-consumer-facts.md, Plans"],
        ["../shared/domain/5g-consumer-facts.md (2026)", "Product facts of this bot: tickets"],
        ["internal review notes, 2026"],
    ],
)
def test_a_topic_citing_only_internal_notes_is_reported(dirs, sources):
    edit(dirs[0] / f"{KEY}.yml", set_sources(*sources))
    [problem] = problems(dirs)
    assert f"[{KEY}] metadata.sources are internal notes only" in problem


def test_a_primary_source_without_date_number_or_url_is_reported(dirs):
    edit(dirs[0] / f"{KEY}.yml", set_sources("MIIT notice on plans", "Product facts of this bot: tickets"))
    [problem] = problems(dirs)
    assert "'MIIT notice on plans' gives no date, number or URL" in problem


def test_internal_notes_may_stand_beside_a_primary_source(dirs):
    edit(
        dirs[0] / f"{KEY}.yml",
        set_sources("MIIT Order No. 35 (2016)", "shared/domain/5g-consumer-facts.md", "Product facts of this bot"),
    )
    assert problems(dirs) == []


def test_an_operator_deployment_answer_without_its_neutral_twin_in_each_language_is_reported(dirs):
    def split(d):
        zh, en = d["responses"][f"utter_faq/{KEY}"]
        operator = [{"type": "slot", "name": "deployment", "value": "operator"}]
        zh["condition"] += operator
        en["condition"] += operator
        neutral_condition = [{"type": "slot", "name": "deployment", "value": "neutral"}]
        neutral = {**zh, "condition": zh["condition"][:1] + neutral_condition}
        d["responses"][f"utter_faq/{KEY}"] = [zh, en, neutral]

    edit(dirs[0] / f"{KEY}.yml", split)
    assert any("the 'neutral' deployment's answer in 'en' is missing" in p for p in problems(dirs))


def test_a_stale_review_is_reported(dirs):
    found = [str(p) for p in check_curation(*dirs, today=TODAY + dt.timedelta(days=400), required=[KEY])]
    assert any("more than 365 days ago" in p for p in found)
    assert problems(dirs, max_review_age_days=400) == []


def test_the_same_example_under_two_topics_is_reported(dirs):
    faq, _ = dirs
    other = faq / "plan_twin.yml"
    shutil.copy(faq / f"{KEY}.yml", other)
    edit(other, lambda d: d["nlu"][0].update(intent="faq/plan_twin"))
    edit(other, lambda d: d.update(responses={"utter_faq/plan_twin": d["responses"][f"utter_faq/{KEY}"]}))
    found = problems(dirs)
    assert any("is listed 2 times" in p and "plan_twin" in p for p in found)


def test_a_traditional_copy_counts_as_the_same_example(dirs):
    path = dirs[0] / f"{KEY}.yml"
    edit(path, lambda d: d["nlu"][0].update(examples=d["nlu"][0]["examples"] + "- 怎麼改套餐\n- 怎么改套餐\n"))
    assert any("is listed 2 times" in p for p in problems(dirs))


def test_a_held_out_example_that_is_also_trained_is_reported(dirs):
    faq, heldout = dirs
    trained = yaml.safe_load((faq / f"{KEY}.yml").read_text())["nlu"][0]["examples"].splitlines()[0]
    edit(heldout / f"faq_{KEY}.yml", lambda d: d["nlu"][0].update(examples=d["nlu"][0]["examples"] + trained + "\n"))
    assert any("is also a training example" in p for p in problems(dirs))


def test_a_held_out_message_of_another_intent_that_is_also_trained_is_reported(dirs, tmp_path):
    faq, heldout = dirs
    nlu = tmp_path / "nlu.yml"
    nlu.write_text('version: "3.1"\nnlu:\n- intent: out_of_scope\n  examples: |\n    - 帮我订机票\n', encoding="utf-8")
    (heldout / "out_of_scope.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: out_of_scope\n  examples: |\n    - 幫我訂機票\n', encoding="utf-8"
    )
    found = [str(p) for p in check_curation(faq, heldout, today=TODAY, required=[KEY], other_training=[nlu])]
    assert any("[out_of_scope] held-out example '幫我訂機票' is also a training example" in p for p in found)


def test_the_shipped_validation_split_shares_nothing_with_training_or_held_out():
    from bot.faq.catalogue import VALIDATION_DIR

    assert sorted(VALIDATION_DIR.glob("faq_*.yml")), "the validation split is missing"
    assert check_curation(FAQ_DIR, HELDOUT_DIR, validation_dir=VALIDATION_DIR) == []


def test_a_validation_example_that_is_trained_or_held_out_is_reported(dirs, tmp_path):
    faq, heldout = dirs
    validation = tmp_path / "validation"
    validation.mkdir()
    trained = yaml.safe_load((faq / f"{KEY}.yml").read_text())["nlu"][0]["examples"].splitlines()[0][2:]
    held = yaml.safe_load((heldout / f"faq_{KEY}.yml").read_text())["nlu"][0]["examples"].splitlines()[0][2:]
    (validation / f"faq_{KEY}.yml").write_text(
        f'version: "3.1"\nnlu:\n- intent: faq/{KEY}\n  examples: |\n    - {trained}\n    - {held}\n', encoding="utf-8"
    )
    found = problems(dirs, validation_dir=validation)
    assert any(f"validation example {trained!r} is also a training example" in p for p in found)
    assert any(f"validation example {held!r} is also a held-out example" in p for p in found)
