import COpenSSL
import Foundation
import SigV4

/// An IAM Identity Center (SSO) profile: `sso_session` (with its `[sso-session NAME]` section) or
/// the legacy `sso_start_url` and `sso_region` in the profile, plus `sso_account_id` and
/// `sso_role_name`. Reads the token `aws sso login` cached and calls the portal's
/// `GetRoleCredentials`; lifeline never logs in itself.
struct SSOCredentials: CredentialProvider {
    let profile: String
    let accountID: String?
    let roleName: String?
    let startURL: String?
    let region: String?
    /// The token cache's key: the session's name, or the legacy profile's start URL.
    let cacheKey: String
    let home: String
    let environment: [String: String]
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    /// Nil when the profile does not use SSO.
    init?(
        files: SharedConfigFiles,
        environment: [String: String],
        transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date
    ) {
        profile = files.profileName
        accountID = files["sso_account_id"]
        roleName = files["sso_role_name"]
        if let session = files["sso_session"] {
            let section = files.ssoSession(session) ?? [:]
            startURL = section["sso_start_url"]
            region = section["sso_region"]
            cacheKey = session
        } else if let url = files["sso_start_url"] {
            startURL = url
            region = files["sso_region"]
            cacheKey = url
        } else {
            return nil
        }
        home = environment["HOME"] ?? NSHomeDirectory()
        self.environment = environment
        self.transport = transport
        self.now = now
    }

    var login: String { "run aws sso login --profile \(profile)" }

    func credentials() async throws -> AWSCredentials? {
        guard let accountID, !accountID.isEmpty, let roleName, !roleName.isEmpty else {
            throw failure("has no sso_account_id or sso_role_name: add both")
        }
        guard let startURL, !startURL.isEmpty, let region, RegionResolver.isRegion(region) else {
            throw failure("has no sso_start_url or sso_region (in its [sso-session] section): add both")
        }
        let token = try cachedToken()
        var portal = try portalEndpoint(region: region)
        portal.append(path: "federation/credentials")
        portal.append(queryItems: [
            URLQueryItem(name: "account_id", value: accountID), .init(name: "role_name", value: roleName),
        ])
        let response: HTTPResponse
        do {
            response = try await transport.send(
                HTTPRequest(
                    method: "GET",
                    url: portal,
                    headers: [("x-amz-sso_bearer_token", token)],
                    timeout: .seconds(10)
                )
            )
        } catch let error as TransportError {
            throw failure("cannot reach the SSO portal: \(error)")
        }
        if [401, 403].contains(response.status) {
            throw failure("the SSO portal refused the cached token (HTTP \(response.status)): \(login)")
        }
        guard (200..<300).contains(response.status) else {
            throw failure("the SSO portal answered HTTP \(response.status) to GetRoleCredentials")
        }
        struct Answer: Decodable {
            struct Role: Decodable {
                var accessKeyId: String
                var secretAccessKey: String
                var sessionToken: String?
                var expiration: Double
            }
            var roleCredentials: Role
        }
        guard let role = try? JSONDecoder().decode(Answer.self, from: response.body).roleCredentials,
            let expiration = AWSTimestamp.epoch(role.expiration / 1000)
        else {
            throw failure("the SSO portal's GetRoleCredentials answer is unreadable")
        }
        SecretScrubber.register(role.secretAccessKey)
        SecretScrubber.register(role.sessionToken)
        return AWSCredentials(
            signing: SigningCredentials(
                accessKeyID: role.accessKeyId,
                secretAccessKey: role.secretAccessKey,
                sessionToken: role.sessionToken
            ),
            expiration: expiration,
            source: "profile \(profile) (SSO \(roleName) in \(accountID))"
        )
    }

    /// `~/.aws/sso/cache/<sha1 of the key>.json`, as `aws sso login` writes it.
    var cachePath: String { home + "/.aws/sso/cache/" + Self.sha1Hex(cacheKey) + ".json" }

    private func cachedToken() throws -> String {
        struct Cache: Decodable {
            var accessToken: String?
            var expiresAt: String?
        }
        guard let data = FileManager.default.contents(atPath: cachePath) else {
            throw failure("has no cached SSO token (\(cachePath)): \(login)")
        }
        guard let cache = try? JSONDecoder().decode(Cache.self, from: data), let token = cache.accessToken,
            !token.isEmpty, let text = cache.expiresAt,
            let expires = AWSTimestamp.parse(text.hasSuffix("UTC") ? text.dropLast(3) + "Z" : text)
        else {
            throw failure("has an unreadable SSO token cache (\(cachePath)): \(login)")
        }
        SecretScrubber.register(token)
        guard expires > now() else { throw failure("has an SSO token that expired at \(text): \(login)") }
        return token
    }

    /// `AWS_ENDPOINT_URL_SSO`, then `AWS_ENDPOINT_URL`, else the region's portal.
    private func portalEndpoint(region: String) throws -> URL {
        let resolver = EndpointResolver(region: region, environment: environment)
        return try resolver.endpoint(for: .ssoPortal)
    }

    private func failure(_ what: String) -> AWSError { credentialsError("sso", "profile \(profile) \(what)") }

    static func sha1Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 20
        let bytes = Array(text.utf8)
        _ = EVP_Digest(bytes, bytes.count, &digest, &length, EVP_sha1(), nil)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
