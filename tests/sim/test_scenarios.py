"""Every scenario in fixtures/scenarios loads, and shows the failure it is named for, without lifeline."""

import json
import os

import pytest
from conftest import ROOT, wait_for

SCENARIOS = sorted(f for f in os.listdir(os.path.join(ROOT, "fixtures", "scenarios")) if f.endswith(".json"))


@pytest.mark.parametrize("scenario_sim", SCENARIOS, indirect=True)
def test_every_scenario_builds_the_account_its_file_describes(scenario_sim, request):
    """Read back through the AWS APIs (boto3, retrying through a scenario's own faults): every group
    with its size, tags and hooks, every deployment group with its groups, tag filters and deployed
    revision, every queue."""
    sim = scenario_sim
    spec = json.load(open(os.path.join(ROOT, "fixtures", "scenarios", request.node.callspec.params["scenario_sim"])))
    autoscaling = sim.client("autoscaling", retries=20)
    for group in spec["groups"]:
        (found,) = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group["name"]])["AutoScalingGroups"]
        assert (found["MinSize"], found["MaxSize"]) == (group["min"], group["max"])
        assert {t["Key"]: t["Value"] for t in found["Tags"]} == group.get("tags", {})
        hooks = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=group["name"])["LifecycleHooks"]
        # CodeDeploy installs its own launch hook on every group a deployment group names.
        codedeploy_hooks = {
            h["LifecycleHookName"]: h["HeartbeatTimeout"]
            for h in hooks
            if h["LifecycleHookName"].startswith("CodeDeploy-managed-automatic-launch-deployment-hook-")
        }
        naming = [
            dg["name"] for dg in spec.get("deploymentGroups", []) if group["name"] in dg.get("autoScalingGroups", [])
        ]
        assert sorted(n.split("-hook-")[1].rsplit("-", 5)[0] for n in codedeploy_hooks) == sorted(naming)
        assert set(codedeploy_hooks.values()) <= {600}
        assert {
            h["LifecycleHookName"]: h["HeartbeatTimeout"]
            for h in hooks
            if h["LifecycleHookName"] not in codedeploy_hooks
        } == {h["name"]: h["heartbeatTimeout"] for h in group.get("hooks", [])}
    codedeploy = sim.client("codedeploy", retries=20)
    for wanted in spec.get("deploymentGroups", []):
        info = codedeploy.get_deployment_group(
            applicationName=wanted["application"], deploymentGroupName=wanted["name"]
        )["deploymentGroupInfo"]
        assert [g["name"] for g in info.get("autoScalingGroups", [])] == wanted.get("autoScalingGroups", [])
        assert [(f["Key"], f["Value"]) for f in info.get("ec2TagFilters", [])] == [
            (f["Key"], f["Value"]) for f in wanted.get("ec2TagFilters", [])
        ]
        last = codedeploy.get_deployment(deploymentId=info["lastSuccessfulDeployment"]["deploymentId"])
        assert (
            last["deploymentInfo"]["revision"]["s3Location"]["key"] == wanted["deployedRevision"]["s3Location"]["key"]
        )
    sqs = sim.client("sqs", retries=20)
    for queue in spec["queues"]:
        assert sqs.get_queue_url(QueueName=queue)["QueueUrl"].endswith("/" + queue)


def deployments(sim):
    return sim.state()["deployments"]


def test_the_required_scenarios_exist():
    for name in [
        "clean-scale-out",
        "broken-revision",
        "detach-race",
        "agent-hang",
        "scale-out-during-deployment",
        "throttling-storm",
    ]:
        assert f"{name}.json" in SCENARIOS


@pytest.mark.parametrize("scenario_sim", ["clean-scale-out.json"], indirect=True)
def test_clean_scale_out_leaves_two_instances_waiting_for_lifeline(scenario_sim):
    sim = scenario_sim
    waiting = wait_for(
        lambda: (
            [i for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait"] or None
        ),
        10,
        what="the scale-out",
    )
    wait_for(
        lambda: (
            len([i for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait"])
            == 2
        ),
        5,
        what="two waiting instances",
    )
    sqs = sim.client("sqs")
    queue = sqs.get_queue_url(QueueName="lifeline-events")["QueueUrl"]
    bodies = [
        json.loads(m["Body"])
        for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]
    ]
    assert {b["NotificationMetadata"] for b in bodies} == {"shop/prod"}
    assert waiting


@pytest.mark.parametrize("scenario_sim", ["broken-revision.json"], indirect=True)
def test_broken_revision_deadlocks_without_lifeline(scenario_sim):
    sim = scenario_sim
    # Every launch deployment fails, the instance is abandoned, and the group tries again.
    wait_for(
        lambda: len([d for d in deployments(sim) if d["creator"] == "autoscaling" and d["status"] == "Failed"]) >= 2,
        20,
        what="two failed launch deployments",
    )
    abandoned = [
        a
        for a in sim.client("autoscaling").describe_scaling_activities(AutoScalingGroupName="shop-prod")["Activities"]
        if "abandoned" in a["Cause"]
    ]
    assert len(abandoned) >= 2


@pytest.mark.parametrize("scenario_sim", ["detach-race.json"], indirect=True)
def test_detach_race_loops_on_the_ghost_without_lifeline(scenario_sim):
    sim = scenario_sim
    ghost = wait_for(lambda: next((i for i in sim.state()["instances"] if i["lingers"]), None), 10, what="the ghost")
    assert ghost["state"] == "terminated"
    # Each launch deployment targets the ghost, waits the agent timeout, fails, and the group relaunches.
    wait_for(
        lambda: (
            len(
                [
                    d
                    for d in deployments(sim)
                    if d["creator"] == "autoscaling" and ghost["id"] in d["targets"] and d["status"] == "Failed"
                ]
            )
            >= 2
        ),
        30,
        what="the loop to turn twice",
    )


@pytest.mark.parametrize("scenario_sim", ["agent-hang.json"], indirect=True)
def test_a_hanging_agent_holds_its_deployment(scenario_sim):
    sim = scenario_sim
    cd = sim.client("codedeploy")
    new = wait_for(
        lambda: next(
            (i["id"] for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait"),
            None,
        ),
        10,
        what="the launch",
    )
    deployment = cd.create_deployment(
        applicationName="shop",
        deploymentGroupName="prod",
        revision={
            "revisionType": "S3",
            "s3Location": {"bucket": "shop-artifacts", "key": "app-1.zip", "bundleType": "zip"},
        },
        updateOutdatedInstancesOnly=True,
    )["deploymentId"]
    import time

    time.sleep(3)  # three times the normal deployment time
    target = cd.batch_get_deployment_targets(deploymentId=deployment, targetIds=[new])["deploymentTargets"][0][
        "instanceTarget"
    ]
    assert target["status"] == "InProgress"
    assert cd.get_deployment(deploymentId=deployment)["deploymentInfo"]["status"] == "InProgress"


@pytest.mark.parametrize("scenario_sim", ["scale-out-during-deployment.json"], indirect=True)
def test_instances_arrive_while_a_release_runs(scenario_sim):
    sim = scenario_sim
    wait_for(
        lambda: (
            len([i for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait"])
            == 2
        ),
        10,
        what="two new instances",
    )
    active = [d for d in deployments(sim) if d["status"] == "InProgress"]
    assert len(active) == 1 and "app-2.zip" in active[0]["revision"]
    new = {i["id"] for g in sim.state()["groups"] for i in g["instances"] if i["lifecycleState"] == "Pending:Wait"}
    assert not new & set(active[0]["targets"]), "the running release does not cover the new instances"


@pytest.mark.parametrize("scenario_sim", ["throttling-storm.json"], indirect=True)
def test_the_storm_throttles_and_fails_some_calls(scenario_sim):
    from botocore.exceptions import ClientError

    asg = scenario_sim.client("autoscaling")
    codes = []
    for _ in range(20):
        try:
            asg.describe_auto_scaling_groups()
            codes.append("OK")
        except ClientError as e:
            codes.append(e.response["Error"]["Code"])
    assert 2 <= codes.count("Throttling") <= 14 and codes.count("OK") >= 5
