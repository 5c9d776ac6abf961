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
    public var loopBreaker: LoopBreakerPolicy
    /// Supervise mode: what lifeline may do besides reporting (DESIGN §2). Own mode acts anyway.
    public var allow: Set<SuperviseAction>
    /// Own mode, `terminating_hook: true`: lifeline's hook on EC2_INSTANCE_TERMINATING holds an
    /// instance that scales in while a deployment to it runs, until that deployment ends (DESIGN §2).
    public var terminatingHook = false

    public init(
        mode: Mode = .own,
        heartbeatTimeout: Int = 300,
        onFailure: LifecycleAction.Result = .abandon,
        hookRoleARN: String? = nil,
        pollInterval: TimeInterval = 10,
        resyncInterval: TimeInterval = 60,
        autoScalingGroups: [String] = [],
        loopBreaker: LoopBreakerPolicy = LoopBreakerPolicy(),
        allow: Set<SuperviseAction> = []
    ) {
        self.mode = mode
        self.heartbeatTimeout = heartbeatTimeout
        self.onFailure = onFailure
        self.hookRoleARN = hookRoleARN
        self.pollInterval = pollInterval
        self.resyncInterval = resyncInterval
        self.autoScalingGroups = autoScalingGroups
        self.loopBreaker = loopBreaker
        self.allow = allow
    }

    /// Whether lifeline may do `action` for this group: always in own mode, when allowed in supervise.
    public func may(_ action: SuperviseAction) -> Bool { mode == .own || allow.contains(action) }
}

/// DESIGN §4: launch → deployment failed/stopped → ABANDON → relaunch, `maxCycles` times within
/// `window`, opens the group's loop breaker; waiting actions then get `result`.
public struct LoopBreakerPolicy: Sendable, Equatable, Codable {
    public var maxCycles: Int
    public var window: TimeInterval
    public var result: LifecycleAction.Result

    public init(maxCycles: Int = 3, window: TimeInterval = 1800, result: LifecycleAction.Result = .continue) {
        self.maxCycles = maxCycles
        self.window = window
        self.result = result
    }
}

/// What a supervise-mode policy may let lifeline do (config `allow:`).
public enum SuperviseAction: String, Sendable, Codable, CaseIterable, Comparable {
    /// Abandon the lifecycle action of an instance EC2 says is gone.
    case abandonGone = "abandon-gone"
    /// Stop a deployment whose remaining targets are all gone (after continuing the instances it
    /// already deployed to, so that stopping it does not abandon them).
    case stopStuck = "stop-stuck"
    /// Open the loop breaker when the group loops.
    case openBreaker = "open-breaker"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
