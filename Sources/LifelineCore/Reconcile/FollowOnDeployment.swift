import Foundation

/// One deployment of the last good revision to every outdated instance of a deployment group.
public struct FollowOnDeployment: Sendable, Equatable, Codable {
    public var deploymentGroup: DeploymentGroupName
    public var planID: String
    public var revision: Revision
    /// The waiting instances it is for.
    public var instances: [String]
    /// The fence of the lease it is made under, when replicas share the groups (DESIGN §11).
    public var fence: Int?

    public init(deploymentGroup: DeploymentGroupName, planID: String, revision: Revision, instances: [String]) {
        self.deploymentGroup = deploymentGroup
        self.planID = planID
        self.revision = revision
        self.instances = instances
    }

    /// Finds the deployment again after a crash (DESIGN §3); with a fence, it is never taken
    /// for another replica's that happened to plan with the same id.
    public var description: String { Self.marker(deploymentGroup, planID, fence: fence) }

    public static func marker(_ group: DeploymentGroupName, _ planID: String, fence: Int? = nil) -> String {
        "lifeline:\(group):\(planID)" + (fence.map { ":\($0)" } ?? "")
    }

    /// Whether a deployment's description is lifeline's marker for this group: lifeline made it.
    public static func isMarked(_ description: String?, for group: DeploymentGroupName) -> Bool {
        description?.hasPrefix("lifeline:\(group):") == true
    }
}
