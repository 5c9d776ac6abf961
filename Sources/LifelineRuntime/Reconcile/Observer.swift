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

    func observe(_ groups: [LifelineConfig.ManagedGroup], queueARN: String?) async throws -> [Seen] {
        let infos = try await deploymentGroups(groups.map(\.name))
        let open = try await journal.openActions()
        let openByGroup = Dictionary(grouping: open, by: { $0.deploymentGroup ?? "" })

        // Auto Scaling groups: all of them when a deployment group selects by tags (its groups
        // are those whose tags it matches), else only the named ones.
        let selectsByTags = infos.values.contains {
            !($0.ec2TagFilters ?? []).isEmpty || !($0.ec2TagSet?.ec2TagSetList ?? []).isEmpty
        }
        var named = Set(open.map(\.autoScalingGroup))
        for g in groups {
            named.formUnion(g.policy.autoScalingGroups)
            named.formUnion(infos[g.name]?.autoScalingGroups?.compactMap(\.name) ?? [])
        }
        let all: [AutoScalingGroup] =
            selectsByTags || !named.isEmpty
            ? try await aws.autoScaling.describeAutoScalingGroups(names: selectsByTags ? [] : named.sorted()) : []
        let asgByName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        var covered: [DeploymentGroupName: [String]] = [:]
        for g in groups {
            guard let info = infos[g.name] else { continue }
            let filters = (info.ec2TagFilters ?? []).map(TagFilter.init)
            let set = (info.ec2TagSet?.ec2TagSetList ?? []).map { $0.map(TagFilter.init) }
            var names = Set(g.policy.autoScalingGroups + (info.autoScalingGroups?.compactMap(\.name) ?? []))
            names.formUnion((openByGroup[g.name.description] ?? []).map(\.autoScalingGroup))
            for asg in all where TagFilter.anyMatches(filters, asg.tags) || TagFilter.setMatches(set, asg.tags) {
                names.insert(asg.name)
            }
            covered[g.name] = names.filter { asgByName[$0] != nil }.sorted()
        }

        let hookGroups = Array(Set(covered.values.joined())).sorted()
        let hookLists = try await concurrentMap(hookGroups) {
            try await aws.autoScaling.describeLifecycleHooks(group: $0)
        }
        let hooks = Dictionary(uniqueKeysWithValues: zip(hookGroups, hookLists))

        // Instances waiting on lifeline's hook: which ones the journal has never seen (adopted
        // by this pass), and when EC2 launched those, which bounds when their wait began.
        var waiting: [DeploymentGroupName: Set<String>] = [:]
        for g in groups {
            for name in covered[g.name] ?? [] {
                guard let asg = asgByName[name] else { continue }
                waiting[g.name, default: []].formUnion(
                    asg.instances.filter { $0.lifecycleState == "Pending:Wait" }.map(\.instanceID)
                )
            }
        }
        let allWaiting = Array(Set(waiting.values.joined())).sorted()
        let known = Set(try await journal.actions(instanceIDs: allWaiting).map(\.instanceID))
        let unknown = allWaiting.filter { !known.contains($0) }
        let launchTimes =
            unknown.isEmpty
            ? [:]
            : Dictionary(
                try await aws.ec2.describeInstances(ids: unknown).compactMap { i in
                    i.launchTime.map { (i.instanceID, $0) }
                },
                uniquingKeysWith: { a, _ in a }
            )

        // Deployments: the last successful one (unless the journal already has its revision),
        // the active or most recent one when instances wait, and those lifeline tracks.
        var wanted: [DeploymentGroupName: (lastSuccessful: String?, others: Set<String>)] = [:]
        var records: [DeploymentGroupName: [DeploymentRecord]] = [:]
        var lastGood: [DeploymentGroupName: LastGoodRevision] = [:]
        for g in groups {
            guard let info = infos[g.name] else { continue }
            let groupOpen = openByGroup[g.name.description] ?? []
            let interesting = Set(groupOpen.map(\.instanceID)).union(waiting[g.name] ?? [])
            lastGood[g.name] = try await journal.lastGoodRevision(deploymentGroup: g.name.description)
            let success = info.lastSuccessfulDeployment?.deploymentId
            var others = Set<String>()
            if let last = info.lastAttemptedDeployment, let id = last.deploymentId {
                let earliest = groupOpen.map(\.firstSeen).min() ?? interesting.compactMap { launchTimes[$0] }.min()
                if ObservedDeployment.activeStatuses.contains(last.status ?? "")
                    || (!interesting.isEmpty && (last.createTime ?? .distantPast) >= (earliest ?? .distantFuture))
                {
                    others.insert(id)
                }
            }
            let tracked = interesting.isEmpty ? [] : try await journal.deployments(deploymentGroup: g.name.description)
            records[g.name] = tracked
            for record in tracked
            where ObservedDeployment.activeStatuses.contains(record.status)
                || !interesting.isDisjoint(with: record.instances)
            {
                others.insert(record.id)
            }
            wanted[g.name] = (success == lastGood[g.name]?.deploymentID ? nil : success, others)
        }
        let breakers = Dictionary(
            try await journal.breakers().map { ($0.deploymentGroup, $0) },
            uniquingKeysWith: { a, _ in a }
        )
        let failed = try await failedDeployments(groups, infos: infos, breakers: breakers)
        let ids = Set(wanted.values.flatMap { [$0.lastSuccessful].compactMap { $0 } + $0.others }).union(
            failed.values.joined()
        ).sorted()
        let infosByID =
            ids.isEmpty
            ? [:]
            : Dictionary(
                try await aws.codeDeploy.batchGetDeployments(ids: ids).compactMap { d in d.deploymentId.map { ($0, d) }
                },
                uniquingKeysWith: { a, _ in a }
            )

        // Targets: only for the instances that wait, except for an active deployment lifeline
        // may stop, whose every target is read to see whether it only waits on gone instances.
        let targetJobs: [(DeploymentGroupName, String, Set<String>?)] = groups.flatMap { g in
            let mayStop =
                everyTarget || g.policy.may(.stopStuck) || g.policy.may(.openBreaker)
                || breakers[g.name.description]?.isOpen == true
            return (wanted[g.name]?.others ?? []).sorted().map { id in
                let whole = mayStop && ObservedDeployment.activeStatuses.contains(infosByID[id]?.status ?? "")
                return (
                    g.name, id,
                    whole
                        ? nil
                        : Set((openByGroup[g.name.description] ?? []).map(\.instanceID)).union(waiting[g.name] ?? [])
                )
            }
        }
        let targetMaps = try await concurrentMap(targetJobs) { job in try await targets(deployment: job.1, of: job.2) }
        var targetsByID: [String: [String: String]] = [:]
        for (job, map) in zip(targetJobs, targetMaps) { targetsByID[job.1] = map }
        let wholeTargets = Set(targetJobs.filter { $0.2 == nil }.map(\.1))

        // EC2 state of the targets such a deployment still waits on, and of the instances waiting
        // on CodeDeploy's hook in supervise mode.
        var lookups = Set<String>()
        for id in wholeTargets { lookups.formUnion(ObservedDeployment.remaining(targetsByID[id])) }
        for g in groups where g.policy.mode == .supervise { lookups.formUnion(waiting[g.name] ?? []) }
        let ec2 = try await instanceStates(lookups.sorted())

        return groups.map { g in
            guard let info = infos[g.name] else {
                return Seen(
                    group: g,
                    observation: Observation(deploymentGroup: g.name, exists: false),
                    journal: JournalView(openActions: openByGroup[g.name.description] ?? [])
                )
            }
            let asgs = (covered[g.name] ?? []).compactMap { name in
                asgByName[name].map { asg in
                    ObservedAutoScalingGroup(
                        name: name,
                        instances: Dictionary(
                            asg.instances.map { ($0.instanceID, $0.lifecycleState) },
                            uniquingKeysWith: { a, _ in a }
                        ),
                        hooks: (hooks[name] ?? []).map(ObservedHook.init)
                    )
                }
            }
            var lastSuccessful: ObservedDeployment?
            if let id = info.lastSuccessfulDeployment?.deploymentId {
                if let d = infosByID[id] {
                    lastSuccessful = ObservedDeployment(d, targets: nil)
                } else if let good = lastGood[g.name], good.deploymentID == id {
                    lastSuccessful = ObservedDeployment(id: id, status: "Succeeded", revision: good.revision)
                }
            }
            let deployments = (wanted[g.name]?.others ?? []).sorted().compactMap { id in
                infosByID[id].map {
                    ObservedDeployment($0, targets: targetsByID[id], targetsComplete: wholeTargets.contains(id))
                }
            }
            let groupWaiting = waiting[g.name] ?? []
            var relevant = groupWaiting
            for d in deployments { relevant.formUnion(d.targets?.keys ?? [:].keys) }
            let observation = Observation(
                deploymentGroup: g.name,
                queueARN: queueARN,
                autoScalingGroups: asgs,
                lastSuccessful: lastSuccessful,
                deployments: deployments,
                launchTimes: Dictionary(
                    uniqueKeysWithValues: groupWaiting.compactMap { id in launchTimes[id].map { (id, $0) } }
                ),
                ec2: ec2.filter { relevant.contains($0.key) },
                loopScan: loopScan(g, info: info, failed: failed[g.name], infos: infosByID),
                namedHooks: Dictionary(
                    (info.autoScalingGroups ?? []).compactMap { r in r.name.map { ($0, r.hook ?? "") } },
                    uniquingKeysWith: { a, _ in a }
                ),
                tagFilters: (info.ec2TagFilters ?? []).map(TagFilter.init),
                tagSet: (info.ec2TagSet?.ec2TagSetList ?? []).map { $0.map(TagFilter.init) }
            )
            let view = JournalView(
                openActions: openByGroup[g.name.description] ?? [],
                knownInstances: known.intersection(groupWaiting),
                deployments: records[g.name] ?? [],
                lastGood: lastGood[g.name],
                breaker: breakers[g.name.description]
            )
            return Seen(group: g, observation: observation, journal: view)
        }
    }

    /// BatchGetDeploymentGroups per application; a group CodeDeploy does not know is absent.
    private func deploymentGroups(
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

    /// Instance id → target status, for the given instances among the deployment's targets (all when nil).
    private func targets(deployment id: String, of instances: Set<String>?) async throws -> [String: String] {
        let ids = try await aws.codeDeploy.listDeploymentTargets(deploymentID: id).filter {
            instances?.contains($0) ?? true
        }
        guard !ids.isEmpty else { return [:] }
        var map: [String: String] = [:]
        for target in try await aws.codeDeploy.batchGetDeploymentTargets(deploymentID: id, targetIDs: ids) {
            guard let t = target.instanceTarget, let instance = t.targetId else { continue }
            map[instance] = t.status ?? "Unknown"
        }
        return map
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
    init(_ d: DeploymentInfo, targets: [String: String]?, targetsComplete: Bool = false) {
        self.init(
            id: d.deploymentId ?? "",
            status: d.status ?? "Unknown",
            revision: d.revision.map(Revision.init),
            description: d.description,
            createdAt: d.createTime,
            targets: targets,
            targetsComplete: targetsComplete
        )
    }
}
