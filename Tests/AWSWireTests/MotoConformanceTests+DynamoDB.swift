import Foundation
import Testing

@testable import AWSWire

extension MotoConformanceTests {
    @Test("DynamoDB: a table with TTL, conditional writes (a lost race is ConditionalCheckFailed), scan, delete")
    func dynamoDB() async throws {
        let moto = try MotoWorld()
        defer { moto.stop() }
        let db = DynamoDBClient(client: try moto.client())
        let table = "lifeline-leases"
        #expect(try await db.describeTable(table: table) == nil, "no table yet")
        try await db.createTable(table: table, partitionKey: "deployment_group")
        #expect(try await db.describeTable(table: table) == "ACTIVE")
        try await db.enableTimeToLive(table: table, attribute: "expires_at")

        let key: DynamoItem = ["deployment_group": .s("shop/prod")]
        let absent = DynamoCondition("attribute_not_exists(#g)", names: ["#g": "deployment_group"])
        try await db.putItem(
            table: table,
            item: key.merging(["owner": .s("a"), "fence": .number(1), "expires_at": .number(100)]) { $1 },
            condition: absent
        )
        let lost = await #expect(throws: AWSError.self) {
            try await db.putItem(table: table, item: key.merging(["owner": .s("b")]) { $1 }, condition: absent)
        }
        #expect(lost?.isConditionFailed == true, "\(String(describing: lost))")

        let mine = DynamoCondition("#o = :me", names: ["#o": "owner"], values: [":me": .s("a")])
        try await db.updateItem(table: table, key: key, set: ["expires_at": .number(200)], condition: mine)
        let notMine = DynamoCondition("#o = :me", names: ["#o": "owner"], values: [":me": .s("b")])
        let refused = await #expect(throws: AWSError.self) {
            try await db.updateItem(table: table, key: key, set: ["owner": .s("b")], condition: notMine)
        }
        #expect(refused?.isConditionFailed == true)
        let item = try #require(try await db.getItem(table: table, key: key))
        #expect(item["owner"] == .s("a") && item["expires_at"]?.int == 200 && item["fence"]?.int == 1)
        #expect(try await db.scan(table: table).count == 1)

        await #expect(throws: AWSError.self) { try await db.deleteItem(table: table, key: key, condition: notMine) }
        try await db.deleteItem(table: table, key: key, condition: mine)
        #expect(try await db.getItem(table: table, key: key) == nil)
    }
}
