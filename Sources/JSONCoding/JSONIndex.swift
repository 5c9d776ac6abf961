import Foundation

/// A JSON document read once into a flat table of its values, its bytes kept: a string becomes a
/// `String` only when it is read, a member name is compared as bytes, and nothing is freed value
/// by value afterwards. The pages a pass reads by the hundred KB (`BatchGetDeploymentGroups`,
/// `BatchGetDeployments`) are read from one by hand; `JSONReader` makes its tree from one.
///
/// The grammar is RFC 8259 as `JSONReader` documents it, checked in full when the index is made:
/// a document it accepts is valid everywhere, read or not.
public final class JSONIndex: @unchecked Sendable {
    public enum Kind: UInt8 { case null, `false`, `true`, number, string, array, object }

    /// A value: where its text is, and its place in its container.
    struct Node {
        var kind: Kind
        /// A string with escapes, read by `unescape`.
        var escaped = false
        /// A string: its text between the quotes; a number: its text; a container: unused.
        var start: Int32 = 0
        var end: Int32 = 0
        /// A container's first child (an object's children are its names and values in turn).
        var first: Int32 = -1
        /// The value after this one in its container.
        var next: Int32 = -1
    }

    /// The root value.
    public let root: Int32 = 0
    private let bytes: UnsafeMutableRawBufferPointer
    private let nodes: [Node]

    private init(bytes: UnsafeMutableRawBufferPointer, nodes: [Node]) {
        self.bytes = bytes
        self.nodes = nodes
    }

    deinit { bytes.deallocate() }

    public static func parse(_ data: Data) throws(JSONParseError) -> JSONIndex {
        // Places are 32-bit: far above any answer (32 MiB at most, `HTTPResponse.maxBodyBytes`).
        guard data.count < Int(Int32.max) else {
            throw JSONParseError(reason: "a document of 2 GiB or more", offset: 0)
        }
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, data.count), alignment: 1)
        _ = data.copyBytes(to: bytes)
        var scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: bytes[0..<data.count]))
        do {
            try scanner.document()
        } catch {
            bytes.deallocate()
            throw error
        }
        return JSONIndex(bytes: bytes, nodes: scanner.nodes)
    }

    // MARK: - Reading

    public func kind(_ node: Int32) -> Kind { nodes[Int(node)].kind }

    /// A container's first child, -1 when it is empty.
    public func first(_ node: Int32) -> Int32 { nodes[Int(node)].first }

    /// The value after `node` in its container, -1 after the last.
    public func next(_ node: Int32) -> Int32 { nodes[Int(node)].next }

    /// The value of an object's first member named `key` (null or not), as the tree's
    /// `first(named:)` finds it. A name is compared as bytes (its escapes replaced first, if it has
    /// any): for the names a reader asks for, all ASCII, that is the tree's `==`.
    public func member(_ object: Int32, _ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { wanted -> Int32? in
            nodes.withUnsafeBufferPointer { nodes -> Int32? in
                let text = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: UInt8.self)
                var name = nodes[Int(object)].first
                while name >= 0 {
                    let node = nodes[Int(name)]
                    if node.escaped {
                        if string(name).utf8.elementsEqual(wanted) { return node.next }
                    } else if Int(node.end - node.start) == wanted.count,
                        Self.same(text + Int(node.start), wanted)
                    {
                        return node.next
                    }
                    name = nodes[Int(node.next)].next
                }
                return nil
            }
        }
    }

    /// Names are short: compared here, byte by byte, rather than in a call to memcmp.
    private static func same(_ text: UnsafePointer<UInt8>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<wanted.count where text[i] != wanted[i] { return false }
        return true
    }

    /// A string's text, escapes replaced and invalid UTF-8 repaired (U+FFFD).
    public func string(_ node: Int32) -> String {
        let n = nodes[Int(node)]
        let text = UnsafeRawBufferPointer(rebasing: bytes[Int(n.start)..<Int(n.end)])
        guard n.escaped else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8]? = []
        out!.reserveCapacity(text.count)
        var at = Int(n.start)
        // Checked when the index was made: it cannot fail now.
        try! JSONScanner.unescape(UnsafeRawBufferPointer(bytes), at: &at, into: &out)
        return String(decoding: out!, as: UTF8.self)
    }

    /// A number as it was written.
    public func text(_ node: Int32) -> String {
        let n = nodes[Int(node)]
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[Int(n.start)..<Int(n.end)]), as: UTF8.self)
    }

    /// The value at `node` as a tree.
    public func value(_ node: Int32) -> JSONValue {
        switch kind(node) {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .number: return .number(text(node))
        case .string: return .string(string(node))
        case .array:
            var items: [JSONValue] = []
            var item = first(node)
            while item >= 0 {
                items.append(value(item))
                item = next(item)
            }
            return .array(items)
        case .object:
            var members: [JSONMember] = []
            members.reserveCapacity(8)
            var name = first(node)
            while name >= 0 {
                let item = next(name)
                members.append(JSONMember(string(name), value(item)))
                name = next(item)
            }
            return .object(members)
        }
    }
}
