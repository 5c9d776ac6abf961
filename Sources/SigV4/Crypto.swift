import COpenSSL

/// SHA-256 and HMAC-SHA256 on OpenSSL. The digest is fetched from the provider once: OpenSSL 3's
/// one-shot `SHA256()`/`HMAC()` fetch it, under a lock, on every call.
enum Crypto {
    nonisolated(unsafe) private static let sha256MD: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil)!

    static func sha256(_ data: [UInt8]) -> [UInt8] { data.withUnsafeBytes { sha256($0) } }

    static func sha256(_ buf: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            var length: UInt32 = 32
            _ = EVP_Digest(buf.baseAddress, buf.count, out.baseAddress, &length, sha256MD, nil)
            count = 32
        }
    }

    /// RFC 2104 HMAC over SHA-256 (keys longer than a block are hashed first).
    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block.append(contentsOf: repeatElement(0, count: 64 - block.count))
        var inner = [UInt8]()
        inner.reserveCapacity(64 + data.count)
        for b in block { inner.append(b ^ 0x36) }
        inner.append(contentsOf: data)
        var outer = [UInt8]()
        outer.reserveCapacity(96)
        for b in block { outer.append(b ^ 0x5c) }
        outer.append(contentsOf: sha256(inner))
        return sha256(outer)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            hexDigits.withUnsafeBufferPointer { digits in
                for (i, b) in bytes.enumerated() {
                    out[2 * i] = digits[Int(b >> 4)]
                    out[2 * i + 1] = digits[Int(b & 0x0f)]
                }
            }
            return bytes.count * 2
        }
    }

    static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: hex(bytes).utf8)
    }
}

/// Hex SHA-256 of a body, the payload hash SigV4 signs.
public func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String { Crypto.hex(Crypto.sha256(bytes)) }
public func sha256Hex(_ bytes: [UInt8]) -> String { Crypto.hex(Crypto.sha256(bytes)) }

/// The payload hash of an empty body.
public let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
