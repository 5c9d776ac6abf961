"""The terminating hook (DESIGN §2, `terminating_hook: true`): an instance that scales in while a
deployment to it runs is held, heartbeated, and continued once the deployment on it has ended;
with nothing in flight to it, it goes at once."""

from datetime import datetime

import pytest
from conftest import wait_for
from lifeline_proc import events, instances

REV2 = {"revisionType": "S3", "s3Location": {"bucket": "shop-artifacts", "key": "app-2.zip", "bundleType": "zip"}}


def at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def terminations(sim):
    return [e for e in events(sim, "lifecycle-complete") if e["hook"] == "lifeline-terminate-prod"]


@pytest.mark.parametrize("world", ["scale-in-during-deployment.json"], indirect=True)
def test_an_instance_scaling_in_during_its_deployment_terminates_only_after_it(world):
    sim, serve, _ = world
    lifeline = serve(heartbeat="4s", extra="    terminating_hook: true")
    asg, cd = sim.client("autoscaling"), sim.client("codedeploy")
    wait_for(
        lambda: any(
            h["LifecycleHookName"] == "lifeline-terminate-prod"
            and h["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
            and h["DefaultResult"] == "CONTINUE"
            for h in asg.describe_lifecycle_hooks(AutoScalingGroupName="shop-prod")["LifecycleHooks"]
        ),
        20,
        what="lifeline's terminating hook",
    )
    release = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV2)["deploymentId"]
    # The newest instance leaves first; its target is still Pending or InProgress.
    victim = max(instances(sim), key=lambda i: i["id"])["id"]
    asg.set_desired_capacity(AutoScalingGroupName="shop-prod", DesiredCapacity=2)
    wait_for(lambda: terminations(sim), 60, interval=0.25, what="the scaling-in instance to be continued")

    done = terminations(sim)
    assert [(e["instance"], e["result"]) for e in done] == [(victim, "CONTINUE")]
    assert done[0]["why"] == "CompleteLifecycleAction", "lifeline continued it, not the hook's timeout"
    target = cd.batch_get_deployment_targets(deploymentId=release, targetIds=[victim])["deploymentTargets"][0]
    target = target["instanceTarget"]
    assert target["status"] == "Succeeded", "the deployment ran to the end on the instance"
    ended = max(e["endTime"] for e in target["lifecycleEvents"])
    assert at(done[0]["time"]) >= ended, "it terminated only after the deployment on it had ended"
    heartbeats = [e for e in events(sim, "lifecycle-attempt") if e.get("operation") == "RecordLifecycleActionHeartbeat"]
    assert any(e["instance"] == victim for e in heartbeats), "its 4 s hook was kept alive meanwhile"
    wait_for(
        lambda: cd.get_deployment(deploymentId=release)["deploymentInfo"]["status"] == "Succeeded",
        40,
        what="the release to succeed",
    )

    # With nothing in flight, the next instance to leave is continued at once.
    asg.set_desired_capacity(AutoScalingGroupName="shop-prod", DesiredCapacity=1)
    wait_for(lambda: len(terminations(sim)) == 2, 15, interval=0.25, what="the second scale-in continued")
    second = terminations(sim)[1]
    assert second["result"] == "CONTINUE" and second["why"] == "CompleteLifecycleAction"
    assert lifeline.stop() == 0
    assert "no deployment is in flight to it" in lifeline.output()
