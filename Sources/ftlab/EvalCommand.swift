import ArgumentParser
import Console
import Experiments
import Foundation
import QueryLanguage

/// `ftlab eval MODEL on TASK [options…] --db D`: the REPL's `eval` statement as a command, for
/// scripts and batch jobs. Ctrl-C stops after the current batch and marks the run interrupted.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model on a task and store every prediction.",
        discussion: "Words as in the REPL: eval MODEL on TASK [split S] [shots K] [fixed] [chat] [limit N] [seed S] [max-tokens T]")

    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption

    @Argument(parsing: .allUnrecognized, help: "MODEL on TASK [options]")
    var words: [String] = []

    func run() throws {
        try runStatement("eval", words, database: database, data: data)
    }
}

/// `ftlab train MODEL on TASK with METHOD [options…] [then eval on TASK …]`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a model (full, lora, dora), store every step, then evaluate it.",
        discussion: """
        Words as in the REPL: train MODEL on TASK with full|lora|dora [r N] [alpha A] [dropout D] \
        [targets q,k,v,o,gate,up,down] [rslora] [lr X] [wd X] [warmup N] [schedule cosine|linear|constant] \
        [epochs N | steps N] [batch N] [accum N] [seq N] [limit N] [seed S] [clip X] [freeze-embeddings] \
        [then eval on TASK [eval options]]. Ctrl-C saves a checkpoint; `resume run N` continues.
        """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption

    @Argument(parsing: .allUnrecognized, help: "MODEL on TASK with METHOD [options]")
    var words: [String] = []

    func run() throws {
        try runStatement("train", words, database: database, data: data)
    }
}

/// `ftlab datasets`: the tasks, their splits, sizes and content hashes (and registers them).
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "List every task and split with its size and content hash.")

    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption
    @Option(name: .customLong("export"), help: ArgumentHelp(
        "Write every example's texts (question, solution, answer, choices) of every task and split found as JSON lines to FILE, for outside tools (e.g. Scripts/tokenizer-parity).",
        valueName: "FILE"))
    var exportPath: String?

    func run() throws {
        if let exportPath {
            let count = try DatasetTextExport.write(to: exportPath, dataDirectory: data.data)
            FileHandle.standardError.write(Data("wrote \(count) examples to \(exportPath)\n".utf8))
            return
        }
        let session = try data.session(database)
        if !session.execute(".datasets") { throw ExitCode(1) }
    }
}

/// Runs `keyword words…` as one REPL statement; Ctrl-C interrupts it cleanly.
func runStatement(_ keyword: String, _ words: [String], database: DatabaseOption, data: DataOption) throws {
    // Re-quote words the shell split apart from quotes (paths with spaces).
    let text = keyword + " " + words.map { $0.contains(where: { $0 == " " || $0 == ";" }) ? "\"\($0)\"" : $0 }.joined(separator: " ")
    let session = try data.session(database)
    SignalHandling.installNonInteractive()
    if !session.execute(text) { throw ExitCode(1) }
}
