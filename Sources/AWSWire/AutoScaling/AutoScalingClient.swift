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
        for batch in names.isEmpty ? [[]] : names.chunked(Self.groupPage) {
            groups += try await pages("DescribeAutoScalingGroups", "AutoScalingGroups", pageSize: Self.groupPage) {
                $0.setMembers("AutoScalingGroupNames", batch)
            }
        }
        return groups
    }

    public func describeAutoScalingGroups(filters: [AutoScalingGroupFilter]) async throws -> [AutoScalingGroup] {
        try await pages("DescribeAutoScalingGroups", "AutoScalingGroups", pageSize: Self.groupPage) {
            $0.setFilterMembers("Filters", filters.map { ($0.name, $0.values) })
        }
    }

    public func describeAutoScalingInstances(ids: [String]) async throws -> [AutoScalingInstanceDetails] {
        var found: [AutoScalingInstanceDetails] = []
        for batch in ids.chunked(Self.instancePage) {
            found += try await pages(
                "DescribeAutoScalingInstances",
                "AutoScalingInstances",
                pageSize: Self.instancePage
            ) {
                $0.setMembers("InstanceIds", batch)
            }
        }
        return found
    }

    /// Every page of one selection (`select` sets its parameters) of a paginated Describe call.
    private func pages<T: XMLDecodable>(
        _ action: String,
        _ list: String,
        pageSize: Int,
        _ select: (inout QueryParameters) -> Void
    ) async throws -> [T] {
        var items: [T] = []
        try await paginate(.autoScaling, action) { token in
            var p = parameters(action)
            select(&p)
            p.set("MaxRecords", pageSize)
            p.set("NextToken", token)
            let result = try await client.query(.autoScaling, p)
            let page = try client.members(result, list, as: T.self, .autoScaling, action)
            items += page
            return (result.string("NextToken"), page.count)
        }
        return items
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
