import Foundation

/// Reads the XML that Query and EC2 answers are written in into a `ParsedXML` (a flat table of
/// elements over the bytes), straight from the bytes. It reads elements, attributes (skipped), text, the five predefined entities,
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
    private var elements: [ParsedXML.Element] = []
    private var texts: [String] = []
    private var stack: [Open] = []
    private var rootClosed = false

    /// An element whose end tag is still to come.
    private struct Open {
        var index: Int
        /// Where its name is in the bytes: an end tag is checked against it without making a String.
        var name: Range<Int>
        var text = Text.none
        var lastChild = -1
    }

    /// An open element's text so far: most often one run of plain bytes, kept as where it is;
    /// else made in `texts` (so that an open element holds nothing to retain or release).
    private enum Text {
        case none
        case bytes(Range<Int>)
        case made(Int)
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLParseError) -> XMLNode {
        // Places in the element table are 32-bit (answers are capped far below, at 32 MiB).
        guard bytes.count < Int(Int32.max) else { throw XMLParseError(reason: "an answer of 2 GiB or more") }
        var reader = XMLReader(bytes: bytes)
        try reader.document()
        return XMLNode(document: ParsedXML(bytes: bytes, elements: reader.elements, texts: reader.texts), index: 0)
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // About one element per 40 bytes in Auto Scaling and EC2 answers.
        elements.reserveCapacity(bytes.count / 40)
    }

    private mutating func document() throws(XMLParseError) {
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
        guard stack.isEmpty, rootClosed else { throw fail("document ends before its root element closes") }
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
            append(Self.normalizedLineEnds(bytes[start..<end]))
            at = end + 3
        default: try startTag()
        }
    }

    private mutating func startTag() throws(XMLParseError) {
        guard !rootClosed else { throw fail("an element after the root element") }
        guard stack.count < XMLNode.maxDepth else { throw fail("elements nested deeper than \(XMLNode.maxDepth)") }
        at += 1
        let nameBytes = try nameRange()
        while true {
            let spaced = skipWhitespace()
            guard at < bytes.count else { throw fail("a start tag that never ends") }
            switch bytes[at] {
            case UInt8(ascii: ">"):
                at += 1
                open(nameBytes)
                return
            case UInt8(ascii: "/"):
                guard at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: ">") else {
                    throw fail("a stray '/' in <\(string(nameBytes))>")
                }
                at += 2
                open(nameBytes)
                close()
                return
            default:
                guard spaced else {
                    throw fail("an attribute not set apart by whitespace in <\(string(nameBytes))>")
                }
                try skipAttribute(in: string(nameBytes))
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
        guard let open = stack.last?.name, closes(open) else {
            let nameBytes = try nameRange()
            skipWhitespace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else {
                throw fail("an end tag </\(string(nameBytes)) that never ends")
            }
            at += 1
            guard let open = stack.last?.name else {
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

    private mutating func open(_ name: Range<Int>) {
        let index = elements.count
        elements.append(ParsedXML.Element(nameStart: Int32(name.lowerBound), nameCount: Int32(name.count)))
        if !stack.isEmpty {
            let parent = stack[stack.count - 1].lastChild
            if parent >= 0 {
                elements[parent].nextSibling = Int32(index)
            } else {
                elements[stack[stack.count - 1].index].firstChild = Int32(index)
            }
            stack[stack.count - 1].lastChild = index
        }
        stack.append(Open(index: index, name: name))
    }

    /// The innermost open element is complete: its text between children is only layout.
    private mutating func close() {
        let node = stack.removeLast()
        let trim = node.lastChild >= 0
        switch node.text {
        case .none: break
        case .bytes(var run):
            if trim {
                while let first = run.first, isASCIIWhitespace(bytes[first]) { run.removeFirst() }
                while let last = run.last, isASCIIWhitespace(bytes[last]) { run.removeLast() }
            }
            elements[node.index].textStart = Int32(run.lowerBound)
            elements[node.index].textCount = Int32(run.count)
        case .made(let index):
            elements[node.index].textStart = Int32(-1 - index)
            if trim { texts[index] = texts[index].trimmingASCIIWhitespace }
        }
        if stack.isEmpty { rootClosed = true }
    }

    /// More text for the innermost open element.
    private mutating func append(_ more: String) {
        switch stack[stack.count - 1].text {
        case .none:
            stack[stack.count - 1].text = .made(texts.count)
            texts.append(more)
        case .bytes(let run):
            stack[stack.count - 1].text = .made(texts.count)
            texts.append(string(run) + more)
        case .made(let index): texts[index] += more
        }
    }

    /// Whether the innermost open element's text so far is only blanks.
    private var textIsBlank: Bool {
        switch stack[stack.count - 1].text {
        case .none: true
        case .bytes(let run): bytes[run].allSatisfy(isASCIIWhitespace)
        case .made(let index): texts[index].utf8.allSatisfy(isASCIIWhitespace)
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
        if blank, stack[stack.count - 1].lastChild >= 0, textIsBlank {
            stack[stack.count - 1].text = .none
            return
        }
        if plain, case .none = stack[stack.count - 1].text {
            stack[stack.count - 1].text = .bytes(run)
        } else {
            append(plain ? string(run) : try decoded(bytes[run]))
        }
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
