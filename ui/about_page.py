"""About the tool: where reports go, and the guide's events with what it says to monitor."""

from __future__ import annotations

import streamlit as st

from ui import choices
from ui.resources import catalogue, settings
from ui.strings import t
from ui.widgets import guide_facts, plain


def render() -> None:
    st.title(t("about.title"))
    conf = settings()
    st.subheader(t("about.recipients"))
    st.markdown(
        f"- {t('about.sfda')}: `{conf.sfda_recipient}`\n- {t('about.mah')}: `{conf.mah_recipient}`"
    )
    st.write(t("about.monitoring"))
    st.subheader(t("about.categories"))
    cat = catalogue()
    for group_id, group_name in cat.groups():
        st.markdown(f"#### {plain(choices.name('group', group_id, group_name))}")
        for category in cat.in_group(group_id):
            with st.expander(choices.name("category", category.id, category.name)):
                for line in guide_facts(category):
                    st.markdown(line)
                if category.terms:
                    st.markdown(
                        "**MedDRA:** "
                        + "; ".join(plain(f"{x.term} ({x.code})") for x in category.terms)
                    )
