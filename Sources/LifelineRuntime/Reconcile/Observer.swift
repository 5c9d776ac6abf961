import AWSWire
import Foundation
import LifelineCore
import LifelineStore

/// Step 1 of a pass (DESIGN §3): reads AWS for every managed deployment group at once, batched
/// at each API's limits, and the journal; produces one `Observation` and `JournalView` per group.
struct Observer: Sendable {
    let aws: AWSServices
    let journal: any Journal
    let now: @Sendable () -> Date
    /// Read every target of every active deployment (the audit), not only where lifeline may stop it.
    var everyTarget = false

    struct Seen: Sendable {
        var group: LifelineConfig.ManagedGroup
        var observation: Observation
        var journal: JournalView
    }

    /// What one observation gives: a `Seen` per group whose reads all succeeded, and the error of
    /// each group whose reads did not.
    struct Result: Sendable {
        var seen: [Seen]
        var failures: [DeploymentGroupName: GroupFailure]
        /// Auto Scaling group → the deployment group that covers it, for every group whose coverage
        /// was read (failed ones too: their messages are still recorded, and heartbeated).
        var owners: [String: DeploymentGroupName]
    }

    /// The reads in the order each needs the one before; every read is batched across the groups.
    func observe(_ groups: [LifelineConfig.ManagedGroup], queueARN: String?) async throws -> Result {
        var round = ObservationRound(groups: groups, openActions: try await journal.openActions())
        try await readDeploymentGroups(&round)
        try await readAutoScalingGroups(&round)
        try await readHooks(&round)
        try await readWaiting(&round)
        try await readJournalDeployments(&round)
        try await readDeployments(&round)
        try await readTargets(&round)
        try await readInstanceStates(&round)
        var owners: [String: DeploymentGroupName] = [:]
        for group in groups {
            for name in round.covered[group.name] ?? [] { owners[name] = group.name }
        }
        return Result(
            seen: round.live.map { round.seen($0, queueARN: queueARN) },
            failures: round.failures.mapValues { GroupFailure($0) },
            owners: owners
        )
    }
}

extension ObservedHook {
    init(_ hook: LifecycleHook) {
        self.init(
            name: hook.name,
            transition: hook.transition,
            heartbeatTimeout: hook.heartbeatTimeout,
            defaultResult: hook.defaultResult,
            notificationTargetARN: hook.notificationTargetARN,
            roleARN: hook.roleARN,
            metadata: hook.notificationMetadata
        )
    }
}

extension ObservedDeployment {
    init(_ info: DeploymentInfo, targets: [String: String]?, targetsComplete: Bool = false) {
        self.init(
            id: info.deploymentId ?? "",
            status: info.status ?? "Unknown",
            revision: info.revision.map(Revision.init),
            description: info.description,
            createdAt: info.createTime,
            targets: targets,
            targetsComplete: targetsComplete
        )
    }
}
