import Foundation

/// An AWS error the simulator answers with: code, message, status, and the envelope of the protocol.
struct SimError: Error, Sendable {
    var code: String
    var message: String
    var status: Int
    /// Auto Scaling's `Type`: Sender or Receiver.
    var sender: Bool = true
    /// SQS's Query-compatible code for `x-amzn-query-error`.
    var queryCode: String? = nil

    static func validation(_ message: String) -> SimError {
        SimError(code: "ValidationError", message: message, status: 400)
    }

    /// What each protocol's missing-parameter error looks like.
    static func missing(_ name: String, service: SimRequest.Service) -> SimError {
        switch service {
        case .autoscaling, .sts:
            return .validation(
                "1 validation error detected: Value null at '\(name.prefix(1).lowercased() + name.dropFirst())' "
                    + "failed to satisfy constraint: Member must not be null"
            )
        case .ec2:
            return SimError(
                code: "MissingParameter",
                message: "The request must contain the parameter \(name)",
                status: 400
            )
        case .codedeploy:
            return SimError(
                code: "\(name.prefix(1).uppercased() + name.dropFirst())RequiredException",
                message: "\(name) is required",
                status: 400
            )
        case .sqs:
            return SimError(
                code: "MissingParameter",
                message: "The request must contain the parameter \(name).",
                status: 400,
                queryCode: "MissingParameter"
            )
        }
    }
}

/// Error bodies per protocol, as AWS sends them.
enum ErrorEnvelope {
    static func body(
        _ error: SimError,
        service: SimRequest.Service,
        requestID: String
    ) -> (contentType: String, body: String, headers: [(String, String)]) {
        switch service {
        case .autoscaling, .sts:
            let namespace =
                service == .sts
                ? "https://sts.amazonaws.com/doc/2011-06-15/" : "http://autoscaling.amazonaws.com/doc/2011-01-01/"
            let xml =
                "<ErrorResponse "
                + "xmlns=\"\(namespace)\"><Error><Type>\(error.sender ? "Sender" : "Receiver")</Type>"
                + "<Code>\(XMLWriter.escape(error.code))</Code><Message>\(XMLWriter.escape(error.message))</Message></Error>"
                + "<RequestId>\(requestID)</RequestId></ErrorResponse>"
            return ("text/xml", xml, [])
        case .ec2:
            let xml =
                "<?xml version=\"1.0\" "
                + "encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>\(XMLWriter.escape(error.code))</Code>"
                + "<Message>\(XMLWriter.escape(error.message))</Message></Error></Errors><RequestID>\(requestID)</RequestID></Response>"
            return ("text/xml;charset=UTF-8", xml, [])
        case .codedeploy:
            let body = json(["__type": error.code, "message": error.message])
            return ("application/x-amz-json-1.1", body, [("x-amzn-ErrorType", error.code)])
        case .sqs:
            let body = json(["__type": "com.amazonaws.sqs#\(error.code)", "message": error.message])
            let query = "\(error.queryCode ?? error.code);\(error.sender ? "Sender" : "Receiver")"
            return ("application/x-amz-json-1.0", body, [("x-amzn-query-error", query)])
        }
    }

    static func json(_ object: Any) -> String { SimJSON.encode(object) }
}
