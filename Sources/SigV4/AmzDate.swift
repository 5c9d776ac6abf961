#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `YYYYMMDD'T'HHMMSS'Z'` timestamp SigV4 signs, formatted without Foundation's formatters
/// (they cost more than the rest of a signature).
public struct AmzDate: Sendable, Equatable {
    /// `20150830T123600Z`
    public let timestamp: String
    /// `20150830`
    public let day: String

    public init(secondsSince1970 seconds: Int) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = [UInt8]()
        out.reserveCapacity(16)
        func put(_ v: Int32, _ width: Int) {
            var place = 1
            for _ in 1..<width { place *= 10 }
            while place > 0 {
                out.append(UInt8(48 + Int(v) / place % 10))
                place /= 10
            }
        }
        put(parts.tm_year + 1900, 4)
        put(parts.tm_mon + 1, 2)
        put(parts.tm_mday, 2)
        out.append(UInt8(ascii: "T"))
        put(parts.tm_hour, 2)
        put(parts.tm_min, 2)
        put(parts.tm_sec, 2)
        out.append(UInt8(ascii: "Z"))
        timestamp = String(decoding: out, as: UTF8.self)
        day = String(decoding: out[..<8], as: UTF8.self)
    }
}
