import Foundation

/// The subset of CodeDeploy lifeline uses; lists paginated to the end, batches at their limits.
public protocol CodeDeployAPI: Sendable {
    func listApplications() async throws -> [String]
    func listDeploymentGroups(application: String) async throws -> [String]
    func getDeploymentGroup(application: String, name: String) async throws -> DeploymentGroupInfo
    /// 100 names per call.
    func batchGetDeploymentGroups(application: String, names: [String]) async throws -> [DeploymentGroupInfo]
    /// Returns the new deployment's id.
    func createDeployment(_ input: CreateDeploymentInput) async throws -> String
    func getDeployment(id: String) async throws -> DeploymentInfo
    /// 25 ids per call.
    func batchGetDeployments(ids: [String]) async throws -> [DeploymentInfo]
    func listDeployments(
        application: String,
        group: String,
        statuses: [String],
        createdAfter: Date?
    ) async throws -> [String]
    func listDeploymentTargets(deploymentID: String) async throws -> [String]
    /// 25 target ids per call.
    func batchGetDeploymentTargets(deploymentID: String, targetIDs: [String]) async throws -> [DeploymentTarget]
    /// Returns CodeDeploy's status (`Pending`, `Succeeded`) and message.
    func stopDeployment(id: String, autoRollbackEnabled: Bool?) async throws -> (status: String?, message: String?)
}
