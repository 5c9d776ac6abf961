import AWSWire
import Foundation

/// What each key of `lifeline.yaml` accepts (README, "Configuration"). A value outside its range is
/// refused at load with the file, the line and the key: nothing later converts an unchecked value.
public enum ConfigLimits {
    public static let resyncInterval: ClosedRange<TimeInterval> = 1...3600
    public static let pollInterval: ClosedRange<TimeInterval> = 1...600
    /// 0 reads every group's hooks on every pass; a day at most, so drift is found the same day.
    public static let hookCheckInterval: ClosedRange<TimeInterval> = 0...86_400
    public static let breakerWindow: ClosedRange<TimeInterval> = 60...(7 * 86_400)
    /// AWS's own range for a hook's HeartbeatTimeout.
    public static let heartbeatTimeout: ClosedRange<TimeInterval> = 30...7200
    /// The simulator accepts shorter hooks, so its tests may ask for them with
    /// `LIFELINE_ALLOW_SHORT_HOOKS=1`; AWS refuses anything under 30 s.
    public static let shortHeartbeatTimeout: ClosedRange<TimeInterval> = 1...7200
    public static let maxCycles: ClosedRange<Int> = 1...1000
    /// A day to ten years: less than a day would forget what an incident review needs.
    public static let retention: ClosedRange<TimeInterval> = 86_400...(3650 * 86_400)
    /// A lease shorter than 3 s renews faster than a round trip can be trusted; one over 10 minutes
    /// leaves a dead replica's groups unattended longer than a hook's default timeout.
    public static let leaseDuration: ClosedRange<TimeInterval> = 3...600

    /// DynamoDB's table names: 3 to 255 of letters, digits, `_`, `-` and `.`.
    static func isTableName(_ text: String) -> Bool {
        (3...255).contains(text.count)
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0))
            }
    }
    public static let maxRequestsPerSecond: ClosedRange<Double> = 0...10_000

    /// An SQS queue URL: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or any host (a VPC
    /// endpoint, the simulator) with that path. Nil when it is one, else what is wrong.
    public static func queueURLProblem(_ text: String) -> String? {
        let example = "write it like https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events"
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            ["https", "http"].contains(scheme), let host = url.host, !host.isEmpty
        else { return "is not a queue URL; \(example)" }
        guard url.user == nil, url.password == nil else {
            return "must not carry a user or password (lifeline signs its requests); \(example)"
        }
        guard url.query == nil, url.fragment == nil else { return "must not have a query or fragment; \(example)" }
        let parts = url.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count == 2, let account = parts.first, account.count == 12, account.allSatisfy(\.isASCIIDigit),
            let name = parts.last, isQueueName(name)
        else { return "is not a queue URL: its path must be /ACCOUNT/NAME; \(example)" }
        return nil
    }

    /// SQS queue names: 1–80 letters, digits, `-` and `_`, with `.fifo` at the end of a FIFO queue.
    static func isQueueName(_ name: Substring) -> Bool {
        let base = name.hasSuffix(".fifo") ? name.dropLast(5) : name
        return (1...80).contains(name.count) && base.allSatisfy { $0.isASCIIWord || $0 == "-" }
    }

    /// lifeline names its hook `lifeline-launch-<deployment_group>`, and Auto Scaling's hook names
    /// allow letters, digits, `-`, `_` and `/`; `/` would make `APP/GROUP` ambiguous.
    public static func isDeploymentGroupName(_ text: String) -> Bool {
        (1...100).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    /// CodeDeploy application names: 1–100 characters; lifeline also refuses `/` and control and
    /// format characters (Unicode's Cc and Cf, what `CharacterSet.controlCharacters` holds; read
    /// from the scalar's category, as building that set for each name cost more than the check).
    public static func isApplicationName(_ text: String) -> Bool {
        (1...100).contains(text.count) && !text.utf8.contains(UInt8(ascii: "/"))
            && !text.unicodeScalars.contains { scalar in
                if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
                let category = scalar.properties.generalCategory
                return category == .control || category == .format
            }
    }

    /// `arn:aws:iam::123456789012:role/NAME` (also the aws-cn and aws-us-gov partitions).
    public static func isRoleARN(_ text: String) -> Bool {
        // Read as bytes: a role ARN is ASCII, and a config names one per group.
        let bytes = Array(text.utf8)
        guard bytes.count <= 2048, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let parts = bytes.split(separator: UInt8(ascii: ":"), maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0].elementsEqual("arn".utf8) && parts[1].starts(with: "aws".utf8)
            && parts[2].elementsEqual("iam".utf8) && parts[3].isEmpty && parts[4].count == 12
            && parts[4].allSatisfy { (0x30...0x39).contains($0) } && parts[5].starts(with: "role/".utf8)
            && parts[5].count > 5
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    /// A letter, a digit or `_`, in ASCII.
    var isASCIIWord: Bool { isASCII && (isLetter || isNumber || self == "_") }
}
