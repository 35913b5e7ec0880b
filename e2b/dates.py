"""Partial dates as E2B(R3) sends them: year, year-month, day, or day with time.

A partial date is a plain ISO-like string ("2024", "2024-05", "2024-05-17", "2024-05-17T14:30",
"2024-05-17T14:30:05") so forms, JSON and the log read it as written; HL7 TS ("20240517") is
produced and parsed here only.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import IntEnum
from typing import Annotated

from pydantic import AfterValidator, Field

# A time may carry its UTC offset ("2022-06-14T10:10:10-05:00"): a partner's C.1.4 or C.1.5 is
# an instant, and dropping the offset would move it.
_ISO = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?P<tz>[+-]\d{2}:\d{2})?)?)?)?$"
)
# HL7 TS. An offset ("+0900", or hours only "+09" as ICH's own examples send it) is read after a
# time, or as a 4-digit offset after a date; "2026-01" is never year 2026 at offset -01.
_TS = re.compile(
    r"^(?P<y>\d{4})(?:(?P<m>\d{2})(?:(?P<d>\d{2})(?:(?P<H>\d{2})(?:(?P<M>\d{2})(?:(?P<S>\d{2})"
    r"(?:\.\d{1,4})?)?)?(?P<tz>[+-]\d{2}(?:\d{2})?)?|(?P<dtz>[+-]\d{4}))?)?)?$"
)


class Precision(IntEnum):
    """How much of a date is known, coarsest first."""

    YEAR = 1
    MONTH = 2
    DAY = 3
    HOUR = 4
    MINUTE = 5
    SECOND = 6


class DateFormatError(ValueError):
    """A date that is not a real calendar date or not in a known format."""


def _parts(value: str) -> dict[str, str | None]:
    match = _ISO.fullmatch(value)
    if match is None:
        raise DateFormatError(
            f"'{value}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD (optionally THH:MM)"
        )
    return match.groupdict()


def precision(value: str) -> Precision:
    """The precision of a partial date string."""
    parts = _parts(value)
    known = [k for k in ("y", "m", "d", "H", "M", "S") if parts[k] is not None]
    # A time is entered as hour and minute together; HOUR alone comes only from HL7 TS.
    return Precision(len(known))


def _check(value: str) -> str:
    parts = _parts(value)
    year = int(parts["y"] or 0)
    month = int(parts["m"] or 1)
    day = int(parts["d"] or 1)
    try:
        date(year, month, day)
        datetime(year, month, day, int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0))
    except ValueError as exc:
        raise DateFormatError(f"'{value}' is not a real calendar date ({exc})") from exc
    if year < 1900:
        raise DateFormatError(f"'{value}' is before 1900")
    return value


PartialDate = Annotated[
    str,
    AfterValidator(_check),
    Field(
        description=(
            "Date, as precise as known: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], "
            "a time optionally with its UTC offset (+HH:MM)"
        ),
        examples=["2024", "2024-05", "2024-05-17", "2024-05-17T14:30", "2022-06-14T10:10:10-05:00"],
    ),
]


_STEPS = {
    Precision.DAY: timedelta(days=1),
    Precision.HOUR: timedelta(hours=1),
    Precision.MINUTE: timedelta(minutes=1),
    Precision.SECOND: timedelta(seconds=1),
}


def bounds(value: str) -> tuple[datetime, datetime]:
    """Earliest and latest moment a partial date can mean (naive, local to the report; an
    offset, when a partner sent one, is not applied: comparisons stay within one report)."""
    parts = _parts(value)
    y = int(parts["y"] or 0)
    start = datetime(
        y,
        int(parts["m"] or 1),
        int(parts["d"] or 1),
        int(parts["H"] or 0),
        int(parts["M"] or 0),
        int(parts["S"] or 0),
    )
    p = precision(value)
    try:
        if p is Precision.YEAR:
            end = datetime(y + 1, 1, 1)
        elif p is Precision.MONTH:
            end = datetime(y + (start.month == 12), start.month % 12 + 1, 1)
        else:
            end = start + _STEPS[p]
    except (ValueError, OverflowError):
        # "9999..." is a common placeholder; nothing comes after its last moment.
        return start, datetime.max
    return start, end - timedelta(microseconds=1)


def is_before(earlier: str, later: str) -> bool:
    """False only when `later` is certainly before `earlier` (partial dates overlap otherwise)."""
    return bounds(later)[1] >= bounds(earlier)[0]


def in_future(value: str, today: date) -> bool:
    """True when the whole of the partial date lies after `today`."""
    return bounds(value)[0].date() > today


def to_hl7(value: str) -> str:
    """ "2024-05-17T14:30" -> "202405171430" (HL7 TS keeps the precision by its length);
    an offset stays: "2022-06-14T10:10:10-05:00" -> "20220614101010-0500"."""
    offset = ""
    if len(value) > 6 and value[-6] in "+-" and value[-3] == ":":
        value, offset = value[:-6], value[-6:].replace(":", "")
    return re.sub(r"[-T:]", "", value) + offset


def from_hl7(ts: str) -> str:
    """HL7 TS -> partial date string; a time keeps its offset ("+09" becomes "+09:00")."""
    match = _TS.fullmatch(ts.strip())
    if match is None:
        raise DateFormatError(f"'{ts}' is not an HL7 date (CCYY[MM[DD[hh[mm[ss]]]]][+ZZzz])")
    g = match.groupdict()
    out = g["y"] or ""
    if g["m"]:
        out += f"-{g['m']}"
    if g["d"]:
        out += f"-{g['d']}"
    if g["H"]:
        out += f"T{g['H']}:{g['M'] or '00'}"
        if g["S"]:
            out += f":{g['S']}"
        if g["tz"]:
            out += f"{g['tz'][:3]}:{g['tz'][3:5] or '00'}"
    return _check(out)


def datetime_to_hl7(moment: datetime) -> str:
    """A full timestamp to the second with its offset (C.1.2, N.1.5); a moment received without
    an offset is written back without one."""
    return moment.strftime("%Y%m%d%H%M%S%z")


def datetime_from_hl7(ts: str, *, as_sent: bool = False) -> datetime:
    """HL7 TS to the second -> datetime; without an offset, UTC is assumed, or with `as_sent`
    the moment stays naive, so it is written back as it came."""
    match = _TS.fullmatch(ts.strip())
    if match is None or match["S"] is None:
        raise DateFormatError(f"'{ts}' is not a timestamp to the second (CCYYMMDDhhmmss[+ZZzz])")
    g = match.groupdict()
    tz: tzinfo | None = None if as_sent else UTC
    if g["tz"]:
        sign = 1 if g["tz"][0] == "+" else -1
        minutes = int(g["tz"][3:5] or 0)
        tz = timezone(sign * timedelta(hours=int(g["tz"][1:3]), minutes=minutes))
    try:
        return datetime(
            int(g["y"] or 0),
            int(g["m"] or 0),
            int(g["d"] or 0),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise DateFormatError(f"'{ts}' is not a real date and time ({exc})") from exc
