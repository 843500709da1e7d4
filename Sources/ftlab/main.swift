import ArgumentParser
import Console
import Experiments
import Foundation
import Store

/// `ftlab` — the REPL, or one of the packaged commands.
struct Ftlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ftlab",
        abstract: "A workbench for fine-tuning small language models on math word problems.",
        discussion: """
        Without a subcommand ftlab opens the interactive REPL on the results database.
        `ftlab -c "QUERY"` runs statements and exits; `ftlab < script.ftl` runs a script.
        Type .help in the REPL for the query language.
        """,
        subcommands: [Shell.self, DemoCommand.self, Eval.self, Train.self, SweepCLI.self, WorkCommand.self, RunTaskCommand.self, MergeCommand.self, PackCommand.self, CheckpointsCommand.self, ImportCLI.self, DatasetsCommand.self, ModelsCommand.self, GenerateCommand.self, LogitsCommand.self, BenchCommand.self],
        defaultSubcommand: Shell.self
    )
}

struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "Results database (default: $FTLAB_DB, else ./ftlab.sqlite).")
    var db: String?

    var path: String { ResultsStore.resolvePath(flag: db, environment: ProcessInfo.processInfo.environment) }

    func open() throws -> ResultsStore { try ResultsStore(path: path) }
}

struct DataOption: ParsableArguments {
    @Option(name: .long, help: "Dataset directory (default: $FTLAB_DATA, else ../shared/data).")
    var data: String?

    @Option(name: .long, help: "Memory runs may plan for, e.g. 8G or 512M (default: $FTLAB_MEMORY, else MemAvailable); a run whose estimate exceeds it is refused before it loads.")
    var memory: String?

    /// Opens the session every command runs in, with the data directory applied.
    func session(_ database: DatabaseOption) throws -> Session {
        let session: Session
        do {
            // A mistyped --db must not silently start an empty database somewhere: say so.
            let existed = database.path == ":memory:" || FileManager.default.fileExists(atPath: database.path)
            session = try Session(databasePath: database.path, output: StandardOutputSink(),
                                  errors: StandardOutputSink(.standardError))
            if !existed {
                var note = "created new database \(database.path)"
                if FileManager.default.fileExists(atPath: database.path + ".gz") {
                    note += " (\(database.path).gz beside it is a compressed snapshot: --db \(database.path).gz opens it)"
                }
                FileHandle.standardError.write(Data((note + "\n").utf8))
            }
            if let data { session.dataDirectory = try DataDirectory.resolve(explicit: data) }
            if let memory {
                guard let bytes = MemoryPlanner.parseSize(memory) else {
                    throw ValidationError("--memory: expected a size such as 8G or 512M, got \(memory)")
                }
                session.memoryLimit = bytes
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        return session
    }
}

struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "The REPL (the default), or run statements with -c / from standard input.")

    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption

    // `.unconditional`: a statement may begin with `-` (a `--` comment, a negative number).
    @Option(name: .customShort("c"), parsing: .unconditional, help: "Run these statements (separated by ';' or newlines) and exit.")
    var command: String?

    func run() throws {
        let session = try data.session(database)
        let status: Int32
        if let command {
            status = REPL.runNonInteractive(session, text: command, origin: nil)
        } else if isatty(STDIN_FILENO) != 0 {
            let history = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.ftlab_history"
            status = REPL.runInteractive(session, historyPath: history)
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            status = REPL.runNonInteractive(session, text: String(decoding: data, as: UTF8.self), origin: "<stdin>")
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// `ftlab --db D eval …`: global options may come before the subcommand as well as after it.
/// ArgumentParser reads everything before a subcommand as the default subcommand's (the REPL's),
/// so leading `--db`, `--data` and `--memory` are moved behind the subcommand's name.
func reorderedArguments(_ arguments: [String]) -> [String] {
    let subcommands: Set<String> = ["shell", "demo", "eval", "train", "sweep", "work", "run-task", "merge", "pack", "checkpoints", "import", "datasets",
                                    "models", "generate", "logits", "bench"]
    let valued: Set<String> = ["--db", "--data", "--memory"]
    var leading: [String] = []
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if valued.contains(a), i + 1 < arguments.count {
            leading += [a, arguments[i + 1]]
            i += 2
        } else if valued.contains(where: { a.hasPrefix($0 + "=") }) {
            leading.append(a)
            i += 1
        } else {
            break
        }
    }
    guard !leading.isEmpty, i < arguments.count, subcommands.contains(arguments[i]) else { return arguments }
    return [arguments[i]] + leading + Array(arguments[(i + 1)...])
}

Ftlab.main(reorderedArguments(Array(CommandLine.arguments.dropFirst())))
