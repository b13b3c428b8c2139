"""Opening hours of the live desk, in Beijing time (HANDOFF_HOURS="09:00-21:00")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OpeningHours:
    """Every day from `opens` to `closes` (exclusive); closes before opens means open over midnight;
    equal times mean always open."""

    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        match = _RANGE.match(text)
        if not match:
            raise ValueError(f"opening hours must read HH:MM-HH:MM, not {text!r}")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h2 == 24 and m2 == 0:
            h2 = 0
        try:
            return cls(time(h1, m1), time(h2, m2))
        except ValueError:
            raise ValueError(f"opening hours must read HH:MM-HH:MM, not {text!r}") from None

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(BEIJING).time()
        if self.opens == self.closes:
            return True
        if self.opens < self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"
