import AWSWire
import LifelineCore

/// The Auto Scaling groups each deployment group covers: named by it, by the config or by an open
/// action, or selected by its tag filters (DESIGN §3).
extension Observer {
    /// DescribeAutoScalingGroups: the groups that deployment groups selecting by tags can match
    /// (one filtered call when one serves them all, else every group), and the named ones; then
    /// what each deployment group covers.
    func readAutoScalingGroups(_ round: inout ObservationRound) async throws {
        let live = round.live
        var selections: [DeploymentGroupName: (filters: [TagFilter], set: [[TagFilter]])] = [:]
        for group in live {
            guard let info = round.infos[group.name] else { continue }
            let filters = (info.ec2TagFilters ?? []).map(TagFilter.init)
            let set = (info.ec2TagSet?.ec2TagSetList ?? []).map { $0.map(TagFilter.init) }
            if !filters.isEmpty || !set.isEmpty { selections[group.name] = (filters, set) }
        }
        let tagged = !selections.isEmpty
        let selectsByTags = tagged && onlyAutoScalingGroups == nil
        let tagQueries = selections.values.reduce(into: Set<AutoScalingGroupFilter>()) { queries, selection in
            queries.formUnion(AutoScalingGroupFilter.covering(filters: selection.filters, set: selection.set))
        }
        // What each deployment group names (the config, CodeDeploy, its open actions), read once.
        var namedBy: [DeploymentGroupName: Set<String>] = [:]
        for group in live {
            var names = Set(group.policy.autoScalingGroups)
            names.formUnion(round.infos[group.name]?.autoScalingGroups?.compactMap(\.name) ?? [])
            names.formUnion(round.open(group.name).map(\.autoScalingGroup))
            namedBy[group.name] = names
        }
        let named = namedBy.values.reduce(into: onlyAutoScalingGroups ?? []) { $0.formUnion($1) }
        guard selectsByTags || !named.isEmpty else { return }
        let all: [AutoScalingGroup]
        do {
            all = try await describeAutoScalingGroups(named: named, byTags: selectsByTags ? tagQueries : nil)
        } catch {
            return round.fail(live.map(\.name), error)
        }
        round.autoScalingGroups = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Only tags that propagate at launch reach the instances the filters select.
        let index = tagged ? TagIndex(all.lazy.map { (name: $0.name, tags: $0.propagatedTags) }) : nil

        for group in live where round.infos[group.name] != nil {
            var names = namedBy[group.name] ?? []
            if let index, let selection = selections[group.name] {
                names.formUnion(index.matching(filters: selection.filters, set: selection.set))
            }
            round.covered[group.name] = names.filter { round.autoScalingGroups[$0] != nil }.sorted()
        }
    }

    /// One filtered call never costs more than reading every group (at least one page, 100
    /// groups each); two could, where the account has 100 groups or fewer.
    static let maxTagQueries = 1

    /// The named groups and, with `byTags`, those the tag queries find: a filtered call (its
    /// answer a superset, narrowed by `TagIndex`), or every group when more queries are needed.
    private func describeAutoScalingGroups(
        named: Set<String>,
        byTags queries: Set<AutoScalingGroupFilter>?
    ) async throws -> [AutoScalingGroup] {
        guard let queries else { return try await aws.autoScaling.describeAutoScalingGroups(names: named.sorted()) }
        guard queries.count <= Self.maxTagQueries else {
            return try await aws.autoScaling.describeAutoScalingGroups(names: [])
        }
        var found: [String: AutoScalingGroup] = [:]
        for query in AutoScalingGroupFilter.ordered(queries) {
            for group in try await aws.autoScaling.describeAutoScalingGroups(filters: [query]) {
                found[group.name] = group
            }
        }
        let rest = named.filter { found[$0] == nil }.sorted()
        if !rest.isEmpty {
            for group in try await aws.autoScaling.describeAutoScalingGroups(names: rest) { found[group.name] = group }
        }
        return found.values.sorted { $0.name < $1.name }
    }
}
