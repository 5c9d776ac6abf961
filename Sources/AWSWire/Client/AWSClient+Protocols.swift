import Foundation
import JSONCoding

/// The three wire protocols on top of the pipeline.
extension AWSClient {
    /// Query and EC2 protocols: form-encoded parameters in, the answer's result element out
    /// (`<ActionResult>` for Query, the root for EC2).
    public func query(_ service: AWSService, _ parameters: QueryParameters) async throws -> XMLNode {
        let action = parameters.items.first { $0.name == "Action" }?.value ?? "?"
        let response = try await send(
            service,
            operation: action,
            body: Data(parameters.formBody),
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        )
        let root: XMLNode
        do {
            root = try XMLNode.parse(response.body)
        } catch let error as XMLParseError {
            throw AWSError.malformed(
                service: service.name,
                operation: action,
                "unreadable XML answer: \(error.reason)",
                response: response
            )
        }
        guard root.name == "\(action)Response" else {
            throw AWSError.malformed(
                service: service.name,
                operation: action,
                "expected <\(action)Response>, got <\(root.name)>",
                response: response
            )
        }
        if case .ec2 = service.wireProtocol { return root }
        return root.child("\(action)Result") ?? XMLNode.empty("\(action)Result")
    }

    /// JSON 1.0/1.1 protocols: an `Encodable` input, a `Decodable` output.
    public func json<Output: Decodable>(
        _ service: AWSService,
        _ operation: String,
        _ input: some Encodable,
        as: Output.Type = Output.self
    ) async throws -> Output {
        try await json(service, operation, input, empty: Output.self == EmptyOutput.self) { data in
            try AWSTimestamp.jsonDecoder.decode(Output.self, from: data)
        }
    }

    /// The same for an output read by hand from the answer's index (`JSONShape`).
    func json<Output: JSONShape>(
        _ service: AWSService,
        _ operation: String,
        _ input: some Encodable,
        as: Output.Type = Output.self
    ) async throws -> Output {
        try await json(service, operation, input, empty: false) { data in
            let document: JSONIndex
            do {
                document = try JSONIndex.parse(data)
            } catch {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "not JSON"))
            }
            return try JSONFields.decode(Output.self, from: document)
        }
    }

    /// Sends `input` and reads the answer with `decode`; `empty`: whether an empty answer is one.
    private func json<Output>(
        _ service: AWSService,
        _ operation: String,
        _ input: some Encodable,
        empty: Bool,
        _ decode: (Data) throws -> Output
    ) async throws -> Output {
        guard case .json(let version, let prefix) = service.wireProtocol else {
            preconditionFailure("\(service) does not speak JSON")
        }
        let body = try AWSTimestamp.jsonEncoder.encode(input)
        let response = try await send(
            service,
            operation: operation,
            body: body,
            headers: [
                ("Content-Type", "application/x-amz-json-\(version)"), ("X-Amz-Target", "\(prefix).\(operation)"),
            ]
        )
        // An empty 200 is no answer: read as `{}` it would say "nothing found" (no deployment group,
        // no deployments). Only an operation whose answer lifeline ignores may come back empty.
        guard !response.body.isEmpty || empty else {
            throw AWSError.malformed(
                service: service.name,
                operation: operation,
                "empty answer (HTTP \(response.status) with no body)",
                response: response
            )
        }
        do {
            return try decode(response.body.isEmpty ? Data("{}".utf8) : response.body)
        } catch {
            throw AWSError.malformed(
                service: service.name,
                operation: operation,
                "unreadable JSON answer: \(Self.describe(error))",
                response: response
            )
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? JSONShapeError { return error.description }
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?:
            return "missing \((c.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?:
            return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case .dataCorrupted(let c)?:
            return c.codingPath.isEmpty
                ? "not JSON" : "bad value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// For operations whose answer carries nothing lifeline reads.
public struct EmptyOutput: Decodable, Sendable {}
