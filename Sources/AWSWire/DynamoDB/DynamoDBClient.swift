import Foundation

/// A DynamoDB attribute value: the three kinds the lease table uses.
public enum AttributeValue: Sendable, Equatable, Codable {
    case s(String)
    case n(String)
    case bool(Bool)

    public static func number(_ value: Int) -> AttributeValue { .n(String(value)) }

    public var string: String? { if case let .s(v) = self { v } else { nil } }
    public var int: Int? { if case let .n(v) = self { Int(v) } else { nil } }

    enum Key: String, CodingKey { case S, N, BOOL }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let v = try c.decodeIfPresent(String.self, forKey: .S) {
            self = .s(v)
        } else if let v = try c.decodeIfPresent(String.self, forKey: .N) {
            self = .n(v)
        } else if let v = try c.decodeIfPresent(Bool.self, forKey: .BOOL) {
            self = .bool(v)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "not S, N or BOOL"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case let .s(v): try c.encode(v, forKey: .S)
        case let .n(v): try c.encode(v, forKey: .N)
        case let .bool(v): try c.encode(v, forKey: .BOOL)
        }
    }
}

public typealias DynamoItem = [String: AttributeValue]

/// A condition on a write: the expression with its `#name` and `:value` placeholders.
public struct DynamoCondition: Sendable {
    public var expression: String
    public var names: [String: String]
    public var values: DynamoItem

    public init(_ expression: String, names: [String: String] = [:], values: DynamoItem = [:]) {
        self.expression = expression
        self.names = names
        self.values = values
    }
}

/// DynamoDB over JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Op>`), the operations the lease table
/// needs. A failed condition is `ConditionalCheckFailedException`: a lost race, not a failure.
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/
public struct DynamoDBClient: Sendable {
    let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    public func getItem(table: String, key: DynamoItem) async throws -> DynamoItem? {
        struct Input: Encodable {
            var TableName: String
            var Key: DynamoItem
            var ConsistentRead = true
        }
        struct Output: Decodable { var Item: DynamoItem? }
        let output: Output = try await client.json(.dynamoDB, "GetItem", Input(TableName: table, Key: key))
        return output.Item
    }

    public func putItem(table: String, item: DynamoItem, condition: DynamoCondition?) async throws {
        let input = ConditionalWrite(table: table, item: item, key: nil, condition: condition)
        _ = try await client.json(.dynamoDB, "PutItem", input, as: EmptyOutput.self)
    }

    /// `SET` the attributes of `changes` where `condition` holds.
    public func updateItem(
        table: String,
        key: DynamoItem,
        set changes: DynamoItem,
        condition: DynamoCondition?
    ) async throws {
        struct Input: Encodable {
            var TableName: String
            var Key: DynamoItem
            var UpdateExpression: String
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]
            var ExpressionAttributeValues: DynamoItem
        }
        var names = condition?.names ?? [:]
        var values = condition?.values ?? [:]
        var sets: [String] = []
        for (i, (name, value)) in changes.sorted(by: { $0.key < $1.key }).enumerated() {
            names["#u\(i)"] = name
            values[":u\(i)"] = value
            sets.append("#u\(i) = :u\(i)")
        }
        let input = Input(
            TableName: table,
            Key: key,
            UpdateExpression: "SET " + sets.joined(separator: ", "),
            ConditionExpression: condition?.expression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values
        )
        _ = try await client.json(.dynamoDB, "UpdateItem", input, as: EmptyOutput.self)
    }

    public func deleteItem(table: String, key: DynamoItem, condition: DynamoCondition?) async throws {
        let input = ConditionalWrite(table: table, item: nil, key: key, condition: condition)
        _ = try await client.json(.dynamoDB, "DeleteItem", input, as: EmptyOutput.self)
    }

    /// PutItem's and DeleteItem's input: the item or the key, and the condition's three fields
    /// (absent when empty: DynamoDB refuses an empty map).
    private struct ConditionalWrite: Encodable {
        var TableName: String
        var Item: DynamoItem?
        var Key: DynamoItem?
        var ConditionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ExpressionAttributeValues: DynamoItem?

        init(table: String, item: DynamoItem?, key: DynamoItem?, condition: DynamoCondition?) {
            TableName = table
            Item = item
            Key = key
            ConditionExpression = condition?.expression
            ExpressionAttributeNames = condition.flatMap { $0.names.isEmpty ? nil : $0.names }
            ExpressionAttributeValues = condition.flatMap { $0.values.isEmpty ? nil : $0.values }
        }
    }

    /// Every item, page by page (a lease table holds one item per deployment group).
    public func scan(table: String) async throws -> [DynamoItem] {
        struct Input: Encodable {
            var TableName: String
            var ConsistentRead = true
            var ExclusiveStartKey: DynamoItem?
        }
        struct Output: Decodable {
            var Items: [DynamoItem]?
            var LastEvaluatedKey: DynamoItem?
        }
        var items: [DynamoItem] = []
        var start: DynamoItem?
        for _ in 0..<10_000 {
            let page: Output = try await client.json(
                .dynamoDB,
                "Scan",
                Input(TableName: table, ExclusiveStartKey: start)
            )
            items += page.Items ?? []
            guard let next = page.LastEvaluatedKey, !next.isEmpty else { return items }
            start = next
        }
        throw AWSError.malformed(service: "dynamodb", operation: "Scan", "more than 10,000 pages: the answer loops")
    }

    /// A pay-per-request table with a string partition key.
    public func createTable(table: String, partitionKey: String) async throws {
        struct Attribute: Encodable {
            var AttributeName: String
            var AttributeType = "S"
        }
        struct KeyElement: Encodable {
            var AttributeName: String
            var KeyType = "HASH"
        }
        struct Input: Encodable {
            var TableName: String
            var AttributeDefinitions: [Attribute]
            var KeySchema: [KeyElement]
            var BillingMode = "PAY_PER_REQUEST"
        }
        let input = Input(
            TableName: table,
            AttributeDefinitions: [Attribute(AttributeName: partitionKey)],
            KeySchema: [KeyElement(AttributeName: partitionKey)]
        )
        _ = try await client.json(.dynamoDB, "CreateTable", input, as: EmptyOutput.self)
    }

    /// The table's status (`CREATING`, `ACTIVE`, …), or nil if there is no such table.
    public func describeTable(table: String) async throws -> String? {
        struct Input: Encodable { var TableName: String }
        struct Output: Decodable {
            struct Table: Decodable { var TableStatus: String? }
            var Table: Table?
        }
        do {
            let output: Output = try await client.json(.dynamoDB, "DescribeTable", Input(TableName: table))
            return output.Table?.TableStatus
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }

    public func enableTimeToLive(table: String, attribute: String) async throws {
        struct Spec: Encodable {
            var Enabled = true
            var AttributeName: String
        }
        struct Input: Encodable {
            var TableName: String
            var TimeToLiveSpecification: Spec
        }
        _ = try await client.json(
            .dynamoDB,
            "UpdateTimeToLive",
            Input(TableName: table, TimeToLiveSpecification: Spec(AttributeName: attribute)),
            as: EmptyOutput.self
        )
    }
}

extension AWSError {
    /// A DynamoDB condition that did not hold: another writer won.
    public var isConditionFailed: Bool { code == "ConditionalCheckFailedException" }
}
