import Foundation

/// Durations as people write them in config and flags: `300s`, `30m`, `2h`, `7d`, or seconds.
public enum DurationText {
    /// The longest duration any flag or key could mean: about 317 years. Anything longer is a typo
    /// or an attack, and would trap in a later integer conversion.
    public static let longest: TimeInterval = 10_000_000_000

    /// Digits, an optional decimal part, then an optional unit: no sign, exponent, `inf` or `nan`.
    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last, trimmed.count <= 32 else { return nil }
        let factors: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let factor = factors[last]
        let number = factor == nil ? Substring(trimmed) : trimmed.dropLast()
        let pieces = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = pieces.first, !whole.isEmpty,
            pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let value = Double(number)
        else { return nil }
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
