"""Checks that catch curation mistakes `rasa data validate` misses.

Each problem names the topic and the file at fault, so a curator can fix it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import opencc

from bot.faq.catalogue import LANGUAGES, RETRIEVAL_INTENT, Topic, load_heldout, load_nlu_file, load_topic
from bot.settings import ROOT

# The stable topic keys that curators, statistics and evaluations refer to (issue #3).
REQUIRED_TOPICS = (
    "coverage_check_area coverage_shows_4g coverage_weak_indoor coverage_slow_speed coverage_sa_nsa "
    "coverage_rollout coverage_network_sharing handset_check_support handset_sim_card handset_enable_5g "
    "handset_battery handset_dual_sim handset_voice_calls handset_early_models handset_imported "
    "handset_upgrade_support handset_network_licence plan_need_5g_plan plan_5g_plan_4g_phone plan_change "
    "plan_downgrade plan_contract_period plan_early_termination plan_throttling plan_number_portability "
    "plan_unexpected_charges rights_unauthorized_change rights_misleading_marketing complaint_process "
    "complaint_deadline complaint_appeal service_hotlines privacy_personal_data"
).split()

MIN_EXAMPLES = {"zh": 15, "en": 10}
MIN_HELDOUT = {"zh": 5, "en": 5}
# "About 150 Chinese characters or 90 English words": a phone screen, with some slack.
MAX_ZH_CHARS = 170
MAX_EN_WORDS = 100
DEFAULT_MAX_REVIEW_AGE_DAYS = 365
HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Problem:
    topic: str
    path: Path
    message: str

    def __str__(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}: [{self.topic}] {self.message}"


def language_of(example: str) -> str:
    return "zh" if HAN.search(example) else "en"


_t2s = opencc.OpenCC("t2s")


def canonical(example: str) -> str:
    """What the NLU pipeline sees, folded further: two examples equal here are duplicates."""
    return re.sub(r"[\s\W_]+", "", _t2s.convert(example).lower())


def check_topic(topic: Topic, today: dt.date, max_review_age_days: int) -> Iterable[str]:
    yield from topic.problems
    for language in LANGUAGES:
        if not topic.answers.get(language, "").strip():
            yield f"the answer in {language!r} is missing"
    for (language, deployment), text in topic.variants.items():
        answer = text.strip()
        which = f"the {language} answer" + (f" ({deployment} deployment)" if deployment else "")
        if language == "zh" and len(HAN.findall(answer)) > MAX_ZH_CHARS:
            yield f"{which} has {len(HAN.findall(answer))} Chinese characters (limit {MAX_ZH_CHARS})"
        elif language == "en" and len(answer.split()) > MAX_EN_WORDS:
            yield f"{which} has {len(answer.split())} words (limit {MAX_EN_WORDS})"
    for language in LANGUAGES:
        if not topic.titles.get(language):
            yield f"metadata.title.{language} is missing"
        count = sum(language_of(e) == language for e in topic.examples)
        if count < MIN_EXAMPLES[language]:
            yield f"{count} {language} examples, at least {MIN_EXAMPLES[language]} needed"
    if not topic.sources:
        yield "metadata.sources is missing: name where the answer's facts come from"
    else:
        yield from _source_problems(topic.sources)
    if topic.reviewed is None:
        yield "metadata.reviewed is missing or not a date (YYYY-MM-DD)"
    elif (today - topic.reviewed).days > max_review_age_days:
        yield f"last reviewed {topic.reviewed}, more than {max_review_age_days} days ago: review it"
    elif topic.reviewed > today:
        yield f"review date {topic.reviewed} is in the future"


# Notes a reviewer cannot open: the team's curation aid and the bot's own behaviour. They may stand
# beside primary sources (a document with issuer and number or date, a URL where one exists), never alone.
INTERNAL_SOURCE = re.compile(r"5g-consumer-facts|shared/domain|^\s*Product facts of this bot|\binternal\b", re.I)
# A primary source says when it was issued (a year), its number, or where to read it.
DATED_OR_LINKED = re.compile(r"\b(19|20)\d{2}\b|https?://|〔\d{4}〕|No\.\s*\d+|第\d+号")


def _source_problems(sources: list[str]) -> Iterable[str]:
    primary = [s for s in sources if not INTERNAL_SOURCE.search(s)]
    if not primary:
        yield "metadata.sources are internal notes only: cite the primary source a reviewer can open"
    for source in primary:
        if not DATED_OR_LINKED.search(source):
            yield f"source {source!r} gives no date, number or URL: say which document, issued when, and where"


def check_curation(
    faq_dir: Path,
    heldout_dir: Path,
    today: dt.date | None = None,
    max_review_age_days: int = DEFAULT_MAX_REVIEW_AGE_DAYS,
    required: Iterable[str] = REQUIRED_TOPICS,
    other_training: Iterable[Path] = (),
    validation_dir: Path | None = None,
) -> list[Problem]:
    today = today or dt.date.today()
    topics = {t.key: t for t in map(load_topic, sorted(faq_dir.glob("*.yml")))}
    problems = [
        Problem(key, faq_dir / f"{key}.yml", "required topic has no file") for key in required if key not in topics
    ]
    seen: dict[str, list[str]] = defaultdict(list)
    for topic in topics.values():
        problems += [Problem(topic.key, topic.path, m) for m in check_topic(topic, today, max_review_age_days)]
        for example in topic.examples:
            seen[canonical(example)].append(topic.key)
    for topic in topics.values():
        for example in topic.examples:
            owners = seen[canonical(example)]
            if len(owners) > 1 and owners[0] == topic.key:
                problems.append(
                    Problem(
                        topic.key, topic.path, f"example {example!r} is listed {len(owners)} times: {sorted(owners)}"
                    )
                )
                seen[canonical(example)] = [""]
    trained = set(seen)
    for path in other_training:
        for examples in load_nlu_file(path).values():
            trained.update(canonical(e) for e in examples)
    problems += _check_heldout(topics, heldout_dir, trained)
    if validation_dir is not None:
        problems += _check_validation(validation_dir, heldout_dir, trained)
    return problems


def _check_validation(validation_dir: Path, heldout_dir: Path, trained: set[str]) -> list[Problem]:
    """The validation split shares no example with the training data or the held-out set."""
    heldout = {canonical(e) for path in heldout_dir.glob("*.yml") for es in load_nlu_file(path).values() for e in es}
    problems = []
    for path in sorted(validation_dir.glob("*.yml")):
        for intent, examples in load_nlu_file(path).items():
            for example in examples:
                if canonical(example) in trained:
                    problems.append(Problem(intent, path, f"validation example {example!r} is also a training example"))
                elif canonical(example) in heldout:
                    problems.append(Problem(intent, path, f"validation example {example!r} is also a held-out example"))
    return problems


def _check_heldout(topics: dict[str, Topic], heldout_dir: Path, trained: set[str]) -> list[Problem]:
    """Enough held-out examples per topic and language, and none of them trained (any intent)."""
    problems = []
    for path in sorted(heldout_dir.glob("*.yml")):
        for intent, examples in load_nlu_file(path).items():
            problems += [
                Problem(intent, path, f"held-out example {e!r} is also a training example")
                for e in examples
                if canonical(e) in trained
            ]
    heldout = load_heldout(heldout_dir)
    for key in topics:
        examples = heldout.get(f"{RETRIEVAL_INTENT}/{key}", [])
        path = heldout_dir / f"faq_{key}.yml"
        for language in LANGUAGES:
            count = sum(language_of(e) == language for e in examples)
            if count < MIN_HELDOUT[language]:
                problems.append(
                    Problem(key, path, f"{count} held-out {language} examples, at least {MIN_HELDOUT[language]} needed")
                )
        for example in examples:
            if canonical(example) in trained:
                problems.append(Problem(key, path, f"held-out example {example!r} is also a training example"))
    return problems
