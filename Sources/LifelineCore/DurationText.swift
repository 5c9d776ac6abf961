import Foundation

/// Durations as people write them in config and flags: `300s`, `30m`, `2h`, `7d`, or seconds.
public enum DurationText {
    /// The longest duration any flag or key could mean: about 317 years. Anything longer is a typo
    /// or an attack, and would trap in a later integer conversion.
    public static let longest: TimeInterval = 10_000_000_000

    /// Digits, an optional decimal part, then an optional unit: no sign, exponent, `inf` or `nan`.
    public static func seconds(_ text: String) -> TimeInterval? {
        // Bytes, not Characters: a config of 1,000 groups reads a few thousand of these.
        var utf8 = Substring(text).utf8[...]
        while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 { utf8 = utf8.dropLast() }
        guard let last = utf8.last, utf8.count <= 32 else { return nil }
        let factor: Double? =
            switch last | 0x20 {
            case UInt8(ascii: "s"): 1
            case UInt8(ascii: "m"): 60
            case UInt8(ascii: "h"): 3600
            case UInt8(ascii: "d"): 86_400
            default: nil
            }
        let number = factor == nil ? utf8 : utf8.dropLast()
        // Digits, then at most one '.' with digits on both sides.
        var digits = 0
        var dots = 0
        for byte in number {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots == 0 else { return nil }
                dots += 1
                digits = 0
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                digits += 1
            }
        }
        guard digits > 0, let value = Double(Substring(number)) else { return nil }
        let seconds = value * (factor ?? 1)
        return seconds.isFinite && seconds <= longest ? seconds : nil
    }

    /// The shortest exact spelling: `1800` → `30m`, `90` → `90s`.
    public static func text(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) <= longest, let whole = Int(exactly: seconds.rounded()),
            Double(whole) == seconds, whole > 0
        else { return "\(seconds)s" }
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where whole % size == 0 {
            return "\(whole / size)\(unit)"
        }
        return "\(whole)s"
    }
}
