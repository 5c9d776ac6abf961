import Foundation
import Testing

@testable import AWSWire

@Suite("libcurl transport")
struct TransportTests {
    @Test("sequential requests to one host reuse one connection")
    func keepAlive() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "ok")])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        for i in 0..<10 {
            let response = try await transport.send(
                HTTPRequest(method: "POST", url: server.url("/"), body: Data("n=\(i)".utf8))
            )
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        }
        let requests = try server.requests()
        #expect(requests.count == 10)
        #expect(Set(requests.map(\.connection)).count == 1)
        #expect(requests.map(\.body) == (0..<10).map { "n=\($0)" })
    }

    @Test("a burst after a quiet spell reuses the burst before's connections")
    func connectionsOutliveAQuietSpell() async throws {
        let server = try LoopbackServer(routes: [
            // The first burst's answers take long enough that all 12 are in flight at once.
            .init(path: "/first", responses: [.init(body: "ok", delay: 1)]),
            .init(path: "/second", responses: [.init(body: "ok", delay: 0.2)]),
            .init(responses: [.init(body: "ok")]),
        ])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        func burst(_ path: String) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask { _ = try await transport.send(HTTPRequest(method: "GET", url: server.url(path))) }
                }
                try await group.waitForAll()
            }
        }
        try await burst("/first")
        // One at a time: curl's default cache (4 connections per transfer in flight) closed the
        // burst's connections here, one per request, and the next burst connected again.
        for _ in 0..<10 { _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/quiet"))) }
        try await burst("/second")
        let requests = try server.requests()
        #expect(requests.count == 34)
        #expect(Set(requests.map(\.connection)).count == 12)
    }

    @Test("more requests at once than connections to a host: the rest wait their turn and are all answered")
    func moreRequestsThanConnections() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "ok", delay: 0.2)])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<40 {
                group.addTask {
                    try await transport.send(
                        HTTPRequest(method: "POST", url: server.url("/"), body: Data("n=\(i)".utf8))
                    )
                    .status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        let requests = try server.requests()
        #expect(Set(requests.map(\.body)) == Set((0..<40).map { "n=\($0)" }))
        // At most 16 connections to one host; the 24 beyond them went out as connections freed.
        #expect(Set(requests.map(\.connection)).count <= 16)
    }

    @Test("a request on a reused handle carries only its own method, headers and body")
    func reusedHandleForgetsTheLastRequest() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "ok")])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        // One at a time, so that each request takes the handle the one before gave back.
        let sent = [
            HTTPRequest(method: "PUT", url: server.url("/a"), headers: [("X-First", "1")], body: Data("first".utf8)),
            HTTPRequest(method: "GET", url: server.url("/b")),
            HTTPRequest(method: "POST", url: server.url("/c"), body: Data("third".utf8)),
            HTTPRequest(method: "PUT", url: server.url("/d"), body: Data()),
            HTTPRequest(method: "GET", url: server.url("/e"), headers: [("X-Last", "5")]),
        ]
        for request in sent { _ = try await transport.send(request) }
        let seen = try server.requests()
        #expect(seen.map(\.method) == ["PUT", "GET", "POST", "PUT", "GET"])
        #expect(seen.map(\.path) == ["/a", "/b", "/c", "/d", "/e"])
        #expect(seen.map(\.body) == ["first", "", "third", "", ""])
        #expect(seen.map { $0.headers["x-first"] } == ["1", nil, nil, nil, nil])
        #expect(seen.map { $0.headers["x-last"] } == [nil, nil, nil, nil, "5"])
    }

    @Test("status, headers and body come back as sent, and requests carry their headers")
    func roundTrip() async throws {
        let server = try LoopbackServer(routes: [
            .init(
                method: "GET",
                path: "/thing",
                responses: [.init(status: 418, headers: ["X-Amzn-RequestId": "req-1"], body: "teapot")]
            )
        ])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let response = try await transport.send(
            HTTPRequest(method: "GET", url: server.url("/thing"), headers: [("X-Test", "yes")])
        )
        #expect(response.status == 418)
        #expect(response.header("x-amzn-requestid") == "req-1")
        #expect(String(decoding: response.body, as: UTF8.self) == "teapot")
        #expect(try server.requests().first?.headers["x-test"] == "yes")
    }

    @Test("a request that outlives its timeout fails as a timeout")
    func timeout() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(delay: 3)])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        await #expect(throws: TransportError.self) {
            do {
                _ = try await transport.send(
                    HTTPRequest(method: "GET", url: server.url("/"), timeout: .milliseconds(300))
                )
            } catch let error as TransportError {
                #expect(error.kind == .timeout)
                throw error
            }
        }
    }

    @Test("a closed connection is a connection error")
    func connectionDropped() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(close: true)])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/")))
        }
        #expect(error?.kind == .connection)
    }

    @Test("TLS verification is on: a self-signed loopback server is refused")
    func tlsVerified() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "should not be read")])], tls: true)
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/")))
        }
        #expect(error?.kind == .tls)
        #expect(try server.requests().isEmpty)
    }

    @Test("plain HTTP to a non-loopback host is refused unless allowed")
    func insecureRefused() async throws {
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(
                HTTPRequest(method: "GET", url: URL(string: "http://autoscaling.example.com/")!)
            )
        }
        #expect(error?.kind == .refused)
        #expect(error?.description.contains("--allow-insecure-endpoint") == true)
    }

    @Test("loopback is 127.0.0.0/8, ::1 and localhost, and nothing that only looks like them")
    func loopbackHosts() {
        let loopback = [
            "http://127.0.0.1:4566/", "http://127.255.0.9/", "http://LOCALHOST/", "http://[::1]:80/",
            "http://127.000.0.1/",
        ]
        let other = [
            "http://128.0.0.1/", "http://127.0.0/", "http://127.0.0.1.1/", "http://127.0.0.256/", "http://127..0.1/",
            "http://127.0.0.1a/", "http://1270.0.0.1/", "http://127.0.0.1.example.com/",
            "http://localhost.example.com/",
            "http://10.0.0.1/",
        ]
        for url in loopback { #expect(URL(string: url)!.isLoopback, "\(url)") }
        for url in other { #expect(!URL(string: url)!.isLoopback, "\(url)") }
    }

    @Test("HTTPS_PROXY carries https requests as CONNECT; NO_PROXY bypasses it")
    func proxy() async throws {
        let proxy = try LoopbackServer(routes: [
            .init(method: "CONNECT", responses: [.init(status: 403, body: "denied")])
        ])
        defer { proxy.stop() }
        let env = ["HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "bypass.invalid"]
        let transport = CurlTransport(proxy: .fromEnvironment(env))
        defer { transport.shutdown() }
        _ = try? await transport.send(
            HTTPRequest(
                method: "GET",
                url: URL(string: "https://codedeploy.us-east-1.amazonaws.com/")!,
                timeout: .seconds(5)
            )
        )
        _ = try? await transport.send(
            HTTPRequest(method: "GET", url: URL(string: "https://bypass.invalid/")!, timeout: .seconds(5))
        )
        let seen = try proxy.requests()
        #expect(seen.map(\.method) == ["CONNECT"])
        #expect(seen.first?.path == "codedeploy.us-east-1.amazonaws.com:443")
    }

    @Test("proxy settings are read from either case of the variables")
    func proxyEnvironment() {
        let settings = ProxySettings.fromEnvironment(["https_proxy": "http://p:3128", "NO_PROXY": "169.254.169.254"])
        #expect(settings.httpsProxy == "http://p:3128")
        #expect(settings.noProxy == "169.254.169.254")
        #expect(settings.proxy(forScheme: "https", loopback: true) == nil)
    }
}
