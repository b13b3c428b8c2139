"""Shared fixtures: the project's domain as the action server receives it, and trackers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parent.parent


def load_domain() -> dict[str, Any]:
    """Domain files plus the responses kept in training data, merged as Rasa merges them."""
    domain: dict[str, Any] = {"responses": {}, "intents": [], "slots": {}, "forms": {}}
    for path in sorted([*(ROOT / "domain").glob("*.yml"), *(ROOT / "data").rglob("*.yml")]):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        domain["responses"].update(data.get("responses") or {})
        if path.is_relative_to(ROOT / "domain"):
            domain["intents"] += data.get("intents") or []
            domain["slots"].update(data.get("slots") or {})
            domain["forms"].update(data.get("forms") or {})
    return domain


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


def make_tracker(
    slots: dict[str, Any] | None = None,
    latest_message: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "test-user",
    paused: bool = False,
) -> Tracker:
    return Tracker(
        sender_id=sender_id,
        slots={"language": "zh", **(slots or {})},
        latest_message=latest_message or {},
        events=events or [],
        paused=paused,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
