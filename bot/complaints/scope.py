"""Whose complaint a record is: the operator that deploys the bot, or a neutral deployment.

A complaint filed with one operator's service is a complaint to that operator only; a user of
another operator must complain to their own operator first, or an appeal is sent back (MIIT
Order No. 35 Art. 13). The same deployment is the handler of the personal data the complaint
form collects, which the user must be told with how to reach it (PIPL Art. 17).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog.operators import OPERATORS, Operator
from bot.messages import both

NEUTRAL = "neutral"


@dataclass(frozen=True)
class Deployment:
    """Who runs this bot: `operator` is None for a neutral deployment."""

    operator: Operator | None
    handler_zh: str
    handler_en: str
    handler_contact: str

    @property
    def key(self) -> str:
        return self.operator.key if self.operator else NEUTRAL

    def handles(self, operator_key: str | None) -> bool:
        """A complaint about `operator_key` is this deployment's to file (a neutral one files every one)."""
        return self.operator is None or operator_key in (None, "", self.operator.key)

    def slots(self) -> dict[str, str]:
        """The slots the responses use to name the deployment and the data handler."""
        return {
            "deployment": "operator" if self.operator else NEUTRAL,
            "data_handler_zh": self.handler_zh,
            "data_handler_en": self.handler_en,
            "data_handler_contact": self.handler_contact,
        }


def deployment(operator_key: str, handler_name: str = "", handler_contact: str = "") -> Deployment:
    """The deployment a DEPLOYING_OPERATOR setting names; DATA_HANDLER_* override the operator's defaults.

    Raises:
        KeyError: `operator_key` is neither "neutral" nor an operator's key.
    """
    if operator_key == NEUTRAL:
        zh, en = both("deployment.neutral_handler")
        return Deployment(
            None,
            handler_zh=handler_name or zh,
            handler_en=handler_name or en,
            handler_contact=handler_contact or "-",
        )
    operator = OPERATORS[operator_key]
    return Deployment(
        operator,
        handler_zh=handler_name or operator.name_zh,
        handler_en=handler_name or operator.name_en,
        handler_contact=handler_contact or operator.hotline,
    )
