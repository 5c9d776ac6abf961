import Foundation

/// One lifecycle action: an instance held by a hook, as lifeline knows it. Keyed by its token, which
/// is only what a message claimed (or `instance:<id>`): AWS is always addressed by the instance id
/// and the hook, which it accepts in place of the token, so a forged token changes nothing.
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
    /// When it left the open states (completed or closed), on AWS's clock.
    public var closedAt: Date?

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
        heartbeatTimeout: Int? = nil,
        closedAt: Date? = nil
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
        self.closedAt = closedAt
    }
}

extension LifecycleAction {
    /// The key of an action whose token lifeline does not take from a message: `instance:<id>`,
    /// with the hook (one instance waits on a hook of each deployment group that covers its Auto
    /// Scaling group) and, for an instance that waits again after an earlier action, when.
    public static func instanceToken(_ instanceID: String, hook: String? = nil, again at: Date? = nil) -> String {
        "instance:\(instanceID)" + (hook.map { "/\($0)" } ?? "")
            + (at.map { "@\(Int($0.timeIntervalSince1970))" } ?? "")
    }
    public var hasInstanceToken: Bool { token.hasPrefix("instance:") }

    /// A heartbeat AWS accepted at `at`: the action's timeout restarts there.
    public mutating func heartbeatAccepted(at: Date, timeout: Int) {
        lastHeartbeat = max(lastHeartbeat ?? at, at)
        heartbeatsSent += 1
        heartbeatTimeout = timeout
        heartbeatDeadline = at.addingTimeInterval(Double(timeout))
    }

    /// How long after an action was finished its instance may show as waiting without being
    /// adopted again (Auto Scaling's view of a completion takes a moment to catch up).
    public static let adoptAgainAfter: TimeInterval = 120
    /// Whether this record keeps its instance from being adopted (or recorded from a message)
    /// again: it is open, or was finished less than `adoptAgainAfter` ago.
    public func holdsInstance(at now: Date) -> Bool {
        state.isOpen || (closedAt ?? .distantPast) > now.addingTimeInterval(-Self.adoptAgainAfter)
    }

    /// How long an instance that neither its Auto Scaling group nor EC2 lists keeps its action
    /// open: a launch EC2 does not show yet is not evidence that the wait is over.
    public static let unknownGrace: TimeInterval = 600

    /// An action lifeline found waiting: AWS showed `instance` in Pending:Wait on `hook` (a message
    /// only pointed there). Its times come from what AWS shows, never from the message alone:
    /// - the heartbeat clock starts at the launch, the earliest the wait can have begun; without
    ///   a launch time it is taken to expire now, so the first heartbeat goes out at once;
    /// - the global deadline starts no earlier than the launch, and the message's `Time` (`claimed`)
    ///   counts only between the launch and now; without a launch time it starts now, the first
    ///   time lifeline saw the instance waiting. An old `Time` cannot bring an ABANDON forward.
    public static func seenWaiting(
        token: String,
        instanceID: String,
        hookName: String,
        heartbeatTimeout: Int,
        autoScalingGroup: String,
        deploymentGroup: String,
        launched: Date?,
        claimed: Date? = nil,
        messageIDs: [String] = [],
        now: Date
    ) -> LifecycleAction {
        let globalStart = launched.map { launch in max(launch, min(claimed ?? launch, now)) } ?? now
        return LifecycleAction(
            token: token,
            instanceID: instanceID,
            hookName: hookName,
            autoScalingGroup: autoScalingGroup,
            deploymentGroup: deploymentGroup,
            firstSeen: launched ?? now,
            heartbeatDeadline: launched?.addingTimeInterval(Double(heartbeatTimeout)) ?? now,
            globalDeadline: globalStart.addingTimeInterval(globalTimeout(heartbeatTimeout: heartbeatTimeout)),
            messageIDs: messageIDs,
            heartbeatTimeout: heartbeatTimeout
        )
    }

    /// Auto Scaling's cap on the whole wait: min(48 h, 100 × HeartbeatTimeout).
    public static func globalTimeout(heartbeatTimeout: Int) -> TimeInterval {
        min(48 * 3600, 100 * Double(heartbeatTimeout))
    }
}
