import AWSWire
import Foundation
import LifelineCore

/// Each of the observation's reads: one AWS API (or the journal), batched across the groups. A
/// read that fails is the failure of the groups it was for (DESIGN §3: the unit of failure is one
/// deployment group); the others go on. The journal failing fails the pass.
extension Observer {
    /// BatchGetDeploymentGroups per application; a group CodeDeploy does not know is absent.
    func readDeploymentGroups(_ round: inout ObservationRound) async throws {
        let byApp = Dictionary(grouping: round.groups.map(\.name), by: \.application).sorted { $0.key < $1.key }
        let lists = try await concurrentOutcomes(byApp) { app, groups -> [DeploymentGroupInfo] in
            do {
                return try await aws.codeDeploy.batchGetDeploymentGroups(application: app, names: groups.map(\.name))
            } catch let error as AWSError where error.code == "ApplicationDoesNotExistException" {
                return []
            }
        }
        for ((_, groups), list) in zip(byApp, lists) {
            switch list {
            case let .failure(error): round.fail(groups, error)
            case let .success(infos):
                for info in infos {
                    guard let app = info.applicationName, let name = info.deploymentGroupName else { continue }
                    round.infos[DeploymentGroupName(application: app, name: name)] = info
                }
            }
        }
    }

    /// Each covered Auto Scaling group's hooks (DESIGN §3): the journal's reading while it is
    /// younger than the drift-check interval and nothing points at drift, else
    /// DescribeLifecycleHooks, concurrently, recorded for the next pass. A read that fails fails
    /// the deployment groups that cover the Auto Scaling group.
    func readHooks(_ round: inout ObservationRound) async throws {
        let names = Array(Set(round.live.flatMap { round.covered[$0.name] ?? [] })).sorted()
        let at = now()
        let verified = hookCheckInterval > 0 ? try await journal.verifiedHooks(autoScalingGroups: names) : [:]
        var stale: [String] = []
        for name in names {
            if let check = verified[name], !suspectHooks.contains(name),
                check.checkedAt <= at, at.timeIntervalSince(check.checkedAt) < hookCheckInterval,
                !Self.waitsOnNoKnownHook(round.autoScalingGroups[name], check.hooks)
            {
                round.hooks[name] = check.hooks
            } else {
                stale.append(name)
            }
        }
        let lists = try await concurrentOutcomes(stale) { try await aws.autoScaling.describeLifecycleHooks(group: $0) }
        var fresh: [String: [ObservedHook]] = [:]
        for (name, list) in zip(stale, lists) {
            switch list {
            case let .success(hooks): fresh[name] = hooks.map(ObservedHook.init)
            case let .failure(error): round.fail(round.coveringGroups(name), error)
            }
        }
        round.hooks.merge(fresh) { _, new in new }
        round.hooksRead = Set(fresh.keys)
        if hookCheckInterval > 0 { try await journal.recordVerifiedHooks(fresh, at: at) }
    }

    /// An instance waits in a lifecycle state no hook on record holds it in: the reading is out of date.
    static func waitsOnNoKnownHook(_ asg: AutoScalingGroup?, _ hooks: [ObservedHook]) -> Bool {
        guard let asg else { return false }
        let transitions = Set(hooks.map(\.transition))
        return asg.instances.contains { instance in
            switch instance.lifecycleState {
            case "Pending:Wait": !transitions.contains(HookSpec.launching)
            case "Terminating:Wait": !transitions.contains(HookSpec.terminating)
            default: false
            }
        }
    }

    /// Instances waiting on a covered group: which ones the group has an action for (or finished
    /// one for a moment ago), which it finished earlier (adopted again), and when EC2 launched the
    /// ones to adopt (DescribeInstances), which bounds when their wait began.
    func readWaiting(_ round: inout ObservationRound) async throws {
        for group in round.live {
            for name in round.covered[group.name] ?? [] {
                guard let asg = round.autoScalingGroups[name] else { continue }
                round.waiting[group.name, default: []].formUnion(
                    asg.instances.filter { $0.lifecycleState == "Pending:Wait" }.map(\.instanceID)
                )
                // Scaling-in instances held on lifeline's terminating hook: their deployment
                // targets are read like the waiting ones', to see whether one is in flight.
                if group.policy.terminatingHook {
                    round.terminating[group.name, default: []].formUnion(
                        asg.instances.filter { $0.lifecycleState == "Terminating:Wait" }.map(\.instanceID)
                    )
                }
            }
        }
        let allWaiting = Array(Set(round.live.flatMap { round.waiting[$0.name] ?? [] })).sorted()
        let history = Dictionary(grouping: try await journal.actions(instanceIDs: allWaiting)) {
            $0.deploymentGroup ?? ""
        }
        let at = now()
        var toAdopt = Set<String>()
        for group in round.live {
            let actions = history[group.name.description] ?? []
            let known = actions.filter { $0.holdsInstance(at: at) }
            round.knownInstances[group.name] = Set(known.map(\.instanceID))
            round.finishedInstances[group.name] = Set(actions.filter { !$0.state.isOpen }.map(\.instanceID))
            toAdopt.formUnion((round.waiting[group.name] ?? []).subtracting(known.map(\.instanceID)))
        }
        guard !toAdopt.isEmpty else { return }
        do {
            round.launchTimes = Dictionary(
                try await aws.ec2.describeInstances(ids: toAdopt.sorted()).compactMap { instance in
                    instance.launchTime.map { (instance.instanceID, $0) }
                },
                uniquingKeysWith: { first, _ in first }
            )
        } catch {
            let needing = round.live.filter { !(round.waiting[$0.name] ?? []).isDisjoint(with: toAdopt) }
            round.fail(needing.map(\.name), error)
        }
    }

    /// The journal's last good revisions, tracked deployments and loop breakers, one read each for every group.
    func readJournalDeployments(_ round: inout ObservationRound) async throws {
        let known = round.live.filter { round.infos[$0.name] != nil }
        let revisions = try await journal.lastGoodRevisions(deploymentGroups: known.map(\.name.description))
        let tracking = known.filter { !round.interesting($0.name).isEmpty }
        // A record matters while an instance it was for can still wait: no hook holds one longer
        // than 48 h (plus an hour for the clock). Active records matter however old.
        let records = try await journal.deployments(
            deploymentGroups: tracking.map(\.name.description),
            since: now().addingTimeInterval(-Self.recordHorizon)
        )
        for group in known {
            round.lastGood[group.name] = revisions[group.name.description]
            round.records[group.name] = records[group.name.description]
        }
        round.breakers = Dictionary(
            try await journal.breakers().map { ($0.deploymentGroup, $0) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Which deployments each group needs, then one BatchGetDeployments for all of them (with the
    /// failed ones the loop scan counts).
    func readDeployments(_ round: inout ObservationRound) async throws {
        for group in round.live {
            guard let info = round.infos[group.name] else { continue }
            let interesting = round.interesting(group.name)
            var others = Set<String>()
            if let last = info.lastAttemptedDeployment, let id = last.deploymentId {
                let earliest =
                    round.open(group.name).map(\.firstSeen).min()
                    ?? interesting.compactMap { round.launchTimes[$0] }.min()
                if ObservedDeployment.activeStatuses.contains(last.status ?? "")
                    || (!interesting.isEmpty && (last.createTime ?? .distantPast) >= (earliest ?? .distantFuture))
                {
                    others.insert(id)
                }
            }
            for record in round.records[group.name] ?? []
            where ObservedDeployment.activeStatuses.contains(record.status)
                || !interesting.isDisjoint(with: record.instances)
            {
                others.insert(record.id)
            }
            let success = info.lastSuccessfulDeployment?.deploymentId
            round.wanted[group.name] = (success == round.lastGood[group.name]?.deploymentID ? nil : success, others)
        }
        try await readFailedDeployments(&round)
        let wantedBy = round.live.map { group in
            (group.name, Set(round.wanted[group.name].map { [$0.lastSuccessful].compactMap { $0 } + $0.others } ?? []))
        }
        let ids = Set(wantedBy.flatMap(\.1)).union(round.failed.values.joined()).sorted()
        guard !ids.isEmpty else { return }
        do {
            round.deploymentInfos = Dictionary(
                try await aws.codeDeploy.batchGetDeployments(ids: ids).compactMap { info in
                    info.deploymentId.map { ($0, info) }
                },
                uniquingKeysWith: { first, _ in first }
            )
        } catch {
            let needing = wantedBy.filter { !$0.1.isEmpty || round.failed[$0.0] != nil }.map(\.0)
            round.fail(needing, error)
        }
    }

    /// Targets: only for the instances that wait, except for an active deployment lifeline may
    /// stop, whose every target is read to see whether it only waits on gone instances. A
    /// deployment still Created or Queued has no targets yet (`DeploymentNotStartedException`).
    func readTargets(_ round: inout ObservationRound) async throws {
        struct Job: Sendable {
            var group: DeploymentGroupName
            var deploymentID: String
            /// nil: every target.
            var instances: Set<String>?
        }
        let jobs: [Job] = round.live.flatMap { group in
            let breakerOpen = round.breakers[group.name.description]?.isOpen == true
            return (round.wanted[group.name]?.others ?? []).sorted().map { id in
                let info = round.deploymentInfos[id]
                // Own mode stops only lifeline's own deployments, or any while the breaker is open;
                // supervise mode what `allow:` lets it (Decision.stuckDeployment).
                let ours = FollowOnDeployment.isMarked(info?.description, for: group.name)
                let mayStop =
                    everyTarget || breakerOpen
                    || (group.policy.mode == .own
                        ? ours : group.policy.may(.stopStuck) || group.policy.may(.openBreaker))
                let active = ObservedDeployment.activeStatuses.contains(info?.status ?? "")
                let instances = mayStop && active ? nil : round.interesting(group.name)
                return Job(group: group.name, deploymentID: id, instances: instances)
            }
        }
        let lists = targetLists
        let maps = try await concurrentOutcomes(jobs) { job in
            do {
                return try await targets(
                    deployment: job.deploymentID,
                    of: job.instances,
                    listed: lists[job.deploymentID]
                )
            } catch let error as AWSError where error.isDeploymentNotStarted {
                return ([:], nil)
            }
        }
        for (job, map) in zip(jobs, maps) {
            switch map {
            case let .success(read):
                round.targets[job.deploymentID] = read.targets
                // Only a started deployment's list is final.
                if let listed = read.listed,
                    !["Created", "Queued"].contains(round.deploymentInfos[job.deploymentID]?.status ?? "")
                {
                    round.targetLists[job.deploymentID] = listed
                }
            case let .failure(error): round.fail([job.group], error)
            }
        }
        round.wholeTargets = Set(jobs.filter { $0.instances == nil }.map(\.deploymentID))
    }

    /// EC2 state of the targets a stoppable deployment still waits on, of the instances waiting
    /// on CodeDeploy's hook in supervise mode, and of open actions whose Auto Scaling group does
    /// not list their instance (only EC2 can say whether that wait is over).
    func readInstanceStates(_ round: inout ObservationRound) async throws {
        var lookups: [DeploymentGroupName: Set<String>] = [:]
        for group in round.live {
            lookups[group.name, default: []].formUnion(round.unlisted(group.name))
            for id in round.wanted[group.name]?.others ?? [] where round.wholeTargets.contains(id) {
                lookups[group.name, default: []].formUnion(ObservedDeployment.remaining(round.targets[id]))
            }
            if group.policy.mode == .supervise {
                lookups[group.name, default: []].formUnion(round.waiting[group.name] ?? [])
            }
        }
        let ids = Set(lookups.values.joined()).sorted()
        do {
            round.instanceStates = try await instanceStates(ids)
        } catch {
            round.fail(lookups.filter { !$0.value.isEmpty }.map(\.key), error)
        }
    }

    /// Instance id → target status, for the given instances among the deployment's targets (all
    /// when nil), and the deployment's whole target list when it had to be read. A started
    /// deployment's targets are fixed, so with `listed` (read by an earlier pass) or when every
    /// instance asked for is a target, no list is read: BatchGetDeploymentTargets by id, 25 a call.
    private func targets(
        deployment id: String,
        of instances: Set<String>?,
        listed: Set<String>?
    ) async throws -> (targets: [String: String], listed: Set<String>?) {
        if let instances {
            let ask = listed.map { instances.intersection($0) } ?? instances
            guard !ask.isEmpty else { return ([:], nil) }
            do {
                return (try await statuses(deployment: id, ask), nil)
            } catch let error as AWSError where error.code == "DeploymentTargetDoesNotExistException" && listed == nil {
                // Not every instance asked for is a target: the list says which are.
            }
        }
        let read = listed == nil ? Set(try await aws.codeDeploy.listDeploymentTargets(deploymentID: id)) : nil
        let all = listed ?? read ?? []
        let ask = instances.map { all.intersection($0) } ?? all
        return (ask.isEmpty ? [:] : try await statuses(deployment: id, ask), read)
    }

    private func statuses(deployment id: String, _ ids: Set<String>) async throws -> [String: String] {
        var map: [String: String] = [:]
        for target in try await aws.codeDeploy.batchGetDeploymentTargets(deploymentID: id, targetIDs: ids.sorted()) {
            guard let instanceTarget = target.instanceTarget, let instance = instanceTarget.targetId else { continue }
            map[instance] = instanceTarget.status ?? "Unknown"
        }
        return map
    }
}

/// `concurrentMap` that keeps each item's failure as its own result; cancellation still ends it.
func concurrentOutcomes<T: Sendable, R: Sendable>(
    _ items: [T],
    limit: Int = 16,
    _ body: @escaping @Sendable (T) async throws -> R
) async throws -> [Result<R, any Error>] {
    let outcomes = try await concurrentMap(items, limit: limit) { item -> Result<R, any Error> in
        do { return .success(try await body(item)) } catch { return .failure(error) }
    }
    try Task.checkCancellation()
    return outcomes
}
