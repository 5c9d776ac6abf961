import CCurl
import CLifelineSystem
import Foundation
import Synchronization

/// HTTP over libcurl. One curl multi handle, driven by a thread of its own, so that waiting on the
/// network never blocks Swift's cooperative pool; its connection cache keeps connections alive
/// between requests to one host. The thread waits in epoll and tells libcurl which socket is ready
/// (`curl_multi_socket_action`): libcurl then works on that transfer alone, where
/// `curl_multi_perform` looked at every transfer in flight and polled each socket again.
///
/// The loop thread is also a `TaskExecutor`: a task that prefers it (`withTaskExecutorPreference`)
/// runs between the turns of curl's loop, so a request and the code that reads its answer need no
/// hand-off between threads: no futex, no wakeup, no context switch per call.
public final class CurlTransport: HTTPTransport, TaskExecutor, @unchecked Sendable {
    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var cancelled: [ObjectIdentifier] = []
        /// Jobs of the tasks that prefer this executor, run on the loop thread in order.
        var jobs: [UnownedJob] = []
        var loopThread: pthread_t?
        var running = true
        /// A wakeup is on its way to the loop thread, which has not taken the inbox since: another
        /// submission needs none (each wakeup is a write to a socket pair and a read of it).
        var wakeupSent = false

        var onLoopThread: Bool { loopThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }

        mutating func takeJobs() -> [UnownedJob] {
            defer { jobs.removeAll() }
            return jobs
        }

        /// Whether a submission must wake the loop thread: not when a wakeup is already on its way,
        /// nor when the loop thread itself submits (it looks at the inbox before it sleeps).
        mutating func needsWakeup() -> Bool {
            if onLoopThread { return false }
            defer { wakeupSent = true }
            return !wakeupSent
        }
    }

    private let multi: UnsafeMutableRawPointer
    /// The sockets libcurl asks to watch, and `wakeup`.
    private let epoll: Int32
    /// An eventfd: a submission from another thread wakes the loop thread with it.
    private let wakeup: Int32
    /// When libcurl wants `curl_multi_socket_action` with no socket (its timeouts, and a transfer
    /// just added); only the loop thread reads and writes it (libcurl calls back on it).
    private var timerDue: ContinuousClock.Instant?
    /// The sockets in `epoll` and what each is watched for, as libcurl asked (`CURL_POLL_*`);
    /// loop thread only, like `timerDue`.
    private var watched: [Int32: Int32] = [:]
    /// Sockets libcurl no longer asks about (their connection waits in its cache), left in `epoll`:
    /// the next request on that connection usually comes at once, and taking a socket out and
    /// putting it back cost two `epoll_ctl` calls a request (about 2 % of a pass's CPU). Taken out
    /// when it turns readable while parked (the server closed the connection) or when libcurl opens
    /// a new socket under the same number (the old one was closed, which took it out of `epoll`).
    private var parked = Set<Int32>()
    /// How often the loop has woken from epoll with something ready: a socket left ready and
    /// unhandled would wake it without end (tests read it).
    let wakeups = Atomic<Int>(0)
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
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        _ = lifeline_epoll_watch(epoll, wakeup, 1, 0, 1)
        self.proxy = proxy
        allowInsecure = allowInsecureEndpoints
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16)
        // curl's cache otherwise keeps 4 connections per transfer in flight: after each burst it
        // closed the rest, and the next burst connected again (116 connects in a 2,066-call pass).
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        ccurl_multi_socket_function(multi) { _, socket, what, context, _ in
            let transport = Unmanaged<CurlTransport>.fromOpaque(context!).takeUnretainedValue()
            if what == CURL_POLL_REMOVE {
                if transport.watched[socket] != nil { transport.parked.insert(socket) }
            } else {
                transport.parked.remove(socket)
                let known = transport.watched.updateValue(what, forKey: socket)
                if known != what {
                    _ = lifeline_epoll_watch(
                        transport.epoll,
                        socket,
                        what & CURL_POLL_IN,
                        what & CURL_POLL_OUT,
                        known == nil ? 1 : 0
                    )
                }
            }
            return 0
        }
        ccurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
        ccurl_multi_timer_function(multi) { _, milliseconds, context in
            let transport = Unmanaged<CurlTransport>.fromOpaque(context!).takeUnretainedValue()
            transport.timerDue = milliseconds < 0 ? nil : ContinuousClock.now + .milliseconds(milliseconds)
            return 0
        }
        let thread = Thread { [self] in
            lifeline_name_this_thread("lifeline-curl")
            runLoop()
        }
        thread.start()
    }

    /// Stops the loop thread; requests still in flight fail with a connection error.
    public func shutdown() {
        let (wasRunning, onLoopThread) = inbox.withLock { state in
            defer { state.running = false }
            return (state.running, state.onLoopThread)
        }
        guard wasRunning else { return }
        lifeline_eventfd_signal(wakeup)
        // A job on the loop thread cannot wait for the loop: it stops once the job returns.
        if !onLoopThread { stopped.wait() }
    }

    deinit {
        shutdown()
        curl_multi_cleanup(multi)
        close(epoll)
        close(wakeup)
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
                if !deliver({ $0.submitted.append(transfer) }) {
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
            lifeline_eventfd_signal(wakeup)
        }
    }

    public var executor: (any TaskExecutor)? { self }

    /// Queues a job of a task that prefers this executor; once the transport is shut down, the
    /// global executor runs it instead.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !deliver({ $0.jobs.append(job) }) { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// Puts work in the inbox and wakes the loop thread if it needs waking; false once the
    /// transport is shut down (nothing was put).
    private func deliver(_ put: (inout Inbox) -> Void) -> Bool {
        let (accepted, wake) = inbox.withLock { state in
            guard state.running else { return (false, false) }
            put(&state)
            return (true, state.needsWakeup())
        }
        if wake { lifeline_eventfd_signal(wakeup) }
        return accepted
    }

    // MARK: - The loop thread

    private func runLoop() {
        inbox.withLock { $0.loopThread = pthread_self() }
        var active: [ObjectIdentifier: CurlTransfer] = [:]
        var byHandle: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var readyFDs = [Int32](repeating: 0, count: 64)
        var readyFlags = [Int32](repeating: 0, count: 64)
        while true {
            // Jobs first: the requests they send go out in this turn.
            let jobs = inbox.withLock { $0.takeJobs() }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
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
                watchNewSockets(transfer.handle)
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
                // Jobs queued before the stop (those resumed just above among them) run elsewhere.
                let orphans = inbox.withLock { $0.takeJobs() }
                for job in orphans { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
                stopped.signal()
                return
            }

            // libcurl's timer (a transfer just added starts here), then the sockets that are ready.
            var stillRunning: Int32 = 0
            if let due = timerDue, due <= .now {
                timerDue = nil
                curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &stillRunning)
            }
            finishDone(&active, &byHandle)
            // Sleep only when no job waits (a job resumed above runs at once), and not past the timer.
            let idle = inbox.withLock { $0.jobs.isEmpty && $0.submitted.isEmpty && $0.cancelled.isEmpty }
            var wait: Int32 = 0
            if idle {
                let timer = timerDue.map { max(0, ($0 - .now).milliseconds + 1) } ?? 1000
                wait = Int32(min(1000, timer))
            }
            let ready = lifeline_epoll_wait(epoll, &readyFDs, &readyFlags, Int32(readyFDs.count), wait)
            if ready > 0 { wakeups.add(1, ordering: .relaxed) }
            for i in 0..<Int(max(0, ready)) {
                if readyFDs[i] == wakeup {
                    lifeline_eventfd_drain(wakeup)
                } else if parked.remove(readyFDs[i]) != nil {
                    watched[readyFDs[i]] = nil
                    _ = lifeline_epoll_unwatch(epoll, readyFDs[i])
                } else {
                    curl_multi_socket_action(multi, readyFDs[i], readyFlags[i], &stillRunning)
                }
            }
            finishDone(&active, &byHandle)
        }
    }

    /// libcurl opens the sockets of `handle`'s connections through the transport, which forgets
    /// what it knew of an earlier socket under the same number (see `parked`).
    private func watchNewSockets(_ handle: UnsafeMutableRawPointer) {
        ccurl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, Unmanaged.passUnretained(self).toOpaque())
        ccurl_setopt_opensocket(handle) { context, _, address in
            let transport = Unmanaged<CurlTransport>.fromOpaque(context!).takeUnretainedValue()
            let socket = lifeline_curl_socket(address)
            if socket >= 0 {
                transport.watched[socket] = nil
                transport.parked.remove(socket)
            }
            return socket
        }
    }

    /// Resumes the transfers libcurl has finished.
    private func finishDone(
        _ active: inout [ObjectIdentifier: CurlTransfer],
        _ byHandle: inout [UnsafeMutableRawPointer: CurlTransfer]
    ) {
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
    }
}
