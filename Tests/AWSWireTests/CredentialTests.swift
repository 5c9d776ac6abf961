import Foundation
import Synchronization
import Testing

@testable import AWSWire

@Suite("credential chain, region and endpoints")
struct CredentialTests {
    /// A scratch HOME with ~/.aws files.
    struct AWSHome {
        let path: String

        init(credentials: String? = nil, config: String? = nil) throws {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-home-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
            if let credentials {
                try credentials.write(toFile: path + "/.aws/credentials", atomically: true, encoding: .utf8)
            }
            if let config { try config.write(toFile: path + "/.aws/config", atomically: true, encoding: .utf8) }
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static let noNetwork: [String: String] = ["AWS_EC2_METADATA_DISABLED": "true"]
    let transport = CurlTransport(proxy: ProxySettings())

    func chain(_ env: [String: String], profile: String? = nil) -> CredentialChain {
        CredentialChain.default(
            environment: env,
            profile: profile,
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: transport
        )
    }

    @Test("environment keys come first")
    func environment() async throws {
        let home = try AWSHome(credentials: "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n")
        defer { home.remove() }
        let env = Self.noNetwork.merging([
            "HOME": home.path, "AWS_ACCESS_KEY_ID": "FROMENV", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "tok",
        ]) { $1 }
        let found = try #require(try await chain(env).credentials())
        #expect(found.signing.accessKeyID == "FROMENV")
        #expect(found.signing.sessionToken == "tok")
        #expect(found.source == "environment")
    }

    @Test("a key id without its secret is a clear error")
    func halfEnvironment() async throws {
        let error = await #expect(throws: AWSError.self) {
            _ = try await EnvironmentCredentials(environment: ["AWS_ACCESS_KEY_ID": "A"]).credentials()
        }
        #expect(error?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
    }

    @Test("AWS_PROFILE selects a section of the credentials file, then of the config file")
    func profiles() async throws {
        let home = try AWSHome(
            credentials:
                "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = s\n\n# "
                + "comment\n[shop]\naws_access_key_id = SHOPKEY\naws_secret_access_key = s2\n",
            config:
                "[default]\nregion = eu-west-1\n[profile shop]\nregion = ap-northeast-1\n[profile "
                + "cfgonly]\naws_access_key_id = CFGKEY\naws_secret_access_key = s3\nregion = cn-north-1\n"
        )
        defer { home.remove() }
        let base = Self.noNetwork.merging(["HOME": home.path]) { $1 }
        #expect(try await chain(base).credentials()?.signing.accessKeyID == "DEFAULTKEY")
        #expect(
            try await chain(base.merging(["AWS_PROFILE": "shop"]) { $1 }).credentials()?.signing.accessKeyID
                == "SHOPKEY"
        )
        #expect(
            try await chain(base.merging(["AWS_PROFILE": "cfgonly"]) { $1 }).credentials()?.signing.accessKeyID
                == "CFGKEY"
        )
        #expect(SharedConfigFiles(environment: base.merging(["AWS_PROFILE": "shop"]) { $1 }).region == "ap-northeast-1")
        #expect(SharedConfigFiles(environment: base).region == "eu-west-1")
        // --profile beats keys in the environment, as in the CLI.
        let withEnvKeys = base.merging(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "x"]) { $1 }
        #expect(try await chain(withEnvKeys, profile: "shop").credentials()?.signing.accessKeyID == "SHOPKEY")
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files")
    func movedFiles() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        let credentials = home.path + "/elsewhere-credentials"
        let config = home.path + "/elsewhere-config"
        try "[ops]\naws_access_key_id = MOVED\naws_secret_access_key = s\n".write(
            toFile: credentials,
            atomically: true,
            encoding: .utf8
        )
        try "[profile ops]\nregion = us-west-2\n".write(toFile: config, atomically: true, encoding: .utf8)
        let env = Self.noNetwork.merging([
            "HOME": home.path, "AWS_PROFILE": "ops", "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_CONFIG_FILE": config,
        ]) { $1 }
        #expect(try await chain(env).credentials()?.signing.accessKeyID == "MOVED")
        #expect(SharedConfigFiles(environment: env).region == "us-west-2")
    }

    @Test("web identity: the token file is exchanged at STS AssumeRoleWithWebIdentity")
    func webIdentity() async throws {
        let sts = try LoopbackServer(routes: [
            .init(
                method: "POST",
                path: "/",
                responses: [
                    .init(
                        body: """
                            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                              <AssumeRoleWithWebIdentityResult>
                                <Credentials>
                                  <SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken>
                                  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                                  <Expiration>2099-01-01T00:00:00Z</Expiration>
                                  <AccessKeyId>ASIAWEBIDENTITY</AccessKeyId>
                                </Credentials>
                              </AssumeRoleWithWebIdentityResult>
                              <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
                            </AssumeRoleWithWebIdentityResponse>
                            """
                    )
                ]
            )
        ])
        defer { sts.stop() }
        let home = try AWSHome(credentials: "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n")
        defer { home.remove() }
        let tokenFile = home.path + "/token"
        try "eyJhbGciOiJSUzI1NiJ9.jwt-example\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let env = Self.noNetwork.merging([
            "HOME": home.path, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/lifeline",
            "AWS_ROLE_SESSION_NAME": "lifeline-test",
        ]) { $1 }
        let provider = CredentialChain.default(
            environment: env,
            profile: nil,
            endpoints: EndpointResolver(
                region: "us-east-1",
                environment: ["AWS_ENDPOINT_URL_STS": sts.url.absoluteString]
            ),
            transport: transport
        )
        let found = try #require(try await provider.credentials())
        #expect(found.signing.accessKeyID == "ASIAWEBIDENTITY")
        #expect(found.signing.sessionToken == "IQoJb3JpZ2luX2VjEXAMPLE")
        #expect(found.expiration == Date(timeIntervalSince1970: 4_070_908_800))
        let request = try #require(try sts.requests().first)
        #expect(request.body.contains("Action=AssumeRoleWithWebIdentity"))
        #expect(
            request.body.contains("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.jwt-example&")
                || request.body.hasSuffix("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.jwt-example")
        )
        #expect(request.body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Flifeline"))
        #expect(request.headers["authorization"] == nil, "AssumeRoleWithWebIdentity is not signed")
    }

    @Test("container credentials: relative URI and full URI with an authorization token file")
    func container() async throws {
        let body =
            #"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"secret","Token":"ecs-token","Expiration":"2099-01-01T00:00:00Z"}"#
        let server = try LoopbackServer(routes: [
            .init(method: "GET", path: "/v2/credentials/abc", responses: [.init(body: body)])
        ])
        defer { server.stop() }
        let relative = ContainerCredentials(
            environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"],
            transport: transport,
            relativeBase: server.url.absoluteString
        )
        #expect(try await relative.credentials()?.signing.accessKeyID == "ASIACONTAINER")

        let home = try AWSHome()
        defer { home.remove() }
        try "pod-identity-token\n".write(toFile: home.path + "/auth", atomically: true, encoding: .utf8)
        let full = ContainerCredentials(
            environment: [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/v2/credentials/abc").absoluteString,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home.path + "/auth",
            ],
            transport: transport
        )
        let found = try #require(try await full.credentials())
        #expect(found.signing.sessionToken == "ecs-token")
        #expect(try server.requests().last?.headers["authorization"] == "pod-identity-token")
    }

    @Test("IMDSv2: token, role name, then the role's credentials, each with the session token")
    func instanceMetadata() async throws {
        let imds = try LoopbackServer(routes: [
            .init(method: "PUT", path: "/latest/api/token", responses: [.init(body: "AQAEAImdsToken==")]),
            .init(
                method: "GET",
                path: "/latest/meta-data/iam/security-credentials/",
                responses: [.init(body: "lifeline-role")]
            ),
            .init(
                method: "GET",
                path: "/latest/meta-data/iam/security-credentials/lifeline-role",
                responses: [
                    .init(
                        body: """
                            {"Code":"Success","LastUpdated":"2026-11-21T19:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-token","Expiration":"2099-01-01T00:00:00Z"}
                            """
                    )
                ]
            ),
        ])
        defer { imds.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let found = try #require(
            try await chain(["HOME": home.path, "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url.absoluteString])
                .credentials()
        )
        #expect(found.signing.accessKeyID == "ASIAIMDS")
        #expect(found.source == "instance metadata (role lifeline-role)")
        let requests = try imds.requests()
        #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
        #expect(requests[0].headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")
        #expect(requests[1].headers["x-aws-ec2-metadata-token"] == "AQAEAImdsToken==")
        #expect(requests[2].headers["x-aws-ec2-metadata-token"] == "AQAEAImdsToken==")
    }

    @Test("with nothing configured and no metadata service, the error says what to set")
    func nothing() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        let refreshing = RefreshingCredentials(chain(Self.noNetwork.merging(["HOME": home.path]) { $1 }))
        let error = await #expect(throws: AWSError.self) { _ = try await refreshing.credentials() }
        #expect(error?.kind == .credentials)
        #expect(error?.message.contains("AWS_ACCESS_KEY_ID") == true)
    }

    /// Hands out credentials expiring at a set time and counts the calls.
    final class Expiring: CredentialProvider {
        let calls = Mutex(0)
        let expiry: Date
        init(expiry: Date) { self.expiry = expiry }
        func credentials() async throws -> AWSCredentials? {
            let n = calls.withLock {
                $0 += 1
                return $0
            }
            return AWSCredentials(
                signing: .init(accessKeyID: "TEMP\(n)", secretAccessKey: "s", sessionToken: "t"),
                expiration: expiry,
                source: "test"
            )
        }
    }

    @Test("temporary credentials are refreshed before they expire, not on every call")
    func refresh() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = Mutex(start)
        let provider = Expiring(expiry: start.addingTimeInterval(3600))
        let refreshing = RefreshingCredentials(provider, now: { clock.withLock { $0 } })
        #expect(refreshing.fresh() == nil)  // nothing cached yet
        #expect(try await refreshing.credentials().signing.accessKeyID == "TEMP1")
        clock.withLock { $0 = start.addingTimeInterval(2000) }
        #expect(try await refreshing.credentials().signing.accessKeyID == "TEMP1")
        // A call's fast path (`fresh`, without the actor) offers them only while no refresh is due.
        #expect(refreshing.fresh()?.signing.accessKeyID == "TEMP1")
        clock.withLock { $0 = start.addingTimeInterval(3600 - 300) }  // 5 minutes before expiry
        #expect(refreshing.fresh() == nil)
        #expect(try await refreshing.credentials().signing.accessKeyID == "TEMP2")
        #expect(provider.calls.withLock { $0 } == 2)
    }

    @Test("region: flag, AWS_REGION, AWS_DEFAULT_REGION, profile, in that order")
    func region() throws {
        let (x, y, z) = ("us-west-2", "ap-southeast-1", "us-gov-west-1")
        #expect(
            try RegionResolver.resolve(flag: "eu-north-1", environment: ["AWS_REGION": x], profileRegion: y)
                == "eu-north-1"
        )
        #expect(
            try RegionResolver.resolve(
                flag: nil,
                environment: ["AWS_REGION": x, "AWS_DEFAULT_REGION": z],
                profileRegion: y
            )
                == x
        )
        #expect(try RegionResolver.resolve(flag: nil, environment: ["AWS_DEFAULT_REGION": z], profileRegion: y) == z)
        #expect(try RegionResolver.resolve(flag: nil, environment: [:], profileRegion: y) == y)
        #expect(throws: AWSError.self) { try RegionResolver.resolve(flag: nil, environment: [:], profileRegion: nil) }
    }

    @Test("a region that is not one is refused: it would become part of every endpoint's host name")
    func badRegion() {
        for bad in ["x", "evil.example.com/x", "us-east-1.attacker.net", "US-EAST-1", "us-east-", "-east-1"] {
            #expect(!RegionResolver.isRegion(bad), "\(bad)")
            #expect(throws: AWSError.self) {
                try RegionResolver.resolve(flag: bad, environment: [:], profileRegion: nil)
            }
        }
        for good in ["us-east-1", "cn-north-1", "us-gov-west-1", "ap-southeast-4", "eu-central-2"] {
            #expect(RegionResolver.isRegion(good), "\(good)")
        }
    }

    @Test("endpoints: partitions, then AWS_ENDPOINT_URL, the per-service variable, and --endpoint-url")
    func endpoints() throws {
        #expect(
            try EndpointResolver(region: "us-east-1", environment: [:]).endpoint(for: .autoScaling).absoluteString
                == "https://autoscaling.us-east-1.amazonaws.com"
        )
        #expect(
            try EndpointResolver(region: "cn-north-1", environment: [:]).endpoint(for: .codeDeploy).absoluteString
                == "https://codedeploy.cn-north-1.amazonaws.com.cn"
        )
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324"]
        let resolver = EndpointResolver(region: "us-east-1", environment: env)
        #expect(try resolver.endpoint(for: .sqs).absoluteString == "http://127.0.0.1:9324")
        #expect(try resolver.endpoint(for: .ec2).absoluteString == "http://127.0.0.1:4566")
        let flagged = EndpointResolver(region: "us-east-1", endpointURL: "http://localhost:1234", environment: env)
        #expect(try flagged.endpoint(for: .sqs).absoluteString == "http://localhost:1234")
    }

    @Test("plain HTTP endpoints off loopback are refused unless --allow-insecure-endpoint")
    func insecureEndpoints() throws {
        let env = ["AWS_ENDPOINT_URL_EC2": "http://ec2.internal.example:8080"]
        let error = #expect(throws: AWSError.self) {
            try EndpointResolver(region: "us-east-1", environment: env).endpoint(for: .ec2)
        }
        #expect(error?.message.contains("AWS_ENDPOINT_URL_EC2") == true)
        #expect(error?.message.contains("--allow-insecure-endpoint") == true)
        #expect(
            try EndpointResolver(region: "us-east-1", environment: env, allowInsecure: true).endpoint(for: .ec2).host
                == "ec2.internal.example"
        )
        #expect(throws: AWSError.self) {
            try EndpointResolver(region: "us-east-1", endpointURL: "ftp://x", environment: [:]).endpoint(for: .sqs)
        }
    }
}
