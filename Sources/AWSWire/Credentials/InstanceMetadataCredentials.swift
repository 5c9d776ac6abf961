import Foundation

/// EC2 instance role through IMDSv2: a session token (PUT), the role name, then its credentials.
/// `AWS_EC2_METADATA_DISABLED=true` turns it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it.
public struct InstanceMetadataCredentials: CredentialProvider {
    let endpoint: URL?
    let transport: any HTTPTransport
    let timeout: Duration

    public init(environment env: [String: String], transport: any HTTPTransport) {
        if env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            endpoint = nil
        } else {
            var base = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
            while base.hasSuffix("/") { base.removeLast() }
            endpoint = URL(string: base)
        }
        self.transport = transport
        timeout = .seconds(Int(env["AWS_METADATA_SERVICE_TIMEOUT"] ?? "") ?? 1)
    }

    /// Not on EC2 (nothing answers) means "no credentials here", not an error.
    public func credentials() async throws -> AWSCredentials? {
        guard let endpoint else { return nil }
        let path = "/latest/meta-data/iam/security-credentials/"
        do {
            let tokenResponse = try await transport.send(
                HTTPRequest(
                    method: "PUT",
                    url: endpoint.appendingPathComponent("latest/api/token"),
                    headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                    timeout: timeout
                )
            )
            guard tokenResponse.status == 200 else { return nil }
            let token = String(decoding: tokenResponse.body, as: UTF8.self)
            let headers = [(name: "X-aws-ec2-metadata-token", value: token)]
            let roleResponse = try await transport.send(
                HTTPRequest(
                    method: "GET",
                    url: URL(string: endpoint.absoluteString + path)!,
                    headers: headers,
                    timeout: timeout
                )
            )
            guard roleResponse.status == 200,
                let role = String(decoding: roleResponse.body, as: UTF8.self).split(whereSeparator: \.isNewline).first
            else { return nil }
            let credentialResponse = try await transport.send(
                HTTPRequest(
                    method: "GET",
                    url: URL(string: endpoint.absoluteString + path + role)!,
                    headers: headers,
                    timeout: timeout
                )
            )
            guard credentialResponse.status == 200 else {
                throw credentialsError(
                    "instance metadata",
                    "IMDS answered HTTP \(credentialResponse.status) for role \(role)"
                )
            }
            var found = try decodeTemporaryCredentials(credentialResponse.body, source: "instance metadata")
            found.source = "instance metadata (role \(role))"
            return found
        } catch is TransportError {
            return nil
        }
    }
}
