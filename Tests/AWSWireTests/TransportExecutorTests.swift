import Foundation
import Synchronization
import Testing

@testable import AWSWire

/// `CurlTransport` as a `TaskExecutor`: `lifeline reconcile` runs its pass on the transport's
/// loop thread, so that a request and the code that reads its answer need no hand-off.
@Suite("libcurl transport as an executor")
struct TransportExecutorTests {
    @Test("a task that prefers the transport runs on its loop thread, child tasks too, and its requests complete")
    func runsOnTheLoopThread() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "ok")])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let threads = Threads()
        let note = { @Sendable in threads.seen.withLock { _ = $0.insert(Self.threadName()) } }
        let bodies = try await Self.within(.seconds(20)) {
            try? await withTaskExecutorPreference(transport) {
                note()
                return try await withThrowingTaskGroup(of: String.self) { group in
                    for i in 0..<8 {
                        group.addTask {
                            note()
                            let response = try await transport.send(
                                HTTPRequest(method: "POST", url: server.url("/"), body: Data("n=\(i)".utf8))
                            )
                            note()
                            return String(decoding: response.body, as: UTF8.self)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
        }
        #expect(bodies == Array(repeating: "ok", count: 8))
        #expect(try server.requests().count == 8)
        #expect(threads.seen.withLock { $0 } == ["lifeline-curl"])
    }

    @Test("a task waiting on the transport when it shuts down is not left behind")
    func shutdownReleasesWaitingTasks() async throws {
        let server = try LoopbackServer(routes: [.init(responses: [.init(body: "late", delay: 2)])])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        let waiting = Task {
            try await withTaskExecutorPreference(transport) {
                _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/")))
                return Self.threadName()
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        transport.shutdown()
        let outcome = try await Self.within(.seconds(10)) { await waiting.result }
        guard case .failure(let error as TransportError) = outcome else {
            Issue.record("the request should fail with the shutdown, got \(String(describing: outcome))")
            return
        }
        #expect(error.kind == .connection)
    }

    @Test("a task on the loop thread may shut the transport down; jobs still queued then run elsewhere")
    func shutdownFromTheLoopThread() async throws {
        let transport = CurlTransport(proxy: ProxySettings())
        let names = try await Self.within(.seconds(10)) {
            await withTaskExecutorPreference(transport) {
                await withTaskGroup(of: String.self) { group in
                    let before = Self.threadName()
                    // Queued on the loop thread, behind this job: the loop stops before it runs it.
                    group.addTask { Self.threadName() }
                    transport.shutdown()
                    return [before, await group.next()!, Self.threadName()]
                }
            }
        }
        #expect(names?.first == "lifeline-curl")
        #expect(names?.dropFirst().contains("lifeline-curl") == false)
    }

    /// The kernel's name of the calling thread.
    static func threadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
        return comm.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `body`'s result, or nil (and a recorded issue) when it takes longer than `limit`: a hang
    /// fails the test instead of stopping the suite (`body` runs in a task of its own, left behind).
    static func within<T: Sendable>(
        _ limit: Duration,
        _ body: @escaping @Sendable () async -> T
    ) async throws -> T? {
        let waiter = Waiter<T>()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            waiter.continuation.withLock { $0 = continuation }
            Task { waiter.finish(await body()) }
            Task {
                try? await Task.sleep(for: limit)
                waiter.finish(nil)
            }
        }
        if result == nil { Issue.record("did not finish within \(limit)") }
        return result
    }
}

private final class Threads: Sendable {
    let seen = Mutex<Set<String>>([])
}

/// Resumes its continuation once, with the first value given.
private final class Waiter<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T?, Never>?>(nil)

    func finish(_ value: T?) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
