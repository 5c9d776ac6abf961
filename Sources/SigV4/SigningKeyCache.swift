import Synchronization

/// The derived signing key changes once a day per secret, region and service: derive it once.
final class SigningKeyCache: Sendable {
    private struct Entry {
        var secret: String
        var day: String
        var key: SigningKey
    }
    private let entry = Mutex<Entry?>(nil)

    func key(secret: String, day: String, region: String, service: String) -> SigningKey {
        if let cached = entry.withLock({ $0 }), cached.day == day, cached.secret == secret {
            return cached.key
        }
        let derived = SigningKey(Self.derive(secret: secret, day: day, region: region, service: service))
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

/// The day's signing key with its HMAC pads worked out once.
struct SigningKey: Sendable {
    let innerPad: [UInt8]
    let outerPad: [UInt8]

    init(_ key: [UInt8]) {
        innerPad = key.map { $0 ^ 0x36 } + repeatElement(0x36, count: 64 - key.count)
        outerPad = key.map { $0 ^ 0x5c } + repeatElement(0x5c, count: 64 - key.count)
    }

    /// HMAC-SHA256 of `data` (RFC 2104).
    func authenticate(_ data: [UInt8]) -> [UInt8] {
        var inner = innerPad
        inner.append(contentsOf: data)
        var outer = outerPad
        outer.append(contentsOf: Crypto.sha256(inner))
        return Crypto.sha256(outer)
    }
}
