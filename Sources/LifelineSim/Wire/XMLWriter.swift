import Foundation

/// Writes the XML answers of the Query and EC2 protocols.
struct XMLWriter {
    /// Bytes, not a String: a page of 1,000 instances is some 40,000 small appends.
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(64 * 1024) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func put(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func open(_ name: String) {
        bytes.append(0x3C)
        put(name)
        bytes.append(0x3E)
    }

    private mutating func close(_ name: String) {
        bytes.append(0x3C)
        bytes.append(0x2F)
        put(name)
        bytes.append(0x3E)
    }

    mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        open(name)
        put(Self.escape(value))
        close(name)
    }

    mutating func element(_ name: String, _ value: Int?) { element(name, value.map(String.init)) }

    mutating func element(_ name: String, _ value: Bool?) { element(name, value.map { $0 ? "true" : "false" }) }

    mutating func element(_ name: String, _ value: Date?) { element(name, value.map(Self.timestamp)) }

    mutating func open(_ name: String, _ body: (inout XMLWriter) -> Void) {
        open(name)
        body(&self)
        close(name)
    }

    /// A list: `<Name><member>…</member>…</Name>` (Query) or with `item` (EC2).
    mutating func list<T>(_ name: String, _ items: [T], member: String = "member", _ body: (inout XMLWriter, T) -> Void)
    {
        open(name)
        for item in items {
            open(member)
            body(&self, item)
            close(member)
        }
        close(name)
    }

    mutating func appendRaw(_ s: String) { put(s) }

    static func escape(_ s: String) -> String {
        // Most values (ids, states, names) need no escaping: skip the per-character walk.
        if !s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func timestamp(_ date: Date) -> String { date.formatted(timestampStyle) }
}
