import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// What lifeline checks about a `--db` path before it touches it: a regular file that is a
/// lifeline journal, or nothing there yet. Anything else is refused with the path and what to do.
enum JournalFile {
    /// True when a journal (or an empty file, as `mktemp` leaves) is there; false when nothing is.
    static func check(_ path: String, mustExist: Bool) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            if reason == ENOENT {
                guard !mustExist else {
                    throw StoreError(
                        .notFound,
                        "no journal at \(path): lifeline has not run with this --db (or LIFELINE_DB) yet"
                    )
                }
                return false
            }
            throw StoreError(
                .unreadable,
                "cannot use the journal \(path): \(String(cString: strerror(reason))); check the path, or pass --db"
            )
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw StoreError(
                .unreadable,
                "\(path) is not a regular file (a directory, a device or a pipe); pass --db with a lifeline journal, "
                    + "or a path where one can be created"
            )
        }
        guard info.st_size > 0 else {
            if mustExist {
                throw StoreError(.notFound, "the journal \(path) is empty: lifeline has not written to it yet")
            }
            return false
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError(
                .unreadable,
                "cannot read the journal \(path): \(String(cString: strerror(errno))); check its permissions"
            )
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 16)
        let n = read(fd, &header, 16)
        guard n == 16, header == Array("SQLite format 3\0".utf8) else {
            throw notAJournal(path, "it is not a SQLite database")
        }
        return true
    }

    /// A SQLite file that some other program wrote is not lifeline's either: read-only, look for
    /// lifeline's first migration before anything opens it for writing.
    static func checkSchema(_ path: String, firstMigration: String) throws {
        var config = Configuration()
        config.readonly = true
        let found: Bool
        do {
            let queue = try reader(path, config)
            found = try queue.read { db in
                guard try db.tableExists("grdb_migrations") else { return false }
                return try Bool.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) > 0 FROM grdb_migrations WHERE identifier = ?",
                    arguments: [firstMigration]
                ) ?? false
            }
            try queue.close()
        } catch let error as DatabaseError {
            throw notAJournal(path, error.message ?? "\(error.resultCode)")
        }
        guard found else { throw notAJournal(path, "it has no lifeline tables") }
    }

    /// A read-only connection. Where SQLite cannot make the WAL index beside the file (a directory
    /// the user may not write, a read-only snapshot), the file is read as it is on disk (`immutable`):
    /// what a writer has not yet checkpointed is not seen, and nothing is created or changed.
    static func reader(_ path: String, _ config: Configuration) throws -> DatabaseQueue {
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { db in try db.tableExists("grdb_migrations") }
            return queue
        } catch let error as DatabaseError
            where [ResultCode.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode.primaryResultCode)
        {
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
            return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: config)
        }
    }

    static func notAJournal(_ path: String, _ why: String) -> StoreError {
        StoreError(
            .unreadable,
            "\(path) is not a lifeline journal (\(why)); nothing was changed. Pass --db with a journal, or a path "
                + "where none exists yet"
        )
    }
}
