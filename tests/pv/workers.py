"""Writer processes for the concurrency and crash tests (spawned, so they live in a module).

`python -m tests.pv.workers crash URL N` saves N cases, printing each ID, then starts one more
save and stops inside its transaction (after the case and version rows, before the audit row's
commit), printing SAVING, so the test can SIGKILL it at exactly that point.
"""

from __future__ import annotations

import sys
import time
from multiprocessing.synchronize import Barrier
from typing import Any

from pv import audit
from pv.store import Store
from tests.pv.submissions import builder


def submit_many(url: str, count: int, barrier: Barrier, results: Any) -> None:
    """Save `count` cases as fast as possible, starting together with the other workers."""
    store = Store.open(url)
    build = builder(validate=False)
    barrier.wait()
    ids = [store.submit(build, user="worker").case_id for _ in range(count)]
    store.close()
    results.put(ids)


def crash(url: str, count: int) -> None:
    store = Store.open(url)
    build = builder(validate=False)
    for _ in range(count):
        print(store.submit(build).case_id, flush=True)
    real_append = audit.append

    def stuck_append(*args: Any, **kwargs: Any) -> Any:
        entry = real_append(*args, **kwargs)
        print("SAVING", flush=True)
        time.sleep(120)  # the test kills us here, inside the transaction
        return entry

    audit.append = stuck_append  # type: ignore[assignment]
    store.submit(build)


if __name__ == "__main__":
    if sys.argv[1] == "crash":
        crash(sys.argv[2], int(sys.argv[3]))
