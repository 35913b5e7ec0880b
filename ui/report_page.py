"""The reporting form: sections in the order a clinician thinks, built from the guide catalogue.

Drawing the form also assembles the report input (`pv.form.ReportInput`); submitting hands it to
`pv.submission`, which validates, writes and checks the XML; `pv.store` saves it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from e2b.codelists import (
    ActionTaken,
    AgeGroup,
    AgeUnit,
    DrugRole,
    Outcome,
    Qualification,
    Recurrence,
    Sex,
    TimeUnit,
)
from e2b.findings import Finding
from pv.catalogue import Catalogue, GuideCategory, GuideLab
from pv.cioms import cioms_pdf
from pv.clinical import clinical_unit, ucum_unit
from pv.config import Settings
from pv.db import DatabaseUnavailable
from pv.email import build_eml, draft_email
from pv.follow_ups import CaseClosedToFollowUp
from pv.form import ReportInput
from pv.language import ARABIC, is_arabic, text_language
from pv.lemtrada import (
    MAX_COURSES,
    PREGNANCY_OUTCOMES,
    PREMEDICATIONS,
    PRIOR_MS_THERAPIES,
    course_days,
    course_dosage,
    suspect_drug,
)
from pv.meddra import lookup_llt
from pv.model import Dechallenge, Seriousness
from pv.officer_follow_up import FollowUpOutdated, submit_follow_up
from pv.receipt import receipt_pdf
from pv.store import Store
from pv.submission import SubmissionRefused, build, check
from pv.validation import check_date
from ui import a11y, attachments, choices, drafts, follow_up
from ui import widgets as w
from ui.downloads import offer
from ui.resources import catalogue, settings, store
from ui.strings import current_language, t
from ui.widgets import plain

SUBMITTED = "submitted"  # the confirmation of the last submission
FINDINGS = "findings"  # (input key or None, finding) of the last check, for the problem lists
PROBLEMS_AT_SUBMIT = "problems_at_submit"  # the container of the problem list at the button
CONFIRMATION = "confirmation"  # the anchor of the confirmation's heading

CAUSALITY = (
    "Certain",
    "Probable / likely",
    "Possible",
    "Unlikely",
    "Conditional / unclassified",
    "Unassessable / unclassifiable",
)
PREGNANCY_CATEGORIES = ("pregnancy_exposure", "breastfeeding_exposure")
INFUSION_GROUP = "infusion_associated"
OTHER_TERM = "other"
# The reporter is a health professional: the roles of C.2.r.4 this form offers (a nurse is an
# "other health professional"; ICH has no code of their own).
PROFESSIONS = (
    Qualification.PHYSICIAN,
    Qualification.PHARMACIST,
    Qualification.OTHER_HEALTH_PROFESSIONAL,
)
ASSESSMENT_INPUTS = ("causality", "recurrence", "since")  # answers that make a G.k.9.i
LEMTRADA = "drugs[0]"


def _new_id() -> str:
    return str(uuid.uuid4())


def _stable_id(key: str) -> str:
    """An ID kept in the answers, so a drug or reaction keeps it across reruns."""
    value = w.answer(key)
    if not isinstance(value, str):
        value = _new_id()
        w.answers()[key] = value
    return value


# ---------------------------------------------------------------- page


def render() -> None:
    """The whole report page."""
    st.title(t("app.title"))
    submitted = st.session_state.get(SUBMITTED)
    drafts.keep(submitted_as=submitted["case_id"] if submitted else None)
    _sidebar()
    _expert_view()
    if submitted:
        _confirmation(submitted)
        a11y.inject([])
        return
    linked = st.session_state.get(drafts.CASE)
    if isinstance(linked, str):  # the link of a report already sent: its follow-up
        follow_up.render(linked)
        a11y.inject([])
        return
    st.write(t("report.intro"))
    following = drafts.follow_up_of()
    if following is not None:  # an officer's follow-up: submitting adds the case's next version
        st.info(t("officer_follow_up.banner", case_id=following))
    progress = st.container(key="progress")  # filled once the form has been drawn
    _error_summary()
    form = ReportInput()
    cat = catalogue()
    conf = settings()
    reactions = w.items("reactions")
    if not reactions:
        w.add_item("reactions", _new_id())
    notes: list[str] = []
    sections: dict[str, str] = {}  # input key -> the section it is drawn in

    def drawn(section: str) -> None:
        for key in form.input_keys():
            sections.setdefault(key, section)

    _reporter(form, conf)
    drawn("reporter")
    _patient(form, reactions)
    drawn("patient")
    _reactions(form, cat, conf, notes)
    drawn("reactions")
    _lemtrada(form, conf)
    drawn("lemtrada")
    drug_count = _other_drugs(form)
    drawn("other_drugs")
    _tests(form)
    drawn("tests")
    attachments.documents_section(form)
    drawn("documents")
    attachments.consent_section(form)
    drawn("consent")
    _narrative(form, notes)
    drawn("narrative")
    form.put("patient.concomitant_therapies", True if drug_count else None)
    # Empty sections still go to the model, so its messages name the missing fields inside.
    form.data.setdefault("patient", {})
    form.data.setdefault("narrative", {})
    _review(form, cat, conf)
    with progress:
        _progress(form, conf, sections)
    a11y.inject(w.invalid_keys())


# The page's sections in order, with their headings' string keys; documents and consent are
# unnumbered sections of their own (ui.attachments).
SECTIONS = (
    ("reporter", "section.reporter"),
    ("patient", "section.patient"),
    ("reactions", "section.reactions"),
    ("lemtrada", "section.lemtrada"),
    ("other_drugs", "section.other_drugs"),
    ("tests", "section.tests"),
    ("documents", "attachments.title"),
    ("consent", "consent.title"),
    ("narrative", "section.narrative"),
    ("review", "section.review"),
)


def section_status(
    findings: list[Finding], form: ReportInput, sections: dict[str, str]
) -> dict[str, int]:
    """How many errors each section has, by the input each finding is routed to; errors no
    input claims are counted at the review (where the problem list shows them)."""
    counts = dict.fromkeys((name for name, _ in SECTIONS), 0)
    for finding in findings:
        if finding.severity == "error":
            key = form.input_for(finding.path)
            counts[sections.get(key, "review") if key else "review"] += 1
    return counts


def _progress(form: ReportInput, conf: Settings, sections: dict[str, str]) -> None:
    """Each section with what it still needs, linked to its heading: the domain's check of the
    answers as they stand (the one submitting runs), so it is right before any submit."""
    now = datetime.now(UTC).replace(microsecond=0)
    counts = section_status(check(form.data, settings=conf, now=now).findings, form, sections)
    lines = []
    for name, title in SECTIONS:
        count = counts[name]
        status = t("progress.problems", count=count) if count else t("progress.complete")
        text = plain(t("progress.line", section=t(title), status=status))
        lines.append(f"- [{'**' + text + '**' if count else text}](#{section_anchor(name)})")
    st.markdown(f"**{t('progress.title')}**\n\n" + "\n".join(lines))


def section_anchor(name: str) -> str:
    """The id of a section's heading, for the jump links."""
    return f"section-{name.replace('_', '-')}"


def _sidebar() -> None:
    with st.sidebar:
        st.button(t("report.new"), on_click=drafts.new_report, args=(_new_report,), width="stretch")
        drafts.sidebar(submitted=bool(st.session_state.get(SUBMITTED)))
        labels = drafts.earlier()
        if labels:
            chosen = st.selectbox(t("report.resume_draft"), labels, index=len(labels) - 1)
            st.button(
                t("report.resume_draft"),
                key="resume",
                on_click=_resume_draft,
                args=(labels.index(chosen),) if chosen in labels else (len(labels) - 1,),
                width="stretch",
            )


def _new_report() -> None:
    w.clear_answers()
    st.session_state.pop(SUBMITTED, None)
    st.session_state.pop(FINDINGS, None)
    st.toast(t("report.cleared"))


def _resume_draft(index: int) -> None:
    drafts.resume(index)
    st.session_state.pop(SUBMITTED, None)
    st.session_state.pop(FINDINGS, None)


def _expert_view() -> None:
    """The sidebar switch that shows E2B element numbers in messages and help (officers)."""
    with st.sidebar:
        st.toggle(
            t("expert.toggle"),
            value=w.expert(),
            key="expert_toggle",
            help=t("expert.help"),
            on_change=lambda: st.session_state.update(
                {w.EXPERT: st.session_state["expert_toggle"]}
            ),
        )


def _problem_line(key: str | None, finding: Finding) -> str:
    """One problem as a list item, linked to its input when it has one."""
    text = plain(w.shown(finding.message))
    return f"- [{text}](#{a11y.anchor_id(key)})" if key else f"- {text}"


def _error_summary(*, warnings_too: bool = True) -> None:
    """The problems of the last check: every error, linked to its input (and the warnings)."""
    found: list[tuple[str | None, Finding]] = st.session_state.get(FINDINGS, [])
    errors = [(k, f) for k, f in found if f.severity == "error"]
    warnings = [(k, f) for k, f in found if f.severity == "warning"]
    if errors:
        lines = "\n".join(_problem_line(k, f) for k, f in errors)
        st.error(f"**{t('errors.title', count=len(errors))}**\n\n{lines}")
    if warnings and warnings_too:
        lines = "\n".join(_problem_line(k, f) for k, f in warnings)
        st.warning(f"**{t('warnings.title')}**\n\n{lines}")


# ---------------------------------------------------------------- 1. reporter


def _reporter(form: ReportInput, conf: Settings) -> None:
    p = "primary_sources[0]"
    st.header(t("section.reporter"), anchor=section_anchor("reporter"))
    st.caption(t("reporter.hint"))
    c1, c2, c3 = st.columns([1, 2, 2])
    with c1:
        w.text(form, "reporter.title", f"{p}.title", placeholder="Dr")
    with c2:
        w.text(form, "reporter.given_name", f"{p}.given_name")
    with c3:
        w.text(form, "reporter.family_name", f"{p}.family_name")
    c1, c2 = st.columns(2)
    with c1:
        w.select(
            form,
            "reporter.qualification",
            f"{p}.qualification",
            PROFESSIONS,
            t("reporter.qualification"),
            format_func=lambda q: t(f"profession.{q.name.lower()}"),
        )
        w.text(form, "reporter.organisation", f"{p}.organisation")
        w.text(form, "reporter.department", f"{p}.department")
    with c2:
        w.text(form, "reporter.phone", f"{p}.phone")
        w.text(form, "reporter.email", f"{p}.email")
        w.text(form, "reporter.city", f"{p}.city")
        w.text(form, "reporter.country", f"{p}.country", default=conf.sender_country)
    form.put(f"{p}.primary_for_regulatory", True)
    form.bind(p, "reporter.given_name")


# ---------------------------------------------------------------- 2. patient


def _patient(form: ReportInput, reactions: list[str]) -> None:
    st.header(t("section.patient"), anchor=section_anchor("patient"))
    st.caption(t("patient.hint"))
    c1, c2, c3 = st.columns(3)
    with c1:
        w.text(form, "patient.initials", "patient.initials")
        w.checkbox(form, "patient.initials_withheld", "patient.initials_withheld")
    with c2:
        sex = w.select(
            form,
            "patient.sex",
            "patient.sex",
            list(Sex),
            format_func=choices.code,
            horizontal=True,
        )
    with c3:
        w.select(
            form,
            "patient.age_group",
            "patient.age_group",
            list(AgeGroup),
            format_func=choices.code,
        )
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        age = w.number(
            form,
            "patient.age.value",
            "patient.age.value",
            t("patient.age"),
            minimum=0,
            unit_key="patient.age.unit",
        )
    with c2:
        w.select(
            form,
            "patient.age.unit",
            "patient.age.unit" if age is not None else None,
            list(AgeUnit),
            t("patient.age_unit"),
            format_func=lambda u: t(f"age_unit.{u.name.lower()}"),
            default=AgeUnit("a"),
        )
    with c3:
        w.number(form, "patient.weight_kg", "patient.weight_kg", minimum=0)
    with c4:
        w.number(form, "patient.height_cm", "patient.height_cm", minimum=0, integer=True)
    c1, c2 = st.columns(2)
    with c1:
        w.date(form, "patient.birth_date", "patient.birth_date")
    pregnancy = any(
        w.current(f"reactions.{rid}.category") in PREGNANCY_CATEGORIES for rid in reactions
    )
    if sex == Sex.FEMALE and not pregnancy:
        with c2:
            w.date(form, "patient.lmp", "patient.last_menstrual_period")
    w.text(
        form,
        "patient.history",
        "patient.medical_history_text",
        t("patient.history"),
        area=True,
        placeholder=t("patient.history.placeholder"),
    )
    chosen = w.multiselect("patient.prior_dmts", PRIOR_MS_THERAPIES, t("patient.prior_dmts"))
    others = w.text(form, "patient.prior_other", None, t("patient.prior_dmts.other"), area=True)
    names = [*chosen, *(line.strip() for line in (others or "").splitlines() if line.strip())]
    for i, name in enumerate(names):
        form.put(f"patient.drug_history[{i}].name", name[:250])
    form.bind("patient.drug_history", "patient.prior_other")
    form.bind("patient", "patient.initials")


# ---------------------------------------------------------------- 3. reactions


def _reactions(form: ReportInput, cat: Catalogue, conf: Settings, notes: list[str]) -> None:
    st.header(t("section.reactions"), anchor=section_anchor("reactions"))
    st.caption(t("reactions.hint"))
    reactions = w.items("reactions")
    test_index = 0
    fatal = False
    # G.k.9.i: only reactions with an assessment are linked to LEMTRADA, numbered in order.
    assessed = [rid for rid in reactions if _has_assessment(rid)]
    for i, rid in enumerate(reactions):
        link = assessed.index(rid) if rid in assessed else None
        with st.container(border=True):
            test_index, died = _reaction(form, cat, conf, notes, i, rid, link, test_index)
            fatal = fatal or died
            if len(reactions) > 1:
                st.button(
                    t("reaction.remove", n=i + 1),
                    key=f"remove.reaction.{rid}",
                    on_click=w.remove_item,
                    args=("reactions", rid),
                )
    st.button(t("reaction.add"), on_click=_add_reaction)
    st.session_state["_test_index"] = test_index
    form.bind("reactions", f"reactions.{reactions[0]}.category" if reactions else "")
    if fatal:
        _death(form, conf)


def _reaction_anchor(rid: str) -> str:
    return f"reaction-{rid}"


def _add_reaction() -> None:
    """A new reaction, with the keyboard focus on its heading once it is drawn."""
    rid = _new_id()
    w.add_item("reactions", rid)
    a11y.request_focus(a11y.heading_selector(_reaction_anchor(rid)))


def _reaction(
    form: ReportInput,
    cat: Catalogue,
    conf: Settings,
    notes: list[str],
    i: int,
    rid: str,
    link: int | None,
    test_index: int,
) -> tuple[int, bool]:
    k = f"reactions.{rid}"
    p = f"reactions[{i}]"
    st.subheader(t("reaction.title", n=i + 1), anchor=_reaction_anchor(rid))
    form.put(f"{p}.id", rid)
    assessment = f"{LEMTRADA}.reactions[{link}]" if link is not None else None
    if assessment:
        form.put(f"{assessment}.reaction_id", rid)
    groups = dict(cat.groups())
    c1, c2 = st.columns(2)
    with c1:
        group = w.select(
            form,
            f"{k}.group",
            None,
            list(groups),
            t("reaction.group"),
            format_func=lambda g: choices.name("group", g, groups[g]),
        )
    category: GuideCategory | None = None
    with c2:
        if group is not None:
            options = {c.id: c for c in cat.in_group(group)}
            chosen = w.select(
                form,
                f"{k}.category",
                f"{p}.guide_category",
                list(options),
                t("reaction.category"),
                format_func=lambda c: choices.name("category", c, options[c].name),
            )
            category = options.get(chosen) if chosen else None
    if category is not None:
        _guide_hint(category)
    _term(form, conf, k, p, category)
    verbatim = w.text(form, f"{k}.verbatim", f"{p}.verbatim", t("reaction.verbatim"))
    # E.i.1.1b: the language the reporter actually typed the reaction in.
    form.put(f"{p}.language", text_language(verbatim) if verbatim else None)
    c1, c2, c3 = st.columns(3)
    with c1:
        w.date(form, f"{k}.start", f"{p}.start", end_key=f"{k}.end")
    with c2:
        w.date(form, f"{k}.end", f"{p}.end", start_key=f"{k}.start")
    with c3:
        outcome = w.select(
            form, f"{k}.outcome", f"{p}.outcome", list(Outcome), format_func=choices.code
        )
    criteria: dict[str, bool] = {}
    with st.container(key=a11y.group_key(f"seriousness.{rid}")):  # one labelled group
        st.markdown(f"**{t('reaction.seriousness')}**")
        cols = st.columns(3)
        for n, name in enumerate(Seriousness.model_fields):
            with cols[n % 3]:
                criteria[name] = w.checkbox(form, f"{k}.serious.{name}", f"{p}.seriousness.{name}")
    c1, c2 = st.columns(2)
    with c1:
        confirmed = w.checkbox(
            form,
            f"{k}.confirmed",
            None,
            t("reaction.confirmed"),
            default=True,
            help_text=w.element_help(t("reaction.confirmed.help"), "E.i.8"),
        )
        form.put(f"{p}.medically_confirmed", confirmed, f"{k}.confirmed")
    with c2:
        w.text(form, f"{k}.country", f"{p}.country", default=conf.sender_country)
    c1, c2 = st.columns(2)
    with c1:
        w.text(
            form,
            f"{k}.treatment",
            f"{p}.treatment",
            t("reaction.treatment"),
            help_text=t("reaction.treatment.help"),
            placeholder=t("reaction.treatment.placeholder"),
        )
    with c2:
        w.select(
            form,
            f"{k}.dechallenge",
            f"{p}.dechallenge",
            list(Dechallenge),
            t("reaction.dechallenge"),
            format_func=lambda d: t(f"dechallenge.{d.value}"),
            help_text=t("reaction.dechallenge.help"),
        )
    if category is not None and category.group_id == INFUSION_GROUP:
        _infusion(form, k, i, assessment, notes)
    if category is not None and category.id in PREGNANCY_CATEGORIES:
        _pregnancy(form, k, i, notes)
    if category is not None and category.labs:
        test_index = _guide_labs(form, conf, k, category, test_index)
    _assessment(form, k, assessment)
    return test_index, outcome == Outcome.FATAL or criteria.get("death", False)


def _guide_hint(category: GuideCategory) -> None:
    lines = w.guide_facts(category)
    if lines:
        st.info("  \n".join(lines))


def _term(
    form: ReportInput, conf: Settings, k: str, p: str, category: GuideCategory | None
) -> None:
    terms = {term.code: term for term in (category.terms if category else ())}
    options = [*terms, OTHER_TERM]
    if category is not None and not terms and w.current(f"{k}.term") is None:
        w.set_answer(f"{k}.term", OTHER_TERM)  # nothing to pick from: go straight to the code
    chosen = w.select(
        form,
        f"{k}.term",
        None,
        options,
        t("reaction.term") + " *",
        format_func=lambda c: (
            f"{terms[c].term} ({terms[c].level} {c})" if c in terms else t("reaction.term.other")
        ),
        default=OTHER_TERM if category is not None and not terms else None,
    )
    form.bind(f"{p}.term", f"{k}.term")
    if chosen is None:
        return
    form.put(f"{p}.term.version", conf.meddra_version)
    if chosen != OTHER_TERM:
        form.put(f"{p}.term.code", chosen, f"{k}.term")
        return
    code = w.text(
        form,
        f"{k}.code",
        f"{p}.term.code",
        t("reaction.code"),
        help_text=t("reaction.code.help"),
        max_chars=8,
    )
    if code:
        found = lookup_llt(code)
        if found is not None:
            version = found.version or conf.meddra_version
            st.caption(t("reaction.code.found", version=version, name=plain(found.name)))


def _has_assessment(rid: str) -> bool:
    k = f"reactions.{rid}"
    return any(w.current(f"{k}.{name}") is not None for name in ASSESSMENT_INPUTS)


def _infusion(form: ReportInput, k: str, i: int, assessment: str | None, notes: list[str]) -> None:
    st.markdown(f"**{t('reaction.infusion')}**")
    courses = int(w.answer("lemtrada.courses") or 1)
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        course = w.select(
            form, f"{k}.course", None, list(range(1, courses + 1)), t("reaction.course")
        )
    with c2:
        day = w.select(
            form,
            f"{k}.day",
            None,
            list(range(1, course_days(course or 1) + 1)),
            t("reaction.infusion_day"),
        )
    interval = f"{assessment}.time_since_last_dose" if assessment else None
    with c3:
        since = w.number(
            form,
            f"{k}.since",
            f"{interval}.value" if interval else None,
            t("reaction.time_since"),
            minimum=0,
            integer=True,
        )
    with c4:
        w.select(
            form,
            f"{k}.since_unit",
            f"{interval}.unit" if interval and since is not None else None,
            [TimeUnit("min"), TimeUnit("h"), TimeUnit("d")],
            t("reaction.time_since_unit"),
            format_func=choices.code,
            default=TimeUnit("h"),
        )
    if course:
        where = f"day {day} of LEMTRADA course {course}" if day else f"LEMTRADA course {course}"
        notes.append(f"Reaction {i + 1} occurred during or after {where}.")


def _pregnancy(form: ReportInput, k: str, i: int, notes: list[str]) -> None:
    st.markdown(f"**{t('reaction.pregnancy')}**")
    c1, c2 = st.columns(2)
    with c1:
        w.date(form, "patient.lmp", "patient.last_menstrual_period")
        weeks = w.number(
            form,
            f"{k}.gestation",
            f"{LEMTRADA}.gestation_at_exposure.value",
            t("reaction.gestation"),
            minimum=0,
            integer=True,
        )
        if weeks is not None:
            form.put(f"{LEMTRADA}.gestation_at_exposure.unit", "wk")
    with c2:
        outcome = w.select(
            form,
            f"{k}.pregnancy_outcome",
            None,
            PREGNANCY_OUTCOMES,
            t("reaction.pregnancy_outcome"),
            format_func=lambda o: choices.name("pregnancy", o, o),
        )
        when = w.date(
            form, f"{k}.pregnancy_outcome_date", None, t("reaction.pregnancy_outcome_date")
        )
    if outcome:
        notes.append(
            f"Pregnancy outcome (reaction {i + 1}): {outcome}" + (f", {when}." if when else ".")
        )


def _guide_labs(
    form: ReportInput, conf: Settings, k: str, category: GuideCategory, index: int
) -> int:
    """The guide's labs for the category: each takes any number of dated results (the guide's
    monthly counts), each sent as its own F.r coded like the lab, in date order."""
    st.markdown(f"**{t('reaction.labs')}**")
    st.caption(t("reaction.labs.hint"))
    for j, lab in enumerate(category.labs):
        index = _guide_lab(form, conf, f"{k}.lab.{j}", lab, index)
    return index


def _lab_row_key(lk: str, row: str | None) -> str:
    """Where a lab's result row keeps its answers: the first at the lab's own keys (as before
    results repeated), each further one under `<lab>.rows.<id>`."""
    return lk if row is None else f"{lk}.rows.{row}"


def _guide_lab(form: ReportInput, conf: Settings, lk: str, lab: GuideLab, index: int) -> int:
    rows: list[str | None] = [None, *w.items(f"{lk}.rows")]
    cols = st.columns([2, 2, 2, 2, 2])
    unit = low = high = None
    if lab.unit:
        with cols[2]:
            unit = _unit(form, f"{lk}.unit", t("lab.unit", name=lab.name), lab.unit)
        with cols[3]:
            low = w.number(form, f"{lk}.low", None, t("lab.low", name=lab.name))
        with cols[4]:
            high = w.number(form, f"{lk}.high", None, t("lab.high", name=lab.name))
    results: list[tuple[str | None, Decimal | None, str | None, str]] = []
    for n, row in enumerate(rows, start=1):
        rk = _lab_row_key(lk, row)
        if n > 1:
            cols = st.columns([2, 2, 2, 2, 2], vertical_alignment="bottom")
        with cols[0]:
            when = w.date(form, f"{rk}.date", None, _lab_label("date", lab, n))
        value: Decimal | None = None
        text: str | None = None
        with cols[1]:
            if lab.unit:
                value = w.number(form, f"{rk}.value", None, _lab_label("value", lab, n))
            else:
                text = w.text(form, f"{rk}.text", None, _lab_label("text", lab, n), max_chars=2000)
        if len(rows) > 1:
            with cols[2] if n > 1 else st.container():
                st.button(
                    t("lab.remove", name=lab.name, n=n),
                    key=f"remove.{rk}",
                    on_click=_remove_lab_row,
                    args=(lk, row),
                )
        if value is not None or text:
            results.append((when, value, text, rk))
    st.button(
        t("lab.add", name=lab.name),
        key=f"add.{lk}",
        on_click=w.add_item,
        args=(f"{lk}.rows", _new_id()),
    )
    # F.r in date order (undated results last); each coded and in the unit of its lab.
    for when, value, text, rk in sorted(results, key=lambda r: (r[0] is None, r[0] or "")):
        p = f"tests[{index}]"
        form.put(f"{p}.name", lab.name)
        if lab.meddra_code:
            form.put(f"{p}.test", {"version": conf.meddra_version, "code": lab.meddra_code})
        form.put(f"{p}.date", when, f"{rk}.date")
        if value is not None:
            form.put(f"{p}.result.value", str(value), f"{rk}.value")
            form.put(f"{p}.result.unit", unit and ucum_unit(unit), f"{lk}.unit")
        form.put(f"{p}.result_text", text, f"{rk}.text")
        form.put(f"{p}.normal_low", None if low is None else str(low), f"{lk}.low")
        form.put(f"{p}.normal_high", None if high is None else str(high), f"{lk}.high")
        form.bind(p, f"{rk}.value" if lab.unit else f"{rk}.text")
        index += 1
    return index


LAB_ROW_FIELDS = ("date", "value", "text")


def _lab_label(field: str, lab: GuideLab, n: int) -> str:
    """'Platelet count: result' for a lab's first result, 'Platelet count (2): result' after."""
    return t(f"lab.{field}", name=lab.name) if n == 1 else t(f"lab.row.{field}", name=lab.name, n=n)


def _remove_lab_row(lk: str, row: str | None) -> None:
    """Drop one result of a lab; removing the first moves the next one up into its place."""
    rows = w.items(f"{lk}.rows")
    if row is not None:
        w.remove_item(f"{lk}.rows", row)
        return
    if not rows:
        return
    following = rows[0]
    for field in LAB_ROW_FIELDS:
        w.set_answer(f"{lk}.{field}", w.answer(f"{_lab_row_key(lk, following)}.{field}"))
    w.remove_item(f"{lk}.rows", following)


def _unit(form: ReportInput, key: str, label: str, ucum: str | None = None) -> str | None:
    """A unit typed as clinicians write it (x10^3/µL, mmHg); the UCUM code it is sent as
    stands underneath."""
    typed = w.text(
        form, key, None, label, default=clinical_unit(ucum) if ucum else "", max_chars=50
    )
    if typed and ucum_unit(typed) != typed:
        st.caption(t("unit.ucum", code=plain(ucum_unit(typed))))
    return typed


def _assessment(form: ReportInput, k: str, link: str | None) -> None:
    c1, c2 = st.columns(2)
    with c1:
        result = w.select(
            form,
            f"{k}.causality",
            None,
            CAUSALITY,
            t("reaction.causality"),
            format_func=lambda c: choices.name("causality", c, c),
            help_text=w.element_help(t("reaction.causality.help"), "G.k.9.i.2.r"),
        )
        if result and link:
            form.put(
                f"{link}.causality[0]",
                {"source": "Reporter", "method": "WHO-UMC", "result": result},
                f"{k}.causality",
            )
    with c2:
        w.select(
            form,
            f"{k}.recurrence",
            f"{link}.recurrence" if link else None,
            list(Recurrence),
            t("reaction.recurrence"),
            format_func=choices.code,
            help_text=w.element_help(t("reaction.recurrence.help"), "G.k.9.i.4"),
        )


def _death(form: ReportInput, conf: Settings) -> None:
    """Shown as soon as a reaction is fatal or 'results in death' is ticked; the cause is
    required then (pv.entry_rules), as a MedDRA code or as reported."""
    st.subheader(t("patient.death"))
    st.caption(t("patient.death.hint"))
    causes = "patient.death.reported_causes"
    cause = f"{causes}[0]"
    c1, c2 = st.columns(2)
    with c1:
        typed = w.text(
            form,
            "death.cause",
            None,
            t("patient.death.cause") + " *",
            area=True,
            placeholder=t("patient.death.cause.placeholder"),
            max_chars=2000,
        )
        lines = [line.strip() for line in (typed or "").splitlines() if line.strip()]
        for j, line in enumerate(lines):
            form.put(f"{causes}[{j}].text", line, "death.cause")
    with c2:
        code = w.text(
            form,
            "death.cause_code",
            f"{cause}.term.code",
            t("patient.death.cause_code"),
            help_text=t("reaction.code.help"),
            max_chars=8,
        )
        if code:
            form.put(f"{cause}.term.version", conf.meddra_version)
            found = lookup_llt(code)
            if found is not None:
                st.caption(
                    t("reaction.code.found", version=found.version or "", name=plain(found.name))
                )
    form.bind(f"{cause}.term", "death.cause_code")
    c1, c2 = st.columns(2)
    with c1:
        w.date(form, "death.date", "patient.death.date")
    with c2:
        autopsy = w.select(
            form,
            "death.autopsy",
            None,
            ["yes", "no", "unknown"],
            t("patient.death.autopsy"),
            format_func=t,
        )
    if autopsy in ("yes", "no"):
        form.put("patient.death.autopsy", autopsy == "yes", "death.autopsy")
    # Whatever is missing about the death is said next to its cause, the one required input.
    form.bind("patient.death", "death.cause")
    form.bind(causes, "death.cause")


# ---------------------------------------------------------------- 4. LEMTRADA


def _lemtrada(form: ReportInput, conf: Settings) -> None:
    st.header(t("section.lemtrada"), anchor=section_anchor("lemtrada"))
    st.caption(t("lemtrada.hint"))
    drug_id = _stable_id("lemtrada.id")
    for name, value in suspect_drug(drug_id, conf.sender_country).items():
        form.put(f"{LEMTRADA}.{name}", value)
    courses = (
        w.select(
            form,
            "lemtrada.courses",
            None,
            list(range(1, MAX_COURSES + 1)),
            t("lemtrada.courses"),
            default=1,
        )
        or 1
    )
    for c in range(1, courses + 1):
        k = f"lemtrada.course.{c}"
        p = f"{LEMTRADA}.dosages[{c - 1}]"
        cols = st.columns(4)
        with cols[0]:
            start = w.date(
                form, f"{k}.start", None, t("lemtrada.course.start", n=c), end_key=f"{k}.end"
            )
        with cols[1]:
            end = w.date(
                form, f"{k}.end", None, t("lemtrada.course.end", n=c), start_key=f"{k}.start"
            )
        with cols[2]:
            batch = w.text(form, f"{k}.batch", None, t("lemtrada.course.batch", n=c), max_chars=35)
        with cols[3]:
            expiry = w.text(
                form,
                f"{k}.expiry",
                None,
                t("lemtrada.course.expiry", n=c),
                placeholder=t("lemtrada.course.expiry.placeholder"),
                max_chars=10,
            )
        form.put(p, {**course_dosage(c, start, end, batch), "batch_expiry": expiry})
        for field, key in (
            ("start", "start"),
            ("end", "end"),
            ("batch", "batch"),
            ("batch_expiry", "expiry"),
        ):
            form.bind(f"{p}.{field}", f"{k}.{key}")
        form.bind(p, f"{k}.start")
    w.select(
        form,
        "lemtrada.action",
        f"{LEMTRADA}.action_taken",
        list(ActionTaken),
        t("lemtrada.action"),
        format_func=choices.code,
    )
    premeds = {p.key: p for p in PREMEDICATIONS}
    chosen = w.multiselect(
        "lemtrada.premedication",
        list(premeds),
        t("lemtrada.premedication"),
        format_func=lambda key: choices.name("premedication", key, premeds[key].label),
    )
    for n, key in enumerate(chosen, start=1):
        form.put(f"drugs[{n}]", premeds[key].drug(_stable_id(f"premedication.{key}.id")))
        form.bind(f"drugs[{n}]", "lemtrada.premedication")
    st.session_state["_drug_index"] = 1 + len(chosen)
    form.bind(LEMTRADA, "lemtrada.courses")


# ---------------------------------------------------------------- 5. other medicines


def _other_drugs(form: ReportInput) -> int:
    st.header(t("section.other_drugs"), anchor=section_anchor("other_drugs"))
    st.caption(t("drugs.hint"))
    first = int(st.session_state.get("_drug_index", 1))
    count = w.repeating(
        "drugs",
        lambda n, did: _other_drug(form, n, did, f"drugs[{first + n}]"),
        add_label=t("drug.add"),
        remove_label=lambda n: t("drug.remove", n=n + 1),
    )
    return first - 1 + count


def _other_drug(form: ReportInput, n: int, did: str, p: str) -> None:
    k = f"drugs.{did}"
    roles = [DrugRole.CONCOMITANT, DrugRole.SUSPECT, DrugRole.INTERACTING]
    c1, c2 = st.columns([3, 1])
    with c1:
        w.text(form, f"{k}.name", f"{p}.product_name", t("drug.name", n=n + 1))
    with c2:
        w.select(
            form,
            f"{k}.role",
            f"{p}.role",
            roles,
            t("drug.role"),
            format_func=choices.code,
            default=DrugRole.CONCOMITANT,
        )
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        w.text(form, f"{k}.dose", f"{p}.dosages[0].text", t("drug.dose", n=n + 1))
    with c2:
        w.date(
            form,
            f"{k}.start",
            f"{p}.dosages[0].start",
            t("drug.start", n=n + 1),
            end_key=f"{k}.end",
        )
    with c3:
        w.date(
            form,
            f"{k}.end",
            f"{p}.dosages[0].end",
            t("drug.end", n=n + 1),
            start_key=f"{k}.start",
        )
    with c4:
        w.text(form, f"{k}.indication", f"{p}.indications[0].text", t("drug.indication", n=n + 1))
    form.put(f"{p}.id", did)
    form.bind(p, f"{k}.name")


# ---------------------------------------------------------------- 6. tests


def _tests(form: ReportInput) -> None:
    st.header(t("section.tests"), anchor=section_anchor("tests"))
    st.caption(t("tests.hint"))
    first = int(st.session_state.get("_test_index", 0))
    w.repeating(
        "tests",
        lambda n, tid: _test(form, n, tid, f"tests[{first + n}]"),
        add_label=t("test.add"),
        remove_label=lambda n: t("test.remove", n=n + 1),
    )


def _test(form: ReportInput, n: int, tid: str, p: str) -> None:
    k = f"tests.{tid}"
    c1, c2 = st.columns([3, 1])
    with c1:
        w.text(form, f"{k}.name", f"{p}.name", t("test.name", n=n + 1))
    with c2:
        w.date(form, f"{k}.date", f"{p}.date", t("test.date", n=n + 1))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        value = w.number(form, f"{k}.value", f"{p}.result.value", t("test.value", n=n + 1))
    with c2:
        unit = _unit(form, f"{k}.unit", t("test.unit", n=n + 1))
        if value is not None:
            form.put(f"{p}.result.unit", unit and ucum_unit(unit), f"{k}.unit")
    with c3:
        w.number(form, f"{k}.low", f"{p}.normal_low", t("test.low", n=n + 1))
    with c4:
        w.number(form, f"{k}.high", f"{p}.normal_high", t("test.high", n=n + 1))
    w.text(form, f"{k}.text", f"{p}.result_text", t("test.text", n=n + 1))
    form.bind(p, f"{k}.name")


# ---------------------------------------------------------------- 7. narrative


def _narrative(form: ReportInput, notes: list[str]) -> None:
    st.header(t("section.narrative"), anchor=section_anchor("narrative"))
    st.caption(t("narrative.hint"))
    narrative = w.text(
        form,
        "narrative.narrative",
        None,
        t("narrative.narrative") + " *",
        area=True,
        max_chars=20000,
    )
    form.bind("narrative.narrative", "narrative.narrative")
    summaries = []
    if narrative and is_arabic(narrative):
        # H.1 is required and holds what the reporter wrote (no translation is asked for);
        # ICH's H.5.r carries the case summary in the reporter's own language, tagged.
        summaries.append({"text": narrative, "language": ARABIC})
    if narrative:
        if notes:
            narrative += "\n\nDetails from the form:\n" + "\n".join(f"- {n}" for n in notes)
        form.put("narrative.narrative", narrative)
    comments = w.text(
        form,
        "narrative.comments",
        "narrative.reporter_comments",
        t("narrative.comments"),
        area=True,
        max_chars=20000,
    )
    if comments and is_arabic(comments):
        summaries.append({"text": comments, "language": ARABIC})
    form.put("narrative.summaries", summaries)
    form.bind("narrative", "narrative.narrative")


# ---------------------------------------------------------------- 8. review and submit


def _review(form: ReportInput, cat: Catalogue, conf: Settings) -> None:
    st.header(t("section.review"), anchor=section_anchor("review"))
    st.caption(t("review.hint"))
    st.markdown(_summary(form.data, cat))
    c1, c2 = st.columns(2)
    with c1:
        checking = st.button(t("review.check"), width="stretch")
    with c2:
        submitting = st.button(t("review.submit"), type="primary", width="stretch")
    if checking or submitting:
        _check_and_submit(form, conf, submit=submitting)
    # After a failed check the page is down here: the problems again, each linked to its input.
    with st.container(key=PROBLEMS_AT_SUBMIT):
        _error_summary(warnings_too=False)


def _summary(data: dict[str, Any], cat: Catalogue) -> str:
    """The report as a short Markdown list; everything typed is escaped."""
    lines = []
    source = (data.get("primary_sources") or [{}])[0] or {}
    names = ("title", "given_name", "family_name")
    reporter = " ".join(str(source[k]) for k in names if source.get(k))
    if reporter:
        lines.append(f"- **{t('review.reporter')}:** {plain(reporter)}")
    patient = data.get("patient") or {}
    facts = [str(patient["initials"])] if patient.get("initials") else []
    if patient.get("sex"):
        facts.append(choices.code(Sex(patient["sex"])))
    if (patient.get("age") or {}).get("value"):
        facts.append(_age_text(patient["age"]["value"], patient["age"].get("unit")))
    if facts:
        lines.append(f"- **{t('review.patient')}:** {plain(', '.join(facts))}")
    for n, reaction in enumerate(data.get("reactions") or [], start=1):
        reaction = reaction or {}
        code = (reaction.get("term") or {}).get("code")
        term = cat.term_by_code(code) if code else None
        name = term.term if term else (code or t("review.no_term"))
        serious = any((reaction.get("seriousness") or {}).values())
        label = t("review.serious") if serious else t("review.non_serious")
        outcome = (
            choices.code(Outcome(reaction["outcome"]))
            if reaction.get("outcome")
            else t("review.no_outcome")
        )
        start = reaction.get("start") or "?"
        if check_date(reaction.get("start"), datetime.now(UTC).date()):
            start = t("review.date_to_fix", date=start)
        lines.append(
            f"- **{t('review.reaction', n=n)}:** {plain(name)} ({label}; {plain(outcome)}; "
            f"{t('review.from')} {plain(str(start))})"
        )
    drugs = data.get("drugs") or []
    courses = len((drugs[0] or {}).get("dosages") or []) if drugs else 0
    lines.append(f"- {t('review.lemtrada', courses=courses, drugs=max(len(drugs) - 1, 0))}")
    lines.append(f"- {t('review.tests', count=len(data.get('tests') or []))}")
    return "\n".join(lines)


def _age_text(value: Any, unit: str | None) -> str:
    """'34', 'a' -> '34 years'; '1', 'mo' -> '1 month' (no unit: the number alone)."""
    if unit not in {u.value for u in AgeUnit}:
        return str(value)
    number = "one" if str(value) in ("1", "1.0") else "other"
    return t(f"age.{AgeUnit(unit).name.lower()}.{number}", n=value)


def _check_and_submit(form: ReportInput, conf: Settings, *, submit: bool) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    result = check(form.data, settings=conf, now=now)
    if not result.ok or not submit:
        _remember_findings(form, result.findings)
        if result.ok:
            st.toast(t("review.ok"))
        else:
            a11y.request_focus(a11y.problems_selector(PROBLEMS_AT_SUBMIT))
        st.rerun()
    built: dict[str, Any] = {}
    answers = drafts.answers_for_log()
    following = drafts.follow_up_of()

    def make(case_id: str) -> Any:
        submission = build(form.data, case_id, settings=conf, now=now)
        built["submission"] = submission
        return submission

    try:
        if following is None:
            saved = _open_store().submit(make, now=now, answers=answers)
            case_id, version = saved.case_id, saved.version
        else:
            added = submit_follow_up(
                _open_store(),
                following,
                form.data,
                settings=conf,
                form_answers=answers,
                started_from=drafts.follow_up_version(),
                now=now,
            )
            built["submission"] = added.submission
            case_id, version = following, added.line.version or 0
    except CaseClosedToFollowUp:
        st.error(t("officer_follow_up.nullified", case_id=following))
        return
    except FollowUpOutdated:
        st.error(t("officer_follow_up.outdated", case_id=following))
        return
    except SubmissionRefused as refused:
        _remember_findings(form, refused.findings)
        a11y.request_focus(a11y.problems_selector(PROBLEMS_AT_SUBMIT))
        st.rerun()
    except DatabaseUnavailable as error:
        st.error(t("done.save_failed", reason=str(error)))
        return
    except SQLAlchemyError as error:
        st.error(t("done.save_failed", reason=type(error).__name__))
        return
    submission = built["submission"]
    draft = draft_email(submission.report, conf)
    filename = f"{case_id}-V{version}.xml" if following else f"{case_id}.xml"
    st.session_state[SUBMITTED] = {
        "case_id": case_id,
        "version": version,
        "follow_up": following is not None,
        "xml": submission.xml,
        "filename": filename,
        "eml": build_eml(draft, submission.xml, filename, now=now),
        "mailto": draft.mailto(),
        "findings": submission.findings,
        "report": submission.report,
        "submitted_at": now,
    }
    w.clear_answers()
    st.session_state.pop(FINDINGS, None)
    a11y.request_focus(a11y.heading_selector(CONFIRMATION))
    st.rerun()


def _open_store() -> Store:
    return store()


def _remember_findings(form: ReportInput, findings: list[Finding]) -> None:
    """Each finding next to its input, and all of them (linked to their inputs) in the lists."""
    routed = form.route(findings)
    st.session_state[w.ERRORS] = {
        key: [f.message for f in items if f.severity == "error"]
        for key, items in routed.items()
        if key is not None
    }
    ordered = form.in_form_order(findings)
    st.session_state[FINDINGS] = [(form.input_for(f.path), f) for f in ordered]
    st.session_state[w.CHECKS] = {}  # the check has said it all, in the model's words


# ---------------------------------------------------------------- confirmation


def _receipt_file(
    case_id: str, data: bytes | Callable[[], bytes], kind: str
) -> Callable[[], bytes]:
    """The reporter's copy of their own report, made at the click and audited then."""
    log = _open_store()

    def make() -> bytes:
        log.record("download", user="hcp", case_id=case_id, detail={"format": kind})
        return data if isinstance(data, bytes) else data()

    return make


def _confirmation(done: dict[str, Any]) -> None:
    case_id = done["case_id"]
    conf = settings()
    if done.get("follow_up"):
        title = t("officer_follow_up.done", case_id=case_id, version=done.get("version"))
        st.header(title, anchor=CONFIRMATION)
        st.success(t("officer_follow_up.done.body"))
    else:
        st.header(t("done.title", case_id=case_id), anchor=CONFIRMATION)
        st.success(t("done.body", case_id=case_id))
    c0, c1, c2, c3 = st.columns(4)
    with c0:
        report = done["report"]
        submitted_at: datetime = done["submitted_at"]
        link = drafts.private_link()
        language = current_language()
        offer(
            t("done.receipt"),
            _receipt_file(
                case_id,
                lambda: receipt_pdf(
                    report,
                    case_id=case_id,
                    submitted_at=submitted_at,
                    link=link,
                    language=language,
                    settings=conf,
                ),
                "receipt-pdf",
            ),
            file_name=f"{case_id}-receipt.pdf",
            mime="application/pdf",
            key="done.receipt",
            width="stretch",
        )
    with c1:
        # The receipt's files go to this browser only (ui.downloads), never to a shared URL,
        # and each download is in the audit trail like an officer's.
        xml: bytes = done["xml"]
        offer(
            t("done.xml"),
            _receipt_file(case_id, xml, "e2b"),
            file_name=done["filename"],
            mime="application/xml",
            key="done.xml",
            width="stretch",
        )
    with c2:
        eml: bytes = done["eml"]
        offer(
            t("done.eml"),
            _receipt_file(case_id, eml, "eml"),
            file_name=f"{case_id}.eml",
            mime="message/rfc822",
            key="done.eml",
            width="stretch",
        )
    with c3:
        st.link_button(t("done.mailto"), done["mailto"], width="stretch")
    offer(
        t("done.cioms"),
        _receipt_file(case_id, lambda: cioms_pdf(report, case_id=case_id, settings=conf), "cioms"),
        file_name=f"{case_id}-cioms.pdf",
        mime="application/pdf",
        key="done.cioms",
    )
    st.subheader(t("done.validation"))
    findings: list[Finding] = done["findings"]
    if not findings:
        st.write(t("done.valid"))
    for f in findings:
        where = f" {plain(f.element)}" if w.expert() else ""
        st.markdown(f"- {t(f'severity.{f.severity}')}{where}: {plain(w.shown(f.message))}")
