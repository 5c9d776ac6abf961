import json

import pytest
from botocore.exceptions import ClientError
from conftest import wait_for
from test_autoscaling import make_group, states

REV1 = {"revisionType": "S3", "s3Location": {"bucket": "shop-artifacts", "key": "app-1.zip", "bundleType": "zip"}}
REV2 = {"revisionType": "S3", "s3Location": {"bucket": "shop-artifacts", "key": "app-2.zip", "bundleType": "zip"}}


def make_app(sim, **group_args):
    cd = sim.client("codedeploy")
    cd.create_application(applicationName="shop", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="shop",
        deploymentGroupName="prod",
        serviceRoleArn="arn:aws:iam::123456789012:role/cd",
        **group_args,
    )
    return cd


def wait_done(cd, deployment_id, timeout=15):
    return wait_for(
        lambda: (
            (d := cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"])["status"]
            in ("Succeeded", "Failed", "Stopped")
            and d
        ),
        timeout,
        what="the deployment",
    )


def test_deployment_progresses_and_one_active_per_group(sim):
    asg, _, _ = make_group(sim, desired=2)
    cd = make_app(sim, ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}])
    first = cd.create_deployment(
        applicationName="shop", deploymentGroupName="prod", revision=REV1, description="lifeline:shop/prod:plan-1"
    )["deploymentId"]
    with pytest.raises(ClientError) as e:
        cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV1)
    assert e.value.response["Error"]["Code"] == "DeploymentLimitExceededException"
    assert first in e.value.response["Error"]["Message"]
    done = wait_done(cd, first)
    assert done["status"] == "Succeeded" and done["description"] == "lifeline:shop/prod:plan-1"
    assert done["deploymentOverview"]["Succeeded"] == 2
    targets = cd.list_deployment_targets(deploymentId=first)["targetIds"]
    assert sorted(targets) == sorted(states(asg, "web"))
    detail = cd.batch_get_deployment_targets(deploymentId=first, targetIds=targets)["deploymentTargets"]
    assert all(
        t["instanceTarget"]["status"] == "Succeeded" and len(t["instanceTarget"]["lifecycleEvents"]) == 7
        for t in detail
    )
    info = cd.get_deployment_group(applicationName="shop", deploymentGroupName="prod")["deploymentGroupInfo"]
    assert info["lastSuccessfulDeployment"]["deploymentId"] == first and info["targetRevision"] == REV1
    assert (
        cd.batch_get_deployment_groups(applicationName="shop", deploymentGroupNames=["prod", "nope"])[
            "deploymentGroupsInfo"
        ][0]["deploymentGroupName"]
        == "prod"
    )
    assert cd.list_deployments(applicationName="shop", deploymentGroupName="prod", includeOnlyStatuses=["Succeeded"])[
        "deployments"
    ] == [first]
    assert cd.list_applications()["applications"] == ["shop"] and cd.list_deployment_groups(applicationName="shop")[
        "deploymentGroups"
    ] == ["prod"]


def test_outdated_only_deploys_to_new_instances(sim):
    asg, _, _ = make_group(sim, desired=2)
    cd = make_app(sim, ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}])
    wait_done(
        cd, cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV1)["deploymentId"]
    )
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=3)
    old = set(states(asg, "web"))
    follow_on = cd.create_deployment(
        applicationName="shop", deploymentGroupName="prod", revision=REV1, updateOutdatedInstancesOnly=True
    )["deploymentId"]
    targets = cd.list_deployment_targets(deploymentId=follow_on)["targetIds"]
    assert len(targets) == 1 and wait_done(cd, follow_on)["updateOutdatedInstancesOnly"] is True
    assert targets[0] in old  # the newest instance, the only one not on REV1


def test_a_content_revision_is_the_same_revision_whatever_its_key_order(sim):
    """An AppSpec content revision has no location: the simulator keys it by its JSON with sorted keys,
    so a follow-on with the same content targets only the instance not on it, however it is spelled."""
    asg, _, _ = make_group(sim, desired=2)
    cd = make_app(sim, ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}])
    content = {"sha256": "ab" * 32, "content": "version: 0.0\nos: linux\n"}
    first = {"revisionType": "AppSpecContent", "appSpecContent": content}
    wait_done(
        cd, cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=first)["deploymentId"]
    )
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=3)
    again = {"appSpecContent": dict(reversed(list(content.items()))), "revisionType": "AppSpecContent"}
    follow_on = cd.create_deployment(
        applicationName="shop", deploymentGroupName="prod", revision=again, updateOutdatedInstancesOnly=True
    )["deploymentId"]
    assert len(cd.list_deployment_targets(deploymentId=follow_on)["targetIds"]) == 1
    keys = [d["revision"] for d in sim.state()["deployments"]]
    assert keys[0] == keys[1] == "content:" + json.dumps(first, sort_keys=True, separators=(",", ":"))


def test_failing_revision_fails_at_its_event(sim):
    status, body = sim.control(
        "scenario",
        {
            "name": "fails-at-after-install",
            "settings": {"deploymentSeconds": 1, "failingRevisions": {"app-2.zip": "AfterInstall"}},
            "groups": [{"name": "web", "min": 1, "max": 4, "desired": 2, "tags": {"app": "shop"}}],
            "deploymentGroups": [
                {
                    "application": "shop",
                    "name": "prod",
                    "ec2TagFilters": [{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}],
                    "deployedRevision": REV1,
                }
            ],
        },
    )
    assert (status, body) == (200, {"ok": True})
    cd = sim.client("codedeploy")
    deployment = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV2)["deploymentId"]
    done = wait_done(cd, deployment)
    assert done["status"] == "Failed" and done["errorInformation"]["code"] == "HEALTH_CONSTRAINTS"
    target = cd.batch_get_deployment_targets(
        deploymentId=deployment, targetIds=cd.list_deployment_targets(deploymentId=deployment)["targetIds"][:1]
    )["deploymentTargets"][0]
    events = {e["lifecycleEventName"]: e["status"] for e in target["instanceTarget"]["lifecycleEvents"]}
    assert (
        events["AfterInstall"] == "Failed"
        and events["ApplicationStart"] == "Skipped"
        and events["Install"] == "Succeeded"
    )
    # One at a time: the second instance is skipped once the first fails.
    statuses = sorted(
        t["instanceTarget"]["status"]
        for t in cd.batch_get_deployment_targets(
            deploymentId=deployment, targetIds=cd.list_deployment_targets(deploymentId=deployment)["targetIds"]
        )["deploymentTargets"]
    )
    assert statuses == ["Failed", "Skipped"]
    info = cd.get_deployment_group(applicationName="shop", deploymentGroupName="prod")["deploymentGroupInfo"]
    assert info["lastAttemptedDeployment"]["deploymentId"] == deployment
    assert info["lastSuccessfulDeployment"]["deploymentId"] != deployment


def test_stop_deployment(sim):
    make_group(sim, desired=1)
    sim.control("hang-next-launches", {"group": "web"})
    cd = make_app(sim, ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}])
    deployment = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV1)["deploymentId"]
    assert cd.stop_deployment(deploymentId=deployment)["status"] == "Succeeded"
    assert cd.get_deployment(deploymentId=deployment)["deploymentInfo"]["status"] == "Stopped"
    with pytest.raises(ClientError) as e:
        cd.stop_deployment(deploymentId=deployment)
    assert e.value.response["Error"]["Code"] == "DeploymentAlreadyCompletedException"


def test_matching_tag_filters_tag_sets_and_a_detached_instance(sim):
    asg, _, _ = make_group(sim, desired=2)
    ec2 = sim.client("ec2")
    ids = sorted(states(asg, "web"))
    ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": "env", "Value": "prod"}])
    cd = make_app(
        sim,
        ec2TagSet={
            "ec2TagSetList": [
                [{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}],
                [{"Key": "env", "Type": "KEY_ONLY"}],
            ]
        },
    )
    deployment = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV1)["deploymentId"]
    assert cd.list_deployment_targets(deploymentId=deployment)["targetIds"] == [
        ids[0]
    ]  # AND across the tag set's groups
    wait_done(cd, deployment)
    # Detached but still tagged: still matched.
    asg.detach_instances(AutoScalingGroupName="web", InstanceIds=[ids[0]], ShouldDecrementDesiredCapacity=True)
    wait_for(lambda: ids[0] not in states(asg, "web"), 5, what="the detach")
    again = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV2)["deploymentId"]
    assert cd.list_deployment_targets(deploymentId=again)["targetIds"] == [ids[0]]


def test_an_instance_tagged_after_a_deployment_is_matched_by_the_next(sim):
    """The match set follows EC2 tags as they change (the simulator indexes them)."""
    asg, _, _ = make_group(sim, desired=2)
    ids = sorted(states(asg, "web"))
    cd = make_app(sim, ec2TagFilters=[{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}])
    first = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV1)["deploymentId"]
    assert cd.list_deployment_targets(deploymentId=first)["targetIds"] == []
    wait_done(cd, first)
    sim.client("ec2").create_tags(Resources=[ids[1]], Tags=[{"Key": "env", "Value": "prod"}])
    again = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV2)["deploymentId"]
    assert cd.list_deployment_targets(deploymentId=again)["targetIds"] == [ids[1]]


def test_a_terminated_instance_still_matches_after_a_detach_race(sim):
    """Seed 004: terminated while its detach was in flight, the instance lingers in the matches."""
    asg, _, _ = make_group(sim, desired=2)
    cd = make_app(sim, ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}])
    wait_done(
        cd, cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV1)["deploymentId"]
    )
    ghost = sorted(states(asg, "web"))[0]
    assert sim.control("detach-race", {"instance": ghost, "decrement": False}) == (200, {"ok": True})
    assert (
        sim.client("ec2").describe_instances(InstanceIds=[ghost])["Reservations"][0]["Instances"][0]["State"]["Name"]
        == "terminated"
    )
    deployment = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV2)["deploymentId"]
    assert ghost in cd.list_deployment_targets(deploymentId=deployment)["targetIds"]
    # The ghost never answers: the deployment waits on it.
    wait_for(
        lambda: (
            {
                t["instanceTarget"]["targetId"]: t["instanceTarget"]["status"]
                for t in cd.batch_get_deployment_targets(
                    deploymentId=deployment, targetIds=cd.list_deployment_targets(deploymentId=deployment)["targetIds"]
                )["deploymentTargets"]
            }.get(ghost)
            == "InProgress"
        ),
        5,
        what="the ghost target",
    )
    assert cd.get_deployment(deploymentId=deployment)["deploymentInfo"]["status"] == "InProgress"
