import Foundation

/// The simulator's JSON answers, written straight from its `[String: Any]` trees (strings,
/// numbers, booleans, arrays, objects, NSNull). Foundation's JSONSerialization boxes every key
/// in AnyHashable and cost the simulator a quarter of its CPU on 100-group answers.
enum SimJSON {
    /// JSON text already written (a stored revision), put into an answer as it stands.
    struct Raw {
        let text: String
        init(_ data: Data) { text = String(decoding: data, as: UTF8.self) }
    }

    /// `sortedKeys`: the same object always gives the same text (a revision's key); answers need not.
    static func encode(_ value: Any, sortedKeys: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(1024)
        write(value, sorted: sortedKeys, to: &out)
        return out
    }

    private static func write(_ value: Any, sorted: Bool, to out: inout String) {
        switch value {
        case let string as String: quote(string, to: &out)
        case let raw as Raw: out += raw.text
        case let bool as Bool where type(of: value) == Bool.self: out += bool ? "true" : "false"
        case let int as Int: out += String(int)
        case let double as Double: out += double.isFinite ? "\(double)" : "null"
        case let object as [String: Any]:
            out += "{"
            var first = true
            for (key, member) in sorted ? object.sorted(by: { $0.key < $1.key }) : Array(object) {
                if !first { out += "," }
                first = false
                quote(key, to: &out)
                out += ":"
                write(member, sorted: sorted, to: &out)
            }
            out += "}"
        case let array as [Any]:
            out += "["
            for (n, member) in array.enumerated() {
                if n > 0 { out += "," }
                write(member, sorted: sorted, to: &out)
            }
            out += "]"
        case is NSNull: out += "null"
        case let number as NSNumber: out += number.stringValue
        default: quote("\(value)", to: &out)
        }
    }

    private static func quote(_ string: String, to out: inout String) {
        // Most strings need no escape: they go in whole.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\""
            out += string
            out += "\""
            return
        }
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count)
                    + String(c.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
