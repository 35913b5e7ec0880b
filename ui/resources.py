"""Things every session shares, made once per process: settings, the guide catalogue, the store."""

from __future__ import annotations

from contextlib import suppress

import streamlit as st

from pv import submission
from pv.catalogue import Catalogue, load_catalogue
from pv.config import Settings, load_settings
from pv.db import DatabaseUnavailable
from pv.store import Store


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def catalogue() -> Catalogue:
    return load_catalogue()


@st.cache_resource
def store() -> Store:
    """The submission log (SQLite file by default, DATABASE_URL otherwise), migrated on open."""
    return Store.open(settings=settings())


def warm_up() -> None:
    """Made at server start, not in a clinician's first click: the settings, the catalogue, the
    E2B engine and the store (whose first opening runs the migrations, ~150 ms). A database that
    is down now is reported on the page when it is first needed, as before."""
    settings()
    catalogue()
    submission.warm_up()
    with suppress(DatabaseUnavailable):
        store()
