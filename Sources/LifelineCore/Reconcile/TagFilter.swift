/// CodeDeploy's EC2 tag filter (`KEY_ONLY`, `VALUE_ONLY`, `KEY_AND_VALUE`) and tag set semantics.
/// https://docs.aws.amazon.com/codedeploy/latest/userguide/instances-tagging.html
public struct TagFilter: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case keyOnly = "KEY_ONLY"
        case valueOnly = "VALUE_ONLY"
        case keyAndValue = "KEY_AND_VALUE"
    }

    public var key: String?
    public var value: String?
    public var kind: Kind

    public init(key: String?, value: String?, kind: Kind = .keyAndValue) {
        self.key = key
        self.value = value
        self.kind = kind
    }

    public func matches(_ tags: [String: String]) -> Bool {
        switch kind {
        case .keyOnly: key.map { tags[$0] != nil } ?? false
        case .valueOnly: value.map { tags.values.contains($0) } ?? false
        case .keyAndValue: key.map { tags[$0] == (value ?? "") } ?? false
        }
    }

    /// `ec2TagFilters`: any one filter selects (OR).
    public static func anyMatches(_ filters: [TagFilter], _ tags: [String: String]) -> Bool {
        filters.contains { $0.matches(tags) }
    }

    /// `ec2TagSet`: every group must select (AND), any filter within a group (OR).
    public static func setMatches(_ set: [[TagFilter]], _ tags: [String: String]) -> Bool {
        !set.isEmpty && set.allSatisfy { anyMatches($0, tags) }
    }
}
