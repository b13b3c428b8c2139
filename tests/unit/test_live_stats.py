"""The hand-off figures of the desk's statistics, on chats made by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.desk.live_stats import handoff_figures
from bot.handoff.model import ChatStatus, LiveChat

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def chat(
    n: int, status: ChatStatus, *, waited: int = 0, handled: int = 0, agent: str | None = None, **more
) -> LiveChat:
    made = LiveChat(n, f"u{n}", "socketio", "zh", status, T0)
    if agent:
        made.agent, made.accepted_at = agent, T0 + timedelta(seconds=waited)
        made.ended_at = made.accepted_at + timedelta(seconds=handled) if status is ChatStatus.ENDED else None
    elif status is ChatStatus.TIMED_OUT:
        made.ended_at = T0 + timedelta(seconds=waited)
    for key, value in more.items():
        setattr(made, key, value)
    return made


def test_the_figures_count_requests_waits_handling_satisfaction_and_complaints():
    figures = handoff_figures(
        [
            chat(1, ChatStatus.ENDED, waited=10, handled=300, agent="alice", rating=5),
            chat(
                2, ChatStatus.ENDED, waited=30, handled=100, agent="alice", rating=3, complaint_ticket="C20261207-0001"
            ),
            chat(3, ChatStatus.ENDED, waited=20, handled=200, agent="bob"),
            chat(4, ChatStatus.TIMED_OUT, waited=180),
            chat(5, ChatStatus.CLOSED_HOURS),
            chat(6, ChatStatus.NO_AGENT),
            chat(7, ChatStatus.ACTIVE, waited=40, agent="bob"),
        ]
    )
    assert (figures.requested, figures.handed_over, figures.outside_hours, figures.no_agent, figures.timed_out) == (
        7,
        4,
        1,
        1,
        1,
    )
    assert figures.median_waiting_seconds == 30  # 10, 20, 30, 40, 180
    assert figures.p90_waiting_seconds == 180
    assert figures.median_handling_seconds == 200
    assert (figures.rated, figures.satisfaction) == (2, 4.0)
    assert (figures.ended_in_complaint, figures.complaint_share) == (1, 0.25)
    alice = figures.by_agent["alice"]
    assert (alice.chats, alice.rated, alice.satisfaction, alice.median_handling_seconds) == (2, 2, 4.0, 200)
    assert figures.by_agent["bob"].satisfaction is None


def test_no_chats_give_no_averages():
    figures = handoff_figures([])
    assert (figures.requested, figures.median_waiting_seconds, figures.satisfaction, figures.complaint_share) == (
        0,
        None,
        None,
        None,
    )
