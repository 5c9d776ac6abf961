import Foundation

/// Lets the SQS consumer and shutdown cut the pass loop's wait short.
actor Waker {
    private var pending = false
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    func wake() {
        if waiters.isEmpty {
            pending = true
        } else {
            for waiter in waiters.values { waiter.resume() }
            waiters = [:]
        }
    }

    /// Returns after `seconds`, at a wake, or at cancellation, whichever is first.
    func wait(seconds: TimeInterval) async {
        if pending {
            pending = false
            return
        }
        guard seconds > 0 else { return }
        let id = UUID()
        let timer = Task { [weak self] in
            // At most a day: a wakeup computed from a hostile or skewed time never traps or sleeps for ever.
            try? await Task.sleep(for: .milliseconds(Int(min(seconds, 86_400) * 1000)))
            await self?.fire(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiters[id] = $0 }
        } onCancel: {
            Task { await self.fire(id) }
        }
        timer.cancel()
    }

    private func fire(_ id: UUID) { waiters.removeValue(forKey: id)?.resume() }
}
