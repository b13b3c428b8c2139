"""Every response an action utters and every action the rules name exist in the domain (a missing one only
shows at run time, as a silent turn); the privacy and outage parts are new and need a retrained model."""

import re
from pathlib import Path

import yaml

from tests.conftest import load_domain

ROOT = Path(__file__).resolve().parents[2]


def uttered_by_actions():
    for path in sorted((ROOT / "actions").glob("*.py")):
        yield from ((path.name, name) for name in re.findall(r'response="(utter_[a-z_]+)"', path.read_text("utf-8")))


def test_every_response_an_action_utters_is_in_the_domain():
    responses = load_domain()["responses"]
    missing = [(module, name) for module, name in uttered_by_actions() if name not in responses]
    assert not missing


def test_the_privacy_rules_name_only_declared_intents_actions_and_forms():
    domain = {"actions": [], "intents": [], "forms": {}}
    for path in (ROOT / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        domain["actions"] += data.get("actions") or []
        domain["intents"] += [i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or []]
        domain["forms"].update(data.get("forms") or {})
    rules = yaml.safe_load((ROOT / "data" / "rules" / "privacy.yml").read_text("utf-8"))["rules"]
    for rule in rules:
        for step in rule["steps"]:
            if "intent" in step:
                assert step["intent"] in domain["intents"], step
            if "action" in step:
                assert step["action"] in domain["actions"] or step["action"] in domain["forms"], step
    examples = yaml.safe_load((ROOT / "data" / "nlu" / "privacy.yml").read_text("utf-8"))["nlu"]
    assert {block["intent"] for block in examples} == {"ask_my_data", "delete_my_data"}
