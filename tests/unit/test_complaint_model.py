"""The complaint record: lifecycle, reply deadline, phone numbers, categories."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.complaints.errors import AlreadyClaimed, ConsentRequired, InvalidPhone, InvalidTransition, UnknownCategory
from bot.complaints.model import (
    CATEGORIES,
    Complaint,
    RegulatoryClass,
    Status,
    category_class,
    mask_phone,
    normalise_mainland_mobile,
    suggest_category,
)
from bot.complaints.ticket import format_ticket, normalise_ticket, ticket_day
from tests.factories import NOW, a_draft


def complaint_in(status, **changes):
    complaint = Complaint.open(a_draft(), ticket="C20261129-0001", now=NOW)
    agent = "agent-7" if status is Status.IN_PROGRESS else None
    return replace(complaint, status=status, assigned_agent=agent, **changes)


def test_a_new_complaint_is_open_with_a_normalised_phone_and_its_regulatory_class():
    complaint = Complaint.open(a_draft(), ticket="C20261129-0001", now=NOW, idempotency_key="k1")
    assert complaint.status is Status.OPEN
    assert complaint.contact_phone == "13812345678"
    assert complaint.regulatory_class is RegulatoryClass.NETWORK_QUALITY
    assert complaint.created_at == complaint.updated_at == NOW
    assert [(e.actor, e.action) for e in complaint.events] == [("bot", "created")]


def test_a_complaint_cannot_be_opened_without_consent():
    with pytest.raises(ConsentRequired):
        Complaint.open(a_draft(consent_given_at=None), ticket="C20261129-0001", now=NOW)


def test_a_complaint_cannot_be_opened_in_an_unknown_category():
    with pytest.raises(UnknownCategory):
        Complaint.open(a_draft(category="weather"), ticket="C20261129-0001", now=NOW)


def test_naive_timestamps_are_refused_because_their_zone_is_a_guess():
    with pytest.raises(ValueError):
        Complaint.open(a_draft(), ticket="C20261129-0001", now=datetime(2026, 11, 29, 9, 30))


def test_times_in_other_zones_are_stored_as_utc():
    beijing = timezone(timedelta(hours=8))
    complaint = Complaint.open(a_draft(), ticket="C20261129-0001", now=NOW.astimezone(beijing))
    assert complaint.created_at == NOW and complaint.created_at.tzinfo == timezone.utc


# (status before, step, status after or the error it raises)
TRANSITIONS = [
    (Status.OPEN, "claim", Status.IN_PROGRESS),
    (Status.OPEN, "resolve", InvalidTransition),
    (Status.OPEN, "close", InvalidTransition),
    (Status.OPEN, "reopen", InvalidTransition),
    (Status.IN_PROGRESS, "claim", AlreadyClaimed),
    (Status.IN_PROGRESS, "resolve", Status.RESOLVED),
    (Status.IN_PROGRESS, "close", InvalidTransition),
    (Status.IN_PROGRESS, "reopen", InvalidTransition),
    (Status.RESOLVED, "claim", InvalidTransition),
    (Status.RESOLVED, "resolve", InvalidTransition),
    (Status.RESOLVED, "close", Status.CLOSED),
    (Status.RESOLVED, "reopen", Status.OPEN),
    (Status.CLOSED, "claim", InvalidTransition),
    (Status.CLOSED, "resolve", InvalidTransition),
    (Status.CLOSED, "close", InvalidTransition),
    (Status.CLOSED, "reopen", Status.OPEN),
]

STEPS = {
    "claim": lambda c, at: c.claim("agent-9", at),
    "resolve": lambda c, at: c.resolve("agent-7", "已调整基站参数", at),
    "close": lambda c, at: c.close("agent-7", at),
    "reopen": lambda c, at: c.reopen("user", at, "still no signal"),
}


@pytest.mark.parametrize(("before", "step", "outcome"), TRANSITIONS, ids=[f"{b.value}-{s}" for b, s, _ in TRANSITIONS])
def test_every_lifecycle_step_is_allowed_or_refused_as_the_table_says(before, step, outcome):
    complaint = complaint_in(before)
    later = NOW + timedelta(hours=2)
    if isinstance(outcome, Status):
        STEPS[step](complaint, later)
        assert complaint.status is outcome
        assert complaint.updated_at == later
    else:
        with pytest.raises(outcome):
            STEPS[step](complaint, later)
        assert complaint.status is before


def test_every_status_pair_is_covered_by_the_transition_table():
    assert {(before, step) for before, step, _ in TRANSITIONS} == {(s, step) for s in Status for step in STEPS}


def test_claiming_assigns_the_agent_and_records_who_claimed():
    complaint = complaint_in(Status.OPEN)
    complaint.claim("agent-9", NOW)
    assert complaint.assigned_agent == "agent-9"
    assert complaint.events[-1].actor == "agent-9"
    assert complaint.events[-1].details == {"from": "open", "to": "in_progress"}


def test_resolving_stamps_the_time_and_counts_as_a_reply():
    complaint = complaint_in(Status.IN_PROGRESS)
    complaint.resolve("agent-7", "已调整基站参数", NOW + timedelta(days=1))
    assert complaint.resolution == "已调整基站参数"
    assert complaint.resolved_at == complaint.first_response_at == NOW + timedelta(days=1)


def test_closing_stamps_the_time():
    complaint = complaint_in(Status.RESOLVED)
    complaint.close("user", NOW + timedelta(days=2))
    assert complaint.closed_at == NOW + timedelta(days=2)


def test_reopening_counts_and_puts_the_complaint_back_in_the_queue():
    complaint = complaint_in(Status.IN_PROGRESS)
    complaint.resolve("agent-7", "已处理", NOW)
    complaint.close("user", NOW)
    complaint.reopen("user", NOW + timedelta(days=3), "问题又出现了")
    assert (complaint.status, complaint.reopen_count, complaint.assigned_agent) == (Status.OPEN, 1, None)
    assert complaint.resolution is None and complaint.resolved_at is None and complaint.closed_at is None
    assert complaint.events[-1].details["previous_resolution"] == "已处理"


def test_the_first_note_to_the_user_is_the_first_response_and_internal_notes_are_not():
    complaint = complaint_in(Status.IN_PROGRESS)
    complaint.add_note("agent-7", "checked the cell site", to_user=False, now=NOW + timedelta(hours=1))
    assert complaint.first_response_at is None
    complaint.add_note("agent-7", "我们正在处理", to_user=True, now=NOW + timedelta(hours=2))
    complaint.add_note("agent-7", "预计明天修复", to_user=True, now=NOW + timedelta(hours=3))
    assert complaint.first_response_at == NOW + timedelta(hours=2)
    assert complaint.latest_note_to_user().text == "预计明天修复"


def test_the_reply_deadline_is_15_calendar_days_after_the_complaint():
    complaint = Complaint.open(a_draft(), ticket="C20261129-0001", now=NOW)
    assert complaint.deadline == NOW + timedelta(days=15)


def test_the_reply_deadline_is_configurable():
    complaint = Complaint.open(a_draft(), ticket="C20261129-0001", now=NOW, reply_days=10)
    assert complaint.deadline == NOW + timedelta(days=10)


def test_the_reply_period_setting_defaults_to_15_days_and_reads_the_environment(monkeypatch):
    from bot.settings import Settings

    monkeypatch.delenv("COMPLAINT_REPLY_DAYS", raising=False)
    assert Settings().complaint_reply_days == 15
    monkeypatch.setenv("COMPLAINT_REPLY_DAYS", "10")
    assert Settings().complaint_reply_days == 10


def test_a_complaint_past_its_deadline_is_reported_as_overdue():
    complaint = complaint_in(Status.OPEN)
    assert not complaint.is_overdue(complaint.deadline)
    assert complaint.is_overdue(complaint.deadline + timedelta(seconds=1))


def test_a_complaint_answered_in_time_is_not_overdue_later():
    replied = complaint_in(Status.IN_PROGRESS)
    replied.add_note("agent-7", "我们正在处理", to_user=True, now=NOW + timedelta(days=3))
    resolved = complaint_in(Status.IN_PROGRESS)
    resolved.resolve("agent-7", "已处理", NOW + timedelta(days=3))
    later = NOW + timedelta(days=30)
    assert not replied.is_overdue(later) and not resolved.is_overdue(later)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("１３８　１２３４　５６７８", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_mainland_mobile_numbers_are_normalised_from_the_ways_users_type_them(typed, number):
    assert normalise_mainland_mobile(typed) == number


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1381234567", "wrong_length"),
        ("138123456789", "wrong_length"),
        ("", "wrong_length"),
        ("12812345678", "bad_prefix"),
        ("23812345678", "bad_prefix"),
        ("010 1234 5678", "bad_prefix"),
        ("138abcd5678", "not_digits"),
        ("138一二三四5678", "not_digits"),
        ("tel:13812345678", "not_digits"),
    ],
)
def test_numbers_that_are_not_mainland_mobiles_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidPhone) as refused:
        normalise_mainland_mobile(typed)
    assert refused.value.reason == reason


def test_a_phone_number_is_masked_to_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("1234") == "****"


def test_a_masked_phone_never_contains_the_middle_digits():
    assert "1234" not in mask_phone("13812345678")


EXPECTED_CLASSES = {
    "coverage_signal": RegulatoryClass.NETWORK_QUALITY,
    "speed": RegulatoryClass.NETWORK_QUALITY,
    "handset": RegulatoryClass.USER_SERVICE,
    "plan_change": RegulatoryClass.USER_SERVICE,
    "contract_termination": RegulatoryClass.USER_SERVICE,
    "unauthorized_change": RegulatoryClass.BILLING_DISPUTE,
    "misleading_marketing": RegulatoryClass.USER_SERVICE,
    "billing": RegulatoryClass.BILLING_DISPUTE,
    "number_portability": RegulatoryClass.USER_SERVICE,
    "other": RegulatoryClass.USER_SERVICE,
}


@pytest.mark.parametrize(("key", "expected"), EXPECTED_CLASSES.items())
def test_every_category_maps_to_one_of_the_regulators_three_classes(key, expected):
    assert category_class(key) is expected


def test_the_category_tree_is_exactly_the_fixed_keys_with_labels_in_both_languages():
    assert list(CATEGORIES) == list(EXPECTED_CLASSES)
    assert all(c.labels.zh and c.labels.en for c in CATEGORIES.values())


def test_the_regulatory_classes_carry_the_regulators_chinese_labels():
    labels = {c.value: c.labels.zh for c in RegulatoryClass}
    assert labels == {"network_quality": "网络质量", "billing_dispute": "收费争议", "user_service": "用户服务"}


def test_an_unknown_category_has_no_class():
    with pytest.raises(UnknownCategory):
        category_class("weather")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("家里手机没信号", "zh", "coverage_signal"),
        ("地下车库没有5G覆盖", "zh", "coverage_signal"),
        ("5G网速太慢了", "zh", "speed"),
        ("我的手机型号支持5G吗，手机老是发热", "zh", "handset"),
        ("我想改套餐", "zh", "plan_change"),
        ("5G套餐能降档吗", "zh", "plan_change"),
        ("提前解约要交违约金", "zh", "contract_termination"),
        ("没经过同意就给我开通了业务，还扣了话费", "zh", "unauthorized_change"),
        ("营业厅擅自开通了流量包", "zh", "unauthorized_change"),
        ("营业员虚假宣传说不限速", "zh", "misleading_marketing"),
        ("这个月话费扣费不对，账单有问题", "zh", "billing"),
        ("携号转网被拒绝", "zh", "number_portability"),
        ("there is no signal at home", "en", "coverage_signal"),
        ("5G is so slow", "en", "speed"),
        ("is my phone model supported", "en", "handset"),
        ("I want to downgrade my plan", "en", "plan_change"),
        ("the early termination fee is too high", "en", "contract_termination"),
        ("they added a service without consent", "en", "unauthorized_change"),
        ("the ad was misleading", "en", "misleading_marketing"),
        ("I was charged twice on my phone bill", "en", "billing"),
        ("I want to port my number", "en", "number_portability"),
        ("my 5G 信号 is bad", "en", "coverage_signal"),
        ("你好", "zh", None),
        ("hello there", "en", None),
        ("please support me, this is important", "en", None),
    ],
)
def test_a_category_is_suggested_from_the_users_words(text, language, expected):
    assert suggest_category(text, language) == expected


def test_tickets_read_as_the_beijing_date_and_a_four_digit_sequence():
    late_evening_utc = datetime(2026, 11, 28, 17, 0, tzinfo=timezone.utc)  # 01:00 on the 29th in Beijing
    assert format_ticket(ticket_day(late_evening_utc), 42) == "C20261129-0042"


def test_past_9999_tickets_a_day_the_sequence_widens_to_five_digits():
    assert format_ticket(ticket_day(NOW), 10000) == "C20261129-10000"


def test_tickets_typed_by_users_are_recognised_in_any_case_and_width():
    assert normalise_ticket(" c20261129－0042 ") == "C20261129-0042"
    assert normalise_ticket("20261129-0042") is None
