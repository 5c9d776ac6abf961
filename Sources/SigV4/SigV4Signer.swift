#if canImport(Glibc)
import Glibc
#endif

/// Signs requests with AWS Signature Version 4, in a header (`Authorization`) or in the query
/// string (presigned URL). Stateless and `Sendable`; the day's signing key is cached.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
public struct SigV4Signer: Sendable {
    public let service: String
    public let region: String
    /// Every service but S3 normalises the path (removes `.`/`..` and duplicate slashes).
    public let normalizePath: Bool
    private let keys = SigningKeyCache()

    public static let algorithm = "AWS4-HMAC-SHA256"

    public init(service: String, region: String, normalizePath: Bool = true) {
        self.service = service
        self.region = region
        self.normalizePath = normalizePath
    }

    /// Header signing: adds `X-Amz-Date`, `Authorization`, and, where they apply,
    /// `X-Amz-Security-Token` and `X-Amz-Content-SHA256`.
    /// - Parameters:
    ///   - signBody: also send and sign `x-amz-content-sha256` (S3 style).
    ///   - omitSessionToken: add the token after signing, unsigned (the STS "header after" case).
    public func signHeaders(
        _ request: SignableRequest,
        credentials: SigningCredentials,
        date: AmzDate,
        signBody: Bool = false,
        omitSessionToken: Bool = false
    ) -> SigV4Signature {
        var headers = request.headers
        var added: [(name: String, value: String)] = [("X-Amz-Date", date.timestamp)]
        if signBody { added.append(("X-Amz-Content-SHA256", request.payloadHash)) }
        if let token = credentials.sessionToken, !omitSessionToken { added.append(("X-Amz-Security-Token", token)) }
        headers.append(contentsOf: added)

        let (canonicalHeaders, signedHeaders) = canonicalize(headers: headers)
        let canonicalRequest = buildCanonicalRequest(
            method: request.method,
            path: request.path,
            query: canonicalQuery(request.query),
            canonicalHeaders: canonicalHeaders,
            signedHeaders: signedHeaders,
            payloadHash: request.payloadHash
        )
        let (stringToSign, signature) = sign(canonicalRequest, secret: credentials.secretAccessKey, date: date)

        var authorization = [UInt8]()
        authorization.reserveCapacity(200)
        authorization.append(Self.algorithm)
        authorization.append(" Credential=")
        authorization.append(credentials.accessKeyID)
        authorization.append("/")
        appendScope(date: date, to: &authorization)
        authorization.append(", SignedHeaders=")
        authorization.append(signedHeaders)
        authorization.append(", Signature=")
        authorization.append(signature)
        added.append(("Authorization", String(decoding: authorization, as: UTF8.self)))
        if let token = credentials.sessionToken, omitSessionToken { added.append(("X-Amz-Security-Token", token)) }
        return SigV4Signature(
            canonicalRequestBytes: canonicalRequest,
            stringToSignBytes: stringToSign,
            signature: signature,
            headers: added,
            query: []
        )
    }

    /// Query signing (a presigned request valid for `expires` seconds): the `X-Amz-*` parameters
    /// go in the query string and only the request's own headers are signed.
    public func presign(
        _ request: SignableRequest,
        credentials: SigningCredentials,
        date: AmzDate,
        expires: Int,
        omitSessionToken: Bool = false
    ) -> SigV4Signature {
        let (canonicalHeaders, signedHeaders) = canonicalize(headers: request.headers)
        var scope = [UInt8]()
        appendScope(date: date, to: &scope)
        var auth: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", credentials.accessKeyID + "/" + String(decoding: scope, as: UTF8.self)),
            ("X-Amz-Date", date.timestamp),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken, !omitSessionToken { auth.append(("X-Amz-Security-Token", token)) }
        auth.append(("X-Amz-SignedHeaders", signedHeaders))

        let canonicalRequest = buildCanonicalRequest(
            method: request.method,
            path: request.path,
            query: canonicalQuery(request.query + auth),
            canonicalHeaders: canonicalHeaders,
            signedHeaders: signedHeaders,
            payloadHash: request.payloadHash
        )
        let (stringToSign, signature) = sign(canonicalRequest, secret: credentials.secretAccessKey, date: date)
        auth.append(("X-Amz-Signature", signature))
        return SigV4Signature(
            canonicalRequestBytes: canonicalRequest,
            stringToSignBytes: stringToSign,
            signature: signature,
            headers: [],
            query: auth
        )
    }

    // MARK: - Stages

    private func buildCanonicalRequest(
        method: String,
        path: String,
        query: [UInt8],
        canonicalHeaders: [UInt8],
        signedHeaders: String,
        payloadHash: String
    ) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256 + query.count + canonicalHeaders.count)
        out.append(method)
        out.append(0x0a)
        Canonical.appendEncoded(normalizePath ? Canonical.normalizedPath(path) : path, keepSlash: true, to: &out)
        out.append(0x0a)
        out.append(contentsOf: query)
        out.append(0x0a)
        out.append(contentsOf: canonicalHeaders)
        out.append(0x0a)
        out.append(signedHeaders)
        out.append(0x0a)
        out.append(payloadHash)
        return out
    }

    private func canonicalQuery(_ items: [(name: String, value: String)]) -> [UInt8] {
        if items.isEmpty { return [] }
        let encoded = items.map { (Canonical.encode($0.name), Canonical.encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        var out = [UInt8]()
        for (i, item) in encoded.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out.append(item.0)
            out.append(UInt8(ascii: "="))
            out.append(item.1)
        }
        return out
    }

    /// Lower-cased names, sorted; repeated headers joined with commas in the order given.
    private func canonicalize(headers: [(name: String, value: String)]) -> ([UInt8], String) {
        let names = headers.map {
            $0.name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? $0.name.lowercased() : $0.name
        }
        let order = names.indices.sorted { names[$0] == names[$1] ? $0 < $1 : names[$0] < names[$1] }
        var canonical = [UInt8]()
        canonical.reserveCapacity(256)
        var signed = [UInt8]()
        signed.reserveCapacity(64)
        var previous: String?
        for i in order {
            if names[i] == previous {
                canonical[canonical.count - 1] = UInt8(ascii: ",")
            } else {
                if previous != nil { signed.append(UInt8(ascii: ";")) }
                signed.append(names[i])
                canonical.append(names[i])
                canonical.append(UInt8(ascii: ":"))
            }
            Canonical.appendTrimmedValue(headers[i].value, to: &canonical)
            canonical.append(0x0a)
            previous = names[i]
        }
        return (canonical, String(decoding: signed, as: UTF8.self))
    }

    private func appendScope(date: AmzDate, to out: inout [UInt8]) {
        out.append(date.day)
        out.append("/")
        out.append(region)
        out.append("/")
        out.append(service)
        out.append("/aws4_request")
    }

    private func sign(_ canonicalRequest: [UInt8], secret: String, date: AmzDate) -> ([UInt8], String) {
        var stringToSign = [UInt8]()
        stringToSign.reserveCapacity(160)
        stringToSign.append(Self.algorithm)
        stringToSign.append(0x0a)
        stringToSign.append(date.timestamp)
        stringToSign.append(0x0a)
        appendScope(date: date, to: &stringToSign)
        stringToSign.append(0x0a)
        Crypto.appendHex(Crypto.sha256(canonicalRequest), to: &stringToSign)

        let key = keys.key(secret: secret, day: date.day, region: region, service: service)
        let signature = Crypto.hex(key.authenticate(stringToSign))
        return (stringToSign, signature)
    }
}
