/// How an answer is read from a model's output.
public enum ExtractionRule: String, CaseIterable, Sendable {
    /// lm-evaluation-harness `strict-match`: the first `#### N` (regex `#### (\-?[0-9\.\,]+)`),
    /// compared as text after the harness's normalisation (drop `,` and `$`, a trailing `.`).
    case strict
    /// The last number in the output (`NumberText.scan`), compared like `strict`. Close to
    /// the harness's `flexible-extract`, with a stricter number grammar (no ordinals, no `1,2,3`).
    case flexible
    /// The strict answer when there is one, else the last number; compared as numbers:
    /// `72.00` = `72`, `1,000` = `1000`, `$5` = `5`, `.5` = `0.5`, `50%` = `50`.
    case numeric
}

/// The result of scoring one output under every rule.
public struct AnswerScore: Equatable, Sendable {
    /// The output after cutting at the first stop string: what was scored.
    public var output: String
    /// Extracted text per rule; a rule that found nothing has no entry.
    public var extracted: [ExtractionRule: String]
    public var correct: [ExtractionRule: Bool]

    public func isCorrect(_ rule: ExtractionRule) -> Bool { correct[rule] ?? false }
}

/// Extracts and scores numeric answers from generated text.
public struct AnswerExtractor: Sendable {
    /// The harness's `until` strings for gsm8k plus a triple newline (runaway generations).
    public static let defaultStopStrings = ["Question:", "\n\n\n", "</s>", "<|im_end|>"]

    public var stopStrings: [String]

    public init(stopStrings: [String] = AnswerExtractor.defaultStopStrings) {
        self.stopStrings = stopStrings
    }

    /// The output up to (not including) the earliest stop string.
    public func truncate(_ output: String) -> String {
        var cut = output.endIndex
        for stop in stopStrings where !stop.isEmpty {
            if let r = output.range(of: stop), r.lowerBound < cut { cut = r.lowerBound }
        }
        return String(output[..<cut])
    }

    /// The answer text a rule reads from `output` (truncated first); nil when none.
    public func extract(_ output: String, rule: ExtractionRule) -> String? {
        let text = truncate(output)
        switch rule {
        case .strict: return Self.strictMatch(text)
        case .flexible: return NumberText.scan(text).last?.text
        case .numeric:
            if let s = Self.strictMatch(text), let v = NumberText.canonical(s) { return v }
            return NumberText.scan(text).last?.value
        }
    }

    /// Extraction and correctness under every rule against a gold answer.
    public func score(_ output: String, gold: String) -> AnswerScore {
        let text = truncate(output)
        var extracted: [ExtractionRule: String] = [:]
        var correct: [ExtractionRule: Bool] = [:]
        let goldNumber = NumberText.canonical(gold)
        for rule in ExtractionRule.allCases {
            let found = extract(text, rule: rule)
            extracted[rule] = found
            guard let found else { correct[rule] = false; continue }
            switch rule {
            case .strict, .flexible: correct[rule] = Self.harnessNormalized(found) == Self.harnessNormalized(gold)
            case .numeric: correct[rule] = goldNumber != nil && found == goldNumber
            }
        }
        return AnswerScore(output: text, extracted: extracted, correct: correct)
    }

    /// The harness's exact-match normalisation for gsm8k: ignore case, `,`, `$`, a trailing `.`.
    static func harnessNormalized(_ s: String) -> String {
        var t = s.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")
        if t.hasSuffix(".") { t.removeLast() }
        return t.trimmingWhitespace().lowercased()
    }

    /// First `#### ` followed by `-?[0-9.,]+`, as the harness regex finds it.
    static func strictMatch(_ text: String) -> String? {
        var rest = text[...]
        while let r = rest.range(of: "#### ") {
            var after = rest[r.upperBound...]
            var body = ""
            if after.first == "-" { body = "-"; after = after.dropFirst() }
            let run = after.prefix(while: { $0.isASCIIDigit || $0 == "." || $0 == "," })
            if !run.isEmpty { return body + run }
            rest = rest[r.upperBound...]
        }
        return nil
    }
}
