import Foundation
import GRDB
import LifelineCore

#if canImport(Glibc)
import Glibc
#endif

/// The journal in a SQLite file (WAL, `synchronous=NORMAL`, busy timeout, mode 0600), through GRDB.
public final class SQLiteJournal: Journal {
    public let path: String
    let pool: any DatabaseWriter
    /// Intent outcomes, committed together when they arrive together.
    let outcomes: GroupCommit

    /// `--db`, else `$LIFELINE_DB`, else `./lifeline.db`.
    public static func defaultPath(flag: String?, environment: [String: String]) -> String {
        flag ?? environment["LIFELINE_DB"] ?? "lifeline.db"
    }

    /// How a command uses the journal: serve and reconcile write; history, audit and breaker
    /// status only read, and so work on a file they may not write.
    public enum Access: Sendable {
        case readWrite
        case readOnly
    }

    /// Opens the journal at `path`: creating it if needed and migrating it (read-write), or as it
    /// is (read-only). A path that is not a lifeline journal is refused before anything changes:
    /// no chmod, no WAL switch, no `-journal` file.
    /// - Parameter migrations: how many migrations to apply (all; tests build old files with fewer).
    public init(path: String, migrations: Int? = nil, access: Access = .readWrite) throws {
        let migrations = migrations ?? Self.migrations.count
        self.path = path
        if try JournalFile.check(path, mustExist: access == .readOnly) {
            try JournalFile.checkSchema(path, firstMigration: Self.migrations[0].name)
        }
        if access == .readWrite { try Self.prepareFile(path) }
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.readonly = access == .readOnly
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A group commit holds hundreds of writes, each in a savepoint: their statement journals
            // stay in memory (else SQLite spills them to a file in /var/tmp and writes them back),
            // and a transaction's changed pages stay in the cache until its commit.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        do {
            pool =
                access == .readWrite
                ? try DatabasePool(path: path, configuration: config) : try JournalFile.reader(path, config)
            outcomes = GroupCommit(pool)
            let migrator = Self.migrator(upTo: migrations)
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                let known = Set(Self.migrations.prefix(migrations).map(\.name))
                let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
                throw StoreError(
                    .newerSchema,
                    "the journal \(path) was written by a newer lifeline (it has "
                        + "\(applied.subtracting(known).sorted().joined(separator: ", "))); run that version, or "
                        + "pass --db with a new file"
                )
            }
            if access == .readWrite {
                try migrator.migrate(pool)
            } else if try pool.read({ db in try !migrator.hasCompletedMigrations(db) }) {
                throw StoreError(
                    .unreadable,
                    "the journal \(path) was written by an older lifeline; run lifeline reconcile --dry-run "
                        + "with this --db once (it brings the file up to date, and acts on nothing)"
                )
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(
                .unreadable,
                "cannot use the journal \(path): \(error.message ?? "\(error.resultCode)"); move it aside or pass "
                    + "--db with another file"
            )
        }
        guard access == .readWrite else { return }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            chmod(path + suffix, 0o600)
        }
    }

    /// Checks, changing nothing, that `path` is a lifeline journal or that nothing is there yet.
    @discardableResult
    public static func check(_ path: String) throws -> Bool {
        let exists = try JournalFile.check(path, mustExist: false)
        if exists { try JournalFile.checkSchema(path, firstMigration: migrations[0].name) }
        return exists
    }

    /// Creates the file 0600 before SQLite does (SQLite gives its -wal and -shm files the same
    /// mode), tightens a looser existing one, and names the file in every failure.
    private static func prepareFile(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(
                .unreadable,
                "cannot open the journal \(path): \(reason); check the path and its permissions, or pass --db"
            )
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
    }

    /// `PRAGMA integrity_check`: "ok", or what is damaged.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: - Reads and writes, mapped to StoreError

    // Synchronous on purpose: a journal statement takes microseconds, and GRDB runs an uncontended
    // access on the calling thread. Its async form hops to GRDB's queue and back for each one,
    // which cost a pass of 1,000 groups more CPU in thread wake-ups than in SQLite.
    //
    // Reads run on the writer's connection, outside a transaction. Its page cache stays warm,
    // where a reader connection reads again every page a write changed, and a read prepares no
    // BEGIN and COMMIT. Each read is one statement, which SQLite runs on one snapshot; `rows`
    // puts its slices in one transaction.

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try Self.synchronously(pool, writing: true, body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.io, "journal \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// A write that shares its commit with the writes that arrive meanwhile (`GroupCommit`).
    func groupWrite(_ body: @escaping @Sendable (Database) throws -> Void) async throws {
        do {
            try await outcomes.write(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.io, "journal \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try Self.synchronously(pool, writing: false, body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.io, "journal \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// GRDB's synchronous access (a synchronous function cannot pick its async overload). A write
    /// is one IMMEDIATE transaction (`immediateTransaction`).
    private static func synchronously<T>(
        _ pool: any DatabaseWriter,
        writing: Bool,
        _ body: (Database) throws -> T
    ) throws -> T {
        try pool.writeWithoutTransaction { db in
            writing ? try db.immediateTransaction { try body(db) } : try body(db)
        }
    }
}

extension Database {
    /// `body` in one IMMEDIATE transaction, begun and committed by cached statements (GRDB's
    /// `write` prepares its BEGIN and COMMIT again for every transaction, and a pass makes two per
    /// deployment it creates); rolled back when it throws.
    func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        try cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body()
            try cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        } catch {
            if isInsideTransaction { try? rollback() }
            throw error
        }
    }
}
