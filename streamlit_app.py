"""LEMTRADA adverse event reporting: `streamlit run streamlit_app.py` serves the pages of
`ui/main.py` behind `ui.downloads.MediaGuard`, which keeps downloaded files to the browser
session that asked for them."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.downloads import MediaGuard

app = st.App(Path(__file__).parent / "ui" / "main.py", middleware=[Middleware(MediaGuard)])
