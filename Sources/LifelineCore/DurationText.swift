import Foundation

/// Durations as people write them in config and flags: `300s`, `30m`, `2h`, `7d`, or seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last else { return nil }
        let factor: Double
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default: return Double(trimmed).flatMap { $0 >= 0 ? $0 : nil }
        }
        guard let value = Double(trimmed.dropLast()), value >= 0 else { return nil }
        return value * factor
    }

    /// The shortest exact spelling: `1800` → `30m`, `90` → `90s`.
    public static func text(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds)
        guard Double(whole) == seconds, whole > 0 else { return "\(seconds)s" }
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where whole % size == 0 {
            return "\(whole / size)\(unit)"
        }
        return "\(whole)s"
    }
}
