import Foundation
import Logging
import SigV4

/// The request pipeline every service client shares: resolve credentials, sign (with the learned
/// clock skew), send, decode errors, retry in the SDKs' standard mode, correct for clock skew.
public final class AWSClient: Sendable {
    public let region: String
    public let skew: ClockSkew
    public let retry: RetryStrategy
    let endpoints: [AWSService: Endpoint]
    let transport: any HTTPTransport
    let credentials: RefreshingCredentials
    let now: @Sendable () -> Date
    let logger: Logger
    let signers: [AWSService: SigV4Signer]
    let observer: (@Sendable (CallRecord) -> Void)?
    /// Each attempt's limit, connect included.
    let timeout: Duration
    /// The whole call's limit, every attempt and back-off included (the one-shot commands'
    /// `--call-deadline`); nil: only each attempt is limited.
    let callDeadline: Duration?
    /// One send rate per service (DESIGN §6): a fixed ceiling, and adaptive mode's back-off.
    let limiters: [AWSService: ClientRateLimiter]

    /// The transport's own thread, for a task that mostly makes calls (`withTaskExecutorPreference`).
    public var executor: (any TaskExecutor)? { transport.executor }

    /// Calls that keep lifecycle actions alive or close them: never queued behind reads.
    static let priorityOperations: Set<String> = ["RecordLifecycleActionHeartbeat", "CompleteLifecycleAction"]

    /// What one call cost, for metrics and the simulator-backed call-count tests.
    public struct CallRecord: Sendable {
        public var service: String
        public var operation: String
        /// `OK`, or the error code of the last attempt.
        public var outcome: String
        public var attempts: Int
        public var duration: Duration
        /// The `Date` header of the last answer, if any: how far AWS's clock is from ours.
        public var serverDate: Date?
        /// Every attempt's outcome in order (`Throttling`, `Throttling`, `OK`): retries are counted too.
        public var attemptOutcomes: [String] = []
    }

    public init(
        region: String,
        endpoints: EndpointResolver,
        transport: any HTTPTransport,
        credentials: any CredentialProvider,
        retry: RetryStrategy = RetryStrategy(),
        timeout: Duration = .seconds(30),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "lifeline.aws"),
        observer: (@Sendable (CallRecord) -> Void)? = nil,
        retryMode: ClientRateLimiter.Mode = .standard,
        maxRequestsPerSecond: Double? = nil,
        callDeadline: Duration? = nil,
        rateClock: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) throws {
        self.region = region
        var resolved: [AWSService: Endpoint] = [:]
        var signers: [AWSService: SigV4Signer] = [:]
        for service in AWSService.all {
            resolved[service] = Endpoint(try endpoints.endpoint(for: service))
            signers[service] = SigV4Signer(service: service.name, region: region)
        }
        self.endpoints = resolved
        self.signers = signers
        self.transport = transport
        let skew = ClockSkew()
        self.skew = skew
        // Temporary credentials expire on AWS's clock: judge their age on it too.
        self.credentials = RefreshingCredentials(credentials, now: { now().addingTimeInterval(skew.current) })
        self.retry = retry
        self.timeout = timeout
        self.callDeadline = callDeadline
        self.now = now
        self.logger = logger
        self.observer = observer
        var limiters: [AWSService: ClientRateLimiter] = [:]
        for service in AWSService.all {
            limiters[service] = ClientRateLimiter(mode: retryMode, ceiling: maxRequestsPerSecond, clock: rateClock)
        }
        self.limiters = limiters
    }

    public func endpoint(for service: AWSService) -> URL { endpoints[service]!.url }

    /// Now on AWS's clock: the host's clock corrected by the offset every answer's `Date` shows.
    public func awsNow() -> Date { now().addingTimeInterval(skew.current) }

    /// The credentials the next call would sign with (for `doctor`).
    public func currentCredentials() async throws -> AWSCredentials { try await credentials.credentials() }

    /// Sends one operation and returns its 2xx answer, or throws `AWSError`.
    func send(
        _ service: AWSService,
        operation: String,
        body: Data,
        headers extra: [(name: String, value: String)]
    ) async throws -> HTTPResponse {
        let endpoint = endpoints[service]!
        let started = ContinuousClock.now
        let deadline = callDeadline.map { started + $0 }
        let usefulUntil = CallWindow.usefulUntil
        var attempt = 0
        var spent = 0
        var skewCorrected = false
        var outcomes: [String] = []
        var uncertain = false
        let limiter = limiters[service]!
        let priority = Self.priorityOperations.contains(operation)
        // What the call cost, for the observer (metrics) and, at debug level, the log.
        func finish(_ outcome: String, serverDate: Date?) {
            let duration = ContinuousClock.now - started
            observer?(
                CallRecord(
                    service: service.name,
                    operation: operation,
                    outcome: outcome,
                    attempts: attempt,
                    duration: duration,
                    serverDate: serverDate,
                    attemptOutcomes: outcomes
                )
            )
            logger.debug(
                "call",
                metadata: [
                    "service": "\(service)", "operation": "\(operation)", "outcome": "\(outcome)",
                    "attempts": "\(outcomes.joined(separator: ","))", "ms": "\(duration.milliseconds)",
                ]
            )
        }
        while true {
            attempt += 1
            let wait = limiter.reserve(priority: priority)
            if wait > .zero { try await retry.sleep(wait) }
            do {
                let response = try await attemptOnce(
                    service,
                    operation: operation,
                    endpoint,
                    body: body,
                    headers: extra,
                    timeout: attemptTimeout(deadline: deadline, usefulUntil: usefulUntil)
                )
                retry.quota.release(spent == 0 ? 1 : spent)
                limiter.record(throttled: false)
                outcomes.append("OK")
                finish("OK", serverDate: response.header("date").flatMap(AWSTimestamp.parseHTTPDate))
                return response
            } catch var error as AWSError {
                error.earlierAttemptMayHaveTakenEffect = uncertain
                uncertain = uncertain || error.mayHaveTakenEffect
                limiter.record(throttled: error.isThrottling)
                outcomes.append(error.code)
                if error.isClockSkew, !skewCorrected, let serverDate = error.serverDate,
                    skew.learn(serverDate: serverDate, localNow: now())
                {
                    skewCorrected = true
                    logger.warning(
                        "clock skew corrected",
                        metadata: [
                            "service": "\(service)", "operation": "\(operation)",
                            "skew_seconds": "\(Int(skew.current))",
                        ]
                    )
                    attempt -= 1
                    continue
                }
                // A call with a window retries soon and past the standard attempts while the window
                // lasts; nothing is tried past the call's deadline.
                let wait = retry.backoff(retry: attempt, cap: usefulUntil == nil ? nil : CallWindow.maxBackoff)
                let next = ContinuousClock.now + wait
                let attemptsLeft =
                    attempt < retry.maxAttempts
                    || (attempt < CallWindow.maxAttempts && usefulUntil.map { next < $0 } ?? false)
                guard error.isRetryable, attemptsLeft, deadline.map({ next < $0 }) ?? true,
                    let cost = retry.quota.acquire(timeout: error.isTimeout)
                else {
                    finish(error.code, serverDate: error.serverDate)
                    throw error
                }
                spent += cost
                logger.debug(
                    "retrying",
                    metadata: [
                        "service": "\(service)", "operation": "\(operation)", "code": "\(error.code)",
                        "attempt": "\(attempt)", "backoff_ms": "\(wait.milliseconds)",
                    ]
                )
                try await retry.sleep(wait)
            }
        }
    }

    /// One attempt's limit: the client's, cut to the time left before the call's deadline, and to
    /// half the time left in its window (`CallWindow.minAttemptTimeout` at least), so that an
    /// attempt that hangs leaves time for another.
    private func attemptTimeout(deadline: ContinuousClock.Instant?, usefulUntil: ContinuousClock.Instant?) -> Duration {
        let now = ContinuousClock.now
        var limit = timeout
        if let usefulUntil { limit = min(limit, max(CallWindow.minAttemptTimeout, (usefulUntil - now) / 2)) }
        if let deadline { limit = min(limit, max(.milliseconds(1), deadline - now)) }
        return limit
    }

    private func attemptOnce(
        _ service: AWSService,
        operation: String,
        _ endpoint: Endpoint,
        body: Data,
        headers extra: [(name: String, value: String)],
        timeout: Duration
    ) async throws -> HTTPResponse {
        let creds: AWSCredentials
        if let fresh = credentials.fresh() { creds = fresh } else { creds = try await credentials.credentials() }
        var headers: [(name: String, value: String)] = [("Host", endpoint.host)]
        headers += extra
        let signable = SignableRequest(
            method: "POST",
            path: endpoint.path,
            headers: headers,
            payloadHash: body.withUnsafeBytes { sha256Hex($0) }
        )
        let signingTime = now().addingTimeInterval(skew.current)
        let signature = signers[service]!.signHeaders(
            signable,
            credentials: creds.signing,
            date: AmzDate(secondsSince1970: Int(signingTime.timeIntervalSince1970))
        )
        let request = HTTPRequest(
            method: "POST",
            url: endpoint.url,
            headers: headers + signature.headers,
            body: body,
            timeout: timeout
        )

        let response: HTTPResponse
        let sent = now()
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            throw AWSError.transport(error, service: service.name, operation: operation)
        }
        if let date = response.header("date").flatMap(AWSTimestamp.parseHTTPDate) {
            skew.observe(serverDate: date, sent: sent, received: now())
        }
        if (200..<300).contains(response.status) { return response }
        switch service.wireProtocol {
        case .query, .ec2: throw AWSError.fromXML(response, service: service.name, operation: operation)
        case .json, .restJSON: throw AWSError.fromJSON(response, service: service.name, operation: operation)
        }
    }
}

/// A service's endpoint, with what every call sends and signs read from the URL once.
struct Endpoint: Sendable {
    let url: URL
    /// The `Host` header.
    let host: String
    /// The path signed, `/` when the URL has none.
    let path: String

    init(_ url: URL) {
        self.url = url
        host = url.hostHeader
        path = url.path.isEmpty ? "/" : url.path
    }
}

extension URL {
    /// `host` or `host:port` when the port is not the scheme's default: what is sent and signed.
    var hostHeader: String {
        let host = host ?? ""
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }
}
