"""ICH E2B(R3) acknowledgements: an MCCI_IN200101UV01 batch ACK, one MCCI_IN000002UV01 per ICSR.

The model, reader, writer and the acknowledgement of a received ICSR batch, with the element
numbers and XML of the ICH ICSR IG section 4 (p.143-151: ACK.M header, ACK.A batch, ACK.B.r
messages). Standalone: it imports nothing of `pv`, so it keeps its own `Finding` and HL7 times.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, cast, get_args

from lxml import etree

from e2b.findings import Finding, Severity
from e2b.mapping import (
    CODELIST_VERSION,
    HL7,
    OID_BATCH_ID,
    OID_ICH,
    OID_INTERACTION,
    OID_MESSAGE_ID,
    XSI,
)
from e2b.xmlsafe import UnusableXMLError, parse_bytes, parse_file
from e2b.xpath import select, select_one, text_of

E = etree._Element

BatchCode = Literal["AA", "AE", "AR"]  # ACK.A.4 [IG p.148]
MessageCode = Literal["CA", "CR"]  # ACK.B.r.6 [IG p.150]

ACK_TAG = f"{{{HL7}}}MCCI_IN200101UV01"
BATCH_TAG = f"{{{HL7}}}MCCI_IN200100UV01"
_XSI_TYPE = f"{{{XSI}}}type"

# Identifier roots (OIDS.md section 1). The IG gives ACK.M.1 "OID None"; FDA's ACKs use .3.20.
OID_ACK_BATCH_ID = "2.16.840.1.113883.3.989.2.1.3.20"  # ACK.M.1
OID_ACK_BATCH_SENDER = "2.16.840.1.113883.3.989.2.1.3.17"  # ACK.M.2
OID_ACK_BATCH_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.18"  # ACK.M.3
OID_ACK_LOCAL_MESSAGE = "2.16.840.1.113883.3.989.2.1.3.21"  # ACK.A.2
OID_ACK_LOCAL_REPORT = "2.16.840.1.113883.3.989.2.1.3.19"  # ACK.B.r.2
OID_ACK_MESSAGE_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.16"  # ACK.B.r.3
OID_ACK_MESSAGE_SENDER = "2.16.840.1.113883.3.989.2.1.3.15"  # ACK.B.r.4
OID_ATTENTION = OID_ICH + ".24"  # attentionLine keyWordText codes

# attentionLine keyWordText codes (list .1.24) and their displayName in the IG's examples.
MESSAGE_CREATED = "1"  # ACK.B.r.5
LOCAL_MESSAGE_NUMBER = "2"  # ACK.A.2
BATCH_SENT = "3"  # ACK.A.3
_KEYWORDS = {
    MESSAGE_CREATED: "dateOfIcsrMessageCreation",
    LOCAL_MESSAGE_NUMBER: "acknowledgementLocalMessageNumber",
    BATCH_SENT: "dateOfIcsrBatchTransmission",
}
_KEYWORD_CODES = {name: code for code, name in _KEYWORDS.items()}

TEXT_LIMIT = 250  # ACK.A.5 and ACK.B.r.7 are 250AN [IG p.148, p.150]

SCHEMA_DIR = Path(__file__).parent / "schemas" / "multicacheschemas"
ACK_XSD = SCHEMA_DIR / "MCCI_IN200101UV01.xsd"
BATCH_XSD = SCHEMA_DIR / "MCCI_IN200100UV01.xsd"


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Identifier:
    """An HL7 II: the value (@extension) and the namespace OID it is issued in (@root)."""

    extension: str | None
    root: str | None


@dataclass(frozen=True)
class MessageAck:
    """ACK.B.r: what became of one ICSR message of the acknowledged batch."""

    message_id: Identifier | None = field(metadata={"e2b": "ACK.B.r.1"})  # = N.2.r.1 / C.1.1
    receiver: Identifier = field(metadata={"e2b": "ACK.B.r.3"})  # who sent the ICSR, = N.2.r.2
    sender: Identifier = field(metadata={"e2b": "ACK.B.r.4"})  # who received it, = N.2.r.3
    icsr_created_at: datetime | None = field(metadata={"e2b": "ACK.B.r.5"})  # = N.2.r.4 / C.1.2
    code: MessageCode = field(metadata={"e2b": "ACK.B.r.6"})
    text: str | None = field(default=None, metadata={"e2b": "ACK.B.r.7"})
    local_report_number: Identifier | None = field(default=None, metadata={"e2b": "ACK.B.r.2"})


@dataclass(frozen=True)
class Acknowledgement:
    """ACK.M + ACK.A: the acknowledgement of one ICSR batch, with one ACK.B.r per ICSR message.

    Times keep the offset they were given or read with (naive when the XML had none). Messages
    are a tuple, in the order of the batch, so the whole stays immutable.
    """

    batch_id: Identifier = field(metadata={"e2b": "ACK.M.1"})
    sender: Identifier = field(metadata={"e2b": "ACK.M.2"})  # = N.1.4 of the acknowledged batch
    receiver: Identifier = field(metadata={"e2b": "ACK.M.3"})  # = N.1.3
    created_at: datetime = field(metadata={"e2b": "ACK.M.4"})
    acknowledged_batch: Identifier | None = field(metadata={"e2b": "ACK.A.1"})  # = N.1.2
    batch_sent_at: datetime | None = field(metadata={"e2b": "ACK.A.3"})  # = N.1.5
    code: BatchCode = field(metadata={"e2b": "ACK.A.4"})
    text: str | None = field(default=None, metadata={"e2b": "ACK.A.5"})
    messages: tuple[MessageAck, ...] = field(default=(), metadata={"e2b": "ACK.B"})
    local_message_number: Identifier | None = field(default=None, metadata={"e2b": "ACK.A.2"})


class AckFormatError(ValueError):
    """Well-formed XML that cannot be read as an acknowledgement; `findings` say why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.severity == "error"]
        super().__init__("; ".join(f"{f.message} ({f.element})" for f in errors))


class AckWriteError(ValueError):
    """An acknowledgement that cannot be written as schema-valid XML."""


class NotABatchError(UnusableXMLError):
    """Input to acknowledge that is not an ICSR batch and names no parties to answer."""


# ---------------------------------------------------------------- HL7 times


_TS = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})?(?P<d>\d{2})?(?P<H>\d{2})?(?P<M>\d{2})?(?P<S>\d{2})?"
    r"(?:\.(?P<f>\d+))?(?P<tz>[+-]\d{1,4})?"
)


def parse_ts(value: str) -> tuple[datetime, bool]:
    """HL7 TS -> datetime, and whether it was given to the second at least.

    Tolerant of what other systems send: no offset (naive result), an offset of hours only
    ("+09"), fractions of a second, and less precision (padded with the start of the period).
    """
    match = _TS.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"'{value}' is not an HL7 timestamp (CCYYMMDDhhmmss[+/-ZZzz])")
    g = match.groupdict()
    fraction = (g["f"] or "")[:6].ljust(6, "0")
    try:
        tz: timezone | None = None
        if g["tz"]:
            digits = g["tz"][1:]
            hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
            offset = timedelta(hours=int(hours), minutes=int(minutes))
            tz = timezone(-offset if g["tz"][0] == "-" else offset)
        moment = datetime(
            int(g["y"]),
            int(g["m"] or 1),
            int(g["d"] or 1),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
            int(fraction),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a real date and time ({exc})") from None
    return moment, g["S"] is not None


def format_ts(moment: datetime) -> str:
    """datetime -> HL7 TS to the second, with fractions if any and the offset if it has one."""
    text = moment.strftime("%Y%m%d%H%M%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    offset = moment.utcoffset()
    if offset is None:
        return text
    minutes, rest = divmod(int(offset.total_seconds()), 60)
    if rest:
        raise ValueError(f"{moment.isoformat()}: HL7 offsets are whole minutes")
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}{minutes:02d}"


# ---------------------------------------------------------------- schemas

# One compiled schema serves every thread; its error log is per call, so a validation and the
# reading of its log must not interleave with another.
_validation_lock = threading.Lock()


@functools.cache
def _compiled(path: Path) -> etree.XMLSchema:
    """An ICH schema entry point, compiled on first use and then reused by the process.

    e2b.schema holds the batch schema too, but it imports pv; this module must not.
    """
    # The relative xs:include paths resolve against the file's own URL; all of them are local.
    return etree.XMLSchema(parse_file(path))


def load_schema() -> etree.XMLSchema:
    """The acknowledgement schema (MCCI_IN200101UV01.xsd), compiled once per process."""
    return _compiled(ACK_XSD)


def _schema_errors(schema: etree.XMLSchema, node: E) -> list[etree._LogEntry]:
    with _validation_lock:
        if schema.validate(node):
            return []
        return list(schema.error_log)


def _short(entry: etree._LogEntry) -> str:
    """An XSD error as one sentence without the namespace noise."""
    return f"line {entry.line}: {entry.message.replace('{' + HL7 + '}', '')}"


def schema_findings(tree: etree._ElementTree | E) -> list[Finding]:
    """One error per violation of MCCI_IN200101UV01.xsd, and one if the root is not an ACK."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if root.tag != ACK_TAG:
        return [Finding("error", "XSD", "/*", f"the root element is {_name(root)}, not {ACK_TAG}")]
    return [
        Finding("error", "XSD", entry.path or "/", f"line {entry.line}: {entry.message}")
        for entry in _schema_errors(load_schema(), root)
    ]


# ---------------------------------------------------------------- reading


def is_acknowledgement(root: E) -> bool:
    """True for an MCCI_IN200101UV01 root: the CLI routes such files here."""
    return root.tag == ACK_TAG


def read_ack(data: bytes) -> Acknowledgement:
    """Parse with the hardened parser (no DOCTYPE, size limit) and read the acknowledgement.

    Raises an `UnusableXMLError` for input that is not XML and `AckFormatError` when a required
    item (ACK.M.1-4, ACK.A.4, ACK.B.r.3/4/6) is missing or a code is not the IG's.
    """
    return ack_from_tree(parse_bytes(data).getroot())


def ack_from_tree(root: E) -> Acknowledgement:
    """Read an already parsed acknowledgement; see `read_ack`."""
    ack, findings = _read(root)
    if ack is None:
        raise AckFormatError(findings)
    return ack


def check_ack(tree: etree._ElementTree | E) -> list[Finding]:
    """XSD findings plus what the IG asks beyond the XSD (codes, required items, 250AN texts)."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    findings = schema_findings(root)
    if root.tag == ACK_TAG:
        findings += _read(root)[1]
    return findings


class _Reader:
    """Collects findings while one ACK is read; an error means the model cannot hold it."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def note(self, severity: Severity, element: str, path: str, message: str) -> None:
        self.findings.append(Finding(severity, element, path, message))

    def required_id(self, node: E | None, element: str, path: str, what: str) -> Identifier:
        """The II at `node`; when it is missing, an error and a placeholder the caller drops."""
        found = _identifier(node)
        if found is None:
            self.note("error", element, path, f"{what} is missing")
            return Identifier(None, None)
        return found

    def time(
        self, value: str | None, element: str, path: str, what: str, *, required: bool
    ) -> datetime | None:
        if value is None:
            self.note("error" if required else "warning", element, path, f"{what} is missing")
            return None
        try:
            moment, to_second = parse_ts(value)
        except ValueError as exc:
            self.note("error", element, path, f"{what}: {exc}")
            return None
        if not to_second:
            self.note("warning", element, path, f"{what} '{value}' is not given to the second")
        return moment

    def text(self, owner: E | None, element: str, path: str, what: str) -> str | None:
        """ACK.A.5 / ACK.B.r.7: the acknowledgementDetail texts, as written, one per line."""
        texts = [text_of(t) for t in select(owner, "acknowledgementDetail/text")]
        if not texts:
            return None
        text = "\n".join(texts)
        if len(text) > TEXT_LIMIT:
            self.note("warning", element, path, f"{what} is {len(text)} characters (250AN)")
        return text

    def code(self, node: E | None, allowed: tuple[str, ...], element: str, path: str) -> str:
        value = None if node is None else node.get("typeCode")
        if value not in allowed:
            shown = "missing" if value is None else f"'{value}'"
            allowed_codes = ", ".join(allowed)
            self.note("error", element, path, f"the code is {shown}; the IG allows {allowed_codes}")
        return value or ""


def _read(root: E) -> tuple[Acknowledgement | None, list[Finding]]:
    reader = _Reader()
    if root.tag != ACK_TAG:
        reader.note("error", "ACK", "/*", f"the root element is {_name(root)}, not {ACK_TAG}")
        return None, reader.findings
    lines = _attention_lines(root)
    acknowledgement = select_one(root, "acknowledgement")
    batch_id = reader.required_id(
        select_one(root, "id"), "ACK.M.1", "id", "the acknowledgement batch number"
    )
    sender = reader.required_id(
        select_one(root, "sender/device/id"),
        "ACK.M.2",
        "sender/device/id",
        "the acknowledgement's sender",
    )
    receiver = reader.required_id(
        select_one(root, "receiver/device/id"),
        "ACK.M.3",
        "receiver/device/id",
        "the acknowledgement's receiver",
    )
    created_at = reader.time(
        _attr(select_one(root, "creationTime"), "value"),
        "ACK.M.4",
        "creationTime/@value",
        "the date of the acknowledgement",
        required=True,
    )
    batch_sent_at = reader.time(
        _attr(lines.get(BATCH_SENT), "value"),
        "ACK.A.3",
        "attentionLine/value",
        "the date of the acknowledged batch",
        required=False,
    )
    code = reader.code(acknowledgement, get_args(BatchCode), "ACK.A.4", "acknowledgement/@typeCode")
    text = reader.text(
        acknowledgement,
        "ACK.A.5",
        "acknowledgement/acknowledgementDetail/text",
        "the batch validation error",
    )
    messages = tuple(
        _read_message(m, r, reader)
        for r, m in enumerate(select(root, "MCCI_IN000002UV01"), start=1)
    )
    if reader.failed or created_at is None:
        return None, reader.findings
    ack = Acknowledgement(
        batch_id=batch_id,
        sender=sender,
        receiver=receiver,
        created_at=created_at,
        acknowledged_batch=_identifier(select_one(acknowledgement, "targetBatch/id")),
        batch_sent_at=batch_sent_at,
        code=cast(BatchCode, code),
        text=text,
        messages=messages,
        local_message_number=_identifier(lines.get(LOCAL_MESSAGE_NUMBER)),
    )
    _consistency(ack, reader)
    return ack, reader.findings


def _read_message(message: E, r: int, reader: _Reader) -> MessageAck:
    at = f"MCCI_IN000002UV01[{r}]"
    acknowledgement = select_one(message, "acknowledgement")
    return MessageAck(
        message_id=_identifier(select_one(acknowledgement, "targetMessage/id")),
        receiver=reader.required_id(
            select_one(message, "receiver/device/id"),
            "ACK.B.r.3",
            f"{at}/receiver/device/id",
            f"Message {r}: the ICSR's sender",
        ),
        sender=reader.required_id(
            select_one(message, "sender/device/id"),
            "ACK.B.r.4",
            f"{at}/sender/device/id",
            f"Message {r}: the ICSR's receiver",
        ),
        icsr_created_at=reader.time(
            _attr(_attention_lines(message).get(MESSAGE_CREATED), "value"),
            "ACK.B.r.5",
            f"{at}/attentionLine/value",
            f"Message {r}: the date of the ICSR",
            required=False,
        ),
        code=cast(
            MessageCode,
            reader.code(
                acknowledgement,
                get_args(MessageCode),
                "ACK.B.r.6",
                f"{at}/acknowledgement/@typeCode",
            ),
        ),
        text=reader.text(
            acknowledgement,
            "ACK.B.r.7",
            f"{at}/acknowledgement/acknowledgementDetail/text",
            f"Message {r}: the error or warning text",
        ),
        local_report_number=_identifier(select_one(message, "id")),
    )


def _consistency(ack: Acknowledgement, reader: _Reader) -> None:
    """ACK.A.4 against the ACK.B.r.6 codes: AA means no ICSR needs action [IG p.148]."""
    rejected = [r for r, m in enumerate(ack.messages, start=1) if m.code == "CR"]
    if ack.code == "AA" and rejected:
        reader.note(
            "warning",
            "ACK.A.4",
            "acknowledgement/@typeCode",
            f"the batch is AA, but message {rejected[0]} is CR",
        )
    if ack.code == "AE" and not rejected:
        reader.note(
            "warning",
            "ACK.A.4",
            "acknowledgement/@typeCode",
            "the batch is AE, but no message is CR",
        )


def _attention_lines(owner: E) -> dict[str, E]:
    """attentionLine values by keyWordText code (or, tolerantly, by the IG's displayName)."""
    found: dict[str, E] = {}
    for line in select(owner, "attentionLine"):
        keyword = select_one(line, "keyWordText")
        value = select_one(line, "value")
        if keyword is None or value is None:
            continue
        code = keyword.get("code") or _KEYWORD_CODES.get(keyword.get("displayName") or "")
        if code is not None:
            found.setdefault(code, value)
    return found


def _name(node: E) -> str:
    return etree.QName(node).text


def _attr(node: E | None, name: str) -> str | None:
    return None if node is None else node.get(name)


def _identifier(node: E | None) -> Identifier | None:
    """An II as written; None when absent, a nullFlavor, or empty."""
    if node is None or node.get("nullFlavor") is not None:
        return None
    extension, root = node.get("extension"), node.get("root")
    if extension is None and root is None:
        return None
    return Identifier(extension, root)


# ---------------------------------------------------------------- writing


def write_ack(ack: Acknowledgement) -> bytes:
    """The acknowledgement as MCCI_IN200101UV01 XML, checked against the ICH schema.

    Built with lxml, so no text (ACK.A.5, ACK.B.r.7) can add markup. Raises `AckWriteError` when
    a value cannot be written (a character XML cannot carry, an offset in seconds) or the result
    is not schema-valid (e.g. an id root read from elsewhere that is not an OID or UUID).
    """
    try:
        root = _build(ack)
    except ValueError as exc:
        raise AckWriteError(f"The acknowledgement cannot be written as XML: {exc}") from None
    errors = _schema_errors(load_schema(), root)
    if errors:
        raise AckWriteError(
            f"The acknowledgement does not conform to the ICH schema: {_short(errors[0])}"
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent: E, name: str, attributes: Mapping[str, str] | None = None, **more: str) -> E:
    node = etree.SubElement(parent, f"{{{HL7}}}{name}")
    for key, value in {**(attributes or {}), **more}.items():
        node.set(key, value)
    return node


def _put_id(parent: E, name: str, value: Identifier | None) -> E:
    node = _sub(parent, name)
    if value is None:
        node.set("nullFlavor", "NI")
        return node
    if value.root is not None:
        node.set("root", value.root)
    if value.extension is not None:
        node.set("extension", value.extension)
    return node


def _put_device(parent: E, role: Literal["receiver", "sender"], value: Identifier) -> None:
    holder = _sub(parent, role, typeCode="RCV" if role == "receiver" else "SND")
    _put_id(_sub(holder, "device", classCode="DEV", determinerCode="INSTANCE"), "id", value)


def _put_attention(parent: E, code: str) -> E:
    line = _sub(parent, "attentionLine")
    _sub(
        line,
        "keyWordText",
        code=code,
        codeSystem=OID_ATTENTION,
        codeSystemVersion=CODELIST_VERSION,
        displayName=_KEYWORDS[code],
    )
    return line


def _put_acknowledgement(
    parent: E, code: str, target: str, target_id: Identifier | None, text: str | None
) -> None:
    acknowledgement = _sub(parent, "acknowledgement", typeCode=code)
    _put_id(_sub(acknowledgement, target), "id", target_id)
    if text is not None:
        _sub(_sub(acknowledgement, "acknowledgementDetail"), "text").text = text


def _build(ack: Acknowledgement) -> E:
    """The IG's structure, in the schema's order (messages before the batch receiver/sender)."""
    root = etree.Element(ACK_TAG, {"ITSVersion": "XML_1.0"}, nsmap={None: HL7, "xsi": XSI})
    _put_id(root, "id", ack.batch_id)  # ACK.M.1
    created = format_ts(ack.created_at)
    _sub(root, "creationTime", value=created)  # ACK.M.4
    _sub(root, "responseModeCode", code="D")
    _sub(root, "interactionId", root=OID_INTERACTION, extension="MCCI_IN200101UV01")
    for message in ack.messages:
        item = _sub(root, "MCCI_IN000002UV01")
        _put_id(item, "id", message.local_report_number)  # ACK.B.r.2
        _sub(item, "creationTime", value=created)
        _sub(item, "interactionId", root=OID_INTERACTION, extension="MCCI_IN000002UV01")
        _sub(item, "processingCode", code="P")
        _sub(item, "processingModeCode", code="T")
        _sub(item, "acceptAckCode", code="NE")
        _put_device(item, "receiver", message.receiver)  # ACK.B.r.3
        _put_device(item, "sender", message.sender)  # ACK.B.r.4
        if message.icsr_created_at is not None:  # ACK.B.r.5
            line = _put_attention(item, MESSAGE_CREATED)
            _sub(line, "value", {_XSI_TYPE: "TS", "value": format_ts(message.icsr_created_at)})
        # ACK.B.r.6, ACK.B.r.1, ACK.B.r.7
        _put_acknowledgement(item, message.code, "targetMessage", message.message_id, message.text)
    _put_device(root, "receiver", ack.receiver)  # ACK.M.3
    _put_device(root, "sender", ack.sender)  # ACK.M.2
    if ack.local_message_number is not None:  # ACK.A.2
        line = _put_attention(root, LOCAL_MESSAGE_NUMBER)
        value = _put_id(line, "value", ack.local_message_number)
        value.set(_XSI_TYPE, "II")
    if ack.batch_sent_at is not None:  # ACK.A.3
        line = _put_attention(root, BATCH_SENT)
        _sub(line, "value", {_XSI_TYPE: "TS", "value": format_ts(ack.batch_sent_at)})
    # ACK.A.4, ACK.A.1, ACK.A.5
    _put_acknowledgement(root, ack.code, "targetBatch", ack.acknowledged_batch, ack.text)
    return root


# ---------------------------------------------------------------- JSON


def to_json(value: Any) -> Any:
    """The acknowledgement as JSON data: field names as keys, times in ISO 8601 with offset."""
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


# ---------------------------------------------------------------- acknowledging a batch


def acknowledge(
    batch_xml: bytes,
    *,
    now: datetime,
    sender_id: str | None = None,
    receiver_id: str | None = None,
    reject: str | None = None,
    message_errors: Mapping[str, str] | None = None,
    ack_id: str | None = None,
) -> Acknowledgement:
    """The acknowledgement of a received ICSR batch (MCCI_IN200100UV01).

    AA when every message loads; AE when some are CR (ICH XSD failures found in that message,
    or `message_errors`, keyed by N.2.r.1, e.g. from business rules the caller ran); AR with
    the reason when `reject` is given (every message then CR) or the batch itself is unusable:
    not XML, hostile, not a batch, or its header breaks the XSD [IG p.148: "re-send the entire
    transaction"]. `sender_id` (ACK.M.2) defaults to N.1.4 and `receiver_id` (ACK.M.3) to N.1.3,
    as the IG asks; input that cannot be read as a batch names no parties, so it is answered (AR)
    only when both are given, and otherwise its `UnusableXMLError` is raised. Texts are cut to
    250 characters (250AN) and characters XML cannot carry become U+FFFD.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone (ACK.M.4)")
    if reject is not None and not reject.strip():
        raise ValueError("a rejection needs a reason (ACK.A.5)")
    now = now.replace(microsecond=0)
    ack_id = ack_id or f"ACK-{now:%Y%m%d%H%M%S}-{hashlib.sha256(batch_xml).hexdigest()[:12]}"
    try:
        root = parse_bytes(batch_xml).getroot()
        if root.tag != BATCH_TAG:
            raise NotABatchError(f"The XML is a {_name(root)}, not an ICSR batch ({BATCH_TAG}).")
    except UnusableXMLError as error:
        if sender_id is None or receiver_id is None:
            raise
        return Acknowledgement(
            batch_id=Identifier(ack_id, OID_ACK_BATCH_ID),
            sender=Identifier(sender_id, OID_ACK_BATCH_SENDER),
            receiver=Identifier(receiver_id, OID_ACK_BATCH_RECEIVER),
            created_at=now,
            acknowledged_batch=None,
            batch_sent_at=None,
            code="AR",
            text=_limit(str(error)),
        )
    return _acknowledge_batch(
        root, now, ack_id, sender_id, receiver_id, reject, dict(message_errors or {})
    )


def _acknowledge_batch(
    root: E,
    now: datetime,
    ack_id: str,
    sender_id: str | None,
    receiver_id: str | None,
    reject: str | None,
    message_errors: dict[str, str],
) -> Acknowledgement:
    batch_sender = _extension(select_one(root, "sender/device/id"))  # N.1.3
    batch_receiver = _extension(select_one(root, "receiver/device/id"))  # N.1.4
    sender_id = sender_id or batch_receiver
    receiver_id = receiver_id or batch_sender
    if sender_id is None or receiver_id is None:
        missing = "N.1.4 (receiver)" if sender_id is None else "N.1.3 (sender)"
        raise NotABatchError(f"The batch names no {missing}, so its acknowledgement has no party.")
    messages = select(root, "PORR_IN049016UV")
    ids = [_message_id(m) for m in messages]
    unknown = sorted(set(message_errors) - {i for i in ids if i is not None})
    if unknown:
        raise ValueError(f"message_errors names {unknown[0]!r}, not an N.2.r.1 of this batch")
    schema_problems, batch_problem = _schema_problems(root, messages)
    if reject is None and batch_problem is not None:
        reject = f"The batch does not conform to the ICH schema: {batch_problem}"
    acks = []
    for r, (message, message_id) in enumerate(zip(messages, ids, strict=True)):
        problems = [
            p
            for p in (
                schema_problems.get(r),
                message_errors.get(message_id) if message_id else None,
            )
            if p
        ]
        if message_id is None:
            problems.insert(0, "The message has no identifier (N.2.r.1 / C.1.1).")
        if reject is not None and not problems:
            problems.append(f"Batch rejected: {reject}")
        acks.append(
            MessageAck(
                message_id=None if message_id is None else Identifier(message_id, OID_MESSAGE_ID),
                receiver=Identifier(
                    _extension(select_one(message, "sender/device/id")) or receiver_id,
                    OID_ACK_MESSAGE_RECEIVER,
                ),  # N.2.r.2
                sender=Identifier(
                    _extension(select_one(message, "receiver/device/id")) or sender_id,
                    OID_ACK_MESSAGE_SENDER,
                ),  # N.2.r.3
                # N.2.r.4, else C.1.2 (they must be equal)
                icsr_created_at=_time(
                    select_one(message, "creationTime | controlActProcess/effectiveTime")
                ),
                code="CR" if problems else "CA",
                text=_limit(" ".join(problems)) if problems else None,
            )
        )
    rejected = sum(1 for a in acks if a.code == "CR")
    code: BatchCode = "AR" if reject is not None else "AE" if rejected else "AA"
    text = None
    if reject is not None:
        text = _limit(reject)
    elif rejected:
        text = f"{rejected} of {len(acks)} ICSR messages rejected (CR); see ACK.B.r.7."
    batch_number = _extension(select_one(root, "id"))  # N.1.2
    return Acknowledgement(
        batch_id=Identifier(ack_id, OID_ACK_BATCH_ID),
        sender=Identifier(sender_id, OID_ACK_BATCH_SENDER),
        receiver=Identifier(receiver_id, OID_ACK_BATCH_RECEIVER),
        created_at=now,
        acknowledged_batch=None if batch_number is None else Identifier(batch_number, OID_BATCH_ID),
        batch_sent_at=_time(select_one(root, "creationTime")),  # N.1.5
        code=code,
        text=text,
        messages=tuple(acks),
    )


def _schema_problems(root: E, messages: list[E]) -> tuple[dict[int, str], str | None]:
    """XSD errors of the batch: per message (by index) and the first one outside any message.

    One validation of the whole batch; each error is placed by the top-level child its XPath
    goes through, so a bad message does not condemn the others.
    """
    errors = _schema_errors(_compiled(BATCH_XSD), root)
    if not errors:
        return {}, None
    index = {m: r for r, m in enumerate(messages)}
    by_message: dict[int, list[str]] = {}
    envelope: list[str] = []
    for entry in errors:
        top = _top_level(root, entry.path or "")
        r = None if top is None else index.get(top)
        (envelope if r is None else by_message.setdefault(r, [])).append(_short(entry))
    return (
        {r: "ICH schema: " + " ".join(texts) for r, texts in by_message.items()},
        envelope[0] if envelope else None,
    )


_STEP = re.compile(r"/[^/]+/(?:[^/:\[]+:)?([^/:\[]+)(?:\[(\d+)\])?")


def _top_level(root: E, path: str) -> E | None:
    """The child of the root an lxml error path ("/*/*[6]/..." or "/p:Root/p:Name[2]/...") is in."""
    match = _STEP.match(path)
    if match is None:
        return None
    name, position = match[1], int(match[2] or 1)
    children: Iterable[E] = (c for c in root if isinstance(c.tag, str))
    if name != "*":
        children = (c for c in children if etree.QName(c).localname == name)
    return next((c for n, c in enumerate(children, start=1) if n == position), None)


def _message_id(message: E) -> str | None:
    """N.2.r.1, or C.1.1 when the message header has none (they must be equal)."""
    own = _extension(select_one(message, "id"))
    if own:
        return own
    for case_id in select(message, "controlActProcess/subject/investigationEvent/id"):
        if case_id.get("root") == OID_MESSAGE_ID and case_id.get("extension"):
            return case_id.get("extension")
    return None


def _extension(node: E | None) -> str | None:
    value = None if node is None else node.get("extension")
    return value if value else None


def _time(node: E | None) -> datetime | None:
    value = _attr(node, "value")
    if value is None:
        return None
    try:
        return parse_ts(value)[0]
    except ValueError:
        return None  # the XSD check reports it


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _limit(text: str) -> str:
    """Text XML can carry, at most 250 characters (ACK.A.5 / ACK.B.r.7 are 250AN)."""
    text = _NOT_XML.sub("\ufffd", text)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
