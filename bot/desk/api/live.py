"""The live inbox's API under /api/live: presence, the queue, accept, messages, canned FAQ answers, the
complaint made from a chat, end; and the push stream the console reads (newline-delimited JSON)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from bot.desk.api.deps import ActorDep
from bot.desk.live import fingerprint
from bot.desk.live_desk import LiveDesk
from bot.faq.catalogue import load_topics
from bot.handoff import services
from bot.handoff.errors import (
    AlreadyTaken,
    AtCapacity,
    ChatNotFound,
    ChatNotOpen,
    HandoffError,
    InvalidRating,
    InvalidRequest,
    NotHoldingChat,
)
from bot.handoff.model import PresenceStatus

router = APIRouter(prefix="/live", tags=["live chat"])
# The stream looks at the database this often for changes made by other processes; this process's own
# changes wake it at once (LiveHub). A keep-alive line goes out when nothing changed for a while.
POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
HEARTBEAT_SECONDS = 20.0

STATUSES: dict[type[HandoffError], tuple[int, str]] = {
    ChatNotFound: (404, "chat_not_found"),
    AlreadyTaken: (409, "already_taken"),
    NotHoldingChat: (403, "not_your_chat"),
    ChatNotOpen: (409, "chat_not_open"),
    AtCapacity: (409, "at_capacity"),
    InvalidRating: (422, "invalid_rating"),
    InvalidRequest: (422, "invalid_request"),
}


def get_live(request: Request) -> LiveDesk:
    live: LiveDesk = request.app.state.live
    return live


LiveDep = Annotated[LiveDesk, Depends(get_live)]
# Chat ids are database integers (32-bit on every backend): anything else is a 422, not a driver error.
ChatId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PresenceIn(BaseModel):
    status: PresenceStatus
    max_chats: int | None = Field(default=None, ge=1, le=services.MAX_CHATS_LIMIT)


class AcceptIn(BaseModel):
    # The name the user sees: a display name or staff number the agent chooses, never their full name by default.
    label: str = Field(default="", max_length=services.MAX_LABEL)


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=services.MAX_MESSAGE)
    faq_topic: str | None = Field(default=None, max_length=64)


@router.get("/inbox")
def inbox(actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    """The agent's presence, the waiting queue and their own chats (transcripts with numbers masked)."""
    return live.inbox(actor.username)


@router.put("/presence")
def set_presence(body: PresenceIn, actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    live.set_presence(actor.username, body.status, body.max_chats)
    return live.inbox(actor.username)["presence"]


@router.get("/chats/{chat_id}")
def chat(chat_id: ChatId, actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    return live.chat(chat_id)


@router.post("/chats/{chat_id}/accept", responses={409: {"description": "another agent was first"}})
def accept(chat_id: ChatId, body: AcceptIn, actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    return live.accept(actor.username, chat_id, body.label)


@router.post("/chats/{chat_id}/messages", responses={403: {"description": "only the holding agent writes"}})
def send(chat_id: ChatId, body: MessageIn, actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    """Sends the agent's message to the user (audited); `delivered` says whether it reached them."""
    return live.send(actor.username, chat_id, body.text, body.faq_topic)


@router.post("/chats/{chat_id}/end")
def end(chat_id: ChatId, actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    return live.end(actor.username, chat_id)


class ComplaintIn(BaseModel):
    category: str = Field(max_length=32)
    description: str = Field(default="", max_length=2000)
    # Empty: the number the user wrote in the chat.
    contact_phone: str | None = Field(default=None, max_length=32)
    user_consented: bool = False


@router.get("/chats/{chat_id}/complaint-draft")
def complaint_draft(chat_id: ChatId, actor: ActorDep, live: LiveDep) -> dict[str, Any]:
    """The complaint form pre-filled from the chat (the holding agent only)."""
    return live.complaint_draft(actor.username, chat_id)


@router.post("/chats/{chat_id}/complaint", status_code=201)
def make_complaint(chat_id: ChatId, body: ComplaintIn, actor: ActorDep, live: LiveDep) -> dict[str, str]:
    """Files a complaint record from the chat (once per chat) with its transcript, agents' turns marked."""
    ticket = live.make_complaint(
        actor.username,
        chat_id,
        category=body.category,
        description=body.description,
        phone=body.contact_phone,
        consented=body.user_consented,
    )
    return {"ticket": ticket}


@router.get("/faq")
def canned_answers(actor: ActorDep, language: Annotated[Literal["zh", "en"], Query()] = "zh") -> list[dict[str, str]]:
    """The curated FAQ answers in the user's language, to insert as canned replies."""
    answers = []
    for key, topic in sorted(load_topics().items()):
        answer = topic.answers.get(language) or topic.variants.get((language, "operator")) or ""
        if answer:
            answers.append({"key": key, "title": topic.title(language), "answer": answer})
    return answers


@router.get("/stream")
async def stream(request: Request, actor: ActorDep, live: LiveDep) -> StreamingResponse:
    """The inbox again whenever it changes, one JSON object per line, until the console disconnects."""
    return StreamingResponse(
        _inbox_lines(request, live, actor.username),
        media_type="application/x-ndjson",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _inbox_lines(request: Request, live: LiveDep, agent: str) -> AsyncIterator[bytes]:
    seen: Any = None
    loop = asyncio.get_running_loop()
    last_sent = last_beat = loop.time() - HEARTBEAT_SECONDS
    while not await request.is_disconnected():
        now = loop.time()
        if now - last_beat >= HEARTBEAT_SECONDS:
            await asyncio.to_thread(services.heartbeat, live.uow(), agent, live.now())
            last_beat = now
        current = await asyncio.to_thread(_fingerprint, live)
        if current != seen:
            seen = current
            snapshot = await asyncio.to_thread(live.inbox, agent)
            yield (json.dumps({"type": "inbox", **snapshot}, ensure_ascii=False) + "\n").encode("utf-8")
            last_sent = now
        elif now - last_sent >= KEEPALIVE_SECONDS:
            yield b'{"type": "keepalive"}\n'
            last_sent = now
        await live.hub.wait(POLL_SECONDS)


def _fingerprint(live: LiveDesk) -> Any:
    with live.desk.sessions() as session:
        return (fingerprint(session), live.broker_status()["connected"])


async def _handle(request: Request, error: Exception) -> JSONResponse:
    status, code = 400, "handoff_error"
    for kind in type(error).__mro__:
        if kind in STATUSES:
            status, code = STATUSES[kind]
            break
    return JSONResponse({"detail": str(error), "code": code}, status_code=status)


def install_live(app: FastAPI, live: LiveDesk) -> None:
    app.state.live = live
    app.add_exception_handler(HandoffError, _handle)
