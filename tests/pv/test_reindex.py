"""A log made before revision 0010 gets what 0010 derives when it is next opened, on SQLite and
PostgreSQL: the search text over narratives, and duplicate fingerprints with their candidates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import select, update

from pv.cli import main
from pv.db import alembic_config, current_revision, head_revision, needs_reindex, writer
from pv.duplicate_log import candidates_for
from pv.store import CaseQuery, Store
from pv.tables import Case
from tests.pv.submissions import builder

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WORD = "Tabuk-reindex-marker"


def _with_word(data: dict[str, Any]) -> None:
    data["narrative"]["narrative"] += f" Seen first at a clinic in {WORD}."


def _old_log(db_url: str) -> tuple[list[str], str]:
    """Three cases (two the same ITP report) as a log before 0010 held them: no fingerprints,
    search text without the narrative."""
    store = Store.open(db_url)
    try:
        ids = [store.submit(builder(change=_with_word), now=NOW).case_id for _ in range(2)]
        ids.append(store.submit(builder("pml_death"), now=NOW).case_id)
        with writer(store.engine).begin() as connection:
            command.downgrade(alembic_config(connection), "0009")
        with store.write_session() as session, session.begin():
            session.execute(update(Case).values(search_text=""))
        return ids, str(current_revision(store.engine))
    finally:
        store.close()


def test_opening_an_old_log_recomputes_search_and_fingerprints(db_url: str) -> None:
    ids, revision = _old_log(db_url)
    assert revision == "0009" and needs_reindex(revision)
    store = Store.open(db_url)
    try:
        assert current_revision(store.engine) == head_revision()
        found = store.list_cases(CaseQuery(text=WORD))
        assert sorted(r.case_id for r in found.rows) == sorted(ids[:2])
        assert [c.other_case_id for c in candidates_for(store, ids[0])] == [ids[1]]
        assert candidates_for(store, ids[2]) == []
        flagged = store.list_cases(CaseQuery(possible_duplicates=True))
        assert sorted(r.case_id for r in flagged.rows) == sorted(ids[:2])
        assert store.verify_audit() == []
        # Again changes nothing: every case has its fingerprint, its search text is the same.
        with store.read_session() as session:
            texts = list(session.scalars(select(Case.search_text).order_by(Case.id)))
        again = store.reindex()
        assert (again.searched, again.fingerprinted) == (3, 0)
        with store.read_session() as session:
            assert list(session.scalars(select(Case.search_text).order_by(Case.id))) == texts
    finally:
        store.close()


def test_a_new_or_current_log_is_not_reindexed() -> None:
    assert not needs_reindex(None)  # a new database: nothing to recompute
    assert not needs_reindex("0010")
    assert needs_reindex("0008")


def test_the_cli_reindexes_on_demand(db_url: str, capsys: Any) -> None:
    ids, _ = _old_log(db_url)
    Store.open(db_url).close()  # opened once: reindexed already
    assert main(["--database-url", db_url, "db", "reindex"]) == 0
    out = capsys.readouterr().out
    assert f"search text recomputed for {len(ids)} cases; 0 cases fingerprinted" in out
