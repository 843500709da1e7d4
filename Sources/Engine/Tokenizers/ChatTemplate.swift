/// Native renderers for the chat formats the study models use, recognised from the Jinja template
/// text in GGUF `tokenizer.chat_template` (no Jinja interpreter).
public struct ChatTemplate: Sendable, Equatable {
    public enum Style: String, Sendable {
        /// `<|im_start|>role\ncontent<|im_end|>\n` (SmolLM2, Qwen2.5).
        case chatML
        /// `<start_of_turn>user\ncontent<end_of_turn>\n`, assistant role written "model" (Gemma).
        case gemma
    }

    public let style: Style
    /// The system turn ChatML templates insert when the conversation does not start with one.
    public let defaultSystemPrompt: String?

    public init(style: Style, defaultSystemPrompt: String? = nil) {
        self.style = style
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Text that ends an assistant turn (a stop string for generation).
    public var endOfTurn: String { style == .chatML ? "<|im_end|>" : "<end_of_turn>" }

    /// The template of a GGUF file: from `tokenizer.chat_template` when present, else inferred from
    /// the turn tokens in the vocabulary (gemma-3-270m ships without a template). Nil if neither.
    public static func detect(from metadata: [String: GGUFValue]) -> ChatTemplate? {
        if let text = metadata["tokenizer.chat_template"]?.string { return detect(templateText: text) }
        let tokens = Set(metadata["tokenizer.ggml.tokens"]?.stringArray ?? [])
        if tokens.contains("<start_of_turn>") && tokens.contains("<end_of_turn>") { return ChatTemplate(style: .gemma) }
        if tokens.contains("<|im_start|>") && tokens.contains("<|im_end|>") { return ChatTemplate(style: .chatML) }
        return nil
    }

    /// Recognises a Jinja chat template by its turn markers; nil for unknown formats.
    public static func detect(templateText: String) -> ChatTemplate? {
        if templateText.contains("<|im_start|>") {
            return ChatTemplate(style: .chatML, defaultSystemPrompt: defaultSystem(in: templateText))
        }
        if templateText.contains("<start_of_turn>") { return ChatTemplate(style: .gemma) }
        return nil
    }

    /// The literal system prompt in `'<|im_start|>system\n…<|im_end|>` (SmolLM2 and Qwen write the
    /// default this way; the branch that uses the caller's system message concatenates a variable
    /// instead, so its text right after the marker is a quote and is skipped).
    static func defaultSystem(in template: String) -> String? {
        let marker = "<|im_start|>system"
        var rest = Substring(template)
        while let r = rest.range(of: marker) {
            rest = rest[r.upperBound...]
            var body = rest
            if body.hasPrefix("\\n") { body = body.dropFirst(2) } else if body.hasPrefix("\n") { body = body.dropFirst() } else { continue }
            guard let end = body.range(of: "<|im_end|>") else { continue }
            let text = body[..<end.lowerBound]
            if text.isEmpty || text.contains("'") || text.contains("\"") || text.contains("{") { continue }
            return unescapeJinja(String(text))
        }
        return nil
    }

    /// Backslash escapes inside a Jinja string literal.
    static func unescapeJinja(_ s: String) -> String {
        var out = ""
        var escaping = false
        for ch in s {
            if escaping {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(ch)
                }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// The prompt text for `messages`, ending with the assistant header when `addGenerationPrompt`.
    /// BOS is not written: encode the result with `addSpecialTokens: true` so the tokenizer adds it
    /// where the model wants one.
    public func render(messages: [(role: String, content: String)], addGenerationPrompt: Bool) -> String {
        switch style {
        case .chatML: return renderChatML(messages, addGenerationPrompt)
        case .gemma: return renderGemma(messages, addGenerationPrompt)
        }
    }

    private func renderChatML(_ messages: [(role: String, content: String)], _ addGenerationPrompt: Bool) -> String {
        var out = ""
        if let system = defaultSystemPrompt, messages.first?.role != "system" {
            out += "<|im_start|>system\n" + system + "<|im_end|>\n"
        }
        for m in messages { out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n" }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    /// Gemma's template: a leading system message is folded into the first user turn, contents are
    /// trimmed, and the assistant role is called "model".
    private func renderGemma(_ messages: [(role: String, content: String)], _ addGenerationPrompt: Bool) -> String {
        var out = ""
        var prefix = ""
        var turns = messages[...]
        if let first = turns.first, first.role == "system" {
            prefix = first.content + "\n\n"
            turns = turns.dropFirst()
        }
        for (i, m) in turns.enumerated() {
            let role = m.role == "assistant" ? "model" : m.role
            // Only the message is trimmed; the folded system text keeps its "\n\n".
            out += "<start_of_turn>" + role + "\n" + (i == 0 ? prefix : "") + m.content.trimmingWhitespace() + "<end_of_turn>\n"
        }
        if addGenerationPrompt { out += "<start_of_turn>model\n" }
        return out
    }
}

private extension String {
    /// Jinja's `trim`: leading and trailing whitespace removed.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
