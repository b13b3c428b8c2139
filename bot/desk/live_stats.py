"""Live hand-off figures for the desk's statistics (pure functions over the chats requested in a period).

Waiting time runs from the request to an agent accepting it (or to its end, for those nobody accepted);
handling time from accepting to the end. Satisfaction is the users' 1-5 answer after the chat.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.handoff.model import ChatStatus, LiveChat


@dataclass
class AgentFigures:
    chats: int = 0
    rated: int = 0
    satisfaction: float | None = None
    median_handling_seconds: float | None = None


@dataclass
class HandoffFigures:
    requested: int = 0  # every request for a person, queued or not
    handed_over: int = 0  # accepted by an agent
    outside_hours: int = 0
    no_agent: int = 0
    timed_out: int = 0
    waiting: int = 0  # still waiting now
    median_waiting_seconds: float | None = None
    p90_waiting_seconds: float | None = None
    median_handling_seconds: float | None = None
    rated: int = 0
    satisfaction: float | None = None
    ended_in_complaint: int = 0
    complaint_share: float | None = None  # of the chats handed over
    by_agent: dict[str, AgentFigures] = field(default_factory=dict)


def handoff_figures(chats: Iterable[LiveChat]) -> HandoffFigures:
    chats = list(chats)
    figures = HandoffFigures(requested=len(chats))
    counted = {
        ChatStatus.CLOSED_HOURS: "outside_hours",
        ChatStatus.NO_AGENT: "no_agent",
        ChatStatus.TIMED_OUT: "timed_out",
        ChatStatus.WAITING: "waiting",
    }
    for chat in chats:
        if chat.status in counted:
            setattr(figures, counted[chat.status], getattr(figures, counted[chat.status]) + 1)
    taken = [c for c in chats if c.accepted_at is not None]
    figures.handed_over = len(taken)
    waited = [c.waiting_seconds(c.accepted_at or c.requested_at) for c in taken] + [
        (c.ended_at - c.requested_at).total_seconds() for c in chats if c.status is ChatStatus.TIMED_OUT and c.ended_at
    ]
    figures.median_waiting_seconds = _median(waited)
    figures.p90_waiting_seconds = _p90(waited)
    figures.median_handling_seconds = _median(_handling(taken))
    ratings = [c.rating for c in taken if c.rating is not None]
    figures.rated, figures.satisfaction = len(ratings), _mean(ratings)
    figures.ended_in_complaint = sum(1 for c in taken if c.complaint_ticket)
    figures.complaint_share = round(figures.ended_in_complaint / len(taken), 3) if taken else None
    for agent in sorted({c.agent for c in taken if c.agent}):
        theirs = [c for c in taken if c.agent == agent]
        rated = [c.rating for c in theirs if c.rating is not None]
        figures.by_agent[agent] = AgentFigures(len(theirs), len(rated), _mean(rated), _median(_handling(theirs)))
    return figures


def _handling(chats: list[LiveChat]) -> list[float]:
    return [(c.ended_at - c.accepted_at).total_seconds() for c in chats if c.ended_at and c.accepted_at]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    """The 90th percentile (nearest rank): the wait nine in ten users did not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, -(-9 * len(ordered) // 10) - 1)], 1)


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None
