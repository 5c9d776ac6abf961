import Foundation

/// CodeDeploy over JSON 1.1 (`X-Amz-Target: CodeDeploy_20141006.<Op>`).
public struct CodeDeployClient: CodeDeployAPI {
    static let groupBatch = 100
    static let deploymentBatch = 25
    static let targetBatch = 25

    let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    private func call<Output: Decodable>(
        _ operation: String,
        _ input: some Encodable,
        as: Output.Type = Output.self
    ) async throws -> Output {
        try await client.json(.codeDeploy, operation, input)
    }

    /// A `List*` operation walked to its last page: `input` builds each page's request from the
    /// token, `items` picks the page's names.
    private func listAll<Input: Encodable, Output: Decodable & NextTokenPage>(
        _ operation: String,
        items: KeyPath<Output, [String]?>,
        input: (String?) -> Input
    ) async throws -> [String] {
        var all: [String] = []
        try await paginate(.codeDeploy, operation) { token in
            let page: Output = try await call(operation, input(token))
            let names = page[keyPath: items] ?? []
            all += names
            return (page.nextToken, names.count)
        }
        return all
    }

    public func listApplications() async throws -> [String] {
        struct Input: Encodable { var nextToken: String? }
        struct Output: Decodable, NextTokenPage {
            var applications: [String]?
            var nextToken: String?
        }
        return try await listAll("ListApplications", items: \Output.applications) { Input(nextToken: $0) }
    }

    public func listDeploymentGroups(application: String) async throws -> [String] {
        struct Input: Encodable {
            var applicationName: String
            var nextToken: String?
        }
        struct Output: Decodable, NextTokenPage {
            var deploymentGroups: [String]?
            var nextToken: String?
        }
        return try await listAll("ListDeploymentGroups", items: \Output.deploymentGroups) {
            Input(applicationName: application, nextToken: $0)
        }
    }

    public func getDeploymentGroup(application: String, name: String) async throws -> DeploymentGroupInfo {
        struct Input: Encodable {
            var applicationName: String
            var deploymentGroupName: String
        }
        struct Output: Decodable { var deploymentGroupInfo: DeploymentGroupInfo }
        let output: Output = try await call(
            "GetDeploymentGroup",
            Input(applicationName: application, deploymentGroupName: name)
        )
        return output.deploymentGroupInfo
    }

    public func batchGetDeploymentGroups(application: String, names: [String]) async throws -> [DeploymentGroupInfo] {
        struct Input: Encodable {
            var applicationName: String
            var deploymentGroupNames: [String]
        }
        var groups: [DeploymentGroupInfo] = []
        for batch in names.chunked(Self.groupBatch) {
            let output: DeploymentGroupsPage = try await client.json(
                .codeDeploy,
                "BatchGetDeploymentGroups",
                Input(applicationName: application, deploymentGroupNames: batch)
            )
            groups += output.deploymentGroupsInfo
        }
        return groups
    }

    public func createDeployment(_ input: CreateDeploymentInput) async throws -> String {
        let output: CreatedDeployment = try await client.json(.codeDeploy, "CreateDeployment", input)
        return output.deploymentId
    }

    public func getDeployment(id: String) async throws -> DeploymentInfo {
        struct Input: Encodable { var deploymentId: String }
        struct Output: Decodable { var deploymentInfo: DeploymentInfo }
        let output: Output = try await call("GetDeployment", Input(deploymentId: id))
        return output.deploymentInfo
    }

    public func batchGetDeployments(ids: [String]) async throws -> [DeploymentInfo] {
        struct Input: Encodable { var deploymentIds: [String] }
        var deployments: [DeploymentInfo] = []
        for batch in ids.chunked(Self.deploymentBatch) {
            let output: DeploymentsPage = try await client.json(
                .codeDeploy,
                "BatchGetDeployments",
                Input(deploymentIds: batch)
            )
            deployments += output.deploymentsInfo ?? []
        }
        return deployments
    }

    public func listDeployments(
        application: String,
        group: String,
        statuses: [String],
        createdAfter: Date?
    ) async throws -> [String] {
        struct TimeRange: Encodable { var start: Date? }
        struct Input: Encodable {
            var applicationName: String
            var deploymentGroupName: String
            var includeOnlyStatuses: [String]?
            var createTimeRange: TimeRange?
            var nextToken: String?
        }
        struct Output: Decodable, NextTokenPage {
            var deployments: [String]?
            var nextToken: String?
        }
        return try await listAll("ListDeployments", items: \Output.deployments) {
            Input(
                applicationName: application,
                deploymentGroupName: group,
                includeOnlyStatuses: statuses.isEmpty ? nil : statuses,
                createTimeRange: createdAfter.map { TimeRange(start: $0) },
                nextToken: $0
            )
        }
    }

    public func listDeploymentTargets(deploymentID: String) async throws -> [String] {
        struct Input: Encodable {
            var deploymentId: String
            var nextToken: String?
        }
        struct Output: Decodable, NextTokenPage {
            var targetIds: [String]?
            var nextToken: String?
        }
        return try await listAll("ListDeploymentTargets", items: \Output.targetIds) {
            Input(deploymentId: deploymentID, nextToken: $0)
        }
    }

    public func batchGetDeploymentTargets(deploymentID: String, targetIDs: [String]) async throws -> [DeploymentTarget]
    {
        struct Input: Encodable {
            var deploymentId: String
            var targetIds: [String]
        }
        struct Output: Decodable { var deploymentTargets: [DeploymentTarget]? }
        var targets: [DeploymentTarget] = []
        for batch in targetIDs.chunked(Self.targetBatch) {
            let output: Output = try await call(
                "BatchGetDeploymentTargets",
                Input(deploymentId: deploymentID, targetIds: batch)
            )
            targets += output.deploymentTargets ?? []
        }
        return targets
    }

    public func stopDeployment(
        id: String,
        autoRollbackEnabled: Bool?
    ) async throws -> (status: String?, message: String?) {
        struct Input: Encodable {
            var deploymentId: String
            var autoRollbackEnabled: Bool?
        }
        struct Output: Decodable {
            var status: String?
            var statusMessage: String?
        }
        let output: Output = try await call(
            "StopDeployment",
            Input(deploymentId: id, autoRollbackEnabled: autoRollbackEnabled)
        )
        return (output.status, output.statusMessage)
    }
}

/// A page of a CodeDeploy list answer.
protocol NextTokenPage {
    var nextToken: String? { get }
}
