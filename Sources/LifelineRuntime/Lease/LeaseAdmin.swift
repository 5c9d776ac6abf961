import AWSWire
import Foundation

/// `lifeline lease init` and `lifeline lease status`.
public enum LeaseAdmin {
    /// Creates the table (pay per request, partition key `deployment_group`) unless it exists,
    /// waits until it is active, and turns TTL on for the expiry. Returns what it did, one line.
    public static func initTable(_ db: DynamoDBClient, table: String) async throws -> String {
        var created = false
        if try await db.describeTable(table: table) == nil {
            try await db.createTable(table: table, partitionKey: DynamoLeaseTable.partitionKey)
            created = true
        }
        for _ in 0..<60 {
            if try await db.describeTable(table: table) == "ACTIVE" { break }
            try await Task.sleep(for: .seconds(2))
        }
        guard try await db.describeTable(table: table) == "ACTIVE" else {
            throw RuntimeError("table \(table) is not ACTIVE after 2 minutes; look at it in the DynamoDB console")
        }
        do {
            try await db.enableTimeToLive(table: table, attribute: DynamoLeaseTable.expiryAttribute)
        } catch let error as AWSError where error.message.contains("already enabled") {
            // Run twice: nothing to change.
        }
        return created
            ? "created table \(table) (pay per request, key \(DynamoLeaseTable.partitionKey), TTL on "
                + "\(DynamoLeaseTable.expiryAttribute))"
            : "table \(table) exists; TTL on \(DynamoLeaseTable.expiryAttribute)"
    }

    /// The deployment groups' leases, soonest expiry first (replica rows left out).
    public static func groupLeases(_ all: [Lease]) -> [Lease] {
        all.filter { !$0.deploymentGroup.hasPrefix(LeaseKeeper.replicaPrefix) }
            .sorted { ($0.deploymentGroup, $0.owner) < ($1.deploymentGroup, $1.owner) }
    }

    public static func table(_ leases: [Lease], now: Date) -> String {
        guard !leases.isEmpty else { return "no leases: no replica holds a deployment group" }
        let rows =
            [["DEPLOYMENT GROUP", "OWNER", "EXPIRES", "FENCE"]]
            + leases.map { lease in
                let left = Int(lease.expiresAt.timeIntervalSince(now).rounded())
                return [
                    lease.deploymentGroup, lease.owner,
                    left > 0 ? "in \(left)s" : "expired \(-left)s ago", String(lease.fence),
                ]
            }
        return TextTable.render(rows).joined(separator: "\n")
    }

    public static func json(_ leases: [Lease]) -> String {
        struct Row: Encodable {
            var deploymentGroup: String
            var owner: String
            var expiresAt: Date
            var fence: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let rows = leases.map {
            Row(deploymentGroup: $0.deploymentGroup, owner: $0.owner, expiresAt: $0.expiresAt, fence: $0.fence)
        }
        return String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
