@testable import Engine
import Foundation
import TestSupport
import XCTest

/// Adapters made by PEFT itself (Tests/Fixtures/peft, Scripts/peft-fixture): a tiny Llama, a LoRA
/// and a DoRA adapter saved with `save_pretrained`, and the logits of PEFT's `merge_and_unload()`
/// models. ftlab's merged model must give the same logits. The weights come from a formula, and
/// `PEFTFixture` writes the files PEFT read (checked tensor by tensor against PEFT's hashes).
final class PEFTAdapterTests: XCTestCase {
    var fixture: PEFTFixture!

    override func setUpWithError() throws {
        fixture = try PEFTFixture()
    }

    override func tearDown() {
        fixture = nil
    }

    /// max |a − b| over the vector, relative to the largest |b|: 1e-4 is float32 rounding of a
    /// differently ordered sum, far below what a wrong scale, permutation or norm would give.
    static func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs(Double($0) - $1) }.max()! / scale
    }

    func logits(adapter: String?) throws -> [Float] {
        let e = fixture.expected
        let ids = (e["token_ids"] as! [Int]).map(Int32.init)
        let base = fixture.url.appendingPathComponent("tiny-llama").path
        let model = try adapter.map { try PEFTAdapter.loadMerged(basePath: base, adapter: fixture.url.appendingPathComponent($0)) }
            ?? LoadedModel(path: base)
        return model.transformer.logits(tokens: ids)
    }

    func testBaseModelMatchesTransformers() throws {
        let base = fixture.expected["base"] as! [Double]
        let mine = try logits(adapter: nil)
        XCTAssertEqual(mine.count, base.count)
        XCTAssertLessThanOrEqual(Self.relativeError(mine, base), 1e-4)
    }

    func testLoRAAndDoRAMergedEqualPEFTsMergedModel() throws {
        let e = fixture.expected
        let base = e["base"] as! [Double]
        for name in ["lora", "dora"] {
            XCTAssertTrue(PEFTAdapter.isAdapterDirectory(fixture.url.appendingPathComponent(name)))
            XCTAssertEqual(try PEFTAdapter.baseModelName(in: fixture.url.appendingPathComponent(name)), "tiny-llama")
            let peft = e[name] as! [Double]
            let mine = try logits(adapter: name)
            let error = Self.relativeError(mine, peft)
            print("[peft] \(name): max |Δlogit| / max |logit| = \(error)")
            XCTAssertLessThanOrEqual(error, 1e-4, "\(name): ftlab's merged model vs PEFT's merge_and_unload")
            // The adapter matters: ignoring it would be far off.
            XCTAssertGreaterThan(Self.relativeError(mine, base), 0.1, "\(name) changes the logits")
        }
    }

    func testAnAdapterForAnotherModelIsRefusedWithTheTensor() throws {
        // The tiny Llama's adapter on a model of other shapes: the first mismatched tensor is named.
        var other = try PEFTAdapter.baseConfig(path: fixture.url.appendingPathComponent("tiny-llama").path)
        other.dim = 64
        XCTAssertThrowsError(try AdapterCheckpoint.read(directory: fixture.url.appendingPathComponent("lora"), model: other)) { error in
            XCTAssertTrue("\(error)".contains("lora_A.weight"), "\(error)")
        }
    }

    /// The fixture's weights are written here from a formula; a formula that drifted from the one
    /// PEFT's files were made with is caught before any logit is compared, naming the tensor.
    func testAFixtureGeneratorThatDriftsFromPEFTsFilesNamesTheTensor() throws {
        let copy = try TemporaryDirectory(prefix: "ftlab-peft-source")
        let source = copy.url.appendingPathComponent("peft")
        try FileManager.default.copyItem(at: PEFTFixture.source, to: source)
        let json = source.appendingPathComponent("expected-logits.json")
        var e = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        var files = try XCTUnwrap(e["tensors"] as? [String: [String: [String: Any]]])
        let name = "base_model.model.model.layers.1.self_attn.v_proj.lora_magnitude_vector"
        var entry = try XCTUnwrap(files["dora/adapter_model.safetensors"]?[name])
        entry["fnv1a64"] = "0123456789abcdef"
        files["dora/adapter_model.safetensors"]![name] = entry
        e["tensors"] = files
        try JSONSerialization.data(withJSONObject: e).write(to: json)
        XCTAssertThrowsError(try PEFTFixture(source: source)) { error in
            XCTAssertTrue("\(error)".contains("dora/adapter_model.safetensors: tensor \(name) made here hashes to"), "\(error)")
        }
        // The committed fixture's weights are the ones PEFT saw: every tensor's hash matches.
        XCTAssertEqual((fixture.expected["tensors"] as? [String: Any])?.count, 3)
    }
}
