"""Signatures, the clock window, faults, the control API, and the AWS CLI."""

import pytest
from botocore.exceptions import ClientError
from test_autoscaling import make_group


@pytest.mark.parametrize(
    "service,call,code",
    [
        ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "SignatureDoesNotMatch"),
        ("ec2", lambda c: c.describe_instances(), "AuthFailure"),
        ("codedeploy", lambda c: c.list_applications(), "InvalidSignatureException"),
        ("sqs", lambda c: c.list_queues(), "SignatureDoesNotMatch"),
    ],
)
def test_a_wrong_secret_is_refused_as_aws_does(sim, service, call, code):
    with pytest.raises(ClientError) as e:
        call(sim.client(service, secret="wrong"))
    assert e.value.response["Error"]["Code"].endswith(code)


def test_an_unknown_key_is_refused(sim):
    with pytest.raises(ClientError) as e:
        sim.client("autoscaling", key="AKIAUNKNOWN").describe_auto_scaling_groups()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_a_request_outside_the_five_minute_window_is_refused_with_the_server_date(sim):
    assert sim.control("faults", {"clockSkewSeconds": 1200})[0] == 200
    with pytest.raises(ClientError) as e:
        sim.client("ec2").describe_instances()
    assert e.value.response["Error"]["Code"] == "RequestExpired"
    with pytest.raises(ClientError) as e:
        sim.client("autoscaling").describe_auto_scaling_groups()
    assert (
        e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        and "Signature expired" in e.value.response["Error"]["Message"]
    )
    import datetime
    from email.utils import parsedate_to_datetime

    server = parsedate_to_datetime(e.value.response["ResponseMetadata"]["HTTPHeaders"]["date"])
    skew = (server - datetime.datetime.now(datetime.UTC)).total_seconds()
    assert 1100 < skew < 1300


def test_throttling_faults_are_retried_by_the_sdk_and_counted(sim):
    asg = sim.client("autoscaling", retries=3)
    assert sim.control("faults", {"throttleRateByOperation": {"DescribeAutoScalingGroups": 1.0}})[0] == 200
    with pytest.raises(ClientError) as e:
        asg.describe_auto_scaling_groups()
    assert e.value.response["Error"]["Code"] == "Throttling"
    assert sim.control("calls")[1]["autoscaling.DescribeAutoScalingGroups"] == 3
    sim.control("faults", {"serverErrorRate": 1.0})
    with pytest.raises(ClientError) as e:
        sim.client("codedeploy").list_applications()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_control_api_names_the_bad_field(sim):
    status, body = sim.control("scale", {"group": "nope", "desired": 2})
    assert status == 400 and "group" in body["error"]
    status, body = sim.control("faults", {"serverErrorRate": 2})
    assert status == 400 and "serverErrorRate" in body["error"]
    status, body = sim.control("scenario", {"groups": [{"name": "g", "min": 3, "max": 1}]})
    assert status == 400 and "groups[0].desired" in body["error"]
    status, body = sim.control("scenario", {"groups": "lots"})
    assert status == 400 and "groups must be a list of objects" in body["error"]


def test_the_aws_cli_works_against_every_service(sim):
    make_group(sim, desired=2)
    groups = sim.cli("autoscaling", "describe-auto-scaling-groups")["AutoScalingGroups"]
    assert [g["AutoScalingGroupName"] for g in groups] == ["web"]
    reservations = sim.cli("ec2", "describe-instances", "--filters", "Name=tag:app,Values=shop")["Reservations"]
    assert sum(len(r["Instances"]) for r in reservations) == 2
    sim.cli("deploy", "create-application", "--application-name", "shop")
    assert sim.cli("deploy", "list-applications")["applications"] == ["shop"]
    queue = sim.cli("sqs", "get-queue-url", "--queue-name", "web-events")["QueueUrl"]
    sim.cli("sqs", "send-message", "--queue-url", queue, "--message-body", "from the CLI")
    bodies = [
        m["Body"]
        for m in sim.cli("sqs", "receive-message", "--queue-url", queue, "--max-number-of-messages", "10")["Messages"]
    ]
    assert "from the CLI" in bodies
