"""Print our reader and CLI against the peer reader (PyPI `e2br3`), side by side in one run.

    python bench/reader_bench.py [--rounds N]

- read: `e2b.reader.read_bytes` vs `e2br3.parse` on each published file
  (tests/e2b/data/published), alternating, the least CPU time of each over the rounds; the
  ratio of the sums over the corpus. Target <= 1.0x (issue 10). Our reader extracts every element
  the model carries; e2br3 0.1.0 a core subset.
- CLI: `python -m e2b --help` vs `e2br3 --help`, whole processes, alternating; the median of the
  pairwise ratios of wall time. Target <= 0.5x.
e2br3 is a test-only dependency (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

# Run as `python bench/reader_bench.py`, only bench/ is on sys.path; e2b lives in the root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import e2br3  # noqa: E402

from e2b.reader import MESSAGE_TAG, message_data, read_bytes, read_message  # noqa: E402
from e2b.xmlsafe import parse_bytes  # noqa: E402
from e2b.xpath import select  # noqa: E402

CORPUS = ROOT / "tests" / "e2b" / "data" / "published"


def _cpu(call: Callable[[], object]) -> float:
    start = time.thread_time()
    call()
    return time.thread_time() - start


def read_ratio(rounds: int) -> tuple[float, float, int]:
    """(our seconds, e2br3's seconds, files): each file's least CPU time of `rounds`, summed."""
    files = sorted(CORPUS.rglob("*.xml"))
    ours_total = peer_total = 0.0
    for path in files:
        data = path.read_bytes()
        ours: list[float] = []
        peer: list[float] = []
        for i in range(rounds):  # alternate which goes first: neither gets the warmer cache
            pair = [("ours", partial(read_bytes, data)), ("peer", partial(e2br3.parse, data))]
            for name, call in pair if i % 2 == 0 else reversed(pair):
                (ours if name == "ours" else peer).append(_cpu(call))
        ours_total += min(ours)
        peer_total += min(peer)
    return ours_total, peer_total, len(files)


def steps(rounds: int) -> dict[str, float]:
    """Seconds per step over the corpus: each file's least CPU time of `rounds`, summed.

    "validation" is the least `read_message` less the least `message_data` (the extraction):
    pruning, then the model with its cross-field rules.
    """
    keys = ("parse", "extraction", "read_message", "e2br3 read")
    totals = dict.fromkeys(keys, 0.0)
    for path in sorted(CORPUS.rglob("*.xml")):
        data = path.read_bytes()
        best = dict.fromkeys(keys, float("inf"))
        for _ in range(rounds):
            took = dict.fromkeys(keys, 0.0)
            took["e2br3 read"] = _cpu(partial(e2br3.parse, data))
            start = time.thread_time()
            root = parse_bytes(data).getroot()
            took["parse"] = time.thread_time() - start
            for message in [root] if root.tag == MESSAGE_TAG else select(root, "PORR_IN049016UV"):
                took["extraction"] += _cpu(partial(message_data, message))
                took["read_message"] += _cpu(partial(read_message, message))
            best = {k: min(best[k], took[k]) for k in keys}
        totals = {k: totals[k] + best[k] for k in keys}
    return {
        "parse": totals["parse"],
        "extraction": totals["extraction"],
        "validation": totals["read_message"] - totals["extraction"],
        "e2br3 read": totals["e2br3 read"],
    }


def _wall(command: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def help_ratio(rounds: int) -> tuple[float, float, float]:
    """(our median s, e2br3's median s, median of the pairwise ratios), whole processes."""
    peer_cli = shutil.which("e2br3") or "e2br3"
    ours_cmd = [sys.executable, "-m", "e2b", "--help"]
    peer_cmd = [peer_cli, "--help"]
    _wall(ours_cmd), _wall(peer_cmd)  # warm the file cache for both
    ours: list[float] = []
    peer: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            ours.append(_wall(ours_cmd))
            peer.append(_wall(peer_cmd))
        else:
            peer.append(_wall(peer_cmd))
            ours.append(_wall(ours_cmd))
    ratios = [a / b for a, b in zip(ours, peer, strict=True)]
    return statistics.median(ours), statistics.median(peer), statistics.median(ratios)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="repetitions of each (default 7)")
    parser.add_argument("--steps", action="store_true", help="also time each step of our read")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"e2br3 {getattr(e2br3, '__version__', '?')}; load average {load:.1f} at the start")
    if args.steps:
        parts = ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in steps(args.rounds).items())
        print(f"steps, least CPU per file summed: {parts}")
    ours, peer, files = read_ratio(args.rounds)
    verdict = "met" if ours <= peer else "not met"
    print(
        f"read, {files} published files: ours {ours * 1000:.1f} ms CPU, e2br3 {peer * 1000:.1f} ms"
        f" -> {ours / peer:.2f}x (target <= 1.0x: {verdict})"
    )
    mine, theirs, ratio = help_ratio(args.rounds)
    verdict = "met" if ratio <= 0.5 else "not met"
    print(
        f"--help, whole process: python -m e2b {mine * 1000:.0f} ms, e2br3 {theirs * 1000:.0f} ms"
        f" -> {ratio:.2f}x median of pairs (target <= 0.5x: {verdict})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
