"""`published` values as ISO 8601: the offset kept when the source has one, a date alone kept a date alone."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from zoneinfo import ZoneInfo

# strptime directives that read a time of day: a format without any of them reads a date alone.
_TIME_DIRECTIVES = re.compile(r"%[HIMSpfXcTRrz]")
# Dates as pages print them when not in ISO 8601, tried in order (English month names, as strptime reads them).
_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d",
    "%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%d %B %Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def from_format(value: str, date_format: str, timezone: ZoneInfo | None) -> str:
    """`value` read with a strptime format (ValueError if it does not fit), as ISO 8601.

    A format without a time of day gives the date alone: `2025-05-07`, not a made-up midnight.
    """
    moment = dt.datetime.strptime(value, date_format)
    if not _TIME_DIRECTIVES.search(date_format):
        return moment.date().isoformat()
    if timezone is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone)
    return moment.isoformat()


def normalise_date(value: str) -> str | None:
    """A date or date-time as written in JSON-LD or a meta tag, as ISO 8601; None when it is not one.

    `2025-05-07` stays a date; `2025-05-07T09:30:00Z` becomes `2025-05-07T09:30:00+00:00`; RFC 2822 and a few
    printed forms (`May 7, 2025`) are parsed too. A time without an offset stays without one.
    """
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for date_format in _FORMATS:
        try:
            return from_format(text, date_format, None)
        except ValueError:
            continue
    return None
