import Foundation
import Testing

@testable import AWSWire

/// Assume-role and SSO profiles whose configuration cannot work: each is one line naming the
/// profile and what to change, and nothing is sent. (The working kinds run against the
/// simulator's STS and SSO portal in tests/sim/test_profiles.py.)
@Suite("assume-role and SSO profiles: what cannot work says why")
struct RoleProfileTests {
    typealias AWSHome = CredentialTests.AWSHome
    typealias NoNetwork = ProfileCredentialTests.NoNetwork

    func failure(
        _ config: String,
        profile: String,
        home setup: (AWSHome) throws -> Void = { _ in }
    ) async throws
        -> String
    {
        let home = try AWSHome(config: config)
        defer { home.remove() }
        try setup(home)
        let endpoints = EndpointResolver(region: "us-east-1", environment: [:])
        let chain = CredentialChain.default(
            environment: ["HOME": home.path],
            profile: profile,
            endpoints: endpoints,
            transport: NoNetwork(),
            sts: { source in
                STSClient(
                    client: try AWSClient(
                        region: "us-east-1",
                        endpoints: endpoints,
                        transport: NoNetwork(),
                        credentials: source
                    )
                )
            }
        )
        let error = await #expect(throws: AWSError.self) { _ = try await chain.credentials() }
        return error?.message ?? ""
    }

    static let keys = "aws_access_key_id = AKID\naws_secret_access_key = secret\n"

    @Test(
        "a role profile that cannot be resolved names the profile and the fix",
        arguments: [
            ("[profile r]\nrole_arn = arn:aws:iam::1:role/r\n", "profile r has role_arn but neither source_profile"),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\ncredential_source = Environment\n",
                "profile r has both source_profile and credential_source"
            ),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n",
                "profile r: credential_source 'Laptop' is not Environment"
            ),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n",
                "profile r: credential_source Environment has no credentials here"
            ),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = gone\n",
                "profile r names source_profile gone, which is in neither"
            ),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\n"
                    + "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = r\n",
                "source_profile chain loops or is too long: r → a → r; end it at"
            ),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = r\n",
                "profile r is its own source_profile but has no keys"
            ),
            (
                "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\nduration_seconds = 60\n[profile a]\n"
                    + keys,
                "profile r: duration_seconds '60' is not 900 to 43200 seconds"
            ),
        ]
    )
    func roleMisconfigured(_ config: String, _ expected: String) async throws {
        let message = try await failure(config, profile: "r")
        #expect(message.hasPrefix(expected), "\(message)")
    }

    static let sso = """
        [profile s]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Ops
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1

        """

    func cache(_ home: AWSHome, key: String, _ body: String) throws {
        let folder = home.path + "/.aws/sso/cache"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try body.write(toFile: folder + "/\(SSOCredentials.sha1Hex(key)).json", atomically: true, encoding: .utf8)
    }

    @Test("the token cache is named as the AWS CLI names it: the SHA-1 of the session name or the start URL")
    func cacheName() {
        // python3 -c 'import hashlib; print(hashlib.sha1(b"corp").hexdigest())'
        #expect(SSOCredentials.sha1Hex("corp") == "ee0bfd2552fbd840c02cc48b6e823320543c450f")
    }

    @Test("an SSO profile with no login, or an expired one, says to run aws sso login")
    func ssoNeedsLogin() async throws {
        let none = try await failure(Self.sso, profile: "s")
        #expect(none.hasPrefix("profile s has no cached SSO token") && none.hasSuffix("run aws sso login --profile s"))
        // The legacy CLI wrote `UTC` where ISO 8601 has `Z`.
        let expired = try await failure(Self.sso, profile: "s") { home in
            try cache(home, key: "corp", #"{"accessToken": "t", "expiresAt": "2020-01-01T00:00:00UTC"}"#)
        }
        #expect(
            expired
                == "profile s has an SSO token that expired at 2020-01-01T00:00:00UTC: run aws sso login --profile s"
        )
        let garbled = try await failure(Self.sso, profile: "s") { home in try cache(home, key: "corp", "{not json") }
        #expect(garbled.hasPrefix("profile s has an unreadable SSO token cache"))
    }

    @Test("an SSO profile without its account, role or session section says which keys to add")
    func ssoIncomplete() async throws {
        let noRole = try await failure("[profile s]\nsso_session = corp\nsso_account_id = 1\n", profile: "s")
        #expect(noRole == "profile s has no sso_account_id or sso_role_name: add both")
        let noSession = try await failure(
            "[profile s]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Ops\n",
            profile: "s"
        )
        #expect(noSession == "profile s has no sso_start_url or sso_region (in its [sso-session] section): add both")
    }
}
