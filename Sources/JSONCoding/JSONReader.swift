import Foundation

/// Reads RFC 8259 JSON from UTF-8 bytes into a `JSONValue` (through a `JSONIndex`). Strict
/// where Foundation's reader is: no trailing commas, comments, unescaped control characters or
/// lone surrogates; nesting deeper than `maxDepth` is refused, so hostile input cannot exhaust
/// the stack. A string's invalid UTF-8 is repaired (U+FFFD), never trusted.
public struct JSONReader {
    public static let maxDepth = 512

    public static func parse(_ data: Data) throws(JSONParseError) -> JSONValue {
        let index = try JSONIndex.parse(data)
        return index.value(index.root)
    }
}
