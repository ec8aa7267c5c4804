"""The one business clock: every "now", "today" and display time of the project comes from here.

Timestamps are stored in UTC; business dates ("today", default dates, the date a person sees)
are China time (Asia/Shanghai by default, `CADRE_BUSINESS_TZ`). Tests freeze the clock with
`frozen(...)` instead of patching the standard library.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ_NAME = "Asia/Shanghai"


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if name == DEFAULT_TZ_NAME:  # no tzdata: China has kept UTC+8 without DST since 1991
            return timezone(timedelta(hours=8), DEFAULT_TZ_NAME)
        raise


class Clock:
    """System time in UTC plus the business time zone; `frozen_at` pins it for tests."""

    def __init__(self, tz_name: str = DEFAULT_TZ_NAME) -> None:
        self.tz: tzinfo = _zone(tz_name)
        self.frozen_at: datetime | None = None

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        if self.frozen_at is not None:
            return self.frozen_at
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        """The current moment in business time."""
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        """Today's date in business time (China), never the server's or UTC's date."""
        return self.local_now().date()

    def to_local(self, moment: datetime) -> datetime:
        """A moment shown in business time; a naive datetime is taken as UTC."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz)


CLOCK = Clock()


def configure(tz_name: str) -> None:
    """Set the business time zone (from settings, at start-up)."""
    CLOCK.tz = _zone(tz_name)


def now() -> datetime:
    """The current moment in UTC."""
    return CLOCK.now()


def today() -> date:
    """Today in business time."""
    return CLOCK.today()


def local_now() -> datetime:
    """The current moment in business time."""
    return CLOCK.local_now()


def to_local(moment: datetime) -> datetime:
    """A moment in business time (naive means UTC)."""
    return CLOCK.to_local(moment)


def business_tz() -> tzinfo:
    """The business time zone."""
    return CLOCK.tz


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Pin the clock at `moment` (aware) for the duration of a test."""
    if moment.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    previous = CLOCK.frozen_at
    CLOCK.frozen_at = moment.astimezone(UTC)
    try:
        yield
    finally:
        CLOCK.frozen_at = previous
