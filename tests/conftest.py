"""Hypothesis profiles (`ci` searches hard, `dev`, the default, keeps the local loop quick), and
an audit key of each test's own: no test reads or writes the real key file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from pv import auditkey

settings.register_profile("ci", max_examples=300, deadline=None)
settings.register_profile("dev", max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def audit_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test signs its audit rows with a key of its own, kept outside the database folder.

    Set in the environment, so the CLI and worker processes a test starts use the same file.
    """
    path = tmp_path / "keys" / "audit-keys.json"
    monkeypatch.setenv(auditkey.ENV_KEY_FILE, str(path))
    monkeypatch.delenv(auditkey.ENV_KEY, raising=False)
    monkeypatch.delenv(auditkey.ENV_OLD_KEYS, raising=False)
    auditkey.reset_cache()
    yield path
    auditkey.reset_cache()
