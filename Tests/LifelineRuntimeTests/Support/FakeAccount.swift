import Foundation
import LifelineCore
import Synchronization

@testable import AWSWire
@testable import LifelineRuntime

/// An in-memory AWS account behind lifeline's four narrow seams, for unit tests of the runtime's
/// shell: it answers from plain values, records every call in order, and fails the operations a
/// test names. Only what the seams promise is modelled; the simulator is the faithful one.
final class FakeAccount: AutoScalingAPI, CodeDeployAPI, EC2API, SQSAPI, Sendable {
    struct State {
        var groups: [AutoScalingGroup] = []
        var hooks: [String: [LifecycleHook]] = [:]
        var deploymentGroups: [DeploymentGroupInfo] = []
        var deployments: [String: DeploymentInfo] = [:]
        /// Deployment id → instance → target status.
        var targets: [String: [String: String]] = [:]
        var instances: [EC2Instance] = []
        var messages: [SQSMessage] = []
        /// Operation (`CreateDeployment`, or `CreateDeployment i-1` for one resource) → the error it throws.
        var failures: [String: AWSError] = [:]
        /// Every call, `Operation argument`, in order.
        var calls: [String] = []
        var created = 0
        /// Seconds the account's clock is ahead of the host's: CodeDeploy's times are on it.
        var clockOffset: TimeInterval = 0
        /// Operation (or `Operation argument`) → how long its answer takes, for lifecycle calls and CreateDeployment.
        var delays: [String: Duration] = [:]
        /// Lifecycle calls in flight now, and the most that ever were at once, per operation.
        var inFlight: [String: Int] = [:]
        var mostInFlight: [String: Int] = [:]
        /// `Operation argument` → the time left in its call window (`CallWindow`) when it was made.
        var windows: [String: Duration] = [:]
    }

    let state = Mutex(State())

    var calls: [String] { state.withLock { $0.calls } }
    func calls(_ operation: String) -> [String] { calls.filter { $0.hasPrefix(operation + " ") || $0 == operation } }
    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }

    /// Records the call; throws the failure set for the operation, or for it on this resource.
    private func call(_ operation: String, _ argument: String = "") throws {
        let left = CallWindow.usefulUntil.map { $0 - ContinuousClock.now }
        let failure: AWSError? = state.withLock { state in
            let call = argument.isEmpty ? operation : "\(operation) \(argument)"
            state.calls.append(call)
            state.windows[call] = left
            return state.failures["\(operation) \(argument)"] ?? state.failures[operation]
        }
        if let failure { throw failure }
    }

    /// Holds a lifecycle call for its delay, counting how many are in flight at once.
    private func answerLater(_ operation: String, _ argument: String) async throws {
        let delay = state.withLock { state -> Duration? in
            state.inFlight[operation, default: 0] += 1
            state.mostInFlight[operation] = max(state.mostInFlight[operation] ?? 0, state.inFlight[operation]!)
            return state.delays["\(operation) \(argument)"] ?? state.delays[operation]
        }
        defer { state.withLock { $0.inFlight[operation, default: 1] -= 1 } }
        if let delay { try await Task.sleep(for: delay) }
    }

    static func error(_ operation: String, _ code: String, _ message: String = "refused by the test") -> AWSError {
        AWSError(service: "fake", operation: operation, code: code, message: message, httpStatus: 400)
    }

    // MARK: Auto Scaling

    func describeAutoScalingGroups(names: [String]) async throws -> [AutoScalingGroup] {
        try call("DescribeAutoScalingGroups", names.joined(separator: ","))
        return state.withLock { state in state.groups.filter { names.isEmpty || names.contains($0.name) } }
    }

    func describeAutoScalingGroups(filters: [AutoScalingGroupFilter]) async throws -> [AutoScalingGroup] {
        try call(
            "DescribeAutoScalingGroups",
            filters.map { "\($0.name)=\($0.values.joined(separator: "|"))" }.joined(separator: ",")
        )
        return state.withLock { state in state.groups.filter { group in filters.allSatisfy { $0.passes(group.tags) } } }
    }

    func describeAutoScalingInstances(ids: [String]) async throws -> [AutoScalingInstanceDetails] {
        try call("DescribeAutoScalingInstances", ids.joined(separator: ","))
        return state.withLock { state in
            state.groups.flatMap { group in
                group.instances.filter { ids.contains($0.instanceID) }.map {
                    AutoScalingInstanceDetails(
                        instanceID: $0.instanceID,
                        groupName: group.name,
                        lifecycleState: $0.lifecycleState,
                        healthStatus: $0.healthStatus
                    )
                }
            }
        }
    }

    func describeLifecycleHooks(group: String) async throws -> [LifecycleHook] {
        try call("DescribeLifecycleHooks", group)
        return state.withLock { $0.hooks[group] ?? [] }
    }

    func putLifecycleHook(_ hook: LifecycleHook) async throws {
        try call("PutLifecycleHook", "\(hook.groupName)/\(hook.name)")
        state.withLock { state in
            state.hooks[hook.groupName, default: []].removeAll { $0.name == hook.name }
            state.hooks[hook.groupName, default: []].append(hook)
        }
    }

    func deleteLifecycleHook(group: String, hook: String) async throws {
        try call("DeleteLifecycleHook", "\(group)/\(hook)")
    }

    func completeLifecycleAction(
        group: String,
        hook: String,
        action: LifecycleActionReference,
        result: LifecycleActionResult
    ) async throws {
        try await answerLater("CompleteLifecycleAction", Self.describe(action))
        try call("CompleteLifecycleAction", "\(Self.describe(action)) \(result.rawValue)")
        state.withLock { state in
            guard case let .instance(id) = action, let index = state.groups.firstIndex(where: { $0.name == group })
            else { return }
            for i in state.groups[index].instances.indices where state.groups[index].instances[i].instanceID == id {
                state.groups[index].instances[i].lifecycleState = result == .continue ? "InService" : "Terminating"
            }
        }
    }

    func recordLifecycleActionHeartbeat(group: String, hook: String, action: LifecycleActionReference) async throws {
        try call("RecordLifecycleActionHeartbeat", Self.describe(action))
        try await answerLater("RecordLifecycleActionHeartbeat", Self.describe(action))
    }

    func describeScalingActivities(group: String, limit: Int) async throws -> [ScalingActivity] {
        try call("DescribeScalingActivities", group)
        return []
    }

    static func describe(_ action: LifecycleActionReference) -> String {
        switch action {
        case let .token(token): "token:\(token)"
        case let .instance(id): id
        }
    }

    // MARK: CodeDeploy

    func listApplications() async throws -> [String] {
        try call("ListApplications")
        return state.withLock { Array(Set($0.deploymentGroups.compactMap(\.applicationName))).sorted() }
    }

    func listDeploymentGroups(application: String) async throws -> [String] {
        try call("ListDeploymentGroups", application)
        return state.withLock { state in
            state.deploymentGroups.filter { $0.applicationName == application }.compactMap(\.deploymentGroupName)
        }
    }

    func getDeploymentGroup(application: String, name: String) async throws -> DeploymentGroupInfo {
        try call("GetDeploymentGroup", "\(application)/\(name)")
        guard let info = try await batchGetDeploymentGroups(application: application, names: [name]).first else {
            throw Self.error("GetDeploymentGroup", "DeploymentGroupDoesNotExistException")
        }
        return info
    }

    func batchGetDeploymentGroups(application: String, names: [String]) async throws -> [DeploymentGroupInfo] {
        try call("BatchGetDeploymentGroups", "\(application)/\(names.joined(separator: ","))")
        return state.withLock { state in
            state.deploymentGroups.filter {
                $0.applicationName == application && names.contains($0.deploymentGroupName ?? "")
            }
        }
    }

    func createDeployment(_ input: CreateDeploymentInput) async throws -> String {
        try call("CreateDeployment", "\(input.applicationName)/\(input.deploymentGroupName ?? "")")
        try await answerLater("CreateDeployment", "\(input.applicationName)/\(input.deploymentGroupName ?? "")")
        return state.withLock { state in
            state.created += 1
            let id = "d-\(state.created)"
            state.deployments[id] = DeploymentInfo(
                applicationName: input.applicationName,
                deploymentGroupName: input.deploymentGroupName,
                deploymentId: id,
                revision: input.revision,
                status: "Created",
                createTime: Date().addingTimeInterval(state.clockOffset),
                description: input.description,
                creator: "user"
            )
            return id
        }
    }

    func getDeployment(id: String) async throws -> DeploymentInfo {
        try call("GetDeployment", id)
        guard let info = state.withLock({ $0.deployments[id] }) else {
            throw Self.error("GetDeployment", "DeploymentDoesNotExistException")
        }
        return info
    }

    func batchGetDeployments(ids: [String]) async throws -> [DeploymentInfo] {
        try call("BatchGetDeployments", ids.joined(separator: ","))
        return state.withLock { state in ids.compactMap { state.deployments[$0] } }
    }

    func listDeployments(
        application: String,
        group: String,
        statuses: [String],
        createdAfter: Date?
    ) async throws -> [String] {
        try call("ListDeployments", "\(application)/\(group)")
        return state.withLock { state in
            state.deployments.values.filter { info in
                info.applicationName == application && info.deploymentGroupName == group
                    && (statuses.isEmpty || statuses.contains(info.status ?? ""))
                    && (createdAfter.map { (info.createTime ?? .distantPast) >= $0 } ?? true)
            }.compactMap(\.deploymentId).sorted()
        }
    }

    func listDeploymentTargets(deploymentID: String) async throws -> [String] {
        try call("ListDeploymentTargets", deploymentID)
        return state.withLock { ($0.targets[deploymentID] ?? [:]).keys.sorted() }
    }

    func batchGetDeploymentTargets(deploymentID: String, targetIDs: [String]) async throws -> [DeploymentTarget] {
        try call("BatchGetDeploymentTargets", deploymentID)
        // As CodeDeploy: an id that is not one of the deployment's targets fails the whole call.
        if let missing = state.withLock({ s in targetIDs.first { s.targets[deploymentID]?[$0] == nil } }) {
            throw Self.error(
                "BatchGetDeploymentTargets",
                "DeploymentTargetDoesNotExistException",
                "The deployment target \(missing) does not exist."
            )
        }
        return state.withLock { state in
            targetIDs.compactMap { id in
                state.targets[deploymentID]?[id].map {
                    DeploymentTarget(
                        deploymentTargetType: "InstanceTarget",
                        instanceTarget: InstanceTarget(deploymentId: deploymentID, targetId: id, status: $0)
                    )
                }
            }
        }
    }

    func stopDeployment(id: String, autoRollbackEnabled: Bool?) async throws -> (status: String?, message: String?) {
        try call("StopDeployment", id)
        state.withLock { $0.deployments[id]?.status = "Stopped" }
        return ("Succeeded", nil)
    }

    // MARK: EC2

    func describeInstances(filters: [EC2Filter]) async throws -> [EC2Instance] {
        try call("DescribeInstances", "filters")
        return state.withLock { $0.instances }
    }

    func describeInstances(ids: [String]) async throws -> [EC2Instance] {
        try call("DescribeInstances", ids.joined(separator: ","))
        return state.withLock { state in state.instances.filter { ids.contains($0.instanceID) } }
    }

    // MARK: SQS

    func receiveMessages(
        queueURL: String,
        max: Int,
        waitSeconds: Int,
        visibilityTimeout: Int?
    ) async throws
        -> [SQSMessage]
    {
        try call("ReceiveMessage")
        return state.withLock { state in
            let batch = Array(state.messages.prefix(max))
            state.messages.removeFirst(batch.count)
            return batch
        }
    }

    func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        try call("DeleteMessage", receiptHandle)
    }

    func deleteMessages(queueURL: String, receiptHandles: [String]) async throws -> [SQSBatchFailure] {
        try call("DeleteMessageBatch", receiptHandles.joined(separator: ","))
        return []
    }

    func changeMessageVisibility(queueURL: String, receiptHandle: String, visibilityTimeout: Int) async throws {
        try call("ChangeMessageVisibility", "\(receiptHandle) \(visibilityTimeout)")
    }

    func getQueueAttributes(queueURL: String, names: [String]) async throws -> [String: String] {
        try call("GetQueueAttributes")
        return ["QueueArn": "arn:aws:sqs:us-east-1:123456789012:lifeline-events"]
    }

    var services: AWSServices { AWSServices(autoScaling: self, ec2: self, codeDeploy: self, sqs: self) }
}

extension AutoScalingGroupFilter {
    /// Auto Scaling's reading of a filter on a group's own tags.
    func passes(_ tags: [String: String]) -> Bool {
        switch name {
        case "tag-key": tags.keys.contains { values.contains($0) }
        case "tag-value": tags.values.contains { values.contains($0) }
        default: name.hasPrefix("tag:") && tags[String(name.dropFirst(4))].map(values.contains) == true
        }
    }
}
