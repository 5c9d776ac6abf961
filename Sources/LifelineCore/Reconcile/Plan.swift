import Foundation

/// What one pass decided for one deployment group: a value, so it can be printed (`--dry-run`),
/// compared in a test, and executed by the runtime step by step.
public struct Plan: Sendable, Equatable {
    /// Deterministic: the same observation at the same moment gives the same id.
    public var id: String
    public var deploymentGroup: DeploymentGroupName
    public var steps: [PlanStep]
    /// Findings that need no action from lifeline but a person should know (double hooks, no revision).
    public var notes: [String]
    /// When the group should be looked at again.
    public var nextPassAt: Date
    /// Open actions remain once the steps are done: the group is not settled yet.
    public var pending: Bool

    public init(
        id: String,
        deploymentGroup: DeploymentGroupName,
        steps: [PlanStep] = [],
        notes: [String] = [],
        nextPassAt: Date,
        pending: Bool = false
    ) {
        self.id = id
        self.deploymentGroup = deploymentGroup
        self.steps = steps
        self.notes = notes
        self.nextPassAt = nextPassAt
        self.pending = pending
    }

    public var isEmpty: Bool { steps.isEmpty }
}
