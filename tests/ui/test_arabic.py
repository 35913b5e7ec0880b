"""The report page in Arabic through AppTest: the switch, Arabic labels and problems, and a
report filed in Arabic whose XML is the English run's, with Arabic texts tagged `ara`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from lxml import etree
from streamlit.testing.v1 import AppTest

from e2b.validate import validate_bytes
from pv.language import is_arabic
from tests.ui.test_report_page import (
    APP,
    INCOMPLETE,
    choose_category,
    fill_itp,
    fill_lemtrada_and_narrative,
    fill_reporter_and_patient,
    key,
    reaction_ids,
)
from ui.strings_ar import ARABIC

HL7 = "{urn:hl7-org:v3}"
VERBATIM = "نقص الصفيحات مع نزف لثوي، الصفائح 12 x10^3/µL"
NARRATIVE = (
    "حالة افتراضية للاختبار: ظهرت نمشات ونزف لثوي بعد 20 شهرًا من الدورة الثانية، "
    "والصفائح 12 x10^3/µL. عولجت بـ IVIG وتحسنت."
)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    yield at
    st.cache_resource.clear()


def to_arabic(at: AppTest) -> None:
    [switch] = [r for r in at.sidebar.radio if r.key == "language_switch"]
    switch.set_value("ar").run()
    assert not at.exception


def to_english(at: AppTest) -> None:
    [switch] = [r for r in at.sidebar.radio if r.key == "language_switch"]
    switch.set_value("en").run()


def submit_in_arabic(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label == ARABIC["review.submit"]]
    button.click().run()
    assert not at.exception


def arabic(text: str) -> bool:
    """Has Arabic words: codes, units and product names may stay Latin beside them."""
    return any(is_arabic(c) for c in text)


def labels(at: AppTest) -> list[str]:
    widgets: list[Any] = [
        *at.text_input,
        *at.text_area,
        *at.number_input,
        *at.selectbox,
        *at.multiselect,
        *at.checkbox,
        *at.radio,
        *at.toggle,
    ]
    return [w.label for w in widgets]


def test_the_switch_turns_the_page_arabic_keeps_it_in_the_url_and_back(app: AppTest) -> None:
    assert app.header[0].value == "1. Reporter"
    to_arabic(app)
    assert app.title[0].value == ARABIC["app.title"]
    assert [h.value for h in app.header][:2] == [
        ARABIC["section.reporter"],
        ARABIC["section.patient"],
    ]
    assert app.query_params["lang"] == "ar"
    assert app.session_state["language"] == "ar"
    # The page declares its language and direction to the browser.
    assert any('setAttribute("dir", "rtl")' in h.proto.body for h in app.get("html"))
    to_english(app)
    assert app.header[0].value == "1. Reporter"
    assert "lang" not in app.query_params
    assert any('setAttribute("dir", "ltr")' in h.proto.body for h in app.get("html"))


def test_a_link_with_lang_ar_opens_in_arabic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "ar"
    at.run()
    assert not at.exception
    assert at.header[0].value == ARABIC["section.reporter"]
    st.cache_resource.clear()


def _show_every_input(at: AppTest) -> None:
    """Conditional inputs too: a female patient, death, an infusion reaction with its labs, a
    pregnancy, another medicine and another test."""
    fill_reporter_and_patient(at)
    first = reaction_ids(at)[0]
    choose_category(at, first, "infusion_associated", "myocardial_ischaemia_infarction")
    at.checkbox(key=key(f"reactions.{first}.serious.death")).check().run()
    [add] = [b for b in at.button if b.label == "Add another reaction"]
    add.click().run()
    choose_category(at, reaction_ids(at)[1], "pregnancy", "pregnancy_exposure")
    [add_drug] = [b for b in at.button if b.label == "Add a medicine"]
    add_drug.click().run()
    [add_test] = [b for b in at.button if b.label == "Add a test"]
    add_test.click().run()
    assert at.text_input(key=key("death.cause_code"))  # the death section is drawn


def test_every_label_choice_and_button_is_arabic(app: AppTest) -> None:
    _show_every_input(app)
    to_arabic(app)
    latin = [label for label in labels(app) if not arabic(label)]
    # The language switch says its name in both languages; nothing else is left in English.
    assert latin == [], latin
    buttons = [b.label for b in app.button if not arabic(b.label)]
    assert buttons == [], buttons
    headers = [x.value for x in [*app.header, *app.subheader, *app.caption] if not arabic(x.value)]
    assert headers == [], headers


def test_the_choices_are_named_in_arabic(app: AppTest) -> None:
    fill_reporter_and_patient(app)
    rid = reaction_ids(app)[0]
    choose_category(app, rid, "delayed_autoimmune", "itp")
    to_arabic(app)
    options = {
        "sex": app.radio(key=key("patient.sex")).options,
        "outcome": app.selectbox(key=key(f"reactions.{rid}.outcome")).options,
        "group": app.selectbox(key=key(f"reactions.{rid}.group")).options,
        "category": app.selectbox(key=key(f"reactions.{rid}.category")).options,
        "causality": app.selectbox(key=key(f"reactions.{rid}.causality")).options,
        "action": app.selectbox(key=key("lemtrada.action")).options,
        "profession": app.selectbox(key=key("reporter.qualification")).options,
    }
    english = {name: [o for o in shown if not arabic(o)] for name, shown in options.items()}
    assert english == {name: [] for name in options}
    # The guide's notes on the category are in Arabic too.
    [hint] = [i.value for i in app.info if ARABIC["reaction.hint.monitoring"] in i.value]
    assert "monthly" not in hint and "شهريًا" in hint
    # MedDRA terms are offered as they are, with their codes.
    terms = app.selectbox(key=key(f"reactions.{rid}.term")).options
    assert any(re.search(r"\(LLT \d{8}\)", term) for term in terms)


def _problems(at: AppTest) -> list[str]:
    """Every problem the page shows: the lists at the top and the button, and under fields."""
    listed = [
        line[2:] for block in at.error for line in block.value.splitlines() if line.startswith("- ")
    ]
    under = [m.value for m in at.markdown if m.value.startswith(":red[")]
    return [x.replace("\\", "") for x in [*listed, *under]]


@pytest.mark.parametrize("fill", INCOMPLETE)
def test_every_problem_is_shown_in_arabic(app: AppTest, fill: Any) -> None:
    fill(app)  # typed in English: the helpers find buttons by their English names
    to_arabic(app)
    submit_in_arabic(app)
    problems = _problems(app)
    assert problems
    untranslated = [p for p in problems if not arabic(re.sub(r"\(#field-[\w-]+\)", "", p))]
    assert untranslated == [], untranslated
    assert app.error[0].value.startswith(f"**{ARABIC['errors.title'].split(':')[0]}")
    # Switched back, the same problems in the domain's own English words.
    to_english(app)
    back = _problems(app)
    assert len(back) == len(problems)
    assert [p for p in back if arabic(p)] == []


def test_expert_view_in_arabic_keeps_the_element_numbers(app: AppTest) -> None:
    to_arabic(app)
    submit_in_arabic(app)
    [expert] = app.sidebar.toggle
    expert.set_value(True).run()
    text = app.error[0].value.replace("\\", "")
    assert "(E.i.7)" in text and "يلزم إدخال المآل" in text


def _file_report(at: AppTest, *, verbatim: str, narrative: str) -> None:
    fill_reporter_and_patient(at)
    rid = reaction_ids(at)[0]
    fill_itp(at, rid)
    fill_lemtrada_and_narrative(at)
    at.text_input(key=key(f"reactions.{rid}.verbatim")).input(verbatim)
    at.text_area(key=key("narrative.narrative")).input(narrative)
    at.run()


def _submitted_xml(at: AppTest) -> bytes:
    assert not at.exception
    assert not at.session_state["errors"], at.session_state["errors"]
    xml: bytes = at.session_state["submitted"]["xml"]
    return xml


def normalised(xml: bytes) -> str:
    """The XML without what differs between two filings of the same answers: IDs (case,
    message, batch, internal UUIDs, each by order of first use) and creation times."""
    text = xml.decode("utf-8")
    text = re.sub(r"SA-LEMTRADAPV-\d+", "CASE", text)
    text = re.sub(r'value="\d{14}(?:[+-]\d{4})?"', 'value="TIME"', text)
    seen: dict[str, str] = {}
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    text = uuid.sub(lambda m: seen.setdefault(m.group(), f"UUID{len(seen)}"), text)
    return re.sub(r'(extension=")[^"]*(-BATCH|BATCH)[^"]*', r"\1BATCH", text)


def _languages(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    return sorted(str(node.get("language")) for node in root.iter() if node.get("language"))


def test_a_report_filed_in_arabic_is_the_english_run_with_arabic_texts_tagged_ara(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: dict[str, bytes] = {}
    for language in ("en", "ar"):
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / f'{language}.db'}")
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        _file_report(at, verbatim=VERBATIM, narrative=NARRATIVE)
        if language == "ar":
            to_arabic(at)
            submit_in_arabic(at)
        else:
            [button] = [b for b in at.button if b.label == "Check and submit report"]
            button.click().run()
        runs[language] = _submitted_xml(at)
    st.cache_resource.clear()
    english, arabic_run = runs["en"], runs["ar"]
    assert validate_bytes(arabic_run) == []
    # The page's language changes nothing in the file: codes, texts and tags are the same.
    assert normalised(arabic_run) == normalised(english)
    # The Arabic term (E.i.1.1b) and the Arabic narrative as a case summary (H.5.r.1b).
    assert _languages(arabic_run) == ["ara", "ara"]
    root = etree.fromstring(arabic_run)
    tagged = [n for n in root.iter() if n.get("language") == "ara"]
    assert {(n.text or "").strip() for n in tagged} >= {VERBATIM}
    assert any(NARRATIVE in "".join(n.itertext()) for n in tagged)
    # H.1 keeps the narrative as typed (with the form's English details after it).
    assert NARRATIVE in arabic_run.decode("utf-8")


def test_english_texts_stay_eng_and_send_no_native_language_summary(app: AppTest) -> None:
    _file_report(app, verbatim="Petechiae and gum bleeding", narrative="Synthetic case: ITP.")
    to_arabic(app)
    submit_in_arabic(app)
    xml = _submitted_xml(app)
    assert validate_bytes(xml) == []
    assert _languages(xml) == ["eng"]


def test_a_field_checked_when_left_speaks_the_language_shown(app: AppTest) -> None:
    to_arabic(app)
    rid = reaction_ids(app)[0]
    app.text_input(key=key(f"reactions.{rid}.start")).input("2031-02").run()
    under = [m.value for m in app.markdown if m.value.startswith(":red[")]
    assert under == [f":red[⚠ {ARABIC['check.future'].replace('.', chr(92) + '.')}]"]
    to_english(app)
    under = [m.value for m in app.markdown if m.value.startswith(":red[")]
    assert under == [":red[⚠ This date is in the future\\.]"]


def test_the_private_draft_link_reopens_the_draft_in_arabic(app: AppTest) -> None:
    to_arabic(app)
    app.text_input(key=key("reporter.given_name")).input("نورة").run()
    token = app.query_params["draft"]
    [link] = app.sidebar.code
    assert link.value == f"?draft={token}&lang=ar"
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["draft"] = token
    again.query_params["lang"] = "ar"
    again.run()
    assert not again.exception
    assert again.header[0].value == ARABIC["section.reporter"]
    assert again.text_input(key=key("reporter.given_name")).value == "نورة"
