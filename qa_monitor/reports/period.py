"""ISO weeks as UTC time windows, and the dialect-aware SQL time expressions the report groups by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement

from qa_monitor.errors import ConfigError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    """One ISO week (Monday 00:00 to the next Monday 00:00, UTC)."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """A week from `YYYY-Www` (e.g. `2026-W47`), or a ConfigError saying what was expected."""
        m = _WEEK.match(text.strip())
        if not m:
            raise ConfigError(f"week '{text}': expected an ISO week like 2026-W47")
        year, number = int(m.group(1)), int(m.group(2))
        if not 1970 <= year <= 9998:  # the 12-week history and the week's end must stay representable
            raise ConfigError(f"week '{text}': the year must be between 1970 and 9998")
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ConfigError(f"week '{text}': {year} has no ISO week {number}") from None
        return cls(year, number)

    @classmethod
    def containing(cls, when: datetime | date) -> Week:
        """The ISO week a moment or day falls in."""
        iso = when.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        """`YYYY-Www`."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def start(self) -> datetime:
        """Monday 00:00 UTC."""
        d = date.fromisocalendar(self.year, self.number, 1)
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 UTC (exclusive)."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> Week:
        """The week `weeks` later (negative: earlier)."""
        return Week.containing(self.start + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return self.label


def epoch_hours(col: Any, dialect: str) -> ColumnElement[int]:
    """Whole hours since 1970-01-01 UTC of a timestamp column, as an integer, on SQLite or PostgreSQL."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", col) / 3600), BigInteger)
    # SQLite stores timestamps as UTC text; strftime('%s') turns them into unix seconds.
    return cast(func.strftime("%s", col), Integer) // 3600


def epoch_hour_of(moment: datetime) -> int:
    """Whole hours since 1970-01-01 UTC of a moment."""
    return int(moment.timestamp()) // 3600
