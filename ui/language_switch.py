"""The page's language: the sidebar switch (English / العربية), kept in the session and in the
URL (`?lang=ar`, so a reload and the private draft link keep it), and the document's direction
and language attributes with the right-to-left styles Arabic needs."""

from __future__ import annotations

import streamlit as st

from ui.strings import LANGUAGE, LANGUAGES, current_language, t

PARAM = "lang"  # the query parameter; absent means English
SWITCH = "language_switch"  # the sidebar radio's widget key
NAMES = {"en": "English", "ar": "العربية"}

# Streamlit draws in the main document, so the script can set <html dir lang> itself. The app's
# shell stays as Streamlit lays it out (its sidebar slides away to the left on a phone); the
# page and the sidebar's content run right to left. The styles align text to the right, keep
# numbers, codes and units left to right, and let each typed paragraph take the direction of
# its own first letters (mixed Arabic and Latin reads in order).
DIRECTION = """<script>
document.documentElement.setAttribute("dir", "{dir}");
document.documentElement.setAttribute("lang", "{lang}");
document.currentScript?.remove();
</script>
<style>
html[dir="rtl"] .stApp {{ direction: ltr; }}
html[dir="rtl"] .stApp [data-testid="stMain"],
html[dir="rtl"] .stApp [data-testid="stSidebarContent"] {{ direction: rtl; }}
html[dir="rtl"] .stApp [data-testid="stMarkdownContainer"],
html[dir="rtl"] .stApp [data-testid="stWidgetLabel"],
html[dir="rtl"] .stApp [data-testid="stCaptionContainer"],
html[dir="rtl"] .stApp h1, html[dir="rtl"] .stApp h2, html[dir="rtl"] .stApp h3 {{
  text-align: right;
}}
html[dir="rtl"] .stApp [data-testid="stMarkdownContainer"] p,
html[dir="rtl"] .stApp [data-testid="stMarkdownContainer"] li,
.stApp input[type="text"], .stApp input:not([type]), .stApp textarea {{
  unicode-bidi: plaintext;
  text-align: start;
}}
html[dir="rtl"] .stApp input[type="number"],
html[dir="rtl"] .stApp code, html[dir="rtl"] .stApp pre {{
  direction: ltr;
  unicode-bidi: isolate;
}}
html[dir="rtl"] .stApp input[type="number"] {{ text-align: right; }}
</style>"""


def _from_url() -> str:
    chosen = st.query_params.get(PARAM, "en")
    return chosen if chosen in LANGUAGES else "en"


def _switched() -> None:
    st.session_state[LANGUAGE] = st.session_state[SWITCH]


def choose() -> str:
    """The language switch in the sidebar; returns the session's language. The URL's `lang`
    decides on the first run of a session; afterwards the switch does, and the URL follows."""
    if LANGUAGE not in st.session_state:
        st.session_state[LANGUAGE] = _from_url()
    st.session_state[SWITCH] = current_language()
    with st.sidebar:
        st.radio(
            t("language.label"),
            list(NAMES),
            key=SWITCH,
            format_func=NAMES.__getitem__,
            horizontal=True,
            on_change=_switched,
        )
    chosen = current_language()
    if chosen == "en":
        st.query_params.pop(PARAM, None)
    elif st.query_params.get(PARAM) != chosen:
        st.query_params[PARAM] = chosen
    return chosen


def direction() -> None:
    """The document's dir and lang attributes, and the right-to-left styles, for this language."""
    chosen = current_language()
    rtl = chosen == "ar"
    # In the sidebar: the page's own flow (and where a rerun leaves it scrolled) stays as it was.
    with st.sidebar:
        st.html(
            DIRECTION.format(dir="rtl" if rtl else "ltr", lang=chosen),
            unsafe_allow_javascript=True,
        )
