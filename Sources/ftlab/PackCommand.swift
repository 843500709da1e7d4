import ArgumentParser
import Foundation
import Store

/// `ftlab pack DB`: a results database as one compressed, read-only snapshot to ship or archive.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Write a results database as a compressed snapshot (DB.gz) that --db opens read-only.",
        discussion: """
        The snapshot is the database with its write-ahead log folded in and free pages dropped, in \
        rollback-journal mode and integrity-checked, then gzip-compressed (byte-for-byte the same for \
        the same database; `gunzip -k` restores a database that ftlab can write to). The database \
        itself is only read, so a worker may go on writing to it. `ftlab --db DB.gz` opens the \
        snapshot read-only: queries and reports work, runs cannot be recorded.

        Example: ftlab pack Reports/study/study.sqlite
        """)

    @Argument(help: "The database to pack (default: --db, $FTLAB_DB, else ./ftlab.sqlite).") var source: String?
    @Option(name: [.short, .long], help: "Where to write the snapshot (default: the database's path + .gz).") var output: String?
    @OptionGroup var database: DatabaseOption

    func run() throws {
        let from = source ?? database.path
        let to = output ?? from + ".gz"
        do {
            let summary = try ResultsStore.pack(from, to: to)
            func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
            print("packed \(from) (\(summary.runs) runs, \(summary.predictions) predictions, \(mb(summary.databaseBytes)) compacted) "
                  + "into \(to): \(mb(summary.compressedBytes))")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
