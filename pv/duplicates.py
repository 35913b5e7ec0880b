"""Duplicate candidates: the same reaction reported twice, found by a scored comparison of compact
fingerprints of the patient, the events and the reporter (issue 12).

A `Fingerprint` holds only what identifies a case (it is stored beside the case as a small JSON
dict); `score` weighs each feature as evidence for or against "the same patient and the same
event" (log-odds, in the manner of Fellegi and Sunter's record linkage) and says why in an
officer's words; `Index` finds the candidates for a new case without comparing it with every
stored one.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from e2b.codelists import AgeUnit, DrugRole
from e2b.dates import Precision, bounds, precision
from e2b.model import value_of
from pv.catalogue import load_catalogue
from pv.lemtrada import PRODUCT, SUBSTANCE
from pv.model import Report

# Chosen from bench/duplicates_bench.py (5,000 synthetic cases with planted re-reports and near
# misses, seeds 11, 12, 13 and the default; also 1,500 cases): from 0.6 to 0.7 precision and
# recall were both at least 0.95 in every run (0.5 let too many near misses of the same clinic
# through, 0.75 lost re-reports without the patient's initials or age); 0.65 is the middle.
THRESHOLD = 0.65

# Onsets at most this far apart may be one event ("onset within 30 days counts").
ONSET_WINDOW_DAYS = 30
# Ages (or birth dates) further apart than this are two patients.
AGE_TOLERANCE_YEARS = 1.0

FORMAT_VERSION = 1

# ---------------------------------------------------------------- weights (log-odds)
# Without evidence either way a pair of cases is taken to be two patients: PRIOR is the log-odds
# of "the same event" before any feature is compared. Each weight below adds to it.
PRIOR = -6.0
HARD_CONFLICT = -8.0  # different sex, ages or birth dates over a year apart, no event in common
SAME_TERM_LATER = -7.0  # the same term, but onsets more than ONSET_WINDOW_DAYS apart
# Whatever else agrees, a pair with a hard conflict stays at or below this log-odds (a score of
# 0.047): two reports of one event do not differ in sex, in age by years, or in every reaction.
HARD_CONFLICT_CEILING = -3.0
SAME_ONSET_DAY = 5.0
ONSET_COMPATIBLE = 3.5  # overlapping partial dates (one given as a month only)
ONSET_NEAR_MAX = 4.4  # 1 day apart; falls linearly to ONSET_NEAR_MIN at ONSET_WINDOW_DAYS
ONSET_NEAR_MIN = 2.0
ONSET_UNKNOWN = 2.5  # the same term, an onset missing on one report
MORE_SHARED_EVENT = 1.0  # each further event in common, up to MORE_SHARED_EVENTS_MAX
MORE_SHARED_EVENTS_MAX = 2.0
SAME_INITIALS = 2.5
SIMILAR_INITIALS = 1.0
DIFFERENT_INITIALS = -3.0
SAME_SEX = 0.7
SAME_BIRTH_DATE = 4.0
BIRTH_DATES_COMPATIBLE = 2.0
BIRTH_DATES_DIFFER = -4.0  # different days within a year: a typo is possible
AGES_AGREE = 1.5
SAME_REPORTER = 1.0
SIMILAR_REPORTER = 0.7
DIFFERENT_REPORTER = -0.3  # mild: a partner may send the same case under its own name
SAME_INSTITUTION = 0.5
DIFFERENT_INSTITUTION = -0.2
SAME_BATCH = 1.0
DIFFERENT_BATCHES = -0.5
SAME_COUNTRY = 0.3
DIFFERENT_COUNTRY = -1.5

# difflib ratios of normalised names
SAME_NAME_RATIO = 0.9
SIMILAR_NAME_RATIO = 0.75

_DAYS_PER_YEAR = 365.25
_YEARS_PER_UNIT = {
    AgeUnit.DECADE: 10.0,
    AgeUnit.YEAR: 1.0,
    AgeUnit.MONTH: 1 / 12,
    AgeUnit.WEEK: 7 / _DAYS_PER_YEAR,
    AgeUnit.DAY: 1 / _DAYS_PER_YEAR,
    AgeUnit.HOUR: 1 / (24 * _DAYS_PER_YEAR),
}
# Titles and particles that vary between two spellings of one reporter's name.
_TITLES = frozenset(
    {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "doctor", "pharm"}
    | {"د", "دكتور", "دكتورة", "الدكتور", "الدكتورة", "\u0627"}  # Arabic: Dr, and "أ." of "أ.د."
)
_JOINERS = frozenset("-'\u2019`")


class FingerprintFormatError(ValueError):
    """A stored fingerprint dict this version cannot read (a newer format, or not one at all)."""


# ---------------------------------------------------------------- the fingerprint


@dataclass(frozen=True)
class Event:
    """One reaction: its MedDRA LLT code (E.i.2.1b), the PT above it when known, its onset
    (E.i.4) as reported."""

    llt: str
    pt: str | None = None
    onset: str | None = None

    @property
    def terms(self) -> frozenset[str]:
        return frozenset({self.llt} if self.pt is None else {self.llt, self.pt})

    @functools.cached_property
    def span(self) -> tuple[int, int] | None:
        """The first and last day the onset can mean, as ordinals."""
        return _span(self.onset)


@dataclass(frozen=True)
class Fingerprint:
    """What identifies a case for duplicate detection, normalised; None where not reported."""

    initials: str | None = None  # letters only, upper case
    sex: str | None = None  # D.5 code: "1" male, "2" female
    birth_date: str | None = None  # D.2.1 partial date
    age_years: float | None = None  # D.2.2 in years
    events: tuple[Event, ...] = ()
    reporter: str | None = None  # primary source's name, normalised
    institution: str | None = None  # primary source's organisation, normalised
    batches: frozenset[str] = field(default_factory=frozenset)  # LEMTRADA batches, normalised
    country: str | None = None  # primary source's country, else where the reaction occurred
    received: str | None = None  # C.1.4, date first received: no event of it began later

    @functools.cached_property
    def birth_span(self) -> tuple[int, int] | None:
        return _span(self.birth_date)

    @functools.cached_property
    def received_span(self) -> tuple[int, int] | None:
        return _span(self.received)

    @functools.cached_property
    def age(self) -> float | None:
        """Age at onset in years: as reported, else from the birth date and the first onset."""
        if self.age_years is not None:
            return self.age_years
        onsets = [e.span for e in self.events if e.span is not None]
        if self.birth_span is None or not onsets:
            return None
        born = sum(self.birth_span) / 2
        first = min(sum(s) / 2 for s in onsets)
        return (first - born) / _DAYS_PER_YEAR if first > born else None

    def block_keys(self) -> set[tuple[str, int | None]]:
        """The keys `Index` files this case under: (term, 31-day bucket) for each day an event's
        onset may have been, and (term, None) for an event without an onset."""
        keys: set[tuple[str, int | None]] = set()
        for event in self.events:
            for term in event.terms:
                if event.span is None:
                    keys.add((term, None))
                else:
                    first, last = event.span
                    keys.update((term, b) for b in range(first // _BUCKET, last // _BUCKET + 1))
        return keys

    def block_ranges(self) -> list[tuple[str, tuple[int, int] | None]]:
        """What `Index.block` looks up, for a database to do the same: per term of each event,
        the first and last bucket an onset within the window falls in (and the bucket None);
        None for an event without an onset (every case with the term)."""
        ranges: list[tuple[str, tuple[int, int] | None]] = []
        for event in self.events:
            for term in sorted(event.terms):
                if event.span is None:
                    ranges.append((term, None))
                else:
                    first = (event.span[0] - ONSET_WINDOW_DAYS) // _BUCKET
                    last = (event.span[1] + ONSET_WINDOW_DAYS) // _BUCKET
                    ranges.append((term, (first, last)))
        return ranges

    def to_json(self) -> dict[str, Any]:
        """A small dict for a JSON column; keys left out where there is no value."""
        data: dict[str, Any] = {"v": FORMAT_VERSION}
        keys = ("initials", "sex", "birth_date", "age_years", "reporter", "institution", "received")
        for key in keys:
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.country is not None:
            data["country"] = self.country
        data["events"] = [[e.llt, e.pt, e.onset] for e in self.events]
        if self.batches:
            data["batches"] = sorted(self.batches)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fingerprint:
        """The fingerprint `to_json` wrote."""
        if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
            version = data.get("v") if isinstance(data, dict) else None
            raise FingerprintFormatError(f"not a fingerprint of format {FORMAT_VERSION}: {version}")
        try:
            age = data.get("age_years")
            return cls(
                initials=data.get("initials"),
                sex=data.get("sex"),
                birth_date=data.get("birth_date"),
                age_years=None if age is None else float(age),
                events=tuple(Event(llt, pt, onset) for llt, pt, onset in data.get("events", [])),
                reporter=data.get("reporter"),
                institution=data.get("institution"),
                batches=frozenset(data.get("batches", [])),
                country=data.get("country"),
                received=data.get("received"),
            )
        except (TypeError, ValueError) as exc:
            raise FingerprintFormatError(f"unreadable fingerprint: {exc}") from exc


def fingerprint(report: Report, pt_of: Callable[[str], str | None] | None = None) -> Fingerprint:
    """The fingerprint of a report. `pt_of` maps an LLT code to its PT code (from a licensed
    MedDRA release, `pv.meddra`), so two reports coded to different LLTs of one PT still share a
    term; use it for every case or for none."""
    patient = report.patient
    sex = value_of(patient.sex)
    source = report.primary_source
    reporter = " ".join(
        p for p in map(value_of, (source.given_name, source.middle_name, source.family_name)) if p
    )
    country = value_of(source.country) or next(
        (r.country for r in report.reactions if r.country), None
    )
    return Fingerprint(
        initials=normal_initials(value_of(patient.initials)),
        sex=None if sex is None else sex.value,
        birth_date=value_of(patient.birth_date),
        age_years=_years(patient.age.value, patient.age.unit) if patient.age else None,
        events=tuple(
            Event(r.term.code, _pt(r.term.code, pt_of), value_of(r.start)) for r in report.reactions
        ),
        reporter=normal_name(reporter),
        institution=normal_name(value_of(source.organisation)),
        batches=frozenset(
            normal_batch(d.batch)
            for drug in report.drugs
            if _is_lemtrada(drug.product_name, [s.name for s in drug.substances], drug.role)
            for d in drug.dosages
            if d.batch
        ),
        country=country.upper() if country else None,
        received=report.case.first_received,
    )


def _pt(llt: str, pt_of: Callable[[str], str | None] | None) -> str | None:
    """The PT code above an LLT; None when unknown or the LLT is the PT itself."""
    pt = pt_of(llt) if pt_of is not None else None
    return pt if pt != llt else None


def _is_lemtrada(product: str, substances: list[str], role: DrugRole) -> bool:
    names = [product.casefold(), *(s.casefold() for s in substances)]
    return role is not DrugRole.CONCOMITANT and any(
        PRODUCT.casefold() in n or SUBSTANCE in n for n in names
    )


def _years(value: Decimal, unit: AgeUnit) -> float:
    return round(float(value) * _YEARS_PER_UNIT[unit], 2)


def _fold(text: str) -> str:
    """Lower-case letters (of any script) and spaces: accents dropped, other characters made
    spaces, hyphens and apostrophes inside a name joined ('Al-Qahtani' is 'alqahtani')."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch) or ch in _JOINERS:
            continue
        kept.append(ch if ch.isalpha() else " ")
    return "".join(kept)


def normal_initials(text: str | None) -> str | None:
    """'n.a.' and 'N A' are 'NA'; None when no letter is left."""
    if text is None:
        return None
    letters = "".join(ch for ch in _fold(text) if ch.isalpha()).upper()
    return letters or None


def normal_name(text: str | None) -> str | None:
    """A person's or an institution's name for comparison: folded, titles dropped, joined
    particles ('Al-Qahtani' and 'Al Qahtani' both 'alqahtani')."""
    if text is None:
        return None
    words = [w for w in _fold(text).split() if w not in _TITLES]
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] in ("al", "el", "bin", "ibn", "abu", "abd"):
            joined[-1] += word
        else:
            joined.append(word)
    return " ".join(joined) or None


def normal_batch(text: str) -> str:
    """'syn-lot 0001' and 'SYNLOT0001' are one batch."""
    return re.sub(r"[^0-9A-Z]", "", text.upper())


# ---------------------------------------------------------------- dates

_BUCKET = 31  # days per blocking bucket: an onset window of 30 days spans at most 3 of them


def _span(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        first, last = bounds(value)
    except ValueError:  # DateFormatError, or a day the calendar does not have
        return None
    return first.date().toordinal(), min(last.date(), date.max).toordinal()


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Days between two spans; 0 when they overlap."""
    return max(0, a[0] - b[1], b[0] - a[1])


def _day_precise(value: str | None) -> bool:
    return value is not None and precision(value) >= Precision.DAY


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Reason:
    """One feature compared: its weight (log-odds; negative speaks against a duplicate) and what
    an officer reads."""

    feature: str  # "patient", "age", "event", "reporter", "batch", "country"
    weight: float
    text: str
    hard: bool = False  # a hard conflict: the score stays at or below HARD_CONFLICT_CEILING

    @property
    def conflict(self) -> bool:
        return self.weight < 0


@dataclass(frozen=True)
class Match:
    """How likely two cases report the same event of the same patient, and why."""

    score: float  # 0..1
    reasons: tuple[Reason, ...]

    @property
    def agreements(self) -> list[str]:
        return [r.text for r in self.reasons if r.weight > 0]

    @property
    def conflicts(self) -> list[str]:
        return [r.text for r in self.reasons if r.conflict]

    def summary(self) -> str:
        """'0.97: same initials and sex; same MedDRA term (Immune thrombocytopenia), ...'"""
        return f"{self.score:.2f}: " + "; ".join(r.text for r in self.reasons)


def score(a: Fingerprint, b: Fingerprint) -> Match:
    """How likely `a` and `b` report the same event of the same patient, with the reasons,
    strongest first."""
    reasons = [*_patient(a, b), *_age(a, b), *_events(a, b), *_reporter(a, b), *_batch(a, b)]
    reasons.extend(_country(a, b))
    total = PRIOR + sum(r.weight for r in reasons)
    if any(r.hard for r in reasons):
        total = min(total, HARD_CONFLICT_CEILING)
    reasons.sort(key=lambda r: -abs(r.weight))
    return Match(score=_logistic(total), reasons=tuple(reasons))


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def _patient(a: Fingerprint, b: Fingerprint) -> Iterator[Reason]:
    sex = None if a.sex is None or b.sex is None else a.sex == b.sex
    if sex is False:
        yield Reason("patient", HARD_CONFLICT, "different sex", hard=True)
    initials = _initials(a.initials, b.initials)
    if initials == "same" and sex:
        yield Reason("patient", SAME_INITIALS + SAME_SEX, "same initials and sex")
        return
    if sex:
        yield Reason("patient", SAME_SEX, "same sex")
    if initials == "same":
        yield Reason("patient", SAME_INITIALS, "same initials")
    elif initials == "similar":
        yield Reason(
            "patient", SIMILAR_INITIALS, f"similar initials ({a.initials} and {b.initials})"
        )
    elif initials == "different":
        yield Reason(
            "patient", DIFFERENT_INITIALS, f"different initials ({a.initials} and {b.initials})"
        )


def _initials(a: str | None, b: str | None) -> str | None:
    """'same', 'similar' (a letter more or fewer, or in another order), 'different', or None."""
    if a is None or b is None:
        return None
    if a == b:
        return "same"
    short, long = sorted((a, b), key=len)
    if sorted(a) == sorted(b) or _is_subsequence(short, long) or short[::-1] == long:
        return "similar"
    return "different"


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def _age(a: Fingerprint, b: Fingerprint) -> Iterator[Reason]:
    if a.birth_span is not None and b.birth_span is not None:
        gap = _gap(a.birth_span, b.birth_span)
        if gap > AGE_TOLERANCE_YEARS * _DAYS_PER_YEAR:
            years = round(gap / _DAYS_PER_YEAR)
            words = f"different birth dates ({years} years apart)"
            yield Reason("age", HARD_CONFLICT, words, hard=True)
        elif gap == 0 and a.birth_date == b.birth_date and _day_precise(a.birth_date):
            yield Reason("age", SAME_BIRTH_DATE, "same birth date")
        elif gap == 0:
            yield Reason(
                "age", BIRTH_DATES_COMPATIBLE, "birth dates agree as far as both are given"
            )
        else:
            yield Reason("age", BIRTH_DATES_DIFFER, f"different birth dates ({gap} days apart)")
        return
    if a.age is None or b.age is None:
        return
    difference = abs(a.age - b.age)
    if difference > AGE_TOLERANCE_YEARS:
        yield Reason("age", HARD_CONFLICT, f"ages {difference:.0f} years apart", hard=True)
    elif (first := f"{a.age:.0f}") == (second := f"{b.age:.0f}"):
        yield Reason("age", AGES_AGREE, f"same age ({first} years)")
    else:
        yield Reason("age", AGES_AGREE, f"ages agree ({first} and {second} years)")


def _events(a: Fingerprint, b: Fingerprint) -> Iterator[Reason]:
    """The best pairing of each event of `a` with one of `b` (same term), strongest first."""
    shared: list[tuple[float, str]] = []
    gaps: list[int] = []  # the same term, onsets further apart than the window
    began_later = False  # the same term, begun after the other report was received
    for event in a.events:
        best: tuple[float, str] | None = None
        for other in b.events:
            if event.terms.isdisjoint(other.terms):
                continue
            name = _term_name(event, other)
            if event.span is None or other.span is None:
                if _began_after_received(a, event, b, other):
                    began_later = True
                    continue
                found = (ONSET_UNKNOWN, f"same MedDRA term ({name}), onset missing on one report")
            else:
                gap = _gap(event.span, other.span)
                if gap > ONSET_WINDOW_DAYS:
                    gaps.append(gap)
                    continue
                found = _onset(name, event, other, gap)
            if best is None or found[0] > best[0]:
                best = found
        if best is not None:
            shared.append(best)
    if not shared:
        if gaps:
            words = f"same MedDRA term but onsets {_days(min(gaps))} apart: a new event"
        elif began_later:
            words = "same MedDRA term, but begun after the other report was received: a new event"
        else:
            yield Reason("event", HARD_CONFLICT, "no reaction term in common", hard=True)
            return
        yield Reason("event", SAME_TERM_LATER, words, hard=True)
        return
    shared.sort(key=lambda found: -found[0])  # the strongest; of equals, the first reported
    yield Reason("event", shared[0][0], shared[0][1])
    if len(shared) > 1:
        more = min(MORE_SHARED_EVENT * (len(shared) - 1), MORE_SHARED_EVENTS_MAX)
        words = "1 more reaction" if len(shared) == 2 else f"{len(shared) - 1} more reactions"
        yield Reason("event", more, f"{words} in common")


def _began_after_received(a: Fingerprint, event: Event, b: Fingerprint, other: Event) -> bool:
    """Whether the event whose onset is known began after the other report was first received:
    that report cannot be about it."""
    if event.span is not None and b.received_span is not None:
        return event.span[0] > b.received_span[1]
    if other.span is not None and a.received_span is not None:
        return other.span[0] > a.received_span[1]
    return False


def _onset(name: str, event: Event, other: Event, gap: int) -> tuple[float, str]:
    if gap == 0:
        if event.onset == other.onset and _day_precise(event.onset):
            return SAME_ONSET_DAY, f"same MedDRA term ({name}), same onset date"
        return ONSET_COMPATIBLE, f"same MedDRA term ({name}), onsets agree as far as both are given"
    weight = ONSET_NEAR_MAX - (ONSET_NEAR_MAX - ONSET_NEAR_MIN) * (gap - 1) / (
        ONSET_WINDOW_DAYS - 1
    )
    return weight, f"same MedDRA term ({name}), onsets {_days(gap)} apart"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _term_name(event: Event, other: Event) -> str:
    common = sorted(event.terms & other.terms)
    catalogue = load_catalogue()
    for code in common:
        term = catalogue.term_by_code(code)
        if term is not None:
            return term.term
    return f"MedDRA {common[0]}"


@functools.lru_cache(maxsize=65_536)  # a log names a few hundred reporters and institutions
def _similarity(a: str, b: str) -> float:
    """difflib's ratio, also with the words sorted (given and family name swapped)."""
    if a == b:
        return 1.0
    direct = difflib.SequenceMatcher(None, a, b).ratio()
    if direct >= SAME_NAME_RATIO:
        return direct
    swapped = difflib.SequenceMatcher(
        None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    ).ratio()
    return max(direct, swapped)


def _reporter(a: Fingerprint, b: Fingerprint) -> Iterator[Reason]:
    if a.reporter is not None and b.reporter is not None:
        similarity = _similarity(a.reporter, b.reporter)
        if similarity >= SAME_NAME_RATIO:
            yield Reason("reporter", SAME_REPORTER, "same reporter")
        elif similarity >= SIMILAR_NAME_RATIO:
            yield Reason("reporter", SIMILAR_REPORTER, "reporter names spelled similarly")
        else:
            yield Reason("reporter", DIFFERENT_REPORTER, "different reporters")
    if a.institution is not None and b.institution is not None:
        if _similarity(a.institution, b.institution) >= SAME_NAME_RATIO:
            yield Reason("reporter", SAME_INSTITUTION, "same institution")
        else:
            yield Reason("reporter", DIFFERENT_INSTITUTION, "different institutions")


def _batch(a: Fingerprint, b: Fingerprint) -> Iterator[Reason]:
    if not a.batches or not b.batches:
        return
    common = a.batches & b.batches
    if common:
        yield Reason("batch", SAME_BATCH, f"same LEMTRADA batch ({', '.join(sorted(common))})")
    else:
        yield Reason("batch", DIFFERENT_BATCHES, "different LEMTRADA batches")


def _country(a: Fingerprint, b: Fingerprint) -> Iterator[Reason]:
    if a.country is None or b.country is None:
        return
    if a.country == b.country:
        yield Reason("country", SAME_COUNTRY, "same country")
    else:
        yield Reason(
            "country", DIFFERENT_COUNTRY, f"different countries ({a.country}, {b.country})"
        )


# A pair without an event in common (same term, onsets within the window or one unknown) has a
# hard conflict, so it cannot reach THRESHOLD: this is what makes blocking by event exact.
BEST_WITHOUT_SHARED_EVENT = _logistic(HARD_CONFLICT_CEILING)


# ---------------------------------------------------------------- candidates


class Index:
    """Stored fingerprints by (term, onset bucket), for `candidates` of one new case without a
    comparison with every stored case. Build it once (e.g. cached with the log) and `add` each
    new case after it is checked."""

    def __init__(self, existing: Iterable[tuple[str, Fingerprint]] = ()) -> None:
        self._cases: dict[str, Fingerprint] = {}
        self._by_key: defaultdict[tuple[str, int | None], set[str]] = defaultdict(set)
        self._by_term: defaultdict[str, set[str]] = defaultdict(set)
        for case_id, found in existing:
            self.add(case_id, found)

    def __len__(self) -> int:
        return len(self._cases)

    def __getitem__(self, case_id: str) -> Fingerprint:
        return self._cases[case_id]

    def case_ids(self) -> list[str]:
        return list(self._cases)

    def add(self, case_id: str, found: Fingerprint) -> None:
        """File a case (a case already filed is filed again under its new fingerprint)."""
        if case_id in self._cases:
            self.remove(case_id)
        self._cases[case_id] = found
        for key in found.block_keys():
            self._by_key[key].add(case_id)
        for event in found.events:
            for term in event.terms:
                self._by_term[term].add(case_id)

    def remove(self, case_id: str) -> None:
        found = self._cases.pop(case_id, None)
        if found is None:
            return
        for key in found.block_keys():
            self._by_key[key].discard(case_id)
        for event in found.events:
            for term in event.terms:
                self._by_term[term].discard(case_id)

    def block(self, new: Fingerprint) -> set[str]:
        """Stored cases that share an event with `new` (a term, onsets within the window or one
        unknown): the only ones that can reach the threshold."""
        found: set[str] = set()
        for event in new.events:
            for term in event.terms:
                if event.span is None:
                    found |= self._by_term.get(term, set())
                    continue
                first = (event.span[0] - ONSET_WINDOW_DAYS) // _BUCKET
                last = (event.span[1] + ONSET_WINDOW_DAYS) // _BUCKET
                for bucket in (None, *range(first, last + 1)):
                    found |= self._by_key.get((term, bucket), set())
        return found

    def candidates(self, new: Fingerprint, threshold: float = THRESHOLD) -> list[tuple[str, Match]]:
        """Stored cases scoring at least `threshold` against `new`, best first."""
        scored = [(case_id, score(new, self._cases[case_id])) for case_id in self.block(new)]
        kept = [(case_id, m) for case_id, m in scored if m.score >= threshold]
        kept.sort(key=lambda pair: (-pair[1].score, pair[0]))
        return kept


def shares_event(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether an event of `a` may be one of `b`: a term in common, onsets within the window or
    one unknown. A pair sharing none cannot reach the threshold (BEST_WITHOUT_SHARED_EVENT)."""
    for event in a.events:
        for other in b.events:
            if event.terms.isdisjoint(other.terms):
                continue
            if event.span is None or other.span is None:
                return True
            if _gap(event.span, other.span) <= ONSET_WINDOW_DAYS:
                return True
    return False


def candidates(
    new: Fingerprint,
    existing: Iterable[tuple[str, Fingerprint]] | Index,
    threshold: float = THRESHOLD,
) -> list[tuple[str, Match]]:
    """Cases of `existing` that may report the same event as `new`, best first. Given an `Index`,
    only its block is scored; given pairs, one pass scores those that share an event with `new`
    (fine for one check; for many, keep an `Index`)."""
    if isinstance(existing, Index):
        return existing.candidates(new, threshold)
    scored = ((case_id, score(new, old)) for case_id, old in existing if shares_event(new, old))
    kept = [(case_id, m) for case_id, m in scored if m.score >= threshold]
    kept.sort(key=lambda pair: (-pair[1].score, pair[0]))
    return kept


def brute_force(
    new: Fingerprint, existing: Iterable[tuple[str, Fingerprint]], threshold: float = THRESHOLD
) -> list[tuple[str, Match]]:
    """`candidates` without blocking: every pair scored (for tests and the bench)."""
    kept = [(case_id, m) for case_id, old in existing if (m := score(new, old)).score >= threshold]
    kept.sort(key=lambda pair: (-pair[1].score, pair[0]))
    return kept
