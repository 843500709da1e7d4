import Console
import Engine
import Foundation
import Store
import TestSupport
import XCTest

/// `models add DIR` of a PEFT adapter directory (Tests/Fixtures/peft, made by PEFT itself) and
/// `eval KEY …` of it: the base with the adapter merged, compared with PEFT's merged model.
/// `PEFTFixture` writes the fixture's weights (a formula) next to PEFT's JSON files.
final class AdapterModelTests: XCTestCase {
    var fixture: PEFTFixture!

    override func setUpWithError() throws {
        fixture = try PEFTFixture()
    }

    override func tearDown() {
        fixture = nil
    }

    static func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max()! / (b.map(abs).max() ?? 1)
    }

    func makeStore() throws -> (TemporaryDirectory, ResultsStore) {
        let directory = try TemporaryDirectory(prefix: "ftlab-adapter")
        return (directory, try ResultsStore(path: directory.path("results.sqlite")))
    }

    func testAPEFTAdapterRegistersOnTheBaseItNamesAndRunsMergedAsPEFTDoes() throws {
        let (_, store) = try makeStore()
        try ModelRegistration.register(at: fixture.url.appendingPathComponent("tiny-llama"), in: store)
        let e = fixture.expected
        let ids = (e["token_ids"] as! [Int]).map(Int32.init)
        for name in ["lora", "dora"] {
            // base_model_name_or_path is "tiny-llama": the key the base was registered under.
            let record = try ModelRegistration.register(at: fixture.url.appendingPathComponent(name), in: store)
            let models = try store.models()
            let base = try XCTUnwrap(models.first { $0.key == "tiny-llama" })
            XCTAssertEqual(models.first { $0.key == name }?.baseModelID, base.id)
            XCTAssertEqual(record.family, "llama")
            let logits = try ModelLocator(store: store).load(name).transformer.logits(tokens: ids)
            let error = Self.relativeError(logits, e[name] as! [Double])
            XCTAssertLessThanOrEqual(error, 1e-4, "\(name) via models add: ftlab vs PEFT merge_and_unload")
        }
        let table = try store.select(sql: "SELECT model, base FROM q_models ORDER BY id")
        XCTAssertEqual(table.rows, [[.text("tiny-llama"), .null], [.text("lora"), .text("tiny-llama")], [.text("dora"), .text("tiny-llama")]])
    }

    func testOnBaseNamesTheBaseAndAnUnknownBaseIsAnError() throws {
        let (_, store) = try makeStore()
        XCTAssertThrowsError(try ModelRegistration.register(at: fixture.url.appendingPathComponent("lora"), in: store)) { error in
            XCTAssertTrue("\(error)".contains("base_model_name_or_path \"tiny-llama\""), "\(error)")
            XCTAssertTrue("\(error)".contains("on BASE"), "\(error)")
        }
        XCTAssertTrue(try store.models().isEmpty, "nothing registered on failure")
        try ModelRegistration.register(at: fixture.url.appendingPathComponent("tiny-llama"), key: "my-base", in: store)
        let record = try ModelRegistration.register(at: fixture.url.appendingPathComponent("dora"), key: "my-dora", base: "my-base", in: store)
        XCTAssertEqual(record.baseModelID, try store.models().first { $0.key == "my-base" }?.id)
        // `on` is for adapters only.
        XCTAssertThrowsError(try ModelRegistration.register(at: fixture.url.appendingPathComponent("tiny-llama"), key: "x", base: "my-base", in: store))
    }

    /// An adapter written by ftlab's training (AdapterCheckpoint) registers and merges the same way.
    func testFtlabsOwnAdapterLoadsTheSameWay() throws {
        let (directory, store) = try makeStore()
        let basePath = fixture.url.appendingPathComponent("tiny-llama")
        try ModelRegistration.register(at: basePath, in: store)
        let base = try LoadedModel(path: basePath.path)
        let set = AdapterSet(config: AdapterConfig(method: .lora, rank: 2, alpha: 4, dropout: 0, targets: [.q_proj, .k_proj, .v_proj, .down_proj]),
                             model: base.config)
        var k = 0
        for ad in set.adapters {
            for i in ad.a.indices { ad.a[i] = Float(sin(Double(k))) * 0.3; k += 1 }
            for i in ad.b.indices { ad.b[i] = Float(cos(Double(k))) * 0.3; k += 1 }
        }
        let out = directory.url.appendingPathComponent("ftlab-adapter")
        try AdapterCheckpoint.write(set, to: out, baseModel: "tiny-llama")
        try ModelRegistration.register(at: out, key: "ftlab-lora", in: store)
        let ids: [Int32] = [3, 70, 200, 17, 256]
        base.transformer.mergeAdapters(set)
        let direct = base.transformer.logits(tokens: ids)
        let viaRegistration = try ModelLocator(store: store).load("ftlab-lora").transformer.logits(tokens: ids)
        XCTAssertLessThanOrEqual(Self.relativeError(viaRegistration, direct.map(Double.init)), 1e-6)
        let plain = try LoadedModel(path: basePath.path).transformer.logits(tokens: ids)
        XCTAssertGreaterThan(Self.relativeError(plain, direct.map(Double.init)), 1e-2, "the adapter changes the model")
    }

    /// `eval KEY on TASK` of an adapter: a run of that model key on the merged model; the adapter's
    /// row is left as `models add` wrote it.
    func testEvalOfAnAdapterKeyRunsTheMergedModel() throws {
        let (directory, store) = try makeStore()
        try ModelRegistration.register(at: fixture.url.appendingPathComponent("tiny-llama"), in: store)
        try ModelRegistration.register(at: fixture.url.appendingPathComponent("lora"), in: store)
        let data = directory.url.appendingPathComponent("data/gsm8k")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try #"{"question": "What is 2 + 3?", "answer": "2 + 3 = 5\n#### 5"}"#.appending("\n")
            .write(to: data.appendingPathComponent("test.jsonl"), atomically: true, encoding: .utf8)
        let output = StringSink(), errors = StringSink()
        let session = try Session(databasePath: directory.path("results.sqlite"), output: output, errors: errors)
        session.dataDirectory = directory.path("data")
        XCTAssertTrue(session.execute("eval lora on gsm8k max-tokens 4"), errors.text)
        let run = try XCTUnwrap(try store.runs().last)
        let model = try XCTUnwrap(try store.models().first { $0.id == run.modelID })
        XCTAssertEqual(model.key, "lora")
        XCTAssertEqual(model.path, fixture.url.appendingPathComponent("lora").standardizedFileURL.path)
        XCTAssertNotNil(model.baseModelID)
        XCTAssertTrue(run.specJSON.contains("\"adapter\":"), run.specJSON)
        XCTAssertTrue(run.specJSON.contains("\"weights\":\"fp32\""), "merged weights are fp32: \(run.specJSON)")
        // The generated tokens are the merged model's greedy continuation.
        let merged = try ModelLocator(store: store).load("lora")
        let prompt = try XCTUnwrap(try store.predictions(runID: run.id!).first?.prompt)
        let (_, text) = try merged.generate(prompt, maxNewTokens: 4, chat: false)
        XCTAssertEqual(try store.predictions(runID: run.id!).first?.output, text)
    }
}
