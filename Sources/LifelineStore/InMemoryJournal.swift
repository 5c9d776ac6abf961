import Foundation
import LifelineCore
import Synchronization

/// The journal in memory, for unit tests of pure logic. Same contract as `SQLiteJournal`.
public final class InMemoryJournal: Journal {
    private struct State {
        var actions: [String: LifecycleAction] = [:]
        var intents: [Int64: Intent] = [:]
        var nextIntent: Int64 = 1
        var deployments: [String: DeploymentRecord] = [:]
        var revisions: [String: LastGoodRevision] = [:]
        var breakers: [String: BreakerState] = [:]
        var entries: [JournalEntry] = []
        var hookChecks: [String: VerifiedHooks] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func recordAction(_ action: LifecycleAction) async throws -> LifecycleAction {
        state.withLock { s in
            if var known = s.actions[action.token] {
                let ids = merged(known.messageIDs, action.messageIDs)
                if ids != known.messageIDs {
                    known.messageIDs = ids
                    known.version += 1
                    s.actions[action.token] = known
                }
                return known
            }
            var stored = action
            stored.version = 1
            s.actions[action.token] = stored
            return stored
        }
    }

    public func recordActions(_ actions: [LifecycleAction]) async throws -> [LifecycleAction] {
        var stored: [LifecycleAction] = []
        for action in actions { stored.append(try await recordAction(action)) }
        return stored
    }

    public func action(token: String) async throws -> LifecycleAction? { state.withLock { $0.actions[token] } }

    public func actions(instanceIDs: [String]) async throws -> [LifecycleAction] {
        let wanted = Set(instanceIDs)
        return state.withLock {
            $0.actions.values.filter { wanted.contains($0.instanceID) }.sorted {
                ($0.firstSeen, $0.token) < ($1.firstSeen, $1.token)
            }
        }
    }

    public func openActions() async throws -> [LifecycleAction] {
        state.withLock {
            $0.actions.values.filter { $0.state.isOpen }.sorted { ($0.firstSeen, $0.token) < ($1.firstSeen, $1.token) }
        }
    }

    public func updateAction(_ action: LifecycleAction) async throws -> LifecycleAction {
        try state.withLock { try Self.update(action, in: &$0) }
    }

    public func recordHeartbeat(token: String, at: Date, timeout: Int) async throws -> LifecycleAction? {
        try state.withLock { s in
            guard var action = s.actions[token], action.state.isOpen else { return nil }
            action.heartbeatAccepted(at: at, timeout: timeout)
            return try Self.update(action, in: &s)
        }
    }

    private static func update(_ action: LifecycleAction, in s: inout State) throws -> LifecycleAction {
        guard let stored = s.actions[action.token] else {
            throw StoreError(.notFound, "no lifecycle action with token \(action.token)")
        }
        guard stored.version == action.version else {
            throw StoreError(
                .conflict,
                "lifecycle action \(action.token) changed since it was read (version \(action.version), now "
                    + "\(stored.version))"
            )
        }
        var next = action
        next.version += 1
        s.actions[action.token] = next
        return next
    }

    public func beginIntent(_ intent: Intent) async throws -> Intent {
        state.withLock { s in
            var stored = intent
            stored.id = s.nextIntent
            s.nextIntent += 1
            s.intents[stored.id!] = stored
            return stored
        }
    }

    public func finishIntent(
        id: Int64,
        outcome: Intent.Outcome,
        detail: String?,
        at: Date,
        action: LifecycleAction?,
        deployment: DeploymentRecord?
    ) async throws {
        try state.withLock { s in
            guard var intent = s.intents[id] else { throw StoreError(.notFound, "no intent \(id)") }
            guard intent.outcome == nil else { throw StoreError(.conflict, "intent \(id) already has its outcome") }
            var copy = s
            if let action { _ = try Self.update(action, in: &copy) }
            if let deployment {
                copy.deployments[deployment.id] = deployment
                let instances = Set(deployment.instances)
                for (token, action) in copy.actions
                where action.state == .waiting && instances.contains(action.instanceID) {
                    copy.actions[token]?.state = .deploying
                    copy.actions[token]?.version += 1
                }
            }
            intent.outcome = outcome
            intent.detail = detail
            intent.finishedAt = at
            copy.intents[id] = intent
            s = copy
        }
    }

    public func openIntents() async throws -> [Intent] {
        state.withLock { $0.intents.values.filter { $0.outcome == nil }.sorted { $0.id! < $1.id! } }
    }

    public func recordDeployment(_ deployment: DeploymentRecord) async throws {
        state.withLock { $0.deployments[deployment.id] = deployment }
    }

    public func deployment(id: String) async throws -> DeploymentRecord? { state.withLock { $0.deployments[id] } }

    public func deployments(deploymentGroup: String) async throws -> [DeploymentRecord] {
        state.withLock {
            $0.deployments.values.filter { $0.deploymentGroup == deploymentGroup }.sorted {
                ($0.createdAt, $0.id) > ($1.createdAt, $1.id)
            }
        }
    }

    public func deployments(deploymentGroups: [String], since: Date) async throws -> [String: [DeploymentRecord]] {
        var byGroup: [String: [DeploymentRecord]] = [:]
        for group in Set(deploymentGroups) {
            let records = try await deployments(deploymentGroup: group).filter {
                $0.createdAt >= since || ObservedDeployment.activeStatuses.contains($0.status)
            }
            if !records.isEmpty { byGroup[group] = records }
        }
        return byGroup
    }

    public func lastGoodRevisions(deploymentGroups: [String]) async throws -> [String: LastGoodRevision] {
        let wanted = Set(deploymentGroups)
        return state.withLock { s in s.revisions.filter { wanted.contains($0.key) } }
    }

    public func verifiedHooks(autoScalingGroups: [String]) async throws -> [String: VerifiedHooks] {
        let wanted = Set(autoScalingGroups)
        return state.withLock { s in s.hookChecks.filter { wanted.contains($0.key) } }
    }

    public func recordVerifiedHooks(_ hooks: [String: [ObservedHook]], at: Date) async throws {
        state.withLock { s in
            for (group, list) in hooks { s.hookChecks[group] = VerifiedHooks(hooks: list, checkedAt: at) }
        }
    }

    public func forgetVerifiedHooks(autoScalingGroups: [String]) async throws {
        state.withLock { s in for group in autoScalingGroups { s.hookChecks[group] = nil } }
    }

    public func setLastGoodRevision(_ revision: LastGoodRevision) async throws {
        state.withLock { $0.revisions[revision.deploymentGroup] = revision }
    }

    public func lastGoodRevision(deploymentGroup: String) async throws -> LastGoodRevision? {
        state.withLock { $0.revisions[deploymentGroup] }
    }

    public func breaker(deploymentGroup: String) async throws -> BreakerState? {
        state.withLock { $0.breakers[deploymentGroup] }
    }

    public func breakers() async throws -> [BreakerState] {
        state.withLock { $0.breakers.values.sorted { $0.deploymentGroup < $1.deploymentGroup } }
    }

    public func saveBreaker(_ breaker: BreakerState) async throws -> BreakerState {
        try state.withLock { s in
            let current = s.breakers[breaker.deploymentGroup]?.version ?? 0
            guard current == breaker.version else {
                throw StoreError(
                    .conflict,
                    "breaker of \(breaker.deploymentGroup) changed since it was read (version \(breaker.version), "
                        + "now \(current))"
                )
            }
            var next = breaker
            next.version += 1
            s.breakers[breaker.deploymentGroup] = next
            return next
        }
    }

    public func append(_ entry: JournalEntry) async throws { try await appendMany([entry]) }

    public func appendMany(_ entries: [JournalEntry]) async throws {
        state.withLock { s in
            for entry in entries {
                var stored = entry
                stored.id = (s.entries.last?.id ?? 0) + 1
                s.entries.append(stored)
            }
        }
    }

    public func entries(_ query: JournalQuery) async throws -> [JournalEntry] {
        state.withLock { s in
            Array(
                s.entries.reversed().filter { e in
                    (query.since.map { e.at >= $0 } ?? true) && (query.until.map { e.at < $0 } ?? true)
                        && (query.deploymentGroup.map { e.deploymentGroup == $0 } ?? true)
                        && (query.instanceID.map { e.instanceID == $0 } ?? true)
                }.sorted { ($0.at, $0.id!) > ($1.at, $1.id!) }.prefix(query.limit)
            )
        }
    }

    public func prune(before cutoff: Date) async throws -> PruneReport {
        state.withLock { s in
            var report = PruneReport()
            let entries = s.entries.count
            s.entries.removeAll { $0.at < cutoff }
            report.entries = entries - s.entries.count
            let actions = s.actions.count
            s.actions = s.actions.filter {
                $0.value.state.isOpen || ($0.value.closedAt ?? $0.value.firstSeen) >= cutoff
            }
            report.actions = actions - s.actions.count
            let intents = s.intents.count
            s.intents = s.intents.filter {
                $0.value.outcome == nil || ($0.value.finishedAt ?? $0.value.createdAt) >= cutoff
            }
            report.intents = intents - s.intents.count
            let deployments = s.deployments.count
            s.deployments = s.deployments.filter {
                !["Succeeded", "Failed", "Stopped"].contains($0.value.status) || $0.value.updatedAt >= cutoff
            }
            report.deployments = deployments - s.deployments.count
            return report
        }
    }
}
