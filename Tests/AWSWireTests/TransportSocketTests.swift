import Foundation
import Testing

@testable import AWSWire

/// The transport leaves an idle connection's socket in its epoll set (`CurlTransport.parked`):
/// these are the ways a socket stops being the one it was, each of which must still be answered.
@Suite("libcurl transport: sockets that close")
struct TransportSocketTests {
    /// Sequential requests, each of which must be answered well within its own timeout: one that
    /// waited on a socket epoll no longer watches would time out instead.
    private func sendEach(_ count: Int, to server: LoopbackServer) async throws {
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        for i in 0..<count {
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.url("/\(i)"), timeout: .seconds(5))
            )
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        }
    }

    @Test("answers that close their connection: every request is answered, each on a new connection")
    func connectionClose() async throws {
        let server = try LoopbackServer(routes: [
            .init(responses: [.init(headers: ["Connection": "close"], body: "ok")])
        ])
        defer { server.stop() }
        try await sendEach(20, to: server)
        let requests = try server.requests()
        #expect(requests.count == 20)
        #expect(Set(requests.map(\.connection)).count == 20)
    }

    @Test("a server that hangs up on idle connections unannounced: every request is still answered")
    func serverHangsUp() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "ok", hang_up: true)])])
        defer { server.stop() }
        try await sendEach(20, to: server)
        #expect(try server.requests().count >= 20)
    }

    @Test("a connection the server dropped while it sat idle: the next request is answered on a new one")
    func droppedWhileIdle() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "ok", hang_up: true)])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        for i in 0..<5 {
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.url("/\(i)"), timeout: .seconds(5))
            )
            #expect(response.status == 200)
            // The hang-up arrives while the connection waits in libcurl's cache: the loop wakes for
            // it once or twice, and is quiet after (a socket left ready would wake it without end).
            let before = transport.wakeups.load(ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(200))
            #expect(transport.wakeups.load(ordering: .relaxed) - before < 10)
        }
        let requests = try server.requests()
        #expect(requests.count == 5)
        #expect(Set(requests.map(\.connection)).count == 5)
    }
}

extension TransportSocketTests {
    @Test("a request given up while it waits for its answer: the next one, on a new socket, is answered")
    func givenUpWhileWaiting() async throws {
        let server = try LoopbackServer(routes: [
            .init(path: "/slow", responses: [.init(body: "late", delay: 3)]),
            .init(responses: [.init(body: "ok")]),
        ])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        // libcurl closes the timed-out connection, whose socket epoll watched for reading; the next
        // connection's socket takes its number, and is first watched for reading too when its
        // connect completes before libcurl looks (on loopback it often does: hence several rounds).
        for _ in 0..<8 {
            await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    HTTPRequest(method: "GET", url: server.url("/slow"), timeout: .milliseconds(200))
                )
            }
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.url("/"), timeout: .seconds(3))
            )
            #expect(response.status == 200)
        }
    }
}
