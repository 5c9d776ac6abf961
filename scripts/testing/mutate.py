"""Mutation runs: for each mutation in a JSON list (file, old, new, optional extra edits, and the
test command that should fail), apply it to the checkout, build, run the test, report CAUGHT or
MISSED, and put the file back. Usage: python3 scripts/testing/mutate.py scripts/testing/mutations/X.json

The lists are the mutations named in closing notes; run one after `swift build --build-tests`."""

import json
import os
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
muts = json.load(open(sys.argv[1]))
results = []
for m in muts:
    path = os.path.join(ROOT, m["file"])
    src = open(path).read()
    assert m["old"] in src, (m["name"], "old text not found")
    changed = src.replace(m["old"], m["new"], 1)
    for old, new in m.get("edits", []):
        assert old in changed, (m["name"], old)
        changed = changed.replace(old, new, 1)
    open(path, "w").write(changed)
    try:
        b = subprocess.run(
            f"cd {ROOT} && swift build --build-tests 2>&1 | grep -E 'error:' | head -3",
            shell=True,
            capture_output=True,
            text=True,
        )
        if b.stdout.strip():
            results.append((m["name"], "BUILD ERROR " + b.stdout.strip()[:200]))
            print(results[-1], flush=True)
            continue
        # In a session of its own, killed whole afterwards: a test binary that a `timeout` in the
        # command outlived (a mutant that spins) must not go on using the CPU of the runs after it.
        t = subprocess.Popen(
            m["test"],
            shell=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            out, _ = t.communicate(timeout=900)
            failed = t.returncode != 0
            tail = out.strip().splitlines()[-3:]
            results.append((m["name"], ("CAUGHT" if failed else "MISSED") + " :: " + " | ".join(x[:160] for x in tail)))
        finally:
            try:
                os.killpg(t.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            t.wait()
    except subprocess.TimeoutExpired:
        results.append((m["name"], "CAUGHT (timeout)"))
    finally:
        open(path, "w").write(src)
    print(results[-1], flush=True)
subprocess.run(f"cd {ROOT} && swift build --build-tests 2>&1 | tail -1", shell=True)
