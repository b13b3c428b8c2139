"""Whose complaint a ticket is: an operator's deployment files only its own customers' complaints.

A customer of another operator is told so, given that operator's hotline and nothing is stored
(MIIT Order No. 35 Art. 13); the consent text and the FAQ answers name the data handler (PIPL
Art. 17). Actions run through a Tracker on a real database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import wiring
from actions.complaints import ActionSubmitComplaint, ValidateComplaintForm
from actions.session import ActionSessionStart
from bot.complaints.orm import ComplaintRow
from bot.complaints.scope import deployment
from bot.complaints.spool import ComplaintSpool
from bot.complaints.unit_of_work import sqlalchemy_uow_factory
from bot.db import session_factory
from tests.conftest import load_domain, make_tracker

DOMAIN = load_domain()


def deps_for(database_url, tmp_path, operator: str) -> wiring.Dependencies:
    return wiring.Dependencies(
        uow_factory=sqlalchemy_uow_factory(database_url),
        spool=ComplaintSpool(tmp_path / "spool"),
        catalog_session=session_factory(database_url),
        deployment=deployment(operator),
    )


@pytest.fixture
def mobile(database_url, tmp_path):
    """A deployment by China Mobile."""
    dependencies = deps_for(database_url, tmp_path, "china_mobile")
    wiring.use(dependencies)
    yield dependencies
    wiring.use(None)


@pytest.fixture
def neutral(database_url, tmp_path):
    dependencies = deps_for(database_url, tmp_path, "neutral")
    wiring.use(dependencies)
    yield dependencies
    wiring.use(None)


def render(response: str, language: str, deployment_slots: dict[str, str], **values: str) -> str:
    """A response's text as the Rasa server fills it: the variation for the language and deployment."""
    slots = {"language": language, **deployment_slots}
    for variation in DOMAIN["responses"][response]:
        conditions = variation.get("condition") or []
        if all(slots.get(c["name"]) == c["value"] for c in conditions):
            return str(variation["text"]).format(**slots, **values)
    raise AssertionError(f"no variation of {response} for {slots}")


@pytest.mark.parametrize(
    ("language", "typed", "name", "hotline"),
    [
        ("zh", "电信", "中国电信", "10000"),
        ("zh", "联通", "中国联通", "10010"),
        ("en", "China Broadnet", "China Broadnet", "10099"),
        ("en", "unicom", "China Unicom", "10010"),
    ],
)
def test_another_operators_customer_is_pointed_to_its_hotline_and_the_form_stops(
    mobile, language, typed, name, hotline
):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"language": language})
    result = ValidateComplaintForm().validate_complaint_operator(typed, dispatcher, tracker, DOMAIN)
    assert result["complaint_elsewhere"] is True
    [message] = dispatcher.messages
    assert message["response"] == "utter_complaint_other_operator"
    assert (message["operator"], message["hotline"]) == (name, hotline)
    said = render(message["response"], language, mobile.deployment.slots(), operator=name, hotline=hotline)
    assert name in said and hotline in said
    assert ("中国移动" if language == "zh" else "China Mobile") in said
    assert ("没有保存" if language == "zh" else "Nothing has been stored") in said


async def test_after_pointing_elsewhere_nothing_more_is_asked_and_nothing_is_filed(mobile):
    form = ValidateComplaintForm()
    sender = f"user-{uuid.uuid4().hex[:10]}"
    slots = {
        "complaint_category": "billing",
        "complaint_operator": "china_telecom",
        "complaint_elsewhere": True,
        "complaint_description": "多扣了话费",
    }
    tracker = make_tracker(slots=slots, sender_id=sender)
    assert await form.required_slots(form.domain_slots(DOMAIN), CollectingDispatcher(), tracker, DOMAIN) == []
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitComplaint().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []
    assert SlotSet("complaint_elsewhere", None) in events and SlotSet("complaint_operator", None) in events
    with mobile.uow_factory() as uow:
        assert uow.session.scalars(select(ComplaintRow).where(ComplaintRow.sender_id == sender)).all() == []


@pytest.mark.parametrize("typed", ["移动", "中国移动", "China Mobile", "cmcc"])
def test_the_deploying_operators_own_customer_goes_on(mobile, typed):
    dispatcher = CollectingDispatcher()
    result = ValidateComplaintForm().validate_complaint_operator(typed, dispatcher, make_tracker(), DOMAIN)
    assert result == {"complaint_operator": "china_mobile"} and dispatcher.messages == []


@pytest.mark.parametrize("typed", ["电信", "China Unicom", "广电", "移动"])
def test_a_neutral_deployment_files_for_every_operator(neutral, typed):
    result = ValidateComplaintForm().validate_complaint_operator(typed, CollectingDispatcher(), make_tracker(), DOMAIN)
    assert set(result) == {"complaint_operator"}


def test_the_operator_is_asked_right_after_the_category_before_any_personal_data():
    slots = DOMAIN["forms"]["complaint_form"]["required_slots"]
    assert slots.index("complaint_operator") == 1
    assert slots.index("complaint_operator") < slots.index("complaint_phone")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_consent_text_names_the_data_handler_and_how_to_reach_it(mobile, language):
    said = render("utter_ask_complaint_consent", language, mobile.deployment.slots())
    assert ("中国移动" if language == "zh" else "China Mobile") in said and "10086" in said
    handler = deployment("neutral", "示例科技有限公司", "privacy@example.cn")
    said = render("utter_ask_complaint_consent", language, handler.slots())
    assert "示例科技有限公司" in said and "privacy@example.cn" in said


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_operators_filed_message_gives_the_deadline_and_a_neutral_one_says_it_is_forwarded(mobile, language):
    values = {"ticket": "C20261207-0001", "deadline": "2026-12-22", "operator": "X", "hotline": "10000"}
    own = render("utter_complaint_filed", language, mobile.deployment.slots(), **values)
    assert "2026-12-22" in own
    forwarded = render("utter_complaint_filed", language, deployment("neutral").slots(), **values)
    assert "2026-12-22" not in forwarded and "10000" in forwarded
    assert ("转交" if language == "zh" else "forward") in forwarded


async def test_the_session_start_names_the_deployment_in_slots(mobile):
    events = await ActionSessionStart().run(CollectingDispatcher(), make_tracker(), DOMAIN)
    assert SlotSet("deployment", "operator") in events
    assert SlotSet("data_handler_zh", "中国移动") in events and SlotSet("data_handler_contact", "10086") in events


def test_data_handler_settings_override_the_operators_defaults():
    named = deployment("china_unicom", handler_contact="privacy@example.cn")
    assert (named.handler_zh, named.handler_en, named.handler_contact) == (
        "中国联通",
        "China Unicom",
        "privacy@example.cn",
    )
    assert dataclasses.replace(named, operator=None).handles("china_mobile")
    with pytest.raises(KeyError):
        deployment("china_tietong")


@pytest.mark.parametrize("operator", ["china_mobile", "neutral"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_overdue_status_message_describes_the_written_online_appeal(language, operator):
    said = render("utter_status_appeal", language, deployment(operator).slots())
    assert "12300" in said and "工业和信息化部12300" in said
    if language == "zh":
        assert "书面" in said and "名称和地址" in said and "在线提交" in said
    else:
        assert "in writing" in said and "name and address" in said and "online" in said
