import AWSWire
import Foundation
import LifelineCore

extension CodeDeployAPI {
    /// The deployment lifeline created with `marker` (`lifeline:<group>:<plan-id>`, with the
    /// lease's fence after it when replicas share the groups) as its description, created after
    /// `since`; nil when there is none. How a deployment whose
    /// creation lifeline cannot be sure of (a crash, a lost answer) is found instead of made twice.
    func deployment(
        marked marker: String,
        in group: DeploymentGroupName,
        createdAfter since: Date
    ) async throws -> DeploymentInfo? {
        let ids = try await listDeployments(
            application: group.application,
            group: group.name,
            statuses: [],
            createdAfter: since
        )
        guard !ids.isEmpty else { return nil }
        return try await batchGetDeployments(ids: ids).first { deployment in
            deployment.description == marker && deployment.deploymentId != nil
        }
    }
}
