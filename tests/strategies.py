"""Hypothesis strategies: valid `Report`s across the whole model, and hostile free text.

`reports()` draws plain data that satisfies every rule in `e2b.model_rules` and `pv.entry_rules` by construction (dates are
drawn as moments in order and only then cut to a precision, so cutting never breaks an order)
and builds the report as the app does, with `Report.model_validate(..., context={"today": ...})`.
Strategies are built once at import (or cached): building them per draw costs more than drawing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from hypothesis import HealthCheck
from hypothesis import strategies as st

from e2b.codelists import (
    ActionTaken,
    AdditionalDrugInfo,
    AgeGroup,
    AgeUnit,
    DrugRole,
    FirstSender,
    GestationUnit,
    IntervalUnit,
    Nullification,
    Outcome,
    Qualification,
    Recurrence,
    ReportType,
    SenderType,
    Sex,
    TestResultCode,
    TimeUnit,
)
from e2b.dates import Precision
from e2b.elements import element
from e2b.model import ICSR
from pv.catalogue import load_catalogue
from pv.entry_rules import PREGNANCY_CATEGORIES
from pv.model import TREATMENT_LIMIT, Dechallenge, Report
from tests.cases import TODAY

T = TypeVar("T")

# ---------------------------------------------------------------- hostile text

# XML 1.0 cannot carry these: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF
# (surrogates are kept out by the utf-8 codec below).
XML_FORBIDDEN = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff"

# fmt: off
HOSTILE_PIECES = (
    # markup, entities, CDATA and script that must come back as text
    '"', "'", "<", ">", "&", "&amp;", "&lt;", "&#0;", "&#x1F;", "]]>", "<![CDATA[x]]>",
    "<script>alert('x')</script>", "</narrative>", "<?xml version='1.0'?>", "<!DOCTYPE x>",
    "&xxe;", "\\", "%s", "{0}", "${name}", "--", "/*",
    # text that looks like a (bad) partial date but is free text
    "2099", "0000", "2024-13", "1899-12-31",
    # astral-plane emoji, a ZWJ sequence, mathematical letters
    "\U0001f48a", "\U0001fa78", "\U0001f469\U0001f3fd\u200d\u2695\ufe0f", "\U0001d53c",
    # Arabic, right-to-left marks and overrides, combining marks
    "ليمترادا", "نقص الصفائح", "\u200f", "\u200e", "\u202b", "\u202e", "\u2067", "\u061c",
    "e\u0301", "a\u0308\u0332", "\u0645\u064e\u0651",
    # line ends, tabs and unusual spaces; C1 controls are legal XML 1.0
    "\r\n", "\r", "\n", "\t", " ", "  ", "\u00a0", "\u2028", "\u2029", "\ufeff", "\u200b",
    "\x85", "\x7f",
)
# fmt: on
_EDGES = ("", "", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000")

_XML_CHARS = st.characters(codec="utf-8", exclude_characters=XML_FORBIDDEN)
# No white space (Unicode White_Space is all in Z* and Cc), for IDs and units.
_SOLID_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Zs", "Zl", "Zp", "Cc"), exclude_characters="\ufffe\uffff"
)
_PIECE = st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(_XML_CHARS, min_size=1, max_size=4))
_BODY = st.lists(_PIECE, max_size=4).map("".join)
_EDGE = st.sampled_from(_EDGES)


@cache
def hostile_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Text that XML 1.0 can carry but that tries hard to break escaping, encoding and layout:
    markup, entities, CDATA ends, emoji, Arabic with RTL marks, combining marks, CR/LF/tab and
    leading or trailing spaces; at most `max_size` characters."""
    return st.tuples(_EDGE, _BODY, _EDGE).map(lambda parts: "".join(parts)[:max_size])


# ---------------------------------------------------------------- small values

# Generated free text stays short so that a report stays within Hypothesis's data budget.
_TEXT_CAP = 60
_LONG_TEXT_CAP = 200

_BOOL = st.booleans()
_OPT_BOOL = st.none() | _BOOL
# 0-3 entries per list, the longer lists rarer: lists nest three deep and a report must stay small.
_COUNT = st.sampled_from((0, 0, 0, 1, 1, 2, 3))
_SOME = st.sampled_from((1, 1, 1, 2, 3))  # for the lists that need at least one entry
_COUNTRIES = ("SA", "AE", "EG", "JO", "KW", "QA", "GB", "FR", "DE", "US", "EU")
_COUNTRY = st.sampled_from(_COUNTRIES)
_OPT_COUNTRY = st.none() | _COUNTRY
_LANGUAGE = st.sampled_from(("eng", "ara", "fra", "deu", "urd", "fil"))
# fmt: off
_UCUM = ("mg", "mg/mL", "10*3/uL", "m[IU]/L", "ng/dL", "mg/dL", "umol/L", "/[HPF]", "%", "U/L",
         "{tbl}", "g/dL", "[IU]/L", "1")
# fmt: on
_UNIT = st.sampled_from(_UCUM) | st.text(_SOLID_CHARS, min_size=1, max_size=12)


def _enum(cls: type[Enum], optional: bool = False) -> st.SearchStrategy[Any]:
    members = st.sampled_from(list(cls))
    return st.none() | members if optional else members


# Plain clinical words as well as hostile text: cheaper to draw, and what most fields hold.
# fmt: off
_PLAIN = st.sampled_from([
    "LEMTRADA", "alemtuzumab", "Intravenous", "SYN-LOT-0001", "Riyadh", "Neurology",
    "Immune thrombocytopenia", "Platelet count 9 x 10^3/uL", "Relapsing-remitting MS",
    "Reporter", "Global introspection", "Probable", "12 mg/day on 5 consecutive days",
    "نقص الصفيحات المناعي", "Dr", "Al-Qahtani",
])
# fmt: on


@cache
def _text(max_length: int, required: bool = False, cap: int = _TEXT_CAP) -> st.SearchStrategy[str]:
    size = min(max_length, cap)

    def fix(text: str) -> str:
        if required and not text.strip():
            text = (text + "x")[-size:]
        return text

    return _PLAIN.map(lambda text: text[:size]) | hostile_text(size).map(fix)


@cache
def _opt_text(max_length: int, cap: int = _TEXT_CAP) -> st.SearchStrategy[str | None]:
    return st.none() | _text(max_length, cap=cap)


def _or_null(number: str, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`strategy`, or (now and then) a nullFlavor the element table allows for `number`."""
    flavors = sorted(element(number).null_flavors)
    nulls = st.sampled_from(flavors).map(lambda flavor: {"null_flavor": flavor})
    return st.one_of(strategy, strategy, strategy, nulls)


def _is_null(value: Any) -> bool:
    """A nullFlavor in place of a value (it identifies no one, save MSK initials)."""
    return isinstance(value, dict) and set(value) == {"null_flavor"}


def _blank(value: Any) -> bool:
    """What the model turns into None: no value, or text that is only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


@cache
def _decimals(max_digits: int, places: int, low: str | None = None) -> st.SearchStrategy[Decimal]:
    """Decimals within max_digits/decimal_places; `low` is "gt0", "ge0" or None (signed).

    pydantic allows max_digits - decimal_places digits before the point whatever the number
    of places actually used."""

    def within(p: int) -> st.SearchStrategy[Decimal]:
        step = Decimal(1).scaleb(-p)
        top = Decimal(10) ** (max_digits - places) - step
        bottom = {"gt0": step, "ge0": Decimal(0), None: -top}[low]
        return st.decimals(min_value=bottom, max_value=top, places=p)

    by_places = [within(p) for p in range(places + 1)]
    return st.one_of(by_places)


def _opt(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


_QUANTITY = st.fixed_dictionaries({"value": _decimals(12, 4), "unit": _UNIT})
_INTERVAL = st.fixed_dictionaries({"value": _decimals(5, 0, "ge0"), "unit": _enum(TimeUnit)})
_AGE = st.fixed_dictionaries({"value": _decimals(5, 1, "gt0"), "unit": _enum(AgeUnit)})
_GESTATION = st.fixed_dictionaries({"value": _decimals(3, 0, "gt0"), "unit": _enum(GestationUnit)})
_OPT_QUANTITY, _OPT_INTERVAL = _opt(_QUANTITY), _opt(_INTERVAL)
_OPT_AGE, _OPT_GESTATION = _opt(_AGE), _opt(_GESTATION)
_WEIGHT = _opt(_decimals(6, 2, "gt0"))
_HEIGHT = _opt(_decimals(3, 0, "gt0"))


@cache
def _guide_codes() -> tuple[str, ...]:
    catalogue = load_catalogue()
    codes = {t.code for c in catalogue.categories() for t in c.terms}
    codes |= {t.code for t in catalogue.lab_test_terms()}
    return tuple(sorted(codes))


# Pregnancy exposure has its own rules (D.5, D.10.6), so it comes up more often than the rest.
_CATEGORY = st.one_of(
    st.none(),
    st.sampled_from([c.id for c in load_catalogue().categories()]),
    st.sampled_from(sorted(PREGNANCY_CATEGORIES)),
)
_ANY_VERSION = st.tuples(st.integers(0, 99), st.integers(0, 9)).map(lambda v: f"{v[0]}.{v[1]}")
_MEDDRA_VERSION = st.sampled_from(["27.1", "28.0"]) | _ANY_VERSION
_MEDDRA_CODE = st.sampled_from(_guide_codes()) | st.text("0123456789", min_size=8, max_size=8)

_ID_PART = st.text(_SOLID_CHARS, min_size=1, max_size=20)
_ID_PLAIN = st.integers(0, 999_999).map(lambda n: f"LEMTRADAPV-{n:06d}")
_ID_TAIL = _ID_PLAIN | st.tuples(_ID_PART, _ID_PART).map("-".join)  # after "SA-"

_EMAIL_WORD = st.text("abcXYZ019._+-&!#$%*/=?^`{|}~éل", min_size=1, max_size=15)
_EMAIL = st.tuples(
    _EMAIL_WORD, _EMAIL_WORD, st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6)
).map(lambda p: f"{p[0]}@{p[1]}.{p[2]}")
# Blank is allowed: the model reads it as "not given".
_PHONE = st.text("0123456789+() .-/x", min_size=1, max_size=33)


_RICH = st.sampled_from((True, False, False))


class _Optional:
    """Draws the optional fields of one record, or (two times in three) leaves them all out:
    drawing every optional field of every record would make reports slow to generate."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.rich = draw(_RICH)

    def __call__(self, strategy: st.SearchStrategy[T]) -> T | None:
        return self.draw(strategy) if self.rich else None

    def date(self, low: datetime | None = None) -> str | None:
        return _opt_date(self.draw, low or _EARLIEST) if self.rich else None

    def term(self, version: str) -> dict[str, str] | None:
        return _opt_term(self.draw, version) if self.rich else None


def _term(draw: st.DrawFn, version: str) -> dict[str, str]:
    return {"version": version, "code": draw(_MEDDRA_CODE)}


def _opt_term(draw: st.DrawFn, version: str) -> dict[str, str] | None:
    return _term(draw, version) if draw(_BOOL) else None


def _report_id(draw: st.DrawFn, country: str) -> str:
    return f"{country}-{draw(_ID_TAIL)}"


def _compact(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """Sometimes leave out keys whose value is None, so both 'absent' and 'null' are covered."""
    if draw(_BOOL):
        return {k: v for k, v in data.items() if v is not None}
    return data


# ---------------------------------------------------------------- dates

_EARLIEST = datetime(1900, 1, 1)
_LATEST = datetime(TODAY.year, TODAY.month, TODAY.day, 23, 59, 59)
_CUT = {
    Precision.YEAR: 4,
    Precision.MONTH: 7,
    Precision.DAY: 10,
    Precision.MINUTE: 16,
    Precision.SECOND: 19,
}
_ANY_PRECISION = st.sampled_from(list(_CUT))
_DAY_OR_FINER = st.sampled_from([Precision.DAY, Precision.MINUTE, Precision.SECOND])
# Moments over the whole range, and more of them in the LEMTRADA years.
_ANY_MOMENT = st.datetimes(_EARLIEST, _LATEST) | st.datetimes(datetime(2023, 1, 1), _LATEST)

# Naive (read as UTC) or at any offset, creation must not fall after TODAY in UTC (C.1.2).
_OFFSET = st.none() | st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_CREATED_AT = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=_LATEST - timedelta(hours=36), timezones=_OFFSET
)


def _moment(draw: st.DrawFn, low: datetime) -> datetime:
    """A whole-second moment in [low, TODAY] (`low` is a whole second)."""
    moment = draw(_ANY_MOMENT).replace(microsecond=0)
    if moment < low:
        # fold into range rather than build a new strategy per draw (which is slow)
        span = int((_LATEST - low).total_seconds()) + 1
        moment = low + timedelta(seconds=int((moment - _EARLIEST).total_seconds()) % span)
    return moment


def _cut(moment: datetime, precision: Precision) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")[: _CUT[precision]]


def _date_after(draw: st.DrawFn, low: datetime) -> tuple[datetime, str]:
    """A moment not before `low` and not after TODAY, written at any precision."""
    moment = _moment(draw, low)
    return moment, _cut(moment, draw(_ANY_PRECISION))


def _opt_date(draw: st.DrawFn, low: datetime = _EARLIEST) -> str | None:
    return _date_after(draw, low)[1] if draw(_BOOL) else None


def _span(draw: st.DrawFn) -> dict[str, str | None]:
    """Optional start and end with end >= start, each at its own precision."""
    start = end = None
    start_moment = _EARLIEST
    if draw(_BOOL):
        start_moment, start = _date_after(draw, _EARLIEST)
    if draw(_BOOL):
        end = _date_after(draw, start_moment)[1]
    return {"start": start, "end": end}


# ---------------------------------------------------------------- sections


def _case(draw: st.DrawFn) -> dict[str, Any]:
    country = draw(_COUNTRY)
    sender_id = _report_id(draw, country)
    first = _moment(draw, _EARLIEST)
    latest = _moment(draw, first)
    documents = draw(st.lists(_text(2000, required=True), max_size=3))
    nullification = draw(_enum(Nullification, optional=True))
    # Without a nullification the reason is absent, or blank (which the model reads as absent).
    no_reason = st.sampled_from([None, "", "  "])
    return _compact(
        draw,
        {
            "sender_report_id": sender_id,
            "created_at": draw(_CREATED_AT),
            "report_type": draw(
                st.sampled_from([t for t in ReportType if t is not ReportType.STUDY])
            ),
            "first_received": _cut(first, draw(_DAY_OR_FINER)),
            "most_recent": _cut(latest, draw(_DAY_OR_FINER)),
            "additional_documents": bool(documents),
            "documents": documents,
            "expedited": draw(_OPT_BOOL),
            "worldwide_case_id": sender_id if draw(_BOOL) else _report_id(draw, country),
            "first_sender": draw(_enum(FirstSender)),
            "other_case_ids": [
                {"source": draw(_text(100, True)), "case_id": draw(_text(100, True))}
                for _ in range(draw(_COUNT))
            ],
            "linked_reports": draw(st.lists(_text(100, required=True), max_size=3)),
            "nullification": nullification,
            "nullification_reason": draw(_text(2000, True)) if nullification else draw(no_reason),
        },
    )


def _primary_sources(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(_SOME)
    primary = draw(st.integers(0, count - 1))
    sources = []
    for i in range(count):
        opt = _Optional(draw)
        source = {
            "title": opt(_opt_text(50)),
            "given_name": opt(_opt_text(60)),
            "middle_name": opt(_opt_text(60)),
            "family_name": opt(_opt_text(60)),
            "organisation": opt(_opt_text(60)),
            "department": opt(_opt_text(60)),
            "street": opt(_opt_text(100)),
            "city": opt(_opt_text(35)),
            "state": opt(_opt_text(40)),
            "postcode": opt(_opt_text(15)),
            "phone": opt(_opt(_PHONE)),
            "email": opt(_opt(_EMAIL)),
            "country": opt(_OPT_COUNTRY),
            "qualification": opt(_enum(Qualification, optional=True)),
            "primary_for_regulatory": i == primary,
        }
        identifying = (
            "given_name",
            "family_name",
            "organisation",
            "phone",
            "email",
            "qualification",
            "street",
            "city",
        )
        if all(_blank(source[k]) for k in identifying):
            source["qualification"] = draw(_enum(Qualification))
        if i == primary and source["country"] is None:
            source["country"] = draw(_COUNTRY)
        sources.append(_compact(draw, source))
    return sources


def _sender(draw: st.DrawFn) -> dict[str, Any]:
    sender_type = draw(_enum(SenderType))
    patient = sender_type is SenderType.PATIENT
    opt = _Optional(draw)
    return _compact(
        draw,
        {
            "sender_type": sender_type,
            "organisation": draw(_opt_text(100) if patient else _text(100, required=True)),
            "department": opt(_opt_text(60)),
            "title": opt(_opt_text(50)),
            "given_name": opt(_opt_text(60)),
            "middle_name": opt(_opt_text(60)),
            "family_name": opt(_opt_text(60)),
            "street": opt(_opt_text(100)),
            "city": opt(_opt_text(35)),
            "state": opt(_opt_text(40)),
            "postcode": opt(_opt_text(15)),
            "country": opt(_OPT_COUNTRY),
            "phone": opt(_opt(_PHONE)),
            "fax": opt(_opt(_PHONE)),
            "email": opt(_opt(_EMAIL)),
        },
    )


def _condition(draw: st.DrawFn, version: str, parent: bool) -> dict[str, Any]:
    opt = _Optional(draw)
    condition = {
        "condition": _term(draw, version),
        **_span(draw),
        "continuing": opt(_or_null("D.7.1.r.3", _OPT_BOOL)),
        "comments": opt(_opt_text(2000)),
    }
    if not parent:  # D.7.1.r.6: ICH has no family history for the parent's conditions
        condition["family_history"] = draw(_BOOL)
    return _compact(draw, condition)


def _past_drug(draw: st.DrawFn, version: str, parent: bool = False) -> dict[str, Any]:
    opt = _Optional(draw)
    name = _text(250, required=True)
    return _compact(
        draw,
        {
            # D.8.r.1 takes UNK / NA; the parent's D.10.8.r.1 takes none
            "name": draw(name if parent else _or_null("D.8.r.1", name)),
            **_span(draw),
            "indication": opt.term(version),
            "reaction": opt.term(version),
        },
    )


def _histories(draw: st.DrawFn, version: str, parent: bool = False) -> dict[str, Any]:
    """D.7.1.r, D.7.2 and D.8.r (the same shape under the parent, D.10.7/D.10.8)."""
    return {
        "medical_history": [_condition(draw, version, parent) for _ in range(draw(_COUNT))],
        "medical_history_text": draw(
            _opt_text(10000, cap=_LONG_TEXT_CAP)
            if parent  # D.10.7.2 takes no nullFlavor
            else _or_null("D.7.2", _opt_text(10000, cap=_LONG_TEXT_CAP))
        ),
        "drug_history": [_past_drug(draw, version, parent) for _ in range(draw(_COUNT))],
    }


def _parent(draw: st.DrawFn, version: str) -> dict[str, Any]:
    sex = draw(_enum(Sex))  # ICH: D.10.6 is required with any parent data
    opt = _Optional(draw)
    return _compact(
        draw,
        {
            "identification": opt(_opt_text(60)),
            "birth_date": opt.date(),
            "age": opt(_OPT_AGE),
            "last_menstrual_period": None if sex is Sex.MALE else opt.date(),
            "weight_kg": opt(_WEIGHT),
            "height_cm": opt(_HEIGHT),
            "sex": sex,
            **_histories(draw, version, parent=True),
        },
    )


def _cause(draw: st.DrawFn, version: str) -> dict[str, Any]:
    cause = {"term": _opt_term(draw, version), "text": draw(_opt_text(250))}
    if cause["term"] is None and _blank(cause["text"]):
        cause["term"] = _term(draw, version)
    return _compact(draw, cause)


def _death(draw: st.DrawFn, version: str, latest_onset: datetime) -> dict[str, Any]:
    autopsy_causes = [_cause(draw, version) for _ in range(draw(_COUNT))]
    death = {
        "date": _opt_date(draw, latest_onset),
        "reported_causes": [_cause(draw, version) for _ in range(draw(_COUNT))],
        "autopsy": True if autopsy_causes else draw(_or_null("D.9.3", _OPT_BOOL)),
        "autopsy_causes": autopsy_causes,
    }
    if not (death["date"] or death["reported_causes"] or death["autopsy"] is not None):
        death["autopsy"] = draw(_BOOL)  # an empty D.9 block says nothing
    return _compact(draw, death)


def _patient(
    draw: st.DrawFn,
    version: str,
    birth_date: str | None,
    pregnancy: bool,
    death_after: datetime | None,
) -> dict[str, Any]:
    parent = _parent(draw, version) if draw(_COUNT) == 0 else None
    opt = _Optional(draw)
    sex = draw(_enum(Sex, optional=True))
    if pregnancy and parent is None:
        sex = Sex.FEMALE
    withheld = draw(_BOOL)
    patient = {
        # D.1 nullFlavor MSK: known to the sender, withheld
        "initials": {"null_flavor": "MSK"} if withheld else opt(_or_null("D.1", _opt_text(60))),
        "birth_date": birth_date,
        "age": opt(_OPT_AGE),
        "gestation_at_onset": opt(_OPT_GESTATION),
        "age_group": opt(_enum(AgeGroup, optional=True)),
        "weight_kg": opt(_WEIGHT),
        "height_cm": opt(_HEIGHT),
        "sex": sex,
        "last_menstrual_period": None if sex is Sex.MALE else opt.date(),
        **_histories(draw, version),
        "concomitant_therapies": draw(_BOOL),
        "death": None if death_after is None else _death(draw, version, death_after),
        "parent": parent,
    }
    identifying = (
        "initials",
        "birth_date",
        "age",
        "age_group",
        "sex",
        "weight_kg",
        "height_cm",
        "gestation_at_onset",
    )
    if not withheld and all(_blank(patient[k]) or _is_null(patient[k]) for k in identifying):
        patient["age_group"] = draw(_enum(AgeGroup))
    return _compact(draw, patient)


_CRITERIA = (
    "death",
    "life_threatening",
    "hospitalisation",
    "disability",
    "congenital_anomaly",
    "other_medically_important",
)


def _reaction(
    draw: st.DrawFn, version: str, reaction_id: str, born: datetime
) -> tuple[dict[str, Any], datetime | None]:
    """One reaction and the moment it started (None when no start date is given)."""
    outcome = draw(_enum(Outcome))
    onset = start = end = None
    if draw(_BOOL):
        onset, start = _date_after(draw, born)
    if draw(_BOOL):
        end = _date_after(draw, onset or _EARLIEST)[1]
    seriousness = {name: draw(_BOOL) for name in _CRITERIA}
    seriousness["death"] = seriousness["death"] or outcome is Outcome.FATAL
    opt = _Optional(draw)
    reaction = {
        "id": reaction_id,
        "guide_category": draw(_CATEGORY),
        "treatment": opt(_opt_text(TREATMENT_LIMIT)),
        "dechallenge": opt(_enum(Dechallenge, optional=True)),
        "verbatim": draw(_opt_text(250)),
        "language": draw(_LANGUAGE),
        "translation": opt(_opt_text(250)),
        "term": _term(draw, version),
        "highlighted": opt(_OPT_BOOL),
        "seriousness": seriousness,
        "start": start,
        "end": end,
        "duration": opt(_OPT_INTERVAL),
        "outcome": outcome,
        "medically_confirmed": opt(_OPT_BOOL),
        "country": opt(_OPT_COUNTRY),
    }
    return _compact(draw, reaction), onset


def _test(draw: st.DrawFn, version: str) -> dict[str, Any]:
    opt = _Optional(draw)
    test = {
        "date": opt.date(),
        "name": opt(_opt_text(250)),
        "test": opt.term(version),
        "result_code": opt(_enum(TestResultCode, optional=True)),
        "result": opt(_OPT_QUANTITY),
        "result_text": opt(_opt_text(2000)),
        "normal_low": opt(_opt(_decimals(12, 4))),
        "normal_high": opt(_opt(_decimals(12, 4))),
        "comments": opt(_opt_text(2000)),
        "more_information": opt(_OPT_BOOL),
    }
    if _blank(test["name"]) and test["test"] is None:
        test["test"] = _term(draw, version)
    if test["result_code"] is None and test["result"] is None and _blank(test["result_text"]):
        test["result_code"] = draw(_enum(TestResultCode))
    return _compact(draw, test)


def _dosage(draw: st.DrawFn) -> dict[str, Any]:
    paired = draw(_BOOL)  # G.k.4.r.2 and G.k.4.r.3 go together
    opt = _Optional(draw)
    dosage = _compact(
        draw,
        {
            "course": opt(_opt(st.integers(1, 20))),
            "dose": opt(_OPT_QUANTITY),
            "interval_count": draw(_decimals(4, 0, "gt0")) if paired else None,
            "interval_unit": draw(_enum(IntervalUnit)) if paired else None,
            **_span(draw),
            "duration": opt(_OPT_INTERVAL),
            "batch": opt(_opt_text(35)),
            "text": opt(_opt_text(1950)),
            "dose_form": opt(_or_null("G.k.4.r.9.1", _opt_text(60))),
            "dose_form_term": opt(_opt(_TERM_ID)),
            "route": opt(_or_null("G.k.4.r.10.1", _opt_text(60))),
            "route_term": opt(_opt(_TERM_ID)),
            "parent_route": opt(_or_null("G.k.4.r.11.1", _opt_text(60))),
            "parent_route_term": opt(_opt(_TERM_ID)),
        },
    )
    batch = dosage.get("batch")
    if dosage.get("course") and batch and batch.strip() and "".join(batch.splitlines()) == batch:
        dosage["batch_expiry"] = draw(st.sampled_from((None, "2027-03", "2028-11-30")))
    return dosage


# C.4.r: a reference, sometimes with the article as base64 (and its file name).
_ATTACHMENT = st.fixed_dictionaries(
    {"data": st.from_regex(r"[A-Za-z0-9+/]{0,60}={0,2}", fullmatch=True)},
    optional={
        "media_type": st.sampled_from(["application/pdf", "text/plain"]),
        "representation": st.just("B64"),
        "file_name": st.sampled_from(["article.pdf", "ICH_ICSR_Implementation_Guide_v5_01.pdf"]),
    },
)
_LITERATURE = st.fixed_dictionaries(
    {"reference": _text(500, required=True)}, optional={"document": _ATTACHMENT}
)

# IDMP / EDQM TermIDs (G.k.4.r.9.2, 10.2, 11.2): any id text, any version, system and display.
_TERM_ID = st.fixed_dictionaries(
    {"code": st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True)},
    optional={
        "version": _opt_text(10),
        "system": st.sampled_from(["0.4.0.127.0.16.1.1.2.6", "0.4.0.127.0.16.1.1.2.1"]),
        "display": _opt_text(250),
    },
)


# Causality is nested three lists deep (drug, assessment, causality): mostly plain words.
_SOURCE = st.sampled_from(["Reporter", "Sender", "Regulator"]) | _opt_text(60)
_METHOD = st.sampled_from(["Global introspection", "WHO-UMC", "Naranjo"]) | _opt_text(60)
_RESULT = st.sampled_from(["Probable", "Possible", "Unlikely", "Related"]) | _opt_text(60)


def _causality(draw: st.DrawFn) -> dict[str, Any]:
    parts = {"source": draw(_SOURCE), "method": draw(_METHOD), "result": draw(_RESULT)}
    if all(_blank(v) for v in parts.values()):
        parts["result"] = draw(_text(60, required=True))
    return _compact(draw, parts)


def _assessment(draw: st.DrawFn, reaction_id: str) -> dict[str, Any]:
    opt = _Optional(draw)
    assessment = {
        "reaction_id": reaction_id,
        "causality": [_causality(draw) for _ in range(draw(_COUNT))],
        "time_to_onset": opt(_OPT_INTERVAL),
        "time_since_last_dose": opt(_OPT_INTERVAL),
        "recurrence": opt(_enum(Recurrence, optional=True)),
    }
    if not (
        assessment["causality"]
        or assessment["time_to_onset"]
        or assessment["time_since_last_dose"]
        or assessment["recurrence"]
    ):
        assessment["recurrence"] = draw(_enum(Recurrence))  # an empty G.k.9.i says nothing
    return _compact(draw, assessment)


def _drug(
    draw: st.DrawFn, version: str, drug_id: str, role: DrugRole, reaction_ids: list[str]
) -> dict[str, Any]:
    opt = _Optional(draw)
    number = opt(_opt_text(35))
    assessed = [rid for rid in reaction_ids if draw(_BOOL)]
    return _compact(
        draw,
        {
            "id": drug_id,
            "role": role,
            "product_name": draw(_text(250, required=True)),
            "substances": [
                _compact(draw, {"name": draw(_text(250, True)), "strength": opt(_OPT_QUANTITY)})
                for _ in range(draw(_COUNT))
            ],
            "obtained_country": opt(_OPT_COUNTRY),
            "authorisation_number": number,
            # G.k.3.2 is required with an authorisation number
            "authorisation_country": draw(_OPT_COUNTRY if _blank(number) else _COUNTRY),
            "authorisation_holder": opt(_opt_text(60)),
            "dosages": [_dosage(draw) for _ in range(draw(_COUNT))],
            "cumulative_dose": opt(_OPT_QUANTITY),
            "gestation_at_exposure": draw(_GESTATION) if draw(_COUNT) == 0 else None,
            "indications": [
                _compact(
                    draw,
                    {"text": opt(_or_null("G.k.7.r.1", _opt_text(250))), "term": opt.term(version)},
                )
                for _ in range(draw(_COUNT))
            ],
            "action_taken": opt(_enum(ActionTaken, optional=True)),
            "reactions": [_assessment(draw, rid) for rid in assessed],
            "additional_info_codes": draw(
                st.lists(_enum(AdditionalDrugInfo), unique=True, max_size=3)
            ),
            "additional_info": opt(_opt_text(2000)),
        },
    )


def _narrative(draw: st.DrawFn, version: str) -> dict[str, Any]:
    opt = _Optional(draw)
    return _compact(
        draw,
        {
            "narrative": draw(_text(100000, required=True, cap=_LONG_TEXT_CAP)),
            "reporter_comments": opt(_opt_text(20000, cap=_LONG_TEXT_CAP)),
            "sender_diagnoses": [_term(draw, version) for _ in range(draw(_COUNT))],
            "sender_comments": opt(_opt_text(20000, cap=_LONG_TEXT_CAP)),
            "summaries": [
                {"text": draw(_text(100000, True, _LONG_TEXT_CAP)), "language": draw(_LANGUAGE)}
                for _ in range(draw(_COUNT))
            ],
        },
    )


_IDS = st.lists(st.uuids(version=4).map(str), min_size=6, max_size=6, unique=True)
_ROLE = _enum(DrugRole)
_ASSESSED_ROLES = {DrugRole.SUSPECT, DrugRole.INTERACTING, DrugRole.NOT_ADMINISTERED}


@st.composite
def report_data(draw: st.DrawFn) -> dict[str, Any]:
    """Plain data (as the form or a JSON file gives it) for a report that passes every rule."""
    version = draw(_MEDDRA_VERSION)  # ICH: one MedDRA version per report
    birth = _date_after(draw, _EARLIEST) if draw(_BOOL) else None
    born = birth[0] if birth else _EARLIEST

    ids = draw(_IDS)
    reaction_ids = ids[: draw(_SOME)]
    reactions, onsets = [], []
    for reaction_id in reaction_ids:
        reaction, onset = _reaction(draw, version, reaction_id, born)
        reactions.append(reaction)
        onsets.append(onset)

    drug_ids = ids[3 : 3 + draw(_SOME)]
    roles = [draw(_ROLE) for _ in drug_ids]
    if not _ASSESSED_ROLES & set(roles):
        roles[draw(st.integers(0, len(roles) - 1))] = DrugRole.SUSPECT
    drugs = [
        _drug(draw, version, drug_id, role, reaction_ids)
        for drug_id, role in zip(drug_ids, roles, strict=True)
    ]

    pregnancy = any(r.get("guide_category") in PREGNANCY_CATEGORIES for r in reactions) or any(
        d.get("gestation_at_exposure") is not None for d in drugs
    )
    died = any(r["outcome"] is Outcome.FATAL or r["seriousness"]["death"] for r in reactions)
    latest_onset = max((o for o in onsets if o is not None), default=_EARLIEST)

    return {
        "case": _case(draw),
        "primary_sources": _primary_sources(draw),
        "sender": _sender(draw),
        "literature": draw(st.lists(_LITERATURE, max_size=2)),
        "patient": _patient(
            draw, version, birth[1] if birth else None, pregnancy, latest_onset if died else None
        ),
        "reactions": reactions,
        "tests": [_test(draw, version) for _ in range(draw(_COUNT))],
        "drugs": drugs,
        "narrative": _narrative(draw, version),
    }


# A report takes some 30 ms to draw; on a loaded machine that trips Hypothesis's too_slow
# health check, which says nothing about the code under test.
SLOW_REPORTS = [HealthCheck.too_slow]


def reports() -> st.SearchStrategy[Report]:
    """Valid reports across the whole model, built as the app builds them."""
    return report_data().map(Report.model_validate)


def icsrs() -> st.SearchStrategy[ICSR]:
    """The ICSRs those reports are sent as."""
    return reports().map(Report.for_sending)
