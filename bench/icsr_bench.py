"""Print timings for the ICSR performance targets: schema load, per-ICSR build+validate, 10k batch.

Run from the repository root: `python bench/icsr_bench.py [--quick] [--json PATH] [--profile N]`.
It prints numbers and PASS/MISS against the targets; it does not assert.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from lxml import etree

# Run as `python bench/icsr_bench.py`, only bench/ is on sys.path; pv and e2b live in the root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import SEED, TODAY, generate  # noqa: E402
from e2b.batch import write_batch  # noqa: E402
from e2b.findings import Finding  # noqa: E402
from e2b.schema import load_schema  # noqa: E402
from e2b.validate import validate_tree  # noqa: E402
from e2b.writer import BatchHeader, build_batch  # noqa: E402
from pv.model import Report  # noqa: E402
from pv.validation import validate_report  # noqa: E402

PER_ICSR_TARGET_MS = 5.0  # build + validate, per ICSR
BATCH_TARGET_S = 10.0  # one batch of 10,000 ICSRs, build + validate
HEADER = BatchHeader("BENCH-1", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))

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


# ---------------------------------------------------------------- per ICSR


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def _stats(samples_ns: Sequence[int]) -> dict[str, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    return {
        "median_ms": statistics.median(ms),
        "p95_ms": p95,
        "max_ms": ms[-1],
        "mean_ms": statistics.fmean(ms),
    }


def _build_and_serialise(reports: Sequence[Report]) -> tuple[etree._Element, bytes]:
    root = build_batch(reports, HEADER)
    return root, etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def warm_up(inputs: Sequence[dict[str, Any]], today: date) -> None:
    """Load the schema and take every code path once, so first-call costs are not timed."""
    load_schema()
    for data in inputs:
        report = validate_report(data, today=today).report
        if report is None:
            raise RuntimeError(f"{data['case']['sender_report_id']} did not validate")
        root, _ = _build_and_serialise([report])
        validate_tree(root, today)


def per_icsr(inputs: Sequence[dict[str, Any]], today: date) -> tuple[list[Report], dict[str, Any]]:
    """Time (a) validate_report, (b) build + tostring, (c) validate_tree, for each input alone."""
    a_ns: list[int] = []
    b_ns: list[int] = []
    c_ns: list[int] = []
    reports: list[Report] = []
    sizes: list[int] = []
    xml_errors: list[str] = []
    warnings = 0
    clock = time.perf_counter_ns
    phase_wall, phase_cpu = time.perf_counter(), time.process_time()
    for data in inputs:
        t0 = clock()
        result = validate_report(data, today=today)
        t1 = clock()
        report = result.report
        if report is None or _errors(result.findings):
            raise RuntimeError(f"{data['case']['sender_report_id']} did not validate")
        root, xml = _build_and_serialise([report])
        t2 = clock()
        findings = validate_tree(root, today)
        t3 = clock()
        a_ns.append(t1 - t0)
        b_ns.append(t2 - t1)
        c_ns.append(t3 - t2)
        reports.append(report)
        sizes.append(len(xml))
        xml_errors.extend(f.line(report.case.sender_report_id) for f in _errors(findings))
        warnings += len(findings) - len(_errors(findings))
    phase_wall, phase_cpu = time.perf_counter() - phase_wall, time.process_time() - phase_cpu
    bc = [b + c for b, c in zip(b_ns, c_ns, strict=True)]
    abc = [a + x for a, x in zip(a_ns, bc, strict=True)]
    stats = {
        "a_validate_report": _stats(a_ns),
        "b_build_tostring": _stats(b_ns),
        "c_validate_tree": _stats(c_ns),
        "b_plus_c": _stats(bc),
        "a_plus_b_plus_c": _stats(abc),
    }
    return reports, {
        "count": len(inputs),
        "stats": stats,
        "phase_wall_s": phase_wall,
        "phase_cpu_s": phase_cpu,
        "xml_bytes_median": statistics.median(sizes),
        "xml_bytes_max": max(sizes),
        "xml_error_findings": len(xml_errors),
        "xml_error_examples": xml_errors[:5],
        "xml_warning_findings": warnings,
        "target_ms": PER_ICSR_TARGET_MS,
        # The issue states the target on the median over 1,000 reports; p95 is shown beside it.
        "pass": stats["b_plus_c"]["median_ms"] <= PER_ICSR_TARGET_MS,
    }


# ---------------------------------------------------------------- one large batch


def batch_reports(reports: Sequence[Report], size: int, first_number: int) -> list[Report]:
    """`size` reports cycling `reports`, each with its own case ID (copies, not re-validated)."""
    out: list[Report] = []
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


def batch(reports: Sequence[Report], today: date) -> dict[str, Any]:
    """One streamed batch file (e2b.batch.write_batch): every message built, XSD- and
    rule-checked and written; wall and CPU time, file size and memory peaks."""
    gc.collect()
    workers = os.cpu_count() or 1
    rss_before = _max_rss_mb()
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.xml"
        t0, c0 = time.perf_counter(), time.process_time()
        with path.open("wb") as out:
            result = write_batch(reports, HEADER, out, today=today, workers=workers)
        t1, c1 = time.perf_counter(), time.process_time()
        size = path.stat().st_size
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    errors = _errors(result.findings)
    total = t1 - t0
    return {
        "count": result.messages,
        "workers": workers,
        "total_s": total,
        "parent_cpu_s": c1 - c0,
        "workers_cpu_s": children_cpu,
        "xml_mb": size / (1024 * 1024),
        "xml_error_findings": len(errors),
        "xml_error_examples": [f.line() for f in errors[:5]],
        "max_rss_before_mb": rss_before,
        "max_rss_after_mb": _max_rss_mb(),
        "workers_max_rss_mb": _children_max_rss_mb(),
        "target_s": BATCH_TARGET_S,
        "pass": total <= BATCH_TARGET_S,
    }


# ---------------------------------------------------------------- profile


def profile(reports: Sequence[Report], today: date, top: int = 15) -> str:
    """cProfile of (b)+(c) for each report alone; the top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for report in reports:
        root, _ = _build_and_serialise([report])
        validate_tree(root, today)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ---------------------------------------------------------------- output


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


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
    print(f"\n== 2. per ICSR, each report alone ({p['count']} reports)")
    print(f"{'step':<34}{'median':>9}{'p95':>9}{'max':>9}{'mean':>9}  (ms)")
    labels = {
        "a_validate_report": "(a) validate_report",
        "b_build_tostring": "(b) build_batch + tostring",
        "c_validate_tree": "(c) validate_tree (XSD + rules)",
        "b_plus_c": "(b)+(c) build + validate",
        "a_plus_b_plus_c": "(a)+(b)+(c)",
    }
    for key, label in labels.items():
        st = p["stats"][key]
        print(
            f"{label:<34}{st['median_ms']:>9.2f}{st['p95_ms']:>9.2f}"
            f"{st['max_ms']:>9.2f}{st['mean_ms']:>9.2f}"
        )
    share = p["phase_cpu_s"] / p["phase_wall_s"] if p["phase_wall_s"] else 0.0
    print(
        f"(whole loop: {p['phase_wall_s']:.1f} s wall, {p['phase_cpu_s']:.1f} s CPU = "
        f"{share:.0%} of one core; well under 100% means other work shared the CPU)"
    )
    bc = p["stats"]["b_plus_c"]
    each = ", ".join(
        f"{name} {_verdict(bc[f'{name}_ms'] <= p['target_ms'])}"
        for name in ("median", "p95", "max")
    )
    print(
        f"target (b)+(c) <= {p['target_ms']:.0f} ms per ICSR: {_verdict(p['pass'])} "
        f"(on the median, as the target is stated; {each})"
    )
    print(
        f"XML per ICSR: median {p['xml_bytes_median'] / 1024:.1f} KiB, max "
        f"{p['xml_bytes_max'] / 1024:.1f} KiB; validate_tree findings: "
        f"{p['xml_error_findings']} errors, {p['xml_warning_findings']} warnings"
    )
    for line in p["xml_error_examples"]:
        print(f"  ! {line}")

    b = results["batch"]
    print(f"\n== 3. one batch of {b['count']:,} ICSRs, streamed (e2b.batch.write_batch)")
    print(
        f"build + XSD + ICH rules + write: {b['total_s']:.2f} s wall on {b['workers']} worker "
        f"processes ({b['workers_cpu_s']:.2f} s CPU in workers, {b['parent_cpu_s']:.2f} s in "
        f"the parent); file {b['xml_mb']:.1f} MiB"
    )
    print(f"target <= {b['target_s']:.0f} s: {_verdict(b['pass'])}")
    cpu = b["workers_cpu_s"] + b["parent_cpu_s"]
    if cpu and b["count"]:
        per_icsr_ms = cpu / b["count"] * 1000
        cores = per_icsr_ms * 10_000 / 1000 / b["target_s"]
        print(
            f"CPU per ICSR in the batch: {per_icsr_ms:.2f} ms (all processes); 10,000 in "
            f"{b['target_s']:.0f} s needs about {cores:.1f} cores at this speed"
        )
    print(
        f"peak memory (ru_maxrss): parent {b['max_rss_before_mb']:.0f} MiB before, "
        f"{b['max_rss_after_mb']:.0f} MiB after; largest worker {b['workers_max_rss_mb']:.0f} MiB"
    )
    print(f"findings: {b['xml_error_findings']} errors")
    for line in b["xml_error_examples"]:
        print(f"  ! {line}")


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
        help="also print a cProfile of (b)+(c) over N reports (top 15 by own time)",
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

    warm_up(inputs[:20], today)
    reports, results["per_icsr"] = per_icsr(inputs, today)
    # Profiled before the big batch: freeing its memory slows the next few calls on some VMs.
    profiled = profile(reports[: args.profile], today) if args.profile else ""
    big = batch_reports(reports, batch_size, first_number=900001)
    results["batch"] = batch(big, today)
    del big
    results["max_rss_end_mb"] = _max_rss_mb()

    print_report(results)
    if profiled:
        print(
            f"\n== cProfile of (b)+(c) over {min(args.profile, count)} reports, top 15 by tottime"
        )
        print(profiled)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
