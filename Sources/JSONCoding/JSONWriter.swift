/// Writes an encoded tree as JSON text, as Foundation's `JSONEncoder` does with the same format:
/// sorted keys in byte order, `/` escaped unless told not to, pretty printing with two spaces and
/// `" : "`, an empty container on a line of its own.
struct JSONWriter {
    let format: JSONValueEncoder.Format
    var bytes = OutputBuffer()

    init(format: JSONValueEncoder.Format) { self.format = format }

    /// The text written; the writer's memory is freed after `body`.
    func finish<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        defer { bytes.free() }
        return body(bytes.written)
    }

    var pretty: Bool { format.contains(.prettyPrinted) }

    mutating func write(_ node: EncodedNode, indent: Int) {
        switch node {
        case .scalar(let value): write(value, indent: indent)
        case .later(let encoder): write(encoder.node ?? .object(ObjectBox()), indent: indent)
        case .writable(let value):
            var output = JSONOutput(writer: self, indent: indent)
            value.writeJSON(&output)
            self = output.writer
        case .array(let box):
            open(UInt8(ascii: "["), empty: box.items.isEmpty)
            for (i, item) in box.items.enumerated() {
                separate(i, indent: indent + 2)
                write(item, indent: indent + 2)
            }
            close(UInt8(ascii: "]"), empty: box.items.isEmpty, indent: indent)
        case .object(let box):
            // The box is the writer's now: sorted in place.
            if format.contains(.sortedKeys) { box.members.sort { $0.key < $1.key } }
            let members = box.members
            open(UInt8(ascii: "{"), empty: members.isEmpty)
            for (i, member) in members.enumerated() {
                separate(i, indent: indent + 2)
                string(member.key)
                colon()
                write(member.node, indent: indent + 2)
            }
            close(UInt8(ascii: "}"), empty: members.isEmpty, indent: indent)
        }
    }

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: bytes.append("null")
        case .bool(let flag): bytes.append(flag ? "true" : "false")
        case .number(let text): bytes.append(text)
        case .string(let text): string(text)
        case .array(let items):
            open(UInt8(ascii: "["), empty: items.isEmpty)
            for (i, item) in items.enumerated() {
                separate(i, indent: indent + 2)
                write(item, indent: indent + 2)
            }
            close(UInt8(ascii: "]"), empty: items.isEmpty, indent: indent)
        case .object(let unsorted):
            // Trees built by hand come in order already: checked, not sorted again.
            let members =
                format.contains(.sortedKeys) && !Self.inOrder(unsorted) ? unsorted.sorted { $0.key < $1.key } : unsorted
            open(UInt8(ascii: "{"), empty: members.isEmpty)
            for (i, member) in members.enumerated() {
                separate(i, indent: indent + 2)
                string(member.key)
                colon()
                write(member.value, indent: indent + 2)
            }
            close(UInt8(ascii: "}"), empty: members.isEmpty, indent: indent)
        }
    }

    private static func inOrder(_ members: [JSONMember]) -> Bool {
        var i = 1
        while i < members.count {
            if members[i].key < members[i - 1].key { return false }
            i += 1
        }
        return true
    }

    mutating func open(_ bracket: UInt8, empty: Bool) {
        bytes.append(bracket)
        if pretty && empty { bytes.append(0x0A) }
    }

    mutating func separate(_ index: Int, indent: Int) {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline(indent) }
    }

    mutating func close(_ bracket: UInt8, empty: Bool, indent: Int) {
        if pretty { newline(indent) }
        bytes.append(bracket)
    }

    mutating func colon() {
        if pretty {
            bytes.append(" : ")
        } else {
            bytes.append(UInt8(ascii: ":"))
        }
    }

    private mutating func newline(_ indent: Int) {
        bytes.append(0x0A)
        bytes.append(UInt8(ascii: " "), times: indent)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// For each byte: 0 when it is written as it is, else what follows the backslash (`u` for
    /// `\u00XX`). `/` is in the second table only.
    private static let escapes: [UInt8] = (0...255).map { byte in
        switch byte {
        case 0x22, 0x5C: UInt8(byte)
        case 0x0A: UInt8(ascii: "n")
        case 0x0D: UInt8(ascii: "r")
        case 0x09: UInt8(ascii: "t")
        case 0x08: UInt8(ascii: "b")
        case 0x0C: UInt8(ascii: "f")
        case ..<0x20: UInt8(ascii: "u")
        default: 0
        }
    }
    private static let escapesAndSlash: [UInt8] = escapes.enumerated().map { $0.offset == 0x2F ? 0x2F : $0.element }

    /// `text` quoted and escaped: runs that need no escape are copied whole.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let table = format.contains(.withoutEscapingSlashes) ? Self.escapes : Self.escapesAndSlash
        var text = text
        text.withUTF8 { utf8 in
            table.withUnsafeBufferPointer { table in
                var run = 0
                for i in 0..<utf8.count {
                    let escaped = table[Int(utf8[i])]
                    if escaped == 0 { continue }
                    bytes.append(UnsafeBufferPointer(rebasing: utf8[run..<i]))
                    run = i + 1
                    bytes.append(0x5C)
                    bytes.append(escaped)
                    if escaped == UInt8(ascii: "u") {
                        bytes.append("00")
                        bytes.append(Self.hex[Int(utf8[i] >> 4)])
                        bytes.append(Self.hex[Int(utf8[i] & 0xF)])
                    }
                }
                bytes.append(UnsafeBufferPointer(rebasing: utf8[run...]))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Bytes written into memory of their own, grown by doubling: an append is a bounds check and a
/// copy, without an Array's uniqueness check and generic path for every piece.
struct OutputBuffer {
    private var base = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private var capacity = 256
    private var count = 0

    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func free() { base.deallocate() }

    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        var grown = capacity * 2
        while grown < count + more { grown *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ byte: UInt8, times: Int) {
        reserve(times)
        (base + count).initialize(repeating: byte, count: times)
        count += times
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: start, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }
}
