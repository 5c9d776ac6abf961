import Foundation

/// Auto Scaling shapes lifeline reads (2011-01-01 API, names as in the API reference).
public struct AutoScalingGroup: Sendable, Equatable {
    public var name: String
    public var arn: String?
    public var minSize: Int
    public var maxSize: Int
    public var desiredCapacity: Int
    public var instances: [AutoScalingGroupInstance]
    public var tags: [String: String]
    /// The tags with PropagateAtLaunch: only these reach the instances, and so only these can
    /// match a deployment group's instance tag filters.
    public var propagatedTags: [String: String]
    public var status: String?

    public init(
        name: String,
        arn: String? = nil,
        minSize: Int,
        maxSize: Int,
        desiredCapacity: Int,
        instances: [AutoScalingGroupInstance] = [],
        tags: [String: String] = [:],
        propagatedTags: [String: String]? = nil,
        status: String? = nil
    ) {
        self.name = name
        self.arn = arn
        self.minSize = minSize
        self.maxSize = maxSize
        self.desiredCapacity = desiredCapacity
        self.instances = instances
        self.tags = tags
        self.propagatedTags = propagatedTags ?? tags
        self.status = status
    }
}

/// A DescribeAutoScalingGroups filter on the groups' own tags: `tag-key`, `tag-value` or
/// `tag:<key>`, matching any of `values`. Several filters must all match.
public struct AutoScalingGroupFilter: Sendable, Hashable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

public struct AutoScalingGroupInstance: Sendable, Equatable {
    public var instanceID: String
    /// `Pending`, `Pending:Wait`, `InService`, `Terminating:Wait`, `Detaching`, …
    public var lifecycleState: String
    public var healthStatus: String
    public var availabilityZone: String?

    public init(
        instanceID: String,
        lifecycleState: String,
        healthStatus: String = "Healthy",
        availabilityZone: String? = nil
    ) {
        self.instanceID = instanceID
        self.lifecycleState = lifecycleState
        self.healthStatus = healthStatus
        self.availabilityZone = availabilityZone
    }
}

/// DescribeAutoScalingInstances: an instance and the group it belongs to.
public struct AutoScalingInstanceDetails: Sendable, Equatable {
    public var instanceID: String
    public var groupName: String
    public var lifecycleState: String
    public var healthStatus: String
}

public struct LifecycleHook: Sendable, Equatable {
    public var name: String
    public var groupName: String
    /// `autoscaling:EC2_INSTANCE_LAUNCHING` or `autoscaling:EC2_INSTANCE_TERMINATING`
    public var transition: String
    public var notificationTargetARN: String?
    public var roleARN: String?
    public var notificationMetadata: String?
    public var heartbeatTimeout: Int
    public var globalTimeout: Int?
    public var defaultResult: String

    public init(
        name: String,
        groupName: String,
        transition: String,
        notificationTargetARN: String? = nil,
        roleARN: String? = nil,
        notificationMetadata: String? = nil,
        heartbeatTimeout: Int = 3600,
        globalTimeout: Int? = nil,
        defaultResult: String = "ABANDON"
    ) {
        self.name = name
        self.groupName = groupName
        self.transition = transition
        self.notificationTargetARN = notificationTargetARN
        self.roleARN = roleARN
        self.notificationMetadata = notificationMetadata
        self.heartbeatTimeout = heartbeatTimeout
        self.globalTimeout = globalTimeout
        self.defaultResult = defaultResult
    }
}

/// Which lifecycle action: by token, or by instance id when the token is unknown.
public enum LifecycleActionReference: Sendable, Equatable {
    case token(String)
    case instance(String)
}

public enum LifecycleActionResult: String, Sendable {
    case `continue` = "CONTINUE"
    case abandon = "ABANDON"
}

public struct ScalingActivity: Sendable, Equatable {
    public var activityID: String
    public var groupName: String
    public var description: String
    public var cause: String
    public var startTime: Date?
    public var endTime: Date?
    public var statusCode: String
    public var statusMessage: String?
    public var progress: Int?
}
