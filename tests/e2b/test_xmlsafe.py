"""The hardened parser refuses hostile, oversized, malformed and unreadable XML; parses the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2b import xmlsafe
from e2b.xmlsafe import (
    DEFAULT_MAX_BYTES,
    HostileXMLError,
    MalformedXMLError,
    UnreadableFileError,
    UnusableXMLError,
    XMLTooLargeError,
    parse_bytes,
    parse_file,
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<report>&secret;</report>
"""

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n'
        % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>\n"
)


def test_external_entity_is_refused_and_the_file_never_appears(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    with pytest.raises(HostileXMLError) as caught:
        parse_file(path)
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert passwd not in str(caught.value)
    assert "DOCTYPE" in str(caught.value)


def test_external_entity_in_utf16_is_refused() -> None:
    data = XXE.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    with pytest.raises(HostileXMLError):
        parse_bytes(data)


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(HostileXMLError):
        parse_bytes(BILLION_LAUGHS)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE report><report/>",
        b'<!DOCTYPE report SYSTEM "http://example.invalid/report.dtd"><report/>',
        b'<?xml version="1.0"?>\n<!-- a comment --><?pi x?>\n<!DOCTYPE report []><report/>',
    ],
    ids=["bare", "external", "after-comment-and-pi"],
)
def test_any_doctype_is_refused(data: bytes) -> None:
    with pytest.raises(HostileXMLError):
        parse_bytes(data)


def test_parsed_doctype_is_refused_even_if_the_prolog_scan_misses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xmlsafe, "_has_doctype", lambda data: False)
    with pytest.raises(HostileXMLError):
        parse_bytes(XXE)


def test_fifty_megabyte_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("wb") as handle:
        handle.write(b"<report>")
        chunk = b"x" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
        handle.write(b"</report>")
    with pytest.raises(XMLTooLargeError) as caught:
        parse_file(path)
    assert caught.value.limit == DEFAULT_MAX_BYTES
    assert caught.value.size == path.stat().st_size
    assert "50 MB" in str(caught.value)
    assert "20 MB limit" in str(caught.value)


def test_size_limit_is_an_argument() -> None:
    data = b"<report>" + b"x" * 100 + b"</report>"
    assert parse_bytes(data, max_bytes=len(data)).getroot().tag == "report"
    with pytest.raises(XMLTooLargeError):
        parse_bytes(data, max_bytes=len(data) - 1)


def test_malformed_xml_reports_line_and_column() -> None:
    with pytest.raises(MalformedXMLError) as caught:
        parse_bytes(b"<report>\n  <reaction></drug>\n</report>\n")
    assert caught.value.line == 2
    assert caught.value.column > 0
    assert "(line 2, column" in str(caught.value)
    assert "not well-formed" in str(caught.value)


def test_undeclared_entity_is_malformed_not_dropped() -> None:
    with pytest.raises(MalformedXMLError, match="nbsp"):
        parse_bytes(b"<report>&nbsp;</report>")


def test_empty_input_is_malformed() -> None:
    with pytest.raises(
        MalformedXMLError, match=r"^The XML is not well-formed: Document is empty \(line 1"
    ):
        parse_bytes(b"")


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "absent.xml"
    with pytest.raises(UnreadableFileError) as caught:
        parse_file(path)
    assert str(path) in str(caught.value)
    assert "no such file" in str(caught.value)


def test_folder_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError):
        parse_file(tmp_path)


def test_every_error_is_an_unusable_xml_value_error() -> None:
    for kind in (XMLTooLargeError, HostileXMLError, MalformedXMLError, UnreadableFileError):
        assert issubclass(kind, UnusableXMLError)
    assert issubclass(UnusableXMLError, ValueError)


def test_small_xml_parses_with_comments_and_namespaces(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<report xmlns="urn:hl7-org:v3"><!-- kept -->'
        "<reaction>Kopfschmerz &amp; Übelkeit</reaction></report>\n",
        encoding="utf-8",
    )
    tree = parse_file(path)
    root = tree.getroot()
    assert root.tag == "{urn:hl7-org:v3}report"
    assert root.findtext("{urn:hl7-org:v3}reaction") == "Kopfschmerz & Übelkeit"
    assert "kept" in str(root[0])
    assert tree.docinfo.URL is not None and tree.docinfo.URL.endswith("ok.xml")


@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda text: f"<report>{text}</report>".encode()),
    )
)
def test_any_bytes_either_parse_or_raise_an_unusable_xml_error(data: bytes) -> None:
    try:
        tree = parse_bytes(data)
    except UnusableXMLError as error:
        assert str(error).endswith(".")
    else:
        assert tree.getroot() is not None
