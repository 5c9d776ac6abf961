import Testing

@testable import LifelineCore

@Suite("tag index: the same selection as matching every filter against every group")
struct TagIndexTests {
    @Test("every filter kind, filters and sets, against a brute-force match")
    func sameAsBruteForce() {
        let things: [(name: String, tags: [String: String])] = (0..<200).map { n in
            var tags = ["app": "a\(n % 7)", "env": n % 3 == 0 ? "prod" : "dev"]
            if n % 5 == 0 { tags["canary"] = "yes" }
            if n % 11 == 0 { tags = [:] }
            return (name: "asg-\(n)", tags: tags)
        }
        let index = TagIndex(things)
        let cases: [(filters: [TagFilter], set: [[TagFilter]])] = [
            ([TagFilter(key: "app", value: "a3")], []),
            ([TagFilter(key: "canary", value: nil, kind: .keyOnly)], []),
            ([TagFilter(key: nil, value: "prod", kind: .valueOnly), TagFilter(key: "app", value: "a1")], []),
            (
                [],
                [
                    [TagFilter(key: "env", value: "prod")],
                    [TagFilter(key: "app", value: "a2"), TagFilter(key: "app", value: "a4")],
                ]
            ),
            ([TagFilter(key: "app", value: "none")], []),
            ([TagFilter(key: "app", value: nil)], []),
            ([], []),
        ]
        for (filters, set) in cases {
            let brute = Set(
                things.filter { TagFilter.anyMatches(filters, $0.tags) || TagFilter.setMatches(set, $0.tags) }.map(
                    \.name
                )
            )
            #expect(index.matching(filters: filters, set: set) == brute, "\(filters) \(set)")
        }
        #expect(
            index.matching(filters: [TagFilter(key: "app", value: "a3")], set: []).count == 27,
            "29 with app=a3, less the 2 untagged"
        )
    }
}
