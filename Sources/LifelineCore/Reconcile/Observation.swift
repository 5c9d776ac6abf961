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

    /// The newest successful deployment seen: CodeDeploy's `lastSuccessful`, or a deployment
    /// created after it that this observation read as Succeeded. The group's info and its
    /// deployments are read a moment apart, and a release that ends between the two reads must
    /// not leave the revision before it as the one new instances get.
    public var newestSuccess: ObservedDeployment? {
        let succeeded = deployments.filter { $0.status == "Succeeded" && $0.revision != nil && $0.createdAt != nil }
        guard let newest = succeeded.max(by: { $0.createdAt! < $1.createdAt! }) else { return lastSuccessful }
        guard let last = lastSuccessful, last.id != newest.id else { return newest }
        // Without its age, CodeDeploy's own answer stands.
        guard let lastCreated = last.createdAt else { return last }
        return newest.createdAt! > lastCreated ? newest : last
    }
}
