import Engine

/// The text a model is fine-tuned on for one example: the lm-eval gsm8k zero-shot prompt
/// (`Question: …\nAnswer:`) and the worked solution (GSM8K's `answer` field, `#### N` included;
/// `#### N` alone when the source has no solution), joined by one space — the same string the
/// evaluation prompt plus its target make, so training and evaluation see one format.
public struct TrainingText: Equatable, Sendable {
    public var prompt: String
    public var answer: String
    /// prompt + " " + answer.
    public var text: String { prompt + " " + answer }

    public init(prompt: String, answer: String) {
        self.prompt = prompt
        self.answer = answer
    }

    /// Built through `PromptBuilder` (zero-shot, question-answer format) so the strings are
    /// exactly those of evaluation. `stripCalculatorAnnotations` drops GSM8K's `<<a*b=c>>`
    /// (the harness, and the loss reference, keep them).
    public init(example: Example, stripCalculatorAnnotations: Bool = false) throws {
        let builder = try PromptBuilder(config: PromptConfig(format: .questionAnswer, shots: 0,
                                                             stripCalculatorAnnotations: stripCalculatorAnnotations))
        let p = try builder.prompt(for: example)
        self.init(prompt: p.text, answer: builder.completion(example))
    }
}
