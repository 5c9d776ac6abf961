import Foundation

/// Makes a `JSONIndex`'s table in one pass over the bytes, refusing what `JSONReader`'s
/// documentation says it refuses, with the same reasons at the same offsets.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var at = 0
    var depth = 0
    var nodes: [JSONIndex.Node] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        // About one value per 12 bytes in CodeDeploy's answers.
        nodes.reserveCapacity(bytes.count / 12 + 1)
    }

    mutating func document() throws(JSONParseError) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }
        _ = try value()
        skipSpace()
        guard at == bytes.count else { throw fail("unexpected text after the value") }
    }

    private func fail(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: at) }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x0A, 0x0D, 0x09: at += 1
            default: return
            }
        }
    }

    private mutating func add(_ node: JSONIndex.Node) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// The value at `at`: its node.
    private mutating func value() throws(JSONParseError) -> Int32 {
        skipSpace()
        guard at < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): return try literal("true", .true)
        case UInt8(ascii: "f"): return try literal("false", .false)
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONIndex.Kind) throws(JSONParseError) -> Int32 {
        let count = word.utf8CodeUnitCount
        guard bytes.count - at >= count,
            UnsafeRawBufferPointer(rebasing: bytes[at..<at + count]).elementsEqual(
                UnsafeRawBufferPointer(start: word.utf8Start, count: count)
            )
        else { throw fail("unexpected word") }
        at += count
        return add(JSONIndex.Node(kind: kind))
    }

    private mutating func nest() throws(JSONParseError) {
        depth += 1
        guard depth <= JSONReader.maxDepth else { throw fail("nested deeper than \(JSONReader.maxDepth)") }
        at += 1
    }

    /// Links `child` after `last` in `container` (or first in it).
    private mutating func link(_ child: Int32, after last: Int32, in container: Int32) {
        if last < 0 { nodes[Int(container)].first = child } else { nodes[Int(last)].next = child }
    }

    private mutating func object() throws(JSONParseError) -> Int32 {
        try nest()
        let object = add(JSONIndex.Node(kind: .object))
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
            at += 1
            depth -= 1
            return object
        }
        var last: Int32 = -1
        while true {
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let name = try string()
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            at += 1
            let item = try value()
            link(name, after: last, in: object)
            nodes[Int(name)].next = item
            last = item
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end of input") }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
            } else if bytes[at] == UInt8(ascii: "}") {
                at += 1
                depth -= 1
                return object
            } else {
                throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws(JSONParseError) -> Int32 {
        try nest()
        let array = add(JSONIndex.Node(kind: .array))
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
            at += 1
            depth -= 1
            return array
        }
        var last: Int32 = -1
        while true {
            let item = try value()
            link(item, after: last, in: array)
            last = item
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end of input") }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
            } else if bytes[at] == UInt8(ascii: "]") {
                at += 1
                depth -= 1
                return array
            } else {
                throw fail("expected ',' or ']'")
            }
        }
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written.
    private mutating func number() throws(JSONParseError) -> Int32 {
        let start = at
        if bytes[at] == UInt8(ascii: "-") { at += 1 }
        guard at < bytes.count, isDigit(bytes[at]) else { throw fail("bad number") }
        if bytes[at] == UInt8(ascii: "0") {
            at += 1
        } else {
            skipDigits()
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            guard at < bytes.count, isDigit(bytes[at]) else { throw fail("bad number") }
            skipDigits()
        }
        if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count, isDigit(bytes[at]) else { throw fail("bad number") }
            skipDigits()
        }
        return add(JSONIndex.Node(kind: .number, start: Int32(start), end: Int32(at)))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func skipDigits() {
        while at < bytes.count, isDigit(bytes[at]) { at += 1 }
    }

    /// The string that starts at the opening quote under `at`.
    private mutating func string() throws(JSONParseError) -> Int32 {
        let start = at + 1
        var end = start
        let count = bytes.count
        let stop: UInt8? = Self.special.withUnsafeBufferPointer { special in
            while end < count {
                let byte = bytes[end]
                if special[Int(byte)] { return byte }
                end += 1
            }
            return nil
        }
        at = end
        switch stop {
        case UInt8(ascii: "\""):
            at += 1
            return add(JSONIndex.Node(kind: .string, start: Int32(start), end: Int32(end)))
        case UInt8(ascii: "\\"):
            var none: [UInt8]? = nil
            try Self.unescape(bytes, at: &at, into: &none)
            return add(JSONIndex.Node(kind: .string, escaped: true, start: Int32(start), end: Int32(at - 1)))
        case nil: throw fail("unterminated string")
        default: throw fail("unescaped control character in a string")
        }
    }

    /// The bytes that end a plain run in a string: a quote, a backslash, a control character.
    private static let special: [Bool] = (0...255).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }

    /// The rest of a string from `at` to past its closing quote, escapes checked and, when `out` is
    /// given, the text written there.
    static func unescape(
        _ bytes: UnsafeRawBufferPointer,
        at: inout Int,
        into out: inout [UInt8]?
    ) throws(JSONParseError) {
        func fail(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: at) }
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { throw fail("unterminated string") }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out?.append(escape)
                case UInt8(ascii: "b"): out?.append(0x08)
                case UInt8(ascii: "f"): out?.append(0x0C)
                case UInt8(ascii: "n"): out?.append(0x0A)
                case UInt8(ascii: "r"): out?.append(0x0D)
                case UInt8(ascii: "t"): out?.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(bytes, at: &at)
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - at >= 6, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u")
                        else { throw fail("lone surrogate in a string") }
                        at += 2
                        let low = try hex4(bytes, at: &at)
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("lone surrogate in a string")
                    }
                    if out != nil { out!.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8) }
                default: throw fail("bad escape in a string")
                }
            case ..<0x20: throw fail("unescaped control character in a string")
            default: out?.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at: inout Int) throws(JSONParseError) -> UInt32 {
        guard bytes.count - at >= 4 else { throw JSONParseError(reason: "bad \\u escape", offset: at) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(reason: "bad \\u escape", offset: at)
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }
}
