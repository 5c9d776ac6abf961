import Foundation
import LifelineCore
import LifelineStore
import Synchronization

/// InMemoryJournal whose action writes can be made to fail, as a full disk or a locked file would.
final class FailingJournal: Journal {
    let inner = InMemoryJournal()
    private let failing = Mutex(false)
    private let losing = Mutex(0)
    var failRecords: Bool {
        get { failing.withLock { $0 } }
        set { failing.withLock { $0 = newValue } }
    }
    /// How many of the next intent outcomes are lost, as a crash right after the AWS call loses them.
    var loseIntentOutcomes: Int {
        get { losing.withLock { $0 } }
        set { losing.withLock { $0 = newValue } }
    }

    private let conflicting = Mutex(0)
    /// How many of the next intent outcomes that store an action meet a version conflict: another
    /// writer (serve's heartbeat task) changed the action first, as the conflict says.
    var conflictOnFinish: Int {
        get { conflicting.withLock { $0 } }
        set { conflicting.withLock { $0 = newValue } }
    }

    struct DiskFull: Error {}

    private func check() throws { if failRecords { throw DiskFull() } }

    func recordAction(_ action: LifecycleAction) async throws -> LifecycleAction {
        try check()
        return try await inner.recordAction(action)
    }
    func recordActions(_ actions: [LifecycleAction]) async throws -> [LifecycleAction] {
        try check()
        return try await inner.recordActions(actions)
    }
    func action(token: String) async throws -> LifecycleAction? { try await inner.action(token: token) }
    func openActions() async throws -> [LifecycleAction] { try await inner.openActions() }
    func actions(instanceIDs: [String]) async throws -> [LifecycleAction] {
        try await inner.actions(instanceIDs: instanceIDs)
    }
    func updateAction(_ action: LifecycleAction) async throws -> LifecycleAction {
        try check()
        return try await inner.updateAction(action)
    }
    func recordHeartbeat(token: String, at: Date, timeout: Int) async throws -> LifecycleAction? {
        try check()
        return try await inner.recordHeartbeat(token: token, at: at, timeout: timeout)
    }
    func beginIntent(_ intent: Intent) async throws -> Intent { try await inner.beginIntent(intent) }
    func finishIntent(
        id: Int64,
        outcome: Intent.Outcome,
        detail: String?,
        at: Date,
        action: LifecycleAction?,
        deployment: DeploymentRecord?
    ) async throws {
        let lost = losing.withLock { count in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if lost { throw DiskFull() }
        if let action,
            conflicting.withLock({ count in
                count > 0
                    ? {
                        count -= 1
                        return true
                    }() : false
            })
        {
            if var stored = try await inner.action(token: action.token) {
                stored.heartbeatsSent += 1
                _ = try await inner.updateAction(stored)
            }
            throw StoreError(.conflict, "lifecycle action \(action.token) changed since it was read")
        }
        try await inner.finishIntent(
            id: id,
            outcome: outcome,
            detail: detail,
            at: at,
            action: action,
            deployment: deployment
        )
    }
    func openIntents() async throws -> [Intent] { try await inner.openIntents() }
    func recordDeployment(_ deployment: DeploymentRecord) async throws { try await inner.recordDeployment(deployment) }
    func deployment(id: String) async throws -> DeploymentRecord? { try await inner.deployment(id: id) }
    func deployments(deploymentGroup: String) async throws -> [DeploymentRecord] {
        try await inner.deployments(deploymentGroup: deploymentGroup)
    }
    func deployments(deploymentGroups: [String], since: Date) async throws -> [String: [DeploymentRecord]] {
        try await inner.deployments(deploymentGroups: deploymentGroups, since: since)
    }
    func lastGoodRevisions(deploymentGroups: [String]) async throws -> [String: LastGoodRevision] {
        try await inner.lastGoodRevisions(deploymentGroups: deploymentGroups)
    }
    func verifiedHooks(autoScalingGroups: [String]) async throws -> [String: VerifiedHooks] {
        try await inner.verifiedHooks(autoScalingGroups: autoScalingGroups)
    }
    func recordVerifiedHooks(_ hooks: [String: [ObservedHook]], at: Date) async throws {
        try await inner.recordVerifiedHooks(hooks, at: at)
    }
    func forgetVerifiedHooks(autoScalingGroups: [String]) async throws {
        try await inner.forgetVerifiedHooks(autoScalingGroups: autoScalingGroups)
    }
    func setLastGoodRevision(_ revision: LastGoodRevision) async throws {
        try await inner.setLastGoodRevision(revision)
    }
    func lastGoodRevision(deploymentGroup: String) async throws -> LastGoodRevision? {
        try await inner.lastGoodRevision(deploymentGroup: deploymentGroup)
    }
    func breaker(deploymentGroup: String) async throws -> BreakerState? {
        try await inner.breaker(deploymentGroup: deploymentGroup)
    }
    func breakers() async throws -> [BreakerState] { try await inner.breakers() }
    func saveBreaker(_ breaker: BreakerState) async throws -> BreakerState { try await inner.saveBreaker(breaker) }
    func append(_ entry: JournalEntry) async throws { try await inner.append(entry) }
    func appendMany(_ entries: [JournalEntry]) async throws { try await inner.appendMany(entries) }
    func entries(_ query: JournalQuery) async throws -> [JournalEntry] { try await inner.entries(query) }
    func prune(before cutoff: Date) async throws -> PruneReport { try await inner.prune(before: cutoff) }
}
