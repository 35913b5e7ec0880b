"""The media guard: a granted download goes only to the browser that asked, while it may."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ui.downloads import GRANTS, Grant, MediaGuard, browser_token, media_file_id

DATA = b"<MCCI_IN200100UV01/>"


def _cookie(token: bytes, mask: bytes) -> str:
    """A `_streamlit_xsrf` value as Streamlit writes it: version|mask|masked token|time."""
    masked = bytes(b ^ mask[i % len(mask)] for i, b in enumerate(token))
    return f"2|{mask.hex()}|{masked.hex()}|1795984148"


def _get(path: str, cookie: str | None) -> int:
    """Status of a GET through the guard, in front of an app that answers 200 to everything."""
    statuses: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": DATA})

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    headers = [(b"cookie", f"_streamlit_xsrf={cookie}".encode())] if cookie else []
    scope = {"type": "http", "path": path, "method": "GET", "headers": headers}
    asyncio.run(MediaGuard(app)(scope, receive, send))
    return statuses[0]


def test_the_browser_token_is_the_same_under_every_mask() -> None:
    token = bytes(range(16))
    one, two = _cookie(token, b"\x01\x02\x03\x04"), _cookie(token, b"\xaa\xbb\xcc\xdd")
    assert one != two
    assert browser_token(one) == browser_token(two) == token.hex()
    assert browser_token(None) is None
    assert browser_token("2|zz|yy|1") is None


def test_a_granted_file_goes_only_to_its_browser_while_the_session_stands() -> None:
    file_id = media_file_id(DATA, "application/xml", "case-v1.xml")
    path = f"/media/{file_id}.xml"
    mine, other = bytes(16), bytes([7]) * 16
    live = {"session": True}
    GRANTS.add(
        file_id, Grant(mine.hex(), "s1", time.monotonic() + 60, lambda: live["session"])
    )
    assert _get(path, _cookie(mine, b"\x10\x20\x30\x40")) == 200
    assert _get(path, None) == 404  # no cookie
    assert _get(path, _cookie(other, b"\x10\x20\x30\x40")) == 404  # another browser
    live["session"] = False  # e.g. deactivated from the CLI
    assert _get(path, _cookie(mine, b"\x01\x01\x01\x01")) == 404


def test_logout_revokes_and_the_url_stays_closed_for_everyone() -> None:
    file_id = media_file_id(DATA, "application/xml", "case-v2.xml")
    path = f"/media/{file_id}.xml"
    mine = bytes([3]) * 16
    GRANTS.add(file_id, Grant(mine.hex(), "s2", time.monotonic() + 60, lambda: True))
    assert _get(path, _cookie(mine, b"\x05\x06\x07\x08")) == 200
    GRANTS.revoke_session("s2")
    assert _get(path, _cookie(mine, b"\x05\x06\x07\x08")) == 404
    assert _get(path, None) == 404


def test_an_expired_grant_opens_nothing() -> None:
    file_id = media_file_id(DATA, "application/xml", "case-v3.xml")
    mine = bytes([4]) * 16
    GRANTS.add(file_id, Grant(mine.hex(), "s3", time.monotonic() - 1, lambda: True))
    assert _get(f"/media/{file_id}.xml", _cookie(mine, b"\x01\x02\x03\x04")) == 404


def test_other_paths_pass_through() -> None:
    assert _get("/static/media/font.woff2", None) == 200
    assert _get("/_stcore/health", None) == 200
