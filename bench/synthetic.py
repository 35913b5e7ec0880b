"""Deterministic synthetic report inputs for benchmarks: the golden cases, varied by a seeded RNG.

Every input is plain data as the form would submit it; `generate` checks each one with
`pv.validation.validate_report` (the form's rules included) and raises `SyntheticInputError` if
any has an error.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from e2b.dates import Precision, bounds, precision
from pv.validation import validate_report

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_FILES = (
    *sorted((ROOT / "tests" / "fixtures" / "cases").glob("*.json")),
    ROOT / "tests" / "fixtures" / "all_fields.json",
)

# The templates are dated up to 2026-11-20; inputs are validated "as of" this day, as the tests do.
TODAY = date(2026, 11, 25)
SEED = 20261125
FIRST_NUMBER = 200001

# Keys whose string values are partial dates (e2b.dates.PartialDate) anywhere in the report.
_DATE_KEYS = frozenset(
    {"start", "end", "date", "birth_date", "last_menstrual_period", "first_received", "most_recent"}
)
_FATAL = "5"
_NON_FATAL_OUTCOMES = ("0", "1", "2", "3", "4")

# Free text the reporter may type: Arabic, and characters that are markup in XML.
_ARABIC = (
    "ملاحظة الطبيب: تمت متابعة المريض شهريًا مع فحوص الدم والبول.",
    "أبلغ الطبيب عن تحسن تدريجي بعد العلاج، ولا توجد أدوية أخرى مشتبه بها.",
    "تلقى المريض الدورة العلاجية من ليمترادا (ألمتوزوماب) في المستشفى.",
)
_MARKUP = (
    'Lab note: value <50 & rising; "see <report>" & 1 < 2 > 0.',
    "Typed by the reporter: <b>bold</b> <script>alert('x')</script> &amp; &lt; ]]> <!-- -->",
    "Quotes \"double\" and 'single', an ampersand & and <angle brackets>.",
)
_FILLER = (
    "At follow-up the patient remained under the monthly monitoring the LEMTRADA guide requires.",
    "Complete blood count, serum creatinine and urinalysis were repeated; see the tests section.",
    "The reporter was contacted for further information; no new medicines had been started.",
    "Thyroid function was checked every three months as planned.",
    "The patient was counselled again about the symptoms of autoimmune conditions.",
    *_ARABIC,
    *_MARKUP,
)


class SyntheticInputError(RuntimeError):
    """A generated input that `validate_report` refuses: a bug in this generator."""


def load_templates() -> list[dict[str, Any]]:
    """The golden report inputs (tests/fixtures), as plain data."""
    templates: list[dict[str, Any]] = []
    for path in TEMPLATE_FILES:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        templates.append(data)
    return templates


def generate(
    count: int, seed: int = SEED, first_number: int = FIRST_NUMBER, today: date = TODAY
) -> list[dict[str, Any]]:
    """`count` varied, valid report inputs; the same seed gives the same inputs."""
    rng = random.Random(seed)
    templates = load_templates()
    concomitant_pool = [
        drug
        for template in templates
        for drug in template["drugs"]
        if drug["role"] == "2" and drug.get("dosages")
    ]
    inputs = [
        _vary(rng.choice(templates), rng, first_number + i, concomitant_pool) for i in range(count)
    ]
    check_inputs(inputs, today)
    return inputs


def check_inputs(inputs: list[dict[str, Any]], today: date = TODAY) -> None:
    """Raise `SyntheticInputError` naming every input that has a validation error."""
    problems: list[str] = []
    for data in inputs:
        result = validate_report(data, today=today)
        errors = [f for f in result.findings if f.severity == "error"]
        if result.report is None or errors:
            case_id = data["case"]["sender_report_id"]
            problems.extend(f"{case_id}: {f.line()}" for f in errors or result.findings)
    if problems:
        shown = "\n".join(problems[:20])
        raise SyntheticInputError(
            f"{len(problems)} validation error(s) in generated inputs:\n{shown}"
        )


# ---------------------------------------------------------------- one varied report


def _vary(
    template: dict[str, Any], rng: random.Random, number: int, pool: list[dict[str, Any]]
) -> dict[str, Any]:
    data = copy.deepcopy(template)
    version, codes = _meddra_codes(template)
    days_back = rng.randint(0, 730)

    case_id = f"SA-LEMTRADAPV-{number}"
    data["case"]["sender_report_id"] = case_id
    data["case"]["worldwide_case_id"] = case_id
    created = datetime.fromisoformat(data["case"]["created_at"]) - timedelta(days=days_back)
    data["case"]["created_at"] = created.isoformat()

    patient = data["patient"]
    patient["initials"] = "".join(rng.choice("ABCDEFGHIKLMNRSTW") for _ in range(2))
    age = patient.get("age")
    if age and age["unit"] == "a":
        age["value"] = int(age["value"]) + rng.randint(-3, 3)

    new_ids = _reactions(data, rng, version, codes)
    _tests(data, rng, version, codes)
    _drugs(data, rng, pool, new_ids)
    _narrative(data, rng)
    _shift_dates(data, days_back)
    return data


def _meddra_codes(template: dict[str, Any]) -> tuple[str, list[str]]:
    """The template's one MedDRA version and its codes (so a varied report keeps one version)."""
    terms = list(_terms(template))
    versions = {t["version"] for t in terms}
    if len(versions) != 1:
        raise SyntheticInputError(f"template uses MedDRA versions {sorted(versions)}, not one")
    return versions.pop(), sorted({t["code"] for t in terms})


def _terms(value: Any) -> Iterator[dict[str, str]]:
    if isinstance(value, dict):
        if set(value) == {"version", "code"}:
            yield value
        for item in value.values():
            yield from _terms(item)
    elif isinstance(value, list):
        for item in value:
            yield from _terms(item)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _reactions(
    data: dict[str, Any], rng: random.Random, version: str, codes: list[str]
) -> dict[str, list[str]]:
    """1-4 reactions: the template's first (it may be the fatal one), then its others or copies.

    Returns old reaction ID -> new IDs, so drug-reaction assessments follow their reaction.
    """
    base: list[dict[str, Any]] = data["reactions"]
    wanted = rng.randint(1, 4)
    chosen = [base[0]] + [base[i] if i < len(base) else rng.choice(base) for i in range(1, wanted)]
    reactions: list[dict[str, Any]] = []
    new_ids: dict[str, list[str]] = {}
    for i, source in enumerate(chosen):
        reaction = copy.deepcopy(source)
        if i > 0 and (
            reaction["outcome"] == _FATAL or reaction.get("seriousness", {}).get("death")
        ):
            # Death details in the template belong to its first reaction; extra ones are non-fatal.
            reaction["outcome"] = rng.choice(_NON_FATAL_OUTCOMES)
            reaction.setdefault("seriousness", {})["death"] = False
        if i >= len(base):
            reaction["term"] = {"version": version, "code": rng.choice(codes)}
            reaction["verbatim"] = f"{reaction['verbatim'][:200]} (event {i + 1})"
        if rng.random() < 0.3:
            reaction["verbatim"] = f'{reaction["verbatim"][:230]} <&> "x"'
        reaction["id"] = _uuid(rng)
        new_ids.setdefault(source["id"], []).append(reaction["id"])
        reactions.append(reaction)
    data["reactions"] = reactions
    return new_ids


def _tests(data: dict[str, Any], rng: random.Random, version: str, codes: list[str]) -> None:
    """0-8 tests drawn from the template's own, with varied values and codes."""
    pool: list[dict[str, Any]] = data.get("tests", [])
    count = rng.randint(0, 8) if pool else 0
    tests: list[dict[str, Any]] = []
    for _ in range(count):
        test = copy.deepcopy(rng.choice(pool))
        result = test.get("result")
        if result is not None:
            factor = Decimal(rng.randint(50, 150)) / 100
            result["value"] = str(
                (Decimal(str(result["value"])) * factor).quantize(Decimal("0.01"))
            )
        if test.get("test") is not None:
            test["test"] = {"version": version, "code": rng.choice(codes)}
        tests.append(test)
    data["tests"] = tests


def _drugs(
    data: dict[str, Any],
    rng: random.Random,
    pool: list[dict[str, Any]],
    new_ids: dict[str, list[str]],
) -> None:
    """The template's suspect drugs with 1-3 courses, plus 0-4 concomitant drugs from any case."""
    suspects = [copy.deepcopy(d) for d in data["drugs"] if d["role"] != "2"]
    concomitant = [copy.deepcopy(rng.choice(pool)) for _ in range(rng.randint(0, 4))]
    drugs = suspects + concomitant
    for drug in drugs:
        drug["id"] = _uuid(rng)
        links: list[dict[str, Any]] = []
        for link in drug.get("reactions", []):
            for reaction_id in new_ids.get(link["reaction_id"], []):
                links.append({**copy.deepcopy(link), "reaction_id": reaction_id})
        drug["reactions"] = links
        if drug.get("dosages"):
            drug["dosages"] = _dosages(drug["dosages"], rng)
    data["drugs"] = drugs


def _dosages(dosages: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """1-3 dosages; extra ones are copies of the first a year earlier each (never in the future).

    LEMTRADA course numbers are renumbered 1..n in date order.
    """
    wanted = rng.randint(1, 3)
    kept = [copy.deepcopy(d) for d in dosages[:wanted]]
    earlier: list[dict[str, Any]] = []
    for years in range(wanted - len(kept), 0, -1):
        extra = copy.deepcopy(kept[0])
        _shift_dates(extra, 365 * years)
        earlier.append(extra)
    out = earlier + kept
    course = 0
    for dosage in out:
        if dosage.get("course") is not None:
            course += 1
            dosage["course"] = course
        if dosage.get("batch"):
            dosage["batch"] = f"SYN-LOT-{rng.randint(1, 9999):04d}"
    return out


def _narrative(data: dict[str, Any], rng: random.Random) -> None:
    """H.1 of 200-5,000 characters, always with Arabic and XML markup characters in it."""
    narrative = data["narrative"]
    length = rng.randint(200, 5000)
    head = f"{rng.choice(_ARABIC)} {rng.choice(_MARKUP)}\n"
    text = head + narrative["narrative"]
    while len(text) < length:
        text += rng.choice(("\n\n", " ")) + rng.choice(_FILLER)
    narrative["narrative"] = text[:length].rstrip()
    if not narrative.get("summaries") and rng.random() < 0.3:
        narrative["summaries"] = [{"text": " ".join(_ARABIC), "language": "ara"}]


# ---------------------------------------------------------------- dates


def _shift_dates(value: Any, days_back: int) -> None:
    """Move every partial date in `value` back by `days_back` days, keeping its precision."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _DATE_KEYS and isinstance(item, str):
                value[key] = shift_partial_date(item, days_back)
            else:
                _shift_dates(item, days_back)
    elif isinstance(value, list):
        for item in value:
            _shift_dates(item, days_back)


def shift_partial_date(value: str, days_back: int) -> str:
    """'2026-07' moved 40 days back is '2026-05': the earliest moment moves, then is cut again."""
    moment = bounds(value)[0] - timedelta(days=days_back)
    known = precision(value)
    if known is Precision.YEAR:
        return f"{moment.year:04d}"
    if known is Precision.MONTH:
        return f"{moment.year:04d}-{moment.month:02d}"
    day = moment.date().isoformat()
    return day + value[10:]  # the time of day, if any, is unchanged
