"""API economy (issue 5, issue 15): one reconcile pass over 100 groups with 10 new instances each
makes no more calls than the APIs' page and batch limits require, +10 %; a warm pass (hooks
verified within the drift-check interval) reads no hooks; idle serve over settled groups reads
two pages per resync, whatever the number of groups. Call counts are deterministic, so they are
asserted; wall-clock time is not (that lives in the benchmark)."""

import json
import math
import os
import sys

from conftest import ROOT, Sim, wait_for
from lifeline_proc import Serve, completions, run

sys.path.insert(0, os.path.join(ROOT, "scripts", "testing"))
import fleet  # noqa: E402

GROUPS, NEW = 100, 10


def floor():
    return fleet.floor(GROUPS, waiting=GROUPS * NEW)


def fleet_sim(tmp_path, new=NEW, groups=GROUPS, headroom=0, deployment_seconds=30):
    """A simulator holding `groups` groups, each with `new` instances waiting (and room for `headroom`
    more); and lifeline's config for it."""
    sim = Sim()
    scenario = fleet.scenario(
        groups, in_service=0 if new else 10, new=new, headroom=headroom, deployment_seconds=deployment_seconds
    )
    status, body = sim.control("scenario", scenario)
    assert status == 200, body
    wait_for(
        lambda: (
            sum(1 for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait")
            == groups * new
        ),
        20,
        what=f"{groups * new} waiting instances",
    )
    queue = sim.client("sqs").get_queue_url(QueueName="lifeline-events")["QueueUrl"]
    config = tmp_path / "lifeline.yaml"
    config.write_text(fleet.config(queue, groups))
    return sim, config


def reconcile(sim, config, db, *args):
    sim.control("calls/reset", {})
    out = run(
        "reconcile",
        "--config",
        str(config),
        "--endpoint-url",
        sim.url,
        "--db",
        str(db),
        "--output",
        "json",
        *args,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr[-2000:]
    return out, sim.control("calls")[1]


def test_one_pass_over_100_groups_with_10_new_instances_each_stays_within_10_percent_of_the_floor(tmp_path):
    sim, config = fleet_sim(tmp_path)
    try:
        out, calls = reconcile(sim, config, tmp_path / "l.db")
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


def test_a_warm_pass_reads_no_hooks_the_journal_verified_within_the_interval(tmp_path):
    sim, config = fleet_sim(tmp_path)
    try:
        db = tmp_path / "l.db"
        _, verifying = reconcile(sim, config, db, "--dry-run")
        assert verifying["autoscaling.DescribeLifecycleHooks"] == GROUPS
        assert "codedeploy.CreateDeployment" not in verifying
        _, calls = reconcile(sim, config, db)
        assert "autoscaling.DescribeLifecycleHooks" not in calls, calls
        assert calls["codedeploy.CreateDeployment"] == GROUPS
        least = sum(v for k, v in floor().items() if k != "autoscaling.DescribeLifecycleHooks")
        assert sum(calls.values()) <= math.floor(least * 1.1), f"{sum(calls.values())} calls, floor {least}: {calls}"
    finally:
        sim.stop()


def test_one_group_of_250_reads_its_auto_scaling_group_not_every_page(tmp_path):
    """`reconcile --group` for one tag-selected deployment group: one DescribeAutoScalingGroups
    filtered on its tag, where reading every group would take three pages."""
    groups = 250
    sim, config = fleet_sim(tmp_path, new=1, groups=groups)
    try:
        _, app, dg, _ = fleet.names(7, groups, 1)
        out, calls = reconcile(sim, config, tmp_path / "l.db", "--group", f"{app}/{dg}")
        assert calls["autoscaling.DescribeAutoScalingGroups"] == 1, calls
        assert calls["codedeploy.CreateDeployment"] == 1, calls
        assert calls["autoscaling.DescribeLifecycleHooks"] == 1, calls
        (plan,) = json.loads(out.stdout)["plans"]
        assert [s["step"] for s in plan["steps"]].count("adopt") == 1, plan
    finally:
        sim.stop()


def test_idle_serve_over_settled_groups_reads_two_pages_per_resync(tmp_path):
    sim, config = fleet_sim(tmp_path, new=0)
    config.write_text(config.read_text() + "resync_interval: 2s\n")
    serve = Serve(sim, str(config), str(tmp_path / "l.db"), str(tmp_path / "serve.log"))
    try:
        wait_for(lambda: sim.control("calls")[1].get("autoscaling.DescribeLifecycleHooks", 0) >= GROUPS, 30)
        wait_for(lambda: sim.control("calls")[1].get("codedeploy.BatchGetDeploymentGroups", 0) >= 2, 30)
        sim.control("calls/reset", {})
        wait_for(
            lambda: sim.control("calls")[1].get("codedeploy.BatchGetDeploymentGroups", 0) >= 3, 30, what="3 resyncs"
        )
        calls = sim.control("calls")[1]
        resyncs = calls["codedeploy.BatchGetDeploymentGroups"]
        idle = {k: v for k, v in calls.items() if k not in ("sqs.ReceiveMessage",)}
        # Each resync: one BatchGetDeploymentGroups (100 names) and one page of DescribeAutoScalingGroups.
        assert set(idle) == {"codedeploy.BatchGetDeploymentGroups", "autoscaling.DescribeAutoScalingGroups"}, calls
        assert abs(idle["autoscaling.DescribeAutoScalingGroups"] - resyncs) <= 1, calls
    finally:
        serve.stop()
        sim.stop()


def test_serve_polls_a_deploying_group_without_reading_every_auto_scaling_group(tmp_path):
    """One group of 250 settled ones scales out by one: each pass over it while its deployment runs
    (the message's, then every poll) reads its own Auto Scaling group with one filtered call, not
    the three pages of every group. Counted between the scale-out and the completion, with the
    resync an hour away: one DescribeAutoScalingGroups per BatchGetDeploymentGroups (each pass
    reads its deployment group once), however many polls the deployment took."""
    groups = 250
    sim, config = fleet_sim(tmp_path, new=0, groups=groups, headroom=1, deployment_seconds=6)
    config.write_text(config.read_text() + "resync_interval: 1h\npoll_interval: 2s\n")
    serve = Serve(sim, str(config), str(tmp_path / "l.db"), str(tmp_path / "serve.log"))
    try:
        wait_for(lambda: sim.control("calls")[1].get("autoscaling.DescribeLifecycleHooks", 0) >= groups, 60)
        # The first pass is over when its last group's bookkeeping is logged.
        _, app, last, _ = fleet.names(groups - 1, groups, 1)
        wait_for(lambda: f"group={app}/{last} " in serve.output(), 30, what="the first pass over every group")
        sim.control("calls/reset", {})
        asg, _, _, _ = fleet.names(7, groups, 1)
        sim.control("scale", {"group": asg, "desired": 11})
        wait_for(lambda: any(c["group"] == asg for c in completions(sim)), 60, what=f"{asg}'s action completed")
        calls = sim.control("calls")[1]
        passes = calls["codedeploy.BatchGetDeploymentGroups"]
        assert passes >= 2, calls  # the message's pass and at least one poll
        assert calls["autoscaling.DescribeAutoScalingGroups"] == passes, calls
        assert calls["codedeploy.CreateDeployment"] == 1, calls
        assert "autoscaling.DescribeLifecycleHooks" not in calls, calls
        assert [c["result"] for c in completions(sim) if c["group"] == asg] == ["CONTINUE"]
    finally:
        serve.stop()
        sim.stop()
