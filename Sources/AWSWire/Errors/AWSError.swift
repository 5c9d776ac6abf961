import Foundation

/// Every failure of an AWS call: an error answer from the service, no answer at all, or an answer
/// lifeline could not read. It names the service and operation; it never holds a secret.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The service answered with an error code.
        case service
        /// No HTTP answer (see `transport`).
        case transport
        /// An answer that is not what the protocol promises: truncated, malformed, wrong shape.
        case malformedResponse
        /// No credentials could be found or refreshed.
        case credentials
        /// A request lifeline refused to make (bad endpoint, bad input).
        case invalidRequest
    }

    public var kind: Kind
    public var service: String
    public var operation: String
    public var code: String
    public var message: String
    public var httpStatus: Int?
    public var requestID: String?
    /// The response's `Date` header, for clock-skew correction.
    public var serverDate: Date?
    public var transport: TransportError.Kind?
    /// An earlier attempt of this call went unanswered or failed on AWS's side (no answer, a
    /// timeout, a 5xx): it may have taken effect although this, the last attempt, says otherwise.
    public var earlierAttemptMayHaveTakenEffect = false

    public init(
        kind: Kind = .service,
        service: String,
        operation: String,
        code: String,
        message: String,
        httpStatus: Int? = nil,
        requestID: String? = nil,
        serverDate: Date? = nil,
        transport: TransportError.Kind? = nil
    ) {
        self.kind = kind
        self.service = service
        self.operation = operation
        // What an endpoint says goes into logs, errors and /readyz: one line, bounded, no secret.
        self.code = SecretScrubber.oneLine(code, limit: 64)
        self.message = SecretScrubber.oneLine(message, limit: 512)
        self.httpStatus = httpStatus
        self.requestID = requestID.map { SecretScrubber.oneLine($0, limit: 128) }
        self.serverDate = serverDate
        self.transport = transport
    }

    /// One line: what failed, the code, AWS's words, and the request id to quote to AWS support.
    public var description: String {
        if kind == .credentials || kind == .invalidRequest { return message }
        var s = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { s += ": \(message)" }
        if let httpStatus { s += " (HTTP \(httpStatus)" + (requestID.map { ", request id \($0))" } ?? ")") }
        return s
    }

    /// The throttling codes of the SDKs' standard retry mode (botocore `standard.py`), plus EC2's.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Transient codes of the standard mode, and Auto Scaling's `ResourceContention`.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "ResourceContention",
        "InternalError", "InternalFailure", "ServiceUnavailable",
    ]
    public static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
        "RequestInTheFuture",
    ]

    public var isThrottling: Bool { kind == .service && Self.throttlingCodes.contains(code) }

    public var isClockSkew: Bool { kind == .service && Self.clockSkewCodes.contains(code) }

    /// Worth another attempt: throttling, transient codes, 500/502/503/504, lost connections and
    /// timeouts. A TLS failure, a refused endpoint or a malformed 2xx answer is not.
    public var isRetryable: Bool {
        switch kind {
        case .service:
            return isThrottling || Self.transientCodes.contains(code) || [500, 502, 503, 504].contains(httpStatus ?? 0)
        case .transport:
            return transport == .connection || transport == .timeout
        case .malformedResponse:
            // A garbled error page from a load balancer is as transient as its status says.
            return [500, 502, 503, 504].contains(httpStatus ?? 0)
        case .credentials, .invalidRequest:
            return false
        }
    }

    /// Auto Scaling's answer when a lifecycle action is already closed: never retry it.
    public var isNoActiveLifecycleAction: Bool {
        code == "ValidationError" && message.contains("No active Lifecycle Action found")
    }

    public var isTimeout: Bool { transport == .timeout }

    /// This attempt may have taken effect although it failed: no answer, or AWS failed after
    /// receiving it.
    public var mayHaveTakenEffect: Bool { kind == .transport || (httpStatus ?? 0) >= 500 }

    /// CodeDeploy's answer to target reads of a deployment still Created or Queued: it has no
    /// targets yet. Not a failure.
    public var isDeploymentNotStarted: Bool { kind == .service && code == "DeploymentNotStartedException" }
}
