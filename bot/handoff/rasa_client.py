"""The desk's client of the Rasa server's hand-off endpoint (rasa_server/channels/handoff.py).

POST {RASA_URL}/webhooks/handoff/<verb> with the header X-Handoff-Secret; verbs: joined, message,
end, unavailable. A refused or failed call raises RasaUnreachable (never treated as delivered).
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.handoff.errors import HandoffError


class RasaUnreachable(HandoffError):
    """The Rasa server did not take the call (down, timed out, refused the secret, or answered an error)."""

    def __init__(self, verb: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"hand-off {verb} not taken by the Rasa server: {reason}")
        self.verb, self.status = verb, status


class RasaHandoffClient:
    def __init__(self, base_url: str, secret: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout
        self.transport = transport

    def joined(self, conversation_id: str, agent_label: str) -> bool:
        return self._post("joined", {"conversation_id": conversation_id, "agent_label": agent_label})

    def message(self, conversation_id: str, agent_label: str, text: str, message_id: int | str) -> bool:
        body = {"conversation_id": conversation_id, "agent_label": agent_label, "text": text}
        return self._post("message", {**body, "message_id": str(message_id)})

    def end(self, conversation_id: str, by: str = "agent") -> bool:
        return self._post("end", {"conversation_id": conversation_id, "by": by})

    def unavailable(self, conversation_id: str, reason: str = "timeout") -> bool:
        return self._post("unavailable", {"conversation_id": conversation_id, "reason": reason})

    def _post(self, verb: str, body: dict[str, Any]) -> bool:
        """Whether the user was reached (`delivered`); raises RasaUnreachable unless the server said ok."""
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                response = http.post(
                    f"{self.base_url}/webhooks/handoff/{verb}", json=body, headers={"X-Handoff-Secret": self.secret}
                )
        except httpx.HTTPError as error:
            raise RasaUnreachable(verb, type(error).__name__) from error
        if response.status_code != 200:
            raise RasaUnreachable(verb, f"HTTP {response.status_code}", response.status_code)
        try:
            answer = response.json()
        except ValueError as error:
            raise RasaUnreachable(verb, "not JSON") from error
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise RasaUnreachable(verb, "not ok")
        return bool(answer.get("delivered"))
