import Foundation
import LifelineCore
import Testing

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
private let v1 = Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "app-1.zip", bundleType: "zip"))
private let v2 = Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "app-2.zip", bundleType: "zip"))

@Suite("tag filters")
struct TagFilterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var filter: TagFilter
        var tags: [String: String]
        var matches: Bool
        var testDescription: String {
            "\(filter.kind.rawValue) \(filter.key ?? "-")=\(filter.value ?? "-") on \(tags) → \(matches)"
        }
    }

    @Test(
        "KEY_ONLY, VALUE_ONLY and KEY_AND_VALUE select as CodeDeploy does",
        arguments: [
            Case(filter: TagFilter(key: "app", value: nil, kind: .keyOnly), tags: ["app": "anything"], matches: true),
            Case(filter: TagFilter(key: "app", value: nil, kind: .keyOnly), tags: ["App": "shop"], matches: false),
            Case(filter: TagFilter(key: nil, value: "shop", kind: .valueOnly), tags: ["team": "shop"], matches: true),
            Case(
                filter: TagFilter(key: nil, value: "shop", kind: .valueOnly),
                tags: ["app": "shopping"],
                matches: false
            ),
            Case(
                filter: TagFilter(key: "app", value: "shop", kind: .keyAndValue),
                tags: ["app": "shop"],
                matches: true
            ),
            Case(
                filter: TagFilter(key: "app", value: "shop", kind: .keyAndValue),
                tags: ["app": "web"],
                matches: false
            ),
            Case(
                filter: TagFilter(key: "app", value: "shop", kind: .keyAndValue),
                tags: ["team": "shop"],
                matches: false
            ),
        ]
    )
    func filter(_ c: Case) {
        #expect(c.filter.matches(c.tags) == c.matches)
    }

    @Test("filters are ORed; a tag set ANDs its groups and ORs within each")
    func combinations() {
        let app = TagFilter(key: "app", value: "shop")
        let env = TagFilter(key: "env", value: "prod")
        let tier = TagFilter(key: "tier", value: "web")
        #expect(TagFilter.anyMatches([app, env], ["env": "prod"]))
        #expect(!TagFilter.anyMatches([], ["env": "prod"]))
        #expect(TagFilter.setMatches([[app], [env, tier]], ["app": "shop", "tier": "web"]))
        #expect(!TagFilter.setMatches([[app], [env, tier]], ["app": "shop"]))
        #expect(!TagFilter.setMatches([], ["app": "shop"]), "an empty tag set selects nothing")
    }
}

@Suite("match set")
struct MatchSetTests {
    private func action(_ id: String) -> LifecycleAction {
        LifecycleAction(
            token: "t-\(id)",
            instanceID: id,
            hookName: "lifeline-launch-prod",
            autoScalingGroup: "shop-prod",
            firstSeen: t0
        )
    }

    private let byTag = [TagFilter(key: "app", value: "shop")]

    @Test("members and tag matches, each classified with why")
    func classification() {
        let set = MatchSet.compute(
            groups: ["shop-prod": ["i-in": "InService", "i-wait": "Pending:Wait", "i-old": "InService"]],
            tagFilters: byTag,
            tagSet: [],
            instances: [
                .init(id: "i-in", state: "running", tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]),
                .init(id: "i-wait", state: "running", tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]),
                .init(id: "i-old", state: "running", tags: ["aws:autoscaling:groupName": "shop-prod"]),
                .init(
                    id: "i-ghost",
                    state: "terminated",
                    tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"],
                    stateChangedAt: t0
                ),
                .init(
                    id: "i-detached",
                    state: "running",
                    tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]
                ),
                .init(id: "i-standalone", state: "running", tags: ["app": "shop"]),
                .init(id: "i-other", state: "running", tags: ["app": "web"]),
            ],
            activeTargets: ["i-ghost"],
            history: DeploymentHistory(deployments: [
                .init(
                    id: "d-2",
                    createdAt: t0.addingTimeInterval(100),
                    revision: v1,
                    targeted: ["i-in", "i-old", "i-standalone", "i-ghost"],
                    statuses: ["i-in": "Succeeded", "i-old": "Failed", "i-standalone": "Succeeded"]
                ),
                .init(
                    id: "d-1",
                    createdAt: t0.addingTimeInterval(-500),
                    revision: v2,
                    targeted: ["i-old"],
                    statuses: ["i-old": "Succeeded"]
                ),
            ]),
            openActions: [action("i-wait"), action("i-gone")],
            lastGood: v1
        )
        let classes = Dictionary(uniqueKeysWithValues: set.entries.map { ("\($0.instanceID)", $0.class) })
        #expect(
            classes == [
                "i-in": .healthy, "i-wait": .pending, "i-old": .outdated, "i-ghost": .stale, "i-detached": .stale,
                "i-standalone": .healthy,
                "i-gone": .orphanAction,
            ]
        )
        #expect(
            set.entries(.stale).first { $0.instanceID == "i-ghost" }?.why
                == "terminated but still matched; an active deployment still waits on it"
        )
        #expect(set.entries(.stale).first { $0.instanceID == "i-ghost" }?.since == t0)
        #expect(set.entries(.stale).allSatisfy { $0.risk == .risky })
        #expect(
            set.entries(.stale).first { $0.instanceID == "i-detached" }?.why.hasPrefix(
                "detached from shop-prod but its tags still match"
            ) == true
        )
        #expect(
            set.entries(.outdated).first?.why
                == "InService in shop-prod; runs s3://b/app-2.zip (zip) (d-1), not s3://b/app-1.zip (zip)",
            "the newest deployment that succeeded on the instance says what it runs; a failed newer one does not"
        )
    }

    @Test("without tag filters a terminated former member is not matched, and its open action is an orphan")
    func membershipOnly() {
        let set = MatchSet.compute(
            groups: ["shop-prod": ["i-1": "InService"]],
            tagFilters: [],
            tagSet: [],
            instances: [
                .init(id: "i-1", state: "running"), .init(id: "i-2", state: "terminated", tags: ["app": "shop"]),
            ],
            openActions: [action("i-2")]
        )
        #expect(set.entries.map(\.instanceID) == ["i-1", "i-2"])
        #expect(set.entries.map(\.class) == [.healthy, .orphanAction])
    }

    @Test("a stopped member is stale; an active deployment's target EC2 no longer knows is stale")
    func stoppedAndUnknown() {
        let set = MatchSet.compute(
            groups: ["shop-prod": ["i-1": "InService", "i-9": "InService"]],
            tagFilters: [],
            tagSet: [],
            instances: [.init(id: "i-1", state: "stopped")],
            activeTargets: ["i-9"]
        )
        #expect(set.entries.map(\.class) == [.stale, .stale])
    }
}
