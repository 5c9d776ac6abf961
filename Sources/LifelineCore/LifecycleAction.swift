import Foundation

/// One lifecycle action: an instance held by a hook, as lifeline knows it. Keyed by its token.
public struct LifecycleAction: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Held by the hook, not yet covered by a deployment.
        case waiting
        /// Covered by a deployment that is running; heartbeats keep it alive.
        case deploying
        /// lifeline decided the result and is completing it with Auto Scaling.
        case completing
        /// Completed by lifeline (or found closed by AWS): nothing more to do.
        case completed
        /// AWS closed it without lifeline (timeout, instance gone, someone else completed it).
        case closed

        /// Still needs lifeline's attention.
        public var isOpen: Bool { self == .waiting || self == .deploying || self == .completing }
        public static let open: [State] = allCases.filter(\.isOpen)
    }

    public enum Result: String, Sendable, Codable {
        case `continue` = "CONTINUE"
        case abandon = "ABANDON"
    }

    public var token: String
    public var instanceID: String
    public var hookName: String
    /// The Auto Scaling group holding the instance.
    public var autoScalingGroup: String
    /// `APP/GROUP` of the deployment group lifeline manages it for, once known.
    public var deploymentGroup: String?
    /// `autoscaling:EC2_INSTANCE_LAUNCHING` or `…_TERMINATING`
    public var transition: String
    public var firstSeen: Date
    /// When the hook's heartbeat timeout runs out unless lifeline heartbeats.
    public var heartbeatDeadline: Date?
    /// When the whole wait ends whatever lifeline does (min(48 h, 100 × heartbeat timeout)).
    public var globalDeadline: Date?
    public var heartbeatsSent: Int
    public var lastHeartbeat: Date?
    public var state: State
    public var result: Result?
    /// The SQS messages that reported this action (at-least-once delivery: possibly several).
    public var messageIDs: [String]
    /// Optimistic concurrency: the stored row's version; a write with a stale one is refused.
    public var version: Int
    /// The hook's HeartbeatTimeout in seconds, as Auto Scaling reports it (nil: not known yet).
    public var heartbeatTimeout: Int?

    public init(
        token: String,
        instanceID: String,
        hookName: String,
        autoScalingGroup: String,
        deploymentGroup: String? = nil,
        transition: String = "autoscaling:EC2_INSTANCE_LAUNCHING",
        firstSeen: Date,
        heartbeatDeadline: Date? = nil,
        globalDeadline: Date? = nil,
        heartbeatsSent: Int = 0,
        lastHeartbeat: Date? = nil,
        state: State = .waiting,
        result: Result? = nil,
        messageIDs: [String] = [],
        version: Int = 0,
        heartbeatTimeout: Int? = nil
    ) {
        self.token = token
        self.instanceID = instanceID
        self.hookName = hookName
        self.autoScalingGroup = autoScalingGroup
        self.deploymentGroup = deploymentGroup
        self.transition = transition
        self.firstSeen = firstSeen
        self.heartbeatDeadline = heartbeatDeadline
        self.globalDeadline = globalDeadline
        self.heartbeatsSent = heartbeatsSent
        self.lastHeartbeat = lastHeartbeat
        self.state = state
        self.result = result
        self.messageIDs = messageIDs
        self.version = version
        self.heartbeatTimeout = heartbeatTimeout
    }
}

extension LifecycleAction {
    /// The key of an action found by resync, whose token is unknown: AWS is then addressed by instance id.
    public static func instanceToken(_ instanceID: String) -> String { "instance:\(instanceID)" }
    public var hasInstanceToken: Bool { token.hasPrefix("instance:") }

    /// Auto Scaling's cap on the whole wait: min(48 h, 100 × HeartbeatTimeout).
    public static func globalTimeout(heartbeatTimeout: Int) -> TimeInterval {
        min(48 * 3600, 100 * Double(heartbeatTimeout))
    }
}
