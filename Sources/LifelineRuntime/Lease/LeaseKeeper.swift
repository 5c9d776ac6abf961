import Foundation
import Logging

/// This replica's leases (DESIGN §11): one per deployment group it acts for. A round renews what
/// it holds, takes free or expired groups up to its fair share, and gives back what is over it.
/// A group counts as held only while its last successful write is younger than the duration,
/// measured on this host's monotonic clock from before the write was sent: a renewal that fails,
/// or a duration without one, ends the replica's right to act at once.
public actor LeaseKeeper {
    public struct Settings: Sendable {
        public var table: String
        public var duration: TimeInterval
        public var owner: String

        public init(table: String, duration: TimeInterval, owner: String) {
            self.table = table
            self.duration = duration
            self.owner = owner
        }

        /// How long a lease must still be valid for a mutating call to start: a quarter of the duration.
        public var callMargin: TimeInterval { duration / 4 }
        /// Renewals come at a third of the duration.
        public var renewEvery: TimeInterval { duration / 3 }
    }

    static let replicaPrefix = LeaseRound.replicaPrefix

    let table: any LeaseTable
    let groups: [String]
    public let settings: Settings
    let logger: Logger
    let metrics: LeaseMetrics?
    /// AWS's clock: lease expiries are on it, so replicas on different hosts agree.
    let now: @Sendable () -> Date
    private var held: [String: (lease: Lease, validUntil: ContinuousClock.Instant)] = [:]
    /// Cuts the wait for the next round short: a message for a group this replica does not hold
    /// may mean its lease lapsed, an invitation to take it.
    nonisolated let nudge = Waker()
    private var stopped = false
    /// The table's last read error, so that a lasting one is logged once, not every round.
    private var readError: String?

    public init(
        table: any LeaseTable,
        groups: [String],
        settings: Settings,
        logger: Logger,
        metrics: LeaseMetrics? = nil,
        now: @escaping @Sendable () -> Date
    ) {
        self.table = table
        self.groups = groups
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        self.now = now
    }

    /// The groups this replica may act for now.
    public func heldGroups() -> Set<String> {
        Set(held.filter { $0.value.validUntil - ContinuousClock.now > .zero }.keys)
    }

    /// The fence of the group's lease if it stays valid for at least the call margin; nil otherwise.
    public func fence(for group: String) -> Int? {
        guard let mine = held[group] else { return nil }
        let left = mine.validUntil - ContinuousClock.now
        return left > .milliseconds(Int(settings.callMargin * 1000)) ? mine.lease.fence : nil
    }

    /// One round: renew, take, give back. Errors reading the table keep what is held until it lapses.
    /// Returns whether a group was taken (a pass should follow at once).
    @discardableResult
    public func round() async -> Bool {
        guard !stopped else { return false }
        let before = Set(held.keys)
        let started = ContinuousClock.now
        let at = now()
        let records: [Lease]
        do {
            records = try await table.all()
        } catch {
            if readError != "\(error)" {
                readError = "\(error)"
                logger.warning("lease table \(settings.table) unreadable: \(error); acting only while leases last")
            }
            expireLapsed()
            metrics?.held(held.count)
            return false
        }
        if readError != nil {
            readError = nil
            logger.notice("lease table \(settings.table) readable again")
        }
        await markAlive(records.first { $0.deploymentGroup == Self.replicaPrefix + settings.owner }, at: at)
        let steps = LeaseRound.decide(
            records: records,
            held: held.mapValues(\.lease),
            groups: groups,
            owner: settings.owner,
            duration: settings.duration,
            now: at
        )
        let validity = started + .milliseconds(Int(settings.duration * 1000))
        for step in steps {
            switch step {
            case let .renew(renewed, record):
                do {
                    if try await table.write(renewed, replacing: record) {
                        held[renewed.deploymentGroup] = (renewed, validity)
                        metrics?.renewed(after: ContinuousClock.now - started)
                    } else {
                        lose(renewed.deploymentGroup, why: "its renewal lost a race")
                    }
                } catch {
                    lose(renewed.deploymentGroup, why: "its renewal failed: \(error)")
                }
            case let .lose(group, why):
                lose(group, why: why)
            case let .take(lease, record):
                await take(lease, replacing: record, validUntil: validity)
            case let .release(lease):
                await release(lease.deploymentGroup)
            }
        }
        // A lease whose renewal did not come within the duration counts no more.
        expireLapsed()
        metrics?.held(held.count)
        return !Set(held.keys).isSubset(of: before)
    }

    /// Gives back every lease at once (graceful shutdown): another replica takes them at its next round.
    public func releaseAll() async {
        stopped = true
        for group in held.keys.sorted() { await release(group) }
        if let mine = try? await table.all().first(where: { $0.deploymentGroup == Self.replicaPrefix + settings.owner })
        {
            try? await table.delete(mine)
        }
        metrics?.held(0)
    }

    private func take(_ lease: Lease, replacing record: Lease?, validUntil: ContinuousClock.Instant) async {
        let group = lease.deploymentGroup
        do {
            guard try await table.write(lease, replacing: record) else { return }  // another replica was faster
            held[group] = (lease, validUntil)
            metrics?.acquired()
            let from = record.map { " from \($0.owner), whose lease had expired" } ?? ""
            logger.notice("took the lease of \(group)\(from) (fence \(lease.fence))", metadata: ["group": "\(group)"])
        } catch {
            logger.warning("could not take the lease of \(group): \(error)", metadata: ["group": "\(group)"])
        }
    }

    private func release(_ group: String) async {
        guard let mine = held.removeValue(forKey: group) else { return }
        do {
            try await table.delete(mine.lease)
            logger.notice("released the lease of \(group)", metadata: ["group": "\(group)"])
        } catch {
            logger.warning(
                "could not release the lease of \(group): \(error); it lapses",
                metadata: ["group": "\(group)"]
            )
        }
    }

    private func markAlive(_ record: Lease?, at: Date) async {
        let row = Lease(
            deploymentGroup: Self.replicaPrefix + settings.owner,
            owner: settings.owner,
            expiresAt: at.addingTimeInterval(settings.duration),
            fence: 0
        )
        _ = try? await table.write(row, replacing: record)
    }

    private func lose(_ group: String, why: String) {
        guard held.removeValue(forKey: group) != nil else { return }
        metrics?.lost()
        logger.warning("lost the lease of \(group): \(why); not acting for it", metadata: ["group": "\(group)"])
    }

    /// Drops leases whose validity passed without a renewal.
    private func expireLapsed() {
        for (group, mine) in held where mine.validUntil <= ContinuousClock.now {
            lose(group, why: "no renewal within \(Int(settings.duration))s")
        }
    }
}
