"""The built binary against a hostile endpoint (tests/sim/hostile.py), one class of bad answer per
run: each run must end with exit 1 and one stderr line naming the operation, within its call
deadline, and without the memory a hostile answer asks for."""

import re
import subprocess
import sys

import pytest
from conftest import BINARY
from hostile import CLASSES, Hostile
from lifeline_proc import env

# One call's deadline for the one-shot commands; the trickle would otherwise take 3 × 30 s.
DEADLINE = "5s"
# What a run may take before the test calls it a hang: well under the 3 × 30 s a trickle costs without
# the deadline. The endless walk's bound is 1,000 pages at the client's 50 requests a second, so it
# gets longer; without the bound it would never end.
HANG = {"endless-pages": 240}
# What a run may hold: the 256 MiB answer must be refused long before it is all in memory.
MAX_RSS_MIB = 400
OPERATIONS = re.compile(
    r"\b(DescribeAutoScalingGroups|DescribeLifecycleHooks|DescribeInstances|BatchGetDeploymentGroups|"
    r"GetDeploymentGroup|ListDeploymentGroups|ListApplications|ListDeployments|GetQueueAttributes)\b"
)
# Which call comes first: `reconcile --group` reads CodeDeploy (JSON); `reconcile` alone finds its
# groups from Auto Scaling's hooks (Query XML).
ROUTES = {"json": ["--group", "shop/prod"], "xml": []}


def run_measured(args, environment, hang):
    """Runs lifeline under a small Python parent, so that RUSAGE_CHILDREN is lifeline's own peak."""
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
        "print(f'maxrss_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stdout)\n"
        "sys.exit(p.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, BINARY, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=hang,
    )
    rss = int(re.search(r"maxrss_kib=(\d+)", out.stdout).group(1)) // 1024
    return out, rss


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("kind", CLASSES)
def test_a_hostile_answer_ends_in_one_line_in_bounded_time_and_memory(tmp_path, kind, route):
    with Hostile(kind) as endpoint:
        out, rss = run_measured(
            [
                "reconcile",
                *ROUTES[route],
                "--endpoint-url",
                endpoint.url,
                "--db",
                str(tmp_path / "lifeline.db"),
                "--call-deadline",
                DEADLINE,
            ],
            dict(env(), AWS_SESSION_TOKEN="hostile-session-token-0123456789"),
            HANG.get(kind, 75),
        )
    lines = out.stderr.splitlines()
    assert out.returncode == 1, out
    # One line: the refusal (`lifeline reconcile: …`), or the group's error log line (the pass
    # report goes to stdout).
    assert len(lines) == 1, lines[:5]
    assert OPERATIONS.search(lines[0]), lines
    assert len(lines[0]) < 1200, lines
    assert "hostile-session-token" not in out.stderr + out.stdout
    assert rss < MAX_RSS_MIB, (rss, lines)
