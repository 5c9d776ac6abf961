import Foundation
import SigV4

/// Checks a request's SigV4 header signature as AWS does: the credential scope names the service
/// and region, the key must be known, the time within 5 minutes, and the signature must match a
/// recomputation over the signed headers as received.
struct SigV4Verifier {
    struct Scope {
        var accessKeyID: String
        var day: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String
    }

    enum Failure: Error {
        case missing
        case malformed(String)
        case unknownKey(String)
        case expired(requestTime: String, serverTime: String)
        case mismatch
    }

    /// Reads `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261121/us-east-1/sqs/aws4_request, SignedHeaders=…, Signature=…`.
    static func scope(_ authorization: String?) throws -> Scope {
        guard let authorization, !authorization.isEmpty else { throw Failure.missing }
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            throw Failure.malformed("only AWS4-HMAC-SHA256 is supported")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let kv = part.drop(while: { $0 == " " || $0 == "\t" }).split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else {
            throw Failure.malformed(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters"
            )
        }
        let c = credential.split(separator: "/").map(String.init)
        guard c.count == 5, c[4] == "aws4_request" else {
            throw Failure.malformed("Credential should be scoped to a valid region: \(credential)")
        }
        return Scope(
            accessKeyID: c[0],
            day: c[1],
            region: c[2],
            service: c[3],
            signedHeaders: signed.split(separator: ";").map(String.init),
            signature: signature
        )
    }

    /// Verifies the signature of a request that `scope` came from.
    static func verify(
        scope: Scope,
        secret: String?,
        method: String,
        path: String,
        query: String?,
        headers: [(name: String, value: String)],
        body: [UInt8],
        now: Date
    ) throws {
        guard let secret else { throw Failure.unknownKey(scope.accessKeyID) }
        guard let amzDate = headers.first(where: { $0.name.lowercased() == "x-amz-date" })?.value,
            let requestTime = parseAmzDate(amzDate)
        else { throw Failure.malformed("missing or invalid X-Amz-Date") }
        if abs(requestTime.timeIntervalSince(now)) > 300 {
            throw Failure.expired(
                requestTime: amzDate,
                serverTime: AmzDate(secondsSince1970: Int(now.timeIntervalSince1970)).timestamp
            )
        }
        var signedHeaders: [(name: String, value: String)] = []
        for name in scope.signedHeaders {
            for header in headers where header.name.lowercased() == name { signedHeaders.append((name, header.value)) }
        }
        var queryItems: [(name: String, value: String)] = []
        for pair in (query ?? "").split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            queryItems.append(
                (
                    String(kv[0]).removingPercentEncoding ?? String(kv[0]),
                    kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
                )
            )
        }
        let payloadHash = headers.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value ?? sha256Hex(body)
        let request = SignableRequest(
            method: method,
            path: path.removingPercentEncoding ?? path,
            query: queryItems,
            headers: signedHeaders,
            payloadHash: payloadHash
        )
        // The signer adds X-Amz-Date itself: recompute over the other headers the client signed.
        var unsigned = request
        unsigned.headers.removeAll { $0.name == "x-amz-date" }
        let expected = SigV4Signer(service: scope.service, region: scope.region).signHeaders(
            unsigned,
            credentials: SigningCredentials(accessKeyID: scope.accessKeyID, secretAccessKey: secret),
            date: AmzDate(secondsSince1970: Int(requestTime.timeIntervalSince1970))
        )
        guard expected.signature == scope.signature else { throw Failure.mismatch }
    }

    static func parseAmzDate(_ text: String) -> Date? {
        let style = Date.ISO8601FormatStyle(
            dateSeparator: .omitted,
            dateTimeSeparator: .standard,
            timeSeparator: .omitted,
            timeZone: .gmt
        )
        return try? Date(text, strategy: style)
    }
}
