import Foundation

public struct ObservedHook: Sendable, Equatable, Codable {
    public var name: String
    public var transition: String
    public var heartbeatTimeout: Int
    public var defaultResult: String
    public var notificationTargetARN: String?
    public var roleARN: String?
    public var metadata: String?

    public init(
        name: String,
        transition: String = "autoscaling:EC2_INSTANCE_LAUNCHING",
        heartbeatTimeout: Int,
        defaultResult: String = "ABANDON",
        notificationTargetARN: String? = nil,
        roleARN: String? = nil,
        metadata: String? = nil
    ) {
        self.name = name
        self.transition = transition
        self.heartbeatTimeout = heartbeatTimeout
        self.defaultResult = defaultResult
        self.notificationTargetARN = notificationTargetARN
        self.roleARN = roleARN
        self.metadata = metadata
    }

    public var isLaunching: Bool { transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
}
