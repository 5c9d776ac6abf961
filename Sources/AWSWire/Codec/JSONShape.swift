import Foundation
import JSONCoding

/// A shape read from a JSON answer's index by hand, for the answers a pass reads by the thousand
/// (`BatchGetDeployments`, `BatchGetDeploymentGroups`). `Decodable` costs thousands of
/// instructions per struct in container boxes and metadata; this reads the members it names.
///
/// It reads what `JSONValueDecoder` reads into the type's `Decodable` form, and refuses what that
/// refuses with the same words (`AWSClient.describe`): a missing member, a wrong type (null where
/// a value must be is one), a bad value (a number that is no `Int`, a time that is none). Absent
/// and null optional members are nil; unknown members are ignored; of duplicates the first counts.
/// `JSONShapeTests` holds the two to the same answers, hundreds of broken ones among them.
protocol JSONShape {
    init(json: JSONFields) throws
}

/// Where a value is in the answer: a path only an error reads.
indirect enum JSONPath: Sendable {
    case root
    case member(JSONPath, String)
    case index(JSONPath, Int)

    /// `deploymentsInfo.Index 0.createTime`: the words of a `DecodingError`'s coding path.
    var text: String {
        var parts: [String] = []
        var step = self
        while true {
            switch step {
            case .root: return parts.reversed().joined(separator: ".")
            case .member(let parent, let key):
                parts.append(key)
                step = parent
            case .index(let parent, let index):
                parts.append("Index \(index)")
                step = parent
            }
        }
    }
}

/// Why an answer does not have the shape, and where.
struct JSONShapeError: Error, Sendable {
    enum Problem: Sendable { case missing, wrongType, badValue }
    var problem: Problem
    var path: JSONPath

    var description: String {
        switch problem {
        case .missing: "missing \(path.text)"
        case .wrongType: "wrong type at \(path.text)"
        case .badValue: "bad value at \(path.text)"
        }
    }
}

/// A value in an answer (`JSONIndex`), read where it is.
struct JSONElement {
    let document: JSONIndex
    let node: Int32

    var kind: JSONIndex.Kind { document.kind(node) }
}

/// An object's members, read by name from the answer's index: a member's text becomes a String
/// only when it is read.
struct JSONFields {
    let document: JSONIndex
    let object: Int32
    let path: JSONPath

    init(_ value: JSONElement, at path: JSONPath) throws {
        guard value.kind == .object else { throw JSONShapeError(problem: .wrongType, path: path) }
        document = value.document
        object = value.node
        self.path = path
    }

    static func decode<T: JSONShape>(_ type: T.Type, from document: JSONIndex) throws -> T {
        try T(json: JSONFields(JSONElement(document: document, node: document.root), at: .root))
    }

    /// The first member of that name, null or not.
    private func find(_ key: String) -> JSONElement? {
        document.member(object, key).map { JSONElement(document: document, node: $0) }
    }

    /// The member's value unless it is absent or null.
    private func present(_ key: String) -> JSONElement? {
        guard let value = find(key), value.kind != .null else { return nil }
        return value
    }

    private func error(_ problem: JSONShapeError.Problem, _ key: String) -> JSONShapeError {
        JSONShapeError(problem: problem, path: .member(path, key))
    }

    func string(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        guard value.kind == .string else { throw error(.wrongType, key) }
        return document.string(value.node)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = present(key) else { return nil }
        switch value.kind {
        case .true: return true
        case .false: return false
        default: throw error(.wrongType, key)
        }
    }

    func int(_ key: String) throws -> Int? {
        guard let value = present(key) else { return nil }
        guard value.kind == .number else { throw error(.wrongType, key) }
        let text = document.text(value.node)
        // 1.0 or 1e3 is an integer too, if it is one exactly (as JSONValueDecoder reads it).
        guard let number = Int(text) ?? Double(text).flatMap({ Int(exactly: $0) }) else { throw error(.badValue, key) }
        return number
    }

    /// Epoch seconds or one of `AWSTimestamp.parse`'s forms; anything else is a bad value.
    func date(_ key: String) throws -> Date? {
        guard let value = present(key) else { return nil }
        let date: Date? =
            switch value.kind {
            case .number: Double(document.text(value.node)).flatMap(AWSTimestamp.epoch)
            case .string: AWSTimestamp.parse(document.string(value.node))
            default: nil
            }
        guard let date else { throw error(.badValue, key) }
        return date
    }

    func object<T: JSONShape>(_ key: String, _: T.Type = T.self) throws -> T? {
        guard let value = present(key) else { return nil }
        return try T(json: JSONFields(value, at: .member(path, key)))
    }

    /// A list that must be there (an answer without it is no answer): absent is missing, null a
    /// wrong type.
    func requiredObjects<T: JSONShape>(_ key: String, _: T.Type = T.self) throws -> [T] {
        guard let value = find(key) else { throw error(.missing, key) }
        return try Self.array(value, at: .member(path, key)) { try T(json: JSONFields($0, at: $1)) }
    }

    /// A string that must be there: absent is missing, null or another type a wrong type.
    func requiredString(_ key: String) throws -> String {
        guard let value = find(key) else { throw error(.missing, key) }
        guard value.kind == .string else { throw error(.wrongType, key) }
        return document.string(value.node)
    }

    func objects<T: JSONShape>(_ key: String, _: T.Type = T.self) throws -> [T]? {
        try list(key) { try T(json: JSONFields($0, at: $1)) }
    }

    func strings(_ key: String) throws -> [String]? {
        try list(key) { item, at in
            guard item.kind == .string else { throw JSONShapeError(problem: .wrongType, path: at) }
            return item.document.string(item.node)
        }
    }

    /// A list of anything `element` reads, nil when absent or null.
    func list<T>(_ key: String, _ element: (JSONElement, JSONPath) throws -> T) throws -> [T]? {
        guard let value = present(key) else { return nil }
        return try Self.array(value, at: .member(path, key), element)
    }

    /// Each element of an array, read by `element` at its own place.
    static func array<T>(
        _ value: JSONElement,
        at path: JSONPath,
        _ element: (JSONElement, JSONPath) throws -> T
    ) throws
        -> [T]
    {
        guard value.kind == .array else { throw JSONShapeError(problem: .wrongType, path: path) }
        var out: [T] = []
        var item = value.document.first(value.node)
        var index = 0
        while item >= 0 {
            out.append(try element(JSONElement(document: value.document, node: item), .index(path, index)))
            item = value.document.next(item)
            index += 1
        }
        return out
    }
}
