"""A fleet for the simulator, and the fewest calls one reconcile pass over it can make: shared by
the API-economy test (tests/sim/test_api_economy.py) and the benchmark (bench_fleet.py)."""

import math

ROLE = "arn:aws:iam::123456789012:role/lifeline-hook"


def names(n, groups, apps):
    width = len(str(groups - 1))
    app = "fleet" if apps == 1 else f"app{n * apps // groups:02}"
    return f"asg-{n:0{width}}", app, f"dg{n:0{width}}", f"g{n:0{width}}"


def scenario(groups, in_service, new, apps=1, deployment_seconds=30, headroom=0):
    """`groups` groups of `in_service` instances, each scaling out by `new` into lifeline's hook;
    one deployment group per group selecting it by tag, `apps` applications; `headroom`: room
    above that for later scale-outs."""
    asgs, dgs = [], []
    for n in range(groups):
        asg, app, dg, tag = names(n, groups, apps)
        asgs.append(
            {
                "name": asg,
                "min": 0,
                "max": in_service + new + headroom,
                "desired": in_service,
                "tags": {"app": tag},
                "hooks": [
                    {
                        "name": f"lifeline-launch-{dg}",
                        "heartbeatTimeout": 300,
                        "defaultResult": "ABANDON",
                        "queue": "lifeline-events",
                        "metadata": f"{app}/{dg}",
                    }
                ],
            }
        )
        dgs.append(
            {
                "application": app,
                "name": dg,
                "ec2TagFilters": [{"Key": "app", "Value": tag, "Type": "KEY_AND_VALUE"}],
                "deployedRevision": {
                    "revisionType": "S3",
                    "s3Location": {"bucket": "b", "key": f"{tag}-1.zip", "bundleType": "zip"},
                },
            }
        )
    steps = [
        {"at": 0.2, "action": "scale", "group": names(n, groups, apps)[0], "desired": in_service + new}
        for n in range(groups)
    ]
    return {
        "name": "fleet",
        "settings": {"deploymentSeconds": deployment_seconds},
        "queues": ["lifeline-events"],
        "groups": asgs,
        "deploymentGroups": dgs,
        "steps": steps,
    }


def config(queue_url, groups, apps=1):
    # No send ceiling: the benchmark measures lifeline, not the client-side rate limit.
    return f"queue_url: {queue_url}\nmax_requests_per_second: 0\ngroups:\n" + "".join(
        f"  - {{application: {app}, deployment_group: {dg}, hook: {{heartbeat_timeout: 300s, role_arn: {ROLE}}}}}\n"
        for _, app, dg, _ in (names(n, groups, apps) for n in range(groups))
    )


def floor(groups, waiting, apps=1):
    """The fewest calls one pass can make to see every group, every waiting instance, and act once per group."""
    return {
        "codedeploy.BatchGetDeploymentGroups": apps
        * math.ceil(groups / apps / 100),  # 100 names per call, per application
        "autoscaling.DescribeAutoScalingGroups": math.ceil(groups / 100),  # 100 groups per page, instances included
        "autoscaling.DescribeLifecycleHooks": groups,  # no batch form: one call per group
        "sqs.GetQueueAttributes": 1,  # the queue's ARN, for the hooks' target
        "ec2.DescribeInstances": math.ceil(waiting / 200),  # launch times: 200 instance-id filter values per call
        "codedeploy.BatchGetDeployments": math.ceil(groups / 25),  # each group's last successful revision, 25 per call
        "codedeploy.CreateDeployment": groups,  # one follow-on deployment per group
    }
