import AWSWire
import LifelineCore

extension AutoScalingGroupFilter {
    /// DescribeAutoScalingGroups filters that together find every Auto Scaling group whose tags a
    /// deployment group's `ec2TagFilters` (any one selects) or `ec2TagSet` (every set selects) can
    /// select: one call per filter, whose answers are a superset that `TagIndex` then narrows (it
    /// also leaves out tags that do not propagate to instances, which a filter cannot).
    /// Empty when no group can be selected.
    static func covering(filters: [TagFilter], set: [[TagFilter]]) -> [AutoScalingGroupFilter] {
        // Every group a tag set selects passes each of its sets: the set that needs the fewest calls serves.
        let fromSet = set.map(anyOf).min { $0.count < $1.count } ?? []
        return ordered(Set(anyOf(filters) + fromSet))
    }

    /// By name, then values: the order the calls are made in.
    static func ordered(_ filters: some Sequence<AutoScalingGroupFilter>) -> [AutoScalingGroupFilter] {
        filters.sorted { $0.name != $1.name ? $0.name < $1.name : $0.values.lexicographicallyPrecedes($1.values) }
    }

    /// Filters whose answers together include every group that one of `filters` selects.
    private static func anyOf(_ filters: [TagFilter]) -> [AutoScalingGroupFilter] {
        var keys = Set<String>()
        var values = Set<String>()
        var pairs: [String: Set<String>] = [:]
        for filter in filters {
            switch filter.kind {
            case .keyOnly: if let key = filter.key { keys.insert(key) }
            case .valueOnly: if let value = filter.value { values.insert(value) }
            case .keyAndValue:
                guard let key = filter.key else { continue }
                // A filter value cannot be empty; the key finds the group, and TagIndex checks the value.
                if let value = filter.value, !value.isEmpty {
                    pairs[key, default: []].insert(value)
                } else {
                    keys.insert(key)
                }
            }
        }
        var out: [AutoScalingGroupFilter] = []
        if !keys.isEmpty { out.append(AutoScalingGroupFilter(name: "tag-key", values: keys.sorted())) }
        if !values.isEmpty { out.append(AutoScalingGroupFilter(name: "tag-value", values: values.sorted())) }
        for (key, values) in pairs where !keys.contains(key) {
            out.append(AutoScalingGroupFilter(name: "tag:\(key)", values: values.sorted()))
        }
        return out
    }
}
