/// Which of many tagged things (Auto Scaling groups, instances) a deployment group's tag filters
/// select, without testing every filter against every thing: 1,000 deployment groups over 1,000
/// Auto Scaling groups cost about 1,000 lookups, not 1,000,000 matches.
public struct TagIndex: Sendable {
    private var tags: [String: [String: String]] = [:]
    private var byPair: [String: [String: [String]]] = [:]
    private var byKey: [String: [String]] = [:]
    private var byValue: [String: [String]] = [:]

    /// `things`: each one's name and tags.
    public init(_ things: some Sequence<(name: String, tags: [String: String])>) {
        for (name, tags) in things {
            self.tags[name] = tags
            for (key, value) in tags {
                byPair[key, default: [:]][value, default: []].append(name)
                byKey[key, default: []].append(name)
                byValue[value, default: []].append(name)
            }
        }
    }

    /// The names `ec2TagFilters` (any one selects) or `ec2TagSet` (every set selects) select;
    /// the same answer as `TagFilter.anyMatches || TagFilter.setMatches` over each thing.
    public func matching(filters: [TagFilter], set: [[TagFilter]]) -> Set<String> {
        var candidates = Set<String>()
        for filter in filters + set.joined() { candidates.formUnion(self.candidates(filter)) }
        return candidates.filter { name in
            guard let tags = tags[name] else { return false }
            return TagFilter.anyMatches(filters, tags) || TagFilter.setMatches(set, tags)
        }
    }

    /// Every thing the filter might select (a superset; `matching` checks each).
    private func candidates(_ filter: TagFilter) -> [String] {
        switch filter.kind {
        case .keyOnly: filter.key.flatMap { byKey[$0] } ?? []
        case .valueOnly: filter.value.flatMap { byValue[$0] } ?? []
        case .keyAndValue: filter.key.flatMap { byPair[$0]?[filter.value ?? ""] } ?? []
        }
    }
}
