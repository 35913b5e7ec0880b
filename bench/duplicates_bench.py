"""Print the precision and recall of `pv.duplicates.candidates` on synthetic cases with planted
duplicates and near misses, and the time it takes per new case.

Run from the repository root: `python bench/duplicates_bench.py [--cases N] [--threshold T]
[--scale N] [--json PATH]`. The cases arrive one by one; each is checked against all earlier
ones (through the index, as the log will) and then filed. A pair is a true duplicate when both
report the same event of the same synthetic patient. It prints numbers and met / not met
against the 0.95 targets; it does not assert.

Every case is synthetic: invented initials, birth dates and names drawn by a seeded RNG, with
the guide's MedDRA terms (pv/data); no real patient. Planted, with realistic noise:
- re-reports: the same event sent again, by the same HCP or by a partner: initials typed
  differently or missing, onset shifted by a few days or given to the month, the reporter's
  name spelled differently, an age left out, another reaction added, the batch left out;
- near misses: another patient with the same term and a similar onset (often the same clinic);
  the same patient with a new event months later; a twin-like patient (same initials and sex,
  same clinic, term and onset, another birth date).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Run as `python bench/duplicates_bench.py`, only bench/ is on sys.path; pv lives in the root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pv.catalogue import load_catalogue  # noqa: E402
from pv.duplicates import (  # noqa: E402
    THRESHOLD,
    Event,
    Fingerprint,
    Index,
    candidates,
    fingerprint,
    score,
)
from pv.model import Report  # noqa: E402

SEED = 20261130
CASES = 5_000
TARGET = 0.95  # precision and recall (issue 12)
MEDDRA_VERSION = "27.1"
FIRST_ONSET = date(2021, 1, 1)
LAST_ONSET = date(2026, 10, 31)

# Shares of the cases that are re-reports and each kind of near miss; the rest are originals.
RE_REPORTS = 0.12
OTHER_PATIENT_SAME_EVENT = 0.07
SAME_PATIENT_NEW_EVENT = 0.07
TWIN_LIKE = 0.04

# Initials skewed as in the region (M, A, S, F, N, K, H common), so that chance collisions of
# initials among thousands of patients are as frequent as they are in a real log.
INITIAL_LETTERS = "MMMMAAAASSSFFNNKKHHHRRLDTBYZOEIJW"
# fmt: off
GIVEN = (
    "Huda", "Faisal", "Amal", "Maha", "Abdullah", "Noura", "Omar", "Sara", "Khalid", "Reem",
    "Mohammed", "Fatimah", "Saad", "Lama", "Yousef", "Hessa", "Turki", "Nada", "Majed", "Aisha",
)
FAMILY = (
    "Al-Qahtani", "Al-Otaibi", "Al-Dosari", "Al-Shehri", "Al-Ghamdi", "Al-Harbi", "Al-Zahrani",
    "Al-Mutairi", "Al-Anazi", "Al-Subaie", "Haddad", "Khoury", "Nasser", "Saleh",
)
# fmt: on
# Names a second writer spells otherwise (transliteration, hyphen, order).
SPELLINGS = {
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad"),
    "Yousef": ("Yusuf", "Youssef"),
    "Fatimah": ("Fatima", "Fatma"),
    "Aisha": ("Aysha", "Aishah"),
    "Khalid": ("Khaled",),
    "Majed": ("Majid",),
    "Noura": ("Nora", "Nourah"),
    "Hessa": ("Hissah", "Hessah"),
}
COUNTRIES = ("SA",) * 17 + ("AE", "KW", "QA")
CLINICS = ("Neuroscience", "University", "Specialist", "General", "Military", "Medical")
REPORTERS_PER_CLINIC = 4
KINDS = (
    "original",
    "re-report",
    "other patient, same event",
    "same patient, new event",
    "twin-like",
)
BATCHES = tuple(f"SYN-LOT-{n:04d}" for n in range(1, 61))


@dataclass(frozen=True)
class Person:
    """A synthetic patient."""

    id: int
    initials: str
    sex: str
    birth: date
    country: str


@dataclass(frozen=True)
class Reporter:
    title: str
    given: str
    family: str
    institution: str
    country: str


@dataclass(frozen=True)
class Reaction:
    code: str
    onset: str | None


@dataclass
class Case:
    """One report as the bench writes it, with the truth: whose event it reports."""

    case_id: str
    person: Person
    event: int  # the patient's event number: one event, reported once or more
    kind: str  # "original", "re-report", or a near miss's kind
    initials: str | None
    birth_date: str | None
    age: int | None
    reporter: Reporter
    reactions: list[Reaction]
    received: date  # C.1.4
    batches: list[str] = field(default_factory=list)

    @property
    def truth(self) -> tuple[int, int]:
        return self.person.id, self.event

    def report_input(self) -> dict[str, Any]:
        """The report as plain data, as the form would submit it."""
        patient: dict[str, Any] = {"sex": self.person.sex}
        if self.initials is not None:
            patient["initials"] = self.initials
        else:
            patient["initials_withheld"] = True
        if self.birth_date is not None:
            patient["birth_date"] = self.birth_date
        if self.age is not None:
            patient["age"] = {"value": self.age, "unit": "a"}
        r = self.reporter
        return {
            "case": {
                "sender_report_id": self.case_id,
                "created_at": "2026-11-20T10:00:00+03:00",
                "first_received": self.received.isoformat(),
                "most_recent": self.received.isoformat(),
                "worldwide_case_id": self.case_id,
            },
            "primary_sources": [
                {
                    "title": r.title,
                    "given_name": r.given,
                    "family_name": r.family,
                    "organisation": r.institution,
                    "country": r.country,
                    "qualification": "1",
                }
            ],
            "patient": patient,
            "reactions": [
                {
                    "term": {"version": MEDDRA_VERSION, "code": reaction.code},
                    "start": reaction.onset,
                    "outcome": "1",
                }
                for reaction in self.reactions
            ],
            "drugs": [
                {
                    "role": "1",
                    "product_name": "LEMTRADA",
                    "substances": [{"name": "alemtuzumab"}],
                    "dosages": [
                        {"course": n, "batch": batch} for n, batch in enumerate(self.batches, 1)
                    ],
                }
            ],
            "narrative": {"narrative": "Synthetic case for the duplicate bench; no real patient."},
        }

    def fingerprint(self) -> Fingerprint:
        return fingerprint(Report.model_validate(self.report_input()))


# ---------------------------------------------------------------- the generator


class Generator:
    """Seeded synthetic cases: originals, re-reports and near misses, in arrival order."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        catalogue = load_catalogue()
        self.categories = [
            [t.code for t in c.terms] for c in catalogue.categories() if len(c.terms) >= 1
        ]
        self.symptoms = [t.code for t in catalogue.symptom_terms()]
        self.clinics: dict[str, list[list[Reporter]]] = {}
        for country in sorted(set(COUNTRIES)):
            self.clinics[country] = [
                [
                    self._reporter(f"Example {kind} Hospital", country)
                    for _ in range(REPORTERS_PER_CLINIC)
                ]
                for kind in CLINICS
            ]
        self.people = 0
        self.cases: list[Case] = []
        self.events: dict[int, int] = {}  # person id -> events so far

    def _reporter(self, institution: str, country: str) -> Reporter:
        rng = self.rng
        return Reporter("Dr", rng.choice(GIVEN), rng.choice(FAMILY), institution, country)

    def _person(self, initials: str | None = None, sex: str | None = None) -> Person:
        rng = self.rng
        self.people += 1
        letters = rng.choices(INITIAL_LETTERS, k=3 if rng.random() < 0.15 else 2)
        return Person(
            id=self.people,
            initials=initials or "".join(letters),
            sex=sex or rng.choice("12"),
            birth=date(1960, 1, 1) + timedelta(days=rng.randint(0, 45 * 365)),
            country=rng.choice(COUNTRIES),
        )

    def _day(self, low: date = FIRST_ONSET, high: date = LAST_ONSET) -> date:
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    def _onset(self, day: date) -> str | None:
        draw = self.rng.random()
        if draw < 0.03:
            return None
        return day.isoformat()[:7] if draw < 0.13 else day.isoformat()

    def _event(
        self, day: date, codes: list[str] | None = None, not_these: frozenset[str] = frozenset()
    ) -> list[Reaction]:
        """1-3 reactions of one category (or of `codes`), the first at `day`, the others within
        a few days; none of `not_these`."""
        rng = self.rng
        pool = codes or rng.choice(self.categories)
        first = rng.choice(pool)
        reactions = [Reaction(first, self._onset(day))]
        others = [
            c for c in {*pool, *rng.sample(self.symptoms, 2)} if c != first and c not in not_these
        ]
        for code in rng.sample(sorted(others), k=min(len(others), rng.choice((0, 0, 1, 2)))):
            reactions.append(Reaction(code, self._onset(day + timedelta(rng.randint(0, 5)))))
        return reactions

    def _identity(self, person: Person, day: date) -> tuple[str | None, str | None, int | None]:
        """(initials, birth date, age at onset) as one report gives them."""
        rng = self.rng
        initials = None if rng.random() < 0.08 else person.initials
        age = (day - person.birth).days // 365
        draw = rng.random()
        if draw < 0.30:
            return initials, person.birth.isoformat(), None
        if draw < 0.70:
            return initials, None, age
        if draw < 0.85:
            return initials, person.birth.isoformat(), age
        return initials, None, None

    def _batches(self) -> list[str]:
        rng = self.rng
        return [] if rng.random() < 0.2 else rng.sample(BATCHES, rng.choice((1, 1, 2)))

    def _new_case(
        self,
        kind: str,
        person: Person,
        event: int,
        reporter: Reporter,
        reactions: list[Reaction],
        day: date,
    ) -> Case:
        initials, birth, age = self._identity(person, day)
        case = Case(
            case_id=f"SA-DUPBENCH-{len(self.cases) + 1:06d}",
            person=person,
            event=event,
            kind=kind,
            initials=initials,
            birth_date=birth,
            age=age,
            reporter=reporter,
            reactions=reactions,
            received=day + timedelta(self.rng.randint(1, 60)),
            batches=self._batches(),
        )
        self.cases.append(case)
        return case

    def original(self) -> Case:
        person = self._person()
        day = self._day()
        reporter = self.rng.choice(self.rng.choice(self.clinics[person.country]))
        self.events[person.id] = 1
        return self._new_case("original", person, 1, reporter, self._event(day), day)

    def _earlier(self, kinds: tuple[str, ...] = ("original",)) -> Case:
        return self.rng.choice([c for c in self.cases[-2000:] if c.kind in kinds] or self.cases)

    def re_report(self) -> Case:
        """An earlier event sent again (its first report, with noise of its own), received
        within three months of the first."""
        rng = self.rng
        source = self._earlier(tuple(k for k in KINDS if k != "re-report"))
        case = replace(
            source,
            case_id=f"SA-DUPBENCH-{len(self.cases) + 1:06d}",
            kind="re-report",
            reactions=list(source.reactions),
            batches=list(source.batches),
            received=source.received + timedelta(rng.randint(0, 90)),
        )
        draw = rng.random()
        if draw < 0.2 and case.initials:
            case.initials = _typed_differently(case.initials, rng)
        elif draw < 0.35:
            case.initials = None
        case.reactions = [_noisy_onset(r, rng) for r in case.reactions]
        draw = rng.random()
        if draw < 0.3:
            case.reporter = _spelled_differently(case.reporter, rng)
        elif draw < 0.45:  # a partner sends it under its own name
            partner = rng.choice(GIVEN), rng.choice(FAMILY), "Example Partner Pharma"
            case.reporter = Reporter("", *partner, case.reporter.country)
        if rng.random() < 0.25:
            case.age = None
        if rng.random() < 0.25:
            day = _first_day(source)
            extra = rng.choice(self.symptoms)
            case.reactions.append(
                Reaction(extra, (day + timedelta(rng.randint(0, 10))).isoformat())
            )
        if rng.random() < 0.2:
            case.batches = []
        self.cases.append(case)
        return case

    def other_patient_same_event(self) -> Case:
        """Another patient with the same term and a similar onset, often at the same clinic."""
        rng = self.rng
        source = self._earlier()
        person = self._person()
        day = _first_day(source) + timedelta(rng.randint(-20, 20))
        reporter = (
            source.reporter
            if rng.random() < 0.5
            else rng.choice(rng.choice(self.clinics[person.country]))
        )
        reactions = [Reaction(source.reactions[0].code, self._onset(day))]
        self.events[person.id] = 1
        return self._new_case("other patient, same event", person, 1, reporter, reactions, day)

    def same_patient_new_event(self) -> Case:
        """The same patient months later: a new event (another term, or the same term again)."""
        rng = self.rng
        source = self._earlier()
        person = source.person
        day = _first_day(source) + timedelta(rng.randint(90, 720))
        old = frozenset(r.code for r in source.reactions)
        if rng.random() < 0.25:  # the same reaction again, e.g. at the next course
            codes = [source.reactions[0].code]
        else:
            codes = [c for c in rng.choice(self.categories) if c not in old] or [
                rng.choice([c for c in self.symptoms if c not in old])
            ]
        self.events[person.id] = self.events.get(person.id, 1) + 1
        event = self.events[person.id]
        return self._new_case(
            "same patient, new event",
            person,
            event,
            source.reporter,
            self._event(day, codes, old - set(codes)),
            day,
        )

    def twin_like(self) -> Case:
        """Same initials and sex, same clinic, term and onset; another birth date, given."""
        rng = self.rng
        source = rng.choice([c for c in self.cases[-2000:] if c.birth_date] or self.cases)
        base = source.person
        twin = self._person(base.initials, base.sex)
        years = rng.choice((-1, 1)) * rng.uniform(1.5, 15)
        twin = replace(twin, birth=base.birth + timedelta(days=int(years * 365.25)))
        day = _first_day(source) + timedelta(rng.randint(-10, 10))
        self.events[twin.id] = 1
        reactions = [Reaction(source.reactions[0].code, day.isoformat())]
        case = self._new_case("twin-like", twin, 1, source.reporter, reactions, day)
        case.initials, case.birth_date = base.initials, twin.birth.isoformat()
        return case


def _first_day(case: Case) -> date:
    for reaction in case.reactions:
        if reaction.onset is not None:
            return date.fromisoformat(
                reaction.onset + "-15" if len(reaction.onset) == 7 else reaction.onset
            )
    return date(2024, 6, 15)


def _typed_differently(initials: str, rng: random.Random) -> str:
    """Another way to type the same initials."""
    ways = [
        ".".join(initials) + ".",  # N.A.
        initials.lower(),
        initials[::-1],  # family name first
        initials[0] + rng.choice(INITIAL_LETTERS) + initials[1:],  # a middle initial
    ]
    if len(initials) > 2:
        ways.append(initials[0] + initials[-1])  # middle initial left out
    return rng.choice(ways)


def _noisy_onset(reaction: Reaction, rng: random.Random) -> Reaction:
    """The onset shifted by a few days, given to the month, or left out."""
    if reaction.onset is None or len(reaction.onset) < 10:
        return reaction
    draw = rng.random()
    day = date.fromisoformat(reaction.onset)
    if draw < 0.3:
        return Reaction(
            reaction.code, (day + timedelta(rng.choice((-1, 1)) * rng.randint(1, 7))).isoformat()
        )
    if draw < 0.45:
        return Reaction(reaction.code, reaction.onset[:7])
    if draw < 0.5:
        return Reaction(reaction.code, None)
    return reaction


def _spelled_differently(reporter: Reporter, rng: random.Random) -> Reporter:
    ways = [
        replace(reporter, family=reporter.family.replace("Al-", "Al ")),
        replace(reporter, family=reporter.family.replace("Al-", "Al")),
        replace(reporter, title=""),
        replace(reporter, given=reporter.family, family=reporter.given),
        replace(reporter, given=rng.choice(SPELLINGS.get(reporter.given, (reporter.given,)))),
        replace(reporter, family=reporter.family.lower(), given=reporter.given.upper()),
    ]
    return rng.choice(ways)


def generate(count: int = CASES, seed: int = SEED) -> list[Case]:
    """`count` cases in arrival order; the same seed gives the same cases."""
    generator = Generator(seed)
    makers = (
        (RE_REPORTS, generator.re_report),
        (OTHER_PATIENT_SAME_EVENT, generator.other_patient_same_event),
        (SAME_PATIENT_NEW_EVENT, generator.same_patient_new_event),
        (TWIN_LIKE, generator.twin_like),
    )
    rng = random.Random(seed + 1)
    while len(generator.cases) < count:
        if len(generator.cases) < 50:  # some originals first, for the others to refer to
            generator.original()
            continue
        draw = rng.random()
        for share, make in makers:
            if draw < share:
                make()
                break
            draw -= share
        else:
            generator.original()
    return generator.cases[:count]


# ---------------------------------------------------------------- measuring


@dataclass
class Result:
    cases: int
    kinds: dict[str, int]
    possible_pairs: int
    scored_pairs: int  # after blocking
    true_pairs: int
    threshold: float
    found: int
    true_found: int
    seconds_per_case: list[float]
    scores: list[tuple[float, bool]]  # every scored pair: (score, is a true duplicate)
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    false: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_found / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_found / self.true_pairs if self.true_pairs else 1.0

    def at(self, threshold: float) -> tuple[float, float]:
        """(precision, recall) at another threshold, from the scored pairs."""
        found = [truth for s, truth in self.scores if s >= threshold]
        precision = sum(found) / len(found) if found else 1.0
        return precision, sum(found) / self.true_pairs if self.true_pairs else 1.0


def measure(
    cases: Sequence[Case], prints: Sequence[Fingerprint] | None = None, threshold: float = THRESHOLD
) -> Result:
    """Each case checked against the earlier ones through the index, then filed."""
    prints = prints or [case.fingerprint() for case in cases]
    index = Index()
    seen: dict[tuple[int, int], list[str]] = {}
    truth_of = {case.case_id: case.truth for case in cases}
    seconds: list[float] = []
    scores: list[tuple[float, bool]] = []
    found = true_found = true_pairs = scored = 0
    missed: list[tuple[str, str, str]] = []
    false: list[tuple[str, str, str]] = []
    for case, new in zip(cases, prints, strict=True):
        started = time.perf_counter()
        hits = index.candidates(new, threshold)
        seconds.append(time.perf_counter() - started)
        block = index.block(new)
        scored += len(block)
        for case_id in block:  # the whole block, for the table of other thresholds
            match = score(new, index[case_id])
            scores.append((match.score, truth_of[case_id] == case.truth))
        same = set(seen.get(case.truth, []))
        true_pairs += len(same)
        hit_ids = {case_id for case_id, _ in hits}
        found += len(hit_ids)
        true_found += len(hit_ids & same)
        for case_id, match in hits:
            if case_id not in same:
                false.append((case.case_id, case_id, f"{case.kind}: {match.summary()}"))
        for case_id in sorted(same - hit_ids):
            match = score(new, index[case_id])
            missed.append((case.case_id, case_id, match.summary()))
        index.add(case.case_id, new)
        seen.setdefault(case.truth, []).append(case.case_id)
    kinds: dict[str, int] = {}
    for case in cases:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    return Result(
        cases=len(cases),
        kinds=kinds,
        possible_pairs=len(cases) * (len(cases) - 1) // 2,
        scored_pairs=scored,
        true_pairs=true_pairs,
        threshold=threshold,
        found=found,
        true_found=true_found,
        seconds_per_case=seconds,
        scores=scores,
        missed=missed,
        false=false,
    )


def scale(prints: Sequence[Fingerprint], size: int, queries: int = 500) -> dict[str, float]:
    """Seconds per new case against an index of `size` fingerprints (the cases' fingerprints
    repeated under new ids, with onsets moved back by whole years so each copy is another
    patient's time), and the seconds to build that index."""
    started = time.perf_counter()
    index = Index()
    n = 0
    while n < size:
        for found in prints:
            index.add(f"copy-{n}", _moved(found, n // len(prints)))
            n += 1
            if n == size:
                break
    built = time.perf_counter() - started
    timings: list[float] = []
    for new in prints[:queries]:
        started = time.perf_counter()
        index.candidates(new)
        timings.append(time.perf_counter() - started)
    stored = [(case_id, index[case_id]) for case_id in index.case_ids()]
    one_pass: list[float] = []
    for new in prints[:10]:  # `candidates` over plain pairs: one pass, no index
        started = time.perf_counter()
        candidates(new, stored)
        one_pass.append(time.perf_counter() - started)
    return {
        "size": float(size),
        "build_seconds": built,
        "median_seconds_per_case": statistics.median(timings),
        "p95_seconds_per_case": _p95(timings),
        "one_pass_median_seconds_per_case": statistics.median(one_pass),
    }


def _moved(found: Fingerprint, years: int) -> Fingerprint:
    if years == 0:
        return found

    def move(onset: str | None) -> str | None:
        if onset is None:
            return None
        return f"{int(onset[:4]) - years:04d}{onset[4:]}"

    return replace(found, events=tuple(Event(e.llt, e.pt, move(e.onset)) for e in found.events))


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


# ---------------------------------------------------------------- output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=CASES, help=f"default {CASES:,}")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--scale", type=int, default=0, help="also time an index of N cases")
    parser.add_argument("--show", type=int, default=0, help="print N missed and N false pairs")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    started = time.perf_counter()
    cases = generate(args.cases, args.seed)
    prints = [case.fingerprint() for case in cases]
    generated = time.perf_counter() - started
    result = measure(cases, prints, args.threshold)
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(result.kinds.items()))
    print(f"{result.cases:,} synthetic cases (seed {args.seed}, {generated:.1f} s): {kinds}")
    print(
        f"pairs: {result.possible_pairs:,} possible, {result.scored_pairs:,} scored after "
        f"blocking, {result.true_pairs:,} true duplicates; {result.found:,} found at threshold "
        f"{result.threshold:g}, {result.true_found:,} of them true"
    )
    for name, value in (("precision", result.precision), ("recall", result.recall)):
        verdict = "met" if value >= TARGET else "not met"
        print(f"{name} {value:.3f} (target >= {TARGET}: {verdict})")
    times = result.seconds_per_case
    print(
        f"time per new case (index growing to {result.cases:,}): median "
        f"{statistics.median(times) * 1000:.2f} ms, p95 {_p95(times) * 1000:.2f} ms, "
        f"max {max(times) * 1000:.2f} ms"
    )
    table = {t: result.at(t) for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)}
    print(
        "threshold  precision  recall\n"
        + "\n".join(f"{t:9.2f}  {p:9.3f}  {r:6.3f}" for t, (p, r) in table.items())
    )
    for label, pairs in (("missed", result.missed), ("false", result.false)):
        for new, old, why in pairs[: args.show]:
            print(f"{label}: {new} ~ {old}: {why}")
    numbers: dict[str, Any] = {
        "cases": result.cases,
        "seed": args.seed,
        "kinds": result.kinds,
        "possible_pairs": result.possible_pairs,
        "scored_pairs": result.scored_pairs,
        "true_pairs": result.true_pairs,
        "threshold": result.threshold,
        "found": result.found,
        "true_found": result.true_found,
        "precision": result.precision,
        "recall": result.recall,
        "median_seconds_per_case": statistics.median(times),
        "p95_seconds_per_case": _p95(times),
        "by_threshold": {str(t): {"precision": p, "recall": r} for t, (p, r) in table.items()},
    }
    if args.scale:
        big = scale(prints, args.scale)
        numbers["scale"] = big
        print(
            f"index of {args.scale:,} fingerprints: built in {big['build_seconds']:.1f} s; per new "
            f"case median {big['median_seconds_per_case'] * 1000:.2f} ms, p95 "
            f"{big['p95_seconds_per_case'] * 1000:.2f} ms; without the index (one pass over "
            f"the pairs) {big['one_pass_median_seconds_per_case'] * 1000:.0f} ms"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
        print(f"numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
