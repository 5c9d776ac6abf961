import AWSWire
import Foundation
import LifelineCore

/// What the loop breaker and stuck deployments need from AWS (DESIGN §4), read only when
/// something changed: failed launch deployments, and EC2's view of instances.
extension Observer {
    /// Failed or stopped deployments in each group's loop window, listed only when the group's
    /// last attempted deployment is newer than the last count, inside the window, and did not
    /// succeed (a success ends a loop; the cycles counted before it still slide out of the window).
    func readFailedDeployments(_ round: inout ObservationRound) async throws {
        let breakers = round.breakers
        let due: [(DeploymentGroupName, Date)] = round.live.compactMap { group in
            guard let last = round.infos[group.name]?.lastAttemptedDeployment, let id = last.deploymentId else {
                return nil
            }
            let breaker = breakers[group.name.description]
            let since = max(
                now().addingTimeInterval(-group.policy.loopBreaker.window),
                breaker?.resetAt ?? .distantPast
            )
            guard id != breaker?.scannedThrough, last.status != "Succeeded",
                (last.createTime ?? .distantFuture) >= since
            else { return nil }
            return (group.name, since)
        }
        let lists = try await concurrentOutcomes(due) { name, since in
            try await aws.codeDeploy.listDeployments(
                application: name.application,
                group: name.name,
                statuses: ["Failed", "Stopped"],
                createdAfter: since
            )
        }
        for ((name, _), list) in zip(due, lists) {
            switch list {
            case let .success(ids): round.failed[name] = ids
            case let .failure(error): round.fail([name], error)
            }
        }
    }

    /// The count for one group when its failed deployments were listed this pass: launch
    /// deployments only (CodeDeploy's, or lifeline's follow-ons when failure means ABANDON).
    static func loopScan(
        _ group: LifelineConfig.ManagedGroup,
        info: DeploymentGroupInfo,
        failed: [String]?,
        infos: [String: DeploymentInfo]
    ) -> LoopScan? {
        guard let failed, let through = info.lastAttemptedDeployment?.deploymentId else { return nil }
        let cycles = failed.compactMap { infos[$0] }.filter { deployment in
            deployment.creator == "autoscaling"
                || (group.policy.onFailure == .abandon
                    && FollowOnDeployment.isMarked(deployment.description, for: group.name))
        }.compactMap { $0.completeTime ?? $0.createTime }
        return LoopScan(through: through, cycles: cycles)
    }

    /// EC2's view of instances by id, one batched lookup; an id EC2 does not know is `unknown`.
    func instanceStates(_ ids: [String]) async throws -> [String: MatchSet.Instance] {
        guard !ids.isEmpty else { return [:] }
        var states: [String: MatchSet.Instance] = [:]
        for instance in try await aws.ec2.describeInstances(ids: ids) {
            states[instance.instanceID] = MatchSet.Instance(instance)
        }
        for id in ids where states[id] == nil { states[id] = MatchSet.Instance(id: id, state: "unknown") }
        return states
    }
}

extension MatchSet.Instance {
    init(_ instance: EC2Instance) {
        self.init(
            id: instance.instanceID,
            state: instance.state,
            tags: instance.tags,
            stateChangedAt: instance.stateChangedAt
        )
    }
}
