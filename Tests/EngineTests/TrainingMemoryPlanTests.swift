import XCTest
@testable import Engine

/// The memory plan made from shapes alone equals, byte for byte, what a `TrainingGraph` allocates
/// — for every family, method, base storage and with or without recomputation — so the estimate
/// a run is refused on cannot drift from the engine.
final class TrainingMemoryPlanTests: XCTestCase {
    func testPlanEqualsAllocatedBytes() throws {
        for family in ModelFamily.allCases {
            for method in [TrainingMethod.full, .lora, .dora] {
                for recompute in [false, true] {
                    for storedBlocks in [false, true] {
                        let tiny = TinyModel(family: family, seed: 960)
                        let model = try tiny.transformer()
                        model.orderedProducts = storedBlocks
                        let config = method == .full ? nil
                            : AdapterConfig(method: method == .dora ? .dora : .lora, rank: 4, alpha: 8, dropout: 0.1,
                                            targets: [.q_proj, .v_proj, .down_proj])
                        let set = config.map { AdapterSet(config: $0, model: tiny.config) }
                        let graph = try TrainingGraph(transformer: model, method: method, adapters: set, maxTokens: 96,
                                                      recomputeActivations: recompute)
                        let plan = TrainingMemoryPlan(config: tiny.config, method: method, adapters: config, maxTokens: 96,
                                                      quantizedBase: storedBlocks, recompute: recompute,
                                                      arenaFloats: model.fp32Arena!.arena.count)
                        let what = "\(family) \(method) recompute \(recompute) stored \(storedBlocks)"
                        XCTAssertEqual(plan.activations + plan.scratch + (method == .full ? plan.gradients : 0),
                                       graph.allocatedBytes, what)
                        if let set {
                            XCTAssertEqual(plan.adapterValues, set.values.count * 4, what)
                            XCTAssertEqual(AdapterSet.valueCount(config: set.config, model: tiny.config), set.values.count)
                        }
                    }
                }
            }
        }
    }
}
