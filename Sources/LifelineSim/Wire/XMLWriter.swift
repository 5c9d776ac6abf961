import Foundation

/// Writes the XML answers of the Query and EC2 protocols.
struct XMLWriter {
    private(set) var text = ""

    mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        text += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    mutating func element(_ name: String, _ value: Int?) { element(name, value.map(String.init)) }

    mutating func element(_ name: String, _ value: Bool?) { element(name, value.map { $0 ? "true" : "false" }) }

    mutating func element(_ name: String, _ value: Date?) { element(name, value.map(Self.timestamp)) }

    mutating func open(_ name: String, _ body: (inout XMLWriter) -> Void) {
        text += "<\(name)>"
        body(&self)
        text += "</\(name)>"
    }

    /// A list: `<Name><member>…</member>…</Name>` (Query) or with `item` (EC2).
    mutating func list<T>(_ name: String, _ items: [T], member: String = "member", _ body: (inout XMLWriter, T) -> Void) {
        text += "<\(name)>"
        for item in items {
            text += "<\(member)>"
            body(&self, item)
            text += "</\(member)>"
        }
        text += "</\(name)>"
    }

    mutating func appendRaw(_ s: String) { text += s }

    static func escape(_ s: String) -> String {
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

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
