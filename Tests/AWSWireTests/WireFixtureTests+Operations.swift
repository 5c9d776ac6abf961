import Foundation
import Testing

@testable import AWSWire

/// Calls the client operation a fixture records, with the fixture's input, and returns what
/// lifeline decoded in botocore's names (dates as epoch seconds) for comparison.
extension WireFixtureTests {
    static func exercise(_ f: WireFixture, client: AWSClient) async throws -> [String: Any] {
        let input = f.input
        switch f.service {
        case "autoscaling": return try await autoScaling(f.operation, input, AutoScalingClient(client: client))
        case "ec2":
            let filters = (input["Filters"] as! [[String: Any]]).map {
                EC2Filter($0["Name"] as! String, $0["Values"] as! [String])
            }
            let instances = try await EC2Client(client: client).describeInstances(filters: filters)
            return [
                "Reservations": [
                    [
                        "Instances": instances.map { i -> [String: Any] in
                            var d: [String: Any] = [
                                "InstanceId": i.instanceID, "State": ["Name": i.state],
                                "Tags": i.tags.sorted { $0.key < $1.key }.map { ["Key": $0.key, "Value": $0.value] },
                            ]
                            if let t = i.launchTime { d["LaunchTime"] = t.timeIntervalSince1970 }
                            if let az = i.availabilityZone { d["Placement"] = ["AvailabilityZone": az] }
                            if let ip = i.privateIPAddress { d["PrivateIpAddress"] = ip }
                            if let r = i.stateReason { d["StateTransitionReason"] = r }
                            return d
                        }
                    ]
                ]
            ]
        case "codedeploy": return try await codeDeploy(f.operation, input, CodeDeployClient(client: client))
        default: return try await sqs(f.operation, input, SQSClient(client: client))
        }
    }

    private static func autoScaling(
        _ op: String,
        _ input: [String: Any],
        _ c: AutoScalingClient
    ) async throws -> [String: Any] {
        let group = input["AutoScalingGroupName"] as? String ?? ""
        let hook = input["LifecycleHookName"] as? String ?? ""
        switch op {
        case "DescribeAutoScalingGroups":
            let groups = try await c.describeAutoScalingGroups(names: input["AutoScalingGroupNames"] as? [String] ?? [])
            return [
                "AutoScalingGroups": groups.map { g -> [String: Any] in
                    var d: [String: Any] = [
                        "AutoScalingGroupName": g.name, "MinSize": g.minSize, "MaxSize": g.maxSize,
                        "DesiredCapacity": g.desiredCapacity,
                        "Instances": g.instances.map {
                            [
                                "InstanceId": $0.instanceID, "LifecycleState": $0.lifecycleState,
                                "HealthStatus": $0.healthStatus, "AvailabilityZone": $0.availabilityZone ?? "",
                            ]
                        },
                        "Tags": g.tags.map { tag -> [String: Any] in
                            ["Key": tag.key, "Value": tag.value, "PropagateAtLaunch": g.propagatedTags[tag.key] != nil]
                        },
                    ]
                    if let arn = g.arn { d["AutoScalingGroupARN"] = arn }
                    return d
                }
            ]
        case "DescribeAutoScalingInstances":
            let found = try await c.describeAutoScalingInstances(ids: input["InstanceIds"] as! [String])
            return [
                "AutoScalingInstances": found.map {
                    [
                        "InstanceId": $0.instanceID, "AutoScalingGroupName": $0.groupName,
                        "LifecycleState": $0.lifecycleState, "HealthStatus": $0.healthStatus,
                    ]
                }
            ]
        case "DescribeLifecycleHooks":
            let hooks = try await c.describeLifecycleHooks(group: group)
            return [
                "LifecycleHooks": hooks.map { h -> [String: Any] in
                    var d: [String: Any] = [
                        "LifecycleHookName": h.name, "AutoScalingGroupName": h.groupName,
                        "LifecycleTransition": h.transition,
                        "HeartbeatTimeout": h.heartbeatTimeout, "DefaultResult": h.defaultResult,
                    ]
                    d["GlobalTimeout"] = h.globalTimeout
                    d["NotificationTargetARN"] = h.notificationTargetARN
                    d["RoleARN"] = h.roleARN
                    return d
                }
            ]
        case "PutLifecycleHook":
            try await c.putLifecycleHook(
                LifecycleHook(
                    name: hook,
                    groupName: group,
                    transition: input["LifecycleTransition"] as! String,
                    heartbeatTimeout: input["HeartbeatTimeout"] as! Int,
                    defaultResult: input["DefaultResult"] as! String
                )
            )
        case "DeleteLifecycleHook":
            try await c.deleteLifecycleHook(group: group, hook: hook)
        case "CompleteLifecycleAction":
            try await c.completeLifecycleAction(
                group: group,
                hook: hook,
                action: .token(input["LifecycleActionToken"] as! String),
                result: LifecycleActionResult(rawValue: input["LifecycleActionResult"] as! String)!
            )
        case "RecordLifecycleActionHeartbeat":
            try await c.recordLifecycleActionHeartbeat(
                group: group,
                hook: hook,
                action: .token(input["LifecycleActionToken"] as! String)
            )
        case "DescribeScalingActivities":
            let activities = try await c.describeScalingActivities(group: group, limit: 100)
            return [
                "Activities": activities.map { a -> [String: Any] in
                    var d: [String: Any] = [
                        "ActivityId": a.activityID, "AutoScalingGroupName": a.groupName, "Description": a.description,
                        "Cause": a.cause,
                        "StatusCode": a.statusCode,
                    ]
                    d["StartTime"] = a.startTime?.timeIntervalSince1970
                    d["EndTime"] = a.endTime?.timeIntervalSince1970
                    d["Progress"] = a.progress
                    return d
                }
            ]
        default:
            Issue.record("no exercise for \(op)")
        }
        return [:]
    }

    private static func codeDeploy(
        _ op: String,
        _ input: [String: Any],
        _ c: CodeDeployClient
    ) async throws -> [String: Any] {
        let app = input["applicationName"] as? String ?? ""
        let deploymentID = input["deploymentId"] as? String ?? ""
        switch op {
        case "ListApplications": return ["applications": try await c.listApplications()]
        case "ListDeploymentGroups": return ["deploymentGroups": try await c.listDeploymentGroups(application: app)]
        case "GetDeploymentGroup":
            return [
                "deploymentGroupInfo": try jsonObject(
                    try await c.getDeploymentGroup(application: app, name: input["deploymentGroupName"] as! String)
                )
            ]
        case "BatchGetDeploymentGroups":
            return [
                "deploymentGroupsInfo": try jsonObject(
                    try await c.batchGetDeploymentGroups(
                        application: app,
                        names: input["deploymentGroupNames"] as! [String]
                    )
                )
            ]
        case "CreateDeployment":
            let decoded = try JSONDecoder().decode(
                CreateDeploymentInput.self,
                from: JSONSerialization.data(withJSONObject: input)
            )
            return ["deploymentId": try await c.createDeployment(decoded)]
        case "GetDeployment": return ["deploymentInfo": try jsonObject(try await c.getDeployment(id: deploymentID))]
        case "BatchGetDeployments":
            return [
                "deploymentsInfo": try jsonObject(
                    try await c.batchGetDeployments(ids: input["deploymentIds"] as! [String])
                )
            ]
        case "ListDeployments":
            return [
                "deployments": try await c.listDeployments(
                    application: app,
                    group: input["deploymentGroupName"] as! String,
                    statuses: input["includeOnlyStatuses"] as! [String],
                    createdAfter: nil
                )
            ]
        case "ListDeploymentTargets":
            return ["targetIds": try await c.listDeploymentTargets(deploymentID: deploymentID)]
        case "BatchGetDeploymentTargets":
            return [
                "deploymentTargets": try jsonObject(
                    try await c.batchGetDeploymentTargets(
                        deploymentID: deploymentID,
                        targetIDs: input["targetIds"] as! [String]
                    )
                )
            ]
        case "StopDeployment":
            let (status, message) = try await c.stopDeployment(id: deploymentID, autoRollbackEnabled: nil)
            return ["status": status ?? "<nil>", "statusMessage": message ?? "<nil>"]
        default:
            Issue.record("no exercise for \(op)")
            return [:]
        }
    }

    private static func sqs(_ op: String, _ input: [String: Any], _ c: SQSClient) async throws -> [String: Any] {
        let queue = input["QueueUrl"] as! String
        switch op {
        case "ReceiveMessage":
            let messages = try await c.receiveMessages(
                queueURL: queue,
                max: input["MaxNumberOfMessages"] as! Int,
                waitSeconds: input["WaitTimeSeconds"] as! Int,
                visibilityTimeout: nil
            )
            #expect(messages.first?.receiveCount == 3)
            return ["Messages": try jsonObject(messages)]
        case "DeleteMessage":
            try await c.deleteMessage(queueURL: queue, receiptHandle: input["ReceiptHandle"] as! String)
        case "DeleteMessageBatch":
            let handles = (input["Entries"] as! [[String: Any]]).map { $0["ReceiptHandle"] as! String }
            let failures = try await c.deleteMessages(queueURL: queue, receiptHandles: handles)
            return [
                "Failed": failures.map {
                    [
                        "Id": "m\(handles.firstIndex(of: $0.receiptHandle)!)", "Code": $0.code,
                        "Message": $0.message ?? "", "SenderFault": $0.senderFault,
                    ]
                }
            ]
        case "ChangeMessageVisibility":
            try await c.changeMessageVisibility(
                queueURL: queue,
                receiptHandle: input["ReceiptHandle"] as! String,
                visibilityTimeout: input["VisibilityTimeout"] as! Int
            )
        case "GetQueueAttributes":
            return [
                "Attributes": try await c.getQueueAttributes(
                    queueURL: queue,
                    names: input["AttributeNames"] as! [String]
                )
            ]
        default: Issue.record("no exercise for \(op)")
        }
        return [:]
    }

    /// A Codable wire shape back to JSON in wire names (dates as epoch seconds).
    static func jsonObject(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: AWSTimestamp.jsonEncoder.encode(value))
    }
}
