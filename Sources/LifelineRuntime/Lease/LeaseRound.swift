import Foundation

/// The pure core of a lease round (DESIGN §11): from the table as read, the leases this replica
/// believes it holds, and AWS's now, the writes to make. `LeaseKeeper` carries them out in order.
public enum LeaseRound {
    public enum Step: Sendable, Equatable {
        /// Extends a lease this replica holds, if the record is still `replacing`.
        case renew(Lease, replacing: Lease)
        /// Stops acting for a group at once: its record shows another owner or another grant.
        case lose(String, why: String)
        /// Takes a group that is free (no record) or whose lease expired.
        case take(Lease, replacing: Lease?)
        /// Gives a lease back, so that a replica with less than its part can take it.
        case release(Lease)
    }

    /// Rows named so mark a live replica, so that one holding nothing yet still counts for the share.
    public static let replicaPrefix = "replica:"

    public static func decide(
        records: [Lease],
        held: [String: Lease],
        groups: [String],
        owner: String,
        duration: TimeInterval,
        now: Date
    ) -> [Step] {
        var byGroup: [String: Lease] = [:]
        for record in records { byGroup[record.deploymentGroup] = record }
        var steps: [Step] = []
        var kept: [String] = []
        for (group, mine) in held.sorted(by: { $0.key < $1.key }) {
            guard let record = byGroup[group], record.owner == owner, record.fence == mine.fence else {
                steps.append(.lose(group, why: "another replica holds it now"))
                continue
            }
            var renewed = mine
            renewed.expiresAt = now.addingTimeInterval(duration)
            steps.append(.renew(renewed, replacing: record))
            kept.append(group)
        }
        let keep = share(records, groups: groups.count, owner: owner, now: now)
        var count = kept.count
        for group in groups where held[group] == nil && count < keep {
            let record = byGroup[group]
            // Held by a live replica (a record of this owner's own is a previous run's: take it).
            if let record, record.expiresAt > now, record.owner != owner { continue }
            // The fence grows with every grant; epoch seconds keep it growing even after the
            // table's TTL deleted an old record.
            let fence = max((record?.fence ?? 0) + 1, Int(now.timeIntervalSince1970))
            let lease = Lease(
                deploymentGroup: group,
                owner: owner,
                expiresAt: now.addingTimeInterval(duration),
                fence: fence
            )
            steps.append(.take(lease, replacing: record))
            count += 1
        }
        // Over its part: give back the surplus (the last groups by name, never one just taken).
        if kept.count > keep {
            for group in kept.suffix(kept.count - keep) { steps.append(.release(held[group]!)) }
        }
        return steps
    }

    /// How many groups this replica may hold: ⌈groups ÷ live replicas⌉, or ⌊groups ÷ live⌋ while
    /// another live replica holds fewer than that, so that no replica is starved while others hold
    /// more. Live replicas: those whose replica row has not expired, this one included.
    static func share(_ records: [Lease], groups: Int, owner: String, now: Date) -> Int {
        let live = Set(
            records.filter { $0.deploymentGroup.hasPrefix(replicaPrefix) && $0.expiresAt > now }.map(\.owner) + [owner]
        )
        let ceiling = Int((Double(groups) / Double(live.count)).rounded(.up))
        let floor = groups / live.count
        var counts = Dictionary(uniqueKeysWithValues: live.map { ($0, 0) })
        for record in records where !record.deploymentGroup.hasPrefix(replicaPrefix) && record.expiresAt > now {
            if counts[record.owner] != nil { counts[record.owner]! += 1 }
        }
        let starved = counts.contains { $0.key != owner && $0.value < floor }
        return starved ? floor : ceiling
    }
}
