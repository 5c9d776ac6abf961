import Foundation

/// lifeline's launching hook as it should be on one Auto Scaling group.
public struct HookSpec: Sendable, Equatable, Codable {
    public var name: String
    public var autoScalingGroup: String
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
        metadata: String
    ) {
        self.name = name
        self.autoScalingGroup = autoScalingGroup
        self.heartbeatTimeout = heartbeatTimeout
        self.defaultResult = defaultResult
        self.notificationTargetARN = notificationTargetARN
        self.roleARN = roleARN
        self.metadata = metadata
    }
}
