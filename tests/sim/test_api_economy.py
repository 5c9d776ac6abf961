"""API economy (issue 5): one reconcile pass over 100 groups with 10 new instances each makes no more
calls than the APIs' page and batch limits require, +10 %. Call counts are deterministic, so they
are asserted; wall-clock time is not (that lives in the benchmark)."""
import json
import math

from conftest import Sim, wait_for
from lifeline_proc import ROLE, run

GROUPS, NEW = 100, 10


def fleet_scenario():
    groups, deployment_groups = [], []
    for n in range(GROUPS):
        groups.append({"name": f"asg-{n:03}", "min": 0, "max": 20, "desired": 0, "tags": {"app": f"g{n:03}"},
                       "hooks": [{"name": f"lifeline-launch-dg{n:03}", "heartbeatTimeout": 300, "defaultResult": "ABANDON",
                                  "queue": "lifeline-events", "metadata": f"fleet/dg{n:03}"}]})
        deployment_groups.append({"application": "fleet", "name": f"dg{n:03}",
                                  "ec2TagFilters": [{"Key": "app", "Value": f"g{n:03}", "Type": "KEY_AND_VALUE"}],
                                  "deployedRevision": {"revisionType": "S3", "s3Location": {"bucket": "b", "key": f"g{n:03}-1.zip", "bundleType": "zip"}}})
    steps = [{"at": 0.2, "action": "scale", "group": f"asg-{n:03}", "desired": NEW} for n in range(GROUPS)]
    return {"name": "fleet", "settings": {"deploymentSeconds": 30}, "queues": ["lifeline-events"], "groups": groups,
            "deploymentGroups": deployment_groups, "steps": steps}


def floor():
    """The fewest calls one pass can make to see every group, every waiting instance, and act once per group."""
    waiting = GROUPS * NEW
    return {
        "codedeploy.BatchGetDeploymentGroups": math.ceil(GROUPS / 100),   # 100 names per call, one application
        "autoscaling.DescribeAutoScalingGroups": math.ceil(GROUPS / 100),  # 100 groups per page, instances included
        "autoscaling.DescribeLifecycleHooks": GROUPS,                      # no batch form: one call per group
        "sqs.GetQueueAttributes": 1,                                       # the queue's ARN, for the hooks' target
        "ec2.DescribeInstances": math.ceil(waiting / 200),                 # launch times: 200 instance-id filter values per call
        "codedeploy.BatchGetDeployments": math.ceil(GROUPS / 25),          # each group's last successful revision, 25 per call
        "codedeploy.CreateDeployment": GROUPS,                             # one follow-on deployment per group
    }


def test_one_pass_over_100_groups_with_10_new_instances_each_stays_within_10_percent_of_the_floor(tmp_path):
    scenario = tmp_path / "fleet.json"
    scenario.write_text(json.dumps(fleet_scenario()))
    sim = Sim()
    try:
        status, body = sim.control("scenario", json.loads(scenario.read_text()))
        assert status == 200, body
        wait_for(lambda: sum(1 for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait") == GROUPS * NEW,
                 20, what="1,000 waiting instances")
        queue = sim.client("sqs").get_queue_url(QueueName="lifeline-events")["QueueUrl"]
        config = tmp_path / "lifeline.yaml"
        config.write_text(f"queue_url: {queue}\ngroups:\n" + "".join(
            f"  - {{application: fleet, deployment_group: dg{n:03}, hook: {{heartbeat_timeout: 300s, role_arn: {ROLE}}}}}\n" for n in range(GROUPS)))
        sim.control("calls/reset", {})
        out = run("reconcile", "--config", str(config), "--endpoint-url", sim.url, "--db", str(tmp_path / "l.db"), "--output", "json", timeout=120)
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
