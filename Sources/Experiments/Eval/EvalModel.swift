import Engine

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

    /// Loads the spec's GGUF file (dequantized to fp32 once).
    public static func load(_ spec: ExperimentSpec) throws -> EvalModel {
        let file = try GGUFFile(path: spec.modelPath)
        let transformer = try Transformer(gguf: file)
        let tokenizer = try TokenizerFactory.fromGGUF(file: file)
        let config = transformer.config
        return EvalModel(transformer: transformer, tokenizer: tokenizer,
                         chatTemplate: ChatTemplate.detect(from: file.metadata),
                         info: EvalModelInfo(key: spec.modelKey, family: config.family.rawValue,
                                             parameters: config.parameterCount, path: spec.modelPath))
    }

    /// Recorded with every run (bump when generation or scoring changes outputs).
    public static let engineVersion = "ftlab-engine 0.1"

    /// Token ids that end a row: EOS and the end-of-turn markers the vocabulary has.
    var stopTokenIDs: Set<Int32> {
        var ids = Set<Int32>()
        if let eos = tokenizer.eosID { ids.insert(eos) }
        for text in ["<|im_end|>", "<end_of_turn>", "<|endoftext|>"] {
            if let id = tokenizer.id(forSpecial: text) { ids.insert(id) }
        }
        return ids
    }
}
