"""Things every session shares, made once per process: settings, the guide catalogue, the store."""

from __future__ import annotations

import streamlit as st

from pv.catalogue import Catalogue, load_catalogue
from pv.config import Settings, load_settings
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
