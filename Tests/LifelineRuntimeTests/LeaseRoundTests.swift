import Foundation
import Testing

@testable import LifelineRuntime

/// The lease round's pure core, a row per case: grant, renew, expire, steal, fence, share.
@Suite("lease round: what a replica writes, from the table as read")
struct LeaseRoundTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let epoch = 1_800_000_000
    static let duration: TimeInterval = 20

    static func lease(_ group: String, _ owner: String, fence: Int, expiresIn: TimeInterval = 10) -> Lease {
        Lease(deploymentGroup: group, owner: owner, expiresAt: now.addingTimeInterval(expiresIn), fence: fence)
    }
    static func alive(_ owner: String) -> Lease { lease("replica:\(owner)", owner, fence: 0) }
    static func mine(_ group: String, fence: Int) -> Lease { lease(group, "a", fence: fence, expiresIn: duration) }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var groups: [String]
        var records: [Lease]
        var held: [Lease]
        var steps: [LeaseRound.Step]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "grant: an empty table, alone: every group, fenced above epoch seconds",
            groups: ["g1", "g2"],
            records: [],
            held: [],
            steps: [
                .take(mine("g1", fence: epoch), replacing: nil), .take(mine("g2", fence: epoch), replacing: nil),
            ]
        ),
        Row(
            name: "renew: a lease the record shows as this replica's is extended, its fence kept",
            groups: ["g1"],
            records: [lease("g1", "a", fence: 7)],
            held: [lease("g1", "a", fence: 7)],
            steps: [.renew(mine("g1", fence: 7), replacing: lease("g1", "a", fence: 7))]
        ),
        Row(
            name: "expire: another replica's lease that has run out is taken, its fence + 1",
            groups: ["g1"],
            records: [lease("g1", "b", fence: epoch + 5, expiresIn: -1)],
            held: [],
            steps: [.take(mine("g1", fence: epoch + 6), replacing: lease("g1", "b", fence: epoch + 5, expiresIn: -1))]
        ),
        Row(
            name: "live: another replica's lease that has not run out is left alone",
            groups: ["g1"],
            records: [lease("g1", "b", fence: 3), alive("b")],
            held: [],
            steps: []
        ),
        Row(
            name: "steal: a lease whose record shows another owner is lost at once, not renewed",
            groups: ["g1"],
            records: [lease("g1", "b", fence: 8), alive("b")],
            held: [lease("g1", "a", fence: 7)],
            steps: [.lose("g1", why: "another replica holds it now")]
        ),
        Row(
            name: "fence: a record this replica wrote under another grant is lost too (a newer grant exists)",
            groups: ["g1"],
            records: [lease("g1", "a", fence: 9)],
            held: [lease("g1", "a", fence: 7)],
            steps: [.lose("g1", why: "another replica holds it now")]
        ),
        Row(
            name: "restart: this owner's own record from a previous run is taken over, not waited out",
            groups: ["g1"],
            records: [lease("g1", "a", fence: epoch + 2)],
            held: [],
            steps: [.take(mine("g1", fence: epoch + 3), replacing: lease("g1", "a", fence: epoch + 2))]
        ),
        Row(
            name: "share: with a second live replica holding nothing, four groups become two each",
            groups: ["g1", "g2", "g3", "g4"],
            records: ["g1", "g2", "g3", "g4"].map { lease($0, "a", fence: 1) } + [alive("a"), alive("b")],
            held: ["g1", "g2", "g3", "g4"].map { lease($0, "a", fence: 1) },
            steps: ["g1", "g2", "g3", "g4"].map { .renew(mine($0, fence: 1), replacing: lease($0, "a", fence: 1)) }
                + [.release(lease("g3", "a", fence: 1)), .release(lease("g4", "a", fence: 1))]
        ),
        Row(
            name: "share: a dead replica's row does not count (its row expired)",
            groups: ["g1", "g2"],
            records: [lease("replica:b", "b", fence: 0, expiresIn: -5)],
            held: [],
            steps: [
                .take(mine("g1", fence: epoch), replacing: nil), .take(mine("g2", fence: epoch), replacing: nil),
            ]
        ),
    ]

    @Test("each case", arguments: rows)
    func decide(_ row: Row) {
        let steps = LeaseRound.decide(
            records: row.records,
            held: Dictionary(uniqueKeysWithValues: row.held.map { ($0.deploymentGroup, $0) }),
            groups: row.groups,
            owner: "a",
            duration: Self.duration,
            now: Self.now
        )
        #expect(steps == row.steps)
    }

    @Test("4 groups over 3 live replicas: a replica keeps 1 while another holds none, else up to 2")
    func starvation() {
        let records = [
            Self.lease("g1", "b", fence: 1), Self.lease("g2", "b", fence: 1), Self.alive("b"), Self.alive("c"),
        ]
        #expect(LeaseRound.share(records, groups: 4, owner: "a", now: Self.now) == 1, "c holds none")
        let fed = records + [Self.lease("g3", "c", fence: 1)]
        #expect(LeaseRound.share(fed, groups: 4, owner: "a", now: Self.now) == 2, "no one else starves")
    }
}
