import Foundation

/// The byte classes XMLReader scans by (one table lookup per byte), and its static helpers for
/// references and line ends.
extension XMLReader {
    /// What each byte may be in a name: `first` (a letter, `_`, `:` or beyond ASCII) may start it,
    /// `later` (a digit, `-` or `.`) only follow.
    static let first: UInt8 = 1
    static let later: UInt8 = 2
    static let nameBytes: [UInt8] = (0...255).map { value in
        let byte = UInt8(value)
        let letter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || byte >= 0x80
        if letter || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") { return first }
        let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        return digit || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") ? later : 0
    }

    /// What each byte is in text: `notBlank` (not a space, tab or line end), `notPlain` (`&` or
    /// CR: the run needs decoding), `control` (a control character XML refuses); `<` stops it.
    static let notBlank: UInt8 = 1
    static let notPlain: UInt8 = 2
    static let control: UInt8 = 4
    static let stop: UInt8 = 0x80
    static let textBytes: [UInt8] = (0...255).map { value in
        let byte = UInt8(value)
        if byte == UInt8(ascii: "<") { return stop }
        if byte == UInt8(ascii: "&") { return notBlank | notPlain }
        if byte == 0x0D { return notPlain }
        if isASCIIWhitespace(byte) { return 0 }
        return byte < 0x20 ? notBlank | control : notBlank
    }

    static func appendReference(
        _ reference: Slice<UnsafeBufferPointer<UInt8>>,
        to out: inout [UInt8]
    ) throws(XMLParseError) {
        switch String(decoding: reference, as: UTF8.self) {
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "amp": out.append(UInt8(ascii: "&"))
        case "quot": out.append(UInt8(ascii: "\""))
        case "apos": out.append(UInt8(ascii: "'"))
        case let name where name.hasPrefix("#"):
            let hex = name.hasPrefix("#x")
            let digits = name.dropFirst(hex ? 2 : 1)
            guard !digits.isEmpty, digits.utf8.count <= 8,
                digits.allSatisfy({ hex ? $0.isHexDigit : ("0"..."9").contains($0) }),
                let value = UInt32(digits, radix: hex ? 16 : 10),
                isXMLCharacter(value), let scalar = Unicode.Scalar(value)
            else { throw XMLParseError(reason: "a character reference &\(name); to no character XML allows") }
            out.append(contentsOf: String(Character(scalar)).utf8)
        case let name:
            throw XMLParseError(reason: "an unknown entity &\(name.prefix(12));")
        }
    }

    static func isXMLCharacter(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    static func normalizedLineEnds(_ run: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        guard run.contains(0x0D) else { return String(decoding: run, as: UTF8.self) }
        var out: [UInt8] = []
        var i = run.startIndex
        while i < run.endIndex {
            if run[i] == 0x0D {
                out.append(0x0A)
                i += i + 1 < run.endIndex && run[i + 1] == 0x0A ? 2 : 1
            } else {
                out.append(run[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
