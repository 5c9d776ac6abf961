import Foundation

/// What lifeline is about to ask AWS to do, written before the call (write-ahead) and closed
/// with its outcome after. An intent without an outcome after a crash is resolved against AWS.
public struct Intent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case createDeployment, heartbeat, complete, stopDeployment, putHook
    }

    public enum Outcome: String, Sendable, Codable {
        /// AWS did it.
        case done
        /// AWS refused or failed; `detail` says why.
        case failed
        /// Nothing to do any more (the action was already closed, the deployment already existed).
        case moot
    }

    /// Assigned by the journal.
    public var id: Int64?
    public var kind: Kind
    public var deploymentGroup: String?
    public var actionToken: String?
    public var instanceID: String?
    /// The plan that decided it: `lifeline:<group>:<plan-id>` finds a deployment again after a crash.
    public var planID: String?
    /// What was asked, as JSON (revision, instances, result, …).
    public var payload: String
    public var createdAt: Date
    public var outcome: Outcome?
    public var detail: String?
    public var finishedAt: Date?

    public init(
        id: Int64? = nil,
        kind: Kind,
        deploymentGroup: String? = nil,
        actionToken: String? = nil,
        instanceID: String? = nil,
        planID: String? = nil,
        payload: String = "{}",
        createdAt: Date,
        outcome: Outcome? = nil,
        detail: String? = nil,
        finishedAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.deploymentGroup = deploymentGroup
        self.actionToken = actionToken
        self.instanceID = instanceID
        self.planID = planID
        self.payload = payload
        self.createdAt = createdAt
        self.outcome = outcome
        self.detail = detail
        self.finishedAt = finishedAt
    }
}

/// A deployment lifeline created.
public struct DeploymentRecord: Sendable, Equatable, Codable {
    public var id: String
    /// `APP/GROUP`
    public var deploymentGroup: String
    public var planID: String?
    public var revision: Revision
    public var instances: [String]
    /// CodeDeploy's status as last seen: `Created`, `InProgress`, `Succeeded`, `Failed`, `Stopped`, …
    public var status: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String,
        deploymentGroup: String,
        planID: String? = nil,
        revision: Revision,
        instances: [String],
        status: String,
        createdAt: Date,
        updatedAt: Date? = nil
    ) {
        self.id = id
        self.deploymentGroup = deploymentGroup
        self.planID = planID
        self.revision = revision
        self.instances = instances
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// The lifecycle hooks `DescribeLifecycleHooks` last reported on one Auto Scaling group, and when
/// (AWS's clock): within the drift-check interval a pass trusts them instead of reading again.
public struct VerifiedHooks: Sendable, Equatable {
    public var hooks: [ObservedHook]
    public var checkedAt: Date

    public init(hooks: [ObservedHook], checkedAt: Date) {
        self.hooks = hooks
        self.checkedAt = checkedAt
    }
}

/// The newest revision that succeeded for a deployment group: what new instances get.
public struct LastGoodRevision: Sendable, Equatable, Codable {
    public var deploymentGroup: String
    public var revision: Revision
    public var deploymentID: String?
    public var recordedAt: Date

    public init(deploymentGroup: String, revision: Revision, deploymentID: String?, recordedAt: Date) {
        self.deploymentGroup = deploymentGroup
        self.revision = revision
        self.deploymentID = deploymentID
        self.recordedAt = recordedAt
    }
}

/// A deployment group's loop breaker (DESIGN §4).
public struct BreakerState: Sendable, Equatable, Codable {
    public var deploymentGroup: String
    public var isOpen: Bool
    public var openedAt: Date?
    public var reason: String?
    /// When each launch → failed deployment → ABANDON → relaunch cycle was seen, for the sliding window.
    public var cycles: [Date]
    /// The group's last attempted deployment when its failures were last counted: a scan is due
    /// only when a newer deployment exists.
    public var scannedThrough: String?
    /// When `lifeline breaker reset` closed it: cycles before this no longer count.
    public var resetAt: Date?
    /// Selection misses, counted like cycles: when a second deployment of lifeline's ended without
    /// targeting waiting instances (the deployment group does not select them). One per such
    /// deployment, dated by its creation, as the loop scan counts one cycle per failed deployment.
    public var misses: [Date]
    public var version: Int

    public init(
        deploymentGroup: String,
        isOpen: Bool = false,
        openedAt: Date? = nil,
        reason: String? = nil,
        cycles: [Date] = [],
        scannedThrough: String? = nil,
        resetAt: Date? = nil,
        misses: [Date] = [],
        version: Int = 0
    ) {
        self.deploymentGroup = deploymentGroup
        self.isOpen = isOpen
        self.openedAt = openedAt
        self.reason = reason
        self.cycles = cycles
        self.scannedThrough = scannedThrough
        self.resetAt = resetAt
        self.misses = misses
        self.version = version
    }
}

/// One line of the append-only decision journal: what was decided, why, and what was seen.
public struct JournalEntry: Sendable, Equatable, Codable {
    public var id: Int64?
    public var at: Date
    public var deploymentGroup: String?
    public var instanceID: String?
    /// `create-deployment`, `heartbeat`, `complete CONTINUE`, `open-breaker`, …
    public var decision: String
    public var reason: String
    /// The observation behind it, as JSON.
    public var observation: String?

    public init(
        id: Int64? = nil,
        at: Date,
        deploymentGroup: String? = nil,
        instanceID: String? = nil,
        decision: String,
        reason: String,
        observation: String? = nil
    ) {
        self.id = id
        self.at = at
        self.deploymentGroup = deploymentGroup
        self.instanceID = instanceID
        self.decision = decision
        self.reason = reason
        self.observation = observation
    }
}

/// Which journal entries to read, newest first.
public struct JournalQuery: Sendable, Equatable {
    public var since: Date?
    public var until: Date?
    public var deploymentGroup: String?
    public var instanceID: String?
    public var limit: Int

    public init(
        since: Date? = nil,
        until: Date? = nil,
        deploymentGroup: String? = nil,
        instanceID: String? = nil,
        limit: Int = 1000
    ) {
        self.since = since
        self.until = until
        self.deploymentGroup = deploymentGroup
        self.instanceID = instanceID
        self.limit = limit
    }
}
