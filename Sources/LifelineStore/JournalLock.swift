import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One writer per journal: `serve` and `reconcile` hold an exclusive `flock` on `<journal>.lock`
/// (0600, holding the owner's pid) for as long as they run. A second one is refused with the
/// other's pid; it never waits, and never takes the other's open intents for a crash's. The lock
/// dies with its process, so a SIGKILL leaves nothing to clean up.
public final class JournalLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public init(journal: String) throws {
        path = journal + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(
                .io,
                "cannot open \(path) (\(String(cString: strerror(errno)))): check the journal directory's permissions"
            )
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let pid = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError(
                .conflict,
                "the journal \(journal) is in use by another lifeline (pid \(pid.isEmpty ? "unknown" : pid)): stop "
                    + "it first, or give this one its own journal with --db"
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit { close(descriptor) }
}
