"""`python -m e2b` as a user runs it: real processes, real files, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from e2b.reader import read_file
from e2b.validate import validate_file
from tests.cases import as_icsr

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "all_fields.json"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "e2b", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def icsr_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The all-fields fixture as the ICSR JSON `build` takes (no fields local to pv)."""
    path = tmp_path_factory.mktemp("cli") / "case.json"
    path.write_text(json.dumps(as_icsr(json.loads(FIXTURE.read_text(encoding="utf-8")))), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, icsr_json: Path) -> Path:
    out = tmp_path_factory.mktemp("cli") / "case.xml"
    result = run("build", str(icsr_json), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_build_writes_a_valid_batch(built: Path) -> None:
    assert validate_file(built) == []
    report = read_file(built).reports[0].report
    assert report is not None
    assert report.case.sender_report_id == "SA-LEMTRADAPV-000001"


def test_validate_valid_file_exits_0(built: Path) -> None:
    result = run("validate", str(built))
    assert result.returncode == 0
    assert result.stdout == ""


def test_validate_reports_one_line_per_finding_and_exits_1(built: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    text = built.read_text(encoding="utf-8")
    # Outcome code 27 -> an unknown code '9'.
    marker = 'codeSystem="2.16.840.1.113883.3.989.2.1.1.11"'
    assert marker in text
    broken.write_text(text.replace(f'code="5" {marker}', f'code="9" {marker}'), encoding="utf-8")
    result = run("validate", str(built), str(broken))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(f"{broken}: error ") for line in lines)
    assert any(" E.i.7 " in line for line in lines)


def test_validate_unusable_input_exits_2(tmp_path: Path) -> None:
    not_xml = tmp_path / "notes.xml"
    not_xml.write_text("this is not XML", encoding="utf-8")
    result = run("validate", str(not_xml), str(tmp_path / "missing.xml"))
    assert result.returncode == 2
    problems = result.stderr.strip().splitlines()
    assert len(problems) == 2
    assert "Traceback" not in result.stderr


def test_hostile_file_is_refused_in_one_line(tmp_path: Path) -> None:
    hostile = tmp_path / "xxe.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        encoding="utf-8",
    )
    result = run("read", str(hostile))
    assert result.returncode == 2
    assert "root:" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_read_prints_the_report_json(built: Path) -> None:
    result = run("read", str(built))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    original = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert data["reactions"][0]["verbatim"] == original["reactions"][0]["verbatim"]
    assert data["narrative"]["summaries"][0]["text"] == "ملخص"


def test_build_with_errors_exits_1_and_names_the_field(tmp_path: Path, icsr_json: Path) -> None:
    data = json.loads(icsr_json.read_text(encoding="utf-8"))
    del data["reactions"][0]["outcome"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = run("build", str(bad), "-o", str(tmp_path / "never.xml"))
    assert result.returncode == 1
    assert "error E.i.7 reactions[0].outcome: Reaction 1: outcome is required (E.i.7)" in result.stdout
    assert not (tmp_path / "never.xml").exists()


def test_build_takes_the_batch_sender_and_receiver(tmp_path: Path, icsr_json: Path) -> None:
    out = tmp_path / "ids.xml"
    done = run("build", str(icsr_json), "-o", str(out), "--sender-id", "MAH-X", "--receiver-id", "NCA-Y")
    assert done.returncode == 0, done.stdout + done.stderr
    batch = read_file(out)
    assert (batch.sender_id, batch.receiver_id) == ("MAH-X", "NCA-Y")


def test_build_of_a_report_with_a_field_e2b_does_not_know_exits_1(tmp_path: Path) -> None:
    """The LEMTRADA course number is pv's, not an ICSR element: e2b names it, not drops it."""
    bad = tmp_path / "local.json"
    bad.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    done = run("build", str(bad), "-o", str(tmp_path / "never.xml"))
    assert done.returncode == 1
    assert "course is not a field of the report" in done.stdout


def test_build_of_not_json_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert run("build", str(bad)).returncode == 2


def test_schema_is_the_report_json_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "ICSR"
    reaction = schema["$defs"]["Reaction"]["properties"]["outcome"]
    assert reaction["e2b"] == "E.i.7"


def test_usage_error_exits_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
