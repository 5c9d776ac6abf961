import Foundation

/// What the journal knows of one deployment group, as `decide` needs it.
public struct JournalView: Sendable, Equatable {
    /// Open actions of the group's Auto Scaling groups.
    public var openActions: [LifecycleAction]
    /// Instances not to adopt: an open action of the group, or one finished less than
    /// `LifecycleAction.adoptAgainAfter` ago (Auto Scaling's view may still show it waiting).
    /// An instance that waits again after that is adopted again.
    public var knownInstances: Set<String>
    /// Instances with a finished action on record: one adopted again gets a fresh key.
    public var finishedInstances: Set<String>
    /// Deployments lifeline created or tracks for the group.
    public var deployments: [DeploymentRecord]
    public var lastGood: LastGoodRevision?
    public var breaker: BreakerState?

    public init(
        openActions: [LifecycleAction] = [],
        knownInstances: Set<String> = [],
        finishedInstances: Set<String> = [],
        deployments: [DeploymentRecord] = [],
        lastGood: LastGoodRevision? = nil,
        breaker: BreakerState? = nil
    ) {
        self.openActions = openActions
        self.knownInstances = knownInstances.union(openActions.map(\.instanceID))
        self.finishedInstances = finishedInstances
        self.deployments = deployments
        self.lastGood = lastGood
        self.breaker = breaker
    }
}
