import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Turns HTTP requests into `SimRequest`s: checks signatures and the clock, picks the service from
/// the credential scope, injects faults, and writes answers in each protocol's envelope.
struct AWSFrontDoor: Sendable {
    let world: World

    func respond(_ request: Request) async throws -> Response {
        var request = request
        let body = Array(buffer: try await request.collectBody(upTo: 16 * 1024 * 1024))
        // HTTPTypes keeps Host as the request's authority, not among its header fields.
        let headers =
            [(name: "host", value: request.head.authority ?? "")]
            + request.headers.map { (name: $0.name.rawName, value: $0.value) }
        let header = { (name: String) in headers.first { $0.name.lowercased() == name }?.value }
        let requestID = SimID.requestID()
        let now = await world.now

        // Which service: the credential scope says; without a signature, the request's own shape.
        let target = header("x-amz-target")
        let form = target == nil ? FormDecoding.decode(String(decoding: body, as: UTF8.self)) : [:]
        var service = Self.guessService(target: target, form: form)
        var accessKeyID = ""
        // STS takes AssumeRoleWithWebIdentity unsigned: the token is the proof.
        let unsigned =
            service == .sts && form["Action"] == "AssumeRoleWithWebIdentity" && header("authorization") == nil
        if !(await world.skipAuth) && !unsigned {
            do {
                let scope = try SigV4Verifier.scope(header("authorization"))
                guard let scoped = SimRequest.Service(rawValue: scope.service) else {
                    return error(
                        SimError(
                            code: "UnknownService",
                            message: "The simulator does not serve \(scope.service)",
                            status: 400
                        ),
                        service ?? .autoscaling,
                        requestID,
                        now
                    )
                }
                service = scoped
                accessKeyID = scope.accessKeyID
                try SigV4Verifier.verify(
                    scope: scope,
                    secret: await world.secret(for: scope.accessKeyID),
                    method: request.method.rawValue,
                    path: request.uri.path,
                    query: request.uri.query,
                    headers: headers,
                    body: body,
                    now: now
                )
            } catch let failure as SigV4Verifier.Failure {
                return error(Self.authError(failure, service ?? .autoscaling), service ?? .autoscaling, requestID, now)
            }
        }
        guard let service else {
            return error(
                SimError(
                    code: "MissingAuthenticationToken",
                    message: "Request is missing Authentication Token",
                    status: 403
                ),
                .autoscaling,
                requestID,
                now
            )
        }

        var sim = SimRequest(service: service, operation: "", form: form, json: [:], accessKeyID: accessKeyID)
        if let target {
            sim.operation = String(target.split(separator: ".").last ?? "")
            guard
                let object = (body.isEmpty ? [:] : try? JSONSerialization.jsonObject(with: Data(body)))
                    as? [String: Any]
            else {
                return error(
                    SimError(
                        code: "SerializationException",
                        message: "Start of structure or map found where not expected.",
                        status: 400
                    ),
                    service,
                    requestID,
                    now
                )
            }
            sim.json = object
        } else {
            sim.operation = form["Action"] ?? ""
        }

        await world.count(service, sim.operation, by: accessKeyID)
        let latency = await world.latency(for: service, operation: sim.operation)
        if latency > 0 { try? await Task.sleep(for: .milliseconds(Int(latency))) }
        if let fault = await world.fault(for: sim) { return answer(fault, service, requestID, now) }

        do {
            var answer = try await world.handle(sim)
            // A long poll waits for a message to become visible, up to WaitTimeSeconds.
            if service == .sqs, sim.operation == "ReceiveMessage", answer.body == "{}",
                let wait = sim.jsonInt("WaitTimeSeconds"), wait > 0
            {
                let deadline = ContinuousClock.now + .seconds(min(wait, 20))
                while ContinuousClock.now < deadline, !Task.isCancelled, !(await world.hasVisibleMessage(sim)) {
                    await world.waitForMessage(sim, atMost: .milliseconds(25))
                }
                answer = try await world.handle(sim)
            }
            // Applied, but the answer lost: the effect stays, the caller sees a 5xx or a reset.
            if let fault = await world.faultAfter(for: sim) { return self.answer(fault, service, requestID, now) }
            var fields = HTTPFields()
            fields[.contentType] = answer.contentType
            fields[HTTPField.Name("x-amzn-RequestId")!] = requestID
            fields[.date] = Self.httpDate(now)
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        } catch let e as SimError {
            return error(e, service, requestID, now)
        }
    }

    /// What an injected fault answers instead of the operation's own answer.
    func answer(_ fault: InjectedFault, _ service: SimRequest.Service, _ requestID: String, _ now: Date) -> Response {
        switch fault {
        case .throttle: return error(Self.throttling(service), service, requestID, now)
        case .serverError:
            return error(
                SimError(
                    code: service == .ec2 ? "Unavailable" : "InternalFailure",
                    message: "The server encountered an internal error",
                    status: service == .ec2 ? 503 : 500,
                    sender: false
                ),
                service,
                requestID,
                now
            )
        case .reset: return Self.reset()
        case let .scoped(e): return error(e, service, requestID, now)
        }
    }

    func error(_ e: SimError, _ service: SimRequest.Service, _ requestID: String, _ now: Date) -> Response {
        let envelope = ErrorEnvelope.body(e, service: service, requestID: requestID)
        var fields = HTTPFields()
        fields[.contentType] = envelope.contentType
        fields[HTTPField.Name("x-amzn-RequestId")!] = requestID
        fields[.date] = Self.httpDate(now)
        for (name, value) in envelope.headers { fields[HTTPField.Name(name)!] = value }
        return Response(
            status: .init(code: e.status),
            headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: envelope.body))
        )
    }

    static func guessService(target: String?, form: [String: String]) -> SimRequest.Service? {
        if let target {
            if target.hasPrefix("CodeDeploy_20141006.") { return .codedeploy }
            if target.hasPrefix("AmazonSQS.") { return .sqs }
            return nil
        }
        switch form["Version"] {
        case "2011-01-01": return .autoscaling
        case "2016-11-15": return .ec2
        case "2011-06-15": return .sts
        default: return nil
        }
    }

    /// What each service answers to a bad signature, an unknown key, or a request outside the 5-minute window.
    static func authError(_ failure: SigV4Verifier.Failure, _ service: SimRequest.Service) -> SimError {
        switch failure {
        case .missing:
            return SimError(
                code: "MissingAuthenticationToken",
                message: "Request is missing Authentication Token",
                status: service == .ec2 ? 401 : 403
            )
        case .malformed(let why):
            return SimError(code: "IncompleteSignature", message: why, status: 400)
        case .unknownKey:
            switch service {
            case .ec2:
                return SimError(
                    code: "AuthFailure",
                    message: "AWS was not able to validate the provided access credentials",
                    status: 401
                )
            case .codedeploy:
                return SimError(
                    code: "UnrecognizedClientException",
                    message: "The security token included in the request is invalid.",
                    status: 400
                )
            default:
                return SimError(
                    code: "InvalidClientTokenId",
                    message: "The security token included in the request is invalid.",
                    status: 403,
                    queryCode: "InvalidClientTokenId"
                )
            }
        case .expired(let requestTime, let serverTime):
            let message = "Signature expired: \(requestTime) is now earlier than \(serverTime) (\(serverTime) - 5 min.)"
            switch service {
            case .ec2: return SimError(code: "RequestExpired", message: "Request has expired.", status: 400)
            case .codedeploy, .sqs:
                return SimError(
                    code: "InvalidSignatureException",
                    message: message,
                    status: 400,
                    queryCode: "SignatureDoesNotMatch"
                )
            case .autoscaling, .sts: return SimError(code: "SignatureDoesNotMatch", message: message, status: 403)
            }
        case .mismatch:
            let message =
                "The request signature we calculated does not match the signature you provided. Check your AWS "
                + "Secret Access Key and signing method. Consult the service documentation for details."
            switch service {
            case .ec2:
                return SimError(
                    code: "AuthFailure",
                    message: "AWS was not able to validate the provided access credentials",
                    status: 401
                )
            case .codedeploy: return SimError(code: "InvalidSignatureException", message: message, status: 400)
            default:
                return SimError(
                    code: "SignatureDoesNotMatch",
                    message: message,
                    status: 403,
                    queryCode: "SignatureDoesNotMatch"
                )
            }
        }
    }

    static func throttling(_ service: SimRequest.Service) -> SimError {
        switch service {
        case .autoscaling, .sts: return SimError(code: "Throttling", message: "Rate exceeded", status: 400)
        case .ec2: return SimError(code: "RequestLimitExceeded", message: "Request limit exceeded.", status: 503)
        case .codedeploy: return SimError(code: "ThrottlingException", message: "Rate exceeded", status: 400)
        case .sqs:
            return SimError(
                code: "RequestThrottled",
                message: "Rate exceeded",
                status: 400,
                queryCode: "RequestThrottled"
            )
        }
    }

    /// A connection that breaks mid-answer: headers promise a body that never comes.
    static func reset() -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/xml"
        return Response(
            status: .ok,
            headers: fields,
            body: ResponseBody(contentLength: 4096) { writer in
                try await writer.write(ByteBuffer(string: "<Truncated"))
                throw ConnectionReset()
            }
        )
    }

    struct ConnectionReset: Error {}

    /// RFC 7231 date, written by hand: a DateFormatter per answer costs more than the answer.
    static func httpDate(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
