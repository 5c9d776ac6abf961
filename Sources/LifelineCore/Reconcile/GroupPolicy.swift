import Foundation

/// How lifeline treats one deployment group: what the config says, with DESIGN's defaults.
public struct GroupPolicy: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// lifeline installs its hook and deploys to new instances itself.
        case own
        /// CodeDeploy owns the hooks; lifeline watches and reports.
        case supervise
    }

    public var mode: Mode
    /// HeartbeatTimeout of lifeline's hook, seconds (AWS: 30–7200).
    public var heartbeatTimeout: Int
    /// The result for an instance whose deployment failed, was skipped or stopped.
    public var onFailure: LifecycleAction.Result
    /// Lets Auto Scaling publish to the queue.
    public var hookRoleARN: String?
    /// How often to look at a running deployment.
    public var pollInterval: TimeInterval
    /// How often to look even when nothing is known to be happening (finds lost messages).
    public var resyncInterval: TimeInterval
    /// Auto Scaling groups to cover besides those the deployment group names or whose tags it matches.
    public var autoScalingGroups: [String]

    public init(
        mode: Mode = .own, heartbeatTimeout: Int = 300, onFailure: LifecycleAction.Result = .abandon, hookRoleARN: String? = nil,
        pollInterval: TimeInterval = 10, resyncInterval: TimeInterval = 60, autoScalingGroups: [String] = []
    ) {
        self.mode = mode; self.heartbeatTimeout = heartbeatTimeout; self.onFailure = onFailure; self.hookRoleARN = hookRoleARN
        self.pollInterval = pollInterval; self.resyncInterval = resyncInterval; self.autoScalingGroups = autoScalingGroups
    }
}
