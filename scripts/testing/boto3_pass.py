"""The same reconcile pass as `lifeline reconcile` over the benchmark's fleet, written the way a
competent Lambda would with boto3: paginators, batches at the APIs' limits, no journal. The
benchmark runs it against the same simulator world to compare CPU per call (DESIGN §9).
Usage: boto3_pass.py ENDPOINT_URL QUEUE_URL CONFIG_JSON  (groups: [[application, deployment group]])"""

import json
import sys
from collections import defaultdict

import boto3
from botocore.config import Config

endpoint, queue_url, groups = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
config = Config(retries={"mode": "standard"}, max_pool_connections=16)
session = boto3.session.Session(region_name="us-east-1")
autoscaling = session.client("autoscaling", endpoint_url=endpoint, config=config)
ec2 = session.client("ec2", endpoint_url=endpoint, config=config)
codedeploy = session.client("codedeploy", endpoint_url=endpoint, config=config)
sqs = session.client("sqs", endpoint_url=endpoint, config=config)


def chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def matches(filters, tags):
    for f in filters:
        key, value, kind = f.get("Key"), f.get("Value"), f.get("Type", "KEY_AND_VALUE")
        if kind == "KEY_ONLY" and key in tags:
            return True
        if kind == "VALUE_ONLY" and value in tags.values():
            return True
        if kind == "KEY_AND_VALUE" and tags.get(key) == value:
            return True
    return False


queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

by_app = defaultdict(list)
for app, name in groups:
    by_app[app].append(name)
infos = []
for app, names in sorted(by_app.items()):
    for batch in chunks(names, 100):
        infos += codedeploy.batch_get_deployment_groups(applicationName=app, deploymentGroupNames=batch)[
            "deploymentGroupsInfo"
        ]

asgs = [
    g
    for page in autoscaling.get_paginator("describe_auto_scaling_groups").paginate(PaginationConfig={"PageSize": 100})
    for g in page["AutoScalingGroups"]
]
by_tag = defaultdict(list)
for g in asgs:
    for t in g.get("Tags", []):
        if t.get("PropagateAtLaunch"):
            by_tag[(t["Key"], t["Value"])].append(g)

plans = []
for info in infos:
    filters = info.get("ec2TagFilters", [])
    covered = [g for f in filters for g in by_tag.get((f.get("Key"), f.get("Value")), [])]
    covered = [g for g in covered if matches(filters, {t["Key"]: t["Value"] for t in g.get("Tags", [])})]
    hook_name = f"lifeline-launch-{info['deploymentGroupName']}"
    waiting = []
    for g in covered:
        hooks = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=g["AutoScalingGroupName"])["LifecycleHooks"]
        if not any(h["LifecycleHookName"] == hook_name and h.get("NotificationTargetARN") == queue_arn for h in hooks):
            print(f"{g['AutoScalingGroupName']}: {hook_name} is missing or drifted", file=sys.stderr)
        waiting += [i["InstanceId"] for i in g["Instances"] if i["LifecycleState"] == "Pending:Wait"]
    if waiting:
        plans.append((info, waiting))

launched = {}
for batch in chunks(sorted(i for _, w in plans for i in w), 200):
    for reservation in ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": batch}])["Reservations"]:
        for instance in reservation["Instances"]:
            launched[instance["InstanceId"]] = instance["LaunchTime"]

last_good = {}
ids = sorted(
    {info["lastSuccessfulDeployment"]["deploymentId"] for info, _ in plans if info.get("lastSuccessfulDeployment")}
)
for batch in chunks(ids, 25):
    for deployment in codedeploy.batch_get_deployments(deploymentIds=batch)["deploymentsInfo"]:
        last_good[deployment["deploymentId"]] = deployment["revision"]

created = 0
for info, waiting in plans:
    revision = last_good.get(info.get("lastSuccessfulDeployment", {}).get("deploymentId"))
    if revision and all(i in launched for i in waiting):
        codedeploy.create_deployment(
            applicationName=info["applicationName"],
            deploymentGroupName=info["deploymentGroupName"],
            revision=revision,
            updateOutdatedInstancesOnly=True,
            description=f"launch follow-on for {len(waiting)} instance(s)",
        )
        created += 1
print(json.dumps({"created": created}))
