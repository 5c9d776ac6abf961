"""What a drill keeps when it goes wrong (tests/sim/drills.py): `<drill dir>/evidence.txt`, so that a
failed run on a CI machine that is thrown away can still be explained from its failure message."""

import collections
import json
import os

FILE = "evidence.txt"


def kept(directory):
    return os.path.exists(os.path.join(directory, FILE))


def failed_actions(directory, events, log, groups, inline=40):
    """When an action of these Auto Scaling groups expired, was abandoned or completed twice: each
    such instance's story (the simulator's events that name it or a deployment that targets it,
    and the serve log's lines that name it) in the evidence file. Returns the file's path and its
    first `inline` lines, for an assertion message; None when clean."""
    done = [e for e in events if e["kind"] == "lifecycle-complete" and e["group"] in groups]
    twice = {t for t, n in collections.Counter(c["token"] for c in done).items() if n > 1}
    bad = sorted(
        {c["instance"] for c in done if "timeout" in c["why"] or c["result"] == "ABANDON" or c["token"] in twice}
    )
    if not bad:
        return None
    lines = []
    for instance in bad:
        group = next(c["group"] for c in done if c["instance"] == instance)
        deployments = {
            e["deployment"]
            for e in events
            if e["kind"] == "deployment-created" and instance in e.get("targets", "").split(",")
        }
        lines.append(f"== {instance} ({group})")
        lines += [
            "  sim " + json.dumps(e, sort_keys=True)
            for e in events
            if instance in e.values() or e.get("deployment") in deployments
        ]
        lines += ["  log " + line for line in log.splitlines() if instance in line]
    # Every lifecycle call's attempts and time (serve logs them at debug level); they name no instance.
    lines.append("== lifecycle calls")
    lines += ["  log " + line for line in log.splitlines() if "] call" in line and "LifecycleAction" in line]
    path = os.path.join(directory, FILE)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return "\n".join([f"evidence: {path} ({len(lines)} lines)"] + lines[:inline])


def unsettled(directory, events, log, last=300):
    """A wave that never settled: the simulator's last events and serve's last log lines."""
    with open(os.path.join(directory, FILE), "w") as f:
        f.write("".join(json.dumps(e, sort_keys=True) + "\n" for e in events[-last:]))
        f.write("".join(line + "\n" for line in log.splitlines()[-last:]))
