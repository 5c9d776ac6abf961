import Foundation

/// Reading error answers in each protocol's envelope.
extension AWSError {
    /// Query (Auto Scaling, STS): `<ErrorResponse><Error><Code>…`; EC2: `<Response><Errors><Error><Code>…`.
    static func fromXML(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        let requestID = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        let date = response.header("date").flatMap(AWSTimestamp.parseHTTPDate)
        guard let root = try? XMLNode.parse(response.body),
            let error = root.at("Error") ?? root.at("Errors", "Error"), let code = error.string("Code")
        else {
            return unreadable(response, service: service, operation: operation, requestID: requestID, date: date)
        }
        return AWSError(
            service: service,
            operation: operation,
            code: code,
            message: error.string("Message") ?? "",
            httpStatus: response.status,
            requestID: root.string("RequestId") ?? root.string("RequestID") ?? requestID,
            serverDate: date
        )
    }

    /// JSON 1.0/1.1: `__type` (`prefix#Code`), else `X-Amzn-ErrorType`; SQS's `x-amzn-query-error`
    /// gives the Query-compatible code (`AWS.SimpleQueueService.NonExistentQueue;Sender`).
    static func fromJSON(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        let requestID = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        let date = response.header("date").flatMap(AWSTimestamp.parseHTTPDate)
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        var code = (object?["__type"] as? String) ?? (object?["code"] as? String) ?? response.header("x-amzn-errortype")
        if let queryError = response.header("x-amzn-query-error"), let first = queryError.split(separator: ";").first {
            code = String(first)
        }
        guard var code, !code.isEmpty else {
            return unreadable(response, service: service, operation: operation, requestID: requestID, date: date)
        }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        let message = (object?["message"] as? String) ?? (object?["Message"] as? String) ?? ""
        return AWSError(
            service: service,
            operation: operation,
            code: code,
            message: message,
            httpStatus: response.status,
            requestID: requestID,
            serverDate: date
        )
    }

    private static func unreadable(
        _ response: HTTPResponse,
        service: String,
        operation: String,
        requestID: String?,
        date: Date?
    ) -> AWSError {
        AWSError(
            kind: .malformedResponse,
            service: service,
            operation: operation,
            code: "HTTP\(response.status)",
            message: "unreadable error body (\(response.body.count) bytes)",
            httpStatus: response.status,
            requestID: requestID,
            serverDate: date
        )
    }

    static func malformed(
        service: String,
        operation: String,
        _ reason: String,
        response: HTTPResponse? = nil
    ) -> AWSError {
        AWSError(
            kind: .malformedResponse,
            service: service,
            operation: operation,
            code: "MalformedResponse",
            message: reason,
            httpStatus: response?.status,
            requestID: response?.header("x-amzn-requestid") ?? response?.header("x-amz-request-id")
        )
    }

    static func transport(_ error: TransportError, service: String, operation: String) -> AWSError {
        let code =
            switch error.kind {
            case .timeout: "RequestTimeout"
            case .tls: "TLSError"
            case .tooLarge: "ResponseTooLarge"
            default: "ConnectionError"
            }
        return AWSError(
            kind: .transport,
            service: service,
            operation: operation,
            code: code,
            message: error.description,
            transport: error.kind
        )
    }
}
