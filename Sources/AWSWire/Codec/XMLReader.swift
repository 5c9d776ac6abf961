import Foundation

/// Reads the XML that Query and EC2 answers are written in into an `XMLNode` tree, straight from
/// the bytes. It reads elements, attributes (skipped), text, the five predefined entities,
/// character references and CDATA, after an optional XML declaration. Anything else is refused:
/// a DOCTYPE (its entities could expand without bound), a comment, a processing instruction, an
/// unknown entity, a control character, a tag left open or closed by another name, content
/// outside the root element, and nesting deeper than `XMLNode.maxDepth`.
///
/// It replaces FoundationXML's `XMLParser`, whose delegate calls and strings per callback cost
/// more than the rest of an answer's handling (`Tests/AWSWireTests/XMLReaderTests.swift` checks
/// that both read the same trees). Line ends become LF, as XML requires of every parser.
struct XMLReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    private var stack: [XMLNode] = []
    /// Where each open element's name is in the bytes: an end tag is checked against it without
    /// making a String of its own.
    private var openNames: [Range<Int>] = []
    /// Names longer than a small string, made once per document: an answer repeats a few dozen
    /// names thousands of times.
    private var longNames: [String] = Array(repeating: "", count: 64)
    private var root: XMLNode?

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLParseError) -> XMLNode {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func document() throws(XMLParseError) -> XMLNode {
        if starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }
        skipWhitespace()
        if starts(with: Array("<?xml".utf8)), at + 5 < bytes.count, isASCIIWhitespace(bytes[at + 5]) {
            guard let end = find([UInt8(ascii: "?"), UInt8(ascii: ">")], from: at + 5) else {
                throw fail("an XML declaration that never ends")
            }
            at = end + 2
        }
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "<") {
                try markup()
            } else {
                try text()
            }
        }
        guard stack.isEmpty, let root else { throw fail("document ends before its root element closes") }
        return root
    }

    // MARK: - Markup

    private mutating func markup() throws(XMLParseError) {
        let next = at + 1 < bytes.count ? bytes[at + 1] : 0
        switch next {
        case UInt8(ascii: "/"): try endTag()
        case UInt8(ascii: "?"): throw fail("the answer holds a processing instruction")
        case UInt8(ascii: "!"):
            guard starts(with: Array("<![CDATA[".utf8)) else {
                throw fail("the answer holds a DOCTYPE, entity or comment")
            }
            guard !stack.isEmpty else { throw fail("CDATA outside the root element") }
            let start = at + 9
            guard let end = find(Array("]]>".utf8), from: start) else { throw fail("a CDATA section that never ends") }
            try checkCharacters(start..<end)
            stack[stack.count - 1].text += Self.normalizedLineEnds(bytes[start..<end])
            at = end + 3
        default: try startTag()
        }
    }

    private mutating func startTag() throws(XMLParseError) {
        guard root == nil else { throw fail("an element after the root element") }
        guard stack.count < XMLNode.maxDepth else { throw fail("elements nested deeper than \(XMLNode.maxDepth)") }
        at += 1
        let nameBytes = try nameRange()
        let name = name(nameBytes)
        while true {
            let spaced = skipWhitespace()
            guard at < bytes.count else { throw fail("a start tag that never ends") }
            switch bytes[at] {
            case UInt8(ascii: ">"):
                at += 1
                open(name, nameBytes)
                return
            case UInt8(ascii: "/"):
                guard at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: ">") else {
                    throw fail("a stray '/' in <\(name)>")
                }
                at += 2
                open(name, nameBytes)
                close()
                return
            default:
                guard spaced else { throw fail("an attribute not set apart by whitespace in <\(name)>") }
                try skipAttribute(in: name)
            }
        }
    }

    /// `name = "value"` (or single quotes); the value is not kept, but must not hold `<`.
    private mutating func skipAttribute(in element: String) throws(XMLParseError) {
        _ = try nameRange()
        skipWhitespace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "=") else {
            throw fail("an attribute without a value in <\(element)>")
        }
        at += 1
        skipWhitespace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") else {
            throw fail("an attribute value without quotes in <\(element)>")
        }
        guard let end = find([bytes[at]], from: at + 1) else { throw fail("an attribute value that never ends") }
        guard !bytes[(at + 1)..<end].contains(UInt8(ascii: "<")) else { throw fail("a '<' in an attribute value") }
        at = end + 1
    }

    private mutating func endTag() throws(XMLParseError) {
        at += 2
        // The name is most often the open element's: compared as bytes, not scanned.
        guard let open = openNames.last, closes(open) else {
            let nameBytes = try nameRange()
            skipWhitespace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else {
                throw fail("an end tag </\(string(nameBytes)) that never ends")
            }
            at += 1
            guard let open = openNames.last else {
                throw fail("an end tag </\(string(nameBytes))> with no element open")
            }
            throw fail("<\(string(open))> closed by </\(string(nameBytes))>")
        }
        at += open.count
        skipWhitespace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else {
            throw fail("an end tag </\(string(open)) that never ends")
        }
        at += 1
        close()
    }

    /// Whether the name at `at` is the one in `open`, and ends there.
    private func closes(_ open: Range<Int>) -> Bool {
        let end = at + open.count
        guard end <= bytes.count, memcmp(bytes.baseAddress! + at, bytes.baseAddress! + open.lowerBound, open.count) == 0
        else { return false }
        return end == bytes.count || Self.nameBytes[Int(bytes[end])] == 0
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// An element's name: a long one from `longNames` when it was read before.
    private mutating func name(_ range: Range<Int>) -> String {
        guard range.count > 15 else { return string(range) }  // a small string: nothing to allocate
        let slot = (range.count &* 31 &+ Int(bytes[range.lowerBound + 1]) &* 7 &+ Int(bytes[range.upperBound - 2])) & 63
        var known = longNames[slot]
        let cached = known.withUTF8 {
            $0.count == range.count && memcmp($0.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
        }
        if cached { return known }
        let made = string(range)
        longNames[slot] = made
        return made
    }

    private mutating func open(_ name: String, _ nameBytes: Range<Int>) {
        stack.append(XMLNode(name: name))
        openNames.append(nameBytes)
    }

    /// Whether the innermost open element has a child already.
    private var hasChildren: Bool { !stack[stack.count - 1].children.isEmpty }

    /// The innermost open element is complete: its text between children is only layout.
    private mutating func close() {
        openNames.removeLast()
        var node = stack.removeLast()
        if !node.children.isEmpty { node.text = node.text.trimmingASCIIWhitespace }
        if stack.isEmpty {
            root = node
        } else {
            // Room for a few children at once: most elements with children have several, and
            // growing the array by 1, 2, 4 was the reader's largest source of allocations.
            if stack[stack.count - 1].children.isEmpty { stack[stack.count - 1].children.reserveCapacity(4) }
            stack[stack.count - 1].children.append(node)
        }
    }

    /// An element or attribute name: a letter, `_`, `:` or any character beyond ASCII, then
    /// also digits, `-` and `.`.
    private mutating func nameRange() throws(XMLParseError) -> Range<Int> {
        let start = at
        let classes = Self.nameBytes
        guard at < bytes.count, classes[Int(bytes[at])] & Self.first != 0 else {
            throw fail("a malformed element name")
        }
        var end = at + 1
        let count = bytes.count
        classes.withUnsafeBufferPointer { classes in
            while end < count, classes[Int(bytes[end])] != 0 { end += 1 }
        }
        at = end
        return start..<at
    }

    // MARK: - Text

    private mutating func text() throws(XMLParseError) {
        let start = at
        // One pass: where the run ends, whether it holds a reference or a CR, whether it holds a
        // control character XML refuses (all three are below '<' and rare), and whether it is
        // only blanks.
        var seen: UInt8 = 0
        var end = at
        let count = bytes.count
        Self.textBytes.withUnsafeBufferPointer { classes in
            while end < count {
                let byteClass = classes[Int(bytes[end])]
                if byteClass == Self.stop { break }
                seen |= byteClass
                end += 1
            }
        }
        at = end
        let plain = seen & Self.notPlain == 0
        let control = seen & Self.control != 0
        let blank = seen & Self.notBlank == 0
        let run = start..<at
        guard !stack.isEmpty else {
            guard blank else { throw fail("text outside the root element") }
            return
        }
        if control { try checkCharacters(run) }
        // Layout between children: the text so far is only blanks that the end tag trims away,
        // so they need not be kept (and grown) meanwhile.
        if blank, hasChildren, stack[stack.count - 1].text.utf8.allSatisfy(isASCIIWhitespace) {
            stack[stack.count - 1].text = ""
            return
        }
        stack[stack.count - 1].text +=
            plain ? String(decoding: UnsafeBufferPointer(rebasing: bytes[run]), as: UTF8.self) : try decoded(bytes[run])
    }

    /// Text with its entity and character references replaced and its line ends made LF.
    private func decoded(_ run: Slice<UnsafeBufferPointer<UInt8>>) throws(XMLParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(run.count)
        var i = run.startIndex
        while i < run.endIndex {
            let byte = run[i]
            if byte == 0x0D {
                out.append(0x0A)
                i += i + 1 < run.endIndex && run[i + 1] == 0x0A ? 2 : 1
            } else if byte == UInt8(ascii: "&") {
                guard let semicolon = run[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                    throw fail("an '&' that starts no entity")
                }
                try Self.appendReference(run[(i + 1)..<semicolon], to: &out)
                i = semicolon + 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// XML allows no control character but tab, LF and CR (escaped or not).
    private func checkCharacters(_ run: Range<Int>) throws(XMLParseError) {
        for i in run where bytes[i] < 0x20 && !isASCIIWhitespace(bytes[i]) {
            throw fail("a control character (0x\(String(bytes[i], radix: 16)))")
        }
    }

    // MARK: - Scanning

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = at
        while at < bytes.count, isASCIIWhitespace(bytes[at]) { at += 1 }
        return at > start
    }

    private func starts(with prefix: [UInt8]) -> Bool {
        at + prefix.count <= bytes.count && bytes[at..<(at + prefix.count)].elementsEqual(prefix)
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0], bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private func fail(_ reason: String) -> XMLParseError {
        XMLParseError(reason: "\(reason) (at byte \(at))")
    }
}
