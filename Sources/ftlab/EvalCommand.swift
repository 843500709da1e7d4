import ArgumentParser
import Console
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

    @Argument(parsing: .allUnrecognized, help: "MODEL on TASK [options]")
    var words: [String] = []

    func run() throws {
        // Re-quote words the shell split apart from quotes (paths with spaces).
        let text = "eval " + words.map { $0.contains(where: { $0 == " " || $0 == ";" }) ? "\"\($0)\"" : $0 }.joined(separator: " ")
        let session: Session
        do {
            session = try Session(databasePath: database.path, output: StandardOutputSink(),
                                  errors: StandardOutputSink(.standardError))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        SignalHandling.installNonInteractive()
        if !session.execute(text) { throw ExitCode(1) }
    }
}
