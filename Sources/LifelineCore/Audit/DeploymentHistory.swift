import Foundation

/// A deployment group's recent deployments as the audit walked them, newest first: every target
/// of each, and the status of the targets it needed. From it come what each instance runs (the
/// newest deployment whose target on it succeeded) and what CodeDeploy did with an instance after
/// it was gone (targeted it again: a ghost; passed over it: harmless). The walk is bounded, and
/// says so when it stopped before the end of the group's history.
public struct DeploymentHistory: Sendable, Equatable {
    public struct Deployment: Sendable, Equatable {
        public var id: String
        public var createdAt: Date
        public var revision: Revision?
        /// Every target of the deployment (instance ids).
        public var targeted: Set<String>
        /// Instance → target status (`Succeeded`, `Failed`, …) for the targets that were read.
        public var statuses: [String: String]
        /// `updateOutdatedInstancesOnly`: it skips instances already on its revision, so an
        /// instance it did not target says nothing of whether CodeDeploy still matches it.
        public var outdatedOnly: Bool

        public init(
            id: String,
            createdAt: Date,
            revision: Revision?,
            targeted: Set<String>,
            statuses: [String: String] = [:],
            outdatedOnly: Bool = false
        ) {
            self.id = id
            self.createdAt = createdAt
            self.revision = revision
            self.targeted = targeted
            self.statuses = statuses
            self.outdatedOnly = outdatedOnly
        }
    }

    /// What the walk says an instance runs.
    public enum Resolution: Sendable, Equatable {
        /// The newest deployment whose target on the instance succeeded, and its revision.
        case deployed(Revision, by: String)
        /// The walk read the whole window and no deployment succeeded on the instance.
        case neverSucceeded(deployments: Int)
        /// The walk stopped at its bound before it found one.
        case unknown(walked: Int)
    }

    /// Newest first.
    public var deployments: [Deployment]
    /// False when the walk stopped at its bound with older deployments left unread.
    public var complete: Bool

    public init(deployments: [Deployment] = [], complete: Bool = true) {
        self.deployments = deployments.sorted { $0.createdAt > $1.createdAt }
        self.complete = complete
    }

    public func revision(of instanceID: String) -> Resolution {
        for deployment in deployments where deployment.statuses[instanceID] == "Succeeded" {
            if let revision = deployment.revision { return .deployed(revision, by: deployment.id) }
        }
        return complete ? .neverSucceeded(deployments: deployments.count) : .unknown(walked: deployments.count)
    }

    /// What the newest deployments created after the instance was gone did with it: the newest that
    /// targeted it (CodeDeploy still matches it: seed 004), or the newest that selected every
    /// match and passed it over (CodeDeploy has let it go). Nil: no deployment since says either.
    public func after(_ instanceID: String, gone: Date) -> (deployment: Deployment, targeted: Bool)? {
        for deployment in deployments where deployment.createdAt > gone {
            if deployment.targeted.contains(instanceID) { return (deployment, true) }
            if !deployment.outdatedOnly { return (deployment, false) }
        }
        return nil
    }
}
