import Foundation

/// What an SQS message about a lifecycle hook says, whichever way it was delivered.
public enum LifecycleMessage: Sendable, Equatable {
    /// An instance waits on a hook.
    case action(LifecycleNotification)
    /// Sent once when a hook with a notification target is created: acknowledge and ignore.
    case testNotification(autoScalingGroup: String?)
}

public struct LifecycleNotification: Sendable, Equatable {
    public var token: String
    public var autoScalingGroup: String
    public var hookName: String
    public var instanceID: String
    /// `autoscaling:EC2_INSTANCE_LAUNCHING` or `autoscaling:EC2_INSTANCE_TERMINATING`
    public var transition: String
    public var time: Date?
    public var metadata: String?

    public var isLaunching: Bool { transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
}

/// Why a body is not a lifecycle message; the reconciler logs it with the message id.
public struct MessageParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Reads the three shapes AWS delivers (direct from Auto Scaling, wrapped by SNS in `Message`,
/// from EventBridge under `detail`) and the test notification. Pure: no I/O, no clock.
public enum LifecycleMessageParser {
    /// SQS's own limit; anything larger did not come from Auto Scaling.
    public static let maximumSize = 256 * 1024

    public static func parse(_ body: String) throws -> LifecycleMessage {
        guard body.utf8.count <= maximumSize else {
            throw MessageParseError(reason: "body of \(body.utf8.count) bytes is larger than SQS allows")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            throw MessageParseError(reason: "body is not a JSON object")
        }
        return try parse(object, wrapped: false)
    }

    private static func parse(_ object: [String: Any], wrapped: Bool) throws -> LifecycleMessage {
        if object["Type"] as? String == "Notification" {
            guard !wrapped, let inner = object["Message"] as? String,
                let innerObject = (try? JSONSerialization.jsonObject(with: Data(inner.utf8))) as? [String: Any]
            else { throw MessageParseError(reason: "SNS notification whose Message is not a JSON object") }
            return try parse(innerObject, wrapped: true)
        }
        if let kind = object["detail-type"] as? String {
            guard kind.hasSuffix("Lifecycle Action"), let detail = object["detail"] as? [String: Any] else {
                throw MessageParseError(reason: "EventBridge event '\(kind)' is not a lifecycle action")
            }
            return .action(try notification(detail, time: object["time"] as? String))
        }
        if object["Event"] as? String == "autoscaling:TEST_NOTIFICATION" {
            return .testNotification(autoScalingGroup: object["AutoScalingGroupName"] as? String)
        }
        if object["LifecycleActionToken"] != nil {
            return .action(try notification(object, time: object["Time"] as? String))
        }
        throw MessageParseError(
            reason:
                "neither a lifecycle action nor a test notification (keys: "
                + "\(object.keys.sorted().prefix(6).joined(separator: ", ")))"
        )
    }

    private static func notification(_ fields: [String: Any], time: String?) throws -> LifecycleNotification {
        func required(_ key: String) throws -> String {
            guard let value = fields[key] as? String, !value.isEmpty else {
                throw MessageParseError(reason: "lifecycle action without \(key)")
            }
            return value
        }
        let transition = try required("LifecycleTransition")
        guard transition == "autoscaling:EC2_INSTANCE_LAUNCHING" || transition == "autoscaling:EC2_INSTANCE_TERMINATING"
        else {
            throw MessageParseError(reason: "unknown LifecycleTransition \(transition)")
        }
        return LifecycleNotification(
            token: try required("LifecycleActionToken"),
            autoScalingGroup: try required("AutoScalingGroupName"),
            hookName: try required("LifecycleHookName"),
            instanceID: try required("EC2InstanceId"),
            transition: transition,
            time: time.flatMap { try? Date($0, strategy: .iso8601) }
                ?? time.flatMap { try? Date($0, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) },
            metadata: fields["NotificationMetadata"] as? String
        )
    }
}
