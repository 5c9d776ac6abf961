#!/usr/bin/env python3
"""Writes fixtures/wire/<service>/*.json: request/response pairs for lifeline's wire decoding tests.

Sources: botocore's examples-1.json (Auto Scaling), and the example shapes of the AWS API
reference pages (EC2, CodeDeploy, SQS, and the error envelopes). Each fixture records what
botocore makes of it: the request body botocore's serializer sends for the input, and the result
botocore's parser reads from the response (`parsed`). lifeline's tests compare against those, so
the expected values come from a client nobody here wrote. Run again after editing a case:
    python3 scripts/testing/wire_fixtures.py
"""

import base64
import datetime
import json
import os
from xml.sax.saxutils import escape

import botocore.session
from botocore import parsers, serialize

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "wire")
session = botocore.session.get_session()
loader = session.get_component("data_loader")
models = {}


def model(service):
    if service not in models:
        models[service] = session.get_service_model(service)
    return models[service]


def iso(v):
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return v


def render_xml(shape, value, name, ec2):
    t = shape.type_name
    if t == "structure":
        inner = "".join(
            render_xml(s, value[m], s.serialization.get("name", m), ec2) for m, s in shape.members.items() if m in value
        )
        return f"<{name}>{inner}</{name}>"
    if t == "list":
        item = shape.member.serialization.get("name", "item" if ec2 else "member")
        items = "".join(render_xml(shape.member, v, item, ec2) for v in value)
        if shape.serialization.get("flattened"):
            return "".join(render_xml(shape.member, v, name, ec2) for v in value)
        return f"<{name}>{items}</{name}>"
    if t == "map":
        entries = "".join(
            f"<entry><key>{escape(k)}</key><value>{escape(str(v))}</value></entry>" for k, v in value.items()
        )
        return f"<{name}>{entries}</{name}>"
    if t == "boolean":
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    if t == "timestamp":
        return f"<{name}>{escape(iso(value))}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def query_response(service, operation, output, request_id):
    op = model(service).operation_model(operation)
    ec2 = model(service).protocol == "ec2"
    body = ""
    if op.output_shape is not None:
        body = "".join(
            render_xml(s, output[m], s.serialization.get("name", m), ec2)
            for m, s in op.output_shape.members.items()
            if m in output
        )
    ns = f"http://{'ec2.amazonaws.com/doc/2016-11-15' if ec2 else 'autoscaling.amazonaws.com/doc/2011-01-01'}/"
    if ec2:
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<{operation}Response xmlns="{ns}"><requestId>{request_id}</requestId>{body}</{operation}Response>'
    wrapper = (
        op.output_shape.serialization.get("resultWrapper", f"{operation}Result")
        if op.output_shape
        else f"{operation}Result"
    )
    return (
        f'<{operation}Response xmlns="{ns}"><{wrapper}>{body}</{wrapper}>'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{operation}Response>"
    )


def to_jsonable(v):
    if isinstance(v, datetime.datetime):
        return v.timestamp()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: to_jsonable(x) for k, x in v.items() if k != "ResponseMetadata"}
    if isinstance(v, list):
        return [to_jsonable(x) for x in v]
    return v


def serialize_request(service, operation, params):
    m = model(service)
    op = m.operation_model(operation)
    req = serialize.create_serializer(m.protocol).serialize_to_request(params, op)
    body = req["body"]
    if isinstance(body, bytes):
        body = body.decode()
    elif isinstance(body, dict):
        from urllib.parse import quote, urlencode

        body = urlencode(body, quote_via=quote, safe="-_.~")
    headers = {k: v for k, v in req["headers"].items() if k.lower() in ("x-amz-target", "content-type")}
    return {"headers": headers, "body": body}


def parse_response(service, operation, status, headers, body):
    m = model(service)
    op = m.operation_model(operation)
    protocol = m.protocol
    parser = parsers.create_parser(protocol)
    parsed = parser.parse({"status_code": status, "headers": headers, "body": body.encode()}, op.output_shape)
    return to_jsonable(parsed)


def write(service, name, fixture):
    path = os.path.join(ROOT, service, name + ".json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(fixture, f, indent=2, sort_keys=True)
        f.write("\n")


def success(service, operation, source, params, status=200, headers=None, body=None, output=None, name=None):
    if body is None:
        body = (
            query_response(service, operation, output, "7c6e177f-f082-11e1-ac58-3714bEXAMPLE")
            if model(service).protocol in ("query", "ec2")
            else json.dumps(output)
        )
    headers = dict(headers or {})
    headers.setdefault("x-amzn-requestid", "7c6e177f-f082-11e1-ac58-3714bEXAMPLE")
    headers.setdefault(
        "content-type",
        "text/xml"
        if model(service).protocol in ("query", "ec2")
        else f"application/x-amz-json-{model(service).metadata['jsonVersion']}",
    )
    parsed = parse_response(service, operation, status, headers, body)
    if output is not None and model(service).protocol in ("query", "ec2"):
        # The rendering must read back as the example says: our XML is what botocore expects.
        expected = to_jsonable(parse_response(service, operation, 200, headers, body))
        assert expected == parsed
    write(
        service,
        name or operation,
        {
            "operation": operation,
            "source": source,
            "input": params,
            "request": serialize_request(service, operation, params),
            "response": {"status": status, "headers": headers, "body": body},
            "parsed": parsed,
        },
    )


def error(service, operation, name, source, status, body, headers=None, expect=None):
    """`expect` overrides botocore's reading where the protocol spec and botocore differ."""
    headers = dict(headers or {})
    headers.setdefault("x-amzn-requestid", "e1b4a0b2-0b2c-4b1e-9c1d-EXAMPLE")
    parsed = parse_response(service, operation, status, headers, body)
    fixture = {
        "operation": operation,
        "source": source,
        "response": {"status": status, "headers": headers, "body": body},
        "parsed": {"Error": parsed.get("Error", {})},
    }
    if expect:
        fixture["expect"] = expect
    write(service, "errors/" + name, fixture)


def examples(service):
    path = os.path.join(
        os.path.dirname(botocore.__file__), "data", service, model(service).api_version, "examples-1.json"
    )
    return json.load(open(path))["examples"]


def main():
    # --- Auto Scaling: botocore's examples, rendered as the Query protocol answers.
    ex = examples("autoscaling")
    for op in [
        "DescribeAutoScalingGroups",
        "DescribeAutoScalingInstances",
        "DescribeLifecycleHooks",
        "PutLifecycleHook",
        "DeleteLifecycleHook",
        "CompleteLifecycleAction",
        "RecordLifecycleActionHeartbeat",
        "DescribeScalingActivities",
    ]:
        e = ex[op][0]
        success("autoscaling", op, f"botocore examples-1.json: {e['id']}", e["input"], output=e.get("output", {}))
    # A page with a NextToken and tags, as a second page of a walk would see it.
    success(
        "autoscaling",
        "DescribeAutoScalingGroups",
        "API reference DescribeAutoScalingGroups shape, paginated",
        {"MaxRecords": 100},
        name="DescribeAutoScalingGroups-paged",
        output={
            "AutoScalingGroups": [
                {
                    "AutoScalingGroupName": "shop-prod",
                    "MinSize": 2,
                    "MaxSize": 10,
                    "DesiredCapacity": 3,
                    "DefaultCooldown": 300,
                    "AvailabilityZones": ["us-east-1a"],
                    "HealthCheckType": "EC2",
                    "CreatedTime": "2026-11-01T10:00:00Z",
                    "Instances": [
                        {
                            "InstanceId": "i-0aaaaaaaaaaaaaaa1",
                            "AvailabilityZone": "us-east-1a",
                            "LifecycleState": "Pending:Wait",
                            "HealthStatus": "Healthy",
                            "ProtectedFromScaleIn": False,
                        },
                        {
                            "InstanceId": "i-0aaaaaaaaaaaaaaa2",
                            "AvailabilityZone": "us-east-1a",
                            "LifecycleState": "InService",
                            "HealthStatus": "Healthy",
                            "ProtectedFromScaleIn": False,
                        },
                    ],
                    "Tags": [
                        {
                            "ResourceId": "shop-prod",
                            "ResourceType": "auto-scaling-group",
                            "Key": "app",
                            "Value": "shop",
                            "PropagateAtLaunch": True,
                        },
                        {
                            "ResourceId": "shop-prod",
                            "ResourceType": "auto-scaling-group",
                            "Key": "team",
                            "Value": "payments",
                            "PropagateAtLaunch": False,
                        },
                    ],
                }
            ],
            "NextToken": "page-2-token",
        },
    )

    # --- EC2: the API reference's DescribeInstances example shape.
    ec2_body = """<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <reason/>
                    <keyName>my_keypair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement><availabilityZone>eu-west-1c</availabilityZone><tenancy>default</tenancy></placement>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <tagSet>
                        <item><key>aws:autoscaling:groupName</key><value>shop-prod</value></item>
                        <item><key>Name</key><value>Server_1</value></item>
                    </tagSet>
                </item>
                <item>
                    <instanceId>i-0598c7d356eba48d7</instanceId>
                    <instanceState><code>48</code><name>terminated</name></instanceState>
                    <reason>User initiated (2018-05-08 17:01:02 GMT)</reason>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement><availabilityZone>eu-west-1c</availabilityZone></placement>
                    <tagSet><item><key>app</key><value>shop</value></item></tagSet>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
    <nextToken>eyJ2IjoiMiIsImMiOiJwYWdlMiJ9</nextToken>
</DescribeInstancesResponse>"""
    success(
        "ec2",
        "DescribeInstances",
        "API reference DescribeInstances example (trimmed), with tags and a terminated instance",
        {
            "Filters": [{"Name": "instance-id", "Values": ["i-1234567890abcdef0", "i-0598c7d356eba48d7"]}],
            "MaxResults": 1000,
        },
        body=ec2_body,
    )

    # --- CodeDeploy: the API reference's example shapes (JSON 1.1).
    rev = {
        "revisionType": "S3",
        "s3Location": {
            "bucket": "shop-artifacts",
            "key": "shop/app-1.4.2.zip",
            "bundleType": "zip",
            "eTag": "9e2ae3b6c1f2d1f2f3a4b5c6d7e8f9a0",
        },
    }
    success(
        "codedeploy",
        "ListApplications",
        "API reference ListApplications example",
        {},
        output={"applications": ["shop", "billing"]},
    )
    success(
        "codedeploy",
        "ListDeploymentGroups",
        "API reference ListDeploymentGroups example",
        {"applicationName": "shop"},
        output={"applicationName": "shop", "deploymentGroups": ["prod", "staging"], "nextToken": "dg-page-2"},
    )
    dg = {
        "applicationName": "shop",
        "deploymentGroupId": "f1c5b1c2-aaaa-bbbb-cccc-0123456789ab",
        "deploymentGroupName": "prod",
        "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        "ec2TagFilters": [{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}],
        "onPremisesInstanceTagFilters": [],
        "autoScalingGroups": [
            {
                "name": "shop-prod",
                "hook": "CodeDeploy-managed-automatic-launch-deployment-hook-prod-4f5e6a7b-1111-2222-3333-444455556666",
            }
        ],
        "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployServiceRole",
        "targetRevision": rev,
        "triggerConfigurations": [],
        "lastSuccessfulDeployment": {
            "deploymentId": "d-A1B2C3D4E",
            "status": "Succeeded",
            "endTime": 1762000000.5,
            "createTime": 1761999000.25,
        },
        "lastAttemptedDeployment": {
            "deploymentId": "d-F5G6H7I8J",
            "status": "Failed",
            "endTime": 1762100000.0,
            "createTime": 1762099000.0,
        },
        "outdatedInstancesStrategy": "UPDATE",
        "computePlatform": "Server",
        "ec2TagSet": {
            "ec2TagSetList": [
                [{"Key": "app", "Value": "shop", "Type": "KEY_AND_VALUE"}],
                [{"Key": "env", "Type": "KEY_ONLY"}, {"Value": "prod", "Type": "VALUE_ONLY"}],
            ]
        },
    }
    success(
        "codedeploy",
        "GetDeploymentGroup",
        "API reference GetDeploymentGroup example",
        {"applicationName": "shop", "deploymentGroupName": "prod"},
        output={"deploymentGroupInfo": dg},
    )
    success(
        "codedeploy",
        "BatchGetDeploymentGroups",
        "API reference BatchGetDeploymentGroups example",
        {"applicationName": "shop", "deploymentGroupNames": ["prod"]},
        output={"deploymentGroupsInfo": [dg], "errorMessage": ""},
    )
    success(
        "codedeploy",
        "CreateDeployment",
        "API reference CreateDeployment example",
        {
            "applicationName": "shop",
            "deploymentGroupName": "prod",
            "revision": rev,
            "description": "lifeline:shop/prod:plan-7",
            "updateOutdatedInstancesOnly": True,
        },
        output={"deploymentId": "d-K9L8M7N6O"},
    )
    dep = {
        "applicationName": "shop",
        "deploymentGroupName": "prod",
        "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        "deploymentId": "d-K9L8M7N6O",
        "revision": rev,
        "status": "Failed",
        "errorInformation": {
            "code": "HEALTH_CONSTRAINTS",
            "message": "The overall deployment failed because too many individual instances failed deployment",
        },
        "createTime": 1762200000.123,
        "startTime": 1762200001.0,
        "completeTime": 1762200300.0,
        "deploymentOverview": {"Pending": 0, "InProgress": 0, "Succeeded": 1, "Failed": 1, "Skipped": 0, "Ready": 0},
        "description": "lifeline:shop/prod:plan-7",
        "creator": "user",
        "ignoreApplicationStopFailures": False,
        "updateOutdatedInstancesOnly": True,
        "instanceTerminationWaitTimeStarted": False,
        "targetInstances": {"autoScalingGroups": ["shop-prod"]},
        "fileExistsBehavior": "DISALLOW",
    }
    success(
        "codedeploy",
        "GetDeployment",
        "API reference GetDeployment example",
        {"deploymentId": "d-K9L8M7N6O"},
        output={"deploymentInfo": dep},
    )
    success(
        "codedeploy",
        "BatchGetDeployments",
        "API reference BatchGetDeployments example",
        {"deploymentIds": ["d-K9L8M7N6O"]},
        output={"deploymentsInfo": [dep]},
    )
    success(
        "codedeploy",
        "ListDeployments",
        "API reference ListDeployments example",
        {
            "applicationName": "shop",
            "deploymentGroupName": "prod",
            "includeOnlyStatuses": ["InProgress", "Queued", "Created"],
        },
        output={"deployments": ["d-K9L8M7N6O", "d-A1B2C3D4E"], "nextToken": "dep-page-2"},
    )
    success(
        "codedeploy",
        "ListDeploymentTargets",
        "API reference ListDeploymentTargets example",
        {"deploymentId": "d-K9L8M7N6O"},
        output={"targetIds": ["i-1234567890abcdef0", "i-0598c7d356eba48d7"]},
    )
    success(
        "codedeploy",
        "BatchGetDeploymentTargets",
        "API reference BatchGetDeploymentTargets example",
        {"deploymentId": "d-K9L8M7N6O", "targetIds": ["i-1234567890abcdef0"]},
        output={
            "deploymentTargets": [
                {
                    "deploymentTargetType": "InstanceTarget",
                    "instanceTarget": {
                        "deploymentId": "d-K9L8M7N6O",
                        "targetId": "i-1234567890abcdef0",
                        "targetArn": "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0",
                        "status": "Failed",
                        "lastUpdatedAt": 1762200300.0,
                        "instanceLabel": "Blue",
                        "lifecycleEvents": [
                            {
                                "lifecycleEventName": "ApplicationStop",
                                "status": "Succeeded",
                                "startTime": 1762200010.0,
                                "endTime": 1762200011.0,
                                "diagnostics": {
                                    "errorCode": "Success",
                                    "scriptName": "",
                                    "message": "Succeeded",
                                    "logTail": "",
                                },
                            },
                            {
                                "lifecycleEventName": "AfterInstall",
                                "status": "Failed",
                                "startTime": 1762200100.0,
                                "endTime": 1762200200.0,
                                "diagnostics": {
                                    "errorCode": "ScriptFailed",
                                    "scriptName": "scripts/migrate.sh",
                                    "message": "Script at specified location: scripts/migrate.sh run as user root failed with exit code 1",
                                    "logTail": "[stderr] migration 42 failed",
                                },
                            },
                        ],
                    },
                }
            ]
        },
    )
    success(
        "codedeploy",
        "StopDeployment",
        "API reference StopDeployment example",
        {"deploymentId": "d-K9L8M7N6O"},
        output={
            "status": "Pending",
            "statusMessage": "Stopping Pending. Stopping to schedule commands in the deployment instances",
        },
    )

    # --- SQS: the API reference's JSON examples.
    queue = "https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events"
    body = json.dumps(
        {
            "Origin": "EC2",
            "Destination": "AutoScalingGroup",
            "Service": "AWS Auto Scaling",
            "LifecycleHookName": "lifeline-launch-prod",
            "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
            "AutoScalingGroupName": "shop-prod",
            "EC2InstanceId": "i-1234567890abcdef0",
            "LifecycleActionToken": "71514b9d-6a40-4b26-8523-05e7eEXAMPLE",
            "Time": "2026-11-21T20:00:00.000Z",
            "AccountId": "123456789012",
            "RequestId": "19eb2c4c-2c13-4e1c-a5f5-EXAMPLE",
        }
    )
    success(
        "sqs",
        "ReceiveMessage",
        "API reference ReceiveMessage example (JSON protocol)",
        {
            "QueueUrl": queue,
            "MaxNumberOfMessages": 10,
            "WaitTimeSeconds": 20,
            "AttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        },
        output={
            "Messages": [
                {
                    "MessageId": "5fea7756-0ea4-451a-a703-a558bEXAMPLE",
                    "ReceiptHandle": "MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+CwLj1FjgXUv1uSj1gUPAWV66FU/WeR4mq2OKpEGYWbnLmpRCJVAyeMjeU5ZBdtcQ+QEauMZc8ZRv37sIW2iJKq3M9MFx1YvV11A2x/KSbkJ0=",
                    "MD5OfBody": "fafb00f5732ab283681e124bf8747ed1",
                    "Body": body,
                    "Attributes": {
                        "ApproximateReceiveCount": "3",
                        "SentTimestamp": "1763755200000",
                        "ApproximateFirstReceiveTimestamp": "1763755201000",
                        "SenderId": "AIDAEXAMPLE",
                    },
                }
            ]
        },
    )
    success(
        "sqs",
        "DeleteMessage",
        "API reference DeleteMessage example",
        {"QueueUrl": queue, "ReceiptHandle": "MbZj6wDWli+Jvww"},
        body="",
    )
    success(
        "sqs",
        "DeleteMessageBatch",
        "API reference DeleteMessageBatch example",
        {
            "QueueUrl": queue,
            "Entries": [{"Id": "m0", "ReceiptHandle": "handle-0"}, {"Id": "m1", "ReceiptHandle": "handle-1"}],
        },
        output={
            "Successful": [{"Id": "m0"}],
            "Failed": [
                {
                    "Id": "m1",
                    "SenderFault": True,
                    "Code": "ReceiptHandleIsInvalid",
                    "Message": "The input receipt handle is invalid.",
                }
            ],
        },
    )
    success(
        "sqs",
        "ChangeMessageVisibility",
        "API reference ChangeMessageVisibility example",
        {"QueueUrl": queue, "ReceiptHandle": "MbZj6wDWli+Jvww", "VisibilityTimeout": 0},
        body="",
    )
    success(
        "sqs",
        "GetQueueAttributes",
        "API reference GetQueueAttributes example",
        {"QueueUrl": queue, "AttributeNames": ["All"]},
        output={
            "Attributes": {
                "QueueArn": "arn:aws:sqs:us-east-1:123456789012:lifeline-events",
                "ApproximateNumberOfMessages": "4",
                "VisibilityTimeout": "60",
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:lifeline-dlq","maxReceiveCount":5}',
            }
        },
    )

    # --- Error envelopes.
    error(
        "autoscaling",
        "CompleteLifecycleAction",
        "no-active-lifecycle-action",
        "Auto Scaling ValidationError for a finished action (Query error envelope)",
        400,
        '<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>ValidationError</Code>'
        "<Message>No active Lifecycle Action found with instance ID i-1234567890abcdef0</Message></Error>"
        "<RequestId>3bd8e5b6-6b3e-11e6-9bd6-EXAMPLE</RequestId></ErrorResponse>",
    )
    error(
        "autoscaling",
        "DescribeAutoScalingGroups",
        "throttling",
        "Query error envelope, Throttling",
        400,
        '<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>Throttling</Code>'
        "<Message>Rate exceeded</Message></Error><RequestId>a1b2c3d4-EXAMPLE</RequestId></ErrorResponse>",
    )
    error(
        "autoscaling",
        "PutLifecycleHook",
        "resource-contention",
        "Query error envelope, ResourceContention (500)",
        500,
        '<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Receiver</Type><Code>ResourceContention</Code>'
        "<Message>You already have a pending update to an Auto Scaling resource (for example, a group, instance, or load balancer).</Message>"
        "</Error><RequestId>c0ffee00-EXAMPLE</RequestId></ErrorResponse>",
    )
    error(
        "ec2",
        "DescribeInstances",
        "request-limit-exceeded",
        "EC2 error envelope, RequestLimitExceeded (503)",
        503,
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>'
        "<Message>Request limit exceeded.</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>",
    )
    error(
        "ec2",
        "DescribeInstances",
        "request-expired",
        "EC2 error envelope, RequestExpired with the server's Date",
        400,
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestExpired</Code>'
        "<Message>Request has expired.</Message></Error></Errors><RequestID>5d0e9d2c-example</RequestID></Response>",
        headers={"date": "Sat, 21 Nov 2026 20:00:00 GMT"},
    )
    error(
        "codedeploy",
        "CreateDeployment",
        "deployment-limit-exceeded",
        "JSON 1.1 error with a namespaced __type",
        400,
        json.dumps(
            {
                "__type": "com.amazonaws.codedeploy#DeploymentLimitExceededException",
                "message": "The Deployment Group 'prod' already has an active Deployment 'd-A1B2C3D4E'",
            }
        ),
    )
    error(
        "codedeploy",
        "BatchGetDeployments",
        "throttling-header-only",
        "JSON error whose code is only in X-Amzn-ErrorType: the Smithy awsJson1_1 spec reads the header; botocore 1.43 reports the status",
        400,
        "{}",
        headers={
            "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"
        },
        expect={"Code": "ThrottlingException", "Message": ""},
    )
    error(
        "sqs",
        "ReceiveMessage",
        "queue-does-not-exist",
        "SQS JSON error with its Query-compatible code header",
        400,
        json.dumps({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."}),
        headers={"x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"},
    )


if __name__ == "__main__":
    main()
    print("fixtures written under", os.path.normpath(ROOT))
