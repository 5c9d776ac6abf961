import Foundation

/// One thing that happened to a group, for the audit's timeline.
public struct TimelineEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case launch, deployment, abandon, `continue`, breaker, terminate
    }

    public var at: Date
    public var kind: Kind
    public var subject: String
    public var detail: String

    public init(at: Date, kind: Kind, subject: String, detail: String) {
        self.at = at
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }
}
