"""Which language to answer in, and picking a response variation by language."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def current_language(tracker: Tracker) -> str:
    value = tracker.get_slot("language")
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def variation_for(domain: dict[str, Any], response: str, language: str) -> dict[str, Any]:
    """The variation of `response` whose condition names `language` (else the first one)."""
    variations = domain.get("responses", {}).get(response, [])
    if not variations:
        raise KeyError(f"no response {response!r} in the domain")
    for variation in variations:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language" and condition.get("value") == language:
                return variation
    return variations[0]
