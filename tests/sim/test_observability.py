"""contrib/prometheus-rules.yaml and contrib/grafana-dashboard.json: promtool accepts the rules and
their unit tests pass, and every metric a rule or a panel names is one `lifeline serve` exports."""

import json
import os
import re
import subprocess

import pytest
from conftest import ROOT, wait_for
from lifeline_proc import wait_settled

CONTRIB = os.path.join(ROOT, "contrib")
HISTOGRAM_PARTS = ("_bucket", "_count", "_sum")


def promtool(*args):
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=60, cwd=CONTRIB)


def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    check = promtool("check", "rules", "prometheus-rules.yaml")
    assert check.returncode == 0 and "SUCCESS: 6 rules found" in check.stdout, check.stdout + check.stderr
    test = promtool("test", "rules", "prometheus-rules.test.yaml")
    assert test.returncode == 0 and "SUCCESS" in test.stdout, test.stdout + test.stderr


def named_metrics():
    """Every lifeline_* metric a rule or a dashboard query names, histogram parts folded to their family."""
    with open(os.path.join(CONTRIB, "prometheus-rules.yaml")) as f:
        texts = [f.read()]
    with open(os.path.join(CONTRIB, "grafana-dashboard.json")) as f:
        dashboard = json.load(f)
    queries = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(queries) >= 15
    texts += queries
    names = {m for text in texts for m in re.findall(r"\blifeline_[a-z_]+", text)}
    return {next((n[: -len(p)] for p in HISTOGRAM_PARTS if n.endswith(p)), n) for n in names}


def exported(body):
    return set(re.findall(r"^# TYPE (lifeline_[a-z_]+) ", body, re.M))


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_every_metric_the_rules_and_the_dashboard_name_is_exported(world):
    sim, serve, _ = world
    lifeline = serve()
    seen = set()

    def during_the_wave():
        # An open action's deadline is exported only while one is open.
        status, body = lifeline.get("/metrics")
        assert status == 200
        seen.update(exported(body))
        return "lifeline_nearest_action_deadline_seconds" in seen

    wait_for(during_the_wave, 30, interval=0.1, what="a deadline in /metrics while the wave waits")
    wait_settled(sim, 4, timeout=30)
    seen |= exported(lifeline.get("/metrics")[1])
    assert lifeline.stop() == 0
    named = named_metrics()
    assert len(named) >= 14, named
    assert named <= seen, f"named but not exported: {sorted(named - seen)}"
