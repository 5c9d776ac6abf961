import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulator's control API under `/_sim/`: tests and `lifeline demo` drive and inspect the
/// world here. JSON in and out; bad input gets a 400 naming the field.
struct ControlAPI: Sendable {
    let world: World

    func register(on router: Router<BasicRequestContext>) {
        router.get("/_sim/health") { _, _ in json(["ok": true]) }
        router.get("/_sim/state") { _, _ in rawJSON(await world.snapshot()) }
        router.get("/_sim/calls") { _, _ in json(await world.callCountsSnapshot()) }
        router.post("/_sim/calls/reset") { _, _ in
            await world.resetCallCounts()
            return json(["ok": true])
        }
        router.get("/_sim/events") { _, _ in json(await world.eventLog()) }
        router.get("/_sim/callers") { _, _ in json(await world.callsByIdentity) }
        // An SSO access token, as `aws sso login` would obtain: {"token": "…", "expiresIn": seconds}.
        router.post("/_sim/sso-token") { request, _ in
            var request = request
            let body = Data(buffer: try await request.collectBody(upTo: 64 * 1024))
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let token = object["token"] as? String, !token.isEmpty
            else { return badRequest("the body must be a JSON object with a token") }
            let seconds = (object["expiresIn"] as? Double) ?? 3600
            await world.addSSOToken(token, expires: await world.now.addingTimeInterval(seconds))
            return json(["ok": true])
        }
        // The SSO portal's GetRoleCredentials (not under /_sim/: lifeline calls it as it would AWS's).
        router.get("/federation/credentials") { request, _ in
            let query = request.uri.queryParameters
            let (status, body) = await world.ssoRoleCredentials(
                token: request.headers[HTTPField.Name("x-amz-sso_bearer_token")!],
                accountID: query["account_id"].map(String.init),
                roleName: query["role_name"].map(String.init)
            )
            return rawJSON(body, status: .init(code: status))
        }
        router.post("/_sim/scenario") { request, _ in
            var request = request
            // 10,000 groups (the fleet benchmark's largest world) take about 6 MB.
            let body = Data(buffer: try await request.collectBody(upTo: 32 * 1024 * 1024))
            do {
                try await world.load(try Scenario(json: body))
                return json(["ok": true])
            } catch {
                return badRequest("\(error)")
            }
        }
        // POST /_sim/faults replaces every fault; /_sim/faults/update changes only the keys it names.
        for (path, merge) in [("/_sim/faults", false), ("/_sim/faults/update", true)] {
            router.post(RouterPath(stringLiteral: path)) { request, _ in
                var request = request
                let body = Data(buffer: try await request.collectBody(upTo: 1024 * 1024))
                guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                    return badRequest("the body must be a JSON object")
                }
                do {
                    let base = merge ? await world.config.faults : SimConfig.Faults()
                    await world.resetFaults(try Scenario.faults(Reader(object, path: ""), over: base))
                    return json(["ok": true])
                } catch {
                    return badRequest("\(error)")
                }
            }
        }
        for action in ["scale", "detach", "terminate", "detach-race", "hang-next-launches"] {
            router.post("/_sim/\(action)") { request, _ in
                var request = request
                let body = Data(buffer: try await request.collectBody(upTo: 1024 * 1024))
                guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                    return badRequest("the body must be a JSON object")
                }
                var fields: [String: String] = [:]
                for (k, v) in object { fields[k] = Self.text(of: v) }
                do {
                    try await world.perform(action, fields)
                    return json(["ok": true])
                } catch {
                    return badRequest("\(error)")
                }
            }
        }
    }
}

extension ControlAPI {
    /// A JSON value as the text a field holds: strings as they are, numbers and booleans as written.
    static func text(of value: Any) -> String {
        if let s = value as? String { return s }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

func rawJSON(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    var fields = HTTPFields()
    fields[.contentType] = "application/json"
    return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
}

func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
    var fields = HTTPFields()
    fields[.contentType] = "application/json"
    return Response(
        status: status,
        headers: fields,
        body: .init(byteBuffer: ByteBuffer(string: ErrorEnvelope.json(object)))
    )
}

func badRequest(_ message: String) -> Response { json(["error": message], status: .badRequest) }
