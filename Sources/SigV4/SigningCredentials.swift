/// The secret material SigV4 signs with. `description` never shows the secret or the token.
public struct SigningCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "SigningCredentials(accessKeyID: \(accessKeyID), secretAccessKey: "
            + "<redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }
}
