"""One phone number written every way users write it, in every place a number can appear at the desk.

The number 139 8765 4321 goes into a complaint's description, place, handset and transcript (from the
chat), an agent's note and resolution, and a supervisor's reopen reason (audit trail). An agent who does
not handle the complaint then reads the queue, the detail and the audit trail; a supervisor exports the
CSV; the webhook notification and the conversation statistics are built; the logs are captured throughout.
Its hidden digits ("8765") must appear nowhere, in any script.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import timedelta

import pytest

from bot.complaints.model import TranscriptEntry
from bot.notifications.messages import message
from common.redact import redact_numbers
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import (
    Conversation,
    deliver_conversation,
    desk,
    desk_engine,
    staff,
    tracker_url,
)

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

FORMATS = [
    "13987654321",
    "139 8765 4321",
    "139-8765-4321",
    "139.8765.4321",
    "139  8765  4321",
    "139 / 8765 / 4321",
    "139/8765/4321",
    "１３９８７６５４３２１",
    "１３９－８７６５－４３２１",
    "一三九八七六五四三二一",
    "幺三九 八七六五 四三二一",
    "一三九 8765 四三二一",
    "+86 139 8765 4321",
    "+8613987654321",
    "0086-139-8765-4321",
    "(+86)139-8765-4321",
    "（+86）139 8765 4321",
    "tel:13987654321",
    "tel13987654321",
]
_DIGITS = str.maketrans("〇零一幺二两三四五六七八九", "0011223456789")


def hidden_digits_in(text: str) -> bool:
    """Whether the masked middle digits can be read in the text, in any script or spacing."""
    import unicodedata

    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text).translate(_DIGITS))
    return "98765" in digits or "87654" in digits


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_masked(where: str, texts) -> None:
    leaks = [text for text in texts if hidden_digits_in(text)]
    assert not leaks, f"{where} shows the number: {leaks[:3]}"


@pytest.mark.parametrize("written", FORMATS)
def test_redacting_masks_the_number_however_it_is_written(written):
    for text in (written, f"我的电话是{written}，请回电", f"call me on {written}."):
        redacted = redact_numbers(text)
        assert not hidden_digits_in(redacted), redacted
        assert "4321" in redacted or "四三二一" in text  # the last four stay for recognition


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("written", FORMATS)
def test_the_number_is_masked_in_every_place_for_whoever_does_not_handle_the_complaint(
    staff, tracker_url, caplog, written
):
    caplog.set_level(logging.DEBUG)
    transcript = [TranscriptEntry(role="user", text=f"我的号码是 {written}", timestamp=NOW - timedelta(minutes=1))]
    draft = a_draft(
        description=f"信号差，请回电 {written}",
        place=f"深圳南山 {written}",
        handset=f"Mate 60 {written}",
        transcript=transcript,
    )
    ticket = staff.file(draft, "k").ticket
    alice, sam = staff.auth("alice"), staff.auth("sam")
    assert staff.client.post(f"/api/complaints/{ticket}/claim", headers=alice).status_code == 200
    note = {"text": f"用户另留 {written}", "to_user": False}
    assert staff.client.post(f"/api/complaints/{ticket}/notes", headers=alice, json=note).status_code == 200
    resolution = {"resolution": f"已回电 {written}"}
    assert staff.client.post(f"/api/complaints/{ticket}/resolve", headers=alice, json=resolution).status_code == 200
    reason = {"reason": f"用户说 {written} 没接到电话"}
    assert staff.client.post(f"/api/complaints/{ticket}/reopen", headers=sam, json=reason).status_code == 200

    bob = staff.auth("bob")
    queue = staff.client.get("/api/complaints", headers=bob).json()
    assert_masked("the queue", strings(queue))
    detail = staff.client.get(f"/api/complaints/{ticket}", headers=bob).json()
    assert_masked("the detail (description, place, handset, transcript, notes, audit)", strings(detail))
    assert detail["notes"] and detail["transcript"] and any(e["details"] for e in detail["audit"])
    assert_masked("the audit trail", strings(staff.client.get(f"/api/complaints/{ticket}/audit", headers=bob).json()))

    export = staff.client.get("/api/complaints/export.csv", headers=sam, params={"from": "2026-11-01"})
    assert_masked("the CSV export", [cell for row in csv.reader(io.StringIO(export.text)) for cell in row])

    with staff.uow() as uow:
        complaint = uow.complaints.get(ticket)
    assert_masked("the webhook notification", [message("created", complaint, "https://desk.example.cn")])

    deliver_conversation(
        staff.database_url, "user-1", Conversation(NOW).user(f"打 {written} 找谁", "nlu_fallback").events
    )
    stats = staff.client.get("/api/stats", headers=sam, params={"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert stats["not_understood"], "the message counts as not understood"
    assert_masked("the statistics", strings(stats))

    assert_masked("the logs", [record.getMessage() for record in caplog.records])
    # The handler still sees everything (that view is audited).
    full = json.dumps(staff.client.get(f"/api/complaints/{ticket}", headers=sam).json(), ensure_ascii=False)
    assert written in full
