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
        let date =
            (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
        return date.flatMap { plausible.contains($0.timeIntervalSince1970) ? $0 : nil }
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
