import Foundation
import LifelineCore

/// A YAML mapping and where it is, for errors that name the line and the field.
struct Fields {
    /// The keys apart from their values: a lookup compares keys without copying a node.
    let keys: [String]
    let values: [ConfigYAML]
    let path: String
    let file: String
    let line: Int?

    /// - Parameter allowed: the keys it may hold (a handful: a list is cheaper to make than a Set).
    init(_ node: ConfigYAML, path: String, file: String, allowed: [String]) throws {
        self.path = path
        self.file = file
        line = node.line
        guard case let .mapping(keyNodes, values) = node.value else {
            throw ConfigError(
                file: file,
                line: node.line,
                field: path.isEmpty ? "top level" : path,
                problem: "must be a mapping of keys to values"
            )
        }
        keys = keyNodes.map { $0.text ?? "" }
        self.values = values
        for (index, key) in keys.enumerated() where !allowed.contains(key) {
            throw ConfigError(
                file: file,
                line: keyNodes[index].line,
                field: field(key),
                problem: "is not a known key (known: \(allowed.sorted().joined(separator: ", ")))"
            )
        }
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func node(_ key: String) -> ConfigYAML? { keys.firstIndex(of: key).map { values[$0] } }

    func error(_ key: String, _ problem: String) -> ConfigError {
        ConfigError(file: file, line: node(key)?.line ?? line, field: field(key), problem: problem)
    }

    func string(_ key: String) throws -> String? {
        guard let value = node(key) else { return nil }
        guard let text = value.text else { throw error(key, "must be a single value") }
        return text
    }

    func required(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else { throw error(key, "is required") }
        return value
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = node(key) else { return nil }
        guard case let .sequence(list) = value.value else { throw error(key, "must be a list") }
        return try list.map { item in
            guard let text = item.text else { throw error(key, "must be a list of names") }
            return text
        }
    }

    func sequence(_ key: String) throws -> [ConfigYAML]? {
        guard let value = node(key) else { return nil }
        guard case let .sequence(list) = value.value else { throw error(key, "must be a list") }
        return list
    }

    /// A duration within `range`: the syntax is checked first (whole or decimal digits and a unit),
    /// then the range, so that no later conversion ever sees an infinite or huge value.
    func duration(_ key: String, within range: ClosedRange<TimeInterval>) throws -> TimeInterval? {
        guard let text = try string(key) else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            throw error(key, "'\(text)' is not a duration; write it like 300s, 30m or 2h")
        }
        guard range.contains(seconds) else {
            throw error(
                key,
                "'\(text)' is out of range: \(DurationText.text(range.lowerBound)) to \(DurationText.text(range.upperBound))"
            )
        }
        return seconds
    }

    func flag(_ key: String) throws -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, "'\(text)' is not true or false")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw error(key, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func result(_ key: String) throws -> LifecycleAction.Result? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "abandon": return .abandon
        case "continue": return .continue
        default: throw error(key, "'\(text)' is not one of abandon, continue")
        }
    }
}
