import COpenSSL

/// SHA-256 and HMAC-SHA256 through OpenSSL's one-shot calls (the `*_Init` family is deprecated in 3.0).
enum Crypto {
    static func sha256(_ data: [UInt8]) -> [UInt8] { data.withUnsafeBytes { sha256($0) } }

    static func sha256(_ buf: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { o in
            _ = SHA256(buf.baseAddress?.assumingMemoryBound(to: UInt8.self), buf.count, o.baseAddress)
        }
        return out
    }

    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBufferPointer { o in
                    _ = HMAC(
                        EVP_sha256(), k.baseAddress, Int32(k.count),
                        d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count, o.baseAddress, &length)
                }
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        appendHex(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0f)])
        }
    }
}

/// Hex SHA-256 of a body, the payload hash SigV4 signs.
public func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String { Crypto.hex(Crypto.sha256(bytes)) }
public func sha256Hex(_ bytes: [UInt8]) -> String { Crypto.hex(Crypto.sha256(bytes)) }

/// The payload hash of an empty body.
public let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
