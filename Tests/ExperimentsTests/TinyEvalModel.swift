import Engine
@testable import Experiments

/// One token per byte, plus BOS (256) and EOS (257): enough for the runner, no vocabulary file.
/// Not final: `MergingTokenizer` adds one merged token on top of it.
class ByteTokenizer: Tokenizer, @unchecked Sendable {
    var vocabularySize: Int { 258 }
    var bosID: Int32? { 256 }
    var eosID: Int32? { 257 }
    var addsBOS: Bool { true }
    var addsEOS: Bool { false }
    var parseSpecial: Bool { false }

    func encode(_ text: String, addSpecialTokens: Bool, parseSpecial: Bool) -> [Int32] {
        (addSpecialTokens ? [256] : []) + text.utf8.map { Int32($0) }
    }
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        String(decoding: ids.flatMap(tokenBytes), as: UTF8.self)
    }
    func tokenBytes(_ id: Int32) -> [UInt8] { id < 256 ? [UInt8(id)] : [] }
    func decodeToken(_ id: Int32) -> String { String(decoding: tokenBytes(id), as: UTF8.self) }
    func id(forSpecial text: String) -> Int32? { text == "<s>" ? 256 : text == "</s>" ? 257 : nil }
    func isSpecial(_ id: Int32) -> Bool { id == 256 || id == 257 }
    func piece(_ id: Int32) -> String? { id < vocabularySize ? decodeToken(id) : nil }
}

/// A 2-layer llama with seeded random weights: outputs are gibberish but fully deterministic.
enum TinyEvalModel {
    static func make(seed: UInt64 = 7) throws -> EvalModel {
        let config = ModelConfig(family: .llama, vocabSize: 258, dim: 32, layers: 2, heads: 4, kvHeads: 2,
                                 headDim: 8, ffnDim: 64, normEps: 1e-5, ropeBase: 10000, contextLength: 4096,
                                 tiedEmbeddings: true)
        var rng = SplitMix64(seed: seed)
        let transformer = try Transformer(config: config) { name, buffer in
            for i in buffer.indices {
                buffer[i] = name.contains("norm") ? 1 : Float(Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * 0.6
            }
        }
        return EvalModel(transformer: transformer, tokenizer: ByteTokenizer(), chatTemplate: nil,
                         info: EvalModelInfo(key: "tiny", family: "llama", parameters: config.parameterCount, path: "-"))
    }
}

/// Collects every event, and can ask the runner to stop after a number of batches.
final class RecordingSink: EvalSink {
    var events: [EvalEvent] = []
    var predictions: [EvalPrediction] = []
    var batches = 0
    var failWith: Error?

    func handle(_ event: EvalEvent) throws {
        events.append(event)
        switch event {
        case .prediction(let p): predictions.append(p)
        case .batchCompleted: batches += 1
        default: break
        }
    }

    var status: String {
        switch events.last {
        case .finished?: return "finished"
        case .interrupted?: return "interrupted"
        case .failed(let m)?: return "failed: \(m)"
        default: return "none"
        }
    }
}
