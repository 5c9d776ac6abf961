import AWSWire
import Foundation
import JSONCoding
import LifelineCore
import LifelineStore

/// Step 0 of a pass: what a crash cut short between an intent and its outcome (DESIGN §3, Act).
extension Reconciler {
    /// Intents without an outcome are what a crash cut short. A deployment is looked up by the
    /// marker in its description, never created twice; a completion is finished by the next
    /// decision (the action is marked completing with the intended result). Every time here is on
    /// AWS's clock (`now`), as CodeDeploy's createTime is. Returns the groups whose interrupted intents could not be resolved (AWS could not be read):
    /// they sit this pass out, so that nothing is done twice.
    /// `of`: only the intents of these groups (another pass may be acting for the others: their
    /// open intents are its calls in flight, not a crash's), and those of no group when
    /// `ungrouped`; nil: every intent.
    @discardableResult
    func resolveInterruptedIntents(
        of groups: Set<DeploymentGroupName>? = nil,
        ungrouped: Bool = true
    ) async throws -> [DeploymentGroupName: GroupFailure] {
        var failures: [DeploymentGroupName: GroupFailure] = [:]
        for intent in try await journal.openIntents() {
            if let groups {
                let group = intent.deploymentGroup.flatMap(DeploymentGroupName.init)
                guard group.map(groups.contains) ?? ungrouped else { continue }
            }
            do {
                try await resolve(intent)
            } catch let error as AWSError {
                guard let group = intent.deploymentGroup.flatMap(DeploymentGroupName.init) else { throw error }
                failures[group] =
                    failures[group] ?? GroupFailure(error, while: "resolving an interrupted \(intent.kind.rawValue)")
            }
        }
        return failures
    }

    private func resolve(_ intent: Intent) async throws {
        let at = now()
        switch intent.kind {
        case .createDeployment:
            guard let group = intent.deploymentGroup.flatMap(DeploymentGroupName.init), let planID = intent.planID
            else {
                try await journal.finishIntent(
                    id: intent.id!,
                    outcome: .failed,
                    detail: "no group or plan id",
                    at: at
                )
                return
            }
            // The exact marker the intent was written with (its fence included, with leases).
            let planned = try? JSONValueDecoder().decode(FollowOnDeployment.self, from: Data(intent.payload.utf8))
            let marker = planned?.description ?? FollowOnDeployment.marker(group, planID)
            let found = try await aws.codeDeploy.deployment(
                marked: marker,
                in: group,
                createdAfter: intent.createdAt.addingTimeInterval(-60)
            )
            if let deployment = found, let id = deployment.deploymentId {
                let record = DeploymentRecord(
                    id: id,
                    deploymentGroup: group.description,
                    planID: planID,
                    revision: deployment.revision.map(Revision.init) ?? Revision(revisionType: nil),
                    instances: planned?.instances ?? [],
                    status: deployment.status ?? "Created",
                    createdAt: deployment.createTime ?? intent.createdAt
                )
                try await journal.finishIntent(
                    id: intent.id!,
                    outcome: .done,
                    detail: id,
                    at: at,
                    action: nil,
                    deployment: record
                )
                logger.notice(
                    "found deployment \(id) again after a restart (\(marker)); not creating another",
                    metadata: ["group": "\(group)"]
                )
            } else {
                try await journal.finishIntent(
                    id: intent.id!,
                    outcome: .failed,
                    detail: "not found in CodeDeploy after a restart: never created",
                    at: at
                )
            }
        case .complete:
            if let token = intent.actionToken, var action = try await journal.action(token: token),
                action.state.isOpen, action.state != .completing,
                let result = (try? JSONValueDecoder().decode(CompletionIntent.self, from: Data(intent.payload.utf8)))?
                    .result
            {
                action.state = .completing
                action.result = result
                try await journal.finishIntent(
                    id: intent.id!,
                    outcome: .moot,
                    detail: "interrupted; completing again",
                    at: at,
                    action: action
                )
            } else {
                try await journal.finishIntent(id: intent.id!, outcome: .moot, detail: "interrupted", at: at)
            }
        case .heartbeat, .stopDeployment, .putHook:
            try await journal.finishIntent(
                id: intent.id!,
                outcome: .moot,
                detail: "interrupted; the next pass decides again",
                at: at
            )
        }
    }
}
