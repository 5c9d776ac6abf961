/// The secret material SigV4 signs with. `description` never shows the secret or the token.
public struct SigningCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    /// An empty session token is none: signed as an empty header, it would not match what is sent
    /// (an HTTP client drops a header without a value), and every call would fail its signature.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken?.isEmpty == true ? nil : sessionToken
    }

    public var description: String {
        "SigningCredentials(accessKeyID: \(accessKeyID), secretAccessKey: "
            + "<redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }
}
