"""File the six golden cases through the report form in a real browser, by script, and print the
interactions each takes and the server time of each page run (median, p95, max).

    python bench/form_bench.py [--json PATH] [--shared-only]

The app runs as a user would start it (`streamlit run`), with PV_RERUN_TIMES naming a file where
each page run appends its wall-clock time and its own CPU time (ui/main.py). Debian's Chromium
drives the form with the browser tests' driver (tests/browser/test_report_journeys.py).
An interaction is what a person does: typing into one field and leaving it, ticking a box, choosing
a radio button or pressing a button counts 1; a drop-down counts 2 (open, pick). Targets (issue 11):
the ITP case with three platelet values in <= 60 interactions; <= 100 ms server time per page run.
Each case is the golden case's core as a clinician would enter it; needs requirements-dev.txt.

Two layouts side by side in one run: the server and the browser apart, each on its own core (as in
use, where the browser runs on the clinician's device), then sharing every core of this machine.
Shared, Chromium's layout of a 300-field page competes with the server for two cores, and a run's
wall time grows well past its own CPU time; the CPU time is printed as the floor of each figure."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Locator, Page, sync_playwright  # noqa: E402

from pv.catalogue import load_catalogue  # noqa: E402
from tests.browser.test_report_journeys import Form, wait_for_confirmation  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ITP_TARGET = 60
RERUN_TARGET_MS = 100.0


class CountingForm(Form):
    """The browser tests' driver, counting what a person would do."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.interactions = 0

    def text(self, label: str, value: str, scope: Page | Locator | None = None) -> None:
        self.interactions += 1
        super().text(label, value, scope)

    def number(self, label: str, value: float, scope: Page | Locator | None = None) -> None:
        self.interactions += 1
        super().number(label, value, scope)

    def choose(self, label: str, option: str, scope: Page | Locator | None = None) -> None:
        box = (scope or self.page).get_by_role("combobox", name=label, exact=True)
        if box.input_value() != option:  # an answer already there costs nothing
            self.interactions += 2
        super().choose(label, option, scope)

    def radio(self, group: str, option: str) -> None:
        self.interactions += 1
        super().radio(group, option)

    def tick(self, label: str, scope: Page | Locator | None = None) -> None:
        self.interactions += 1
        super().tick(label, scope)

    def button(self, name: str) -> None:
        self.interactions += 1
        with self.rerun():
            self.page.get_by_role("button", name=name, exact=True).click()

    def submit(self) -> None:
        self.interactions += 1
        super().submit()


def term(category: str, code: str) -> str:
    """The drop-down's text for a guide term: 'Immune thrombocytopenia (LLT 10083842)'."""
    found = {t.code: t for t in load_catalogue().category(category).terms}[code]
    return f"{found.term} ({found.level} {code})"


def reporter(form: CountingForm) -> None:
    form.text("Title", "Dr")
    form.text("Given name", "Noura")
    form.text("Family name", "Al-Example")
    form.choose("Your profession", "Physician")
    form.text("E-mail", "n.example@example.org")


def patient(form: CountingForm, initials: str, sex: str, age: int) -> None:
    form.text("Patient initials", initials)
    form.radio("Sex", sex)
    form.number("Age", age)


def reaction(
    form: CountingForm, group: str, category: str, code: str, start: str, outcome: str
) -> Locator:
    box = form.reaction(1)
    form.choose("Event group", group, box)
    form.choose("Guide category", load_catalogue().category(category).name, box)
    form.choose("MedDRA term *", term(category, code), box)
    form.text("Start date", start, box)
    form.choose("Outcome *", outcome, box)
    return box


def courses(form: CountingForm, *spans: tuple[str, str]) -> None:
    if len(spans) > 1:
        form.choose("Number of courses received", str(len(spans)))
    for n, (start, end) in enumerate(spans, start=1):
        form.text(f"Course {n}: first infusion date", start)
        form.text(f"Course {n}: last infusion date", end)


def narrative(form: CountingForm, text: str) -> None:
    form.text("Case narrative *", text + " Synthetic case for the form bench.")


def itp(form: CountingForm) -> None:
    """itp_course2 with three platelet counts."""
    reporter(form)
    patient(form, "NA", "Female", 34)
    box = reaction(
        form, "Delayed autoimmune", "itp", "10083842", "2026-10-03", "Recovering / resolving"
    )
    form.tick("Caused or prolonged hospitalisation", box)
    for n, (day, value) in enumerate(
        (("2026-10-06", 9), ("2026-10-09", 27), ("2026-10-15", 88)), start=1
    ):
        if n > 1:
            form.button("Add another result: Platelet count")
        suffix = "" if n == 1 else f" ({n})"
        form.text(f"Platelet count{suffix}: date", day, box)
        form.number(f"Platelet count{suffix}: result", value, box)
    form.number("Platelet count: normal low", 150, box)
    form.number("Platelet count: normal high", 400, box)
    courses(form, ("2024-02-04", "2024-02-08"), ("2025-02-09", "2025-02-11"))
    narrative(form, "Petechiae and epistaxis 20 months after course 2; ITP; IVIG, prednisolone.")


def mi(form: CountingForm) -> None:
    """mi_infusion_day: myocardial infarction on infusion day 2."""
    reporter(form)
    patient(form, "KM", "Male", 42)
    box = reaction(
        form,
        "Infusion-associated (within 1-3 days)",
        "myocardial_ischaemia_infarction",
        "10028596",
        "2025-06-16",
        "Recovering / resolving",
    )
    form.tick("Life threatening", box)
    form.tick("Caused or prolonged hospitalisation", box)
    form.choose("Infusion day of the course", "2", box)
    courses(form, ("2025-06-15", "2025-06-16"))
    narrative(form, "Chest pain during the day 2 infusion; inferior STEMI; primary PCI.")


def nephropathy(form: CountingForm) -> None:
    """nephropathy_anti_gbm, with creatinine."""
    reporter(form)
    patient(form, "MH", "Male", 38)
    box = reaction(
        form,
        "Delayed autoimmune",
        "nephropathy_anti_gbm",
        "10081981",
        "2026-06",
        "Recovered / resolved with sequelae",
    )
    form.tick("Life threatening", box)
    form.tick("Caused or prolonged hospitalisation", box)
    form.text("Serum creatinine: date", "2026-06-03", box)
    form.number("Serum creatinine: result", 3.9, box)
    courses(form, ("2024-05-06", "2024-05-10"), ("2025-05-12", "2025-05-14"))
    narrative(form, "Haematuria and rising creatinine; anti-GBM antibodies positive.")


def pml(form: CountingForm) -> None:
    """pml_death: fatal PML, with the cause of death."""
    reporter(form)
    patient(form, "TH", "Male", 47)
    box = reaction(form, "Serious infections", "pml", "10036807", "2026-04-20", "Fatal")
    form.tick("Results in death", box)
    form.text(
        "Cause(s) of death as reported (one per line) *",
        "Progressive multifocal leukoencephalopathy",
    )
    courses(form, ("2024-03-10", "2024-03-14"), ("2025-03-09", "2025-03-11"))
    narrative(form, "Progressive hemiparesis; JCV DNA in CSF; PML; died despite supportive care.")


def pregnancy(form: CountingForm) -> None:
    """pregnancy_exposure."""
    reporter(form)
    patient(form, "LK", "Female", 31)
    box = reaction(
        form,
        "Pregnancy and breastfeeding",
        "pregnancy_exposure",
        "10071408",
        "2025-04-13",
        "Recovered / resolved",
    )
    form.text("Last menstrual period", "2025-03-20", box)
    form.number("Gestational age at exposure (weeks)", 3, box)
    form.choose("Pregnancy outcome", "Live birth, no congenital anomaly", box)
    courses(form, ("2024-04-07", "2024-04-11"), ("2025-04-13", "2025-04-15"))
    narrative(form, "Course 2 at about 3 weeks of gestation; healthy girl at 39 weeks.")


def thyroid(form: CountingForm) -> None:
    """thyroid_graves, with TSH."""
    reporter(form)
    patient(form, "SR", "Female", 31)
    box = reaction(
        form,
        "Delayed autoimmune",
        "thyroid_disorder",
        "10018706",
        "2026-07",
        "Not recovered / not resolved / ongoing",
    )
    form.text("TSH: date", "2026-07-21", box)
    form.number("TSH: result", 0.01, box)
    courses(form, ("2024-08-05", "2024-08-09"), ("2025-08-04", "2025-08-06"))
    narrative(form, "Palpitations and weight loss; suppressed TSH; TRAb positive; Graves' disease.")


CASES: dict[str, Callable[[CountingForm], None]] = {
    "itp_course2 (3 platelet counts)": itp,
    "mi_infusion_day": mi,
    "nephropathy_anti_gbm": nephropathy,
    "pml_death": pml,
    "pregnancy_exposure": pregnancy,
    "thyroid_graves": thyroid,
}


@dataclass
class Result:
    case: str
    interactions: int
    runs_ms: list[float]  # wall-clock server time of each page run
    cpu_ms: list[float]  # the script thread's own CPU time in each run: the floor of its wall time
    case_id: str


@dataclass
class Layout:
    """Where the server and the browser run: apart (each on its own core, as a clinician's
    browser runs on their own device) or sharing every core of this machine."""

    name: str
    server_cpus: set[int] | None
    browser_cpus: set[int] | None


def layouts(shared_only: bool) -> list[Layout]:
    cpus = sorted(os.sched_getaffinity(0))
    shared = Layout("browser and server share the cores", None, None)
    if shared_only or len(cpus) < 2:
        return [shared]
    return [Layout("browser and server apart", {cpus[0]}, {cpus[1]}), shared]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def app(times: Path, folder: Path, cpus: set[int] | None) -> Iterator[str]:
    """The app as a user starts it, with its own SQLite log and audit key; its URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not (k.startswith("PV_") or k == "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'log.db'}",
        PV_AUDIT_KEY_FILE=str(folder / "audit-keys.json"),
        PV_RERUN_TIMES=str(times),
    )
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py"]
    command += ["--server.headless", "true", "--server.port", str(port)]
    command += ["--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(90):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


@contextmanager
def pinned(cpus: set[int] | None) -> Iterator[None]:
    """This process, and the browser it starts, on `cpus` for the duration."""
    before = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def run(layout: Layout) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = folder / "runs.tsv"
        with (
            app(times, folder, layout.server_cpus) as url,
            pinned(layout.browser_cpus),
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, script in CASES.items():
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.set_default_timeout(30_000)
                form = CountingForm(context.new_page())
                form.open(url)
                times.write_text("")  # from the first answer to the confirmation
                script(form)
                form.submit()
                case_id = wait_for_confirmation(form)
                rows = [line.split("\t") for line in times.read_text().splitlines()]
                wall = [float(row[1]) for row in rows]
                cpu = [float(row[2]) for row in rows]
                results.append(Result(name, form.interactions, wall, cpu, case_id))
                context.close()
            browser.close()
    return results


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _verdict(value: float) -> str:
    return "met" if value <= RERUN_TARGET_MS else "not met"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--shared-only", action="store_true", help="only the layout where both share the cores"
    )
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    out: dict[str, Any] = {"layouts": []}
    for layout in layouts(args.shared_only):
        results = run(layout)
        print(f"-- {layout.name}")
        wall: list[float] = []
        cpu: list[float] = []
        cases = []
        for r in results:
            wall += r.runs_ms
            cpu += r.cpu_ms
            print(
                f"{r.case:34} {r.interactions:3} interactions, {len(r.runs_ms):3} page runs: "
                f"median {statistics.median(r.runs_ms):5.1f} ms, p95 {_p95(r.runs_ms):6.1f} ms, "
                f"max {max(r.runs_ms):6.1f} ms -> {r.case_id}"
            )
            cases.append(
                {"case": r.case, "interactions": r.interactions, "runs_ms": r.runs_ms,
                 "cpu_ms": r.cpu_ms}
            )  # fmt: skip
        itp_count = results[0].interactions
        median, p95 = statistics.median(wall), _p95(wall)
        floor = statistics.median(cpu)
        print(
            f"ITP with three platelet values: {itp_count} interactions "
            f"(target <= {ITP_TARGET}: {'met' if itp_count <= ITP_TARGET else 'not met'})"
        )
        print(
            f"server time per page run: median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(wall):.1f} ms (target <= {RERUN_TARGET_MS:.0f} ms: median "
            f"{_verdict(median)}, p95 {_verdict(p95)}); the run's own CPU time (floor): median "
            f"{floor:.1f} ms, p95 {_p95(cpu):.1f} ms; wall/floor {median / floor:.2f}x median, "
            f"{p95 / _p95(cpu):.2f}x p95"
        )
        out["layouts"].append(
            {"layout": layout.name, "cases": cases, "itp_interactions": itp_count,
             "median_ms": median, "p95_ms": p95, "max_ms": max(wall),
             "cpu_median_ms": floor, "cpu_p95_ms": _p95(cpu)}
        )  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
