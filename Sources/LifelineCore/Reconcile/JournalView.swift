import Foundation

/// What the journal knows of one deployment group, as `decide` needs it.
public struct JournalView: Sendable, Equatable {
    /// Open actions of the group's Auto Scaling groups.
    public var openActions: [LifecycleAction]
    /// Instances with any action on record (open or finished), so a finished one is not adopted again.
    public var knownInstances: Set<String>
    /// Deployments lifeline created or tracks for the group.
    public var deployments: [DeploymentRecord]
    public var lastGood: LastGoodRevision?
    public var breaker: BreakerState?

    public init(
        openActions: [LifecycleAction] = [],
        knownInstances: Set<String> = [],
        deployments: [DeploymentRecord] = [],
        lastGood: LastGoodRevision? = nil,
        breaker: BreakerState? = nil
    ) {
        self.openActions = openActions
        self.knownInstances = knownInstances.union(openActions.map(\.instanceID))
        self.deployments = deployments
        self.lastGood = lastGood
        self.breaker = breaker
    }
}
