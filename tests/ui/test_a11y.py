"""ui.a11y without a browser: the names it gives Streamlit's keyed elements, the data its script
applies, and a script that typed text cannot break out of (the browser tests run it)."""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st

from ui import a11y


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("f:reactions.1f0e-aa.start", "st-key-f-reactions-1f0e-aa-start"),
        ("problems_at_submit", "st-key-problems_at_submit"),
        ("group:seriousness.x", "st-key-group-seriousness-x"),
    ],
)
def test_key_class_follows_streamlits_rule(key: str, expected: str) -> None:
    assert a11y.key_class(key) == expected


def test_each_invalid_input_is_paired_with_its_messages_and_a_stable_id() -> None:
    data = a11y.page_data(["reactions.r1.outcome", "narrative.narrative"])
    assert data["invalid"] == [
        {
            "field": "st-key-f-reactions-r1-outcome",
            "messages": "st-key-msg-reactions-r1-outcome",
            "id": "field-reactions-r1-outcome-error",
        },
        {
            "field": "st-key-f-narrative-narrative",
            "messages": "st-key-msg-narrative-narrative",
            "id": "field-narrative-narrative-error",
        },
    ]
    assert data["invalid"][0]["id"] == a11y.message_id("reactions.r1.outcome")


def test_a_focus_request_is_delivered_once() -> None:
    st.session_state.clear()
    a11y.request_focus(a11y.heading_selector("confirmation"))
    first = a11y.page_data([])["focus"]
    assert first["selector"] == "h1#confirmation, h2#confirmation, h3#confirmation"
    assert re.fullmatch(r"[0-9a-f]{32}", first["nonce"])
    assert a11y.page_data([])["focus"] is None
    a11y.request_focus("x")
    assert a11y.page_data([])["focus"]["nonce"] != first["nonce"]


def test_the_data_cannot_end_the_script_element() -> None:
    hostile = "</script><img src=x onerror=alert(1)>"
    html = a11y.script({"invalid": [{"id": hostile}], "groups": "g", "focus": None})
    assert html.count("</script>") == 1 and html.endswith("</script>")
    assert html.startswith(f'<script id="{a11y.SCRIPT_ID}">')
    payload = re.search(r"window.__pvA11y = (.*);\n", html)
    assert payload is not None
    assert json.loads(payload[1])["invalid"][0]["id"] == hostile
