import Foundation

/// A shape read from a Query or EC2 XML element.
protocol XMLDecodable {
    init(xml: XMLNode) throws
}

/// A field an element lacks, or holds in a form its type does not allow.
struct BadField: Error {
    var element: String
    var field: String
    /// `lacks <Field>`, or `<Field> 'lots' is not a whole number`.
    var problem: String
}

extension XMLNode {
    func required(_ field: String) throws -> String {
        guard let value = string(field) else {
            throw BadField(element: name, field: field, problem: "lacks <\(field)>")
        }
        return value
    }

    /// A whole number, nil when absent; present and not a number (or out of Int's range) is an error.
    func int(_ field: String) throws -> Int? {
        try typed(field, "a whole number") { Int($0.trimmingASCIIWhitespace) }
    }

    /// An AWS timestamp, nil when absent; present and unreadable (or outside years 1970–9999) is an error.
    func date(_ field: String) throws -> Date? { try typed(field, "a timestamp", AWSTimestamp.parse) }

    /// `true` or `false`, nil when absent.
    func bool(_ field: String) throws -> Bool? {
        try typed(field, "true or false") { text in
            switch text.trimmingASCIIWhitespace {
            case "true": true
            case "false": false
            default: nil
            }
        }
    }

    private func typed<T>(_ field: String, _ kind: String, _ read: (String) -> T?) throws -> T? {
        guard let text = string(field) else { return nil }
        guard let value = read(text) else {
            throw BadField(element: name, field: field, problem: "<\(field)> '\(text.prefix(40))' is not \(kind)")
        }
        return value
    }
}

extension AWSClient {
    /// The members of a list element, each decoded; a member missing a required field makes the
    /// whole answer malformed, named by its operation.
    func members<T: XMLDecodable>(
        _ node: XMLNode,
        _ list: String,
        as: T.Type,
        _ service: AWSService,
        _ operation: String
    ) throws -> [T] {
        do {
            return try node.list(list).map(T.init(xml:))
        } catch let bad as BadField {
            throw AWSError.malformed(service: service.name, operation: operation, "<\(bad.element)> \(bad.problem)")
        }
    }
}
