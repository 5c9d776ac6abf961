import Foundation
import LifelineCore

/// lifeline's memory across restarts and crashes. Every write is durable when the call returns.
/// Writes that change an action or a breaker check its `version` (optimistic concurrency):
/// two workers cannot both complete one action.
public protocol Journal: Sendable {
    // MARK: Lifecycle actions

    /// Records an action seen in a notification or an observation. Idempotent by token: a known
    /// token keeps its state and gains any new message ids. Returns the stored action.
    func recordAction(_ action: LifecycleAction) async throws -> LifecycleAction
    /// `recordAction` for many, in one transaction.
    func recordActions(_ actions: [LifecycleAction]) async throws -> [LifecycleAction]
    func action(token: String) async throws -> LifecycleAction?
    /// Actions in `waiting`, `deploying` or `completing`, oldest first.
    func openActions() async throws -> [LifecycleAction]
    /// Every action on record (open or finished) for these instances, oldest first.
    func actions(instanceIDs: [String]) async throws -> [LifecycleAction]
    /// Stores `action` if the stored version is still `action.version`; returns it with the new
    /// version, or throws `StoreError.conflict`.
    func updateAction(_ action: LifecycleAction) async throws -> LifecycleAction
    /// Records a heartbeat AWS accepted on the action as it is stored now, in one write: no
    /// other writer can make it conflict. Returns the action, or nil when it is no longer open.
    func recordHeartbeat(token: String, at: Date, timeout: Int) async throws -> LifecycleAction?

    /// A pass's bookkeeping in one transaction: the actions it adopts (as `recordActions`), the
    /// last good revisions it learned, the deployments it tracks, and the intents of the calls its
    /// plans are about to make (as `beginIntent`: written ahead of every one of them, so one commit
    /// serves every group of the pass). Returns the intents with their ids, in order.
    @discardableResult
    func recordBookkeeping(
        actions: [LifecycleAction],
        lastGood: [LastGoodRevision],
        deployments: [DeploymentRecord],
        intents: [Intent]
    ) async throws -> [Intent]

    // MARK: Write-ahead intents

    /// Commits an intent before the AWS call; returns it with its id.
    func beginIntent(_ intent: Intent) async throws -> Intent
    /// Closes an intent with its outcome, and in the same transaction stores the action or the
    /// deployment the outcome changed (versions checked as in `updateAction`). A deployment's
    /// instances whose actions are `waiting` become `deploying`: the deployment is for them.
    func finishIntent(
        id: Int64,
        outcome: Intent.Outcome,
        detail: String?,
        at: Date,
        action: LifecycleAction?,
        deployment: DeploymentRecord?
    ) async throws
    /// Intents without an outcome: what a crash interrupted.
    func openIntents() async throws -> [Intent]

    // MARK: Deployments, revisions, breakers

    /// Inserts or replaces the deployment with that id.
    func recordDeployment(_ deployment: DeploymentRecord) async throws
    func deployment(id: String) async throws -> DeploymentRecord?
    /// Newest first.
    func deployments(deploymentGroup: String) async throws -> [DeploymentRecord]
    /// Newest first, for many groups in one read; a group with none is absent. Only the records
    /// created at or after `since`, and those still active however old (a group's whole history
    /// is not read on every pass).
    func deployments(deploymentGroups: [String], since: Date) async throws -> [String: [DeploymentRecord]]
    func setLastGoodRevision(_ revision: LastGoodRevision) async throws
    func lastGoodRevision(deploymentGroup: String) async throws -> LastGoodRevision?
    /// `lastGoodRevision` for many groups in one read; a group with none is absent.
    func lastGoodRevisions(deploymentGroups: [String]) async throws -> [String: LastGoodRevision]
    func breaker(deploymentGroup: String) async throws -> BreakerState?
    func breakers() async throws -> [BreakerState]
    /// Stores the breaker if its version is current (0 for a new one); returns it with the new version.
    func saveBreaker(_ breaker: BreakerState) async throws -> BreakerState

    // MARK: Verified hooks (the drift check)

    /// The hooks last read on each of these Auto Scaling groups, and when; a group never read is absent.
    func verifiedHooks(autoScalingGroups: [String]) async throws -> [String: VerifiedHooks]
    /// What `DescribeLifecycleHooks` said for each group at `at`, replacing the reading before.
    func recordVerifiedHooks(_ hooks: [String: [ObservedHook]], at: Date) async throws
    /// Forgets these groups' readings (something points at drift): the next pass reads them again.
    func forgetVerifiedHooks(autoScalingGroups: [String]) async throws

    // MARK: Decision journal

    func append(_ entry: JournalEntry) async throws
    /// Many entries in one transaction (a pass's decisions).
    func appendMany(_ entries: [JournalEntry]) async throws
    func entries(_ query: JournalQuery) async throws -> [JournalEntry]

    // MARK: Retention

    /// Deletes what ended before `cutoff`: decision-journal entries, finished actions, intents with
    /// an outcome, ended deployments. Never an open action or an open intent, nor the last good
    /// revisions and breakers. The file gives the space back. Returns what went.
    func prune(before cutoff: Date) async throws -> PruneReport
}

/// What one prune deleted.
public struct PruneReport: Sendable, Equatable, Codable {
    public var entries = 0
    public var actions = 0
    public var intents = 0
    public var deployments = 0

    public init(entries: Int = 0, actions: Int = 0, intents: Int = 0, deployments: Int = 0) {
        self.entries = entries
        self.actions = actions
        self.intents = intents
        self.deployments = deployments
    }

    public var summary: String {
        "\(entries) decision(s), \(actions) finished action(s), \(intents) finished intent(s), "
            + "\(deployments) ended deployment(s)"
    }
}

extension Journal {
    /// One write after another, for journals without transactions of their own (in memory).
    @discardableResult
    public func recordBookkeeping(
        actions: [LifecycleAction],
        lastGood: [LastGoodRevision],
        deployments: [DeploymentRecord],
        intents: [Intent]
    ) async throws -> [Intent] {
        if !actions.isEmpty { _ = try await recordActions(actions) }
        for revision in lastGood { try await setLastGoodRevision(revision) }
        for deployment in deployments { try await recordDeployment(deployment) }
        var begun: [Intent] = []
        for intent in intents { begun.append(try await beginIntent(intent)) }
        return begun
    }

    public func finishIntent(
        id: Int64,
        outcome: Intent.Outcome,
        detail: String? = nil,
        at: Date,
        action: LifecycleAction? = nil
    ) async throws {
        try await finishIntent(id: id, outcome: outcome, detail: detail, at: at, action: action, deployment: nil)
    }
}

/// The journal's one error type: a message naming the file and what to do.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        /// Someone else changed the row first (stale version).
        case conflict
        /// The file cannot be opened, is not a database, or is damaged.
        case unreadable
        /// Written by a newer lifeline with migrations this one does not know.
        case newerSchema
        case notFound
        case io
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Merges message ids without duplicates, keeping first-seen order.
func merged(_ existing: [String], _ new: [String]) -> [String] {
    var result = existing
    for id in new where !result.contains(id) { result.append(id) }
    return result
}
