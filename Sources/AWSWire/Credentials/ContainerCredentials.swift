import Foundation
import SigV4

/// ECS task roles and EKS Pod Identity: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2)
/// or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`.
public struct ContainerCredentials: CredentialProvider {
    let url: URL?
    let authorization: @Sendable () throws -> String?
    let transport: any HTTPTransport

    public init(
        environment env: [String: String],
        transport: any HTTPTransport,
        relativeBase: String = "http://169.254.170.2"
    ) {
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = URL(string: relativeBase + relative)
        } else if let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            url = URL(string: full)
        } else {
            url = nil
        }
        let tokenFile = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        let token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        authorization = {
            if let tokenFile, !tokenFile.isEmpty {
                guard let t = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                    throw credentialsError(
                        "container",
                        "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)"
                    )
                }
                let fromFile = t.trimmingCharacters(in: .whitespacesAndNewlines)
                SecretScrubber.register(fromFile)
                return fromFile
            }
            SecretScrubber.register(token)
            return token
        }
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials? {
        guard let url else { return nil }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let token = try authorization() { headers.append(("Authorization", token)) }
        let response: HTTPResponse
        do {
            response = try await transport.send(
                HTTPRequest(method: "GET", url: url, headers: headers, timeout: .seconds(5))
            )
        } catch let error as TransportError {
            throw credentialsError("container", "container credentials endpoint: \(error)")
        }
        guard response.status == 200 else {
            throw credentialsError(
                "container",
                "container credentials endpoint \(url.redactedEndpoint) answered HTTP \(response.status)"
            )
        }
        return try decodeTemporaryCredentials(response.body, source: "container")
    }
}

/// The JSON both the container endpoint and IMDS answer with.
func decodeTemporaryCredentials(_ body: Data, source: String) throws -> AWSCredentials {
    struct Wire: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String?
    }
    guard let wire = try? JSONDecoder().decode(Wire.self, from: body) else {
        throw credentialsError(source, "\(source) credentials endpoint answered with an unreadable body")
    }
    return AWSCredentials(
        signing: SigningCredentials(
            accessKeyID: wire.AccessKeyId,
            secretAccessKey: wire.SecretAccessKey,
            sessionToken: wire.Token
        ),
        expiration: wire.Expiration.flatMap(AWSTimestamp.parse),
        source: source
    )
}
