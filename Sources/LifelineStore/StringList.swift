import Foundation

/// A list of strings in one column, as a JSON array, without JSONEncoder's cost on the hot path
/// (message ids and instance ids are plain ASCII; anything else is escaped as JSON requires).
enum StringList {
    static func encode(_ list: [String]) -> String {
        // Ids have nothing to escape: then the items go in as they are.
        if list.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") } }
        ) {
            var out = "["
            out.reserveCapacity(list.reduce(2) { $0 + $1.utf8.count + 3 })
            for (i, item) in list.enumerated() {
                out += i == 0 ? "\"" : ",\""
                out += item
                out += "\""
            }
            return out + "]"
        }
        var out = "["
        for (i, item) in list.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in item.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return out + "]"
    }

    static func decode(_ text: String) throws -> [String] {
        if text == "[]" { return [] }
        // Fast path: no escapes, so items are exactly what stands between the quotes.
        if !text.contains("\\"), text.hasPrefix("[\""), text.hasSuffix("\"]") {
            return text.dropFirst(2).dropLast(2).split(separator: "\",\"", omittingEmptySubsequences: false).map(
                String.init
            )
        }
        return try jsonValue(text)
    }
}
