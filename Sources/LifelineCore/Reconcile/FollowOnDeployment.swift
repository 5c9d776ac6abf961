import Foundation

/// One deployment of the last good revision to every outdated instance of a deployment group.
public struct FollowOnDeployment: Sendable, Equatable, Codable {
    public var deploymentGroup: DeploymentGroupName
    public var planID: String
    public var revision: Revision
    /// The waiting instances it is for.
    public var instances: [String]

    public init(deploymentGroup: DeploymentGroupName, planID: String, revision: Revision, instances: [String]) {
        self.deploymentGroup = deploymentGroup
        self.planID = planID
        self.revision = revision
        self.instances = instances
    }

    /// Finds the deployment again after a crash (DESIGN §3).
    public var description: String { Self.marker(deploymentGroup, planID) }

    public static func marker(_ group: DeploymentGroupName, _ planID: String) -> String {
        "lifeline:\(group):\(planID)"
    }
}
