import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Testing

@testable import LifelineRuntime

@Suite("tag queries: a deployment group that selects by tags reads its Auto Scaling groups, not the fleet")
struct TagQueryTests {
    @Test("filters on one key share a call; a key filter makes its key's value filters moot")
    func fewCalls() {
        let queries = AutoScalingGroupFilter.covering(
            filters: [
                TagFilter(key: "app", value: "shop"), TagFilter(key: "app", value: "cart"),
                TagFilter(key: "tier", value: "web"), TagFilter(key: "tier", value: nil, kind: .keyOnly),
                TagFilter(key: nil, value: "blue", kind: .valueOnly), TagFilter(key: "env", value: ""),
            ],
            set: []
        )
        #expect(
            queries == [
                AutoScalingGroupFilter(name: "tag-key", values: ["env", "tier"]),
                AutoScalingGroupFilter(name: "tag-value", values: ["blue"]),
                AutoScalingGroupFilter(name: "tag:app", values: ["cart", "shop"]),
            ]
        )
        // A tag set: its cheapest set serves, since every group it selects passes each set.
        let fromSet = AutoScalingGroupFilter.covering(
            filters: [],
            set: [
                [TagFilter(key: "a", value: "1"), TagFilter(key: "b", value: "2")], [TagFilter(key: "c", value: "3")],
            ]
        )
        #expect(fromSet == [AutoScalingGroupFilter(name: "tag:c", values: ["3"])])
        #expect(AutoScalingGroupFilter.covering(filters: [TagFilter(key: nil, value: "x")], set: [[]]).isEmpty)
    }

    @Test("every group the filters select passes one of the queries (10,000 random cases)")
    func coversEverySelectedGroup() {
        var random = SystemRandomNumberGenerator()
        let words = ["a", "b", "c", ""]
        func word() -> String? {
            Int.random(in: 0..<5, using: &random) == 0 ? nil : words.randomElement(using: &random)
        }
        func filter() -> TagFilter {
            TagFilter(key: word(), value: word(), kind: [.keyOnly, .valueOnly, .keyAndValue].randomElement()!)
        }
        var selected = 0
        for _ in 0..<10_000 {
            var tags: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) { tags[words.randomElement()!] = words.randomElement()! }
            let filters = (0..<Int.random(in: 0...3, using: &random)).map { _ in filter() }
            let set = (0..<Int.random(in: 0...2, using: &random)).map { _ in
                (0..<Int.random(in: 0...2, using: &random)).map { _ in filter() }
            }
            guard TagFilter.anyMatches(filters, tags) || TagFilter.setMatches(set, tags) else { continue }
            selected += 1
            let queries = AutoScalingGroupFilter.covering(filters: filters, set: set)
            #expect(queries.contains { $0.passes(tags) }, "tags \(tags), filters \(filters), set \(set): \(queries)")
        }
        #expect(selected > 1_000)
    }

    @Test("one tag-selected group of three costs one filtered DescribeAutoScalingGroups")
    func oneGroupOneCall() async throws {
        let account = FakeAccount.fleet(["a": ["i-a"], "b": ["i-b"], "c": ["i-c"]])
        let observed = try await Observer(aws: account.services, journal: InMemoryJournal(), now: { Date() })
            .observe(FakeAccount.managed("a"), queueARN: nil)
        #expect(observed.failures.isEmpty)
        #expect(account.calls("DescribeAutoScalingGroups") == ["DescribeAutoScalingGroups tag:group=a"])
        #expect(observed.seen.map { $0.observation.autoScalingGroups.map(\.name) } == [["shop-a"]])
    }

    @Test("two tag queries read every group once instead: in a small account that is one call")
    func twoGroupsOneScan() async throws {
        let names = ["a", "b"]
        let account = FakeAccount.fleet(["a": ["i-a"], "b": ["i-b"], "c": ["i-c"]])
        let observed = try await Observer(aws: account.services, journal: InMemoryJournal(), now: { Date() })
            .observe(FakeAccount.managed("a", "b"), queueARN: nil)
        #expect(account.calls("DescribeAutoScalingGroups") == ["DescribeAutoScalingGroups"])
        #expect(observed.seen.map { $0.observation.autoScalingGroups.map(\.name) } == names.map { ["shop-\($0)"] })
    }
}
