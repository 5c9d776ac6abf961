import AWSWire
import Foundation
import JSONCoding
import LifelineCore
import LifelineStore
import Logging

/// Step 3 of a pass (DESIGN §3): carries out a plan through the AWS clients, write-ahead: the
/// intent is in the journal before the call that changes AWS, the outcome after it.
struct PlanExecutor: Sendable {
    let aws: AWSServices
    let journal: any Journal
    let logger: Logger
    let metrics: ReconcileMetrics?
    let now: @Sendable () -> Date
    /// This replica's leases when several share the groups (DESIGN §11); nil: it owns them all.
    var leases: LeaseKeeper? = nil
    /// The reconciler's heartbeats on their way (serve's heartbeat task sends them too).
    var heartbeatsInFlight = HeartbeatsInFlight()

    /// Completions (and heartbeats) of one plan in flight at once.
    var concurrency = 8
    /// The CreateDeployment intents `recordBookkeeping` wrote ahead, by plan id, with the fence
    /// each was written with.
    var written: [String: WrittenIntent] = [:]

    /// Executes every step; a failed step is logged and left for the next pass, never fatal.
    /// Heartbeats go first, side by side. Then the plan's steps in order, except that the
    /// completions between two other AWS calls go out side by side, after that stretch's journal
    /// steps: a wave's 25 completions must not queue one behind another while the hooks of the
    /// last run out, and a completion the plan puts before a StopDeployment still goes first (the
    /// stop would abandon the instance otherwise). Returns the failures, one line each.
    /// `bookkept`: `recordBookkeeping` already wrote the plan's adoptions, last good revision and tracked deployments.
    func execute(_ plan: Plan, bookkept: Bool = false) async -> [String] {
        let adopted = plan.steps.compactMap { if case let .adopt(action, _) = $0 { action } else { nil } }
        if !adopted.isEmpty && !bookkept {
            do { _ = try await journal.recordActions(adopted) } catch {
                return ["\(plan.deploymentGroup): recording \(adopted.count) waiting instances: \(error)"]
            }
        }
        // One of each per action: two at once for one action would race each other.
        var heartbeated = Set<String>()
        var completed = Set<String>()
        var heartbeats: [PlanStep] = []
        var stretch: (journal: [PlanStep], completions: [PlanStep]) = ([], [])
        var failures: [String] = []
        var ordered: [[PlanStep]] = []  // stretches and the AWS calls between them, in order
        for step in plan.steps {
            switch step {
            case let .heartbeat(action, _, _):
                if heartbeated.insert(action.token).inserted { heartbeats.append(step) }
            case let .complete(action, _, _):
                if completed.insert(action.token).inserted { stretch.completions.append(step) }
            case .putHook, .createDeployment, .stopDeployment:
                ordered += [stretch.journal, stretch.completions, [step]]
                stretch = ([], [])
            case .setLastGood, .track:
                if !bookkept { stretch.journal.append(step) }
            default:
                stretch.journal.append(step)
            }
        }
        ordered += [stretch.journal, stretch.completions]
        failures += await executeConcurrently(heartbeats, plan)
        for steps in ordered where !steps.isEmpty {
            if case .complete = steps[0] {
                failures += await executeConcurrently(steps, plan)
            } else {
                for step in steps { failures += await attempt(step, plan).map { [$0] } ?? [] }
            }
        }
        return failures
    }

    /// The bookkeeping of every plan of a pass (adoptions, last good revisions, tracked
    /// deployments) and the intents of its CreateDeployment calls, in one journal transaction
    /// before any plan acts: a commit for each deployment's intent cost a pass of 1,000 groups
    /// more than the rest of its writes. Returns the intents written (for `written`), and the
    /// plans it could not record, with why: they are not executed (an adopted action is recorded
    /// before anything is done for it).
    func recordBookkeeping(
        _ plans: [Plan]
    ) async -> (unrecorded: [DeploymentGroupName: String], intents: [String: WrittenIntent]) {
        var actions: [LifecycleAction] = []
        var lastGood: [LastGoodRevision] = []
        var tracked: [DeploymentRecord] = []
        var deployments: [FollowOnDeployment] = []
        for plan in plans {
            for step in plan.steps {
                switch step {
                case let .adopt(action, _): actions.append(action)
                case let .setLastGood(good): lastGood.append(good)
                case let .track(record, _): tracked.append(record)
                case let .createDeployment(planned) where planned.revision.location != nil:
                    // Written with the fence the call will carry (nil without leases); without
                    // the lease, the call fails its own check and writes nothing.
                    var deployment = planned
                    do { deployment.fence = try await fence(planned.deploymentGroup) } catch { continue }
                    deployments.append(deployment)
                default: break
                }
            }
        }
        do {
            let intents = try await journal.recordBookkeeping(
                actions: actions,
                lastGood: lastGood,
                deployments: tracked,
                intents: deployments.map(intent)
            )
            let written = zip(deployments, intents).map { ($0.planID, WrittenIntent(intent: $1, fence: $0.fence)) }
            return ([:], Dictionary(written, uniquingKeysWith: { first, _ in first }))
        } catch {
            let line = "recording the pass's \(actions.count) adopted action(s) and bookkeeping: \(error)"
            logger.error("\(line)")
            return (
                Dictionary(uniqueKeysWithValues: plans.map { ($0.deploymentGroup, "\($0.deploymentGroup): \(line)") }),
                [:]
            )
        }
    }

    private func executeConcurrently(_ steps: [PlanStep], _ plan: Plan) async -> [String] {
        let outcomes = try? await concurrentMap(steps, limit: concurrency) { await attempt($0, plan) }
        return outcomes?.compactMap { $0 } ?? []
    }

    /// One step; its failure as a line (logged), or nil.
    private func attempt(_ step: PlanStep, _ plan: Plan) async -> String? {
        do {
            try await execute(step, plan)
            return nil
        } catch {
            let (kind, target, _) = step.summary
            let line = "\(plan.deploymentGroup): \(kind) \(target) failed: \(error)"
            logger.warning("\(line)", metadata: ["group": "\(plan.deploymentGroup)"])
            return line
        }
    }

    private func execute(_ step: PlanStep, _ plan: Plan) async throws {
        let group = plan.deploymentGroup
        // A CreateDeployment checks the fence itself: its intent may be written already.
        let checksItsFence = if case .createDeployment = step { true } else { false }
        if step.callsAWS, !checksItsFence { _ = try await fence(group) }
        switch step {
        case .adopt:
            break  // recorded above, in one transaction
        case let .setLastGood(good):
            try await journal.setLastGoodRevision(good)
        case let .track(record, _):
            try await journal.recordDeployment(record)
        case let .putHook(spec, _):
            let intent = try await journal.beginIntent(
                Intent(kind: .putHook, deploymentGroup: group.description, payload: json(spec), createdAt: now())
            )
            // Put or failed, the reading of this group's hooks is out of date: the next pass reads them.
            try await journal.forgetVerifiedHooks(autoScalingGroups: [spec.autoScalingGroup])
            do {
                try await aws.autoScaling.putLifecycleHook(
                    LifecycleHook(
                        name: spec.name,
                        groupName: spec.autoScalingGroup,
                        transition: spec.transition ?? HookSpec.launching,
                        notificationTargetARN: spec.notificationTargetARN,
                        roleARN: spec.roleARN,
                        notificationMetadata: spec.metadata,
                        heartbeatTimeout: spec.heartbeatTimeout,
                        defaultResult: spec.defaultResult
                    )
                )
                try await journal.finishIntent(id: intent.id!, outcome: .done, at: now())
            } catch {
                try? await journal.finishIntent(id: intent.id!, outcome: .failed, detail: "\(error)", at: now())
                throw error
            }
        case let .createDeployment(followOn):
            try await createDeployment(followOn)
        case let .markDeploying(action, _):
            try await update(action) { $0.state = .deploying }
        case let .heartbeat(action, timeout, _):
            try await heartbeat(action, timeout: timeout)
        case let .setHeartbeatTimeout(action, seconds):
            try await update(action) { stored in
                stored.heartbeatTimeout = seconds
                // A deadline computed from another timeout: keep the earlier of the two.
                let implied = (stored.lastHeartbeat ?? stored.firstSeen).addingTimeInterval(Double(seconds))
                stored.heartbeatDeadline = min(stored.heartbeatDeadline ?? implied, implied)
            }
        case let .complete(action, result, _):
            try await complete(action, result)
        case let .close(action, state, _):
            let at = now()
            try await update(action) { stored in
                stored.state = state
                stored.closedAt = at
            }
        case let .stopDeployment(id, reason):
            try await stopDeployment(id, group: group, reason: reason)
        case let .saveBreaker(breaker, reason):
            // Version-checked: a `breaker reset` since the observation wins, and the next pass decides again.
            let opened =
                try await journal.breaker(deploymentGroup: breaker.deploymentGroup)?.isOpen != true && breaker.isOpen
            _ = try await journal.saveBreaker(breaker)
            if opened {
                logger.warning("loop breaker opened: \(breaker.reason ?? reason)", metadata: ["group": "\(group)"])
            }
        }
    }

    /// The fence of the group's lease, checked before every call that changes AWS; nil without
    /// leases. Throws when the lease is gone or would lapse before the call could finish.
    func fence(_ group: DeploymentGroupName) async throws -> Int? {
        guard let leases else { return nil }
        guard let fence = await leases.fence(for: group.description) else {
            throw RuntimeError("\(group): this replica's lease is gone or about to lapse; not acting for the group")
        }
        return fence
    }

    /// Reads the action's current version, changes it, stores it (optimistic concurrency).
    func update(_ action: LifecycleAction, _ change: (inout LifecycleAction) -> Void) async throws {
        guard var current = try await journal.action(token: action.token), current.state.isOpen else { return }
        change(&current)
        _ = try await journal.updateAction(current)
    }

    func json(_ value: some Encodable) -> String {
        (try? JSONValueEncoder(format: [.sortedKeys]).string(value)) ?? "{}"
    }
}

extension LifecycleAction {
    /// How AWS is told which action: always by the instance id (with the group and the hook),
    /// which AWS accepts in place of the token. A token only ever came from a message, and a
    /// message is a hint: a forged or replayed one must not be able to aim a call elsewhere.
    var reference: LifecycleActionReference { .instance(instanceID) }
}

/// A runtime failure a person reads: one line naming the input and what to do.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
