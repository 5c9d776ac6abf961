"""The table of tests/sim/test_hostile.py's runs, with time and peak RSS: every class of hostile
answer through both routes. Usage: python3 scripts/testing/hostile_table.py (after swift build)."""

import os
import sys
import tempfile
import time

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "sim")
)

import test_hostile  # noqa: E402
from hostile import CLASSES, Hostile  # noqa: E402
from lifeline_proc import env  # noqa: E402

with tempfile.TemporaryDirectory() as scratch:
    for kind in CLASSES:
        for route in sorted(test_hostile.ROUTES):
            with Hostile(kind) as endpoint:
                start = time.monotonic()
                args = ["reconcile", *test_hostile.ROUTES[route], "--endpoint-url", endpoint.url]
                args += ["--db", f"{scratch}/{kind}-{route}.db", "--call-deadline", test_hostile.DEADLINE]
                out, rss = test_hostile.run_measured(args, env(), 300)
                lines = out.stderr.strip().splitlines()
                last = lines[-1] if lines else ""
                print(
                    f"{kind:14} {route:4} exit {out.returncode} {time.monotonic() - start:5.1f} s {rss:4} MiB "
                    f"{len(lines)} line(s): {last[:200]}"
                )
