import AWSWire
import Foundation

/// One deployment group's lease (DESIGN §11): who acts for it, until when on AWS's clock, and the
/// fencing counter of that grant, which grows with every change of owner.
public struct Lease: Sendable, Equatable {
    public var deploymentGroup: String
    public var owner: String
    public var expiresAt: Date
    public var fence: Int

    public init(deploymentGroup: String, owner: String, expiresAt: Date, fence: Int) {
        self.deploymentGroup = deploymentGroup
        self.owner = owner
        self.expiresAt = expiresAt
        self.fence = fence
    }
}

/// Where leases live: the narrow seam over the DynamoDB table (and an in-memory one in tests).
public protocol LeaseTable: Sendable {
    /// Every lease on record.
    func all() async throws -> [Lease]
    /// Writes `lease` if the record is still `previous` (nil: there is none): a conditional write,
    /// so of two replicas racing for a group one wins. Returns false when another writer won.
    func write(_ lease: Lease, replacing previous: Lease?) async throws -> Bool
    /// Deletes `lease` if it is still this grant (owner and fence).
    func delete(_ lease: Lease) async throws
}

/// The lease table in DynamoDB: partition key `deployment_group` (S); `owner` (S), `fence` (N),
/// and `expires_at` (N, epoch seconds on AWS's clock, the table's TTL attribute).
public struct DynamoLeaseTable: LeaseTable {
    public static let partitionKey = "deployment_group"
    public static let expiryAttribute = "expires_at"
    let db: DynamoDBClient
    public let table: String

    public init(db: DynamoDBClient, table: String) {
        self.db = db
        self.table = table
    }

    public func all() async throws -> [Lease] {
        do {
            return try await db.scan(table: table).compactMap(Self.lease(from:))
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            throw RuntimeError(
                "lease table \(table) does not exist in this account and region: create it with "
                    + "lifeline lease init --table \(table)"
            )
        }
    }

    public func write(_ lease: Lease, replacing previous: Lease?) async throws -> Bool {
        let item: DynamoItem = [
            Self.partitionKey: .s(lease.deploymentGroup),
            "owner": .s(lease.owner),
            "fence": .number(lease.fence),
            Self.expiryAttribute: .number(Int(lease.expiresAt.timeIntervalSince1970.rounded(.up))),
        ]
        let condition: DynamoCondition
        if let previous {
            // The record as it was read: same owner, same grant. A TTL deletion in between makes
            // this fail too, and the next round reads the table again.
            condition = DynamoCondition(
                "#o = :o AND #f = :f",
                names: ["#o": "owner", "#f": "fence"],
                values: [":o": .s(previous.owner), ":f": .number(previous.fence)]
            )
        } else {
            condition = DynamoCondition("attribute_not_exists(#g)", names: ["#g": Self.partitionKey])
        }
        do {
            try await db.putItem(table: table, item: item, condition: condition)
            return true
        } catch let error as AWSError where error.isConditionFailed {
            return false
        }
    }

    public func delete(_ lease: Lease) async throws {
        do {
            try await db.deleteItem(
                table: table,
                key: [Self.partitionKey: .s(lease.deploymentGroup)],
                condition: DynamoCondition(
                    "#o = :o AND #f = :f",
                    names: ["#o": "owner", "#f": "fence"],
                    values: [":o": .s(lease.owner), ":f": .number(lease.fence)]
                )
            )
        } catch let error as AWSError where error.isConditionFailed {
            return  // another replica holds it now: nothing of ours to release
        }
    }

    static func lease(from item: DynamoItem) -> Lease? {
        guard let group = item[partitionKey]?.string, let owner = item["owner"]?.string,
            let fence = item["fence"]?.int, let expires = item[expiryAttribute]?.int
        else { return nil }
        return Lease(
            deploymentGroup: group,
            owner: owner,
            expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)),
            fence: fence
        )
    }
}
