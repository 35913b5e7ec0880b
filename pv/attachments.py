"""Files a reporter attaches (an ECG, a discharge letter, a lab report): which are accepted, under
what names, and how they travel as C.1.6.1.r documents held by the sender (C.1.6.1.r.2, base64).

The file's type is decided by its first bytes, never by its name or the browser's word for it:
a PDF, JPEG or PNG is accepted unless its name or the browser says it is another of the three.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from e2b.findings import Finding
from e2b.model import Attachment, HeldDocument
from pv.model import Report

MB = 1024 * 1024
MAX_FILE_BYTES = 5 * MB
MAX_FILES = 5
# Base64 makes 6 MB of files 8.4 MB of XML. e2b.writer builds each ICSR with lxml without
# huge_tree, and libxml2 then refuses more than 10,000,000 bytes (measured: 7 MB of files pass,
# 7.5 MB do not); the rest leaves room for the report's own text.
MAX_TOTAL_BYTES = 6 * MB
MAX_NAME_CHARS = 100
MAX_DESCRIPTION_CHARS = 200
ELEMENT = "C.1.6.1.r.2"
PATH = "case.documents"
B64 = "B64"
DEFAULT_NAME = "document"

# Characters that mean something to a file system or a mail header, replaced in file names.
_RESERVED = re.compile(r'[\\/:*?"<>|;]')


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: how people call it, its media type and how its bytes start."""

    label: str
    media_type: str
    extensions: tuple[str, ...]
    signature: bytes
    # Other media types browsers and mail programs use for the same files.
    aliases: tuple[str, ...] = ()


PDF = FileType("PDF", "application/pdf", (".pdf",), b"%PDF-", ("application/x-pdf",))
JPEG = FileType(
    "JPEG image", "image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff", ("image/jpg", "image/pjpeg")
)
PNG = FileType("PNG image", "image/png", (".png",), b"\x89PNG\r\n\x1a\n", ("image/x-png",))
ACCEPTED: tuple[FileType, ...] = (PDF, JPEG, PNG)
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(e.lstrip(".") for t in ACCEPTED for e in t.extensions)


@dataclass(frozen=True)
class Upload:
    """An accepted file: its cleaned name, its content and the media type its content shows."""

    name: str
    data: bytes
    media_type: str
    description: str | None = None

    @cached_property
    def sha256(self) -> str:
        """The content's sha256 (hex), hashed once per upload: a draft names the file by it on
        every page run."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def title(self) -> str:
        """C.1.6.1.r.1: the reporter's description of the document, else its file name."""
        return self.description or self.name

    def with_description(self, text: str | None) -> Upload:
        cleaned = _one_line(text or "")[:MAX_DESCRIPTION_CHARS].strip()
        return Upload(self.name, self.data, self.media_type, cleaned or None)


def megabytes(size: int) -> str:
    """A size as a clinician reads it: "7.2 MB", "0.3 MB", "5 MB"."""
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


def content_type(data: bytes) -> FileType | None:
    """The accepted kind the content is, by its magic bytes; None for anything else."""
    return next((kind for kind in ACCEPTED if data.startswith(kind.signature)), None)


def _by_media_type(media_type: str | None) -> FileType | None:
    wanted = (media_type or "").split(";")[0].strip().lower()
    return next((k for k in ACCEPTED if wanted in (k.media_type, *k.aliases)), None)


def _by_extension(name: str) -> FileType | None:
    lowered = name.lower()
    return next((k for k in ACCEPTED if lowered.endswith(k.extensions)), None)


# Format characters that words need: zero-width non-joiner and joiner (Persian, Arabic, emoji).
_JOINERS = frozenset("\u200c\u200d")


def _one_line(text: str) -> str:
    """Controls, format characters (e.g. a right-to-left override that disguises an extension)
    and line breaks removed; runs of white space as one space."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        kind = unicodedata.category(char)
        if kind in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif char in _JOINERS or kind not in ("Cf", "Cs", "Co", "Cn"):
            kept.append(char)
    return " ".join("".join(kept).split())


def safe_file_name(name: str) -> str:
    """A file name for the XML title and the e-mail: no folders, controls or reserved
    characters, at most MAX_NAME_CHARS characters with the extension kept; letters of any
    script stay (an Arabic name stays Arabic)."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = _RESERVED.sub("_", _one_line(base)).strip(" .")
    if not cleaned:
        return DEFAULT_NAME
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return cleaned[:MAX_NAME_CHARS].rstrip(" .") or DEFAULT_NAME
    room = MAX_NAME_CHARS - len(extension) - 1
    return f"{stem[:room].rstrip(' .')}.{extension}"


def _refusal(message: str) -> Finding:
    return Finding("error", ELEMENT, PATH, message)


def check_upload(
    name: str,
    data: bytes,
    declared_type: str | None = None,
    accepted: Sequence[Upload] = (),
) -> Upload | Finding:
    """The file as an `Upload`, or a finding saying in plain words why it cannot be attached.

    `declared_type` is the browser's media type for the file; `accepted` the files already
    attached, for the count and total limits.
    """
    shown = safe_file_name(name)
    if not data:
        return _refusal(f"{shown} is empty; choose the file again or export it once more.")
    if len(data) > MAX_FILE_BYTES:
        return _refusal(
            f"{shown} is {megabytes(len(data))}; the limit is {megabytes(MAX_FILE_BYTES)} per "
            "file. Save a smaller copy (for example a scan at lower resolution) and attach that."
        )
    kind = content_type(data)
    if kind is None:
        return _refusal(
            f"{shown} is not a PDF, JPEG or PNG file, so it cannot be attached. Save or export "
            "it as one of these first."
        )
    named = _by_extension(shown)
    if named is not None and named is not kind:
        return _refusal(
            f"{shown} is named like {_article(named)} but its content is {_article(kind)}. "
            "Check that this is the right file; rename it or export it again."
        )
    declared = _by_media_type(declared_type)
    if declared is not None and declared is not kind:
        return _refusal(
            f"{shown} was offered by the browser as {_article(declared)} but its content is "
            f"{_article(kind)}. Check that this is the right file."
        )
    if named is None:  # no extension, or another one: the content's is added
        shown = safe_file_name(f"{shown}{kind.extensions[0]}")
    if any(u.data == data for u in accepted):
        return _refusal(f"{shown} is already attached.")
    if len(accepted) >= MAX_FILES:
        return _refusal(
            f"{shown} was not attached: at most {MAX_FILES} files can be attached to one report. "
            "Remove one to add another."
        )
    total = sum(u.size for u in accepted) + len(data)
    if total > MAX_TOTAL_BYTES:
        return _refusal(
            f"{shown} was not attached: with it the files would be {megabytes(total)} together; "
            f"the limit is {megabytes(MAX_TOTAL_BYTES)} for all files of one report."
        )
    return Upload(name=_unique(shown, accepted), data=data, media_type=kind.media_type)


def _article(kind: FileType) -> str:
    return f"a {kind.label}"


def _unique(name: str, accepted: Iterable[Upload]) -> str:
    """The name, numbered ("ecg (2).pdf") if another attached file has it already."""
    taken = {u.name.casefold() for u in accepted}
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = f"{stem[: MAX_NAME_CHARS - len(suffix) - len(extension) - 1]}{suffix}"
        candidate += f".{extension}" if dot else ""
    return candidate


# ---------------------------------------------------------------- as E2B(R3) documents


def held_documents(uploads: Iterable[Upload]) -> list[HeldDocument]:
    """C.1.6.1.r: each file as a document held by the sender with its content (C.1.6.1.r.2)."""
    return [
        HeldDocument(
            title=upload.title,
            document=Attachment(
                data=base64.b64encode(upload.data).decode("ascii"),
                media_type=upload.media_type,
                representation=B64,
                file_name=upload.name,
            ),
        )
        for upload in uploads
    ]


def with_documents(answers: dict[str, Any], uploads: Sequence[Upload]) -> dict[str, Any]:
    """A copy of the form's answers carrying the files as C.1.6.1.r (C.1.6.1 then yes), which
    `pv.submission` keeps when it adds the case header."""
    data = copy.copy(answers)
    if not uploads:
        return data
    case = dict(data.get("case") or {})
    case["additional_documents"] = True
    case["documents"] = [d.model_dump(mode="json") for d in held_documents(uploads)]
    data["case"] = case
    return data


def attached_files(report: Report) -> list[Upload]:
    """The files a report carries as C.1.6.1.r.2 content (base64, uncompressed), for the e-mail;
    a document given by its title alone, or in a form that cannot be decoded, is left out."""
    files = []
    for held in report.case.documents:
        document = held.document
        if document is None or (document.representation or "").upper() != B64:
            continue
        if document.compression:
            continue
        try:
            data = base64.b64decode(document.data, validate=False)
        except (binascii.Error, ValueError):
            continue
        kind = _by_media_type(document.media_type) or content_type(data)
        name = safe_file_name(document.file_name or held.title)
        files.append(
            Upload(
                name=name,
                data=data,
                media_type=kind.media_type if kind else "application/octet-stream",
                description=held.title if held.title != name else None,
            )
        )
    return files


__all__ = [
    "ACCEPTED",
    "ACCEPTED_EXTENSIONS",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "MB",
    "FileType",
    "Upload",
    "attached_files",
    "check_upload",
    "content_type",
    "held_documents",
    "megabytes",
    "safe_file_name",
    "with_documents",
]
