import Foundation

/// A small XML tree: AWS's Query and EC2 answers are read by walking it.
public struct XMLNode: Sendable {
    public var name: String
    public var text: String
    public var children: [XMLNode]

    public init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child of that name.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// A path of child names: `node.at("Errors", "Error", "Code")`.
    public func at(_ path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The text of a child, or nil when absent.
    public func string(_ name: String) -> String? { child(name)?.text }

    /// The `member` (Query) or `item` (EC2) elements of a list child.
    public func list(_ name: String) -> [XMLNode] {
        guard let container = child(name) else { return [] }
        return container.children.filter { $0.name == "member" || $0.name == "item" }
    }

    /// Deeper than any AWS answer (DescribeInstances nests about 8): a deeper document is refused
    /// before its tree could exhaust the stack.
    public static let maxDepth = 64

    /// Parses a whole document (`XMLReader`).
    public static func parse(_ data: Data) throws -> XMLNode {
        // AWS answers in UTF-8; names and text are decoded from the bytes as they stand.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw XMLParseError(reason: "the answer is not UTF-8 text")
        }
        return try data.withUnsafeBytes { raw in try XMLReader.parse(raw.bindMemory(to: UInt8.self)) }
    }
}

public struct XMLParseError: Error, Sendable { public var reason: String }
