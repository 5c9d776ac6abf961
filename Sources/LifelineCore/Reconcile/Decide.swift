import Foundation

/// The reconcile loop's pure core (DESIGN §3): what to do for one deployment group, given what
/// AWS showed and what the journal remembers. No I/O and no clock: `now` comes in.
public func decide(_ observation: Observation, _ journal: JournalView, now: Date, policy: GroupPolicy) -> Plan {
    var decision = Decision(observation, journal, now: now, policy: policy)
    return decision.run()
}

/// One run of `decide`: accumulates steps, notes and wake-up times.
struct Decision {
    let observation: Observation
    let journal: JournalView
    let now: Date
    let policy: GroupPolicy
    let planID: String
    /// Waiting instances that two of lifeline's deployments ended without targeting: the
    /// deployment group does not select them (with those deployments, oldest first).
    let selectionMisses: [String: [ObservedDeployment]]
    var steps: [PlanStep] = []
    var notes: [String] = []
    var wakeups: [Date] = []
    var pending = false

    init(_ observation: Observation, _ journal: JournalView, now: Date, policy: GroupPolicy) {
        self.observation = observation
        self.journal = journal
        self.now = now
        self.policy = policy
        let waiting = observation.autoScalingGroups.flatMap { $0.instances.filter { $0.value == "Pending:Wait" }.keys }
            .sorted()
        planID = PlanID.make(
            group: observation.deploymentGroup,
            now: now,
            instances: waiting + journal.openActions.map(\.token)
        )
        selectionMisses = Self.selectionMisses(observation, journal)
    }

    /// For each open action, lifeline's ended deployments made for its instance whose targets
    /// were read and do not include it; kept where there are two or more.
    static func selectionMisses(_ observation: Observation, _ journal: JournalView) -> [String: [ObservedDeployment]] {
        var misses: [String: [ObservedDeployment]] = [:]
        for action in journal.openActions {
            let missed = observation.deployments.filter { deployment in
                !deployment.isActive && deployment.targets != nil && deployment.targets?[action.instanceID] == nil
                    && journal.deployments.contains {
                        $0.id == deployment.id && $0.instances.contains(action.instanceID)
                    }
            }
            if missed.count >= 2 {
                misses[action.instanceID] = missed.sorted {
                    ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast)
                }
            }
        }
        return misses
    }

    var group: DeploymentGroupName { observation.deploymentGroup }

    mutating func run() -> Plan {
        guard observation.exists else {
            notes.append(
                "CodeDeploy does not know \(group) in this account and region: fix the config or create the "
                    + "deployment group"
            )
            return plan()
        }
        let breakerOpen = loopBreaker()
        let stuck = stuckDeployment(breakerOpen: breakerOpen)
        if policy.mode == .supervise {
            supervise(breakerOpen: breakerOpen, stuck: stuck)
            if pending || stuck != nil { wakeups.append(now.addingTimeInterval(policy.pollInterval)) }
            return plan()
        }
        repairHooks()
        handleTerminations()
        let lastGood = lastGoodRevision()
        var needDeployment: [LifecycleAction] = []
        for action in actionsToHandle() {
            if let needing = handle(action, lastGood: lastGood, breakerOpen: breakerOpen, stuck: stuck) {
                needDeployment.append(needing)
            }
        }
        if let revision = lastGood?.revision, !needDeployment.isEmpty {
            let instances = needDeployment.map(\.instanceID).sorted()
            steps.append(
                .createDeployment(
                    FollowOnDeployment(deploymentGroup: group, planID: planID, revision: revision, instances: instances)
                )
            )
            wakeups.append(now.addingTimeInterval(policy.pollInterval))
        }
        if let stuck {
            steps.append(stop(stuck))
            wakeups.append(now.addingTimeInterval(policy.pollInterval))
        }
        return plan()
    }

    func plan() -> Plan {
        let next = (wakeups + [now.addingTimeInterval(policy.resyncInterval)]).min()!
        return Plan(
            id: planID,
            deploymentGroup: group,
            steps: steps,
            notes: notes,
            nextPassAt: max(next, now),
            pending: pending
        )
    }

    static func clock(_ date: Date) -> String { date.formatted(.iso8601) }
}
