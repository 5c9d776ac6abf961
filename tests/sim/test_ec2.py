import pytest
from botocore.exceptions import ClientError
from test_autoscaling import make_group, states


def test_describe_by_id_filter_and_pages(sim):
    asg, _, _ = make_group(sim, desired=7)
    ec2 = sim.client("ec2")
    ids = sorted(states(asg, "web"))
    with pytest.raises(ClientError) as e:
        ec2.describe_instances(InstanceIds=[ids[0], "i-0123456789abcdef0"])
    assert e.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
    # The instance-id filter does not fail on an unknown id: why lifeline uses it.
    found = ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [ids[0], "i-0123456789abcdef0"]}])
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [ids[0]]
    by_tag = ec2.describe_instances(
        Filters=[{"Name": "tag:app", "Values": ["shop"]}, {"Name": "instance-state-name", "Values": ["running"]}]
    )
    assert sorted(i["InstanceId"] for r in by_tag["Reservations"] for i in r["Instances"]) == ids
    pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert [sum(len(r["Instances"]) for r in p["Reservations"]) for p in pages] == [5, 2]


def test_tags_and_termination_stay_visible(sim):
    asg, _, _ = make_group(sim, desired=1)
    ec2 = sim.client("ec2")
    [iid] = states(asg, "web")
    ec2.create_tags(Resources=[iid], Tags=[{"Key": "release", "Value": "42"}])
    ec2.delete_tags(Resources=[iid], Tags=[{"Key": "app"}])
    tags = {
        t["Key"]: t["Value"]
        for t in ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["Tags"]
    }
    assert tags == {"release": "42", "aws:autoscaling:groupName": "web"}
    change = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert change["PreviousState"]["Name"] == "running" and change["CurrentState"]["Name"] == "shutting-down"
    gone = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert gone["State"]["Name"] == "terminated"
    # The group replaces what EC2 terminated.
    assert len(states(asg, "web")) == 1 and iid not in states(asg, "web")
