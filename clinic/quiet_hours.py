"""Quiet hours for texts the clinic starts: only 8 am to 9 pm in the recipient's time zone.

The TCPA's calling hours (and the stricter state "mini-TCPA" laws) are about the recipient's
local time. The zone comes from the number's area code (libphonenumber's timezone data); an
area code that spans zones must be inside the window in every one of them, and a number
without a known zone is read in the clinic's zone (Pacific).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_timezones

SEND_FROM = time(8, 0)
SEND_UNTIL = time(21, 0)
DEFAULT_ZONE = ZoneInfo("America/Los_Angeles")
UNKNOWN_ZONE = "Etc/Unknown"


def recipient_zones(number: str, default: ZoneInfo = DEFAULT_ZONE) -> tuple[ZoneInfo, ...]:
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return (default,)
    names = [name for name in phone_timezones.time_zones_for_number(parsed) if name != UNKNOWN_ZONE]
    return tuple(ZoneInfo(name) for name in names) or (default,)


def _inside(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone).time()
    return SEND_FROM <= local < SEND_UNTIL


def _next_opening(moment: datetime, zone: ZoneInfo) -> datetime:
    """The next 8 am in ``zone`` at or after ``moment`` (``moment`` itself when inside the window)."""
    if _inside(moment, zone):
        return moment
    local = moment.astimezone(zone)
    day = local.date() if local.time() < SEND_FROM else local.date() + timedelta(days=1)
    return datetime.combine(day, SEND_FROM, tzinfo=zone)


@dataclass(frozen=True)
class SendWindow:
    zones: tuple[ZoneInfo, ...]
    quiet: bool  # True: outside 8 am-9 pm for the recipient now
    opens_at: datetime  # when a text may go out (now, when not quiet)


def send_window(number: str, now: datetime) -> SendWindow:
    """Whether ``now`` (aware) is quiet for ``number``, and when its window opens next."""
    zones = recipient_zones(number)
    opens = now
    # The first moment open in every zone: a zone still open now may be closed at another's 8 am.
    for _ in range(len(zones) + 1):
        later = max(_next_opening(opens, zone) for zone in zones)
        if later == opens:
            break
        opens = later
    return SendWindow(zones, quiet=opens > now, opens_at=opens)
