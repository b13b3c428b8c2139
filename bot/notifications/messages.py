"""What support staff read about new and overdue complaints in their chat webhooks (WeCom, DingTalk, Slack).

Notifications follow audit events: `created` (a complaint was filed) and `became_overdue`
(the overdue sweep records it once per complaint); bot.notifications.publisher puts them
in the outbox. Messages carry no full phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.catalog.operators import OPERATORS
from bot.complaints.categories import CATEGORIES, RegulatoryClass
from bot.complaints.model import BECAME_OVERDUE, Complaint, mask_phone
from bot.complaints.ticket import CHINA_STANDARD_TIME
from bot.messages import side_by_side
from bot.settings import Settings
from common.redact import excerpt, redact_numbers

# audit action -> notification kind
KINDS = {"created": "created", BECAME_OVERDUE: "overdue"}
# The lines of a notification, labelled in both languages (bot.messages `notification.<field>`).
NOTIFICATION_FIELDS = ("category", "operator", "place", "phone", "reply_by", "description")


@dataclass(frozen=True)
class Webhooks:
    urls: tuple[str, ...] = ()
    format: str = "auto"
    desk_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Webhooks:
        return cls(tuple(settings.notify_webhook_urls), settings.notify_webhook_format, settings.desk_public_url)

    def bodies(self, text: str) -> list[tuple[str, dict[str, Any]]]:
        return [(url, body_for(url, text, self.format)) for url in self.urls]


def body_for(url: str, text: str, style: str = "auto") -> dict[str, Any]:
    """Slack's {"text"} for hooks.slack.com (or style "slack"); else the msgtype text body of WeCom and DingTalk."""
    if style == "slack" or (style == "auto" and urlsplit(url).hostname == "hooks.slack.com"):
        return {"text": text}
    return {"msgtype": "text", "text": {"content": text}}


def message(kind: str, complaint: Complaint, desk_url: str = "") -> str:
    category = CATEGORIES.get(complaint.category)
    regulatory = RegulatoryClass(complaint.regulatory_class)
    operator = OPERATORS.get(complaint.operator)
    deadline = complaint.deadline.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M")
    label = {field: side_by_side(f"notification.{field}") for field in NOTIFICATION_FIELDS}
    lines = [
        f"【{side_by_side(f'notification.{kind}')}】{complaint.ticket}",
        f"{label['category']}: {category.labels.zh if category else complaint.category}（{regulatory.labels.zh}）",
        f"{label['operator']}: {operator.name_zh if operator else complaint.operator}",
        f"{label['place']}: {redact_numbers(complaint.place or '—')}",
        f"{label['phone']}: {mask_phone(complaint.contact_phone)}",
        f"{label['reply_by']}: {deadline}（{side_by_side('notification.beijing_time')}）",
        f"{label['description']}: {excerpt(complaint.description)}",
    ]
    if desk_url:
        lines.append(f"{desk_url.rstrip('/')}/desk/#/complaints/{complaint.ticket}")
    return "\n".join(lines)
