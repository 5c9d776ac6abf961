/// What SigV4 needs of an HTTP request. The path is given decoded (as it appears before
/// percent-encoding); query names and values are decoded too: the signer encodes them itself.
public struct SignableRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body (`sha256Hex(body)`), `emptyPayloadHash` for none.
    public var payloadHash: String

    public init(
        method: String,
        path: String = "/",
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)],
        payloadHash: String = emptyPayloadHash
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// The result of signing: the three stages AWS documents, and what to add to the request.
public struct SigV4Signature: Sendable {
    /// Kept as bytes: most callers only send the request and never read the stages.
    let canonicalRequestBytes: [UInt8]
    let stringToSignBytes: [UInt8]
    public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
    public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
    public var signature: String
    /// Headers to add (header signing: `X-Amz-Date`, `Authorization`, perhaps the token and
    /// content hash), or nothing for query signing.
    public var headers: [(name: String, value: String)]
    /// Query parameters to add (query signing), already in their canonical order, not encoded.
    public var query: [(name: String, value: String)]
}
