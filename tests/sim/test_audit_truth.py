"""`lifeline audit` tells the truth about a deployment group's matches, before they bite: a ghost made
by hand with boto3 is reported before any deployment, a user's release is read from CodeDeploy, and
the re-key remedy for a tag-set group, run by the AWS CLI, stops the ghost from matching."""

import json
import shlex

import pytest
from conftest import Sim, wait_for
from lifeline_proc import run, wait_settled
from test_autoscaling import make_group, states
from test_codedeploy import make_app, wait_done

APP_TAG = {"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}
REV2 = {"revisionType": "S3", "s3Location": {"bucket": "shop-artifacts", "key": "app-2.zip", "bundleType": "zip"}}


def audit(sim, db, *args):
    out = run("audit", "--group", "shop/prod", "--db", db, "--endpoint-url", sim.url, "--format", "json", *args)
    assert out.returncode in (0, 3), out.stderr
    report = json.loads(out.stdout)
    return out.returncode, report["groups"][0]


def in_service(asg, name, count):
    return wait_for(
        lambda: (ids := [i for i, s in states(asg, name).items() if s == "InService"]) and len(ids) == count and ids,
        15,
        what=f"{count} InService in {name}",
    )


def make_ghost(sim, asg, name="shop-prod"):
    """Seed 004 by hand: detach an instance (it keeps its tags), then terminate it."""
    ghost = sorted(in_service(asg, name, 3))[0]
    asg.detach_instances(AutoScalingGroupName=name, InstanceIds=[ghost], ShouldDecrementDesiredCapacity=True)
    wait_for(lambda: ghost not in states(asg, name), 10, what="the detach")
    sim.client("ec2").terminate_instances(InstanceIds=[ghost])
    return ghost


@pytest.fixture
def bare():
    sim = Sim()
    yield sim
    sim.stop()


def test_a_ghost_made_by_hand_is_reported_stale_before_any_deployment(bare, tmp_path):
    sim = bare
    asg, _, _ = make_group(sim, name="shop-prod", desired=3)
    cd = make_app(sim, ec2TagFilters=[APP_TAG])
    ghost = make_ghost(sim, asg)
    assert cd.list_deployments(applicationName="shop", deploymentGroupName="prod")["deployments"] == []

    code, group = audit(sim, str(tmp_path / "l.db"))
    assert code == 3
    entry = next(m for m in group["matches"] if m["instanceID"] == ghost)
    assert (entry["class"], entry["risk"]) == ("stale", "risky"), entry
    assert "the next one may target it" in entry["why"]
    assert [f["subject"] for f in group["findings"] if f["kind"] == "stale"] == [ghost]
    assert [m["class"] for m in group["matches"] if m["instanceID"] != ghost] == ["healthy", "healthy"]


@pytest.mark.parametrize("world", ["clean-scale-out.json"], indirect=True)
def test_after_a_users_release_succeeds_everywhere_nothing_is_outdated(world):
    sim, serve, _ = world
    lifeline = serve()
    wait_settled(sim, 4, timeout=30)
    assert lifeline.stop() == 0  # the journal now records lifeline's own deployment of app-1 to two instances
    cd = sim.client("codedeploy")
    release = cd.create_deployment(applicationName="shop", deploymentGroupName="prod", revision=REV2)["deploymentId"]
    assert wait_done(cd, release)["status"] == "Succeeded"

    code, group = audit(sim, lifeline.db)
    assert code == 0, group["findings"]
    assert len(group["matches"]) == 4
    assert {m["class"] for m in group["matches"]} == {"healthy"}, group["matches"]
    assert all(f"app-2.zip (zip) ({release})" in m["why"] for m in group["matches"]), group["matches"]


def test_the_remedy_for_a_tag_set_group_run_by_the_aws_cli_stops_the_ghost_matching(bare, tmp_path):
    sim = bare
    asg, _, _ = make_group(sim, name="shop-prod", desired=3)
    # A second group carries app=shop without PropagateAtLaunch: its instances lack the tag.
    asg.create_auto_scaling_group(
        AutoScalingGroupName="shop-batch",
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateName": "tmpl"},
        AvailabilityZones=["us-east-1a"],
        Tags=[{"Key": "app", "Value": "shop", "PropagateAtLaunch": False}],
    )
    batch = in_service(asg, "shop-batch", 1)
    make_app(sim, ec2TagSet={"ec2TagSetList": [[APP_TAG]]})
    ghost = make_ghost(sim, asg)
    db = str(tmp_path / "l.db")

    code, group = audit(sim, db)
    assert code == 3
    assert batch[0] not in [m["instanceID"] for m in group["matches"]], "a tag that does not propagate matches nothing"
    finding = next(f for f in group["findings"] if f["kind"] == "stale" and f["subject"] == ghost)
    assert "--ec2-tag-set" in finding["remedy"][-1] and "--ec2-tag-filters" not in finding["remedy"][-1]
    for command in finding["remedy"]:
        words = shlex.split(command)
        assert words[0] == "aws"
        sim.cli(*words[1:])

    info = sim.client("codedeploy").get_deployment_group(applicationName="shop", deploymentGroupName="prod")
    assert len(info["deploymentGroupInfo"]["ec2TagSet"]["ec2TagSetList"]) == 2, "the user's tag group is kept"
    code, group = audit(sim, db)
    assert code == 0, group["findings"]
    assert ghost not in [m["instanceID"] for m in group["matches"]]
    assert len(group["matches"]) == 2

    # The new tag propagates: an instance launched now is matched too.
    asg.set_desired_capacity(AutoScalingGroupName="shop-prod", DesiredCapacity=3)
    in_service(asg, "shop-prod", 3)
    code, group = audit(sim, db)
    assert code == 0 and len(group["matches"]) == 3, group
