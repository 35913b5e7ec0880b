"""The one hardened way to parse XML that comes from outside: size limit, no DOCTYPE, no entities.

Every incoming file or upload goes through `parse_bytes` or `parse_file`; the exceptions below are
the unusable kinds, each with one sentence a CLI or page can show as it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lxml import etree

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # 20 MB: far above any real ICSR batch with attachments

_WHITESPACE = re.compile(r"[ \t\r\n]*")
_LOCATION_SUFFIX = re.compile(r",? line \d+, column \d+$")  # lxml appends it; we add our own


class UnusableXMLError(ValueError):
    """Input that cannot be read as XML at all; `str(error)` is one sentence for the user."""


class XMLTooLargeError(UnusableXMLError):
    """Input over the size limit, refused before any parsing."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            f"The XML is {_megabytes(size)} MB, which is over the {_megabytes(limit)} MB limit."
        )


class HostileXMLError(UnusableXMLError):
    """Input with a DOCTYPE: it can declare entities that read local files or expand endlessly."""

    def __init__(self) -> None:
        super().__init__(
            "The XML contains a DOCTYPE declaration, which is refused because it can define "
            "entities that read local files or expand without limit."
        )


class MalformedXMLError(UnusableXMLError):
    """Input that is not well-formed XML; `line` and `column` say where the parser stopped."""

    def __init__(self, reason: str, line: int, column: int) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(f"The XML is not well-formed: {reason} (line {line}, column {column}).")


class UnreadableFileError(UnusableXMLError):
    """A file that is missing or cannot be read."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        super().__init__(f"Cannot read {self.path}: {reason}.")


def make_parser() -> etree.XMLParser:
    """A fresh hardened lxml parser (parsers keep per-document state, so one per parse)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_bytes(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, base_url: str | None = None
) -> etree._ElementTree:
    """Parse XML held in memory; raises an `UnusableXMLError` subclass when it is unusable."""
    if len(data) > max_bytes:
        raise XMLTooLargeError(len(data), max_bytes)
    # Checked before parsing: libxml2 reads the internal subset even with resolve_entities=False,
    # and a billion-laughs subset fails there with a misleading "amplification" syntax error.
    if _has_doctype(data):
        raise HostileXMLError()
    parser = make_parser()
    try:
        root = etree.fromstring(data, parser, base_url=base_url)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        reason = _LOCATION_SUFFIX.sub("", (error.msg or "syntax error").strip())
        raise MalformedXMLError(reason, line, column) from None
    tree = root.getroottree()
    # The prolog scan cannot read every encoding; the parsed document is the final word.
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise HostileXMLError()
    return tree


def parse_file(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> etree._ElementTree:
    """Parse an XML file; its size is checked before a byte of it is parsed."""
    file_path = Path(path)
    try:
        with file_path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise XMLTooLargeError(size, max_bytes)
            # Read one byte past the limit: pipes and special files report no size.
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise UnreadableFileError(path, _os_reason(error)) from None
    if len(data) > max_bytes:
        raise XMLTooLargeError(len(data), max_bytes)
    return parse_bytes(data, max_bytes=max_bytes, base_url=file_path.resolve().as_uri())


# The prolog (declaration, comments, PIs) is short: it is scanned in the first bytes, and the whole
# input is decoded only when the prolog runs past them. A multiple of 4 keeps UTF-16/32 whole.
_PROLOG_SCAN = 4096
# A verdict this close to the end of a prefix could change with the bytes after it.
_PROLOG_MARGIN = 64


def _has_doctype(data: bytes) -> bool:
    """True when a DOCTYPE follows the XML declaration, comments and PIs of the prolog."""
    if len(data) > _PROLOG_SCAN:
        verdict = _doctype_in(_decode_for_scan(data[:_PROLOG_SCAN]), partial=True)
        if verdict is not None:
            return verdict
    return _doctype_in(_decode_for_scan(data), partial=False) is True


def _doctype_in(text: str, *, partial: bool) -> bool | None:
    """The `_has_doctype` verdict for `text`; None when `text` is a prefix too short to tell."""
    position = 0
    while True:
        match = _WHITESPACE.match(text, position)
        position = match.end() if match else position
        if partial and position + _PROLOG_MARGIN > len(text):
            return None
        if text.startswith("<?", position):
            end = text.find("?>", position + 2)
            if end < 0:
                return None if partial else False
            position = end + 2
        elif text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            if end < 0:
                return None if partial else False
            position = end + 3
        else:
            return text.startswith("<!DOCTYPE", position)


def _decode_for_scan(data: bytes) -> str:
    """The bytes as text good enough to find markup in the prolog (UTF-8/16/32 and ASCII kin)."""
    for marker, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if data.startswith(marker):
            return data.decode(encoding, errors="replace")
    # Markup characters are ASCII in UTF-8 and every single-byte encoding libxml2 accepts.
    return data.decode("latin-1")


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or str(error)).rstrip(".")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")
