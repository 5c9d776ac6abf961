import AWSWire
import Foundation
import LifelineCore

/// What one observation has read so far, for every group of the pass. Each of `Observer`'s reads
/// fills one part; `seen` then cuts out one deployment group's `Observation` and `JournalView`.
struct ObservationRound: Sendable {
    let groups: [LifelineConfig.ManagedGroup]
    let openActions: [LifecycleAction]
    let openByGroup: [String: [LifecycleAction]]
    /// The groups whose reads failed, with the first error: they get no observation this pass.
    private(set) var failures: [DeploymentGroupName: any Error] = [:]

    /// `BatchGetDeploymentGroups`: a group CodeDeploy does not know is absent.
    var infos: [DeploymentGroupName: DeploymentGroupInfo] = [:]

    /// Every Auto Scaling group read, by name, and the names each deployment group covers.
    var autoScalingGroups: [String: AutoScalingGroup] = [:]
    var covered: [DeploymentGroupName: [String]] = [:]
    /// Each covered group's hooks (read now, or verified within the drift-check interval), and
    /// the groups whose hooks this pass read from Auto Scaling.
    var hooks: [String: [ObservedHook]] = [:]
    var hooksRead: Set<String> = []
    /// Instances in `Pending:Wait` on a covered group; those not to adopt (an open action of the
    /// group, or one finished a moment ago) and those with a finished action; EC2's launch times
    /// of the ones to adopt (which bound when their wait began).
    var waiting: [DeploymentGroupName: Set<String>] = [:]
    /// Instances in `Terminating:Wait` where the group has lifeline's terminating hook.
    var terminating: [DeploymentGroupName: Set<String>] = [:]
    var knownInstances: [DeploymentGroupName: Set<String>] = [:]
    var finishedInstances: [DeploymentGroupName: Set<String>] = [:]
    var launchTimes: [String: Date] = [:]
    /// The journal's deployments, last good revisions and loop breakers.
    var records: [DeploymentGroupName: [DeploymentRecord]] = [:]
    var lastGood: [DeploymentGroupName: LastGoodRevision] = [:]
    var breakers: [String: BreakerState] = [:]
    /// Deployments to read per group: the last successful one (unless the journal has its
    /// revision), the active or recent one when instances wait, and those lifeline tracks.
    var wanted: [DeploymentGroupName: (lastSuccessful: String?, others: Set<String>)] = [:]
    var failed: [DeploymentGroupName: [String]] = [:]
    var deploymentInfos: [String: DeploymentInfo] = [:]
    /// Deployment id → instance → target status; the deployments whose every target was read.
    var targets: [String: [String: String]] = [:]
    var wholeTargets: Set<String> = []
    /// Deployment id → its whole target list, for the deployments whose list this pass read.
    var targetLists: [String: Set<String>] = [:]
    var instanceStates: [String: MatchSet.Instance] = [:]

    /// The groups no read has failed for yet: later reads are made for these only. Kept, not
    /// filtered from `groups` at each use: a pass asks for it about fifteen times, and each
    /// filter copied every group's config (about 1 % of a 1,000-group pass's CPU).
    private(set) var live: [LifelineConfig.ManagedGroup]

    init(groups: [LifelineConfig.ManagedGroup], openActions: [LifecycleAction]) {
        self.groups = groups
        self.openActions = openActions
        live = groups
        openByGroup = Dictionary(grouping: openActions, by: { $0.deploymentGroup ?? "" })
    }

    /// A read failed: the groups it was for are out of this pass (the first error is kept).
    mutating func fail(_ names: some Sequence<DeploymentGroupName>, _ error: any Error) {
        var failing = false
        for name in names where failures[name] == nil {
            failures[name] = error
            failing = true
        }
        if failing { live.removeAll { failures[$0.name] != nil } }
    }

    /// The live deployment groups that cover an Auto Scaling group.
    func coveringGroups(_ autoScalingGroup: String) -> [DeploymentGroupName] {
        live.map(\.name).filter { (covered[$0] ?? []).contains(autoScalingGroup) }
    }

    func open(_ group: DeploymentGroupName) -> [LifecycleAction] { openByGroup[group.description] ?? [] }

    /// The group's open actions whose Auto Scaling group (read this pass) does not list the instance.
    func unlisted(_ group: DeploymentGroupName) -> Set<String> {
        Set(
            open(group).filter { action in
                guard let asg = autoScalingGroups[action.autoScalingGroup] else { return false }
                return !asg.instances.contains { $0.instanceID == action.instanceID }
            }.map(\.instanceID)
        )
    }

    /// The instances whose targets matter to a group: its open actions, its waiting instances and
    /// those held on its terminating hook.
    func interesting(_ group: DeploymentGroupName) -> Set<String> {
        Set(open(group).map(\.instanceID)).union(waiting[group] ?? []).union(terminating[group] ?? [])
    }

    /// One deployment group's observation and journal view.
    func seen(_ group: LifelineConfig.ManagedGroup, queueARN: String?) -> Observer.Seen {
        guard let info = infos[group.name] else {
            return Observer.Seen(
                group: group,
                observation: Observation(deploymentGroup: group.name, exists: false),
                journal: JournalView(openActions: open(group.name))
            )
        }
        let deployments = observedDeployments(group.name)
        let groupWaiting = waiting[group.name] ?? []
        var relevant = groupWaiting
        for deployment in deployments { relevant.formUnion(deployment.targets?.keys ?? [:].keys) }
        relevant.formUnion(unlisted(group.name))
        let observation = Observation(
            deploymentGroup: group.name,
            queueARN: queueARN,
            autoScalingGroups: observedAutoScalingGroups(group.name),
            lastSuccessful: lastSuccessful(group.name, info: info),
            deployments: deployments,
            launchTimes: Self.slice(launchTimes, groupWaiting),
            ec2: Self.slice(instanceStates, relevant),
            loopScan: Observer.loopScan(group, info: info, failed: failed[group.name], infos: deploymentInfos),
            namedHooks: Dictionary(
                (info.autoScalingGroups ?? []).compactMap { named in named.name.map { ($0, named.hook ?? "") } },
                uniquingKeysWith: { first, _ in first }
            ),
            tagFilters: (info.ec2TagFilters ?? []).map(TagFilter.init),
            tagSet: (info.ec2TagSet?.ec2TagSetList ?? []).map { $0.map(TagFilter.init) }
        )
        let view = JournalView(
            openActions: open(group.name),
            knownInstances: (knownInstances[group.name] ?? []).intersection(groupWaiting),
            finishedInstances: (finishedInstances[group.name] ?? []).intersection(groupWaiting),
            deployments: records[group.name] ?? [],
            lastGood: lastGood[group.name],
            breaker: breakers[group.name.description]
        )
        return Observer.Seen(group: group, observation: observation, journal: view)
    }

    /// The entries of `all` for these keys: a lookup per key, not a scan of `all` per group.
    private static func slice<V>(_ all: [String: V], _ keys: Set<String>) -> [String: V] {
        var part: [String: V] = [:]
        for key in keys { if let value = all[key] { part[key] = value } }
        return part
    }

    private func observedAutoScalingGroups(_ group: DeploymentGroupName) -> [ObservedAutoScalingGroup] {
        (covered[group] ?? []).compactMap { name in
            autoScalingGroups[name].map { asg in
                ObservedAutoScalingGroup(
                    name: name,
                    instances: Dictionary(
                        asg.instances.map { ($0.instanceID, $0.lifecycleState) },
                        uniquingKeysWith: { first, _ in first }
                    ),
                    hooks: hooks[name] ?? []
                )
            }
        }
    }

    /// CodeDeploy's last successful deployment; from the journal when it already had its revision.
    private func lastSuccessful(_ group: DeploymentGroupName, info: DeploymentGroupInfo) -> ObservedDeployment? {
        guard let id = info.lastSuccessfulDeployment?.deploymentId else { return nil }
        if let deployment = deploymentInfos[id] { return ObservedDeployment(deployment, targets: nil) }
        guard let good = lastGood[group], good.deploymentID == id else { return nil }
        return ObservedDeployment(
            id: id,
            status: "Succeeded",
            revision: good.revision,
            createdAt: info.lastSuccessfulDeployment?.createTime
        )
    }

    private func observedDeployments(_ group: DeploymentGroupName) -> [ObservedDeployment] {
        (wanted[group]?.others ?? []).sorted().compactMap { id in
            deploymentInfos[id].map {
                ObservedDeployment($0, targets: targets[id], targetsComplete: wholeTargets.contains(id))
            }
        }
    }
}
