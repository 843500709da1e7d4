import ArgumentParser
import Console
import Engine
import Experiments
import Foundation

/// `ftlab bench`: engine speed on every study model present — SGEMM on the model's shapes (the
/// machine's limit), prefill at 512 tokens, decode at batch widths 1–32 (and the best width), load
/// time, peak RSS, an end-to-end GSM8K evaluation (128 questions, zero-shot) — and
/// training steps (full, LoRA, DoRA at 8 × 256 tokens) on one model with each method's peak RSS.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure engine speed on the models present.")
    @Option(help: "Models to measure (default: every catalog model present).") var model: [String] = []
    @Option(help: "Where to write the JSON results.") var json = "ftlab-bench.json"
    @Option(help: "Prompt length for the prefill measurement.") var prefillTokens = 512
    @Option(help: "Model whose training steps are timed (full, LoRA, DoRA at 8 × 256 tokens).")
    var trainModel = "smollm2-135m-instruct"
    @Flag(help: "Skip the training measurement.") var noTrain = false
    @Flag(help: "Skip the end-to-end evaluation (GSM8K test, first 128 questions, zero-shot).") var noEval = false
    @Option(help: "Questions of the end-to-end evaluation.") var evalQuestions = 128
    @Option(help: "Batch width of the end-to-end evaluation (default: the best decode width measured).")
    var evalBatch: Int?
    @Flag(help: "Measure on fp32 weights (the reference path) instead of the GGUF's quantized blocks.")
    var fp32 = false
    @OptionGroup var data: DataOption
    @Flag(help: "Only the training measurement.") var trainOnly = false
    @Option(help: "Training methods to time (default: full, lora, dora).") var trainMethod: [String] = []
    @Flag(help: "LoRA/DoRA on the fp32 base instead of the GGUF's quantized blocks.") var trainFp32Base = false
    @Flag(help: "Recompute activations in the backward pass (gradient checkpointing).") var trainRecompute = false

    func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("warning: this is a debug build; benchmark a release build (swift build -c release)\n".utf8))
        #endif
        let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
        let keys = trainOnly ? [] : model.isEmpty ? ModelCatalog.models.filter(fetcher.isPresent).map(\.key) : model
        guard !keys.isEmpty || trainOnly else { throw ValidationError("no models present; fetch one with `ftlab models pull smollm2-135m-instruct`") }
        // Which kernels OpenBLAS runs decides every fp32 product's speed; say so first.
        let switched = OpenBLASCore.selected
        let core = OpenBLASCore.current ?? "unknown"
        print("OpenBLAS kernels: \(core)" + (switched.map { " (switched from \($0.from), its fallback for a CPU it does not recognise)" } ?? ""))
        var results: [EngineBenchmarkResult] = []
        var evals: [EvalBenchmarkResult] = []
        for key in keys {
            let url = try ModelLocator(fetcher: fetcher).resolve(key)
            FileHandle.standardError.write(Data("bench: \(key)…\n".utf8))
            TrainingBenchmark.resetPeakRSS()
            var r = try EngineBenchmark.run(path: url.path, precision: fp32 ? .fp32 : .quantized, prefillTokens: prefillTokens)
            r.model = key
            results.append(r)
            let best = r.sgemm.map(\.gflops).max() ?? 0
            let widths = EngineBenchmark.widths.map { String(format: "b%d %.0f", $0, r.decodeByWidth["\($0)"] ?? 0) }
            print(String(format: "%@  %@ weights %.0f MB  threads %d  load %.2f s  SGEMM %.0f GFLOP/s (best model shape)  prefill@%d %.0f tok/s  decode b1 %.1f tok/s  b16 %.1f tok/s  peak RSS %.0f MB",
                         key, r.precision, Double(r.weightBytes) / 1e6, r.threads, r.loadSeconds, best, r.prefillTokens,
                         r.prefillTokensPerSecond, r.decodeBatch1TokensPerSecond, r.decodeBatch16TokensPerSecond,
                         Double(r.peakRSSBytes ?? 0) / 1e6))
            print("\(key)  decode tok/s by width: \(widths.joined(separator: ", "))  best width \(r.bestDecodeWidth)")
            if !noEval && !fp32 {
                let width = evalBatch ?? r.bestDecodeWidth
                FileHandle.standardError.write(Data("bench: \(key) GSM8K test, first \(evalQuestions) questions, zero-shot, batch \(width)…\n".utf8))
                let e = try EvalBenchmark.run(modelKey: key, modelPath: url.path, questions: evalQuestions, width: width,
                                              dataDirectory: data.data)
                evals.append(e)
                print(String(format: "%@ eval gsm8k@%d zero-shot  batch %d  wall %.1f s  %d tokens  %.1f tok/s  accuracy %.3f  peak RSS %.0f MB (weights %.0f, KV cache %.0f, rest %.0f)",
                             key, e.questions, e.width, e.wallSeconds, e.generatedTokens, e.tokensPerSecond, e.accuracy,
                             Double(e.peakRSSBytes ?? 0) / 1e6, Double(e.weightBytes) / 1e6, Double(e.kvCachePeakBytes) / 1e6,
                             Double(e.otherBytes ?? 0) / 1e6))
                let phases = e.profile.sorted { $0.value > $1.value }.prefix(6)
                    .map { String(format: "%@ %.0f%%", $0.key, 100 * $0.value) }.joined(separator: ", ")
                print(String(format: "%@ eval: %.0f%% of the wall in forward passes (%@)", key, 100 * e.forwardShareOfWall, phases))
            }
        }
        var training: [TrainingMeasurement] = []
        let trainPresent = ModelCatalog.models.first { $0.key == trainModel }.map(fetcher.isPresent) ?? trainModel.hasSuffix(".gguf")
        if !noTrain, trainPresent {
            let url = try ModelLocator(fetcher: fetcher).resolve(trainModel)
            FileHandle.standardError.write(Data("bench: training steps on \(trainModel)…\n".utf8))
            let methods = try trainMethod.map { name -> TrainingMethod in
                guard let m = TrainingMethod(rawValue: name) else { throw ValidationError("unknown training method '\(name)' (full, lora, dora)") }
                return m
            }
            training = try TrainingBenchmark.run(path: url.path, methods: methods.isEmpty ? [.full, .lora, .dora] : methods,
                                                 fp32Base: trainFp32Base, recompute: trainRecompute)
            for t in training {
                print(String(format: "%@ train %@  %d × %d tokens  step %.2f s  %.0f tok/s  %.1fM trainable  peak RSS %.0f MB  (%@ base%@)",
                             trainModel, t.method.rawValue, t.batch, t.sequenceLength, t.stepSeconds, t.tokensPerSecond,
                             Double(t.trainableParameters) / 1e6, Double(t.peakRSSBytes ?? 0) / 1e6, t.base,
                             t.recompute ? ", activations recomputed" : ""))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(BenchReport(openblasCore: core, inference: results, evaluation: evals, trainingModel: training.isEmpty ? nil : trainModel,
                                       training: training)).write(to: URL(fileURLWithPath: json))
        print("wrote \(json)")
    }
}

/// What `ftlab bench` writes as JSON.
struct BenchReport: Codable {
    var openblasCore: String
    var inference: [EngineBenchmarkResult]
    var evaluation: [EvalBenchmarkResult]
    var trainingModel: String?
    var training: [TrainingMeasurement]
}
