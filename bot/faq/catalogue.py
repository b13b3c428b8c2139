"""Reads the curated FAQ topic files (data/faq/<key>.yml).

Each file holds one topic: its examples, its answer in both languages, and its
metadata (title per language, sources, review date). These files are Rasa
training data and the single place a curator edits a topic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT

FAQ_DIR = ROOT / "data" / "faq"
HELDOUT_DIR = ROOT / "tests" / "nlu" / "heldout"
# Tunes thresholds and finds weak topics; like the held-out set, never trained on.
VALIDATION_DIR = ROOT / "tests" / "nlu" / "validation"
RETRIEVAL_INTENT = "faq"
LANGUAGES = ("zh", "en")
# Values of the `deployment` slot (bot/complaints/scope.py) an answer variation may be conditioned on.
DEPLOYMENTS = ("operator", "neutral")
EXAMPLE_LINE = re.compile(r"^\s*-\s+(.*\S)\s*$")


@dataclass
class Topic:
    key: str
    path: Path
    titles: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    reviewed: dt.date | None = None
    examples: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    # Every variation by (language, deployment): deployment is "" unless the answer differs between an
    # operator's deployment ("operator") and a neutral one ("neutral"), e.g. whose complaint a ticket is.
    variants: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("zh") or self.key


def parse_examples(block: str | None) -> list[str]:
    return [m.group(1) for line in (block or "").splitlines() if (m := EXAMPLE_LINE.match(line))]


def _answers(responses: dict[str, Any], key: str) -> tuple[dict[tuple[str, str], str], list[str]]:
    variants: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for variation in responses.get(f"utter_{RETRIEVAL_INTENT}/{key}") or []:
        conditions = variation.get("condition") or []
        languages = [c.get("value") for c in conditions if c.get("name") == "language"]
        deployments = [str(c.get("value")) for c in conditions if c.get("name") == "deployment"]
        if len(languages) != 1 or languages[0] not in LANGUAGES:
            problems.append("an answer variation has no language condition (zh or en)")
            continue
        if deployments and deployments[0] not in DEPLOYMENTS:
            problems.append(f"an answer variation has an unknown deployment condition {deployments[0]!r}")
            continue
        variants[(languages[0], deployments[0] if deployments else "")] = str(variation.get("text") or "")
    conditioned = {d for _, d in variants}
    if len(conditioned) > 1 and "" in conditioned:
        problems.append("mix of answer variations with and without a deployment condition")
    for deployment in conditioned:
        for language in LANGUAGES:
            if (language, deployment) not in variants and deployment:
                problems.append(f"the {deployment!r} deployment's answer in {language!r} is missing")
    return variants, problems


def _reviewed(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def load_topic(path: Path) -> Topic:
    """One topic file; what cannot be read is recorded in `problems`, not raised."""
    topic = Topic(key=path.stem, path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        topic.problems.append(f"not valid YAML: {error}")
        return topic
    items = [i for i in data.get("nlu") or [] if str(i.get("intent", "")).startswith(f"{RETRIEVAL_INTENT}/")]
    if len(items) != 1:
        topic.problems.append(f"expected exactly one 'intent: {RETRIEVAL_INTENT}/<key>' item, found {len(items)}")
    for item in items:
        key = str(item["intent"]).split("/", 1)[1]
        if key != topic.key:
            topic.problems.append(f"intent key {key!r} differs from the file name {topic.key!r}")
        meta = item.get("metadata") or {}
        topic.titles = {k: str(v) for k, v in (meta.get("title") or {}).items()}
        topic.sources = [str(s) for s in meta.get("sources") or [] if str(s).strip()]
        topic.reviewed = _reviewed(meta.get("reviewed"))
        topic.examples = parse_examples(item.get("examples"))
    topic.variants, problems = _answers(data.get("responses") or {}, topic.key)
    for (language, _), text in topic.variants.items():
        topic.answers.setdefault(language, text)
    topic.problems.extend(problems)
    return topic


@lru_cache(maxsize=1)
def load_topics(directory: Path = FAQ_DIR) -> dict[str, Topic]:
    """All topics by key (cached: the files change only with a new deployment)."""
    return {topic.key: topic for topic in map(load_topic, sorted(directory.glob("*.yml")))}


def load_nlu_file(path: Path) -> dict[str, list[str]]:
    """The examples of one Rasa NLU file (training or held-out) by intent name, e.g. 'faq/plan_change'."""
    examples: dict[str, list[str]] = {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for item in data.get("nlu") or []:
        if "intent" in item:
            examples.setdefault(str(item["intent"]), []).extend(parse_examples(item.get("examples")))
    return examples


def load_heldout(directory: Path = HELDOUT_DIR) -> dict[str, list[str]]:
    """Held-out examples of every file in `directory`, by intent name."""
    examples: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        for intent, found in load_nlu_file(path).items():
            examples.setdefault(intent, []).extend(found)
    return examples
