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
    /// How long a verified reading of an Auto Scaling group's hooks is trusted (0: read every time).
    var hookCheckInterval: TimeInterval = 0
    /// Auto Scaling groups whose hooks something points at drift on: read them whatever the interval.
    var suspectHooks: Set<String> = []
    /// Read only these Auto Scaling groups (and those named elsewhere), not every one a tag filter
    /// might select: a pass for messages' groups whose coverage is known. Nil: read what the filters need.
    var onlyAutoScalingGroups: Set<String>?
    /// Target lists of started deployments an earlier pass read (a started deployment's targets are fixed).
    var targetLists: [String: Set<String>] = [:]

    /// How far back the journal's deployment records are read: the longest a hook holds an
    /// instance (48 h), and an hour for the clock.
    static let recordHorizon: TimeInterval = 49 * 3600

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
        /// (Auto Scaling group, lifeline's hook) → the deployment group it is for, for every group
        /// whose coverage was read (failed ones too: their messages are still recorded). An Auto
        /// Scaling group two deployment groups cover carries a hook of each.
        var owners: [HookKey: DeploymentGroupName]
        /// The Auto Scaling groups whose hooks were read from Auto Scaling (not the journal's reading).
        var hooksRead: Set<String> = []
        /// The Auto Scaling groups each observed deployment group covers.
        var covered: [DeploymentGroupName: Set<String>] = [:]
        /// Target lists this observation read, for the next one.
        var targetLists: [String: Set<String>] = [:]
    }

    /// The reads in the order each needs the one before; every read is batched across the groups.
    func observe(_ groups: [LifelineConfig.ManagedGroup], queueARN: String?) async throws -> Result {
        var round = ObservationRound(groups: groups, openActions: try await journal.openActions())
        try await readDeploymentGroups(&round)
        try await readAutoScalingGroups(&round)
        refuseCollidingHooks(&round)
        try await readHooks(&round)
        try await readWaiting(&round)
        try await readJournalDeployments(&round)
        try await readDeployments(&round)
        try await readTargets(&round)
        try await readInstanceStates(&round)
        var owners: [HookKey: DeploymentGroupName] = [:]
        for group in groups {
            for name in round.covered[group.name] ?? [] {
                owners[HookKey(autoScalingGroup: name, hook: group.name.hookName)] = group.name
                if group.policy.terminatingHook {
                    owners[HookKey(autoScalingGroup: name, hook: group.name.terminateHookName)] = group.name
                }
            }
        }
        return Result(
            seen: round.live.map { round.seen($0, queueARN: queueARN) },
            failures: round.failures.mapValues { GroupFailure($0) },
            owners: owners,
            hooksRead: round.hooksRead,
            covered: Dictionary(uniqueKeysWithValues: round.live.map { ($0.name, Set(round.covered[$0.name] ?? [])) }),
            targetLists: round.targetLists
        )
    }

    /// Two deployment groups of the same name in different applications would put one hook name
    /// (`lifeline-launch-<group>`) twice on an Auto Scaling group they share: neither could tell
    /// its waiting instances from the other's. Both sit out, with why.
    func refuseCollidingHooks(_ round: inout ObservationRound) {
        var covering: [String: [LifelineConfig.ManagedGroup]] = [:]
        for group in round.live {
            for asg in round.covered[group.name] ?? [] { covering[asg, default: []].append(group) }
        }
        for (asg, groups) in covering.sorted(by: { $0.key < $1.key }) where groups.count > 1 {
            let byHook = Dictionary(grouping: groups) { $0.name.hookName }
            for (hook, sharing) in byHook where sharing.count > 1 {
                let names = sharing.map(\.name.description).sorted().joined(separator: " and ")
                round.fail(
                    sharing.map(\.name),
                    RuntimeError(
                        "\(names) both cover Auto Scaling group \(asg), and both would use the hook \(hook) there: "
                            + "rename one of the deployment groups, or take \(asg) out of one of them"
                    )
                )
            }
        }
    }
}

/// An Auto Scaling group and a lifecycle hook on it: what a lifecycle message names.
public struct HookKey: Hashable, Sendable {
    public var autoScalingGroup: String
    public var hook: String
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
