import Foundation
import Testing

@testable import AWSWire

/// The timestamps AWS writes, read by hand (`AWSTimestamp.plainUTC`), against Foundation's ISO 8601
/// parser (what read them before, and still reads every other form): the same instant, exactly.
@Suite("AWS timestamps read by hand read as Foundation read them")
struct AWSTimestampTests {
    static func foundation(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }

    @Test("every third day from 1970 to 2100 at a random time, with a fraction of zeros or none")
    func sameInstants() throws {
        var generator = SystemRandomNumberGenerator()
        var day = Date(timeIntervalSince1970: 0)
        var compared = 0
        while day.timeIntervalSince1970 < 4_102_444_800 {  // 2100-01-01
            let instant = day.addingTimeInterval(TimeInterval(Int.random(in: 0..<86_400, using: &generator)))
            var text = instant.formatted(.iso8601)  // 2026-12-05T00:33:44Z
            for digits in [0, 1, 3] {
                if digits > 0 { text = String(text.prefix(19)) + "." + String(repeating: "0", count: digits) + "Z" }
                let byHand = try #require(AWSTimestamp.plainUTC(text), "\(text) is read by hand")
                let reference = try #require(Self.foundation(text), "\(text) is read by Foundation")
                #expect(byHand == reference, "\(text)")
                // Any other fraction is Foundation's to round.
                let fractional = String(text.prefix(19)) + ".\(Int.random(in: 1...999, using: &generator))Z"
                #expect(AWSTimestamp.plainUTC(fractional) == nil)
                #expect(AWSTimestamp.parse(fractional) == Self.foundation(fractional), "\(fractional)")
                compared += 1
            }
            day = day.addingTimeInterval(86_400 * 3)
        }
        #expect(compared > 45_000)
    }

    @Test(
        "what is not the plain form, or has a field out of range, is left to Foundation, which decides",
        arguments: [
            "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2100-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-05T24:00:00Z", "2026-12-05T23:60:00Z",
            "2026-12-05T23:59:60Z", "2026-12-05T00:33:44+00:00", "2026-12-05T00:33:44.1234Z", "2026-12-05 00:33:44Z",
            "1969-12-31T23:59:59Z", "2026-12-05T00:33:44.Z", "2026-12-05T0a:33:44Z", "+026-12-05T00:33:44Z",
        ]
    )
    func edges(_ text: String) {
        let final = AWSTimestamp.parse(text)
        let reference = Self.foundation(text).flatMap {
            AWSTimestamp.plausible.contains($0.timeIntervalSince1970) ? $0 : nil
        }
        #expect(final == reference, "\(text)")
        if let byHand = AWSTimestamp.plainUTC(text) {
            #expect(byHand == reference, "\(text) by hand")
        }
    }
}
