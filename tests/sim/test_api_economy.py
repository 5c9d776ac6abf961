"""API economy (issue 5): one reconcile pass over 100 groups with 10 new instances each makes no more
calls than the APIs' page and batch limits require, +10 %. Call counts are deterministic, so they
are asserted; wall-clock time is not (that lives in the benchmark)."""

import json
import math
import os
import sys

from conftest import ROOT, Sim, wait_for
from lifeline_proc import run

sys.path.insert(0, os.path.join(ROOT, "scripts", "testing"))
import fleet  # noqa: E402

GROUPS, NEW = 100, 10


def fleet_scenario():
    return fleet.scenario(GROUPS, in_service=0, new=NEW)


def floor():
    return fleet.floor(GROUPS, waiting=GROUPS * NEW)


def test_one_pass_over_100_groups_with_10_new_instances_each_stays_within_10_percent_of_the_floor(tmp_path):
    scenario = tmp_path / "fleet.json"
    scenario.write_text(json.dumps(fleet_scenario()))
    sim = Sim()
    try:
        status, body = sim.control("scenario", json.loads(scenario.read_text()))
        assert status == 200, body
        wait_for(
            lambda: (
                sum(1 for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait")
                == GROUPS * NEW
            ),
            20,
            what="1,000 waiting instances",
        )
        queue = sim.client("sqs").get_queue_url(QueueName="lifeline-events")["QueueUrl"]
        config = tmp_path / "lifeline.yaml"
        config.write_text(fleet.config(queue, GROUPS))
        sim.control("calls/reset", {})
        out = run(
            "reconcile",
            "--config",
            str(config),
            "--endpoint-url",
            sim.url,
            "--db",
            str(tmp_path / "l.db"),
            "--output",
            "json",
            timeout=120,
        )
        assert out.returncode == 2, out.stderr[-2000:]
        calls = sim.control("calls")[1]
        expected = floor()
        assert set(calls) <= set(expected), f"calls the floor does not need: {set(calls) - set(expected)}"
        assert calls["codedeploy.CreateDeployment"] == GROUPS, "exactly one follow-on deployment per group"
        total, least = sum(calls.values()), sum(expected.values())
        assert total <= math.floor(least * 1.1), f"{total} calls, floor {least}: {calls}"
        plans = json.loads(out.stdout)["plans"]
        assert all(sum(1 for s in p["steps"] if s["step"] == "adopt") == NEW for p in plans)
    finally:
        sim.stop()
