import Engine

/// How examples become token sequences.
public struct TrainingEncodingOptions: Equatable, Sendable {
    /// Append the tokenizer's EOS so the model learns to stop (off reproduces the loss
    /// reference, whose text rule appends none).
    public var appendEOS: Bool
    /// Longest sequence kept; longer ones lose their tail. nil: no limit.
    public var maxLength: Int?
    public var stripCalculatorAnnotations: Bool

    public init(appendEOS: Bool = true, maxLength: Int? = nil, stripCalculatorAnnotations: Bool = false) {
        self.appendEOS = appendEOS
        self.maxLength = maxLength
        self.stripCalculatorAnnotations = stripCalculatorAnnotations
    }
}

/// What encoding a dataset did, for the run's record.
public struct TrainingDataStats: Equatable, Codable, Sendable {
    public var examples = 0
    /// Sequences kept.
    public var sequences = 0
    /// Kept sequences whose tail was cut at `maxLength` (some answer tokens remain).
    public var truncated = 0
    /// Examples dropped because truncation left no answer token.
    public var droppedAnswerCut = 0
    /// Examples whose prompt tokens are not a prefix of the whole text's tokens (a merge across
    /// the prompt/answer boundary); their mask starts at the common prefix.
    public var promptPrefixMismatches = 0
    public var tokens = 0
    /// Positions that count in the loss, over kept sequences.
    public var answerTokens = 0
    public var longest = 0

    public init() {}
}

/// One example encoded.
public struct EncodedExample {
    public var sequence: TrainingSequence
    /// The prompt's own tokens were not a prefix of the whole string's; `promptTokens` is the
    /// length of the common prefix.
    public var promptPrefixMismatch: Bool
}

public enum TrainingEncoder {
    /// Tokenizes `text.text` as ONE string with the tokenizer's default special tokens (e.g.
    /// gemma's BOS), so the answer's first token is what the model sees after the prompt in one
    /// piece, and counts the prompt's tokens by tokenizing the prompt alone the same way.
    public static func encode(_ text: TrainingText, tokenizer: any Tokenizer, appendEOS: Bool) throws -> EncodedExample {
        var ids = tokenizer.encode(text.text, addSpecialTokens: true)
        let promptIDs = tokenizer.encode(text.prompt, addSpecialTokens: true)
        var common = 0
        while common < promptIDs.count, common < ids.count, ids[common] == promptIDs[common] { common += 1 }
        if appendEOS {
            guard let eos = tokenizer.eosID else {
                throw DatasetError.invalidArgument("the tokenizer has no EOS token; train with EOS appending off")
            }
            if ids.last != eos { ids.append(eos) }
        }
        return EncodedExample(sequence: TrainingSequence(tokens: ids, promptTokens: common),
                              promptPrefixMismatch: common != promptIDs.count)
    }
}

/// A task split as training sequences, in example order (shuffling is `BatchSampler`'s).
public struct TrainingData {
    public let sequences: [TrainingSequence]
    /// `Example.index` of each sequence (dropped examples leave gaps).
    public let exampleIndices: [Int]
    public let stats: TrainingDataStats

    /// The sequences of one micro-batch drawn by `BatchSampler`.
    public func batch(_ indices: [Int]) -> [TrainingSequence] { indices.map { sequences[$0] } }

    public init(examples: [Example], tokenizer: any Tokenizer, options: TrainingEncodingOptions = TrainingEncodingOptions()) throws {
        if let m = options.maxLength, m < 2 { throw DatasetError.invalidArgument("max sequence length must be at least 2, got \(m)") }
        var stats = TrainingDataStats()
        var sequences: [TrainingSequence] = [], indices: [Int] = []
        for example in examples {
            stats.examples += 1
            let text = try TrainingText(example: example, stripCalculatorAnnotations: options.stripCalculatorAnnotations)
            let encoded = try TrainingEncoder.encode(text, tokenizer: tokenizer, appendEOS: options.appendEOS)
            if encoded.promptPrefixMismatch { stats.promptPrefixMismatches += 1 }
            var s = encoded.sequence
            if let m = options.maxLength, s.tokens.count > m {
                // Keep the start: the prompt is needed to condition the answer. Position t is
                // labelled iff t+1 >= promptTokens, so with promptTokens >= m nothing is left.
                guard s.promptTokens < m else { stats.droppedAnswerCut += 1; continue }
                s.tokens.removeLast(s.tokens.count - m)
                stats.truncated += 1
            }
            guard s.tokens.count > s.promptTokens else { stats.droppedAnswerCut += 1; continue }
            sequences.append(s)
            indices.append(example.index)
            stats.sequences += 1
            stats.tokens += s.tokens.count
            stats.answerTokens += s.tokens.count - max(s.promptTokens, 1)
            stats.longest = max(stats.longest, s.tokens.count)
        }
        self.sequences = sequences
        self.exampleIndices = indices
        self.stats = stats
    }
}
