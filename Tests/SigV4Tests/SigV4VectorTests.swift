import Foundation
import Testing

@testable import SigV4

/// AWS's own SigV4 test suite (fixtures/sigv4, copied from ../shared/vectors/sigv4): every case,
/// both forms, all three stages. A case that is missing or unreadable fails; none is skipped.
@Suite("SigV4 test suite")
struct SigV4VectorTests {
    static let suite = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/sigv4")

    /// The suite as published has 38 cases; fewer means a case went missing.
    static let expectedCaseCount = 38

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: suite.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") }.sorted()
    }

    @Test("the suite holds every published case")
    func suiteIsComplete() {
        #expect(Self.caseNames.count == Self.expectedCaseCount)
    }

    /// Where the project's shared copy is present (the development machines), the repository's
    /// copy must be the same, file for file.
    @Test("the repository's copy is the shared suite's")
    func sameAsShared() throws {
        let shared = Self.suite.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/vectors/sigv4")
        guard FileManager.default.fileExists(atPath: shared.path) else { return }
        let files = { (root: URL) -> [String] in
            (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []).filter {
                $0.hasSuffix(".txt") || $0.hasSuffix(".json")
            }.sorted()
        }
        #expect(files(shared) == files(Self.suite))
        for file in files(shared) {
            #expect(
                try Data(contentsOf: shared.appendingPathComponent(file))
                    == Data(contentsOf: Self.suite.appendingPathComponent(file)),
                "\(file)"
            )
        }
    }

    @Test("header signing matches the suite", arguments: caseNames)
    func headerSigning(name: String) throws {
        let c = try VectorCase(folder: Self.suite.appendingPathComponent(name))
        let signature = c.signer.signHeaders(
            c.request,
            credentials: c.credentials,
            date: c.date,
            signBody: c.context.sign_body,
            omitSessionToken: c.context.omit_session_token ?? false
        )
        #expect(signature.canonicalRequest == (try c.expected("header-canonical-request.txt")))
        #expect(signature.stringToSign == (try c.expected("header-string-to-sign.txt")))
        #expect(signature.signature == (try c.expected("header-signature.txt")))
        let authorization = signature.headers.first { $0.name == "Authorization" }?.value
        #expect(try c.expected("header-signed-request.txt").contains("Authorization:" + (authorization ?? "missing")))
    }

    @Test("query signing matches the suite", arguments: caseNames)
    func querySigning(name: String) throws {
        let c = try VectorCase(folder: Self.suite.appendingPathComponent(name))
        let signature = c.signer.presign(
            c.request,
            credentials: c.credentials,
            date: c.date,
            expires: c.context.expiration_in_seconds,
            omitSessionToken: c.context.omit_session_token ?? false
        )
        #expect(signature.canonicalRequest == (try c.expected("query-canonical-request.txt")))
        #expect(signature.stringToSign == (try c.expected("query-string-to-sign.txt")))
        #expect(signature.signature == (try c.expected("query-signature.txt")))
        #expect(signature.query.last?.name == "X-Amz-Signature")
    }
}

struct VectorCase {
    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool
        var timestamp: String
        var omit_session_token: Bool?
    }

    let folder: URL
    let context: Context
    let request: SignableRequest

    init(folder: URL) throws {
        self.folder = folder
        context = try JSONDecoder().decode(
            Context.self,
            from: Data(contentsOf: folder.appendingPathComponent("context.json"))
        )
        request = try Self.parse(
            String(decoding: Data(contentsOf: folder.appendingPathComponent("request.txt")), as: UTF8.self)
        )
    }

    var signer: SigV4Signer {
        SigV4Signer(service: context.service, region: context.region, normalizePath: context.normalize)
    }
    var credentials: SigningCredentials {
        SigningCredentials(
            accessKeyID: context.credentials.access_key_id,
            secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token
        )
    }
    var date: AmzDate {
        let parsed = try! Date(context.timestamp, strategy: .iso8601)
        return AmzDate(secondsSince1970: Int(parsed.timeIntervalSince1970))
    }

    func expected(_ file: String) throws -> String {
        String(decoding: try Data(contentsOf: folder.appendingPathComponent(file)), as: UTF8.self)
    }

    /// Reads the raw HTTP request of a case: request line, headers (folded lines continue the
    /// previous value), a blank line, the body.
    static func parse(_ text: String) throws -> SignableRequest {
        let (head, body): (Substring, Substring) = {
            if let r = text.range(of: "\n\n") { return (text[..<r.lowerBound], text[r.upperBound...]) }
            return (Substring(text), "")
        }()
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "),
            let versionStart = requestLine.range(of: " HTTP/", options: .backwards)
        else { throw VectorError.malformed(String(requestLine)) }
        let method = String(requestLine[..<firstSpace])
        let target = requestLine[requestLine.index(after: firstSpace)..<versionStart.lowerBound]
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [(name: String, value: String)] = []
        if path.count == 2 {
            for pair in path[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((decode(kv[0]), kv.count > 1 ? decode(kv[1]) : ""))
            }
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            } else {
                throw VectorError.malformed(String(line))
            }
        }
        return SignableRequest(
            method: method,
            path: String(path[0]),
            query: query,
            headers: headers,
            payloadHash: sha256Hex(Array(body.utf8))
        )
    }

    static func decode(_ s: Substring) -> String { String(s).removingPercentEncoding ?? String(s) }
}

enum VectorError: Error { case malformed(String) }
