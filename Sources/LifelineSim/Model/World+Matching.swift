import Foundation

/// Which instances a deployment group matches (CodeDeploy's selection), through a tag index.
extension World {
    /// Members of its groups ∪ instances its tag filters (OR) or tag set (AND of ORs) select.
    /// Terminated instances drop out, except ghosts whose detach was cut short (seed 004).
    func matchSet(_ dg: SimDeploymentGroup) -> [String] {
        var ids = Set<String>()
        for name in dg.autoScalingGroups {
            for id in groups[name]?.instances ?? []
            where ["Pending:Wait", "Pending:Proceed", "InService"].contains(instances[id]?.lifecycleState ?? "") {
                ids.insert(id)
            }
        }
        guard !dg.tagFilters.isEmpty || !dg.tagSet.isEmpty else { return ids.sorted() }
        // Read each filter once, and only the instances the tag index says may match: a fleet
        // has thousands of instances, and a pass makes a deployment per group.
        let filters = dg.tagFilters.map(TagRule.init)
        let set = dg.tagSet.map { $0.map(TagRule.init) }
        let index = instanceTagIndex()
        var candidates = Set<String>()
        for rule in filters + set.joined() { candidates.formUnion(rule.candidates(index)) }
        for id in candidates {
            guard let instance = instances[id],
                instance.state == "running" || instance.state == "pending"
                    || (instance.lingers && instance.state == "terminated")
            else { continue }
            if !filters.isEmpty, filters.contains(where: { $0.matches(instance.tags) }) { ids.insert(id) }
            if !set.isEmpty, set.allSatisfy({ group in group.contains { $0.matches(instance.tags) } }) {
                ids.insert(id)
            }
        }
        return ids.sorted()
    }

    /// The tag index, built again if a launch or a CreateTags made it stale.
    func instanceTagIndex() -> [String: [String: [String]]] {
        if let tagIndex { return tagIndex }
        var index: [String: [String: [String]]] = [:]
        for (id, instance) in instances {
            for (key, value) in instance.tags { index[key, default: [:]][value, default: []].append(id) }
        }
        tagIndex = index
        return index
    }

    /// An instance was launched or tagged: the tag index is built again when next needed.
    func instanceTagsChanged() { tagIndex = nil }

    /// One CodeDeploy tag filter (`Key`, `Value`, `Type`), parsed.
    struct TagRule {
        var key: String, value: String, type: String
        init(_ filter: [String: String]) {
            key = filter["Key"] ?? ""
            value = filter["Value"] ?? ""
            type = filter["Type"] ?? "KEY_AND_VALUE"
        }
        /// Every instance the rule might select (a superset).
        func candidates(_ index: [String: [String: [String]]]) -> [String] {
            switch type {
            case "KEY_ONLY": index[key]?.values.flatMap { $0 } ?? []
            case "VALUE_ONLY": index.values.flatMap { $0[value] ?? [] }
            default: index[key]?[value] ?? []
            }
        }

        func matches(_ tags: [String: String]) -> Bool {
            switch type {
            case "KEY_ONLY": tags[key] != nil
            case "VALUE_ONLY": tags.values.contains(value)
            default: tags[key] == value
            }
        }
    }
}
