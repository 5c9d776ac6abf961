/// Trimming of the whitespace AWS answers and HTTP headers hold: space, tab, CR and LF (XML's and
/// HTTP's whitespace). Foundation's `trimmingCharacters(in:)` goes through NSString, and on the
/// wire path that cost more than reading the values it trimmed.
extension StringProtocol {
    var trimmingASCIIWhitespace: String {
        let text = Substring(self)
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isASCIIWhitespace($0) }),
            let last = utf8.lastIndex(where: { !isASCIIWhitespace($0) })
        else { return "" }
        // After the last byte that is not whitespace is a whitespace byte or the end: a boundary.
        return String(text[first..<utf8.index(after: last)])
    }
}

@inline(__always)
func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
