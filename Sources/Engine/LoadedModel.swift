import Foundation

/// Everything needed to run one model file: the transformer, its tokenizer, its chat template
/// (if it is an instruct model) and the token ids that end a generation.
public final class LoadedModel {
    public let path: String
    public let file: GGUFFile
    public let transformer: Transformer
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate?
    public let loadSeconds: Double

    public init(path: String) throws {
        let start = Date()
        self.path = path
        file = try GGUFFile(path: path)
        tokenizer = try TokenizerFactory.fromGGUF(file: file)
        chatTemplate = ChatTemplate.detect(from: file.metadata)
        transformer = try Transformer(gguf: file)
        loadSeconds = Date().timeIntervalSince(start)
    }

    public var config: ModelConfig { transformer.config }

    public var stopTokenIDs: Set<Int32> { tokenizer.generationStopIDs }

    /// The token ids for `text`: plain (with the tokenizer's own BOS rule), or wrapped as one
    /// user turn of the model's chat template.
    public func promptTokens(_ text: String, chat: Bool) throws -> [Int32] {
        guard chat else { return tokenizer.encode(text, addSpecialTokens: true) }
        guard let template = chatTemplate else {
            throw TransformerError.invalidInput("\(path): the model has no chat template; drop --chat")
        }
        let rendered = template.render(messages: [(role: "user", content: text)], addGenerationPrompt: true)
        return tokenizer.encode(rendered, addSpecialTokens: true, parseSpecial: true)
    }

    /// Greedy continuation of `text`, decoded.
    public func generate(_ text: String, maxNewTokens: Int, chat: Bool) throws -> (ids: [Int32], text: String) {
        let prompt = try promptTokens(text, chat: chat)
        let out = transformer.generate(prompts: [prompt], maxNewTokens: maxNewTokens, stopTokenIDs: stopTokenIDs)[0]
        return (out, tokenizer.decode(out, skipSpecialTokens: true))
    }
}

extension Tokenizer {
    /// The ids that end a generated row: EOS plus the end-of-turn markers of chat templates,
    /// where the vocabulary has them.
    public var generationStopIDs: Set<Int32> {
        var ids = Set<Int32>()
        if let eos = eosID { ids.insert(eos) }
        for marker in ["<|im_end|>", "<end_of_turn>", "<|endoftext|>"] {
            if let id = id(forSpecial: marker) { ids.insert(id) }
        }
        return ids
    }
}
