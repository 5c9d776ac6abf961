/// The encoding and normalisation rules of the SigV4 canonical request.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
enum Canonical {
    private static let unreserved: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(c)] = true }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(c)] = true }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(c)] = true }
        for c in "-._~".utf8 { table[Int(c)] = true }
        return table
    }()
    private static let upperHex = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when asked).
    static func appendEncoded(_ s: String, keepSlash: Bool, to out: inout [UInt8]) {
        for b in s.utf8 {
            if unreserved[Int(b)] || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0x0f)])
            }
        }
    }

    static func encode(_ s: String, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        appendEncoded(s, keepSlash: keepSlash, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes `.` and `..` segments and empty segments, keeping a trailing slash (RFC 3986 §5.2.4,
    /// as every AWS service but S3 expects).
    static func normalizedPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailing = path.count > 1 && (path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/.."))
        var result = "/" + segments.joined(separator: "/")
        if trailing && !segments.isEmpty { result += "/" }
        return result
    }

    /// Trims a header value and folds every run of whitespace (line folds included) to one space.
    static func appendTrimmedValue(_ value: String, to out: inout [UInt8]) {
        if isAlreadyTrimmed(value) {
            out.append(value)
            return
        }
        var pendingSpace = false
        var started = false
        for b in value.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d {
                pendingSpace = started
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                started = true
                out.append(b)
            }
        }
    }
}

/// True when the value has no leading, trailing, doubled or non-space whitespace: the usual case.
private func isAlreadyTrimmed(_ value: String) -> Bool {
    var value = value
    return value.withUTF8 { bytes in
        var previousSpace = true
        for b in bytes {
            if b == 0x09 || b == 0x0a || b == 0x0d { return false }
            if b == 0x20 {
                if previousSpace { return false }
                previousSpace = true
            } else {
                previousSpace = false
            }
        }
        return !previousSpace || bytes.isEmpty
    }
}

extension Array where Element == UInt8 {
    @inline(__always) mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }
    @inline(__always) mutating func append<S: StringProtocol>(_ s: S) { append(contentsOf: s.utf8) }
}
