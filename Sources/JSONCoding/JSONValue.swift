/// A JSON document as a tree. Numbers keep the text they were written as, so an integer is read
/// exactly whatever its size; an object keeps its members in the order they came.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `key`, the first if there are several.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(named: key)
    }
}

extension [JSONMember] {
    /// The value of the first member named `key` (null or not), as `Decodable` and the hand
    /// readers find a member.
    public func first(named key: String) -> JSONValue? {
        // Most names differ in length: that test is cheap, and spares the comparison of text.
        let length = key.utf8.count
        for member in self where member.key.utf8.count == length && member.key == key { return member.value }
        return nil
    }
}

public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Why bytes are not JSON, and where (a byte offset).
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public let offset: Int

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A decoder or encoder reached from its parent by a key: its coding path is walked only when
/// an error needs it, not built for every value.
protocol CodingPathNode: AnyObject {
    var parent: Self? { get }
    var key: (any CodingKey)? { get }
}

extension CodingPathNode {
    var pathFromRoot: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: Self? = self
        while let step = node, let key = step.key {
            keys.append(key)
            node = step.parent
        }
        return keys.reversed()
    }
}
