import Foundation

/// Decodes `Decodable` values from JSON: `JSONReader`'s tree, walked by a `Decoder` that finds a
/// member by comparing names (no dictionary per object) and builds a coding path only for an
/// error. It reads what Foundation's `JSONDecoder` reads, with the same errors (`DecodingError`),
/// and a `Data` is base64 and a `URL` a string, as there; where there are duplicate member names
/// the first one counts, as there. On a cold pass's CodeDeploy answers it runs about half the
/// instructions Foundation's does (callgrind).
public struct JSONValueDecoder: Sendable {
    public enum Dates: Sendable {
        /// `Date`'s own `Decodable`: seconds since 2001-01-01 (Foundation's default).
        case deferredToDate
        case secondsSince1970
        /// The date a value means; nil when it means none.
        case custom(@Sendable (JSONValue) -> Date?)
    }

    public var dates: Dates

    public init(dates: Dates = .deferredToDate) { self.dates = dates }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let value: JSONValue
        do {
            value = try JSONReader.parse(data)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "not JSON: \(error)", underlyingError: error)
            )
        }
        return try decode(type, from: value)
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value, dates: dates, parent: nil, key: nil).decode(T.self)
    }
}

/// The `Decoder` over one value of the tree; also that value's single-value container.
final class ValueDecoder: CodingPathNode, Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let dates: JSONValueDecoder.Dates
    let parent: ValueDecoder?
    let key: (any CodingKey)?

    init(_ value: JSONValue, dates: JSONValueDecoder.Dates, parent: ValueDecoder?, key: (any CodingKey)?) {
        self.value = value
        self.dates = dates
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] { pathFromRoot }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self, value, key: nil) }
        return KeyedDecodingContainer(KeyedValueContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([Any].self, value, key: nil) }
        return UnkeyedValueContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// A child decoder for `value`, reached from this one by `key`.
    func child(_ value: JSONValue, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value, dates: dates, parent: self, key: key)
    }

    // MARK: Values (each takes the value's key, for the coding path of an error)

    func path(_ key: (any CodingKey)?) -> [any CodingKey] { key.map { codingPath + [$0] } ?? codingPath }

    func mismatch(_ type: Any.Type, _ value: JSONValue, key: (any CodingKey)?) -> DecodingError {
        let context = DecodingError.Context(
            codingPath: path(key),
            debugDescription: "expected \(type), found \(value.kind)"
        )
        if case .null = value { return .valueNotFound(type, context) }
        return .typeMismatch(type, context)
    }

    func string(_ value: JSONValue, key: (any CodingKey)?) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, key: key) }
        return text
    }

    func bool(_ value: JSONValue, key: (any CodingKey)?) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, key: key) }
        return flag
    }

    func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: JSONValue,
        key: (any CodingKey)?
    ) throws -> F {
        guard case .number(let text) = value else { throw mismatch(F.self, value, key: key) }
        guard let number = F(text), number.isFinite else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path(key), debugDescription: "\(text) does not fit in \(F.self)")
            )
        }
        return number
    }

    func integer<I: FixedWidthInteger>(_ value: JSONValue, key: (any CodingKey)?) throws -> I {
        guard case .number(let text) = value else { throw mismatch(I.self, value, key: key) }
        if let number = I(text) { return number }
        // 1.0 or 1e3 is an integer too, if it is one exactly.
        if let real = Double(text), let number = I(exactly: real) { return number }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: path(key), debugDescription: "\(text) does not fit in \(I.self)")
        )
    }

    func decode<T: Decodable>(_ value: JSONValue, key: (any CodingKey)?, as type: T.Type = T.self) throws -> T {
        if T.self == Date.self, let date = try date(value, key: key) { return date as! T }
        if T.self == URL.self {
            guard let url = URL(string: try string(value, key: key)) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: path(key), debugDescription: "not a URL")
                )
            }
            return url as! T
        }
        if T.self == Data.self {
            guard let data = Data(base64Encoded: try string(value, key: key)) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: path(key), debugDescription: "not base64")
                )
            }
            return data as! T
        }
        return try T(from: key.map { child(value, $0) } ?? self)
    }

    /// nil when `Date`'s own `Decodable` reads it.
    private func date(_ value: JSONValue, key: (any CodingKey)?) throws -> Date? {
        switch dates {
        case .deferredToDate:
            return nil
        case .secondsSince1970:
            return Date(timeIntervalSince1970: try floatingPoint(value, key: key))
        case .custom(let read):
            guard let date = read(value) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: path(key), debugDescription: "not a date: \(value.kind)")
                )
            }
            return date
        }
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(value, key: nil) }
    func decode(_ type: String.Type) throws -> String { try string(value, key: nil) }
    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(value, key: nil) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(value, key: nil) }
    func decode(_ type: Int.Type) throws -> Int { try integer(value, key: nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(value, key: nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(value, key: nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(value, key: nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(value, key: nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(value, key: nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(value, key: nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(value, key: nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(value, key: nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(value, key: nil) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decode(value, key: nil) }
}

extension JSONValue {
    /// What kind of value this is, for an error.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The key of an array's element in a coding path.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
