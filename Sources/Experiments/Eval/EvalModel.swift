import Engine
import Foundation

/// A model ready to generate: weights, tokenizer, chat template and what the database records.
public struct EvalModel: @unchecked Sendable {
    public let transformer: Transformer
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate?
    public let info: EvalModelInfo

    public init(transformer: Transformer, tokenizer: any Tokenizer, chatTemplate: ChatTemplate?, info: EvalModelInfo) {
        self.transformer = transformer
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.info = info
    }

    /// Loads the spec's model; a GGUF's matrices stay in their quantized blocks.
    /// With an adapter, the base is loaded in fp32 and the adapter merged into it.
    public static func load(_ spec: ExperimentSpec) throws -> EvalModel {
        let loaded = try spec.adapter.map { try PEFTAdapter.loadMerged(basePath: spec.modelPath, adapter: URL(fileURLWithPath: $0)) }
            ?? LoadedModel(path: spec.modelPath, precision: spec.precision)
        let config = loaded.config
        return EvalModel(transformer: loaded.transformer, tokenizer: loaded.tokenizer,
                         chatTemplate: loaded.chatTemplate,
                         info: EvalModelInfo(key: spec.modelKey, family: config.family.rawValue,
                                             parameters: config.parameterCount, path: spec.adapter ?? spec.modelPath))
    }

    /// Recorded with every run (bump when generation or scoring changes outputs).
    /// 0.2: products on the quantized blocks, continuous batching.
    public static let engineVersion = "ftlab-engine 0.2"

    /// Token ids that end a row: EOS and the end-of-turn markers the vocabulary has.
    var stopTokenIDs: Set<Int32> { tokenizer.generationStopIDs }
}
