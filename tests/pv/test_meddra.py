"""Reading a MedDRA release in MSSO ASCII format, on an invented one (data/meddra_synthetic)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pv.meddra import (
    Llt,
    MeddraDictionary,
    MeddraReleaseError,
    load_configured_meddra,
    lookup_llt,
)

SYNTHETIC = Path(__file__).parent / "data" / "meddra_synthetic"


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A writable copy of the synthetic release, for tests that break it."""
    folder = tmp_path / "release"
    shutil.copytree(SYNTHETIC, folder)
    return folder


def test_reads_version_and_looks_up_llts_by_code() -> None:
    meddra = MeddraDictionary.from_path(SYNTHETIC)
    assert (meddra.version, meddra.language) == ("99.0", "English")
    assert len(meddra) == 8
    assert meddra.llt("90000002") == Llt(
        "90000002", "SYNTHETIC Test head pain", "90000001", "SYNTHETIC Test headache", True
    )
    assert meddra.llt(" 90000003 ") == Llt(
        "90000003",
        "SYNTHETIC Test headache NOS (old)",
        "90000001",
        "SYNTHETIC Test headache",
        False,
    )
    assert meddra.llt("10019211") is None


def test_utf8_names_are_decoded_as_utf8() -> None:
    llt = MeddraDictionary.from_path(SYNTHETIC).llt("90000011")
    assert llt is not None and llt.name == "SYNTHETIC Test thrombocytopénie"


def test_latin1_files_are_read(release: Path) -> None:
    llt_file = release / "llt.asc"
    llt_file.write_bytes(llt_file.read_text(encoding="utf-8").encode("latin-1"))
    assert b"thrombocytop\xe9nie" in llt_file.read_bytes()
    llt = MeddraDictionary.from_path(release).llt("90000011")
    assert llt is not None and llt.name == "SYNTHETIC Test thrombocytopénie"


def test_search_ignores_case_and_finds_substrings() -> None:
    meddra = MeddraDictionary.from_path(SYNTHETIC)
    assert [llt.code for llt in meddra.search("PLATELETS")] == ["90000012"]
    assert [llt.code for llt in meddra.search("THROMBOCYTOPÉNIE")] == ["90000011"]
    assert meddra.search("no such term") == []
    assert meddra.search("   ") == []


def test_search_puts_exact_then_prefix_then_substring_then_non_current() -> None:
    found = MeddraDictionary.from_path(SYNTHETIC).search("synthetic test HEADACHE")
    assert [llt.code for llt in found] == [
        "90000001",  # exact
        "90000004",  # prefix
        "90000005",  # substring ("Recurrent SYNTHETIC Test headache")
        "90000003",  # non-current, although a prefix match
    ]


def test_search_stops_at_the_limit() -> None:
    meddra = MeddraDictionary.from_path(SYNTHETIC)
    assert len(meddra.search("synthetic", limit=3)) == 3
    assert meddra.search("synthetic", limit=0) == []


def test_missing_llt_file_is_a_release_error(release: Path) -> None:
    (release / "llt.asc").unlink()
    with pytest.raises(MeddraReleaseError, match=r"has no llt\.asc"):
        MeddraDictionary.from_path(release)


def test_missing_folder_is_a_release_error(tmp_path: Path) -> None:
    with pytest.raises(MeddraReleaseError, match="does not exist"):
        MeddraDictionary.from_path(tmp_path / "nowhere")


def test_malformed_line_names_its_line_number(release: Path) -> None:
    with (release / "llt.asc").open("a", encoding="utf-8") as llt_file:
        llt_file.write("\n90000099$SYNTHETIC Test truncated$\n")  # blank line 9, record on 10
    with pytest.raises(MeddraReleaseError, match=r"llt\.asc line 10: expected 11 .*found 2"):
        MeddraDictionary.from_path(release)


def test_non_numeric_code_names_its_line_number(release: Path) -> None:
    pt_file = release / "pt.asc"
    pt_file.write_text(pt_file.read_text(encoding="utf-8").replace("90000010$", "9000001X$", 1))
    with pytest.raises(MeddraReleaseError, match=r"pt\.asc line 2: .*'9000001X'"):
        MeddraDictionary.from_path(release)


def test_llt_pointing_to_an_unknown_pt_is_a_release_error(release: Path) -> None:
    pt_file = release / "pt.asc"
    pt_file.write_text(pt_file.read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(MeddraReleaseError, match=r"llt\.asc line 6: PT 90000010"):
        MeddraDictionary.from_path(release)


def test_medascii_subfolder_and_missing_release_file(tmp_path: Path) -> None:
    # MSSO ships the files in a MedAscii folder; without meddra_release.asc the default applies.
    medascii = tmp_path / "MedDRA_99_0_English" / "MedAscii"
    shutil.copytree(SYNTHETIC, medascii)
    (medascii / "meddra_release.asc").unlink()
    meddra = MeddraDictionary.from_path(medascii.parent, default_version="98.1")
    assert meddra.version == "98.1"
    assert meddra.llt("90000001") is not None


def test_load_configured_meddra_follows_meddra_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDDRA_PATH", str(SYNTHETIC))
    meddra = load_configured_meddra()
    assert meddra is not None and meddra.version == "99.0"
    assert load_configured_meddra() is meddra  # read once per folder
    monkeypatch.setenv("MEDDRA_PATH", "")
    assert load_configured_meddra() is None
    monkeypatch.delenv("MEDDRA_PATH")
    assert load_configured_meddra() is None


def test_load_configured_meddra_refuses_a_broken_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MEDDRA_PATH", str(tmp_path))
    with pytest.raises(MeddraReleaseError, match="has no"):
        load_configured_meddra()


def test_lookup_llt_tries_the_release_then_the_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDDRA_PATH", str(SYNTHETIC))
    found = lookup_llt("90000003")
    assert found is not None
    assert (found.name, found.source, found.version, found.current) == (
        "SYNTHETIC Test headache NOS (old)",
        "release",
        "99.0",
        False,
    )
    guide = lookup_llt("10083842")
    assert guide is not None
    assert (guide.name, guide.source, guide.version) == ("Immune thrombocytopenia", "guide", None)
    assert lookup_llt("12345678") is None


def test_lookup_llt_without_a_release_uses_the_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDDRA_PATH", raising=False)
    assert lookup_llt("90000001") is None
    found = lookup_llt("10043554")
    assert found is not None and (found.name, found.source) == ("Thrombocytopenia", "guide")
