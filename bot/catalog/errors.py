"""Errors the catalogue raises; the edges (actions, CLI) turn them into messages.

CatalogError
├── UnknownOperator: a name or key that none of the four operators has
└── InvalidTerminationQuery: remaining contract months that do not fit the plan
"""

from __future__ import annotations


class CatalogError(Exception):
    """Base class of the catalogue's errors."""


class UnknownOperator(CatalogError, ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown operator: {name!r}")
        self.name = name


class InvalidTerminationQuery(CatalogError, ValueError):
    """The remaining months do not fit the plan (negative, longer than the contract, or no contract)."""
