import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// The deployment steps of a plan, write-ahead: CreateDeployment (with recovery by marker when its
/// answer is lost) and StopDeployment.
extension PlanExecutor {
    /// A CreateDeployment intent written ahead by `recordBookkeeping`, with the fence it carries.
    struct WrittenIntent: Sendable {
        var intent: Intent
        var fence: Int?
    }

    /// StopDeployment, write-ahead; a deployment that already ended needs no stop.
    func stopDeployment(_ id: String, group: DeploymentGroupName, reason: String) async throws {
        let intent = try await journal.beginIntent(
            Intent(kind: .stopDeployment, deploymentGroup: group.description, payload: id, createdAt: now())
        )
        do {
            _ = try await aws.codeDeploy.stopDeployment(id: id, autoRollbackEnabled: false)
            metrics?.deploymentStopped()
            try await journal.finishIntent(id: intent.id!, outcome: .done, detail: id, at: now())
            logger.warning("stopped deployment \(id): \(reason)", metadata: ["group": "\(group)"])
        } catch let error as AWSError where error.code == "DeploymentAlreadyCompletedException" {
            try await journal.finishIntent(id: intent.id!, outcome: .moot, detail: error.message, at: now())
        } catch {
            try? await journal.finishIntent(id: intent.id!, outcome: .failed, detail: "\(error)", at: now())
            throw error
        }
    }

    /// The intent of a CreateDeployment, written ahead of the call.
    func intent(_ deployment: FollowOnDeployment) -> Intent {
        Intent(
            kind: .createDeployment,
            deploymentGroup: deployment.deploymentGroup.description,
            planID: deployment.planID,
            payload: json(deployment),
            createdAt: now()
        )
    }

    func createDeployment(_ planned: FollowOnDeployment) async throws {
        // The lease's fence goes into the marker (and the intent): a late call from a replica that
        // lost the group is then told from its successor's.
        var deployment = planned
        let prewritten = written[planned.planID]
        do {
            deployment.fence = try await fence(planned.deploymentGroup)
        } catch {
            if let prewritten { try? await notSent(prewritten.intent, error) }
            throw error
        }
        guard let revision = deployment.revision.location else {
            throw RuntimeError(
                "\(deployment.deploymentGroup): the last good revision is \(deployment.revision.summary), which "
                    + "lifeline cannot deploy again (only S3 and GitHub revisions)"
            )
        }
        let intent: Intent
        if let prewritten, prewritten.fence == deployment.fence {
            intent = prewritten.intent
        } else {
            // The lease changed since the pass wrote its intents: the marker changes with it.
            if let prewritten { try await notSent(prewritten.intent, RuntimeError("the lease's fence changed")) }
            intent = try await journal.beginIntent(self.intent(deployment))
        }
        let id: String
        do {
            id = try await aws.codeDeploy.createDeployment(
                CreateDeploymentInput(
                    applicationName: deployment.deploymentGroup.application,
                    deploymentGroupName: deployment.deploymentGroup.name,
                    revision: revision,
                    description: deployment.description,
                    updateOutdatedInstancesOnly: true
                )
            )
        } catch let error as AWSError
            where error.earlierAttemptMayHaveTakenEffect || error.mayHaveTakenEffect
            || error.code == "DeploymentLimitExceededException"
        {
            // The deployment may exist although the answer says otherwise (a lost answer, then a
            // retry refused because the first one is active): look for it by its marker. If that
            // read fails too, the intent stays open and the next pass resolves it the same way.
            let found = try await aws.codeDeploy.deployment(
                marked: deployment.description,
                in: deployment.deploymentGroup,
                createdAfter: intent.createdAt.addingTimeInterval(-60)
            )
            guard let found, let foundID = found.deploymentId else {
                if error.code == "DeploymentLimitExceededException" {
                    // Someone started a deployment since the observation: wait for it, deploy after.
                    try await journal.finishIntent(id: intent.id!, outcome: .moot, detail: error.message, at: now())
                    return
                }
                try? await journal.finishIntent(id: intent.id!, outcome: .failed, detail: "\(error)", at: now())
                throw error
            }
            logger.notice(
                "found deployment \(foundID) by its marker after \(error.code); not creating another",
                metadata: ["group": "\(deployment.deploymentGroup)"]
            )
            id = foundID
        } catch {
            try? await journal.finishIntent(id: intent.id!, outcome: .failed, detail: "\(error)", at: now())
            throw error
        }
        metrics?.deploymentCreated()
        // The record, and the waiting instances' actions `deploying`, with the outcome.
        let record = DeploymentRecord(
            id: id,
            deploymentGroup: deployment.deploymentGroup.description,
            planID: deployment.planID,
            revision: deployment.revision,
            instances: deployment.instances,
            status: "Created",
            createdAt: now()
        )
        try await journal.finishIntent(
            id: intent.id!,
            outcome: .done,
            detail: id,
            at: now(),
            action: nil,
            deployment: record
        )
        let summary = deployment.revision.summary
        logger.info(
            "created deployment \(id) of \(summary) for \(deployment.instances.count) waiting instance(s)",
            metadata: ["group": "\(deployment.deploymentGroup)"]
        )
    }

    /// Closes an intent written ahead whose call was never sent.
    private func notSent(_ intent: Intent, _ error: any Error) async throws {
        try await journal.finishIntent(id: intent.id!, outcome: .failed, detail: "not sent: \(error)", at: now())
    }
}
