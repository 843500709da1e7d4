@testable import Engine
import Foundation
import XCTest

/// Adapters made by PEFT itself (Tests/Fixtures/peft, Scripts/peft-fixture): a tiny random Llama,
/// a LoRA and a DoRA adapter saved with `save_pretrained`, and the logits of PEFT's
/// `merge_and_unload()` models. ftlab's merged model must give the same logits.
final class PEFTAdapterTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/peft")

    static func expected() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("expected-logits.json"))) as? [String: Any])
    }

    /// max |a − b| over the vector, relative to the largest |b|: 1e-4 is float32 rounding of a
    /// differently ordered sum, far below what a wrong scale, permutation or norm would give.
    static func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs(Double($0) - $1) }.max()! / scale
    }

    func logits(adapter: String?) throws -> [Float] {
        let e = try Self.expected()
        let ids = (e["token_ids"] as! [Int]).map(Int32.init)
        let base = Self.fixture.appendingPathComponent("tiny-llama").path
        let model = try adapter.map { try PEFTAdapter.loadMerged(basePath: base, adapter: Self.fixture.appendingPathComponent($0)) }
            ?? LoadedModel(path: base)
        return model.transformer.logits(tokens: ids)
    }

    func testBaseModelMatchesTransformers() throws {
        let base = try Self.expected()["base"] as! [Double]
        let mine = try logits(adapter: nil)
        XCTAssertEqual(mine.count, base.count)
        XCTAssertLessThanOrEqual(Self.relativeError(mine, base), 1e-4)
    }

    func testLoRAAndDoRAMergedEqualPEFTsMergedModel() throws {
        let e = try Self.expected()
        let base = e["base"] as! [Double]
        for name in ["lora", "dora"] {
            XCTAssertTrue(PEFTAdapter.isAdapterDirectory(Self.fixture.appendingPathComponent(name)))
            XCTAssertEqual(try PEFTAdapter.baseModelName(in: Self.fixture.appendingPathComponent(name)), "tiny-llama")
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
        var other = try PEFTAdapter.baseConfig(path: Self.fixture.appendingPathComponent("tiny-llama").path)
        other.dim = 64
        XCTAssertThrowsError(try AdapterCheckpoint.read(directory: Self.fixture.appendingPathComponent("lora"), model: other)) { error in
            XCTAssertTrue("\(error)".contains("lora_A.weight"), "\(error)")
        }
    }
}
