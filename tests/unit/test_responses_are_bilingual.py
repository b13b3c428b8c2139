"""Every response the bot can send has a Chinese and an English variation."""

import pytest

from tests.conftest import load_domain

RESPONSES = load_domain()["responses"]


def languages_of(variations):
    found = set()
    for variation in variations:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language":
                found.add(condition.get("value"))
    return found


def test_the_bot_has_responses():
    assert len(RESPONSES) > 40


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_each_response_has_a_zh_and_an_en_variation(name):
    variations = RESPONSES[name]
    assert languages_of(variations) == {"zh", "en"}, f"{name} needs exactly a zh and an en variation"
    for variation in variations:
        assert (variation.get("text") or "").strip(), f"{name} has an empty text"
