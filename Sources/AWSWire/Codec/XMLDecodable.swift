/// A shape read from a Query or EC2 XML element.
protocol XMLDecodable {
    init(xml: XMLNode) throws
}

/// A required field an element lacks.
struct MissingField: Error {
    var element: String
    var field: String
}

extension XMLNode {
    func required(_ field: String) throws -> String {
        guard let value = string(field) else { throw MissingField(element: name, field: field) }
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
        } catch let missing as MissingField {
            throw AWSError.malformed(
                service: service.name,
                operation: operation,
                "<\(missing.element)> lacks <\(missing.field)>"
            )
        }
    }
}
