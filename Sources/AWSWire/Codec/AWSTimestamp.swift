import Foundation
import JSONCoding
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// AWS timestamps: ISO 8601 with or without fractional seconds in XML, epoch seconds in JSON
/// (and, from some emulators, ISO strings in JSON too: both are accepted).
enum AWSTimestamp {
    /// 1970-01-01 to 9999-12-31, in seconds since 1970: every time AWS could mean. Anything else is
    /// a broken or hostile answer, and would trap in a later integer conversion.
    static let plausible: ClosedRange<TimeInterval> = 0...253_402_300_799

    static func parse(_ text: String) -> Date? {
        let text = text.trimmingASCIIWhitespace
        guard text.count <= 40 else { return nil }
        return epoch(Double(text)) ?? iso8601(text)
    }

    /// Epoch seconds, only within `plausible`.
    static func epoch(_ seconds: Double?) -> Date? {
        guard let seconds, plausible.contains(seconds) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func iso8601(_ text: String) -> Date? {
        if let date = plainUTC(text) { return date }
        let date =
            (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
        return date.flatMap { plausible.contains($0.timeIntervalSince1970) ? $0 : nil }
    }

    /// `2026-12-05T00:33:44Z` or `2026-12-05T00:33:44.000Z` (what AWS writes), read by hand:
    /// Foundation's ISO 8601 parser cost 12,000 instructions a time. Anything else, or any field
    /// out of its everyday range, is nil here and left to Foundation (`AWSTimestampTests` holds
    /// the two to the same dates).
    static func plainUTC(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { b -> Date? in
            guard b.count == 20 || (b.count >= 22 && b.count <= 24 && b[19] == UInt8(ascii: ".")),
                b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
                b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[b.count - 1] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for i in from..<(from + count) {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                    value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                (1970...9999).contains(year), (1...12).contains(month), hour < 24, minute < 60, second < 60
            else { return nil }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard (1...days[month - 1]).contains(day) else { return nil }
            // A fraction of zeros only (EC2 writes `.000Z`): how Foundation rounds any other is its own.
            if b.count > 20 {
                guard number(20, b.count - 21) == 0 else { return nil }
            }
            // Days since 1970 by the civil-from-days inverse (Howard Hinnant's algorithm).
            let y = month <= 2 ? year - 1 : year
            let era = y / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let daysSince1970 = era * 146_097 + dayOfEra - 719_468
            let seconds = daysSince1970 * 86_400 + hour * 3600 + minute * 60 + second
            return Date(timeIntervalSinceReferenceDate: TimeInterval(seconds - 978_307_200))
        }
    }

    /// RFC 7231 `Date` header: `Sun, 06 Nov 1994 08:49:37 GMT`. Read by hand: a DateFormatter
    /// per answer would cost more than the rest of the answer's handling.
    static func parseHTTPDate(_ text: String) -> Date? {
        // Answers that arrive in the same second carry the same header: read it once.
        if let last = lastHTTPDate.withLock({ $0 }), last.text == text { return last.date }
        let date = readHTTPDate(text)
        if let date { lastHTTPDate.withLock { $0 = (text, date) } }
        return date
    }

    private static let lastHTTPDate = Mutex<(text: String, date: Date)?>(nil)

    private static func readHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard text.utf8.count <= 64, parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]),
            let year = Int(parts[3]), let month = months.firstIndex(of: String(parts[2])),
            (1...31).contains(day), (1970...9999).contains(year)
        else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard clock.count == 3, (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(clock[0])
        t.tm_min = Int32(clock[1])
        t.tm_sec = Int32(clock[2])
        return Date(timeIntervalSince1970: TimeInterval(timegm(&t)))
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A JSON answer's timestamps are epoch seconds, or text in one of `parse`'s forms.
    static let jsonDecoder = JSONValueDecoder(
        dates: .custom { value in
            switch value {
            case .number(let text): Double(text).flatMap(epoch)
            case .string(let text): parse(text)
            default: nil
            }
        }
    )

    static let jsonEncoder = JSONValueEncoder(dates: .secondsSince1970, format: [.sortedKeys])
}
