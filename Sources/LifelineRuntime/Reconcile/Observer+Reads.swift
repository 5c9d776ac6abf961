import AWSWire
import Foundation
import LifelineCore

/// Each of the observation's reads: one AWS API (or the journal), batched across the groups.
extension Observer {
    /// BatchGetDeploymentGroups per application; a group CodeDeploy does not know is absent.
    func deploymentGroups(
        _ names: [DeploymentGroupName]
    ) async throws -> [DeploymentGroupName: DeploymentGroupInfo] {
        let byApp = Dictionary(grouping: names, by: \.application).sorted { $0.key < $1.key }
        let lists = try await concurrentMap(byApp) { app, groups -> [DeploymentGroupInfo] in
            do {
                return try await aws.codeDeploy.batchGetDeploymentGroups(application: app, names: groups.map(\.name))
            } catch let error as AWSError where error.code == "ApplicationDoesNotExistException" {
                return []
            }
        }
        var result: [DeploymentGroupName: DeploymentGroupInfo] = [:]
        for info in lists.joined() {
            guard let app = info.applicationName, let name = info.deploymentGroupName else { continue }
            result[DeploymentGroupName(application: app, name: name)] = info
        }
        return result
    }

    /// DescribeAutoScalingGroups: every group when a deployment group selects by tags (its groups
    /// are those whose tags it matches), else only the named ones; then what each deployment group covers.
    func readAutoScalingGroups(_ round: inout ObservationRound) async throws {
        let selectsByTags = round.infos.values.contains {
            !($0.ec2TagFilters ?? []).isEmpty || !($0.ec2TagSet?.ec2TagSetList ?? []).isEmpty
        }
        var named = Set(round.openActions.map(\.autoScalingGroup))
        for group in round.groups {
            named.formUnion(group.policy.autoScalingGroups)
            named.formUnion(round.infos[group.name]?.autoScalingGroups?.compactMap(\.name) ?? [])
        }
        let all: [AutoScalingGroup] =
            selectsByTags || !named.isEmpty
            ? try await aws.autoScaling.describeAutoScalingGroups(names: selectsByTags ? [] : named.sorted()) : []
        round.autoScalingGroups = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        for group in round.groups {
            guard let info = round.infos[group.name] else { continue }
            let filters = (info.ec2TagFilters ?? []).map(TagFilter.init)
            let set = (info.ec2TagSet?.ec2TagSetList ?? []).map { $0.map(TagFilter.init) }
            var names = Set(group.policy.autoScalingGroups + (info.autoScalingGroups?.compactMap(\.name) ?? []))
            names.formUnion(round.open(group.name).map(\.autoScalingGroup))
            for asg in all where TagFilter.anyMatches(filters, asg.tags) || TagFilter.setMatches(set, asg.tags) {
                names.insert(asg.name)
            }
            round.covered[group.name] = names.filter { round.autoScalingGroups[$0] != nil }.sorted()
        }
    }

    /// DescribeLifecycleHooks for every covered Auto Scaling group, concurrently.
    func readHooks(_ round: inout ObservationRound) async throws {
        let names = Array(Set(round.covered.values.joined())).sorted()
        let lists = try await concurrentMap(names) { try await aws.autoScaling.describeLifecycleHooks(group: $0) }
        round.hooks = Dictionary(uniqueKeysWithValues: zip(names, lists))
    }

    /// Instances waiting on a covered group: which ones the journal has never seen (adopted by
    /// this pass), and when EC2 launched those (DescribeInstances), which bounds when their wait began.
    func readWaiting(_ round: inout ObservationRound) async throws {
        for group in round.groups {
            for name in round.covered[group.name] ?? [] {
                guard let asg = round.autoScalingGroups[name] else { continue }
                round.waiting[group.name, default: []].formUnion(
                    asg.instances.filter { $0.lifecycleState == "Pending:Wait" }.map(\.instanceID)
                )
            }
        }
        let allWaiting = Array(Set(round.waiting.values.joined())).sorted()
        round.knownInstances = Set(try await journal.actions(instanceIDs: allWaiting).map(\.instanceID))
        let unknown = allWaiting.filter { !round.knownInstances.contains($0) }
        guard !unknown.isEmpty else { return }
        round.launchTimes = Dictionary(
            try await aws.ec2.describeInstances(ids: unknown).compactMap { instance in
                instance.launchTime.map { (instance.instanceID, $0) }
            },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// The journal's last good revisions, tracked deployments and loop breakers.
    func readJournalDeployments(_ round: inout ObservationRound) async throws {
        for group in round.groups where round.infos[group.name] != nil {
            round.lastGood[group.name] = try await journal.lastGoodRevision(deploymentGroup: group.name.description)
            if !round.interesting(group.name).isEmpty {
                round.records[group.name] = try await journal.deployments(deploymentGroup: group.name.description)
            }
        }
        round.breakers = Dictionary(
            try await journal.breakers().map { ($0.deploymentGroup, $0) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Which deployments each group needs, then one BatchGetDeployments for all of them (with the
    /// failed ones the loop scan counts).
    func readDeployments(_ round: inout ObservationRound) async throws {
        for group in round.groups {
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
        round.failed = try await failedDeployments(round.groups, infos: round.infos, breakers: round.breakers)
        let ids = Set(round.wanted.values.flatMap { [$0.lastSuccessful].compactMap { $0 } + $0.others })
            .union(round.failed.values.joined())
            .sorted()
        guard !ids.isEmpty else { return }
        round.deploymentInfos = Dictionary(
            try await aws.codeDeploy.batchGetDeployments(ids: ids).compactMap { info in
                info.deploymentId.map { ($0, info) }
            },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Targets: only for the instances that wait, except for an active deployment lifeline may
    /// stop, whose every target is read to see whether it only waits on gone instances.
    func readTargets(_ round: inout ObservationRound) async throws {
        struct Job: Sendable {
            var deploymentID: String
            /// nil: every target.
            var instances: Set<String>?
        }
        let jobs: [Job] = round.groups.flatMap { group in
            let mayStop =
                everyTarget || group.policy.may(.stopStuck) || group.policy.may(.openBreaker)
                || round.breakers[group.name.description]?.isOpen == true
            return (round.wanted[group.name]?.others ?? []).sorted().map { id in
                let active = ObservedDeployment.activeStatuses.contains(round.deploymentInfos[id]?.status ?? "")
                return Job(deploymentID: id, instances: mayStop && active ? nil : round.interesting(group.name))
            }
        }
        let maps = try await concurrentMap(jobs) { job in
            try await targets(deployment: job.deploymentID, of: job.instances)
        }
        for (job, map) in zip(jobs, maps) { round.targets[job.deploymentID] = map }
        round.wholeTargets = Set(jobs.filter { $0.instances == nil }.map(\.deploymentID))
    }

    /// EC2 state of the targets a stoppable deployment still waits on, and of the instances
    /// waiting on CodeDeploy's hook in supervise mode.
    func readInstanceStates(_ round: inout ObservationRound) async throws {
        var lookups = Set<String>()
        for id in round.wholeTargets { lookups.formUnion(ObservedDeployment.remaining(round.targets[id])) }
        for group in round.groups where group.policy.mode == .supervise {
            lookups.formUnion(round.waiting[group.name] ?? [])
        }
        round.instanceStates = try await instanceStates(lookups.sorted())
    }

    /// Instance id → target status, for the given instances among the deployment's targets (all when nil).
    private func targets(deployment id: String, of instances: Set<String>?) async throws -> [String: String] {
        let ids = try await aws.codeDeploy.listDeploymentTargets(deploymentID: id).filter {
            instances?.contains($0) ?? true
        }
        guard !ids.isEmpty else { return [:] }
        var map: [String: String] = [:]
        for target in try await aws.codeDeploy.batchGetDeploymentTargets(deploymentID: id, targetIDs: ids) {
            guard let instanceTarget = target.instanceTarget, let instance = instanceTarget.targetId else { continue }
            map[instance] = instanceTarget.status ?? "Unknown"
        }
        return map
    }
}
