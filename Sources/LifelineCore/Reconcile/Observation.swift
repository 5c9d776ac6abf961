import Foundation

/// What one pass saw of one deployment group in AWS. Built by the runtime's observer; read by
/// `Reconciler.decide`. Plain values, so a test can write one down in a table.
public struct Observation: Sendable, Equatable {
    public var deploymentGroup: DeploymentGroupName
    /// False when CodeDeploy does not know the deployment group.
    public var exists: Bool
    /// The ARN of lifeline's queue, where its hooks should notify (nil: no queue configured).
    public var queueARN: String?
    /// The Auto Scaling groups the deployment group covers.
    public var autoScalingGroups: [ObservedAutoScalingGroup]
    /// CodeDeploy's `lastSuccessfulDeployment`, with its revision.
    public var lastSuccessful: ObservedDeployment?
    /// The active deployment and those lifeline tracks for its open actions, with their targets.
    public var deployments: [ObservedDeployment]
    /// Launch times from EC2 for instances waiting without a known action (when their wait began, at the latest).
    public var launchTimes: [String: Date]
    /// EC2's view of the instances that were looked up (state `unknown`: EC2 does not know it).
    public var ec2: [String: MatchSet.Instance]
    /// The group's failed launch deployments, when they were counted this pass (DESIGN §4).
    public var loopScan: LoopScan?
    /// Auto Scaling group → the hook `GetDeploymentGroup` says CodeDeploy installed on it.
    public var namedHooks: [String: String]
    public var tagFilters: [TagFilter]
    public var tagSet: [[TagFilter]]

    public init(
        deploymentGroup: DeploymentGroupName,
        exists: Bool = true,
        queueARN: String? = nil,
        autoScalingGroups: [ObservedAutoScalingGroup] = [],
        lastSuccessful: ObservedDeployment? = nil,
        deployments: [ObservedDeployment] = [],
        launchTimes: [String: Date] = [:],
        ec2: [String: MatchSet.Instance] = [:],
        loopScan: LoopScan? = nil,
        namedHooks: [String: String] = [:],
        tagFilters: [TagFilter] = [],
        tagSet: [[TagFilter]] = []
    ) {
        self.deploymentGroup = deploymentGroup
        self.exists = exists
        self.queueARN = queueARN
        self.autoScalingGroups = autoScalingGroups
        self.lastSuccessful = lastSuccessful
        self.deployments = deployments
        self.launchTimes = launchTimes
        self.ec2 = ec2
        self.loopScan = loopScan
        self.namedHooks = namedHooks
        self.tagFilters = tagFilters
        self.tagSet = tagSet
    }

    /// EC2 says the instance is gone (terminated, shutting down, stopped, or unknown); false when not looked up.
    public func isGone(_ instanceID: String) -> Bool { ec2[instanceID]?.isGone ?? false }

    public func group(_ name: String) -> ObservedAutoScalingGroup? { autoScalingGroups.first { $0.name == name } }
    public var activeDeployment: ObservedDeployment? { deployments.first(where: \.isActive) }
}

public struct ObservedAutoScalingGroup: Sendable, Equatable {
    public var name: String
    /// Instance id → lifecycle state (`Pending:Wait`, `InService`, `Terminating`, …).
    public var instances: [String: String]
    public var hooks: [ObservedHook]

    public init(name: String, instances: [String: String] = [:], hooks: [ObservedHook] = []) {
        self.name = name
        self.instances = instances
        self.hooks = hooks
    }

    public func hook(_ name: String) -> ObservedHook? { hooks.first { $0.name == name } }

    /// CodeDeploy's own launch hooks (`CodeDeploy-managed-automatic-launch-deployment-hook-…`).
    public var codeDeployLaunchHooks: [ObservedHook] {
        hooks.filter { $0.isLaunching && $0.name.hasPrefix("CodeDeploy-managed-automatic-launch-deployment-hook") }
    }
}

public struct ObservedHook: Sendable, Equatable, Codable {
    public var name: String
    public var transition: String
    public var heartbeatTimeout: Int
    public var defaultResult: String
    public var notificationTargetARN: String?
    public var roleARN: String?
    public var metadata: String?

    public init(
        name: String,
        transition: String = "autoscaling:EC2_INSTANCE_LAUNCHING",
        heartbeatTimeout: Int,
        defaultResult: String = "ABANDON",
        notificationTargetARN: String? = nil,
        roleARN: String? = nil,
        metadata: String? = nil
    ) {
        self.name = name
        self.transition = transition
        self.heartbeatTimeout = heartbeatTimeout
        self.defaultResult = defaultResult
        self.notificationTargetARN = notificationTargetARN
        self.roleARN = roleARN
        self.metadata = metadata
    }

    public var isLaunching: Bool { transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
}

public struct ObservedDeployment: Sendable, Equatable, Codable {
    public var id: String
    /// `Created`, `Queued`, `InProgress`, `Baking`, `Ready`, `Succeeded`, `Failed`, `Stopped`
    public var status: String
    public var revision: Revision?
    public var description: String?
    public var createdAt: Date?
    /// Instance id → target status, for the instances of open actions; nil when not read.
    public var targets: [String: String]?
    /// `targets` holds every target of the deployment, not only the waiting instances.
    public var targetsComplete: Bool

    public init(
        id: String,
        status: String,
        revision: Revision? = nil,
        description: String? = nil,
        createdAt: Date? = nil,
        targets: [String: String]? = nil,
        targetsComplete: Bool = false
    ) {
        self.id = id
        self.status = status
        self.revision = revision
        self.description = description
        self.createdAt = createdAt
        self.targets = targets
        self.targetsComplete = targetsComplete
    }

    public static let activeStatuses: Set<String> = ["Created", "Queued", "InProgress", "Baking", "Ready"]
    public var isActive: Bool { Self.activeStatuses.contains(status) }

    /// The targets it still waits on (Pending or InProgress), of those read.
    public var remainingTargets: [String] { Self.remaining(targets) }

    /// The instances of a target map (instance → status) still Pending or InProgress.
    public static func remaining(_ targets: [String: String]?) -> [String] {
        (targets ?? [:]).filter { ["Pending", "InProgress"].contains($0.value) }.keys.sorted()
    }
}

/// The group's failed or stopped launch deployments in the loop window, counted when a
/// deployment newer than the last count exists.
public struct LoopScan: Sendable, Equatable {
    /// The last attempted deployment when counted.
    public var through: String
    /// When each failed launch deployment ended.
    public var cycles: [Date]

    public init(through: String, cycles: [Date]) {
        self.through = through
        self.cycles = cycles
    }
}

/// What the journal knows of one deployment group, as `decide` needs it.
public struct JournalView: Sendable, Equatable {
    /// Open actions of the group's Auto Scaling groups.
    public var openActions: [LifecycleAction]
    /// Instances with any action on record (open or finished), so a finished one is not adopted again.
    public var knownInstances: Set<String>
    /// Deployments lifeline created or tracks for the group.
    public var deployments: [DeploymentRecord]
    public var lastGood: LastGoodRevision?
    public var breaker: BreakerState?

    public init(
        openActions: [LifecycleAction] = [],
        knownInstances: Set<String> = [],
        deployments: [DeploymentRecord] = [],
        lastGood: LastGoodRevision? = nil,
        breaker: BreakerState? = nil
    ) {
        self.openActions = openActions
        self.knownInstances = knownInstances.union(openActions.map(\.instanceID))
        self.deployments = deployments
        self.lastGood = lastGood
        self.breaker = breaker
    }
}
