import ArgumentParser
import Console
import Experiments
import Foundation

/// `ftlab demo`: a small but complete study on the built-in synthetic task with SmolLM2-135M —
/// zero-shot, 5-shot, LoRA, DoRA and full fine-tuning, each evaluated on the same held-out
/// problems — stored in the results database and written up in Reports/demo/. Runs are keyed by
/// their spec: a second invocation reuses the finished ones and only re-renders the report.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the packaged study (about 15 minutes on 2 cores) and write Reports/demo/.")

    @OptionGroup var database: DatabaseOption
    @OptionGroup var data: DataOption
    @Option(help: "Where the report goes.") var to = "Reports/demo"
    @Option(help: "Held-out problems each method is evaluated on.") var problems = 50
    @Option(help: "Optimizer steps of each fine-tuning run.") var steps = 30

    static let model = "smollm2-135m-instruct"

    func run() throws {
        let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
        if let entry = ModelCatalog.models.first(where: { $0.key == Self.model }), !fetcher.isPresent(entry) {
            FileHandle.standardError.write(Data("demo: fetching \(Self.model) (about 100 MB)…\n".utf8))
            _ = try fetcher.fetch(entry)
        }
        let session = try data.session(database)
        session.reuseFinishedRuns = true
        SignalHandling.installNonInteractive()
        let m = Self.model
        let eval = "eval on synthetic limit \(problems) max-tokens 160"
        // Adapters without dropout keep DoRA's step near LoRA's (PEFT's DoRA redoes the base
        // product on the dropped input); 4 × ~200-token sequences a step.
        let train = "steps \(steps) batch 4 limit 2000 warmup 3"
        let stages: [(String, String)] = [
            ("zero-shot", "eval \(m) on synthetic limit \(problems) max-tokens 160"),
            ("5-shot (fixed exemplars)", "eval \(m) on synthetic shots 5 fixed limit \(problems) max-tokens 160"),
            ("LoRA r16", "train \(m) on synthetic with lora dropout 0 \(train) then \(eval)"),
            ("DoRA r16", "train \(m) on synthetic with dora dropout 0 \(train) then \(eval)"),
            ("full fine-tuning", "train \(m) on synthetic with full \(train) then \(eval)"),
        ]
        let started = Date()
        for (i, stage) in stages.enumerated() {
            FileHandle.standardError.write(Data("\ndemo \(i + 1)/\(stages.count): \(stage.0)\n".utf8))
            guard session.execute(stage.1) else { throw ExitCode(1) }
        }
        FileHandle.standardError.write(Data("\ndemo: report\n".utf8))
        let report = "report negative-transfer where task = synthetic and model = \(m) to \"\(to)\""
        guard session.execute(report) else { throw ExitCode(1) }
        print(String(format: "demo finished in %.1f min; open %@/report.md", Date().timeIntervalSince(started) / 60, to))
    }
}
