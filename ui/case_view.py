"""The readable case: patient, reactions, seriousness, suspect drug and courses, tests (serial
values as a chart beside their table), narrative, reporters, and each version's XML and what
changed from the version before.

Draws only: the words come from pv.case_summary and pv.version_diff. Downloads go through the
caller's `offer` (the officer's audited, session-bound download of ui.log_page).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Protocol

import pandas as pd
import streamlit as st

from pv.case_summary import ReadableCase, TestSeries, summarise
from pv.model import Report
from pv.store import CaseDetail, VersionRecord
from pv.version_diff import Change, version_diff
from ui import choices
from ui.strings import t
from ui.widgets import EXPERT, plain

KEY = "case_view"  # prefix of this view's widget keys


class Offer(Protocol):
    """A download made when clicked (ui.downloads.offer, bound to the officer's session)."""

    def __call__(
        self, label: str, make: Callable[[], bytes], *, file_name: str, mime: str, key: str
    ) -> None: ...


def render(
    detail: CaseDetail,
    report: Report,
    *,
    version_xml: Callable[[int], bytes],
    offer: Offer,
    per_version: Callable[[VersionRecord], None] | None = None,
) -> None:
    """The case page's reading of `report` (the current version of `detail`), then its versions.

    `version_xml(n)` gives version n's XML for a download and audits it (Store.version_xml);
    the XML shown in the page is the stored one, already part of the audited opening. Draw it
    outside any expander: each version's XML and difference sit in expanders of their own.
    `per_version` draws what the caller adds to each version (its CIOMS I form, its findings).
    """
    case = summarise(report)
    _patient(case)
    _reactions(case)
    _drugs(case)
    _tests(case.tests)
    _narrative(case)
    _reporters(case)
    _versions(detail, version_xml, offer, per_version)


def _given(value: str | None) -> str:
    return _own(value) if value else t("case.not_given")


def _own(value: str) -> str:
    """A value in its own direction inside a sentence of the page's (FSI ... PDI): "34 years"
    stays "34 years" in an Arabic line."""
    return f"\u2068{plain(value)}\u2069"


def _code(value: Enum | str | None) -> str | None:
    """A code list value in the page's language; text (a nullFlavor's words) as it is."""
    return choices.code(value) if isinstance(value, Enum) else value


def _facts(rows: Sequence[tuple[str, str | None]]) -> None:
    st.markdown("\n".join(f"- **{label}:** {_given(value)}" for label, value in rows))


def _patient(case: ReadableCase) -> None:
    st.subheader(t("case.patient"))
    patient = case.patient
    _facts(
        [
            (t("case.initials"), patient.initials),
            (t("case.sex"), _code(patient.sex)),
            (t("case.age"), patient.age),
            (t("case.weight"), patient.weight),
        ]
    )


def _reactions(case: ReadableCase) -> None:
    st.subheader(t("case.reactions"))
    columns = ["number", "term", "verbatim", "start", "end", "outcome", "seriousness"]
    # A static table: every column in view, long reported terms wrap.
    st.table(
        pd.DataFrame(
            [
                [
                    r.number,
                    r.term,
                    r.verbatim or "",
                    r.start or "",
                    r.end or "",
                    choices.code(r.outcome),
                    "; ".join(r.seriousness) or t("case.not_serious"),
                ]
                for r in case.reactions
            ],
            columns=[t(f"case.col.{c}") for c in columns],
        ),
        hide_index=True,
    )
    st.markdown(f"**{t('case.seriousness')}**")
    if case.serious:
        st.markdown(t("case.serious", criteria=_own(", ".join(case.seriousness))))
    else:
        st.markdown(t("case.not_serious"))


def _drugs(case: ReadableCase) -> None:
    st.subheader(t("case.drugs"))
    if not case.suspect_drugs:
        st.caption(t("case.not_given"))
    for n, drug in enumerate(case.suspect_drugs):
        name = drug.product + (f" ({', '.join(drug.substances)})" if drug.substances else "")
        st.markdown(f"**{_own(name)}**: {plain(choices.code(drug.role))}")
        if drug.action_taken is not None:
            st.caption(t("case.action", action=_own(choices.code(drug.action_taken))))
        columns = ["course", "first", "last", "dose", "route", "batch", "expiry"]
        st.dataframe(
            pd.DataFrame(
                [
                    [
                        "" if c.course is None else str(c.course),
                        c.start or "",
                        c.end or "",
                        c.dose or "",
                        c.route or "",
                        c.batch or "",
                        c.batch_expiry or "",
                    ]
                    for c in drug.courses
                ],
                columns=[t(f"case.col.{c}") for c in columns],
            ),
            hide_index=True,
            width="stretch",
            key=f"{KEY}.courses.{n}",
        )


def _tests(tests: Sequence[TestSeries]) -> None:
    st.subheader(t("case.tests"))
    if not tests:
        st.caption(t("case.tests.none"))
    for n, series in enumerate(tests):
        heading = series.name + (f" ({series.unit})" if series.unit else "")
        st.markdown(f"**{plain(heading)}**")
        if series.normal_range:
            st.caption(t("case.tests.range", range=_own(series.normal_range)))
        table = pd.DataFrame(
            [[v.date or "", v.shown, v.comments or ""] for v in series.values],
            columns=[t("case.col.date"), t("case.col.result"), t("case.col.comments")],
        )
        if not series.serial:
            st.dataframe(table, hide_index=True, width="stretch", key=f"{KEY}.test.{n}")
            continue
        # The chart shows the course at a glance; the table beside it says the same in text,
        # for a screen reader and for a keyboard.
        chart, text = st.columns([3, 2])
        with chart:
            st.caption(t("case.tests.chart", name=_own(series.name), unit=_own(series.unit or "")))
            points = pd.DataFrame(
                [(day, float(value)) for day, value in series.points],
                columns=[t("case.col.date"), series.name],
            ).set_index(t("case.col.date"))
            st.line_chart(points, height=220, x_label=t("case.col.date"), y_label=series.unit)
        with text:
            st.caption(t("case.tests.table", name=_own(series.name)))
            st.dataframe(table, hide_index=True, width="stretch", key=f"{KEY}.test.{n}")


def _paragraphs(text: str) -> str:
    """Each paragraph in its own direction (an Arabic one right to left), kept as typed."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(
        f'<p dir="auto" style="white-space: pre-wrap; margin: 0 0 0.8em">{html.escape(b)}</p>'
        for b in blocks
    )


def _narrative(case: ReadableCase) -> None:
    st.subheader(t("case.narrative"))
    st.html(_paragraphs(case.narrative))
    if case.reporter_comments:
        st.markdown(f"**{t('case.reporter_comments')}**")
        st.html(_paragraphs(case.reporter_comments))
    for language, text in case.native_summaries:
        st.markdown(f"**{t('case.native_summary', language=plain(language))}**")
        st.html(_paragraphs(text))


def _reporters(case: ReadableCase) -> None:
    st.subheader(t("case.reporters"))
    for reporter in case.reporters:
        if len(case.reporters) > 1:
            st.markdown(
                f"**{t('case.reporter.primary' if reporter.primary else 'case.reporter.other')}**"
            )
        _facts(
            [
                (t("case.reporter.name"), reporter.name),
                (t("case.reporter.profession"), _code(reporter.profession)),
                (t("case.reporter.institution"), reporter.institution),
                (t("case.reporter.department"), reporter.department),
                (t("case.reporter.city"), reporter.city),
                (t("case.reporter.country"), reporter.country),
            ]
        )


def _versions(
    detail: CaseDetail,
    version_xml: Callable[[int], bytes],
    offer: Offer,
    per_version: Callable[[VersionRecord], None] | None,
) -> None:
    st.subheader(t("case.versions"))
    case_id = detail.row.case_id
    reports = [Report.model_validate_json(v.report_json) for v in detail.versions]
    for i in reversed(range(len(detail.versions))):
        record = detail.versions[i]
        st.markdown(
            "**"
            + t(
                "case.version",
                n=record.version,
                at=_own(record.received_at.strftime("%Y-%m-%d %H:%M")),
                user=_own(record.received_by),
            )
            + "**"
        )
        offer(
            t("case.xml.download", n=record.version),
            _maker(version_xml, record.version),
            file_name=f"{case_id}-v{record.version}.xml",
            mime="application/xml",
            key=f"{KEY}.xml.{case_id}.{record.version}",
        )
        if per_version is not None:
            per_version(record)
        with st.expander(t("case.xml.show", n=record.version)):
            st.code(_xml_text(record), language="xml", wrap_lines=True)
        if i > 0:
            before = detail.versions[i - 1].version
            with st.expander(t("case.diff", old=before, new=record.version)):
                _diff(version_diff(reports[i - 1], reports[i]))


def _maker(version_xml: Callable[[int], bytes], version: int) -> Callable[[], bytes]:
    return lambda: version_xml(version)


def _xml_text(record: VersionRecord) -> str:
    return record.xml.decode("utf-8", errors="replace")


def _diff(changes: Sequence[Change]) -> None:
    if not changes:
        st.caption(t("case.diff.none"))
        return
    expert = bool(st.session_state.get(EXPERT))
    rows = [
        {
            t("case.diff.col.field"): c.label,
            **({t("case.diff.col.element"): c.element or ""} if expert else {}),
            t("case.diff.col.kind"): t(f"case.diff.{c.kind}"),
            t("case.diff.col.old"): c.old or "",
            t("case.diff.col.new"): c.new or "",
        }
        for c in changes
    ]
    # A static table: long values (a narrative) wrap and read in full, not clipped in a cell.
    st.table(pd.DataFrame(rows), hide_index=True)
