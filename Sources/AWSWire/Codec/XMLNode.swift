import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

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

    /// Parses a whole document. Linux's `XMLParser` reports success on truncated input, so a parse
    /// counts only if it says so, has no error, and closed the root element.
    public static func parse(_ data: Data) throws -> XMLNode {
        // AWS answers in UTF-8. FoundationXML traps on an element name that is not valid UTF-8
        // (found by scripts/fuzz), so nothing else reaches it.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw XMLParseError(reason: "the answer is not UTF-8 text")
        }
        if let markup = unexpectedMarkup(data) { throw XMLParseError(reason: "the answer holds \(markup)") }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if builder.tooDeep { throw XMLParseError(reason: "elements nested deeper than \(maxDepth)") }
        guard ok, parser.parserError == nil, builder.stack.isEmpty, let root = builder.root else {
            let reason =
                parser.parserError.map { "\($0.localizedDescription)" }
                ?? "document ends before its root element closes"
            throw XMLParseError(reason: reason)
        }
        return root
    }
}

public struct XMLParseError: Error, Sendable { public var reason: String }

extension XMLNode {
    /// AWS answers are elements, text, entity and character references and CDATA, after an
    /// optional XML declaration. Anything else (a processing instruction, a DOCTYPE with its
    /// entities, a comment) is refused before FoundationXML sees it: it traps on a processing
    /// instruction without data (found by scripts/fuzz), and entity declarations can expand without
    /// bound. Nil when there is none, else what was found.
    static func unexpectedMarkup(_ data: Data) -> String? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> String? in
            let bytes = raw.bindMemory(to: UInt8.self)
            let lt = UInt8(ascii: "<")
            func at(_ i: Int, _ text: StaticString) -> Bool {
                let n = text.utf8CodeUnitCount
                guard i + n <= bytes.count else { return false }
                return (0..<n).allSatisfy { bytes[i + $0] == text.utf8Start[$0] }
            }
            var i = at(0, "\u{FEFF}") ? 3 : 0
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            if at(i, "<?xml"), i + 5 < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i + 5]) {
                var end = i + 5
                while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "?") && bytes[end + 1] == UInt8(ascii: ">")) {
                    end += 1
                }
                i = end + 2
            }
            while i < bytes.count {
                if bytes[i] == lt, i + 1 < bytes.count {
                    if bytes[i + 1] == UInt8(ascii: "?") { return "a processing instruction" }
                    if bytes[i + 1] == UInt8(ascii: "!"), !at(i, "<![CDATA[") { return "a DOCTYPE, entity or comment" }
                }
                i += 1
            }
            return nil
        }
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?
    var tooDeep = false

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard stack.count < XMLNode.maxDepth else {
            tooDeep = true
            parser.abortParsing()
            return
        }
        stack.append(XMLNode(name: name))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty, !tooDeep else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard !tooDeep, var node = stack.popLast() else { return }
        if !node.children.isEmpty { node.text = node.text.trimmingASCIIWhitespace }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }
}
