import Synchronization

/// The derived signing key changes once a day per secret, region and service: derive it once.
final class SigningKeyCache: Sendable {
    private struct Entry {
        var secret: String
        var day: String
        var key: [UInt8]
    }
    private let entry = Mutex<Entry?>(nil)

    func key(secret: String, day: String, region: String, service: String) -> [UInt8] {
        if let cached = entry.withLock({ $0 }), cached.day == day, cached.secret == secret {
            return cached.key
        }
        let derived = Self.derive(secret: secret, day: day, region: region, service: service)
        entry.withLock { $0 = Entry(secret: secret, day: day, key: derived) }
        return derived
    }

    static func derive(secret: String, day: String, region: String, service: String) -> [UInt8] {
        let kDate = Crypto.hmacSHA256(key: Array(("AWS4" + secret).utf8), data: Array(day.utf8))
        let kRegion = Crypto.hmacSHA256(key: kDate, data: Array(region.utf8))
        let kService = Crypto.hmacSHA256(key: kRegion, data: Array(service.utf8))
        return Crypto.hmacSHA256(key: kService, data: Array("aws4_request".utf8))
    }
}
