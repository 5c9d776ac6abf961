import COpenSSL

/// MD5 of a message body: SQS reports it and botocore checks it.
enum MD5 {
    static func hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 16
        bytes.withUnsafeBytes { buf in
            _ = EVP_Digest(buf.baseAddress, buf.count, &digest, &length, EVP_md5(), nil)
        }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
