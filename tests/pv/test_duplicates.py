"""Duplicate candidates: the golden cases find themselves and their noisy copies, not near misses;
conflicts are said in words; fingerprints survive JSON; blocking loses nothing brute force finds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from bench.duplicates_bench import generate, measure
from pv.duplicates import (
    BEST_WITHOUT_SHARED_EVENT,
    THRESHOLD,
    Event,
    Fingerprint,
    FingerprintFormatError,
    Index,
    brute_force,
    candidates,
    fingerprint,
    normal_initials,
    normal_name,
    score,
)
from pv.model import Report
from tests.cases import case_names, load_case

Mutation = Callable[[dict[str, Any]], None]


def _print(data: dict[str, Any]) -> Fingerprint:
    return fingerprint(Report.model_validate(data))


@pytest.fixture(scope="module")
def golden() -> list[tuple[str, Fingerprint]]:
    return [(name, _print(load_case(name))) for name in case_names()]


def _shift(value: str, days: int) -> str:
    """A partial date moved by `days`; one given to the month becomes a day in it."""
    if len(value) == 7:
        return f"{value}-{1 + days:02d}"
    return (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat() + value[10:]


# ---------------------------------------------------------------- the golden cases


@pytest.mark.parametrize("name", case_names())
def test_a_golden_case_is_its_own_best_candidate(
    name: str, golden: list[tuple[str, Fingerprint]]
) -> None:
    own = _print(load_case(name))
    found = candidates(own, golden)
    assert [case_id for case_id, _ in found] == [name]
    assert found[0][1].score > 0.99
    assert found[0][1].score >= max(score(own, other).score for _, other in golden)
    assert found[0][1].conflicts == []
    assert "same initials and sex" in found[0][1].agreements


# Realistic noise of a second report of the same event (issue 12).
def _initials_with_dots(data: dict[str, Any]) -> None:
    data["patient"]["initials"] = ".".join(data["patient"]["initials"].lower()) + "."


def _initials_reversed(data: dict[str, Any]) -> None:
    data["patient"]["initials"] = data["patient"]["initials"][::-1]


def _initials_withheld(data: dict[str, Any]) -> None:
    del data["patient"]["initials"]
    data["patient"]["initials_withheld"] = True


def _onset_three_days_later(data: dict[str, Any]) -> None:
    for reaction in data["reactions"]:
        reaction["start"] = _shift(reaction["start"], 3)
        reaction.pop("end", None)


def _onset_to_the_month(data: dict[str, Any]) -> None:
    for reaction in data["reactions"]:
        reaction["start"] = reaction["start"][:7]
        reaction.pop("end", None)


def _reporter_spelled_otherwise(data: dict[str, Any]) -> None:
    source = data["primary_sources"][0]
    source.pop("title", None)
    source["family_name"] = source["family_name"].replace("Al-", "Al ").upper()


def _reported_by_a_partner(data: dict[str, Any]) -> None:
    source = data["primary_sources"][0]
    source.update(given_name="Lina", family_name="Haddad", organisation="Example Partner Pharma")
    for drug in data["drugs"]:
        for dosage in drug.get("dosages", []):
            dosage.pop("batch", None)
            dosage.pop("batch_expiry", None)


def _age_left_out(data: dict[str, Any]) -> None:
    data["patient"].pop("age", None)
    data["patient"].pop("age_group", None)


def _another_reaction(data: dict[str, Any]) -> None:
    first = data["reactions"][0]
    data["reactions"].append(
        {"term": {"version": "27.1", "code": "10016256"}, "start": first["start"], "outcome": "1"}
    )


NOISE: dict[str, Mutation] = {
    "initials with dots": _initials_with_dots,
    "initials reversed": _initials_reversed,
    "initials withheld": _initials_withheld,
    "onset 3 days later": _onset_three_days_later,
    "onset to the month": _onset_to_the_month,
    "reporter spelled otherwise": _reporter_spelled_otherwise,
    "a partner reports it": _reported_by_a_partner,
    "age left out": _age_left_out,
    "another reaction": _another_reaction,
}


@pytest.mark.parametrize("name", case_names())
@pytest.mark.parametrize("noise", NOISE, ids=list(NOISE))
def test_a_noisy_copy_finds_its_case_first(
    name: str, noise: str, golden: list[tuple[str, Fingerprint]]
) -> None:
    data = load_case(name)
    NOISE[noise](data)
    found = candidates(_print(data), golden)
    assert found, f"{name} with {noise} found nothing"
    assert found[0][0] == name
    assert all(case_id == name for case_id, _ in found)


def test_two_kinds_of_noise_at_once_still_find_the_case(
    golden: list[tuple[str, Fingerprint]],
) -> None:
    data = load_case("itp_course2")
    _initials_withheld(data)
    _onset_three_days_later(data)
    _reporter_spelled_otherwise(data)
    found = candidates(_print(data), golden)
    assert [case_id for case_id, _ in found] == ["itp_course2"]
    reasons = found[0][1].agreements
    assert "same MedDRA term (Immune thrombocytopenia), onsets 3 days apart" in reasons
    assert "same reporter" in reasons


# ---------------------------------------------------------------- near misses


def _another_patient(data: dict[str, Any]) -> None:
    """Same clinic, term and onset week; another patient of the same sex."""
    data["patient"]["initials"] = "KW"
    data["patient"]["age"] = {"value": data["patient"]["age"]["value"] + 9, "unit": "a"}
    for reaction in data["reactions"]:
        reaction["start"] = _shift(reaction["start"], 5)
        reaction.pop("end", None)


def _new_event_months_apart(data: dict[str, Any]) -> None:
    """The same patient with Graves' disease eight months apart."""
    first = data["reactions"][0]
    data["reactions"] = [
        {
            "id": first["id"],
            "term": {"version": "27.1", "code": "10018767"},
            "start": _shift(first["start"], -240),
            "outcome": "3",
        }
    ]
    data["patient"]["age"]["value"] -= 1
    for drug in data["drugs"]:
        drug["reactions"] = [
            r for r in drug.get("reactions", []) if r["reaction_id"] == first["id"]
        ]


def _same_term_months_later(data: dict[str, Any]) -> None:
    """The same patient, the same term, seven months later: a new episode."""
    for reaction in data["reactions"]:
        reaction["start"] = _shift(reaction["start"], -210)
        reaction.pop("end", None)


NEAR_MISSES: dict[str, Mutation] = {
    "another patient, same event": _another_patient,
    "same patient, new event": _new_event_months_apart,
    "same patient, same term months later": _same_term_months_later,
}


@pytest.mark.parametrize("miss", NEAR_MISSES, ids=list(NEAR_MISSES))
def test_a_near_miss_is_not_a_candidate(miss: str, golden: list[tuple[str, Fingerprint]]) -> None:
    data = load_case("itp_course2")
    NEAR_MISSES[miss](data)
    assert candidates(_print(data), golden) == []


def test_a_twin_like_patient_is_not_a_candidate() -> None:
    """Same initials, sex, clinic, term and onset; birth dates five years apart."""
    one = load_case("itp_course2")
    one["patient"]["birth_date"] = "1992-03-14"
    twin = load_case("itp_course2")
    twin["patient"]["birth_date"] = "1987-03-14"
    twin["patient"].pop("age")
    match = score(_print(twin), _print(one))
    assert match.score < THRESHOLD / 10
    assert "different birth dates (5 years apart)" in match.conflicts
    assert "same initials and sex" in match.agreements


# ---------------------------------------------------------------- reasons


def _itp() -> dict[str, Any]:
    return load_case("itp_course2")


@pytest.mark.parametrize(
    ("change", "conflict"),
    [
        (lambda d: d["patient"].update(sex="1"), "different sex"),
        (lambda d: d["patient"].update(age={"value": 42, "unit": "a"}), "ages 8 years apart"),
        (lambda d: d["patient"].update(initials="MK"), "different initials (MK and NA)"),
        (
            lambda d: d["primary_sources"][0].update(country="KW"),
            "different countries (KW, SA)",
        ),
    ],
    ids=["sex", "age", "initials", "country"],
)
def test_a_conflict_is_said_in_words(change: Mutation, conflict: str) -> None:
    data = _itp()
    change(data)
    match = score(_print(data), _print(_itp()))
    assert conflict in match.conflicts
    assert match.score < score(_print(_itp()), _print(_itp())).score


def _only_graves_disease(data: dict[str, Any]) -> None:
    data["reactions"] = data["reactions"][:1]
    data["reactions"][0]["term"]["code"] = "10018767"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["patient"].update(sex="1"), "different sex"),
        (lambda d: d["patient"].update(age={"value": 36, "unit": "a"}), "ages 2 years apart"),
        (_only_graves_disease, "no reaction term in common"),
    ],
    ids=["sex", "age", "no shared term"],
)
def test_a_hard_conflict_outweighs_everything_else(change: Mutation, words: str) -> None:
    data = _itp()
    change(data)
    match = score(_print(data), _print(_itp()))
    assert words in match.conflicts
    assert match.score < 0.05  # everything else agrees: a twin's copy of this report


def test_the_same_term_months_apart_says_a_new_event() -> None:
    data = _itp()
    _same_term_months_later(data)
    match = score(_print(data), _print(_itp()))
    assert "same MedDRA term but onsets 210 days apart: a new event" in match.conflicts


def test_an_exact_onset_counts_more_than_a_near_one() -> None:
    base = _print(_itp())
    weights = []
    for days in (0, 1, 10, 30, 31):
        data = _itp()
        for reaction in data["reactions"]:
            reaction["start"] = _shift(reaction["start"], days)
            reaction.pop("end", None)
        match = score(_print(data), base)
        weights.append(next(r.weight for r in match.reasons if r.feature == "event"))
    assert weights == sorted(weights, reverse=True)
    assert len(set(weights)) == 5
    assert weights[3] > 0 > weights[4]  # 30 days counts, 31 do not


def test_reasons_come_strongest_first() -> None:
    data = _itp()
    _initials_reversed(data)
    reasons = score(_print(data), _print(_itp())).reasons
    weights = [abs(r.weight) for r in reasons]
    assert weights == sorted(weights, reverse=True)
    assert reasons[0].text == "same MedDRA term (Immune thrombocytopenia), same onset date"


def test_llts_under_one_pt_share_a_term_only_with_the_pt_map() -> None:
    one = _itp()
    other = _itp()
    other["reactions"] = other["reactions"][:1]
    other["reactions"][0]["term"]["code"] = "10043555"  # another LLT, pretended under ITP's PT
    kept = other["reactions"][0]["id"]
    for drug in other["drugs"]:
        drug["reactions"] = [r for r in drug.get("reactions", []) if r["reaction_id"] == kept]

    def pt_of(code: str) -> str | None:
        return {"10043555": "10083842"}.get(code)

    without = score(_print(other), _print(one))
    assert "no reaction term in common" in without.conflicts
    report, base = Report.model_validate(other), Report.model_validate(one)
    mapped = score(fingerprint(report, pt_of), fingerprint(base, pt_of))
    assert mapped.score >= THRESHOLD
    assert mapped.reasons[0].text.startswith("same MedDRA term (Immune thrombocytopenia)")


# ---------------------------------------------------------------- normalising


@pytest.mark.parametrize("text", ["NA", "n.a.", "N A", " n-a "])
def test_initials_are_letters_in_upper_case(text: str) -> None:
    assert normal_initials(text) == "NA"


def test_initials_without_letters_are_none() -> None:
    assert normal_initials("..") is None
    assert normal_initials(None) is None


@pytest.mark.parametrize(
    "text", ["Dr Huda Al-Qahtani", "huda al qahtani", "HUDA ALQAHTANI", "Dr. Huda Al\u2011Qahtani"]
)
def test_names_fold_titles_case_and_particles(text: str) -> None:
    assert normal_name(text) == "huda alqahtani"


def test_a_name_in_arabic_script_is_kept() -> None:
    assert normal_name("د. خالد الحربي") == "خالد الحربي"


# ---------------------------------------------------------------- JSON


@pytest.mark.parametrize("name", case_names())
def test_a_fingerprint_survives_json(name: str) -> None:
    found = _print(load_case(name))
    stored = json.loads(json.dumps(found.to_json()))
    assert Fingerprint.from_json(stored) == found
    assert len(json.dumps(stored)) < 600


def test_generated_fingerprints_survive_json() -> None:
    for case in generate(200, seed=7):
        found = case.fingerprint()
        assert Fingerprint.from_json(json.loads(json.dumps(found.to_json()))) == found


@pytest.mark.parametrize(
    "stored", [{}, {"v": 99}, {"v": 1, "events": [["1", "2"]]}, {"v": 1, "age_years": "old"}, []]
)
def test_an_unreadable_fingerprint_is_refused(stored: Any) -> None:
    with pytest.raises(FingerprintFormatError):
        Fingerprint.from_json(stored)


# ---------------------------------------------------------------- blocking


def test_no_pair_without_a_shared_event_reaches_the_threshold() -> None:
    """The bound that makes blocking exact, and a pair that comes as close as one can."""
    assert BEST_WITHOUT_SHARED_EVENT < THRESHOLD

    def everything_alike(onset: str) -> Fingerprint:
        return Fingerprint(
            initials="NA",
            sex="2",
            birth_date="1990-01-01",
            events=(Event("10083842", None, onset),),
            reporter="huda alqahtani",
            institution="example hospital",
            batches=frozenset({"LOT1"}),
            country="SA",
        )

    one, later = everything_alike("2026-01-01"), everything_alike("2026-03-01")
    match = score(one, later)
    assert match.score == pytest.approx(BEST_WITHOUT_SHARED_EVENT)
    assert Index([("one", one)]).block(later) == set()


def test_blocking_finds_what_brute_force_finds() -> None:
    cases = generate(400, seed=3)
    prints = [(case.case_id, case.fingerprint()) for case in cases]
    index = Index()
    filed: list[tuple[str, Fingerprint]] = []
    compared = 0
    for case_id, new in prints:
        low = 0.1  # well below THRESHOLD, still above BEST_WITHOUT_SHARED_EVENT
        everything = brute_force(new, filed, low)
        for threshold in (THRESHOLD, low):
            expected = [(i, m) for i, m in everything if m.score >= threshold]
            assert index.candidates(new, threshold) == expected
            assert candidates(new, filed, threshold) == expected
            compared += len(expected)
        index.add(case_id, new)
        filed.append((case_id, new))
    assert compared > 50  # the generator plants enough duplicates for the comparison to mean much


def test_an_index_forgets_a_removed_case_and_refiles_a_changed_one() -> None:
    one = _print(_itp())
    index = Index([("a", one)])
    assert [case_id for case_id, _ in index.candidates(one)] == ["a"]
    index.remove("a")
    assert index.candidates(one) == [] and len(index) == 0
    moved = _itp()
    _same_term_months_later(moved)
    index.add("a", one)
    index.add("a", _print(moved))
    assert index.candidates(one) == []
    assert len(index) == 1


# ---------------------------------------------------------------- the bench, small


def test_precision_and_recall_on_a_small_bench() -> None:
    result = measure(generate(1500, seed=11))
    assert result.true_pairs > 100
    assert result.precision >= 0.95, result.false[:5]
    assert result.recall >= 0.95, result.missed[:5]


def test_an_event_begun_after_the_other_report_was_received_is_a_new_one() -> None:
    """The first report gives no onset; a second, with the same term, began after the first was
    received (2026-10-14): it cannot be the first report's event."""
    first = _itp()
    for reaction in first["reactions"]:
        reaction.pop("start")
        reaction.pop("end", None)
    later = _itp()
    for reaction in later["reactions"]:
        reaction["start"] = "2026-11-02"
        reaction.pop("end", None)
    later["case"]["first_received"] = "2026-11-10"
    match = score(_print(later), _print(first))
    words = "same MedDRA term, but begun after the other report was received: a new event"
    assert words in match.conflicts
    assert match.score < 0.05
    later["case"]["first_received"] = first["case"]["first_received"]
    for reaction in later["reactions"]:
        reaction["start"] = "2026-10-03"
    match = score(_print(later), _print(first))
    assert match.score >= THRESHOLD
    assert "same MedDRA term (Immune thrombocytopenia), onset missing on one report" in (
        match.agreements
    )
