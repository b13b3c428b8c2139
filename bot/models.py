"""Imports every module that declares tables, so Base.metadata is complete (for Alembic)."""

from __future__ import annotations

import importlib

MODEL_MODULES = ("bot.complaints.orm", "bot.catalog.orm", "bot.desk.orm", "bot.notifications.orm", "bot.handoff.orm")


def import_all_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
