import Engine

/// The prompts of a run, tokenized, in dataset order, and the prefix they share. Planned over
/// *every* selected example — not only the pending ones — so a resumed run shares the same prefix
/// as an uninterrupted run.
struct EvalPlan {
    struct Item {
        let example: Example
        let prompt: String
        let tokens: [Int32]
    }

    let items: [Item]
    /// Tokens every prompt starts with; prefilled once when long enough to be worth it.
    let sharedPrefix: [Int32]

    /// Below this, a shared prefix is not worth a separate cache (zero-shot prompts share only
    /// `Question:`).
    static let minimumSharedPrefix = 16

    init(spec: ExperimentSpec, model: EvalModel, examples: [Example], shotPool: [Example]) throws {
        let config = PromptConfig(format: spec.promptFormat, shots: spec.shots, seed: spec.seed,
                                  selection: spec.fixed ? .fixed : .perQuestion)
        let builder = try PromptBuilder(config: config, shotPool: shotPool, evaluating: examples)
        var items: [Item] = []
        items.reserveCapacity(examples.count)
        for example in examples {
            let prompt = try builder.prompt(for: example)
            let text: String
            if spec.chat {
                guard let template = model.chatTemplate else {
                    throw EvalError.invalid("model \(model.info.key) has no chat template; drop `chat`")
                }
                text = template.render(messages: prompt.messages.map { ($0.role.rawValue, $0.content) },
                                       addGenerationPrompt: true)
            } else {
                text = prompt.text
            }
            let tokens = model.tokenizer.encode(text)
            guard !tokens.isEmpty else { throw EvalError.invalid("example \(example.index) has an empty prompt") }
            items.append(Item(example: example, prompt: text, tokens: tokens))
        }
        self.items = items
        // The common token prefix of the actual tokenizations (not the tokenized shot text,
        // whose last tokens can merge differently), kept one short of the shortest prompt so
        // every row still has a suffix to prefill.
        var common = items.first?.tokens ?? []
        for item in items.dropFirst() {
            var n = 0
            while n < common.count, n < item.tokens.count, common[n] == item.tokens[n] { n += 1 }
            common.removeSubrange(n...)
        }
        if let shortest = items.map(\.tokens.count).min(), common.count >= shortest {
            common = Array(common.prefix(shortest - 1))
        }
        sharedPrefix = common.count >= Self.minimumSharedPrefix ? common : []
    }
}

public enum EvalError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String {
        switch self { case let .invalid(m): return m }
    }
}
