import CCurl
import Foundation
import Synchronization

/// HTTP over libcurl. One curl multi handle, driven by a thread of its own, so that waiting on the
/// network never blocks Swift's cooperative pool; its connection cache keeps connections alive
/// between requests to one host.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var cancelled: [ObjectIdentifier] = []
        var running = true
        /// A wakeup is on its way to the loop thread, which has not taken the inbox since: another
        /// submission needs none (each wakeup is a write to a socket pair and a read of it).
        var wakeupSent = false
    }

    private let multi: UnsafeMutableRawPointer
    private let proxy: ProxySettings
    private let allowInsecure: Bool
    private let inbox = Mutex(Inbox())
    private let handles = CurlHandlePool()
    private let stopped = DispatchSemaphore(value: 0)

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// - Parameter allowInsecureEndpoints: permit `http://` to non-loopback hosts
    ///   (`--allow-insecure-endpoint`). TLS verification itself can never be switched off.
    public init(
        proxy: ProxySettings = .fromEnvironment(ProcessInfo.processInfo.environment),
        allowInsecureEndpoints: Bool = false
    ) {
        _ = Self.globalInit
        multi = curl_multi_init()
        self.proxy = proxy
        allowInsecure = allowInsecureEndpoints
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16)
        // curl's cache otherwise keeps 4 connections per transfer in flight: after each burst it
        // closed the rest, and the next burst connected again (116 connects in a 2,066-call pass).
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
        let thread = Thread { [self] in runLoop() }
        thread.name = "lifeline-curl"
        thread.start()
    }

    /// Stops the loop thread; requests still in flight fail with a connection error.
    public func shutdown() {
        let wasRunning = inbox.withLock { state in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    deinit {
        shutdown()
        curl_multi_cleanup(multi)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let loopback = request.url.isLoopback
        let scheme = request.url.scheme
        guard scheme == "https" || (scheme == "http" && (loopback || request.url.isLinkLocal || allowInsecure)) else {
            throw TransportError(
                kind: .refused,
                message:
                    "plain HTTP is allowed only to loopback (and link-local credential) endpoints; use https:// or "
                    + "pass --allow-insecure-endpoint",
                endpoint: request.url.redactedEndpoint
            )
        }
        let transfer = try CurlTransfer(request, proxy: proxy, loopback: loopback, pool: handles)
        let id = ObjectIdentifier(transfer)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                let (accepted, wake) = inbox.withLock { state in
                    guard state.running else { return (false, false) }
                    state.submitted.append(transfer)
                    defer { state.wakeupSent = true }
                    return (true, !state.wakeupSent)
                }
                if accepted {
                    if wake { curl_multi_wakeup(multi) }
                } else {
                    transfer.continuation = nil
                    continuation.resume(
                        throwing: TransportError(
                            kind: .connection,
                            message: "transport is shut down",
                            endpoint: transfer.endpoint
                        )
                    )
                }
            }
        } onCancel: {
            inbox.withLock { $0.cancelled.append(id) }
            curl_multi_wakeup(multi)
        }
    }

    // MARK: - The loop thread

    private func runLoop() {
        var active: [ObjectIdentifier: CurlTransfer] = [:]
        var byHandle: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while true {
            let (submitted, cancelled, running) = inbox.withLock { state in
                defer {
                    state.submitted.removeAll()
                    state.cancelled.removeAll()
                    state.wakeupSent = false
                }
                return (state.submitted, state.cancelled, state.running)
            }
            for transfer in submitted {
                active[ObjectIdentifier(transfer)] = transfer
                byHandle[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            for id in cancelled {
                guard let transfer = active.removeValue(forKey: id) else { continue }
                byHandle[transfer.handle] = nil
                curl_multi_remove_handle(multi, transfer.handle)
                transfer.continuation?.resume(throwing: CancellationError())
                transfer.continuation = nil
            }
            if !running {
                for transfer in active.values {
                    curl_multi_remove_handle(multi, transfer.handle)
                    transfer.continuation?.resume(
                        throwing: TransportError(
                            kind: .connection,
                            message: "transport shut down",
                            endpoint: transfer.endpoint
                        )
                    )
                    transfer.continuation = nil
                }
                stopped.signal()
                return
            }

            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = byHandle.removeValue(forKey: handle)
                else { continue }
                let code = message.pointee.data.result
                active[ObjectIdentifier(transfer)] = nil
                curl_multi_remove_handle(multi, handle)
                let result = transfer.finish(code)
                transfer.continuation?.resume(with: result.mapError { $0 as any Error })
                transfer.continuation = nil
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
