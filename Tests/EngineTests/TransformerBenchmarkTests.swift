import Foundation
import XCTest
@testable import Engine

final class TransformerBenchmarkTests: XCTestCase {
    /// The measuring functions run and report sensible numbers (on a tiny model, so it is quick).
    func testBenchmarkFunctionsSmoke() throws {
        let model = try TinyModel(family: .llama, seed: 5).transformer()
        XCTAssertGreaterThan(EngineBenchmark.prefillTokensPerSecond(model, tokens: 32, repeats: 1), 0)
        XCTAssertGreaterThan(EngineBenchmark.decodeTokensPerSecond(model, batch: 3, context: 5, steps: 4, repeats: 1), 0)
        XCTAssertGreaterThan(EngineBenchmark.sgemmGFLOPS(m: 64, n: 64, k: 64, minimumSeconds: 0.01), 0)
        XCTAssertGreaterThan(EngineBenchmark.peakRSSBytes() ?? 0, 1 << 20)
        let shapes = EngineBenchmark.sgemmOnModelShapes(model.config, rows: 4)
        XCTAssertEqual(shapes.map(\.name), ["qkv@4", "attn_output@4", "gate_up@4", "down@4", "lm_head@4"])
    }

    /// The full benchmark on SmolLM2-135M; runs only with FTLAB_ENGINE_BENCH=1 (it takes a minute).
    func testBenchmarkSmolLM2() throws {
        guard ProcessInfo.processInfo.environment["FTLAB_ENGINE_BENCH"] == "1" else {
            throw XCTSkip("set FTLAB_ENGINE_BENCH=1 to run the engine benchmark")
        }
        let key = ProcessInfo.processInfo.environment["FTLAB_ENGINE_BENCH_MODEL"] ?? "smollm2-135m-instruct"
        let result = try EngineBenchmark.run(path: TestModels.require(key))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}
