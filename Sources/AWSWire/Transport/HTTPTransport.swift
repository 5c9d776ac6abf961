import Foundation

/// One HTTP exchange. The seam under every AWS client: tests and the simulator plug in here.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Where a task that mostly waits on this transport runs best (its own I/O thread), or nil.
    var executor: (any TaskExecutor)? { get }
}

extension HTTPTransport {
    public var executor: (any TaskExecutor)? { nil }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// The whole exchange, connect included.
    public var timeout: Duration

    public init(
        method: String,
        url: URL,
        headers: [(name: String, value: String)] = [],
        body: Data = Data(),
        timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    /// The largest answer body lifeline reads: 32 MiB, far above any AWS page (a full
    /// DescribeInstances page of 1000 instances is a few MiB). Past it the transfer stops.
    public static let maxBodyBytes = 32 << 20

    public var status: Int
    /// Names lower-cased, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.init(status: status, lowercasedHeaders: headers.map { ($0.name.lowercased(), $0.value) }, body: body)
    }

    /// Headers whose names are lower-cased already (the transport folds them as it reads them).
    init(status: Int, lowercasedHeaders: [(name: String, value: String)], body: Data) {
        self.status = status
        headers = lowercasedHeaders
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.name == name }?.value
    }
}

/// A request that got no HTTP answer.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Refused, reset, closed early, name not resolved: worth retrying.
        case connection
        /// The request's time ran out.
        case timeout
        /// The peer's certificate did not verify: never retried, never bypassed.
        case tls
        /// Refused before sending (plain HTTP to a non-loopback host, a bad URL).
        case refused
        /// The answer grew past `HTTPResponse.maxBodyBytes`; reading stopped there.
        case tooLarge
        case other
    }

    public var kind: Kind
    public var message: String
    /// Scheme, host and port only: never a query string that could carry a presigned secret.
    public var endpoint: String

    public init(kind: Kind, message: String, endpoint: String) {
        self.kind = kind
        self.message = SecretScrubber.oneLine(message, limit: 512)
        self.endpoint = endpoint
    }

    public var description: String { "\(kind) error talking to \(endpoint): \(message)" }
}

extension URL {
    /// `scheme://host:port`, what errors and logs may show of an endpoint.
    var redactedEndpoint: String {
        var s = (scheme ?? "?") + "://" + (host ?? "?")
        if let port { s += ":\(port)" }
        return s
    }

    /// 169.254.0.0/16: the instance metadata and container credential endpoints, plain HTTP by design.
    var isLinkLocal: Bool { host?.hasPrefix("169.254.") ?? false }

    /// 127.0.0.0/8, ::1 and localhost: the only hosts plain HTTP may reach by default.
    public var isLoopback: Bool {
        guard let host = host?.lowercased() else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        // Four decimal octets, the first 127, read off the bytes (this is asked of every request).
        var octets = 0
        var first = 0
        var value = 0
        var digits = 0
        for byte in host.utf8 {
            if byte == UInt8(ascii: "."), digits > 0, octets < 3 {
                if octets == 0 { first = value }
                octets += 1
                (value, digits) = (0, 0)
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 3 {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard value <= 255 else { return false }
            } else {
                return false
            }
        }
        return digits > 0 && octets == 3 && first == 127
    }
}
