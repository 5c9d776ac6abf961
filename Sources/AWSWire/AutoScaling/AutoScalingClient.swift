import Foundation

/// Auto Scaling over the Query protocol (2011-01-01).
/// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/
public struct AutoScalingClient: AutoScalingAPI {
    /// DescribeAutoScalingGroups: MaxRecords ≤ 100; names per call: kept at 100 so a page answers them all.
    static let groupPage = 100
    /// DescribeAutoScalingInstances: InstanceIds ≤ 50 and MaxRecords ≤ 50.
    static let instancePage = 50
    static let activityPage = 100

    let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    private func parameters(_ action: String) -> QueryParameters {
        QueryParameters(action: action, version: "2011-01-01")
    }

    public func describeAutoScalingGroups(names: [String]) async throws -> [AutoScalingGroup] {
        var groups: [AutoScalingGroup] = []
        let batches = names.isEmpty ? [[]] : names.chunked(Self.groupPage)
        for batch in batches {
            try await paginate(.autoScaling, "DescribeAutoScalingGroups") { token in
                var p = parameters("DescribeAutoScalingGroups")
                p.setMembers("AutoScalingGroupNames", batch)
                p.set("MaxRecords", Self.groupPage)
                p.set("NextToken", token)
                let result = try await client.query(.autoScaling, p)
                let page = try client.members(
                    result,
                    "AutoScalingGroups",
                    as: AutoScalingGroup.self,
                    .autoScaling,
                    "DescribeAutoScalingGroups"
                )
                groups += page
                return (result.string("NextToken"), page.count)
            }
        }
        return groups
    }

    public func describeAutoScalingInstances(ids: [String]) async throws -> [AutoScalingInstanceDetails] {
        var found: [AutoScalingInstanceDetails] = []
        for batch in ids.chunked(Self.instancePage) {
            try await paginate(.autoScaling, "DescribeAutoScalingInstances") { token in
                var p = parameters("DescribeAutoScalingInstances")
                p.setMembers("InstanceIds", batch)
                p.set("MaxRecords", Self.instancePage)
                p.set("NextToken", token)
                let result = try await client.query(.autoScaling, p)
                let page = try client.members(
                    result,
                    "AutoScalingInstances",
                    as: AutoScalingInstanceDetails.self,
                    .autoScaling,
                    "DescribeAutoScalingInstances"
                )
                found += page
                return (result.string("NextToken"), page.count)
            }
        }
        return found
    }

    public func describeLifecycleHooks(group: String) async throws -> [LifecycleHook] {
        var p = parameters("DescribeLifecycleHooks")
        p.set("AutoScalingGroupName", group)
        return try client.members(
            try await client.query(.autoScaling, p),
            "LifecycleHooks",
            as: LifecycleHook.self,
            .autoScaling,
            "DescribeLifecycleHooks"
        )
    }

    public func putLifecycleHook(_ hook: LifecycleHook) async throws {
        var p = parameters("PutLifecycleHook")
        p.set("AutoScalingGroupName", hook.groupName)
        p.set("LifecycleHookName", hook.name)
        p.set("LifecycleTransition", hook.transition)
        p.set("NotificationTargetARN", hook.notificationTargetARN)
        p.set("RoleARN", hook.roleARN)
        p.set("NotificationMetadata", hook.notificationMetadata)
        p.set("HeartbeatTimeout", hook.heartbeatTimeout)
        p.set("DefaultResult", hook.defaultResult)
        _ = try await client.query(.autoScaling, p)
    }

    public func deleteLifecycleHook(group: String, hook: String) async throws {
        var p = parameters("DeleteLifecycleHook")
        p.set("AutoScalingGroupName", group)
        p.set("LifecycleHookName", hook)
        _ = try await client.query(.autoScaling, p)
    }

    public func completeLifecycleAction(
        group: String,
        hook: String,
        action: LifecycleActionReference,
        result: LifecycleActionResult
    ) async throws {
        var p = parameters("CompleteLifecycleAction")
        p.set("AutoScalingGroupName", group)
        p.set("LifecycleHookName", hook)
        p.set(action)
        p.set("LifecycleActionResult", result.rawValue)
        _ = try await client.query(.autoScaling, p)
    }

    public func recordLifecycleActionHeartbeat(
        group: String,
        hook: String,
        action: LifecycleActionReference
    ) async throws {
        var p = parameters("RecordLifecycleActionHeartbeat")
        p.set("AutoScalingGroupName", group)
        p.set("LifecycleHookName", hook)
        p.set(action)
        _ = try await client.query(.autoScaling, p)
    }

    public func describeScalingActivities(group: String, limit: Int) async throws -> [ScalingActivity] {
        var activities: [ScalingActivity] = []
        try await paginate(.autoScaling, "DescribeScalingActivities") { token in
            var p = parameters("DescribeScalingActivities")
            p.set("AutoScalingGroupName", group)
            p.set("MaxRecords", min(Self.activityPage, max(1, limit - activities.count)))
            p.set("NextToken", token)
            let result = try await client.query(.autoScaling, p)
            let page = try client.members(
                result,
                "Activities",
                as: ScalingActivity.self,
                .autoScaling,
                "DescribeScalingActivities"
            )
            activities += page
            return (activities.count >= limit ? nil : result.string("NextToken"), page.count)
        }
        return Array(activities.prefix(limit))
    }
}

extension QueryParameters {
    mutating func set(_ action: LifecycleActionReference) {
        switch action {
        case .token(let token): set("LifecycleActionToken", token)
        case .instance(let id): set("InstanceId", id)
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
