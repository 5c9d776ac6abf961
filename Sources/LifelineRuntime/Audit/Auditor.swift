import AWSWire
import Foundation
import LifelineCore
import LifelineStore

/// `lifeline audit` (DESIGN §4): what each deployment group matches, read from AWS as CodeDeploy
/// would compute it, with drift, stuck deployments, the breaker and a timeline. Reads only.
struct Auditor: Sendable {
    let aws: AWSServices
    let journal: any Journal
    let now: @Sendable () -> Date
    /// How far back the timeline goes.
    var horizon: TimeInterval = 24 * 3600
    /// How many of the group's deployments, newest first, the audit reads the targets of.
    var walkBound = 20
    /// How far back the walk lists the group's deployments.
    var walkWindow: TimeInterval = 30 * 24 * 3600

    func audit(_ groups: [LifelineConfig.ManagedGroup], queueARN: String?) async throws -> AuditReport {
        var observer = Observer(aws: aws, journal: journal, now: now)
        observer.everyTarget = true
        let observed = try await observer.observe(groups, queueARN: queueARN)
        if let (group, error) = observed.failures.min(by: { $0.key.description < $1.key.description }) {
            throw RuntimeError("\(group): \(error)")
        }
        let seen = observed.seen
        let at = now()
        let audits = try await concurrentMap(seen) { one in try await audit(one, at: at) }
        return AuditReport(generatedAt: at, groups: audits)
    }

    private func audit(_ seen: Observer.Seen, at: Date) async throws -> GroupAudit {
        let observation = seen.observation
        let since = at.addingTimeInterval(-horizon)
        let entries = try await journal.entries(
            JournalQuery(since: since, deploymentGroup: observation.deploymentGroup.description, limit: 500)
        )
        guard observation.exists else {
            return GroupAudit.build(
                observation,
                seen.journal,
                candidates: [],
                policy: seen.group.policy,
                timeline: timeline(entries),
                now: at
            )
        }
        // The group's recent deployments, newest first: their targets show what each instance runs
        // and whether CodeDeploy still targets instances that are gone.
        let deployments = try await recentDeployments(
            observation.deploymentGroup,
            lastSuccessful: observation.lastSuccessful?.id,
            at: at
        )
        let members = observation.autoScalingGroups.flatMap(\.instances.keys)
        let extra =
            seen.journal.openActions.map(\.instanceID) + observation.deployments.flatMap { ($0.targets ?? [:]).keys }
        var found: [String: EC2Instance] = [:]
        for instance in try await aws.ec2.describeInstances(ids: Array(Set(members + extra)).sorted()) {
            found[instance.instanceID] = instance
        }
        let filters = Set(observation.tagFilters + observation.tagSet.joined())
        let selected = try await concurrentMap(filters.sorted { "\($0)" < "\($1)" }) {
            try await aws.ec2.describeInstances(filters: [EC2Filter($0)])
        }
        for instance in selected.joined() { found[instance.instanceID] = instance }
        let candidates = found.values.map(MatchSet.Instance.init)
        let running = Set(candidates.filter { !$0.isGone }.map(\.id))
        let history = try await walk(deployments, resolving: running)
        let recent = deployments.filter { ($0.createTime ?? .distantPast) >= since }

        var events = timeline(entries)
        for instance in found.values {
            if let launched = instance.launchTime, launched >= since {
                events.append(
                    TimelineEvent(
                        at: launched,
                        kind: .launch,
                        subject: instance.instanceID,
                        detail: "launched; now \(instance.state)"
                    )
                )
            }
        }
        for deployment in recent {
            guard let id = deployment.deploymentId, let created = deployment.createTime else { continue }
            let by =
                deployment.creator == "autoscaling"
                ? "CodeDeploy's launch hook"
                : ((deployment.description ?? "").hasPrefix("lifeline:")
                    ? "lifeline" : (deployment.creator ?? "someone"))
            events.append(
                TimelineEvent(
                    at: created,
                    kind: .deployment,
                    subject: id,
                    detail: "created by \(by): \(deployment.revision.map { Revision($0).summary } ?? "no revision")"
                )
            )
            if let ended = deployment.completeTime {
                let abandons =
                    deployment.creator == "autoscaling" && ["Failed", "Stopped"].contains(deployment.status ?? "")
                events.append(
                    TimelineEvent(
                        at: ended,
                        kind: abandons ? .abandon : .deployment,
                        subject: id,
                        detail: (deployment.status ?? "ended").lowercased()
                            + (abandons
                                ? ": CodeDeploy abandons the instances it held, and the group launches again" : "")
                    )
                )
            }
        }
        return GroupAudit.build(
            observation,
            seen.journal,
            candidates: candidates,
            history: history,
            policy: seen.group.policy,
            timeline: events,
            now: at
        )
    }

    /// The deployment group's deployments of the walk's window, newest first, and its last
    /// successful one even when it is older: a group that has not deployed for a while still shows
    /// what its instances run.
    private func recentDeployments(
        _ group: DeploymentGroupName,
        lastSuccessful: String?,
        at: Date
    ) async throws -> [DeploymentInfo] {
        var ids = try await aws.codeDeploy.listDeployments(
            application: group.application,
            group: group.name,
            statuses: [],
            createdAfter: at.addingTimeInterval(-walkWindow)
        )
        if let lastSuccessful, !ids.contains(lastSuccessful) { ids.append(lastSuccessful) }
        guard !ids.isEmpty else { return [] }
        return try await aws.codeDeploy.batchGetDeployments(ids: ids)
            .sorted { ($0.createTime ?? .distantPast) > ($1.createTime ?? .distantPast) }
    }

    /// Reads the targets of the newest deployments until every running candidate has a deployment
    /// that succeeded on it, or the bound. A deployment that has not started has no targets yet
    /// and says nothing, so it is left out.
    private func walk(
        _ deployments: [DeploymentInfo],
        resolving running: Set<String>
    ) async throws
        -> DeploymentHistory
    {
        var unresolved = running
        var read: [DeploymentHistory.Deployment] = []
        var index = 0
        while index < deployments.count, read.count < walkBound, read.isEmpty || !unresolved.isEmpty {
            let deployment = deployments[index]
            index += 1
            guard let id = deployment.deploymentId, let created = deployment.createTime else { continue }
            let targeted: [String]
            do {
                targeted = try await aws.codeDeploy.listDeploymentTargets(deploymentID: id)
            } catch let error as AWSError where error.isDeploymentNotStarted {
                continue
            }
            let wanted = targeted.filter(unresolved.contains)
            var statuses: [String: String] = [:]
            if !wanted.isEmpty {
                for target in try await aws.codeDeploy.batchGetDeploymentTargets(deploymentID: id, targetIDs: wanted) {
                    guard let instance = target.instanceTarget, let targetID = instance.targetId else { continue }
                    statuses[targetID] = instance.status
                }
            }
            for (instance, status) in statuses where status == "Succeeded" { unresolved.remove(instance) }
            read.append(
                DeploymentHistory.Deployment(
                    id: id,
                    createdAt: created,
                    revision: deployment.revision.map(Revision.init),
                    targeted: Set(targeted),
                    statuses: statuses,
                    outdatedOnly: deployment.updateOutdatedInstancesOnly == true
                )
            )
        }
        return DeploymentHistory(deployments: read, complete: index >= deployments.count)
    }

    /// lifeline's own decisions that belong on a timeline.
    private func timeline(_ entries: [JournalEntry]) -> [TimelineEvent] {
        entries.compactMap { entry in
            let subject = entry.instanceID ?? entry.deploymentGroup ?? ""
            switch entry.decision {
            case "complete ABANDON":
                return TimelineEvent(
                    at: entry.at,
                    kind: .abandon,
                    subject: subject,
                    detail: "lifeline: \(entry.reason)"
                )
            case "complete CONTINUE":
                return TimelineEvent(
                    at: entry.at,
                    kind: .continue,
                    subject: subject,
                    detail: "lifeline: \(entry.reason)"
                )
            case "breaker open":
                return TimelineEvent(at: entry.at, kind: .breaker, subject: subject, detail: entry.reason)
            case "stop-deployment", "create-deployment":
                return TimelineEvent(
                    at: entry.at,
                    kind: .deployment,
                    subject: subject,
                    detail: "lifeline \(entry.decision): \(entry.reason)"
                )
            default: return nil
            }
        }
    }
}

extension EC2Filter {
    /// The EC2 filter that selects what a CodeDeploy tag filter selects.
    init(_ f: TagFilter) {
        switch f.kind {
        case .keyAndValue: self.init("tag:\(f.key ?? "")", [f.value ?? ""])
        case .keyOnly: self.init("tag-key", [f.key ?? ""])
        case .valueOnly: self.init("tag-value", [f.value ?? ""])
        }
    }
}

extension Reconciler {
    /// One audit of the managed groups (or `only` some); changes nothing.
    public func audit(only: Set<DeploymentGroupName>? = nil) async throws -> AuditReport {
        let selected = groups(only)
        let arn = try await queueARNIfConfigured()
        return try await Auditor(aws: aws, journal: journal, now: now).audit(selected, queueARN: arn)
    }
}
