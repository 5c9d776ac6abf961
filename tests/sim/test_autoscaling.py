import json
import os
import time

import pytest
from botocore.exceptions import ClientError
from conftest import Sim, wait_for


def make_group(sim, name="web", desired=2, hook_timeout=None, default_result="ABANDON"):
    asg, sqs = sim.client("autoscaling"), sim.client("sqs")
    queue = sqs.create_queue(QueueName=f"{name}-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    asg.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=0,
        MaxSize=20,
        DesiredCapacity=desired,
        LaunchTemplate={"LaunchTemplateName": "tmpl"},
        AvailabilityZones=["us-east-1a"],
        Tags=[{"Key": "app", "Value": "shop", "PropagateAtLaunch": True}],
    )
    if hook_timeout:
        asg.put_lifecycle_hook(
            AutoScalingGroupName=name,
            LifecycleHookName="launch",
            LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
            HeartbeatTimeout=hook_timeout,
            DefaultResult=default_result,
            NotificationTargetARN=arn,
            RoleARN="arn:aws:iam::123456789012:role/notify",
        )
    return asg, sqs, queue


def states(asg, name):
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    return {i["InstanceId"]: i["LifecycleState"] for i in group["Instances"]}


def lifecycle_messages(sqs, queue, want, timeout=10):
    found = []

    def poll():
        for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(m["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
            if "LifecycleActionToken" in body:
                found.append(body)
        return len(found) >= want

    wait_for(poll, timeout, what=f"{want} lifecycle notifications")
    return found


def test_group_lifecycle_and_describe_shapes(sim):
    asg, _, _ = make_group(sim, desired=3)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 3 and group["MinSize"] == 0 and group["MaxSize"] == 20
    assert len(group["Instances"]) == 3 and all(i["LifecycleState"] == "InService" for i in group["Instances"])
    assert {"Key": "app", "Value": "shop"}.items() <= group["Tags"][0].items()
    ids = [i["InstanceId"] for i in group["Instances"]]
    details = asg.describe_auto_scaling_instances(InstanceIds=ids + ["i-0ffffffffffffffff"])["AutoScalingInstances"]
    assert sorted(d["InstanceId"] for d in details) == sorted(ids)
    activities = asg.describe_scaling_activities(AutoScalingGroupName="web")["Activities"]
    assert len(activities) == 3 and all(a["StatusCode"] == "Successful" for a in activities)
    with pytest.raises(ClientError) as e:
        asg.create_auto_scaling_group(
            AutoScalingGroupName="web", MinSize=0, MaxSize=1, LaunchTemplate={"LaunchTemplateName": "tmpl"}
        )
    assert e.value.response["Error"]["Code"] == "AlreadyExists"


def empty_group(asg, name, tags=None):
    """A group of no instances; `tags` propagate at launch except `tier`."""
    asg.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=0,
        MaxSize=1,
        DesiredCapacity=0,
        LaunchTemplate={"LaunchTemplateName": "tmpl"},
        Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": k != "tier"} for k, v in (tags or {}).items()],
    )


def test_describe_groups_paginates(sim):
    asg = sim.client("autoscaling")

    def listed():
        return list(asg.get_paginator("describe_auto_scaling_groups").paginate(PaginationConfig={"PageSize": 3}))

    for n in range(7):
        empty_group(asg, f"g{n}")
    assert [len(p["AutoScalingGroups"]) for p in listed()] == [3, 3, 1]
    # A group created after a listing is in the next one, in name order.
    empty_group(asg, "a-late")
    names = [g["AutoScalingGroupName"] for p in listed() for g in p["AutoScalingGroups"]]
    assert names == ["a-late"] + [f"g{n}" for n in range(7)]
    with pytest.raises(ClientError) as e:
        asg.describe_auto_scaling_groups(NextToken="not-a-token")
    assert e.value.response["Error"]["Code"] == "InvalidNextToken"


def test_describe_groups_filters_on_their_own_tags(sim):
    asg = sim.client("autoscaling")
    for name, tags in (("web", {"app": "shop", "tier": "web"}), ("api", {"app": "shop"}), ("cart", {"app": "cart"})):
        empty_group(asg, name, tags)

    def names(*filters, **extra):
        pages = asg.get_paginator("describe_auto_scaling_groups").paginate(
            Filters=[{"Name": n, "Values": v} for n, v in filters], PaginationConfig={"PageSize": 1}, **extra
        )
        return [g["AutoScalingGroupName"] for p in pages for g in p["AutoScalingGroups"]]

    # Any value of one filter, every filter; propagation plays no part; pages carry the filter.
    assert names(("tag:app", ["shop", "x"])) == ["api", "web"]
    assert names(("tag-key", ["tier"])) == ["web"]
    assert names(("tag-value", ["cart", "web"])) == ["cart", "web"]
    assert names(("tag:app", ["shop"]), ("tag-key", ["tier"])) == ["web"]
    assert names(("tag:app", ["shop"]), AutoScalingGroupNames=["api", "cart"]) == ["api"]
    assert names(("tag:app", ["none"])) == []
    with pytest.raises(ClientError) as e:
        names(("instance-type", ["t3.micro"]))
    assert e.value.response["Error"]["Code"] == "ValidationError"


def test_hook_sends_test_notification_then_pending_wait_continue_in_service(sim):
    asg, sqs, queue = make_group(sim, desired=1, hook_timeout=300)
    first = json.loads(sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2)["Messages"][0]["Body"])
    assert first["Event"] == "autoscaling:TEST_NOTIFICATION" and first["AutoScalingGroupName"] == "web"
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=2)
    [note] = lifecycle_messages(sqs, queue, 1)
    assert note["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING" and note["LifecycleHookName"] == "launch"
    new = note["EC2InstanceId"]
    assert states(asg, "web")[new] == "Pending:Wait"
    asg.complete_lifecycle_action(
        AutoScalingGroupName="web",
        LifecycleHookName="launch",
        LifecycleActionToken=note["LifecycleActionToken"],
        LifecycleActionResult="CONTINUE",
    )
    assert states(asg, "web")[new] == "InService"
    with pytest.raises(ClientError) as e:
        asg.complete_lifecycle_action(
            AutoScalingGroupName="web",
            LifecycleHookName="launch",
            LifecycleActionToken=note["LifecycleActionToken"],
            LifecycleActionResult="CONTINUE",
        )
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert (
        e.value.response["Error"]["Message"]
        == f"No active Lifecycle Action found with token {note['LifecycleActionToken']}"
    )


def test_abandon_by_instance_id_terminates_and_launches_a_replacement(sim):
    asg, sqs, queue = make_group(sim, desired=0, hook_timeout=300)
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=1)
    [note] = lifecycle_messages(sqs, queue, 1)
    doomed = note["EC2InstanceId"]
    asg.complete_lifecycle_action(
        AutoScalingGroupName="web", LifecycleHookName="launch", InstanceId=doomed, LifecycleActionResult="ABANDON"
    )
    now = states(asg, "web")
    assert doomed not in now and len(now) == 1 and list(now.values()) == ["Pending:Wait"]
    [replacement] = lifecycle_messages(sqs, queue, 1)
    assert replacement["EC2InstanceId"] != doomed
    instance = sim.client("ec2").describe_instances(InstanceIds=[doomed])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "terminated"
    with pytest.raises(ClientError) as e:
        asg.record_lifecycle_action_heartbeat(AutoScalingGroupName="web", LifecycleHookName="launch", InstanceId=doomed)
    assert e.value.response["Error"]["Message"] == f"No active Lifecycle Action found with instance ID {doomed}"


@pytest.mark.parametrize("scenario_sim", ["short-hooks.json"], indirect=True)
def test_heartbeat_extends_and_timeout_applies_default_result(scenario_sim):
    sim = scenario_sim
    asg, sqs = sim.client("autoscaling"), sim.client("sqs")
    queue = sqs.get_queue_url(QueueName="events")["QueueUrl"]
    asg.set_desired_capacity(AutoScalingGroupName="abandoning", DesiredCapacity=1)
    asg.set_desired_capacity(AutoScalingGroupName="continuing", DesiredCapacity=1)
    notes = {n["AutoScalingGroupName"]: n for n in lifecycle_messages(sqs, queue, 2)}
    kept = notes["abandoning"]["EC2InstanceId"]
    # Heartbeats every second keep a 2-second hook alive for 4 seconds.
    for _ in range(4):
        time.sleep(1)
        asg.record_lifecycle_action_heartbeat(
            AutoScalingGroupName="abandoning",
            LifecycleHookName="launch",
            LifecycleActionToken=notes["abandoning"]["LifecycleActionToken"],
        )
    assert states(asg, "abandoning").get(kept) == "Pending:Wait"
    # The other hook had no heartbeat: its DefaultResult (CONTINUE) applied.
    assert list(states(asg, "continuing").values()) == ["InService"]
    # Stop heartbeating: ABANDON applies, the instance goes and a replacement comes.
    wait_for(lambda: kept not in states(asg, "abandoning"), 6, what="the heartbeat timeout")
    [replacement] = states(asg, "abandoning")
    # The replacement's action began inside the timeout that abandoned `kept`: it times out too.
    wait_for(lambda: replacement not in states(asg, "abandoning"), 6, what="the replacement's heartbeat timeout")
    assert len(states(asg, "abandoning")) == 1


def test_detach_with_and_without_decrement_and_terminate_in_group(sim):
    asg, _, _ = make_group(sim, desired=3)
    ids = sorted(states(asg, "web"))
    asg.detach_instances(AutoScalingGroupName="web", InstanceIds=[ids[0]], ShouldDecrementDesiredCapacity=True)
    wait_for(lambda: ids[0] not in states(asg, "web"), 5, what="the detach to finish")
    assert len(states(asg, "web")) == 2
    asg.detach_instances(AutoScalingGroupName="web", InstanceIds=[ids[1]], ShouldDecrementDesiredCapacity=False)
    wait_for(lambda: ids[1] not in states(asg, "web") and len(states(asg, "web")) == 2, 5, what="a replacement")
    detached = sim.client("ec2").describe_instances(InstanceIds=[ids[0]])["Reservations"][0]["Instances"][0]
    assert detached["State"]["Name"] == "running"
    assert {"Key": "aws:autoscaling:groupName", "Value": "web"} in detached["Tags"]
    activity = asg.terminate_instance_in_auto_scaling_group(InstanceId=ids[2], ShouldDecrementDesiredCapacity=True)[
        "Activity"
    ]
    assert activity["Description"] == f"Terminating EC2 instance: {ids[2]}"
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 1 and ids[2] not in [i["InstanceId"] for i in group["Instances"]]


def test_hook_validation_matches_aws(sim):
    asg, _, _ = make_group(sim, desired=0)
    with pytest.raises(ClientError) as e:
        asg.put_lifecycle_hook(
            AutoScalingGroupName="web",
            LifecycleHookName="h",
            LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
            HeartbeatTimeout=10,
        )
    assert e.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as e:
        asg.describe_lifecycle_hooks(AutoScalingGroupName="missing")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    asg.put_lifecycle_hook(
        AutoScalingGroupName="web",
        LifecycleHookName="h",
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=60,
    )
    [hook] = asg.describe_lifecycle_hooks(AutoScalingGroupName="web")["LifecycleHooks"]
    assert hook["GlobalTimeout"] == 6000 and hook["DefaultResult"] == "ABANDON"
    asg.delete_lifecycle_hook(AutoScalingGroupName="web", LifecycleHookName="h")
    assert asg.describe_lifecycle_hooks(AutoScalingGroupName="web")["LifecycleHooks"] == []


def test_requests_move_the_world_when_its_ticker_stalls():
    # LIFELINE_SIM_TICKER=off stands for a ticker that stalled: the step at 1 s still runs, at the
    # first request after it is due, and the late tick is in the events.
    sim = Sim("scale-out-wave.json", environment=dict(os.environ, LIFELINE_SIM_TICKER="off"))
    try:
        time.sleep(1.5)
        events = sim.control("events")[1]
        assert any(e["kind"] == "capacity" and e["desired"] == "12" for e in events), events[-5:]
        assert any(e["kind"] == "tick-late" for e in events)
    finally:
        sim.stop()


def test_a_scenario_step_that_cannot_run_says_why_in_the_events():
    # A step naming a group the scenario does not have: the rest of the scenario runs, and the
    # events say which step failed and why (a world that did not turn out as written is explained).
    sim = Sim()
    try:
        scenario = {
            "name": "one bad step",
            "groups": [{"name": "web", "min": 0, "max": 3, "desired": 1}],
            "steps": [
                {"at": 0.1, "action": "scale", "group": "nope", "desired": 2},
                {"at": 0.1, "action": "scale", "group": "web", "desired": 2},
            ],
        }
        assert sim.control("scenario", scenario)[0] == 200
        wait_for(lambda: len(sim.state()["groups"][0]["instances"]) == 2, timeout=10)
        failed = [e for e in sim.control("events")[1] if e["kind"] == "step-failed"]
        assert [(e["action"], "nope" in e["problem"]) for e in failed] == [("scale", True)], failed
    finally:
        sim.stop()
