"""ui.messages: the checks' messages in Arabic. The domain validator runs over invalid answers
(type errors, and answers valid one by one that break the rules across fields) and every
message it gives, as a clinician reads it, has its Arabic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pv.attachments import Upload, check_upload
from pv.clinical import without_elements
from pv.config import Settings
from pv.language import is_arabic
from pv.submission import check
from ui.messages import to_arabic, translated

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
REACTION_ID = "0b0c8a3e-1111-4111-8111-111111111111"

# Values of the wrong kind: blank, not a date, out of range, wrong format, too long.
BAD_VALUES: dict[str, Any] = {
    "primary_sources": [
        {"given_name": "N", "qualification": "1", "email": "bad", "country": "sa", "phone": "a!"}
    ],
    "patient": {
        "initials": "SA",
        "sex": "1",
        "age": {"value": "-3", "unit": "a"},
        "weight_kg": "900",
        "height_cm": "abc",
        "birth_date": "2030-01-01",
    },
    "reactions": [
        {
            "verbatim": " ",
            "term": {"code": "123", "version": "x"},
            "outcome": "9",
            "start": "2026-13-01",
            "end": "1800",
            "country": "Saudi",
        }
    ],
    "drugs": [
        {
            "role": "1",
            "product_name": "LEMTRADA",
            "dosages": [{"start": "March", "batch_expiry": "03/2027", "text": "x" * 3000}],
            "reactions": [{"reaction_id": "nope"}],
        },
        {"role": "2", "product_name": ""},
    ],
    "tests": [{"name": "MRI"}, {"result": {"value": "1"}}],
    "narrative": {"narrative": ""},
}

# Each value fine on its own, the whole inconsistent.
BAD_RULES: dict[str, Any] = {
    "primary_sources": [{"qualification": "1", "country": "SA", "primary_for_regulatory": True}],
    "patient": {
        "initials": "SA",
        "initials_withheld": True,
        "sex": "1",
        "birth_date": "2026-01-01",
        "last_menstrual_period": "2024-01",
        "death": {"date": "2020-01-01"},
    },
    "reactions": [
        {
            "id": REACTION_ID,
            "term": {"code": "10083842", "version": "27.1"},
            "outcome": "1",
            "start": "2025-03",
            "seriousness": {"death": True},
            "guide_category": "pregnancy_exposure",
        },
        {
            "term": {"code": "10083842", "version": "26.0"},
            "outcome": "3",
            "start": "2031-03",
            "end": "2025-04",
        },
    ],
    "drugs": [
        {
            "role": "1",
            "product_name": "LEMTRADA",
            "dosages": [{"start": "2025-06-01", "batch_expiry": "2027-03"}],
            "reactions": [{"reaction_id": REACTION_ID}, {"reaction_id": REACTION_ID}],
        }
    ],
    "tests": [{"result_text": "x"}],
    "narrative": {"narrative": "x"},
    "copy_to_reporter": True,
}


def messages(answers: dict[str, Any]) -> set[str]:
    """What the page shows for these answers (pv.submission.check, as the page calls it)."""
    result = check(answers, settings=Settings(), now=NOW)
    return {without_elements(f.message) for f in result.findings}


@pytest.mark.parametrize("answers", [BAD_VALUES, BAD_RULES], ids=["values", "rules"])
def test_every_message_of_the_validator_has_its_arabic(answers: dict[str, Any]) -> None:
    found = messages(answers)
    assert len(found) >= 15  # the answers do break many checks
    untranslated = sorted(m for m in found if to_arabic(m) is None)
    assert untranslated == []
    for message in found:
        arabic = translated(message, "ar")
        assert any(is_arabic(c) for c in arabic), message
        assert translated(message, "en") == message  # English: the domain's own words


def test_values_and_codes_are_kept_as_typed() -> None:
    assert to_arabic("Reaction 1: end date 2030-01 is before the start date 2031-02") == (
        "التفاعل 1: تاريخ الانتهاء 2030-01 يسبق تاريخ البدء 2031-02"
    )
    arabic = to_arabic("Reaction 1: MedDRA term (MedDRA code) must be an 8-digit MedDRA code")
    assert arabic == "التفاعل 1: مصطلح MedDRA (رمز MedDRA): يجب أن يكون رمز MedDRA من 8 أرقام"
    assert to_arabic("Drug 1, dosage 2: dosage text is too long (at most 2000 characters)") == (
        "الدواء 1، الجرعة 2: نص الجرعة طويل جدًا (الحد الأقصى 2000 حرفًا)"
    )


def test_an_unknown_message_stays_english() -> None:
    message = "Reaction 1: something no table knows"
    assert to_arabic(message) is None
    assert translated(message, "ar") == message


def test_why_a_file_was_not_attached_in_arabic() -> None:
    pdf = b"%PDF-1.4 synthetic"
    accepted = [Upload(name="ecg.pdf", data=pdf, media_type="application/pdf")]
    refusals = [
        check_upload("empty.pdf", b""),
        check_upload("scan.pdf", b"not a pdf at all"),
        check_upload("ecg.pdf", pdf, "application/pdf", accepted),
        check_upload("letter.png", pdf, "image/png"),
    ]
    for refusal in refusals:
        assert not isinstance(refusal, Upload)
        arabic = to_arabic(refusal.message)
        assert arabic is not None, refusal.message
        assert any(is_arabic(c) for c in arabic)
