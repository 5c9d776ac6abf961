#!/usr/bin/env python3
"""Starts the real moto server (PyPI moto[server]) on a free loopback port with SigV4 checking
on, creates an IAM user whose key lifeline must sign with, and builds a small world with boto3:
an Auto Scaling group with instances and a lifecycle hook, an SQS queue with a message, a
CodeDeploy application, deployment group and deployment. Prints one JSON line describing it,
then serves until stdin closes (or, with --until-killed, until SIGTERM), or --max-seconds (default 300).
"""

import json
import os
import signal
import sys
import threading

# moto verifies signatures after this many unauthenticated calls: the three that create our user.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
os.environ.setdefault("MOTO_CALL_RESET_API", "false")
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
max_seconds = float(sys.argv[sys.argv.index("--max-seconds") + 1]) if "--max-seconds" in sys.argv else 300.0

import boto3  # noqa: E402 (moto reads INITIAL_NO_AUTH_ACTION_COUNT when it is imported)
from moto.server import ThreadedMotoServer  # noqa: E402

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
endpoint = f"http://127.0.0.1:{port}"
region = "us-east-1"


def client(service, key="AKIDEXAMPLE", secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"):
    return boto3.client(
        service, region_name=region, endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret
    )


iam = client("iam")
iam.create_user(UserName="lifeline")
iam.put_user_policy(
    UserName="lifeline",
    PolicyName="all",
    PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ),
)
key = iam.create_access_key(UserName="lifeline")["AccessKey"]
kid, secret = key["AccessKeyId"], key["SecretAccessKey"]

ec2 = client("ec2", kid, secret)
asg = client("autoscaling", kid, secret)
sqs = client("sqs", kid, secret)
cd = client("codedeploy", kid, secret)

image = ec2.describe_images()["Images"][0]["ImageId"]
ec2.create_launch_template(LaunchTemplateName="shop", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
asg.create_auto_scaling_group(
    AutoScalingGroupName="shop-prod",
    LaunchTemplate={"LaunchTemplateName": "shop"},
    MinSize=0,
    MaxSize=5,
    DesiredCapacity=2,
    AvailabilityZones=["us-east-1a"],
    Tags=[{"Key": "app", "Value": "shop", "PropagateAtLaunch": True}],
)
queue_url = sqs.create_queue(QueueName="lifeline-events")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
for i in range(3):
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"n": i, "Event": "autoscaling:TEST_NOTIFICATION"}))
cd.create_application(applicationName="shop", computePlatform="Server")
cd.create_deployment_group(
    applicationName="shop",
    deploymentGroupName="prod",
    serviceRoleArn="arn:aws:iam::123456789012:role/cd",
    ec2TagFilters=[{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}],
)
revision = {"revisionType": "S3", "s3Location": {"bucket": "shop-artifacts", "key": "app.zip", "bundleType": "zip"}}
deployment = cd.create_deployment(
    applicationName="shop", deploymentGroupName="prod", revision=revision, description="seed"
)["deploymentId"]
instances = [
    i["InstanceId"]
    for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=["shop-prod"])["AutoScalingGroups"][0]["Instances"]
]

print(
    json.dumps(
        {
            "endpoint": endpoint,
            "region": region,
            "access_key_id": kid,
            "secret_access_key": secret,
            "group": "shop-prod",
            "instances": instances,
            "queue_url": queue_url,
            "queue_arn": queue_arn,
            "application": "shop",
            "deployment_group": "prod",
            "deployment_id": deployment,
        }
    ),
    flush=True,
)

timer = threading.Timer(max_seconds, lambda: os._exit(3))
timer.daemon = True
timer.start()
try:
    if "--until-killed" in sys.argv:
        threading.Event().wait()
    else:
        sys.stdin.read()
finally:
    os._exit(0)
