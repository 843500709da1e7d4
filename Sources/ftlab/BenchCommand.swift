import ArgumentParser
import Console
import Engine
import Experiments
import Foundation

/// `ftlab bench`: engine speed on every study model present — SGEMM on the model's shapes (the
/// machine's limit), prefill at 512 tokens, decode at batch 1 and 16, load time, peak RSS.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure engine speed on the models present.")
    @Option(help: "Models to measure (default: every catalog model present).") var model: [String] = []
    @Option(help: "Where to write the JSON results.") var json = "ftlab-bench.json"
    @Option(help: "Prompt length for the prefill measurement.") var prefillTokens = 512

    func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("warning: this is a debug build; benchmark a release build (swift build -c release)\n".utf8))
        #endif
        let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
        let keys = model.isEmpty ? ModelCatalog.models.filter(fetcher.isPresent).map(\.key) : model
        guard !keys.isEmpty else { throw ValidationError("no models present; fetch one with `ftlab models pull smollm2-135m-instruct`") }
        var results: [EngineBenchmarkResult] = []
        for key in keys {
            let url = try ModelLocator(fetcher: fetcher).resolve(key)
            FileHandle.standardError.write(Data("bench: \(key)…\n".utf8))
            var r = try EngineBenchmark.run(path: url.path, prefillTokens: prefillTokens)
            r.model = key
            results.append(r)
            let best = r.sgemm.map(\.gflops).max() ?? 0
            print(String(format: "%@  threads %d  load %.2f s  SGEMM %.0f GFLOP/s (best model shape)  prefill@%d %.0f tok/s  decode b1 %.1f tok/s  b16 %.1f tok/s  peak RSS %.0f MB",
                         key, r.threads, r.loadSeconds, best, r.prefillTokens, r.prefillTokensPerSecond,
                         r.decodeBatch1TokensPerSecond, r.decodeBatch16TokensPerSecond, Double(r.peakRSSBytes ?? 0) / 1e6))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results).write(to: URL(fileURLWithPath: json))
        print("wrote \(json)")
    }
}
