"""The ICSR model's own checks that have a fast path: the verdict must not depend on it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from e2b.model import FROM_XML, Attachment, Narrative, PrimarySource

ALLOWED = {0x09, 0x0A, 0x0D}


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in ALLOWED])
def test_every_forbidden_control_character_in_long_ascii_text_is_refused(code: int) -> None:
    text = "QUJD" * 50_000 + chr(code) + "QUJD"
    with pytest.raises(ValidationError) as caught:
        Attachment(data=text)
    assert f"U+{code:04X}" in str(caught.value)


def test_tab_and_line_breaks_in_ascii_text_are_kept() -> None:
    text = "line one\r\nline two\ttabbed\n" * 1000
    assert Attachment(data=text).data == text


@pytest.mark.parametrize("text", ["\ufffe in text", "lone \ud800 surrogate", "تقرير \x07"])
def test_non_ascii_text_takes_the_full_check(text: str) -> None:
    with pytest.raises(ValidationError):
        Attachment(data=text)


def test_text_from_parsed_xml_is_not_checked_again() -> None:
    """Required and optional texts both honour FROM_XML (pydantic passes the context only to a
    validator whose `info` has no default): the parser already refused what XML cannot hold."""
    text = "no check \x07"  # a parsed document cannot contain this: it proves the skip
    narrative = Narrative.model_validate({"narrative": text}, context={FROM_XML: True})
    assert narrative.narrative == text
    source = PrimarySource.model_validate({"city": text}, context={FROM_XML: True})
    assert source.city == text
    with pytest.raises(ValidationError):
        Narrative.model_validate({"narrative": text})
