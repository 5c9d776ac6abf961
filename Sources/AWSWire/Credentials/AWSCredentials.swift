import Foundation
import SigV4
import Synchronization

/// Credentials and where they came from. Printing them never shows the secret or the token.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public var signing: SigningCredentials
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// `environment`, `profile shop`, `web identity`, `container`, `instance metadata`, …
    public var source: String

    public init(signing: SigningCredentials, expiration: Date? = nil, source: String) {
        self.signing = signing
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "credentials \(signing.accessKeyID) from \(source)" + (expiration.map { ", expiring \($0)" } ?? "")
    }
}

/// One place credentials may come from. `nil` means "not configured here": the chain moves on.
/// A source that is configured but fails throws, as the AWS CLI does.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials?
}

/// The first source that has credentials wins.
public struct CredentialChain: CredentialProvider {
    public let providers: [any CredentialProvider]

    public init(_ providers: [any CredentialProvider]) { self.providers = providers }

    public func credentials() async throws -> AWSCredentials? {
        for provider in providers {
            if let found = try await provider.credentials() { return found }
        }
        return nil
    }
}

/// Caches what a provider returns and asks again before temporary credentials expire (10 minutes
/// ahead, as botocore's mandatory refresh). If a refresh fails while the cached credentials still
/// work, they are kept.
public actor RefreshingCredentials {
    public static let refreshAhead: TimeInterval = 600
    private let provider: any CredentialProvider
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials? {
        didSet { current.withLock { $0 = cached } }
    }
    /// `cached`, readable without a hop onto the actor: a call's hot path.
    private nonisolated let current = Mutex<AWSCredentials?>(nil)
    private var inFlight: Task<AWSCredentials?, any Error>?

    public init(_ provider: any CredentialProvider, now: @escaping @Sendable () -> Date = { Date() }) {
        self.provider = provider
        self.now = now
    }

    /// The cached credentials while they need no refresh, without waiting for the actor.
    public nonisolated func fresh() -> AWSCredentials? {
        guard let known = current.withLock({ $0 }), !needsRefresh(known) else { return nil }
        return known
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        let task = inFlight ?? Task { try await provider.credentials() }
        inFlight = task
        defer { inFlight = nil }
        do {
            guard let fresh = try await task.value else {
                throw AWSError(
                    kind: .credentials,
                    service: "credentials",
                    operation: "resolve",
                    code: "NoCredentials",
                    message:
                        "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a web "
                        + "identity, or run with an instance or task role"
                )
            }
            SecretScrubber.register(fresh.signing.secretAccessKey)
            SecretScrubber.register(fresh.signing.sessionToken)
            cached = fresh
            return fresh
        } catch {
            if let cached, let expiration = cached.expiration, expiration > now() { return cached }
            throw error
        }
    }

    private nonisolated func needsRefresh(_ c: AWSCredentials) -> Bool {
        guard let expiration = c.expiration else { return false }
        return expiration.timeIntervalSince(now()) < Self.refreshAhead
    }
}

func credentialsError(_ source: String, _ message: String) -> AWSError {
    AWSError(kind: .credentials, service: "credentials", operation: source, code: "CredentialsError", message: message)
}
