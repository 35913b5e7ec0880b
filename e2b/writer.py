"""ICSR model -> ICH E2B(R3) XML: an MCCI_IN200100UV01 batch of PORR_IN049016UV messages.

The XML is rendered from templates/icsr.xml.j2 with every value escaped and parsed back, message
by message, by the hardened lxml parser: no user text can change the structure, and the result is
well-formed (the model has already refused characters XML cannot carry). Element order follows
the ICH schema (checked by the XSD in tests); codes and OIDs come from `e2b.mapping` and
`e2b.codelists`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.compiler import CodeGenerator, Frame
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import Expr
from lxml import etree
from markupsafe import Markup

from e2b import mapping
from e2b.codelists import codelist_oid
from e2b.dates import datetime_to_hl7, to_hl7
from e2b.findings import Finding
from e2b.model import ICSR, Dosage, Null, Reaction, Seriousness, TermId
from e2b.schema import load_schema, schema_findings
from e2b.xmlsafe import make_parser

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE = "icsr.xml.j2"


@dataclass(frozen=True)
class BatchHeader:
    """N.1 transmission identifiers; they come from configuration, not from the report. The
    message header (N.2.r) takes its sender and receiver from here unless the report's
    `message_header` says otherwise. Each field names its element in its metadata."""

    batch_id: str = field(metadata={"e2b": "N.1.2"})
    sender_id: str = field(metadata={"e2b": "N.1.3"})  # and N.2.r.2 by default
    receiver_id: str = field(metadata={"e2b": "N.1.4"})  # and N.2.r.3 by default
    created_at: datetime = field(metadata={"e2b": "N.1.5"})
    # N.1.1: 1 = ichicsr, the only type of message an ICSR batch has
    message_type: str = field(default="1", metadata={"e2b": "N.1.1"})


def build_batch(reports: Sequence[ICSR], header: BatchHeader) -> etree._Element:
    """The MCCI_IN200100UV01 batch element for one or more reports."""
    parts = _template_parts()
    # One parser for the whole batch, fed a message at a time: the text of a large batch is
    # never held at once, and the tree needs no moving between documents.
    parser = make_parser()
    parser.feed(parts["batch_start"](header).encode())
    for report in reports:
        parser.feed(parts["message"](report, header).encode())
    parser.feed(parts["batch_end"](header).encode())
    root: etree._Element = parser.close()
    return root


def render_message(report: ICSR, header: BatchHeader) -> str:
    """One PORR_IN049016UV message as text, for a batch that streams messages (unchecked)."""
    return _template_parts()["message"](report, header)


def render_envelope(header: BatchHeader) -> tuple[str, str]:
    """The batch's text before and after its messages (unchecked)."""
    parts = _template_parts()
    return parts["batch_start"](header), parts["batch_end"](header)


def to_xml(reports: Sequence[ICSR], header: BatchHeader) -> bytes:
    """Serialised batch, UTF-8 with declaration, indented for people who open the file."""
    return _serialise(build_batch(reports, header))


def to_checked_xml(reports: Sequence[ICSR], header: BatchHeader) -> tuple[bytes, list[Finding]]:
    """`to_xml` and its XSD findings, from one render and one parse: our own output's check.

    The ICH rule layer (e2b.rules) is not run again here: the reports are validated models, and
    tests prove that every valid model's XML passes those rules (tests/e2b/test_writer.py,
    test_roundtrip.py). Files from elsewhere go through e2b.validate: XSD and rules.
    """
    root = build_batch(reports, header)
    # The XSD on the tree just parsed: validating inside the parser (XMLParser(schema=...))
    # measured 12% slower, and it stops at the first error instead of listing them all.
    return _serialise(root), schema_findings(root)


def prepare() -> None:
    """Compile the template and the XSD now, so a server's first file is built as fast as the
    rest (cold, the two take ~120 ms; warm, a whole build and check takes ~5 ms)."""
    _template_parts()
    load_schema()


def _serialise(root: etree._Element) -> bytes:
    """libxml2's pretty printer: the bytes etree.indent + tostring gave, at half the cost.

    It adds whitespace only inside elements that hold elements and no text, which the XSD
    ignores, so the tree validated before serialising is the file's tree. The newline it puts
    after the root element was never part of our files.
    """
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return bytes(data).removesuffix(b"\n")


# ---------------------------------------------------------------- filters the template uses


def uri_part(value: str) -> str:
    """Percent-encode what a mailto:/tel: URL cannot hold as is (HL7 TEL is a URL)."""
    return quote(value, safe="@+-._()/ ")


def _constant(name: str) -> Any:
    """`"Obs.REACTION"|mapping`: a name from e2b.mapping, dots allowed."""
    value: Any = mapping
    for part in name.split("."):
        value = getattr(value, part)
    return value


def _effective_time(item: Reaction | Dosage) -> list[tuple[str, str | None, str]]:
    """(tag, operator, part) for each part of an effectiveTime, in schema order.

    Parts are the dosing period, the dates and the duration: one part is the effectiveTime
    itself; several are `comp`s of an SXPR_TS, each after the first intersected (operator A).
    """
    parts = []
    if isinstance(item, Dosage) and None not in (item.interval_count, item.interval_unit):
        parts.append("period")
    if item.start or item.end:
        parts.append("dates")
    if item.duration is not None:
        parts.append("duration")
    if len(parts) == 1:
        return [("effectiveTime", None, parts[0])]
    return [("comp", "A" if i else None, part) for i, part in enumerate(parts)]


def _ts(value: str | Null) -> Markup:
    """The attribute of an HL7 TS: its value, or the nullFlavor sent in its place."""
    # f-strings, not Markup.format (string.Formatter, ~15 us a call): an HL7 TS is digits and
    # a sign, a flavor a code list value, so there is nothing to escape.
    if isinstance(value, Null):
        return Markup(f'nullFlavor="{value.null_flavor.value}"')
    return Markup(f'value="{to_hl7(value)}"')


def _is_null(value: object) -> bool:
    """`{% if x is nullflavor %}`: a value sent as a nullFlavor (the model's `Null`)."""
    return isinstance(value, Null)


def _text_element(value: str | Null, tag: str) -> Markup:
    """`<tag>text</tag>`, or `<tag nullFlavor="X"/>` for a value sent as a nullFlavor (`tag` is
    the template's own constant)."""
    if isinstance(value, Null):
        return Markup(f'<{tag} nullFlavor="{value.null_flavor.value}"/>')
    return Markup(f"<{tag}>{_xml_value(value)}</{tag}>")


def _original_text(value: str | Null | None) -> Markup:
    """An originalText, its nullFlavor, or nothing."""
    return Markup("") if value is None else _text_element(value, "originalText")


def _term_attrs(term: TermId) -> Markup:
    """A TermID's attributes on a CE: code, code system, version, label."""
    attrs = f' code="{_xml_value(term.code)}"'
    for name, value in (
        ("codeSystem", term.system),
        ("codeSystemVersion", term.version),
        ("displayName", term.display),
    ):
        if value:
            attrs += f' {name}="{_xml_value(value)}"'
    return Markup(attrs)


def _seriousness_codes(seriousness: Seriousness) -> list[tuple[str, bool]]:
    """(observation code, applies) for E.i.3.2a-f in the mapping's order."""
    return [(code, getattr(seriousness, name)) for name, code in mapping.SERIOUSNESS_CODES.items()]


# ---------------------------------------------------------------- the template


def _xml_value(value: object) -> str:
    """Every {{ value }} as XML text: Jinja's `finalize`, and the only escaping (see below)."""
    if value.__class__ is not str:
        if isinstance(value, Markup):
            return value  # a macro's output or a folded constant: already XML
        if isinstance(value, Decimal):
            return format(value, "f")  # HL7 REAL: plain notation, never an exponent
        if not isinstance(value, str):
            # None or a bool here is a template bug (a missing {% if %}): never write "None".
            raise TypeError(f"{value!r} cannot be written into the XML")
    # The references markupsafe writes, so the text is the same as with its escape().
    text = (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
    if "\n" in text or "\r" in text or "\t" in text:
        # An XML parser turns a literal tab, LF or CR in an attribute into a space and a CR in
        # text into LF; character references keep each of them (lxml writes them the same way).
        # str.replace, not str.translate: a translate table of strings goes a character at a
        # time and cost 6% of a whole build on 5,000-character narratives.
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return text


class _EscapeInFinalize(CodeGenerator):
    """Compiles {{ value }} to `finalize(value)`, where autoescape writes `escape(finalize(value))`.

    markupsafe's escape() is a Python wrapper that makes a Markup object per value; with about
    270 values a message it was 40% of rendering. `_xml_value` escapes instead. Should a Jinja
    release drop this hook, escape() would escape our text twice and the golden tests fail.
    """

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src:
            self.write("(" + finalize.src)  # the two closing brackets come from the parent
        else:
            super()._output_child_pre(node, frame, finalize)


class _XmlEnvironment(Environment):
    """Autoescape on (macro output and constants stay Markup), values escaped by `finalize`."""

    code_generator_class = _EscapeInFinalize


class _DropLayout(Extension):
    """Line breaks and indentation before a tag or a Jinja tag are layout, not content."""

    _LAYOUT = re.compile(r"\n\s*(?=<|\Z)")

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        # Only the lexer's data tokens change: Jinja code is untouched, line numbers stay true.
        for token in stream:
            if token.type == "data":
                token = token._replace(value=self._LAYOUT.sub("", token.value))
            yield token


@cache
def _template_parts() -> dict[str, Callable[..., str]]:
    """The template's macros batch_start, message and batch_end, compiled once per process.

    Filters are registered before compiling: on a literal ("OID_MEDDRA"|mapping) Jinja applies
    them at compile time, so codes and OIDs cost nothing per report.
    """
    env = _XmlEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_xml_value,
        extensions=[_DropLayout],
        auto_reload=False,
    )
    env.filters.update(
        mapping=_constant,
        codelist_oid=codelist_oid,
        hl7_date=to_hl7,
        ts=_ts,
        text_element=_text_element,
        original_text=_original_text,
        term_attrs=_term_attrs,
        hl7_timestamp=datetime_to_hl7,
        effective_time=_effective_time,
        seriousness_codes=_seriousness_codes,
        uri_part=uri_part,
    )
    env.tests["nullflavor"] = _is_null
    macros = vars(env.get_template(TEMPLATE).module)
    return {name: macros[name] for name in ("batch_start", "message", "batch_end")}


__all__ = [
    "BatchHeader",
    "build_batch",
    "render_envelope",
    "render_message",
    "to_checked_xml",
    "to_xml",
]
