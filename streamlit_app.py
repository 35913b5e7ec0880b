"""Placeholder page: the adverse event form replaces this once the report model and writer land."""

from __future__ import annotations

import streamlit as st

from pv.config import load_settings

st.set_page_config(page_title="LEMTRADA adverse event report", page_icon=":memo:")

settings = load_settings()

st.title("LEMTRADA adverse event report")
st.write(
    "This tool will let you report a suspected adverse reaction to LEMTRADA (alemtuzumab). "
    "The reporting form is coming: it will check the report, build an ICH E2B(R3) file and "
    "send it to the two recipients below."
)
st.subheader("Recipients")
st.markdown(
    f"- Saudi Food and Drug Authority, National Pharmacovigilance Centre: "
    f"`{settings.sfda_recipient}`\n"
    f"- Marketing authorisation holder (Sanofi) pharmacovigilance: `{settings.mah_recipient}`"
)
