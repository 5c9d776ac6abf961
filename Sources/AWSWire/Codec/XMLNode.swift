import Foundation

/// An element of a parsed XML answer: AWS's Query and EC2 answers are read by walking these.
///
/// The answer is kept as its bytes and a flat table of elements (`ParsedXML`); a node is a place
/// in that table. Names are compared as bytes and texts become Strings only when read, so an
/// answer costs its parse and the fields lifeline reads, not a String and an array per element.
public struct XMLNode: Sendable {
    let document: ParsedXML
    let index: Int

    public var name: String { document.name(of: index) }
    public var text: String { document.text(of: index) }

    public var children: [XMLNode] {
        var found: [XMLNode] = []
        var child = document.elements[index].firstChild
        while child >= 0 {
            found.append(XMLNode(document: document, index: Int(child)))
            child = document.elements[Int(child)].nextSibling
        }
        return found
    }

    /// The first child of that name.
    public func child(_ name: String) -> XMLNode? {
        var name = name
        return name.withUTF8 { wanted in
            var child = document.elements[index].firstChild
            while child >= 0 {
                if document.isNamed(Int(child), wanted) { return XMLNode(document: document, index: Int(child)) }
                child = document.elements[Int(child)].nextSibling
            }
            return nil
        }
    }

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
        var found: [XMLNode] = []
        var child = document.elements[container.index].firstChild
        while child >= 0 {
            if document.isListItem(Int(child)) { found.append(XMLNode(document: document, index: Int(child))) }
            child = document.elements[Int(child)].nextSibling
        }
        return found
    }

    /// An element with that name and nothing in it (a Query answer without its result element).
    static func empty(_ name: String) -> XMLNode {
        let bytes = Array(name.utf8)
        let element = ParsedXML.Element(nameStart: 0, nameCount: Int32(bytes.count))
        return XMLNode(document: ParsedXML(bytes: bytes[...], elements: [element], texts: []), index: 0)
    }

    /// Deeper than any AWS answer (DescribeInstances nests about 8): a deeper document is refused
    /// before its tree could exhaust the stack.
    public static let maxDepth = 64

    /// Parses a whole document (`XMLReader`).
    public static func parse(_ data: Data) throws -> XMLNode {
        // AWS answers in UTF-8; names and text are decoded from the bytes as they stand. Nearly
        // every answer is ASCII, which is checked a word at a time without making a String.
        try data.withUnsafeBytes { raw in
            guard Self.isASCII(raw) || String(validating: data, as: UTF8.self) != nil else {
                throw XMLParseError(reason: "the answer is not UTF-8 text")
            }
            return try XMLReader.parse(raw.bindMemory(to: UInt8.self))
        }
    }

    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            high |= UInt64(bytes[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}

/// An answer's bytes and its elements in document order (the root first), each linked to its
/// first child and next sibling. Immutable once `XMLReader` has made it.
final class ParsedXML: @unchecked Sendable {
    struct Element {
        var nameStart: Int32
        var nameCount: Int32
        /// Where the text is in the bytes; a negative start is `texts[-1 - start]` instead (text
        /// that held references, CDATA or line ends to rewrite, or came in several runs).
        var textStart: Int32 = 0
        var textCount: Int32 = 0
        var firstChild: Int32 = -1
        var nextSibling: Int32 = -1
    }

    private let bytes: UnsafeMutableBufferPointer<UInt8>
    let elements: [Element]
    private let texts: [String]

    init(bytes source: some Collection<UInt8>, elements: [Element], texts: [String]) {
        bytes = .allocate(capacity: max(1, source.count))
        _ = bytes.initialize(from: source)
        self.elements = elements
        self.texts = texts
    }

    deinit { bytes.deallocate() }

    func name(of index: Int) -> String {
        let element = elements[index]
        return string(Int(element.nameStart), Int(element.nameCount))
    }

    func text(of index: Int) -> String {
        let element = elements[index]
        if element.textStart < 0 { return texts[-1 - Int(element.textStart)] }
        return string(Int(element.textStart), Int(element.textCount))
    }

    func isNamed(_ index: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        let element = elements[index]
        guard Int(element.nameCount) == wanted.count else { return false }
        return wanted.isEmpty
            || memcmp(bytes.baseAddress! + Int(element.nameStart), wanted.baseAddress!, wanted.count) == 0
    }

    /// `member` or `item`.
    func isListItem(_ index: Int) -> Bool {
        let element = elements[index]
        let start = bytes.baseAddress! + Int(element.nameStart)
        switch element.nameCount {
        case 6: return memcmp(start, "member", 6) == 0
        case 4: return memcmp(start, "item", 4) == 0
        default: return false
        }
    }

    private func string(_ start: Int, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]), as: UTF8.self)
    }
}

public struct XMLParseError: Error, Sendable { public var reason: String }
