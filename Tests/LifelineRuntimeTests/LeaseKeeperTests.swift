import Foundation
import Logging
import Synchronization
import Testing

@testable import LifelineRuntime

/// Leases over an in-memory table with conditional writes, on an AWS clock the test moves. The
/// local validity of a lease runs on the host's monotonic clock, so the tests that need it to
/// lapse use short durations and sleep past them; what is asserted is who holds what.
@Suite("lease keeper: one replica acts for a group at a time")
struct LeaseKeeperTests {
    let groups = ["shop/a", "shop/b", "shop/c", "shop/d"]

    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    func replica(
        _ owner: String,
        _ table: InMemoryLeaseTable,
        _ clock: Clock,
        duration: TimeInterval = 20
    )
        -> LeaseKeeper
    {
        LeaseKeeper(
            table: table,
            groups: groups,
            settings: .init(table: "t", duration: duration, owner: owner),
            logger: Logger(label: "test"),
            now: clock.read
        )
    }

    @Test("alone, a replica takes every group; a second one gets its fair share as the first gives the surplus back")
    func fairShare() async {
        let table = InMemoryLeaseTable()
        let clock = Clock()
        let a = replica("a", table, clock)
        let b = replica("b", table, clock)
        await a.round()
        #expect(await a.heldGroups() == Set(groups))
        await b.round()
        #expect(await b.heldGroups().isEmpty, "every group is held by a live replica")
        await a.round()  // a sees b alive: two each
        await b.round()
        let heldByA = await a.heldGroups()
        let heldByB = await b.heldGroups()
        #expect(heldByA.count == 2 && heldByB.count == 2 && heldByA.isDisjoint(with: heldByB))
        let owners = table.owners()
        #expect(owners.count == 4 && Set(owners.values) == ["a", "b"])
    }

    @Test("a third replica is not starved: 4 groups over 3 replicas end up 2, 1, 1")
    func noneStarved() async {
        let table = InMemoryLeaseTable()
        let clock = Clock()
        let keepers = ["a", "b", "c"].map { replica($0, table, clock) }
        for _ in 0..<4 {
            for keeper in keepers { await keeper.round() }
        }
        var counts: [Int] = []
        for keeper in keepers { counts.append(await keeper.heldGroups().count) }
        #expect(counts.sorted() == [1, 1, 2], "\(counts)")
        #expect(table.owners().count == 4)
    }

    @Test("a replica that stops renewing loses its groups; the next owner's fence is higher")
    func takeover() async throws {
        let table = InMemoryLeaseTable()
        let clock = Clock()
        let a = replica("a", table, clock, duration: 0.5)
        let b = replica("b", table, clock, duration: 0.5)
        await a.round()
        let before = try #require(await a.fence(for: "shop/a"))
        await b.round()
        #expect(await b.heldGroups().isEmpty)
        // a stops (killed): its leases expire on AWS's clock, and locally it may no longer act.
        clock.advance(1)
        try await Task.sleep(for: .milliseconds(600))
        #expect(await a.heldGroups().isEmpty)
        #expect(await a.fence(for: "shop/a") == nil)
        await b.round()
        #expect(await b.heldGroups() == Set(groups))
        let after = try #require(table.records.withLock { $0["shop/a"] })
        #expect(after.owner == "b" && after.fence > before)
    }

    @Test("a renewal that finds another owner ends acting at once")
    func lostRace() async throws {
        let table = InMemoryLeaseTable()
        let clock = Clock()
        let a = replica("a", table, clock)
        await a.round()
        table.records.withLock { $0["shop/a"]?.owner = "intruder" }
        await a.round()
        #expect(!(await a.heldGroups().contains("shop/a")))
        #expect(await a.fence(for: "shop/a") == nil)
        #expect(await a.heldGroups().count == 3)
    }

    @Test("no mutating call starts on a lease that would lapse within the call margin")
    func callMargin() async throws {
        let table = InMemoryLeaseTable()
        let a = replica("a", table, Clock(), duration: 0.8)
        await a.round()
        #expect(await a.fence(for: "shop/a") != nil)
        try await Task.sleep(for: .milliseconds(650))  // 0.15 s left, under a quarter of 0.8 s
        #expect(await a.fence(for: "shop/a") == nil)
    }

    @Test("an unreadable table keeps what is held only until it lapses")
    func unreadable() async throws {
        let table = InMemoryLeaseTable()
        let a = replica("a", table, Clock(), duration: 0.5)
        await a.round()
        table.failing.withLock { $0 = true }
        await a.round()
        #expect(await a.heldGroups() == Set(groups), "still within the duration")
        try await Task.sleep(for: .milliseconds(600))
        await a.round()
        #expect(await a.heldGroups().isEmpty)
    }

    @Test("released at shutdown: the leases and the replica row are gone, and another replica takes the groups at once")
    func handover() async {
        let table = InMemoryLeaseTable()
        let clock = Clock()
        let a = replica("a", table, clock)
        let b = replica("b", table, clock)
        await a.round()
        await a.releaseAll()
        #expect(table.records.withLock { $0.isEmpty })
        await b.round()
        #expect(await b.heldGroups() == Set(groups), "no wait for an expiry")
        #expect(await a.heldGroups().isEmpty)
        await a.round()
        #expect(await a.heldGroups().isEmpty, "a stopped keeper takes nothing again")
    }
}
