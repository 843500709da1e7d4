import Engine
import Foundation

/// One row to score: the context's tokens and the continuation's tokens after it.
public struct ContinuationRequest: Equatable, Sendable {
    public var context: [Int32]
    public var continuation: [Int32]
    /// UTF-8 bytes of the continuation text (lm-eval's `acc_norm` divides by it).
    public var bytes: Int

    public init(context: [Int32], continuation: [Int32], bytes: Int) {
        self.context = context
        self.continuation = continuation
        self.bytes = bytes
    }
}

/// The log-likelihood of a continuation given its context.
public struct ContinuationScore: Equatable, Sendable {
    /// Sum over the continuation's tokens of log P(token | everything before it).
    public var logProb: Double
    public var tokens: Int
    public var bytes: Int
}

/// Scores continuations by log-likelihood through the public engine API: every row's context is
/// prefilled, the last-position logits give P(cont[0]), then cont[i] is fed with `decodeStep` to the
/// rows that still have tokens to score, giving P(cont[i+1]).
public struct ContinuationScorer {
    public let transformer: Transformer
    public let tokenizer: any Tokenizer

    public init(transformer: Transformer, tokenizer: any Tokenizer) {
        self.transformer = transformer
        self.tokenizer = tokenizer
    }

    /// lm-evaluation-harness `_encode_pair`: trailing spaces of the context move to the
    /// continuation; the continuation's tokens are those of encode(context + continuation) after
    /// encode(context) when the joint encoding starts with it, else encode(continuation) alone
    /// (without special tokens). BOS as the tokenizer adds it; an empty context becomes BOS (or EOS).
    public func request(context: String, continuation: String) -> ContinuationRequest {
        var context = context
        var continuation = continuation
        let spaces = context.reversed().prefix { $0 == " " }.count
        if spaces > 0 {
            continuation = String(context.suffix(spaces)) + continuation
            context = String(context.dropLast(spaces))
        }
        var contextTokens = tokenizer.encode(context)
        let whole = tokenizer.encode(context + continuation)
        let continuationTokens: [Int32]
        if whole.count >= contextTokens.count, whole.starts(with: contextTokens) {
            continuationTokens = Array(whole[contextTokens.count...])
        } else {
            continuationTokens = tokenizer.encode(continuation, addSpecialTokens: false)
        }
        if contextTokens.isEmpty, let start = tokenizer.bosID ?? tokenizer.eosID { contextTokens = [start] }
        return ContinuationRequest(context: contextTokens, continuation: continuationTokens,
                                   bytes: continuation.utf8.count)
    }

    /// One score per request, in order. Contexts must be non-empty.
    public func score(_ requests: [ContinuationRequest]) -> [ContinuationScore] {
        var sums = [Double](repeating: 0, count: requests.count)
        let live = requests.indices.filter { !requests[$0].continuation.isEmpty }
        if !live.isEmpty {
            let capacity = live.map { requests[$0].context.count + requests[$0].continuation.count }.max()!
            let cache = transformer.makeCache(rows: live.count, capacity: capacity)
            // Cache row j holds request live[j].
            var logits = transformer.prefill(tokens: live.map { requests[$0].context }, cache: cache)
            for (j, r) in live.enumerated() {
                sums[r] += Self.logSoftmax(logits[j], at: requests[r].continuation[0])
            }
            var step = 0
            while true {
                // Rows with a token after cont[step]: feed cont[step], score cont[step + 1].
                let rows = live.indices.filter { requests[live[$0]].continuation.count > step + 1 }
                if rows.isEmpty { break }
                logits = transformer.decodeStep(tokens: rows.map { requests[live[$0]].continuation[step] },
                                                rows: rows, cache: cache)
                for (k, j) in rows.enumerated() {
                    let r = live[j]
                    sums[r] += Self.logSoftmax(logits[k], at: requests[r].continuation[step + 1])
                }
                step += 1
            }
        }
        return requests.indices.map {
            ContinuationScore(logProb: sums[$0], tokens: requests[$0].continuation.count, bytes: requests[$0].bytes)
        }
    }

    /// log softmax(logits)[token], with the maximum subtracted and the sum taken in Double.
    public static func logSoftmax(_ logits: UnsafeBufferPointer<Float>, at token: Int32) -> Double {
        var m = -Float.infinity
        for x in logits where x > m { m = x }
        var sum = 0.0
        for x in logits { sum += exp(Double(x - m)) }
        return Double(logits[Int(token)] - m) - log(sum)
    }
}
