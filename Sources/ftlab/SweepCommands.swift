import ArgumentParser
import Console
import Foundation
import Store

/// `ftlab sweep …`: the `sweep` statement from the command line.
struct SweepCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Plan a grid of runs and queue them (see `.help runs` for the statement).",
        discussion: "Example: ftlab sweep smollm2-135m-instruct, gemma3-270m on gsm8k with lora, dora seeds 0..1 steps 100 then eval on gsm8k limit 500")
    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption
    @Argument(parsing: .captureForPassthrough, help: "The statement after `sweep`.") var words: [String] = []

    func run() throws {
        // Every word after `sweep` passes through to the statement, the help flags too: catch them.
        if let first = words.first, first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
        try runStatement("sweep", words, database: database, data: data)
    }
}

/// `ftlab work`: run queued sweep runs until none is left.
struct WorkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Run the queued runs of sweeps, one at a time per worker, until none is left.",
        discussion: """
        With -j N, N worker processes share the database and the cores (FTLAB_THREADS = cores / N \
        each); every run is claimed by exactly one worker. A worker that dies leaves its run \
        `running`; the next claim finds the process gone, marks the run interrupted and resumes it \
        from its checkpoint. Ctrl-C stops every worker after a checkpoint.

        With --for DURATION (e.g. 2h30m) a worker stops at that limit as after Ctrl-C, its run \
        resumable, and starts a training only if this database's measured rates say it and its \
        evaluation finish in the time left (a training's checkpoints stay on this machine); \
        evaluations keep every answer, so they are always started.
        """)
    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption
    @Option(name: .customShort("j"), help: "Worker processes (default 1).") var jobs = 1
    @Option(name: .customLong("sweep"), help: "Only runs of this sweep (name or id); repeat to name several, first named first.")
    var sweeps: [String] = []
    @Option(name: .customLong("model"), help: "Only runs of this model; repeatable.") var models: [String] = []
    @Option(name: .customLong("seed"), help: "Only runs with this seed; repeatable.") var seeds: [Int] = []
    @Flag(name: .long, help: "Print the compute left per sweep (by this database's measured rates) and run nothing.")
    var estimate = false
    @Option(name: .customLong("for"), help: ArgumentHelp("Stop after this long, e.g. 90m, 2h or 2h30m; start only the trainings that fit.",
                                                          valueName: "duration"))
    var timeLimit: String?
    /// Set by `-j N` on the workers it starts: the parent announced the queue already.
    @Flag(name: .long, help: .hidden) var spawnedWorker = false

    func run() throws {
        guard jobs >= 1 && jobs <= 64 else { throw ValidationError("-j must be between 1 and 64") }
        let limit = try timeLimit.map { text -> Double in
            guard let seconds = WorkDeadline.parseDuration(text) else {
                throw ValidationError("--for: expected a duration such as 90m, 2h or 2h30m, got '\(text)'")
            }
            return seconds
        }
        let session = try data.session(database)
        let filter: SweepWorkFilter
        do { filter = try session.workFilter(sweeps: sweeps, models: models, seeds: seeds) } catch {
            throw ValidationError(String(describing: error))
        }
        if estimate {
            print(try session.estimateTable(filter: filter), terminator: "")
            return
        }
        SignalHandling.installNonInteractive()
        let started = Date()
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if jobs == 1 {
            let (done, failed) = try session.work(filter: filter, timeLimit: limit, announceQueue: !spawnedWorker, log: log)
            FileHandle.standardError.write(Data(String(format: "worker %d: %d runs done, %d failed, %.1f s\n",
                                                       getpid(), done, failed, Date().timeIntervalSince(started)).utf8))
            if failed > 0 { throw ExitCode(1) }
            return
        }
        // The queue is announced once here, not by each worker.
        if let estimate = try? session.queueEstimate(filter: filter) { log(estimate.summary) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var environment = ProcessInfo.processInfo.environment
        environment["FTLAB_THREADS"] = String(max(1, cores / jobs))
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["work", "--spawned-worker", "--db", database.path]
        if let d = data.data { arguments += ["--data", d] }
        if let m = data.memory { arguments += ["--memory", m] }
        arguments += sweeps.flatMap { ["--sweep", $0] } + models.flatMap { ["--model", $0] } + seeds.flatMap { ["--seed", String($0)] }
        if let limit { arguments += ["--for", String(format: "%.0fs", max(1, limit - Date().timeIntervalSince(started)))] }
        let children: [Process] = try (0..<jobs).map { _ in
            let p = Process()
            p.executableURL = me
            p.arguments = arguments
            p.environment = environment
            try p.run()
            return p
        }
        // Ctrl-C at a terminal reaches the workers directly (one process group); a SIGINT or
        // SIGTERM sent to this process alone (a script, a scheduler) is passed on as SIGTERM, the
        // workers' clean stop, once.
        var forwarded = false
        while children.contains(where: \.isRunning) {
            if SignalHandling.stopRequested && !forwarded {
                for p in children where p.isRunning { kill(p.processIdentifier, SIGTERM) }
                forwarded = true
            }
            usleep(100_000)
        }
        let failed = children.filter { $0.terminationStatus != 0 }.count
        FileHandle.standardError.write(Data(String(format: "%d workers finished in %.1f s%@\n", jobs, Date().timeIntervalSince(started),
                                                   failed > 0 ? " (\(failed) reported failures)" : "").utf8))
        if failed > 0 { throw ExitCode(1) }
    }
}

/// `ftlab run-task FILE --db SHARD`: one run of an emitted sweep (what each Slurm array task runs).
struct RunTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task", abstract: "Run one task of a Slurm job array written by `sweep … emit slurm`.")
    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption
    @Argument(help: "The task file (DIR/tasks/task-I.json).") var file: String

    func run() throws {
        SignalHandling.installNonInteractive()
        let session = try data.session(database)
        do { try session.runTask(file: file) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `ftlab merge SHARD… [--into D]`.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Bring shard databases (e.g. a Slurm sweep's) into one results database.",
        discussion: """
        Runs are matched by uuid: a run already present with the same content is skipped (merging \
        twice changes nothing), a queued placeholder is filled, different content is an error that \
        names the run and leaves the target unchanged. Models and datasets are matched by sha256.
        """)
    @Option(name: .long, help: "Target database (default: --db, $FTLAB_DB, else ./ftlab.sqlite).") var into: String?
    @OptionGroup var database: DatabaseOption
    @Argument(help: "Shard databases.") var shards: [String]

    func run() throws {
        guard !shards.isEmpty else { throw ValidationError("name at least one shard database") }
        let target = into ?? database.path
        do {
            let store = try ResultsStore(path: target)
            for shard in shards {
                let report = try store.merge(shardPath: shard)
                print("\(shard): \(report.summary)")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
