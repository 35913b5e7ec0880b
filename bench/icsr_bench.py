"""Print the ICSR performance numbers, each against its floor measured side by side in one run.

The floor is what no ICSR check can avoid: lxml parsing the message's bytes and libxml2
validating them against the XSD. Per ICSR, each report is timed alternately through the floor
and through our path (build + XSD check, as pv.submission and e2b.batch run it); the batch's CPU
per ICSR is set against the same floor. Run from the repository root:
`python bench/icsr_bench.py [--quick] [--json PATH] [--profile N]`. It prints numbers and met /
not met against the targets; it does not assert.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import multiprocessing
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from lxml import etree

# Run as `python bench/icsr_bench.py`, only bench/ is on sys.path; pv and e2b live in the root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import SEED, TODAY, generate  # noqa: E402
from e2b.batch import check_message, write_batch  # noqa: E402
from e2b.findings import Finding  # noqa: E402
from e2b.model import ICSR  # noqa: E402
from e2b.schema import load_schema  # noqa: E402
from e2b.writer import BatchHeader, render_envelope, to_checked_xml  # noqa: E402
from pv.validation import validate_report  # noqa: E402

# Issue 10: build + validate of one ICSR at most 1.6x the floor (median over the reports), and a
# batch's CPU per ICSR at most 1.8x the floor per ICSR.
PER_ICSR_RATIO_TARGET = 1.6
BATCH_RATIO_TARGET = 1.8
BATCH_WORKERS = 2
# The batch is timed in parts of 1,000 (250 with --quick), each beside a floor batch of the same
# messages; every part pays e2b.batch's start-up of its processes, the floor does not.
BATCH_ROUND_SIZE = 1_000
ROUNDS = 3  # each report through each path; the least CPU of the rounds counts
HEADER = BatchHeader("BENCH-1", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

_SCHEMA_PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
from e2b.schema import load_seconds
seconds = load_seconds()
total = time.perf_counter() - started
print(json.dumps({"load_seconds": seconds, "import_and_load_seconds": total}))
"""


# ---------------------------------------------------------------- machine and schema


def machine() -> dict[str, Any]:
    """Versions and CPUs, so numbers from different machines can be told apart."""
    affinity = getattr(os, "sched_getaffinity", None)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(affinity(0)) if affinity is not None else None,
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2_runtime": ".".join(map(str, etree.LIBXML_VERSION)),
        "libxml2_compiled": ".".join(map(str, etree.LIBXML_COMPILED_VERSION)),
        "pydantic": metadata.version("pydantic"),
        # Other work on a shared machine shows up here and as noise in the p95/max columns.
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def schema_load(runs: int = 3) -> dict[str, Any]:
    """e2b.schema.load_seconds() in fresh interpreters, so each is a cold load (no cache)."""
    loads: list[float] = []
    totals: list[float] = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _SCHEMA_PROBE, str(ROOT)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout)
        loads.append(float(result["load_seconds"]))
        totals.append(float(result["import_and_load_seconds"]))
    return {"load_seconds": loads, "import_and_load_seconds": totals}


# ---------------------------------------------------------------- per ICSR, side by side


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[94]


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "p95": _p95(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def floor(data: bytes) -> None:
    """The floor: lxml parses the bytes, libxml2 validates the tree against the batch XSD."""
    load_schema().validate(etree.fromstring(data))


def message_document(report: ICSR) -> bytes:
    """One message as e2b.batch writes it, inside the batch envelope: what its floor parses."""
    start, end = render_envelope(HEADER)
    message, _ = check_message(report, HEADER)
    return _DECLARATION + start.encode() + message + end.encode()


def warm_up(reports: Sequence[ICSR]) -> None:
    """Load the schema and take every code path once, so first-call costs are not timed."""
    load_schema()
    for report in reports:
        xml, _ = to_checked_xml([report], HEADER)
        floor(xml)
        floor(message_document(report))


def _least_cpu_ns(pairs: Sequence[tuple[str, Callable[[], object]]], turn: int) -> dict[str, int]:
    """Each callable ROUNDS times, alternating which of a pair goes first; least CPU of each.

    CPU time of this thread, not wall time: other jobs on a shared machine preempt us, which
    would land on one side of a pair at random.
    """
    clock = time.thread_time_ns
    best: dict[str, int] = {}
    for round_number in range(ROUNDS):
        for first, second in zip(pairs[::2], pairs[1::2], strict=True):
            order = (first, second) if (turn + round_number) % 2 == 0 else (second, first)
            for name, call in order:
                started = clock()
                call()
                spent = clock() - started
                best[name] = min(best.get(name, spent), spent)
    return best


def per_icsr(inputs: Sequence[dict[str, Any]], today: date) -> tuple[list[ICSR], dict[str, Any]]:
    """For each input: model validation once, then our two paths and their floors side by side.

    `file`: pv.submission's path, e2b.writer.to_checked_xml (build, XSD, indented bytes), against
    the floor on those bytes. `message`: e2b.batch's per-message path, check_message (build,
    XSD), against the floor on that message in its envelope.
    """
    reports: list[ICSR] = []
    ns: dict[str, list[int]] = {
        k: [] for k in ("model", "floor_file", "ours_file", "floor_message", "ours_message")
    }
    sizes: list[int] = []
    xsd_errors: list[str] = []
    phase_wall, phase_cpu = time.perf_counter(), time.process_time()
    for turn, data in enumerate(inputs):
        started = time.thread_time_ns()
        result = validate_report(data, today=today)
        ns["model"].append(time.thread_time_ns() - started)
        if result.report is None or _errors(result.findings):
            raise RuntimeError(f"{data['case']['sender_report_id']} did not validate")
        report = result.report.for_sending()  # what pv.submission hands the writer
        reports.append(report)
        xml, findings = to_checked_xml([report], HEADER)
        document = message_document(report)
        sizes.append(len(xml))
        xsd_errors.extend(f.line(report.case.sender_report_id) for f in _errors(findings))
        best = _least_cpu_ns(
            [
                ("floor_file", partial(floor, xml)),
                ("ours_file", partial(to_checked_xml, [report], HEADER)),
                ("floor_message", partial(floor, document)),
                ("ours_message", partial(check_message, report, HEADER)),
            ],
            turn,
        )
        for name, spent in best.items():
            ns[name].append(spent)
    phase_wall, phase_cpu = time.perf_counter() - phase_wall, time.process_time() - phase_cpu
    ms = {name: [x / 1e6 for x in values] for name, values in ns.items()}
    ratios = {
        kind: [o / f for o, f in zip(ns[f"ours_{kind}"], ns[f"floor_{kind}"], strict=True)]
        for kind in ("file", "message")
    }
    ratio = _stats(ratios["file"])
    return reports, {
        "count": len(inputs),
        "rounds": ROUNDS,
        "ms": {name: _stats(values) for name, values in ms.items()},
        "ratio_file": ratio,
        "ratio_message": _stats(ratios["message"]),
        "phase_wall_s": phase_wall,
        "phase_cpu_s": phase_cpu,
        "xml_bytes_median": statistics.median(sizes),
        "xml_bytes_max": max(sizes),
        "xsd_error_findings": len(xsd_errors),
        "xsd_error_examples": xsd_errors[:5],
        "target_ratio": PER_ICSR_RATIO_TARGET,
        "pass": ratio["median"] <= PER_ICSR_RATIO_TARGET,
    }


# ---------------------------------------------------------------- one large batch


def batch_reports(reports: Sequence[ICSR], size: int, first_number: int) -> list[ICSR]:
    """`size` reports cycling `reports`, each with its own case ID (copies, not re-validated)."""
    out: list[ICSR] = []
    for i in range(size):
        report = reports[i % len(reports)]
        case_id = f"SA-LEMTRADAPV-{first_number + i}"
        case = report.case.model_copy(
            update={"sender_report_id": case_id, "worldwide_case_id": case_id}
        )
        out.append(report.model_copy(update={"case": case}))
    return out


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _children_max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _cpu_s() -> tuple[float, float]:
    """CPU seconds of this process and of its reaped children so far."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


# The documents of the floor batch, in its forked workers only (set by their initializer).
_floor_documents: Sequence[bytes] = ()


def _adopt_documents(documents: Sequence[bytes]) -> None:
    global _floor_documents
    _floor_documents = documents


def _floor_range(bounds: tuple[int, int]) -> float:
    """In a worker: the floor for documents[start:stop] (cycling); the thread's CPU seconds."""
    start, stop = bounds
    started = time.thread_time()
    for i in range(start, stop):
        floor(_floor_documents[i % len(_floor_documents)])
    return time.thread_time() - started


def floor_batch(documents: Sequence[bytes], size: int) -> dict[str, float]:
    """The floor as a batch: `size` messages, cycling `documents`, parsed and XSD-validated on
    BATCH_WORKERS forked processes in ranges of 200. Only the parsing and validating counts
    (CPU of the worker threads), not starting the processes: a floor, not a batch tool. Like
    the batch, and unlike the per-ICSR floor, it runs with cold caches and two processes."""
    ranges = [(i, min(i + 200, size)) for i in range(0, size, 200)]
    gc.collect()
    started = time.perf_counter()
    with ProcessPoolExecutor(
        max_workers=BATCH_WORKERS,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt_documents,
        initargs=(documents,),
    ) as pool:
        cpu = sum(pool.map(_floor_range, ranges))
    wall = time.perf_counter() - started
    return {"count": size, "total_s": wall, "cpu_s": cpu, "cpu_ms_per_icsr": cpu / size * 1e3}


def _one_batch(reports: Sequence[ICSR], today: date) -> dict[str, Any]:
    """One streamed batch file (e2b.batch.write_batch) on BATCH_WORKERS processes."""
    gc.collect()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.xml"
        (parent0, children0), t0 = _cpu_s(), time.perf_counter()
        with path.open("wb") as out:
            result = write_batch(reports, HEADER, out, today=today, workers=BATCH_WORKERS)
        (parent1, children1), t1 = _cpu_s(), time.perf_counter()
        size = path.stat().st_size
    workers_cpu, parent_cpu = children1 - children0, parent1 - parent0
    errors = _errors(result.findings)
    return {
        "count": result.messages,
        "total_s": t1 - t0,
        "parent_cpu_s": parent_cpu,
        "workers_cpu_s": workers_cpu,
        "cpu_ms_per_icsr": (workers_cpu + parent_cpu) / result.messages * 1000,
        "xml_mb": size / (1024 * 1024),
        "xml_error_findings": len(errors),
        "xml_error_examples": [f.line() for f in errors[:5]],
    }


def batch(
    reports: Sequence[ICSR], today: date, documents: Sequence[bytes], single_floor_ms: float
) -> dict[str, Any]:
    """The batch's CPU per ICSR against the floor's, side by side, then the whole batch once.

    Side by side: `reports` in parts of BATCH_ROUND_SIZE, each written as a batch file and run
    through a floor batch of the same messages, alternating which goes first, so that other jobs
    on a shared machine weigh on both alike; the ratio is of the summed CPU. Then all of
    `reports` as one batch file, for its wall time and memory.
    """
    rss_before = _max_rss_mb()
    size = min(BATCH_ROUND_SIZE, len(reports) // 4)
    rounds: list[dict[str, Any]] = []
    for i in range(len(reports) // size):
        part = reports[i * size : (i + 1) * size]
        if i % 2 == 0:
            floor_run, run = floor_batch(documents, len(part)), _one_batch(part, today)
        else:
            run, floor_run = _one_batch(part, today), floor_batch(documents, len(part))
        run["floor_ms_per_icsr"] = floor_run["cpu_ms_per_icsr"]
        run["ratio"] = run["cpu_ms_per_icsr"] / floor_run["cpu_ms_per_icsr"]
        rounds.append(run)
    ours_ms = statistics.fmean(run["cpu_ms_per_icsr"] for run in rounds)
    floor_ms = statistics.fmean(run["floor_ms_per_icsr"] for run in rounds)
    ratio = ours_ms / floor_ms
    whole = _one_batch(reports, today)
    return {
        **whole,
        "workers": BATCH_WORKERS,
        "rounds": rounds,
        "round_size": size,
        "cpu_ms_per_icsr_side_by_side": ours_ms,
        "floor_ms_per_icsr": floor_ms,
        "ratio": ratio,
        "whole_ratio": whole["cpu_ms_per_icsr"] / floor_ms,
        "single_floor_ms_per_icsr": single_floor_ms,
        "ratio_to_single_floor": ours_ms / single_floor_ms,
        "max_rss_before_mb": rss_before,
        "max_rss_after_mb": _max_rss_mb(),
        "workers_max_rss_mb": _children_max_rss_mb(),
        "target_ratio": BATCH_RATIO_TARGET,
        "pass": ratio <= BATCH_RATIO_TARGET,
    }


# ---------------------------------------------------------------- profile


def profile(reports: Sequence[ICSR], top: int = 15) -> str:
    """cProfile of to_checked_xml for each report alone; the top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for report in reports:
        to_checked_xml([report], HEADER)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------- output


def _verdict(ok: bool) -> str:
    return "met" if ok else "not met"


def print_report(results: dict[str, Any]) -> None:
    m = results["machine"]
    print("== machine")
    print(f"python {m['python']} ({m['implementation']}) on {m['platform']}")
    print(f"cpu: {m['cpu_model']}; os.cpu_count()={m['cpu_count']}, usable={m['cpus_usable']}")
    if m["load_average"] is not None:
        print(
            "load average at start (1/5/15 min): "
            + ", ".join(f"{x:.2f}" for x in m["load_average"])
        )
    print(
        f"lxml {m['lxml']}, libxml2 {m['libxml2_runtime']} (compiled against "
        f"{m['libxml2_compiled']}), pydantic {m['pydantic']}"
    )

    s = results["schema"]
    loads = ", ".join(f"{x:.3f}" for x in s["load_seconds"])
    totals = ", ".join(f"{x:.3f}" for x in s["import_and_load_seconds"])
    print("\n== 1. schema load (fresh process each run)")
    print(f"load_seconds(): {s['load_seconds'][0]:.3f} s cold (runs: {loads})")
    print(f"import e2b + load, per run: {totals} s")

    g = results["inputs"]
    print(
        f"\n== inputs: {g['count']} synthetic reports (seed {g['seed']}), generated and "
        f"checked by validate_report in {g['generate_s']:.1f} s, 0 errors"
    )
    print(
        f"reactions {g['reactions']}, tests {g['tests']}, concomitant drugs "
        f"{g['concomitant']}, dosages per drug {g['dosages']}, narrative chars {g['narrative']}"
    )

    p = results["per_icsr"]
    print(
        f"\n== 2. per ICSR, side by side ({p['count']} reports; CPU time of this thread, the "
        f"least of {p['rounds']} alternating runs per report)"
    )
    print(f"{'step':<58}{'median':>8}{'p95':>8}{'max':>8}{'mean':>8}  (ms)")
    labels = {
        "model": "model validation (validate_report), not in the ratios",
        "floor_file": "floor: parse + XSD of the indented file",
        "ours_file": "ours: to_checked_xml (build + XSD + indented bytes)",
        "floor_message": "floor: parse + XSD of one batch message in its envelope",
        "ours_message": "ours: e2b.batch.check_message (build + XSD)",
    }
    for key, label in labels.items():
        st = p["ms"][key]
        print(
            f"{label:<58}{st['median']:>8.3f}{st['p95']:>8.3f}{st['max']:>8.3f}{st['mean']:>8.3f}"
        )
    for key, label in (("ratio_file", "file (pv.submission)"), ("ratio_message", "batch message")):
        r = p[key]
        print(
            f"ratio ours / floor, {label}: median {r['median']:.2f}x, p95 {r['p95']:.2f}x, "
            f"max {r['max']:.2f}x"
        )
    share = p["phase_cpu_s"] / p["phase_wall_s"] if p["phase_wall_s"] else 0.0
    print(
        f"(whole loop: {p['phase_wall_s']:.1f} s wall, {p['phase_cpu_s']:.1f} s CPU = "
        f"{share:.0%} of one core; well under 100% means other work shared the CPU)"
    )
    print(
        f"target: build + validate <= {p['target_ratio']}x the floor (median, file): "
        f"{_verdict(p['pass'])}"
    )
    print(
        f"XML per ICSR: median {p['xml_bytes_median'] / 1024:.1f} KiB, max "
        f"{p['xml_bytes_max'] / 1024:.1f} KiB; XSD findings on our output: "
        f"{p['xsd_error_findings']} errors"
    )
    for line in p["xsd_error_examples"]:
        print(f"  ! {line}")

    b = results["batch"]
    print(
        f"\n== 3. batches (e2b.batch.write_batch, {b['workers']} processes) beside floor batches "
        f"(parse + XSD of the same messages on {b['workers']} processes)"
    )
    print(
        f"side by side, {len(b['rounds'])} rounds of {b['round_size']:,} ICSRs, CPU ms per ICSR "
        "(ours / floor): "
        + ", ".join(
            f"{run['cpu_ms_per_icsr']:.2f}/{run['floor_ms_per_icsr']:.2f}" for run in b["rounds"]
        )
    )
    ratios = sorted(run["ratio"] for run in b["rounds"])
    print(
        f"CPU per ICSR {b['cpu_ms_per_icsr_side_by_side']:.3f} ms vs floor "
        f"{b['floor_ms_per_icsr']:.3f} ms = {b['ratio']:.2f}x (rounds {ratios[0]:.2f}x to "
        f"{ratios[-1]:.2f}x); target <= {b['target_ratio']}x: {_verdict(b['pass'])}"
    )
    print(
        f"(vs the per-ICSR floor of section 2, warm caches and one process, mean "
        f"{b['single_floor_ms_per_icsr']:.3f} ms: {b['ratio_to_single_floor']:.2f}x)"
    )
    print(
        f"one batch of {b['count']:,}: {b['total_s']:.2f} s wall ({b['workers_cpu_s']:.2f} s CPU "
        f"in workers, {b['parent_cpu_s']:.2f} s in the parent = {b['cpu_ms_per_icsr']:.3f} ms "
        f"per ICSR, {b['whole_ratio']:.2f}x the floor above); file {b['xml_mb']:.1f} MiB"
    )
    print(
        f"peak memory (ru_maxrss): parent {b['max_rss_before_mb']:.0f} MiB before, "
        f"{b['max_rss_after_mb']:.0f} MiB after; largest worker {b['workers_max_rss_mb']:.0f} MiB"
    )
    errors = b["xml_error_findings"] + sum(run["xml_error_findings"] for run in b["rounds"])
    print(f"findings: {errors} errors in all batches")
    for line in b["xml_error_examples"]:
        print(f"  ! {line}")

    print("\n== README rows (measure | result | target)")
    ms = p["ms"]
    rf, rm = p["ratio_file"], p["ratio_message"]
    rows = [
        ("XSD schema load, cold process", f"{s['load_seconds'][0]:.2f} s", "-"),
        (
            f"floor per ICSR: lxml parse + XSD of the same bytes, median / p95 "
            f"({p['count']:,} reports)",
            f"{ms['floor_file']['median']:.2f} / {ms['floor_file']['p95']:.2f} ms",
            "-",
        ),
        (
            "build + validate per ICSR (`to_checked_xml`, as `pv.submission.build`), median / p95",
            f"{ms['ours_file']['median']:.2f} / {ms['ours_file']['p95']:.2f} ms",
            "-",
        ),
        (
            "build + validate vs floor, per ICSR, median / p95 of the ratios",
            f"**{rf['median']:.2f}x** / {rf['p95']:.2f}x",
            f"<= {p['target_ratio']}x (median): **{_verdict(p['pass'])}**",
        ),
        (
            "batch message (`e2b.batch.check_message`) vs its floor, median / p95",
            f"{rm['median']:.2f}x / {rm['p95']:.2f}x",
            "-",
        ),
        (
            f"batch CPU per ICSR (workers + parent) vs the floor run as a batch of the same "
            f"messages, {len(b['rounds'])} alternating rounds of {b['round_size']:,}, "
            f"{b['workers']} processes",
            f"**{b['ratio']:.2f}x** ({b['cpu_ms_per_icsr_side_by_side']:.2f} vs "
            f"{b['floor_ms_per_icsr']:.2f} ms; rounds {min(ratios):.2f}-{max(ratios):.2f}x)",
            f"<= {b['target_ratio']}x: **{_verdict(b['pass'])}**",
        ),
        (
            f"{b['count']:,}-ICSR batch wall time, {b['workers']} processes",
            f"{b['total_s']:.1f} s ({b['workers_cpu_s']:.1f} s CPU in workers, "
            f"{b['parent_cpu_s']:.1f} s in the parent: {b['whole_ratio']:.2f}x the floor), "
            f"{b['xml_mb']:.0f} MiB file",
            "-",
        ),
        (
            "peak memory for that batch",
            f"parent {b['max_rss_after_mb']:.0f} MiB, largest worker "
            f"{b['workers_max_rss_mb']:.0f} MiB",
            "-",
        ),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _spread(values: list[int]) -> str:
    return f"{min(values)}-{max(values)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100 reports and a 1,000 batch")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print a cProfile of to_checked_xml over N reports (top 15 by own time)",
    )
    args = parser.parse_args(argv)
    count, batch_size = (100, 1_000) if args.quick else (1_000, 10_000)
    today = TODAY

    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    results["schema"] = schema_load()

    started = time.perf_counter()
    inputs = generate(count)  # raises SyntheticInputError if any input has a validation error
    drugs = [d for x in inputs for d in x["drugs"]]
    results["inputs"] = {
        "count": count,
        "seed": SEED,
        "generate_s": time.perf_counter() - started,
        "reactions": _spread([len(x["reactions"]) for x in inputs]),
        "tests": _spread([len(x["tests"]) for x in inputs]),
        "concomitant": _spread([sum(d["role"] == "2" for d in x["drugs"]) for x in inputs]),
        "dosages": _spread([len(d.get("dosages", [])) for d in drugs if d.get("dosages")]),
        "narrative": _spread([len(x["narrative"]["narrative"]) for x in inputs]),
    }

    warm_up(
        [
            r.for_sending()
            for r in (validate_report(x, today=today).report for x in inputs[:20])
            if r
        ]
    )
    reports, results["per_icsr"] = per_icsr(inputs, today)
    # Profiled before the big batch: freeing its memory slows the next few calls on some VMs.
    profiled = profile(reports[: args.profile]) if args.profile else ""
    big = batch_reports(reports, batch_size, first_number=900001)
    documents = [message_document(report) for report in reports]
    single_floor_ms = results["per_icsr"]["ms"]["floor_message"]["mean"]
    results["batch"] = batch(big, today, documents, single_floor_ms)
    del documents
    del big
    results["max_rss_end_mb"] = _max_rss_mb()

    print_report(results)
    if profiled:
        print(f"\n== cProfile of to_checked_xml over {min(args.profile, count)} reports")
        print(profiled)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
