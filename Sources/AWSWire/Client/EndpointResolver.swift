import Foundation

/// Where each service is reached: `--endpoint-url` first, then `AWS_ENDPOINT_URL_<SERVICE>`, then
/// `AWS_ENDPOINT_URL`, then the partition's default (`amazonaws.com`, `amazonaws.com.cn` in China).
public struct EndpointResolver: Sendable {
    public let region: String
    public let endpointURL: String?
    public let environment: [String: String]
    public let allowInsecure: Bool

    public init(region: String, endpointURL: String? = nil, environment: [String: String], allowInsecure: Bool = false)
    {
        self.region = region
        self.endpointURL = endpointURL
        self.environment = environment
        self.allowInsecure = allowInsecure
    }

    public func endpoint(for service: AWSService) throws -> URL {
        if let endpointURL, !endpointURL.isEmpty { return try validated(endpointURL, source: "--endpoint-url") }
        let specific = "AWS_ENDPOINT_URL_\(service.environmentName)"
        if let url = environment[specific], !url.isEmpty { return try validated(url, source: specific) }
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty {
            return try validated(url, source: "AWS_ENDPOINT_URL")
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://\(service.hostPrefix ?? service.name).\(region).\(suffix)")!
    }

    private func validated(_ text: String, source: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else {
            throw AWSError(
                kind: .invalidRequest,
                service: "config",
                operation: "endpoint",
                code: "InvalidEndpoint",
                message: "\(source) is not an http(s) URL with a host; give one like https://host:port"
            )
        }
        // A user or password in the URL would be printed by doctor and in logs; lifeline signs its
        // requests and never needs one.
        guard url.user == nil, url.password == nil else {
            throw AWSError(
                kind: .invalidRequest,
                service: "config",
                operation: "endpoint",
                code: "InvalidEndpoint",
                message:
                    "\(source)=\(url.redactedEndpoint) carries a user or password; remove it (lifeline signs requests)"
            )
        }
        if scheme == "http" && !url.isLoopback && !allowInsecure {
            throw AWSError(
                kind: .invalidRequest,
                service: "config",
                operation: "endpoint",
                code: "InsecureEndpoint",
                message:
                    "\(source)=\(url.redactedEndpoint) is plain HTTP to a non-loopback host; use https:// or pass "
                    + "--allow-insecure-endpoint"
            )
        }
        return url
    }
}

/// The region, as the AWS CLI finds it: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile.
public enum RegionResolver {
    public static func resolve(flag: String?, environment: [String: String], profileRegion: String?) throws -> String {
        for candidate in [flag, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"], profileRegion] {
            guard let candidate, !candidate.isEmpty else { continue }
            // The region becomes part of every endpoint's host name.
            guard isRegion(candidate) else {
                throw AWSError(
                    kind: .invalidRequest,
                    service: "config",
                    operation: "region",
                    code: "InvalidRegion",
                    message: "'\(candidate.prefix(40))' is not an AWS region; write it like us-east-1"
                )
            }
            return candidate
        }
        throw AWSError(
            kind: .invalidRequest,
            service: "config",
            operation: "region",
            code: "NoRegion",
            message: "no AWS region: pass --region, set AWS_REGION, or set region in the profile of ~/.aws/config"
        )
    }

    /// `us-east-1`, `cn-north-1`, `us-gov-west-1`: lower-case words, then a number.
    public static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, text.count <= 32, let number = parts.last, !number.isEmpty else { return false }
        return number.allSatisfy { $0.isASCII && $0.isNumber }
            && parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }
}
