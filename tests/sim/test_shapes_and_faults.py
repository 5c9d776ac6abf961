"""Notification shapes, terminating hooks, configured keys, and the network faults."""

import json
import time

import botocore.exceptions
import pytest
from conftest import wait_for


def scenario(shape="direct", terminating=False, **settings):
    hooks = [{"name": "launch", "heartbeatTimeout": 300, "queue": "events", "metadata": "shop/prod"}]
    if terminating:
        hooks.append(
            {
                "name": "drain",
                "heartbeatTimeout": 300,
                "defaultResult": "CONTINUE",
                "queue": "events",
                "terminating": True,
            }
        )
    return {
        "name": "shapes",
        "settings": {"notificationShape": shape, **settings},
        "queues": ["events"],
        "groups": [{"name": "web", "min": 0, "max": 5, "desired": 1, "tags": {"app": "shop"}, "hooks": hooks}],
    }


def lifecycle_bodies(sim, want=1):
    sqs = sim.client("sqs")
    queue = sqs.get_queue_url(QueueName="events")["QueueUrl"]
    found = []

    def poll():
        found.extend(
            json.loads(m["Body"])
            for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        )
        return len(found) >= want

    wait_for(poll, 10, what="notifications")
    return found


@pytest.mark.parametrize("shape", ["direct", "sns", "eventbridge"])
def test_lifecycle_notifications_in_each_shape(sim, shape):
    assert sim.control("scenario", scenario(shape))[0] == 200
    sim.client("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=2)
    [body] = lifecycle_bodies(sim)
    if shape == "sns":
        assert body["Type"] == "Notification"
        body = json.loads(body["Message"])
    elif shape == "eventbridge":
        assert body["detail-type"] == "EC2 Instance-launch Lifecycle Action" and body["source"] == "aws.autoscaling"
        body = body["detail"]
    assert body["LifecycleHookName"] == "launch" and body["NotificationMetadata"] == "shop/prod"
    assert (
        body["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING" and len(body["LifecycleActionToken"]) == 36
    )


def test_terminating_hook_holds_the_instance_until_completed(sim):
    assert sim.control("scenario", scenario(terminating=True))[0] == 200
    asg = sim.client("autoscaling")
    [iid] = [i["InstanceId"] for i in asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]]
    asg.terminate_instance_in_auto_scaling_group(InstanceId=iid, ShouldDecrementDesiredCapacity=True)
    [note] = lifecycle_bodies(sim)
    assert note["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING" and note["EC2InstanceId"] == iid
    assert (
        asg.describe_auto_scaling_instances(InstanceIds=[iid])["AutoScalingInstances"][0]["LifecycleState"]
        == "Terminating:Wait"
    )
    asg.complete_lifecycle_action(
        AutoScalingGroupName="web", LifecycleHookName="drain", InstanceId=iid, LifecycleActionResult="CONTINUE"
    )
    state = sim.client("ec2").describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state == "terminated"


def test_keys_a_scenario_configures_are_accepted(sim):
    assert sim.control("scenario", scenario(credentials={"AKIATESTKEY000001": "test-secret"}))[0] == 200
    groups = sim.client("autoscaling", key="AKIATESTKEY000001", secret="test-secret").describe_auto_scaling_groups()[
        "AutoScalingGroups"
    ]
    assert [g["AutoScalingGroupName"] for g in groups] == ["web"]


def test_connection_resets_break_the_answer(sim):
    assert sim.control("faults", {"resetRate": 1.0})[0] == 200
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        sim.client("autoscaling").describe_auto_scaling_groups()


def test_latency_is_added_to_every_call(sim):
    assert sim.control("faults", {"latencyMs": 300})[0] == 200
    start = time.monotonic()
    sim.client("sqs").list_queues()
    assert time.monotonic() - start >= 0.3
