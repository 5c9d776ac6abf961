import Foundation

/// One of lifeline's hooks (launching, or the optional terminating one) as it should be on one
/// Auto Scaling group.
public struct HookSpec: Sendable, Equatable, Codable {
    public static let launching = "autoscaling:EC2_INSTANCE_LAUNCHING"
    public static let terminating = "autoscaling:EC2_INSTANCE_TERMINATING"

    public var name: String
    public var autoScalingGroup: String
    /// Nil in intents written before the terminating hook: launching.
    public var transition: String?
    public var heartbeatTimeout: Int
    public var defaultResult: String
    public var notificationTargetARN: String?
    public var roleARN: String?
    /// `APP/GROUP`: lets lifeline find its deployment groups again without a config.
    public var metadata: String

    public init(
        name: String,
        autoScalingGroup: String,
        heartbeatTimeout: Int,
        defaultResult: String = "ABANDON",
        notificationTargetARN: String?,
        roleARN: String?,
        metadata: String,
        transition: String = HookSpec.launching
    ) {
        self.name = name
        self.autoScalingGroup = autoScalingGroup
        self.transition = transition
        self.heartbeatTimeout = heartbeatTimeout
        self.defaultResult = defaultResult
        self.notificationTargetARN = notificationTargetARN
        self.roleARN = roleARN
        self.metadata = metadata
    }
}
