import Foundation
import SigV4

/// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (EKS IRSA and friends), or the profile's
/// `web_identity_token_file` + `role_arn`: STS `AssumeRoleWithWebIdentity`, which needs no signature.
public struct WebIdentityCredentials: CredentialProvider {
    let tokenFile: String?
    let roleARN: String?
    let sessionName: String
    let stsEndpoint: URL
    let transport: any HTTPTransport

    public init(
        environment env: [String: String],
        files: SharedConfigFiles,
        stsEndpoint: URL,
        transport: any HTTPTransport
    ) {
        tokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? files.configSection["web_identity_token_file"]
        roleARN = env["AWS_ROLE_ARN"] ?? files.configSection["role_arn"]
        sessionName =
            env["AWS_ROLE_SESSION_NAME"] ?? files.configSection["role_session_name"]
            ?? "lifeline-\(Int(Date().timeIntervalSince1970))"
        self.stsEndpoint = stsEndpoint
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials? {
        guard let tokenFile, !tokenFile.isEmpty, let roleARN, !roleARN.isEmpty else { return nil }
        guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw credentialsError(
                "web identity",
                "cannot read the web identity token file \(tokenFile): check AWS_WEB_IDENTITY_TOKEN_FILE"
            )
        }
        var params = QueryParameters(action: "AssumeRoleWithWebIdentity", version: "2011-06-15")
        params.set("RoleArn", roleARN)
        params.set("RoleSessionName", sessionName)
        let webIdentityToken = token.trimmingCharacters(in: .whitespacesAndNewlines)
        SecretScrubber.register(webIdentityToken)
        params.set("WebIdentityToken", webIdentityToken)
        let request = HTTPRequest(
            method: "POST",
            url: stsEndpoint,
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Data(params.formBody),
            timeout: .seconds(10)
        )
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            throw credentialsError("web identity", "STS AssumeRoleWithWebIdentity: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            let error = AWSError.fromXML(response, service: "sts", operation: "AssumeRoleWithWebIdentity")
            throw credentialsError("web identity", error.description)
        }
        let root = try? XMLNode.parse(response.body)
        let source = "web identity \(roleARN)"
        guard
            let found = STSClient.temporaryCredentials(
                root?.at("AssumeRoleWithWebIdentityResult", "Credentials"),
                source: source
            )
        else {
            throw credentialsError("web identity", "STS AssumeRoleWithWebIdentity answered with an unreadable body")
        }
        return found
    }
}
