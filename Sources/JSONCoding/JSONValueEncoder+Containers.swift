import Foundation

struct KeyedValueEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    let box: ObjectBox

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func put(_ key: Key, _ value: JSONValue) { box.members.append((key.stringValue, .scalar(value))) }

    mutating func encodeNil(forKey key: Key) { put(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) { put(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) { put(key, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(key, try encoder.number(value, key: key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(key, try encoder.number(value, key: key)) }
    mutating func encode(_ value: Int, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) { put(key, .number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.members.append((key.stringValue, try encoder.box(value, key: key)))
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) {
        if let value { put(key, .string(value)) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) {
        if let value { put(key, .bool(value)) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) {
        if let value { put(key, .number(String(value))) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { put(key, try encoder.number(value, key: key)) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = ValueEncoder(dates: encoder.dates, parent: encoder, key: key)
        let container = child.container(keyedBy: keyType)
        box.members.append((key.stringValue, child.node!))
        return container
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = ValueEncoder(dates: encoder.dates, parent: encoder, key: key)
        let container = child.unkeyedContainer()
        box.members.append((key.stringValue, child.node!))
        return container
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        let child = ValueEncoder(dates: encoder.dates, parent: encoder, key: nil)
        box.members.append((name, .later(child)))
        return child
    }
}

struct UnkeyedValueEncodingContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    let box: ArrayBox

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { box.items.count }

    private var nextKey: IndexKey { IndexKey(intValue: box.items.count) }

    mutating func encodeNil() { box.items.append(.scalar(.null)) }
    mutating func encode(_ value: Bool) { box.items.append(.scalar(.bool(value))) }
    mutating func encode(_ value: String) { box.items.append(.scalar(.string(value))) }
    mutating func encode(_ value: Double) throws { box.items.append(.scalar(try encoder.number(value, key: nextKey))) }
    mutating func encode(_ value: Float) throws { box.items.append(.scalar(try encoder.number(value, key: nextKey))) }
    mutating func encode(_ value: Int) { box.items.append(.scalar(.number(String(value)))) }
    mutating func encode(_ value: Int64) { box.items.append(.scalar(.number(String(value)))) }
    mutating func encode<T: Encodable>(_ value: T) throws { box.items.append(try encoder.box(value, key: nextKey)) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = ValueEncoder(dates: encoder.dates, parent: encoder, key: nextKey)
        let container = child.container(keyedBy: keyType)
        box.items.append(child.node!)
        return container
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = ValueEncoder(dates: encoder.dates, parent: encoder, key: nextKey)
        let container = child.unkeyedContainer()
        box.items.append(child.node!)
        return container
    }

    mutating func superEncoder() -> any Encoder {
        let child = ValueEncoder(dates: encoder.dates, parent: encoder, key: nextKey)
        box.items.append(.later(child))
        return child
    }
}
