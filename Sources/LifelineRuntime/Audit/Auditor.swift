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
    /// How many of the newest deployments' targets are read to find ghosts.
    static let targetedDeployments = 5

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
        // Candidates: every member, every instance a tag filter selects (the match set is then
        // computed exactly, tag sets included), open actions' instances and active targets.
        // Targets of the newest deployments: a terminated instance targeted after it was gone is a ghost.
        let recentIDs = try await aws.codeDeploy.listDeployments(
            application: observation.deploymentGroup.application,
            group: observation.deploymentGroup.name,
            statuses: [],
            createdAfter: since
        )
        let recent =
            recentIDs.isEmpty ? [] : try await aws.codeDeploy.batchGetDeployments(ids: Array(recentIDs.prefix(100)))
        let newest = Array(
            recent.sorted { ($0.createTime ?? .distantPast) > ($1.createTime ?? .distantPast) }.prefix(
                Self.targetedDeployments
            )
        )
        let targetLists = try await concurrentMap(newest) {
            try await aws.codeDeploy.listDeploymentTargets(deploymentID: $0.deploymentId ?? "")
        }
        var targetedAt: [String: Date] = [:]
        for (deployment, ids) in zip(newest, targetLists) {
            for id in ids {
                targetedAt[id] = max(targetedAt[id] ?? .distantPast, deployment.createTime ?? .distantPast)
            }
        }
        let members = observation.autoScalingGroups.flatMap(\.instances.keys)
        let extra =
            seen.journal.openActions.map(\.instanceID) + observation.deployments.flatMap { ($0.targets ?? [:]).keys }
            + targetedAt.keys
        var found: [String: EC2Instance] = [:]
        for instance in try await aws.ec2.describeInstances(ids: Array(Set(members + extra)).sorted()) {
            found[instance.instanceID] = instance
        }
        let filters = Set(observation.tagFilters + observation.tagSet.joined())
        let selected = try await concurrentMap(filters.sorted { "\($0)" < "\($1)" }) {
            try await aws.ec2.describeInstances(filters: [EC2Filter($0)])
        }
        for instance in selected.joined() { found[instance.instanceID] = instance }

        // What each instance last got deployed, where lifeline's records say.
        var revisions: [String: Revision] = [:]
        for record in try await journal.deployments(deploymentGroup: observation.deploymentGroup.description).reversed()
        where record.status == "Succeeded" {
            for instance in record.instances { revisions[instance] = record.revision }
        }
        let candidates = found.values.map { instance in
            var candidate = MatchSet.Instance(instance)
            candidate.revision = revisions[instance.instanceID]
            return candidate
        }

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
            targetedAt: targetedAt,
            policy: seen.group.policy,
            timeline: events,
            now: at
        )
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
