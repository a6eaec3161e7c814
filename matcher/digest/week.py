"""ISO weeks as the digest names them: `2026-W48`."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from matcher.errors import InvalidInput

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(moment: datetime | date) -> str:
    """The ISO week of a moment, e.g. `2026-W48`."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(moment: datetime) -> datetime:
    """Midnight of the Monday that begins the ISO week of `moment`, in its time zone."""
    day = moment - timedelta(days=moment.weekday())
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def parse_week(text: str) -> str:
    """A valid ISO week in canonical form, or InvalidInput."""
    found = _WEEK.match(text.strip())
    if not found:
        raise InvalidInput(f"week {text!r} is not like 2026-W48", field="week")
    year, week = int(found[1]), int(found[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise InvalidInput(f"{text!r}: {year} has no week {week}", field="week") from exc
    return f"{year}-W{week:02d}"


def monday(week: str) -> date:
    """The Monday a week starts on."""
    year, number = parse_week(week).split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def weeks_before(week: str, count: int) -> list[str]:
    """The `count` weeks before `week`, nearest first."""
    start = monday(week)
    return [week_of(start - timedelta(weeks=k)) for k in range(1, count + 1)]


# How far ahead a week may begin and still be run: a community a day ahead of UTC (Monday
# morning in Australia is Sunday in UTC) runs its Monday's week.
EARLIEST_AHEAD = timedelta(days=1)


def check_begun(week: str, now: datetime) -> str:
    """`week` if it has begun at `now` (or begins within EARLIEST_AHEAD), else InvalidInput:
    a digest for a later week, named by mistake, would take that week's email from everyone."""
    begins = datetime.combine(monday(week), datetime.min.time(), tzinfo=now.tzinfo)
    if begins - now > EARLIEST_AHEAD:
        raise InvalidInput(
            f"week {week} begins on {begins:%Y-%m-%d}: a digest is for a week that has begun "
            f"(this is {week_of(now)}), or that begins within a day",
            field="week",
        )
    return week
