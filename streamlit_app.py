"""LEMTRADA adverse event reporting: `streamlit run streamlit_app.py` serves the pages of
`ui/main.py` behind `ui.downloads.MediaGuard`, which keeps downloaded files to the browser
session that asked for them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.downloads import MediaGuard
from ui.resources import warm_up


@asynccontextmanager
async def _ready(_app: st.App) -> AsyncIterator[None]:
    """Ready the shared resources before the first page (ui.resources.warm_up): cold, they add
    ~250 ms to a server's first answer and first report (bench/form_bench.py)."""
    await asyncio.to_thread(warm_up)
    yield


app = st.App(
    Path(__file__).parent / "ui" / "main.py",
    lifespan=_ready,
    middleware=[Middleware(MediaGuard)],
)
