import ArgumentParser
import Console
import Foundation
import QueryLanguage

/// `ftlab import lm-eval PATH [--as MODEL]`: the REPL's `import lm-eval PATH [as MODEL]`. One
/// command with the source as its first argument (not a subcommand), so that `ftlab --db D import
/// lm-eval PATH` gets its --db like every other command.
struct ImportCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an lm-evaluation-harness --output_path folder (results_*.json, samples_*.jsonl from --log_samples).",
        discussion: """
        ftlab import lm-eval PATH [--as MODEL]. Each (model, task) becomes a finished eval run (engine \
        `lm-eval <version>`) with one prediction per sample, scored as the harness scored it (gsm8k \
        strict-match → strict, flexible-extract → flexible; multiple choice: acc, acc_norm), matched to \
        ftlab's dataset indices by question text. Importing the same files again changes nothing.
        """)
    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption
    @Option(name: .customLong("as"), help: "The ftlab model the harness ran, when its model_args do not name one.") var model: String?
    @Argument(help: "What made the files: lm-eval.") var source: String
    @Argument(help: "The harness's output folder, or one results_*.json file.") var path: String

    func run() throws {
        guard let kind = ImportCommand.Source(rawValue: source) else {
            throw ValidationError("unknown source '\(source)'; ftlab imports \(ImportCommand.Source.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let session = try data.session(database)
        do {
            try session.runImport(ImportCommand(source: kind, path: path, model: model))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
