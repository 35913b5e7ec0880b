"""Downloads that reach only the browser that asked, and only while its session stands.

Streamlit serves a download button's file at `/media/<id>`, where the id is a hash of the
content: without more, anyone holding that URL gets the file, after logout too, and again
whenever any officer has the same case open. Here every download is made when it is clicked
(so the click is checked and audited, not the drawing of the page), and the file is granted to
the browser that clicked (its `_streamlit_xsrf` token) and, for officers, to its live session.
`MediaGuard` runs in front of Streamlit's routes and answers 404 to any other request for a
granted file. A granted file stays guarded for the life of the process, so the URL never opens
again for anyone else.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, Literal

import streamlit as st

XSRF_COOKIE = "_streamlit_xsrf"
GRANT_SECONDS = 300  # the browser fetches at once; a grant is not a standing link
_MEDIA = "/media/"


@dataclass(frozen=True)
class Grant:
    browser: str | None  # the clicking browser's XSRF token, unmasked
    session: str | None  # the officer session digest (None for the reporter's own receipt)
    expires: float
    live: Callable[[], bool]  # asks the store whether the officer session still stands


class _Grants:
    """file id -> grants; a process-wide table shared by the pages and the guard."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_file: dict[str, list[Grant]] = {}

    def add(self, file_id: str, grant: Grant) -> None:
        now = time.monotonic()
        with self._lock:
            kept = [g for g in self._by_file.get(file_id, []) if g.expires > now]
            self._by_file[file_id] = [*kept, grant]

    def guarded(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self._by_file

    def allows(self, file_id: str, browser: str | None) -> bool:
        now = time.monotonic()
        with self._lock:
            grants = list(self._by_file.get(file_id, []))
        return any(
            g.expires > now and g.browser is not None and g.browser == browser and g.live()
            for g in grants
        )

    def revoke_session(self, session: str) -> None:
        """Logout: nothing granted to this officer session opens any more."""
        with self._lock:
            for file_id, grants in self._by_file.items():
                self._by_file[file_id] = [g for g in grants if g.session != session]


GRANTS = _Grants()


def browser_token(cookie_value: str | None) -> str | None:
    """The XSRF token behind a `_streamlit_xsrf` cookie value.

    Streamlit re-masks the token on each page load ("2|mask|masked|timestamp"); the token under
    the mask is the browser's own and stays the same.
    """
    if not cookie_value:
        return None
    parts = cookie_value.split("|")
    try:
        if len(parts) == 4 and parts[0] == "2":
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            if not mask or not masked:
                return None
            return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)).hex()
    except ValueError:
        return None
    return cookie_value  # an older, unmasked form: the value is the token


def this_browser() -> str | None:
    """The current page's browser token (from the cookies of its websocket handshake)."""
    try:
        return browser_token(st.context.cookies.get(XSRF_COOKIE))
    except (AttributeError, RuntimeError):  # no request context (AppTest, bare mode)
        return None


def offer(
    label: str,
    make: Callable[[], bytes],
    *,
    file_name: str,
    mime: str,
    key: str,
    session: str | None = None,
    live: Callable[[], bool] = lambda: True,
    disabled: bool = False,
    width: Literal["content", "stretch"] = "content",
) -> None:
    """A download button whose file is made by `make` when clicked and granted to this browser.

    `make` runs outside the script (no session_state): it re-checks and audits on its own, and
    raises to refuse. `live` is asked again when the browser fetches the file.
    """
    browser = this_browser()

    def produce() -> bytes:
        if not live():
            raise PermissionError("This session has ended; log in again to download.")
        data = make()
        GRANTS.add(
            media_file_id(data, mime, file_name),
            Grant(browser, session, time.monotonic() + GRANT_SECONDS, live),
        )
        return data

    st.download_button(
        label,
        data=produce,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        disabled=disabled,
        width=width,
    )


def media_file_id(data: bytes, mime: str, file_name: str) -> str:
    """The id Streamlit's media store gives a download (its `_calculate_file_id`).

    Kept in step by the browser tests: if Streamlit changed its ids, a granted download would
    answer 404 to the officer who asked for it, and those tests fail.
    """
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    return str(_calculate_file_id(data, mime, file_name))


class MediaGuard:
    """ASGI middleware: a granted media file goes only to a browser holding a live grant."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            file_id = _media_file_id(str(scope.get("path", "")))
            if file_id is not None and GRANTS.guarded(file_id):
                browser = browser_token(_cookie(scope, XSRF_COOKIE))
                from starlette.concurrency import run_in_threadpool

                if not await run_in_threadpool(GRANTS.allows, file_id, browser):
                    await _not_found(send)
                    return
        await self.app(scope, receive, send)


def _media_file_id(path: str) -> str | None:
    at = path.find(_MEDIA)
    if at < 0:
        return None
    name = path[at + len(_MEDIA) :]
    return name.split(".", 1)[0] or None


def _cookie(scope: Mapping[str, Any], name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:
                return None
            if name in jar:
                return jar[name].value
    return None


async def _not_found(send: Any) -> None:
    body = b"Not found"
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
