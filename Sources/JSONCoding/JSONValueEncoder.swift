import Foundation

/// Encodes `Encodable` values as JSON, byte for byte what Foundation's `JSONEncoder` writes with
/// the same options (the tests compare the two): the value is built as a tree of boxes, then
/// written once into one buffer. A `Data` is base64 and a `URL` its absolute string, as there.
public struct JSONValueEncoder: Sendable {
    public enum Dates: Sendable {
        /// `Date`'s own `Encodable`: seconds since 2001-01-01 (Foundation's default).
        case deferredToDate
        case secondsSince1970
    }

    public struct Format: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let sortedKeys = Format(rawValue: 1)
        public static let prettyPrinted = Format(rawValue: 2)
        public static let withoutEscapingSlashes = Format(rawValue: 4)
    }

    public var dates: Dates
    public var format: Format

    public init(dates: Dates = .deferredToDate, format: Format = [.sortedKeys]) {
        self.dates = dates
        self.format = format
    }

    public func encode<T: Encodable>(_ value: T) throws -> Data { try write(value) { Data(buffer: $0) } }

    public func string<T: Encodable>(_ value: T) throws -> String {
        try write(value) { String(decoding: $0, as: UTF8.self) }
    }

    /// A tree built by hand (no `Encodable` on the way), written in this encoder's format.
    public func string(_ value: JSONValue) -> String {
        var writer = JSONWriter(format: format)
        writer.write(value, indent: 0)
        return writer.finish { String(decoding: $0, as: UTF8.self) }
    }

    private func write<T: Encodable, R>(_ value: T, _ output: (UnsafeBufferPointer<UInt8>) -> R) throws -> R {
        let node = try ValueEncoder(dates: dates, parent: nil, key: nil).box(value, key: nil)
        var writer = JSONWriter(format: format)
        writer.write(node, indent: 0)
        return writer.finish(output)
    }
}

/// An encoded value: a finished scalar, or a container still open to its `Encodable`.
enum EncodedNode {
    case scalar(JSONValue)
    /// A value that writes itself, when the writer gets to it.
    case writable(any JSONWritable)
    case object(ObjectBox)
    case array(ArrayBox)
    /// A super encoder's: whatever it holds when the writer gets to it.
    case later(ValueEncoder)
}

final class ObjectBox {
    @exclusivity(unchecked) var members: [(key: String, node: EncodedNode)] = []

    init() { members.reserveCapacity(8) }
}

final class ArrayBox {
    @exclusivity(unchecked) var items: [EncodedNode] = []
}

/// The `Encoder` one value is encoded through; also its single-value container.
final class ValueEncoder: CodingPathNode, Encoder, SingleValueEncodingContainer {
    let dates: JSONValueEncoder.Dates
    let parent: ValueEncoder?
    let key: (any CodingKey)?
    /// What was encoded: nothing yet, a scalar, or the container asked for.
    @exclusivity(unchecked) var node: EncodedNode?

    init(dates: JSONValueEncoder.Dates, parent: ValueEncoder?, key: (any CodingKey)?) {
        self.dates = dates
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] { pathFromRoot }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let box)? = node {
            return KeyedEncodingContainer(KeyedValueEncodingContainer(encoder: self, box: box))
        }
        let box = ObjectBox()
        node = .object(box)
        return KeyedEncodingContainer(KeyedValueEncodingContainer(encoder: self, box: box))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let box)? = node { return UnkeyedValueEncodingContainer(encoder: self, box: box) }
        let box = ArrayBox()
        node = .array(box)
        return UnkeyedValueEncodingContainer(encoder: self, box: box)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// `value` encoded, reached from this encoder by `key` (nil: this encoder's own value).
    func box<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> EncodedNode {
        if let writable = value as? any JSONWritable { return .writable(writable) }
        if T.self == Date.self, case .secondsSince1970 = dates {
            return .scalar(try number((value as! Date).timeIntervalSince1970, key: key))
        }
        if T.self == URL.self { return .scalar(.string((value as! URL).absoluteString)) }
        if T.self == Data.self { return .scalar(.string((value as! Data).base64EncodedString())) }
        let encoder = key.map { ValueEncoder(dates: dates, parent: self, key: $0) } ?? self
        try value.encode(to: encoder)
        return encoder.node ?? .object(ObjectBox())
    }

    func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, key: (any CodingKey)?) throws -> JSONValue
    {
        guard value.isFinite else {
            let path = key.map { codingPath + [$0] } ?? codingPath
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(codingPath: path, debugDescription: "\(value) is not a JSON number")
            )
        }
        // As Foundation writes it: Swift's shortest form, without a trailing ".0".
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { node = .scalar(.null) }
    func encode(_ value: Bool) { node = .scalar(.bool(value)) }
    func encode(_ value: String) { node = .scalar(.string(value)) }
    func encode(_ value: Double) throws { node = .scalar(try number(value, key: nil)) }
    func encode(_ value: Float) throws { node = .scalar(try number(value, key: nil)) }
    func encode(_ value: Int) { node = .scalar(.number(String(value))) }
    func encode(_ value: Int8) { node = .scalar(.number(String(value))) }
    func encode(_ value: Int16) { node = .scalar(.number(String(value))) }
    func encode(_ value: Int32) { node = .scalar(.number(String(value))) }
    func encode(_ value: Int64) { node = .scalar(.number(String(value))) }
    func encode(_ value: UInt) { node = .scalar(.number(String(value))) }
    func encode(_ value: UInt8) { node = .scalar(.number(String(value))) }
    func encode(_ value: UInt16) { node = .scalar(.number(String(value))) }
    func encode(_ value: UInt32) { node = .scalar(.number(String(value))) }
    func encode(_ value: UInt64) { node = .scalar(.number(String(value))) }
    func encode<T: Encodable>(_ value: T) throws { node = try box(value, key: nil) }
}
