/// A DescribeAutoScalingGroups filter on a group's own tags, as Auto Scaling applies it:
/// `tag-key`, `tag-value` or `tag:<key>`, any of its values; several filters must all pass.
/// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html
struct GroupTagFilter {
    private enum Field {
        case key, value
        case pair(String)
    }

    private let field: Field
    private let values: Set<String>

    init(name: String, values: [String]) throws {
        switch name {
        case "tag-key": field = .key
        case "tag-value": field = .value
        case _ where name.hasPrefix("tag:") && name.count > 4: field = .pair(String(name.dropFirst(4)))
        default: throw SimError.validation("Filter name '\(name)' is not valid: use tag-key, tag-value or tag:<key>")
        }
        guard !values.isEmpty else { throw SimError.validation("Filter '\(name)' needs at least one value") }
        self.values = Set(values)
    }

    func passes(_ tags: [(key: String, value: String, propagate: Bool)]) -> Bool {
        switch field {
        case .key: tags.contains { values.contains($0.key) }
        case .value: tags.contains { values.contains($0.value) }
        case .pair(let key): tags.contains { $0.key == key && values.contains($0.value) }
        }
    }
}
