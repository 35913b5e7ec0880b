"""The report page through Streamlit's AppTest: required-field errors, category-specific inputs,
a valid multi-reaction report saved with schema-valid XML, and answers kept across reruns."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from pv.config import Settings
from pv.model import Report
from pv.store import Store

APP = str(Path(__file__).resolve().parents[2] / "ui" / "main.py")
ITP_PLATELETS = "10035525"  # MedDRA test name "Platelet count" (guide lab)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The real app with its own SQLite submission log in a temporary folder."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    yield at
    st.cache_resource.clear()


def key(name: str) -> str:
    return f"f:{name}"


def reaction_ids(at: AppTest) -> list[str]:
    ids: list[str] = at.session_state["answers"]["reactions"]
    return ids


def errors_under_fields(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":red[")]


def fill_reporter_and_patient(at: AppTest) -> None:
    at.text_input(key=key("reporter.title")).input("Dr")
    at.text_input(key=key("reporter.given_name")).input("Noura")
    at.text_input(key=key("reporter.family_name")).input("Al-Example")
    at.selectbox(key=key("reporter.qualification")).select_index(0)
    at.text_input(key=key("reporter.email")).input("n.example@example.org")
    at.text_input(key=key("reporter.phone")).input("+966 11 555 0100")
    at.text_input(key=key("patient.initials")).input("SA")
    at.radio(key=key("patient.sex")).set_value(at.radio(key=key("patient.sex")).options[1])
    at.number_input(key=key("patient.age.value")).set_value(34)
    at.run()


def choose_category(at: AppTest, rid: str, group: str, category: str) -> None:
    at.selectbox(key=key(f"reactions.{rid}.group")).set_value(group).run()
    at.selectbox(key=key(f"reactions.{rid}.category")).set_value(category).run()


def fill_itp(at: AppTest, rid: str) -> None:
    choose_category(at, rid, "delayed_autoimmune", "itp")
    at.selectbox(key=key(f"reactions.{rid}.term")).set_value(_options(at, rid)[0])
    at.text_input(key=key(f"reactions.{rid}.verbatim")).input("Petechiae and platelets 12")
    at.text_input(key=key(f"reactions.{rid}.start")).input("2026-09-14")
    at.selectbox(key=key(f"reactions.{rid}.outcome")).set_value(_outcome("2"))
    at.checkbox(key=key(f"reactions.{rid}.serious.hospitalisation")).check()
    at.run()
    at.text_input(key=key(f"reactions.{rid}.lab.0.date")).input("14/09/2026")
    at.number_input(key=key(f"reactions.{rid}.lab.0.value")).set_value(12)
    at.number_input(key=key(f"reactions.{rid}.lab.0.low")).set_value(150)
    at.number_input(key=key(f"reactions.{rid}.lab.0.high")).set_value(400)
    at.run()


def _options(at: AppTest, rid: str) -> list[str]:
    """The MedDRA codes the chosen category offers (the select's raw option values)."""
    from pv.catalogue import load_catalogue

    category = at.session_state["answers"][f"reactions.{rid}.category"]
    return [t.code for t in load_catalogue().category(category).terms]


def _outcome(code: str) -> Any:
    from e2b.codelists import Outcome

    return Outcome(code)


def fill_lemtrada_and_narrative(at: AppTest) -> None:
    at.selectbox(key=key("lemtrada.courses")).set_value(2).run()
    at.text_input(key=key("lemtrada.course.1.start")).input("2024-01-08")
    at.text_input(key=key("lemtrada.course.1.end")).input("2024-01-12")
    at.text_input(key=key("lemtrada.course.2.start")).input("2025-01-13")
    at.text_input(key=key("lemtrada.course.2.end")).input("2025-01-15")
    at.text_input(key=key("lemtrada.course.2.batch")).input("SYN-LOT-77")
    at.text_area(key=key("narrative.narrative")).input(
        "Synthetic case: petechiae 20 months after course 2; platelets 12 x10^9/L."
    )
    at.run()


def submit(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label == "Check and submit report"]
    button.click().run()


def test_page_starts_without_configuration(app: AppTest) -> None:
    headers = [h.value for h in app.header]
    assert headers[0] == "1. Reporter"
    assert headers[-1] == "8. Review and submit"
    assert app.selectbox(key=key(f"reactions.{reaction_ids(app)[0]}.outcome")).label == "Outcome *"


def test_submitting_an_empty_form_names_the_missing_fields_next_to_them(app: AppTest) -> None:
    submit(app)
    assert not app.exception
    top, at_submit = app.error  # the list at the top, and again at the submit button
    assert "cannot be submitted yet" in top.value
    assert at_submit.value == top.value
    rid = reaction_ids(app)[0]
    errors = app.session_state["errors"]
    assert any("outcome is required" in m for m in errors[f"reactions.{rid}.outcome"])
    assert any("MedDRA term" in m for m in errors[f"reactions.{rid}.term"])
    assert any("narrative" in m for m in errors["narrative.narrative"])
    under = errors_under_fields(app)
    assert any("outcome is required" in m for m in under)


def test_an_invalid_value_is_reported_at_its_field(app: AppTest) -> None:
    app.text_input(key=key("reporter.email")).input("not-an-address").run()
    rid = reaction_ids(app)[0]
    app.text_input(key=key(f"reactions.{rid}.start")).input("2031-02-30").run()
    submit(app)
    errors = app.session_state["errors"]
    assert any("e-mail" in m for m in errors["reporter.email"])
    assert errors[f"reactions.{rid}.start"]


def test_choosing_itp_offers_its_terms_hint_and_platelet_lab(app: AppTest) -> None:
    rid = reaction_ids(app)[0]
    choose_category(app, rid, "delayed_autoimmune", "itp")
    options = app.selectbox(key=key(f"reactions.{rid}.term")).options
    assert any("Immune thrombocytopenia" in o for o in options)
    assert any("monthly" in i.value for i in app.info)  # the guide's monitoring hint
    labels = [x.label for x in app.number_input]
    assert "Platelet count: result" in labels


def test_infusion_and_pregnancy_categories_ask_their_own_questions(app: AppTest) -> None:
    rid = reaction_ids(app)[0]
    choose_category(app, rid, "infusion_associated", "myocardial_ischaemia_infarction")
    assert app.selectbox(key=key(f"reactions.{rid}.course")).label.startswith("During or after")
    assert app.number_input(key=key(f"reactions.{rid}.since")) is not None
    choose_category(app, rid, "pregnancy", "pregnancy_exposure")
    assert app.text_input(key=key("patient.lmp")).label == "Last menstrual period"
    assert app.number_input(key=key(f"reactions.{rid}.gestation")) is not None
    assert app.selectbox(key=key(f"reactions.{rid}.pregnancy_outcome")) is not None


def test_answers_survive_reruns_and_a_draft_comes_back_after_a_new_report(app: AppTest) -> None:
    app.text_input(key=key("reporter.given_name")).input("Noura").run()
    rid = reaction_ids(app)[0]
    choose_category(app, rid, "delayed_autoimmune", "itp")
    app.run()
    app.run()
    assert app.text_input(key=key("reporter.given_name")).value == "Noura"
    [save] = [b for b in app.sidebar.button if b.label == "Save draft now"]
    save.click().run()
    [new] = [b for b in app.sidebar.button if b.label == "Start a new report"]
    new.click().run()
    assert app.text_input(key=key("reporter.given_name")).value == ""
    [resume] = [b for b in app.sidebar.button if b.label == "Resume a saved draft"]
    resume.click().run()
    assert app.text_input(key=key("reporter.given_name")).value == "Noura"
    assert app.selectbox(key=key(f"reactions.{rid}.category")).value == "itp"


def test_a_valid_two_reaction_report_is_saved_with_schema_valid_xml(
    app: AppTest, tmp_path: Path
) -> None:
    fill_reporter_and_patient(app)
    first = reaction_ids(app)[0]
    fill_itp(app, first)
    [add] = [b for b in app.button if b.label == "Add another reaction"]
    add.click().run()
    second = reaction_ids(app)[1]
    choose_category(app, second, "delayed_autoimmune", "thyroid_disorder")
    app.selectbox(key=key(f"reactions.{second}.term")).set_value(_options(app, second)[0])
    app.text_input(key=key(f"reactions.{second}.start")).input("2026-03")
    app.selectbox(key=key(f"reactions.{second}.outcome")).set_value(_outcome("3")).run()
    fill_lemtrada_and_narrative(app)
    submit(app)
    assert not app.exception
    assert not app.session_state["errors"], app.session_state["errors"]
    done = app.session_state["submitted"]
    case_id = done["case_id"]
    assert case_id.startswith("SA-LEMTRADAPV-")
    assert validate_bytes(done["xml"]) == []
    read = read_bytes(done["xml"])
    icsr = read.reports[0].report
    assert icsr is not None
    report = Report.from_icsr(icsr)
    assert len(report.reactions) == 2
    assert report.reactions[0].seriousness.hospitalisation
    assert [t.test.code for t in report.tests if t.test] == [ITP_PLATELETS]
    assert report.tests[0].date == "2026-09-14"
    result = report.tests[0].result
    assert result is not None and result.unit == "10*3/uL"  # shown as x10^3/µL, sent as UCUM
    assert [d.course for d in report.drugs[0].dosages] == [1, 2]
    assert any(h.value == f"Report {case_id} submitted" for h in app.header)
    store = Store.open()
    try:
        detail = store.get_case(case_id)
        assert detail.versions[0].xml == done["xml"]
    finally:
        store.close()
    # Nothing typed stays behind for the next report.
    assert app.session_state["answers"] == {}


HOSTILE = (
    '<script>alert(1)</script> "><img src=x onerror=alert(1)> & ]]> '
    "Line1\r\nBcc: evil@example.com تقرير عن رد فعل 😀 **bold** [link](http://x)"
)
STRUCTURED = (
    "date",
    "birth_date",
    "start",
    "end",
    "email",
    "phone",
    "country",
    "code",
    "expiry",
    "unit",
    "lmp",
    "expiry",
)


def test_hostile_text_in_every_free_text_field_still_gives_a_valid_report(app: AppTest) -> None:
    fill_reporter_and_patient(app)
    rid = reaction_ids(app)[0]
    fill_itp(app, rid)
    fill_lemtrada_and_narrative(app)
    [add] = [b for b in app.button if b.label == "Add a medicine"]
    add.click().run()
    for box in [*app.text_input, *app.text_area]:
        name = box.key or ""
        if not name.startswith("f:") or name.rsplit(".", 1)[-1] in STRUCTURED:
            continue
        if name.endswith(("batch", "initials", ".title")):
            box.input(HOSTILE[:30])
        else:
            long = (HOSTILE * 400)[:10_000]
            box.input(long[: box.proto.max_chars] if box.proto.max_chars else long)
    app.run()
    submit(app)
    assert not app.exception
    assert not app.session_state["errors"], app.session_state["errors"]
    done = app.session_state["submitted"]
    assert validate_bytes(done["xml"]) == []
    report = read_bytes(done["xml"]).reports[0].report
    assert report is not None
    assert report.narrative.narrative.startswith(HOSTILE[:50])
    assert b"Bcc: evil" not in done["eml"].split(b"\r\n\r\n", 1)[0]


def test_a_failed_save_says_so_and_keeps_the_form(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_reporter_and_patient(app)
    fill_itp(app, reaction_ids(app)[0])
    fill_lemtrada_and_narrative(app)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker / 'log.db'}")
    st.cache_resource.clear()
    submit(app)
    assert not app.exception
    assert any("could not be saved" in e.value for e in app.error)
    assert "submitted" not in app.session_state
    assert app.text_input(key=key("reporter.given_name")).value == "Noura"


# ---------------------------------------------------------------- one pass, clinical language

ELEMENT = re.compile(r"\(?[A-H]\.\d|N\.\d")


def _start(rid: str) -> str:
    return f"reactions.{rid}.start"


def _empty(at: AppTest) -> None:
    pass


def _future_start_and_no_reporter(at: AppTest) -> None:
    rid = reaction_ids(at)[0]
    at.text_input(key=key(_start(rid))).input("2031-02")
    at.text_input(key=key(f"reactions.{rid}.end")).input("2030-01")
    at.text_input(key=key("patient.initials")).input("SA")
    at.run()


def _bad_email_and_impossible_age(at: AppTest) -> None:
    at.text_input(key=key("reporter.email")).input("not-an-address")
    at.number_input(key=key("patient.age.value")).set_value(250)
    at.run()


def _death_ticked_without_cause(at: AppTest) -> None:
    fill_reporter_and_patient(at)
    rid = reaction_ids(at)[0]
    at.checkbox(key=key(f"reactions.{rid}.serious.death")).check().run()


def _nearly_complete_with_a_bad_date(at: AppTest) -> None:
    fill_reporter_and_patient(at)
    rid = reaction_ids(at)[0]
    fill_itp(at, rid)
    at.text_input(key=key("lemtrada.course.1.start")).input("March 2025").run()


def _lab_and_test_half_filled(at: AppTest) -> None:
    rid = reaction_ids(at)[0]
    choose_category(at, rid, "delayed_autoimmune", "itp")
    at.number_input(key=key(f"reactions.{rid}.lab.0.value")).set_value(12).run()
    [add] = [b for b in at.button if b.label == "Add a test"]
    add.click().run()
    at.text_input(key=key(f"tests.{at.session_state['answers']['tests'][0]}.name")).input("MRI")
    at.run()


INCOMPLETE = [
    pytest.param(_empty, id="empty-form"),
    pytest.param(_future_start_and_no_reporter, id="future-date-and-no-reporter"),
    pytest.param(_bad_email_and_impossible_age, id="bad-email-and-impossible-age"),
    pytest.param(_death_ticked_without_cause, id="death-without-cause"),
    pytest.param(_nearly_complete_with_a_bad_date, id="nearly-complete-bad-date"),
    pytest.param(_lab_and_test_half_filled, id="half-filled-lab-and-test"),
]


def _listed(block: Any) -> set[str]:
    """The problems an error list shows, as the list item's text (links taken off)."""
    lines = [line[2:] for line in block.value.splitlines() if line.startswith("- ")]
    return {re.sub(r"^\[(.*)\]\(#field-[\w-]+\)$", r"\1", line) for line in lines}


@pytest.mark.parametrize("fill", INCOMPLETE)
def test_the_first_submit_lists_every_problem_the_domain_validator_reports(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, fill: Any
) -> None:
    import ui.report_page as page
    from pv.clinical import without_elements
    from pv.submission import check
    from ui.widgets import plain

    seen: list[dict[str, Any]] = []

    def spy(answers: dict[str, Any], **kwargs: Any) -> Any:
        seen.append(copy.deepcopy(answers))
        return check(answers, **kwargs)

    monkeypatch.setattr(page, "check", spy)
    fill(app)
    seen.clear()
    submit(app)
    assert not app.exception
    # The domain's own verdict on the very answers the page checked, asked again here (the
    # submit's check comes first; the section list checks again as the page is redrawn).
    answers = seen[0]
    result = check(answers, settings=Settings(), now=datetime.now(UTC).replace(microsecond=0))
    expected = {
        plain(without_elements(f.message)) for f in result.findings if f.severity == "error"
    }
    assert expected
    top, at_submit = app.error
    assert _listed(top) == expected
    assert _listed(at_submit) == expected
    assert f"{len([f for f in result.findings if f.severity == 'error'])} problem" in top.value


def test_a_future_date_and_a_missing_reporter_come_with_the_missing_fields(app: AppTest) -> None:
    """The issue's second round (a future start, an end before it, no reporter) in the first."""
    _future_start_and_no_reporter(app)
    submit(app)
    text = app.error[0].value
    assert "outcome is required" in text
    assert "in the future" in text
    assert "is before the start date" in text
    assert "reporter must be identifiable" in text


def test_a_future_date_is_flagged_when_its_field_is_left(app: AppTest) -> None:
    rid = reaction_ids(app)[0]
    app.text_input(key=key(_start(rid))).input("2031-02").run()
    assert not app.error  # nothing submitted
    assert app.session_state["field_checks"][_start(rid)] == ["This date is in the future."]
    assert any("in the future" in m for m in errors_under_fields(app))
    app.text_input(key=key(_start(rid))).input("2025-02").run()
    assert _start(rid) not in app.session_state["field_checks"]
    assert not errors_under_fields(app)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("March 2025", "is not a date"), ("2031-02-30", "is not a date")],
)
def test_a_date_that_is_not_one_is_flagged_when_left(app: AppTest, typed: str, reason: str) -> None:
    app.text_input(key=key("lemtrada.course.1.start")).input(typed).run()
    assert any(reason in m for m in errors_under_fields(app))


def test_an_end_before_its_start_and_an_impossible_age_are_flagged_when_left(app: AppTest) -> None:
    rid = reaction_ids(app)[0]
    app.text_input(key=key(_start(rid))).input("2025-03-14").run()
    app.text_input(key=key(f"reactions.{rid}.end")).input("2025-02").run()
    checks = app.session_state["field_checks"]
    assert checks[f"reactions.{rid}.end"] == ["This date is before the start date (2025-03-14)."]
    assert any("before the start date" in m for m in errors_under_fields(app))
    app.text_input(key=key(_start(rid))).input("2025-01").run()  # a new start re-checks the end
    assert f"reactions.{rid}.end" not in app.session_state["field_checks"]
    app.number_input(key=key("patient.age.value")).set_value(250).run()
    assert app.session_state["field_checks"]["patient.age.value"] == [
        "This is not plausible: at most 150."
    ]


@pytest.mark.parametrize("how", ["ticked", "fatal"])
def test_death_details_appear_with_results_in_death_and_need_a_cause(
    app: AppTest, how: str
) -> None:
    rid = reaction_ids(app)[0]
    assert not [x for x in app.text_area if x.key == key("death.cause")]
    if how == "ticked":
        app.checkbox(key=key(f"reactions.{rid}.serious.death")).check().run()
    else:
        app.selectbox(key=key(f"reactions.{rid}.outcome")).set_value(_outcome("5")).run()
    cause = app.text_area(key=key("death.cause"))
    assert cause.label == "Cause(s) of death as reported (one per line) *"
    assert app.text_input(key=key("death.cause_code")) is not None
    assert app.selectbox(key=key("death.autopsy")) is not None
    submit(app)
    [message] = app.session_state["errors"]["death.cause"]
    assert "cause of death" in message
    # ... shown next to the cause field, and not once the cause is given.
    assert any("cause of death" in m for m in errors_under_fields(app))
    app.text_area(key=key("death.cause")).input(
        "Sepsis\n\nProgressive multifocal leukoencephalopathy"
    )
    app.run()
    submit(app)
    assert "death.cause" not in app.session_state["errors"]


def _user_facing(at: AppTest) -> list[str]:
    texts = [e.value for e in at.error] + [x.value for x in at.warning]
    texts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    for widgets in (at.text_input, at.text_area, at.number_input, at.selectbox, at.checkbox):
        texts += [x.label for x in widgets] + [x.help or "" for x in widgets]
    return [x.replace("\\", "") for x in texts]  # as read: Markdown escapes taken off


def test_messages_and_help_name_no_elements_unless_expert_view_is_on(app: AppTest) -> None:
    _future_start_and_no_reporter(app)
    app.text_input(key=key("reporter.email")).input("not-an-address").run()
    submit(app)
    texts = _user_facing(app)
    assert any("outcome is required" in x for x in texts)
    assert [x for x in texts if ELEMENT.search(x)] == []
    [expert] = app.sidebar.toggle
    expert.set_value(True).run()
    assert any(ELEMENT.search(x) for x in _user_facing(app))
    assert "(E.i.7)" in app.error[0].value.replace("\\", "")


def test_the_problems_at_the_submit_button_link_to_their_fields(app: AppTest) -> None:
    submit(app)
    labels = [b.label for b in app.button]
    assert labels.index("Check my report") < labels.index("Check and submit report")
    links = re.findall(r"\]\(#(field-[\w-]+)\)", app.error[1].value)
    assert links
    anchors = {m.value for m in app.markdown if m.value.startswith("<span id=")}
    for link in links:
        assert f'<span id="{link}"></span>' in anchors


def test_check_my_report_lists_the_same_problems_as_submit(app: AppTest) -> None:
    _future_start_and_no_reporter(app)
    [check_button] = [b for b in app.button if b.label == "Check my report"]
    check_button.click().run()
    checked = _listed(app.error[0])
    submit(app)
    assert _listed(app.error[0]) == checked
    assert "submitted" not in app.session_state


def test_clinical_units_ages_and_professions(app: AppTest) -> None:
    options = app.selectbox(key=key("reporter.qualification")).options
    assert options == ["Physician", "Pharmacist", "Other health professional (e.g. nurse)"]
    fill_reporter_and_patient(app)
    rid = reaction_ids(app)[0]
    choose_category(app, rid, "delayed_autoimmune", "itp")
    unit = app.text_input(key=key(f"reactions.{rid}.lab.0.unit"))
    assert unit.value == "x10^3/µL"
    assert any(c.value == "Sent as UCUM 10\\*3/uL" for c in app.caption)
    summary = [m.value for m in app.markdown if "**Patient:**" in m.value]
    assert any("34 years" in s for s in summary)
    app.number_input(key=key("patient.age.value")).set_value(1)
    app.selectbox(key=key("patient.age.unit")).set_value(_age_unit("mo")).run()
    assert any(re.search(r"\b1 month\b(?!s)", s) for s in _summaries(app))


def _summaries(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "**Patient:**" in m.value]


def _age_unit(code: str) -> Any:
    from e2b.codelists import AgeUnit

    return AgeUnit(code)


def test_a_fatal_report_goes_out_with_its_causes_of_death(app: AppTest) -> None:
    fill_reporter_and_patient(app)
    rid = reaction_ids(app)[0]
    fill_itp(app, rid)
    app.selectbox(key=key(f"reactions.{rid}.outcome")).set_value(_outcome("5"))
    app.checkbox(key=key(f"reactions.{rid}.serious.death")).check().run()
    app.text_area(key=key("death.cause")).input("Intracranial haemorrhage\nThrombocytopenia")
    app.text_input(key=key("death.date")).input("2026-10-02")
    app.selectbox(key=key("death.autopsy")).set_value("no").run()
    fill_lemtrada_and_narrative(app)
    submit(app)
    assert not app.session_state["errors"], app.session_state["errors"]
    icsr = read_bytes(app.session_state["submitted"]["xml"]).reports[0].report
    assert icsr is not None and icsr.patient.death is not None
    causes = [c.text for c in icsr.patient.death.reported_causes]
    assert causes == ["Intracranial haemorrhage", "Thrombocytopenia"]
    assert icsr.patient.death.autopsy is False


def test_treatment_dechallenge_expiry_and_named_premedication_reach_the_xml(
    app: AppTest,
) -> None:
    from pv.model import Dechallenge

    fill_reporter_and_patient(app)
    rid = reaction_ids(app)[0]
    fill_itp(app, rid)
    app.text_input(key=key(f"reactions.{rid}.treatment")).input("IVIG 1 g/kg, prednisolone")
    app.selectbox(key=key(f"reactions.{rid}.dechallenge")).set_value(Dechallenge.NOT_APPLICABLE)
    fill_lemtrada_and_narrative(app)
    app.text_input(key=key("lemtrada.course.2.expiry")).input("2027-03")
    premedication = app.multiselect(key=key("lemtrada.premedication"))
    assert "Cetirizine (antihistamine): before the LEMTRADA infusion" in premedication.options
    premedication.set_value(["methylprednisolone", "cetirizine"]).run()
    submit(app)
    assert not app.session_state["errors"], app.session_state["errors"]
    icsr = read_bytes(app.session_state["submitted"]["xml"]).reports[0].report
    assert icsr is not None
    assert icsr.narrative.narrative.endswith(
        "Reported on the form:\nTreatment of reaction 1: IVIG 1 g/kg, prednisolone\n"
        "Dechallenge, reaction 1: " + Dechallenge.NOT_APPLICABLE.label
    )
    lemtrada = icsr.drugs[0]
    assert lemtrada.additional_info == "LEMTRADA course 2 batch SYN-LOT-77: expiry 2027-03"
    assert [d.product_name for d in icsr.drugs[1:]] == ["Methylprednisolone", "Cetirizine"]
    report = Report.from_icsr(icsr)
    assert report.reactions[0].treatment == "IVIG 1 g/kg, prednisolone"
    assert report.drugs[0].dosages[1].batch_expiry == "2027-03"


def test_a_batch_expiry_in_another_form_is_refused_at_its_field(app: AppTest) -> None:
    fill_lemtrada_and_narrative(app)
    app.text_input(key=key("lemtrada.course.2.expiry")).input("03/2027").run()
    submit(app)
    assert "YYYY-MM" in " ".join(app.session_state["errors"].get("lemtrada.course.2.expiry", []))


# ---------------------------------------------------------------- serial labs


def _add_result(at: AppTest, name: str = "Platelet count") -> str:
    """Press 'Add another result' of a guide lab; the new row's key prefix."""
    [add] = [b for b in at.button if b.label == f"Add another result: {name}"]
    add.click().run()
    rid = reaction_ids(at)[0]
    rows: list[str] = at.session_state["answers"][f"reactions.{rid}.lab.0.rows"]
    return f"reactions.{rid}.lab.0.rows.{rows[-1]}"


def test_an_itp_case_with_three_platelet_counts_sends_three_coded_results_in_date_order(
    app: AppTest,
) -> None:
    fill_reporter_and_patient(app)
    rid = reaction_ids(app)[0]
    fill_itp(app, rid)  # the first count: 12 on 14/09/2026, normal range 150-400
    second = _add_result(app)
    third = _add_result(app)
    labels = [x.label for x in app.number_input]
    assert "Platelet count (2): result" in labels and "Platelet count (3): result" in labels
    # Typed out of order: the report lists them by date.
    app.text_input(key=key(f"{second}.date")).input("2026-11-02")
    app.number_input(key=key(f"{second}.value")).set_value(95)
    app.text_input(key=key(f"{third}.date")).input("2026-10")
    app.number_input(key=key(f"{third}.value")).set_value(41)
    app.run()
    fill_lemtrada_and_narrative(app)
    submit(app)
    assert not app.exception
    assert not app.session_state["errors"], app.session_state["errors"]
    xml = app.session_state["submitted"]["xml"]
    assert validate_bytes(xml) == []
    icsr = read_bytes(xml).reports[0].report
    assert icsr is not None
    tests = icsr.tests
    assert [t.date for t in tests] == ["2026-09-14", "2026-10", "2026-11-02"]
    assert [t.test.code if t.test else None for t in tests] == [ITP_PLATELETS] * 3
    assert [str(t.result.value) if t.result else None for t in tests] == ["12", "41", "95"]
    assert [t.result.unit if t.result else None for t in tests] == ["10*3/uL"] * 3
    assert [(t.normal_low, t.normal_high) for t in tests] == [(Decimal(150), Decimal(400))] * 3
    assert {t.name for t in tests} == {"Platelet count"}


def test_a_result_row_can_be_removed_and_the_first_gives_way_to_the_next(app: AppTest) -> None:
    rid = reaction_ids(app)[0]
    choose_category(app, rid, "delayed_autoimmune", "itp")
    first = f"reactions.{rid}.lab.0"
    app.number_input(key=key(f"{first}.value")).set_value(12).run()
    second = _add_result(app)
    app.number_input(key=key(f"{second}.value")).set_value(95).run()
    third = _add_result(app)
    app.number_input(key=key(f"{third}.value")).set_value(41).run()
    [remove] = [b for b in app.button if b.label == "Remove Platelet count result 2"]
    remove.click().run()
    assert app.number_input(key=key(f"{first}.value")).value == 12
    assert app.number_input(key=key(f"{third}.value")).value == 41
    [remove] = [b for b in app.button if b.label == "Remove Platelet count result 1"]
    remove.click().run()
    assert app.number_input(key=key(f"{first}.value")).value == 41
    assert app.session_state["answers"][f"{first}.rows"] == []
    assert not [b for b in app.button if b.label.startswith("Remove Platelet count")]


# ---------------------------------------------------------------- orientation

SECTION_LINE = re.compile(
    r"^- \[(?:\*\*)?(.+?) \\\((complete|(\d+) to fix)\\\)(?:\*\*)?\]\(#([\w-]+)\)$"
)


def _progress(at: AppTest) -> dict[str, tuple[int, str]]:
    """The section list at the top: title -> (errors, link target)."""
    [block] = [m for m in at.markdown if m.value.startswith("**Sections of the report**")]
    found = {}
    for line in block.value.splitlines()[2:]:
        match = SECTION_LINE.match(line)
        assert match, line
        title = match[1].replace("\\", "")
        found[title] = (int(match[3] or 0), match[4])
    return found


def test_the_section_list_counts_the_domain_errors_of_each_section_and_links_it(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.report_page as page
    from pv.submission import check

    seen: list[dict[str, Any]] = []

    def spy(answers: dict[str, Any], **kwargs: Any) -> Any:
        seen.append(copy.deepcopy(answers))
        return check(answers, **kwargs)

    monkeypatch.setattr(page, "check", spy)
    app.run()
    progress = _progress(app)
    titles = list(progress)
    assert (titles[0], titles[-1]) == ("1. Reporter", "8. Review and submit")
    anchors = {h.proto.anchor for h in app.header}
    assert {target for _, target in progress.values()} <= anchors
    # The counts add up to the errors the domain finds in the answers the page drew.
    result = check(seen[-1], settings=Settings(), now=datetime.now(UTC).replace(microsecond=0))
    errors = [f for f in result.findings if f.severity == "error"]
    assert sum(n for n, _ in progress.values()) == len(errors) > 0
    assert progress["1. Reporter"][0] > 0
    assert progress["3. What happened"][0] > 0
    assert progress["5. Other medicines"][0] == 0
    # Filling the reporter's part completes its section; the reaction's part still has errors.
    fill_reporter_and_patient(app)
    progress = _progress(app)
    assert progress["1. Reporter"][0] == 0
    assert progress["3. What happened"][0] > 0


def test_a_complete_form_shows_every_section_complete(app: AppTest) -> None:
    fill_reporter_and_patient(app)
    fill_itp(app, reaction_ids(app)[0])
    fill_lemtrada_and_narrative(app)
    assert {n for n, _ in _progress(app).values()} == {0}
