import Foundation

/// Everything needed to run one model: the transformer, its tokenizer, its chat template
/// (if it is an instruct model) and the token ids that end a generation.
public final class LoadedModel {
    public let path: String
    /// The GGUF file, when `path` is one.
    public let file: GGUFFile?
    /// The Hugging Face checkpoint, when `path` is a directory.
    public let checkpoint: HuggingFaceCheckpoint?
    public let transformer: Transformer
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate?
    public let loadSeconds: Double

    /// `path` is a GGUF file, or a Hugging Face directory (config.json, tokenizer.json,
    /// safetensors; see `HuggingFaceCheckpoint`). For a directory the chat template comes from
    /// tokenizer_config.json's `chat_template`, else — as for GGUF files without one — from the
    /// turn markers in the vocabulary. A GGUF's matrices stay quantized unless `precision` is
    /// `.fp32` (training); a Hugging Face directory is always fp32.
    public init(path: String, precision: WeightPrecision = .quantized) throws {
        let start = Date()
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let checkpoint = try HuggingFaceCheckpoint(path: path)
            self.checkpoint = checkpoint
            file = nil
            tokenizer = try checkpoint.makeTokenizer()
            if let text = checkpoint.chatTemplateText {
                chatTemplate = ChatTemplate.detect(templateText: text)
            } else {
                chatTemplate = Self.templateFromVocabulary(tokenizer)
            }
            transformer = try Transformer(huggingFace: checkpoint)
        } else {
            let file = try GGUFFile(path: path)
            self.file = file
            checkpoint = nil
            tokenizer = try TokenizerFactory.fromGGUF(file: file)
            chatTemplate = ChatTemplate.detect(from: file.metadata)
            transformer = try Transformer(gguf: file, precision: precision)
        }
        loadSeconds = Date().timeIntervalSince(start)
    }

    /// The same inference `ChatTemplate.detect(from:)` makes for a GGUF without a template.
    static func templateFromVocabulary(_ t: any Tokenizer) -> ChatTemplate? {
        if t.id(forSpecial: "<start_of_turn>") != nil && t.id(forSpecial: "<end_of_turn>") != nil { return ChatTemplate(style: .gemma) }
        if t.id(forSpecial: "<|im_start|>") != nil && t.id(forSpecial: "<|im_end|>") != nil { return ChatTemplate(style: .chatML) }
        return nil
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
