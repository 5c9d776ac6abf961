import Foundation
import GRDB
import LifelineCore

#if canImport(Glibc)
import Glibc
#endif

/// The journal in a SQLite file (WAL, `synchronous=NORMAL`, busy timeout, mode 0600), through GRDB.
public final class SQLiteJournal: Journal {
    public let path: String
    let pool: DatabasePool

    /// `--db`, else `$LIFELINE_DB`, else `./lifeline.db`.
    public static func defaultPath(flag: String?, environment: [String: String]) -> String {
        flag ?? environment["LIFELINE_DB"] ?? "lifeline.db"
    }

    /// Opens (creating if needed) and migrates the journal at `path`.
    /// - Parameter migrations: how many migrations to apply (all; tests build old files with fewer).
    public init(path: String, migrations: Int? = nil) throws {
        let migrations = migrations ?? Self.migrations.count
        self.path = path
        try Self.prepareFile(path)
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = Self.migrator(upTo: migrations)
            try pool.write { db in
                // Reading the schema is what finds a file that is not a database.
                _ = try db.tableExists("grdb_migrations")
            }
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
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(
                .unreadable,
                "cannot use the journal \(path): \(error.message ?? "\(error.resultCode)"); move it aside or pass "
                    + "--db with another file"
            )
        }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            chmod(path + suffix, 0o600)
        }
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

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.io, "journal \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.io, "journal \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
