import Foundation
import LifelineRuntime
import Synchronization

/// The lease table's conditional writes over a dictionary, for LeaseKeeper's unit tests (the
/// DynamoDB one runs against moto in tests/sim/test_leases.py).
final class InMemoryLeaseTable: LeaseTable {
    let records = Mutex<[String: Lease]>([:])
    /// While set, every call throws, as an unreachable table would.
    let failing = Mutex(false)

    struct Unreachable: Error {}

    func all() async throws -> [Lease] {
        if failing.withLock({ $0 }) { throw Unreachable() }
        return records.withLock { Array($0.values) }
    }

    func write(_ lease: Lease, replacing previous: Lease?) async throws -> Bool {
        if failing.withLock({ $0 }) { throw Unreachable() }
        return records.withLock { records in
            let current = records[lease.deploymentGroup]
            guard current?.owner == previous?.owner, current?.fence == previous?.fence else { return false }
            records[lease.deploymentGroup] = lease
            return true
        }
    }

    func delete(_ lease: Lease) async throws {
        if failing.withLock({ $0 }) { throw Unreachable() }
        records.withLock { records in
            if let current = records[lease.deploymentGroup], current.owner == lease.owner, current.fence == lease.fence
            {
                records[lease.deploymentGroup] = nil
            }
        }
    }

    func owners() -> [String: String] {
        records.withLock { records in
            records.filter { !$0.key.hasPrefix("replica:") }.mapValues(\.owner)
        }
    }
}
