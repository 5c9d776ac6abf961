import Foundation
import Testing

@testable import AWSWire

/// Profiles asked for by name: credential_process, and no silent fall through to another identity.
@Suite("credential_process and explicit profiles")
struct ProfileCredentialTests {
    typealias AWSHome = CredentialTests.AWSHome

    /// A transport that fails the test if anything is sent: an explicit profile must never reach
    /// the container or the instance metadata service.
    struct NoNetwork: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            Issue.record("sent \(request.url): an explicit profile fell through to the network")
            throw TransportError(kind: .refused, message: "no network in this test", endpoint: "\(request.url)")
        }
    }

    func chain(_ env: [String: String], profile: String? = nil) -> CredentialChain {
        CredentialChain.default(
            environment: env,
            profile: profile,
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: NoNetwork(),
            sts: { source in
                STSClient(
                    client: try AWSClient(
                        region: "us-east-1",
                        endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
                        transport: NoNetwork(),
                        credentials: source
                    )
                )
            }
        )
    }

    /// A HOME whose config gives profile `proc` a credential_process that runs `script`.
    func home(script: String, extra: String = "") throws -> (AWSHome, [String: String]) {
        let home = try AWSHome()
        let path = home.path + "/creds.sh"
        try ("#!/bin/sh\n" + script).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        try "[profile proc]\ncredential_process = \(path) --role reader\n\(extra)".write(
            toFile: home.path + "/.aws/config",
            atomically: true,
            encoding: .utf8
        )
        // The container variables are set: a fall through would try them.
        let env = [
            "HOME": home.path, "PATH": "/usr/bin:/bin", "AWS_PROFILE": "proc",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
        ]
        return (home, env)
    }

    @Test("credential_process prints Version 1 JSON: its keys, token and expiration are used")
    func process() async throws {
        let (home, env) = try home(
            script: """
                [ "$1 $2" = "--role reader" ] || exit 9
                echo '{"Version": 1, "AccessKeyId": "PROCKEY", "SecretAccessKey": "proc-secret", \
                "SessionToken": "proc-token", "Expiration": "2031-01-01T00:00:00Z"}'

                """
        )
        defer { home.remove() }
        let found = try #require(try await chain(env).credentials())
        #expect(found.signing.accessKeyID == "PROCKEY")
        #expect(found.signing.sessionToken == "proc-token")
        #expect(found.expiration == Date(timeIntervalSince1970: 1_924_992_000))
        #expect(found.source == "credential_process of profile proc")
        #expect(SecretScrubber.scrub("x proc-secret y").contains("proc-secret") == false)
    }

    @Test("without Expiration the keys are long-term")
    func processWithoutExpiration() async throws {
        let (home, env) = try home(
            script: "echo '{\"Version\": 1, \"AccessKeyId\": \"K\", \"SecretAccessKey\": \"S\"}'\n"
        )
        defer { home.remove() }
        let found = try #require(try await chain(env).credentials())
        #expect(found.signing.accessKeyID == "K" && found.expiration == nil && found.signing.sessionToken == nil)
    }

    struct BadProcess: Sendable, CustomTestStringConvertible {
        var script: String
        var says: String
        var testDescription: String { says }
    }

    @Test(
        "a credential_process that fails is one line naming the profile and what went wrong",
        arguments: [
            BadProcess(script: "echo 'token expired, run sso-login' >&2; exit 3\n", says: "exited 3: token expired"),
            BadProcess(script: "echo 'not json'\n", says: "is not the JSON the AWS CLI expects"),
            BadProcess(
                script: "echo '{\"Version\": 2, \"AccessKeyId\": \"K\", \"SecretAccessKey\": \"S\"}'\n",
                says: "printed Version 2; only Version 1 is defined"
            ),
            BadProcess(script: "echo '{\"Version\": 1, \"AccessKeyId\": \"K\"}'\n", says: "no SecretAccessKey"),
            BadProcess(
                script:
                    "echo '{\"Version\": 1, \"AccessKeyId\": \"K\", \"SecretAccessKey\": \"S\", \"Expiration\": \"soon\"}'\n",
                says: "an Expiration that is not an ISO 8601 time"
            ),
        ]
    )
    func badProcess(_ bad: BadProcess) async throws {
        let (home, env) = try home(script: bad.script)
        defer { home.remove() }
        let error = await #expect(throws: AWSError.self) { _ = try await chain(env).credentials() }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("the credential_process of profile proc "), "\(message)")
        #expect(message.contains(bad.says), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("an explicit profile that is in neither file is an error, never the container's role")
    func missingProfile() async throws {
        let (home, env) = try home(script: "exit 0\n")
        defer { home.remove() }
        for explicit in [(env.merging(["AWS_PROFILE": "typo"]) { $1 }, nil as String?), (env, "typo")] {
            let error = await #expect(throws: AWSError.self) {
                _ = try await chain(explicit.0, profile: explicit.1).credentials()
            }
            #expect(error?.message.hasPrefix("profile typo is in neither \(home.path)/.aws/credentials nor") == true)
        }
    }

    @Test("an explicit profile with nothing lifeline can resolve says what is missing", arguments: ["empty", "role"])
    func unresolvable(_ kind: String) async throws {
        let home = try AWSHome(
            config: "[profile empty]\nregion = us-east-1\n[profile role]\nrole_arn = arn:aws:iam::1:role/r\n"
                + "source_profile = empty\n"
        )
        defer { home.remove() }
        let env = [
            "HOME": home.path, "AWS_PROFILE": kind, "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c",
        ]
        let error = await #expect(throws: AWSError.self) { _ = try await chain(env).credentials() }
        let message = error?.message ?? ""
        #expect(
            message.hasPrefix(
                kind == "empty"
                    ? "profile empty has no credentials: give it aws_access_key_id"
                    : "source_profile empty of profile role has no credentials"
            ),
            "\(message)"
        )
    }

    @Test("with no profile asked for, the chain still goes on to the container and the instance")
    func implicitDefaultFallsThrough() {
        let chain = chain(["HOME": "/nonexistent"])
        #expect(chain.providers.contains { $0 is ContainerCredentials })
        #expect(chain.providers.contains { $0 is InstanceMetadataCredentials })
        #expect(!chain.providers.contains { $0 is UnresolvedProfile })
    }
}
