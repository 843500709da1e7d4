import CBLAS
import Foundation

/// Throughput of OpenBLAS sgemm on one product shape.
public struct SGEMMMeasurement: Codable, Sendable, Equatable {
    public var name: String
    public var m: Int, n: Int, k: Int
    public var gflops: Double
}

/// What `EngineBenchmark.run` measures on one model.
public struct EngineBenchmarkResult: Codable, Sendable {
    public var model: String
    public var family: ModelFamily
    public var parameterCount: Int
    public var threads: Int
    public var loadSeconds: Double
    /// sgemm on the model's projection shapes with `prefillTokens` rows (prefill) and 16 rows (decode).
    public var sgemm: [SGEMMMeasurement]
    public var prefillTokens: Int
    public var prefillTokensPerSecond: Double
    /// Prompt length of every row before the timed decode steps.
    public var decodeContext: Int
    public var decodeSteps: Int
    public var decodeBatch1TokensPerSecond: Double
    public var decodeBatch16TokensPerSecond: Double
    /// Decode tokens/s per batch width (`widths`), and the width that did best.
    public var decodeByWidth: [String: Double]
    public var bestDecodeWidth: Int
    /// How the weights were held, and their bytes.
    public var precision: String
    public var weightBytes: Int
    /// VmHWM from /proc/self/status (nil where unavailable).
    public var peakRSSBytes: Int?
    /// Share of forward-pass time per phase (embed, norm, qkvProduct, …) in the prefill and in
    /// batch-16 decode; the products are the `…Product` and `lmHead` phases.
    public var prefillProfile: [String: Double]?
    public var decodeBatch16Profile: [String: Double]?
}

/// Performance measurements for `ftlab bench`. All timings take the best of `repeats` runs.
public enum EngineBenchmark {
    /// Batch widths the decode sweep tries.
    public static let widths = [1, 4, 8, 16, 24, 32]

    /// Loads `path` (quantized blocks unless `precision` says fp32) and measures everything in
    /// `EngineBenchmarkResult`.
    public static func run(path: String, precision: WeightPrecision = .quantized, prefillTokens: Int = 512,
                           decodeContext: Int = 64, decodeSteps: Int = 64, repeats: Int = 3) throws -> EngineBenchmarkResult {
        let start = now()
        let model = try Transformer(ggufPath: path, precision: precision)
        let load = now() - start
        let c = model.config
        var byWidth: [Int: Double] = [:]
        for w in widths {
            byWidth[w] = decodeTokensPerSecond(model, batch: w, context: decodeContext, steps: decodeSteps, repeats: repeats)
        }
        let best = byWidth.max { $0.value < $1.value }!.key
        return EngineBenchmarkResult(
            model: (path as NSString).lastPathComponent, family: c.family, parameterCount: c.parameterCount,
            threads: Parallel.cores, loadSeconds: load,
            sgemm: sgemmOnModelShapes(c, rows: prefillTokens) + sgemmOnModelShapes(c, rows: 16),
            prefillTokens: prefillTokens,
            prefillTokensPerSecond: prefillTokensPerSecond(model, tokens: prefillTokens, repeats: repeats),
            decodeContext: decodeContext, decodeSteps: decodeSteps,
            decodeBatch1TokensPerSecond: byWidth[1]!, decodeBatch16TokensPerSecond: byWidth[16]!,
            decodeByWidth: Dictionary(uniqueKeysWithValues: byWidth.map { ("\($0.key)", $0.value) }),
            bestDecodeWidth: best, precision: precision.rawValue, weightBytes: model.weightBytes,
            peakRSSBytes: peakRSSBytes(),
            prefillProfile: profile { _ = prefillTokensPerSecond(model, tokens: prefillTokens, repeats: 1) },
            decodeBatch16Profile: decodeProfile(model, batch: 16, context: decodeContext, steps: decodeSteps))
    }

    /// Runs `body` with phase timing on and returns each phase's share of the measured time.
    public static func profile(_ body: () -> Void) -> [String: Double] {
        ForwardProfile.reset()
        ForwardProfile.enabled = true
        body()
        ForwardProfile.enabled = false
        return profileShares()
    }

    /// Phase shares of the decode steps alone (the prefill before them not counted).
    public static func decodeProfile(_ model: Transformer, batch: Int, context: Int, steps: Int) -> [String: Double] {
        ForwardProfile.reset()
        _ = decode(model, batch: batch, context: context, steps: steps, repeats: 1, profile: true)
        return profileShares()
    }

    /// Seconds the last `profile` spent inside forward passes (all phases).
    public static func profiledSeconds() -> Double { ForwardProfile.seconds.reduce(0, +) }

    private static func profileShares() -> [String: Double] {
        let total = ForwardProfile.seconds.reduce(0, +)
        var shares: [String: Double] = [:]
        for phase in ForwardProfile.Phase.allCases {
            shares["\(phase)"] = total > 0 ? ForwardProfile.seconds[phase.rawValue] / total : 0
        }
        return shares
    }

    /// GFLOP/s of C[m×n] = A[m×k]·B[n×k]ᵀ on all cores, split as the engine's linear layers are.
    public static func sgemmGFLOPS(m: Int, n: Int, k: Int, minimumSeconds: Double = 0.3) -> Double {
        let a = allocateFloats(m * k), b = allocateFloats(n * k), out = allocateFloats(m * n)
        defer { a.deallocate(); b.deallocate(); out.deallocate() }
        for i in 0..<(m * k) { a[i] = Float(i % 13) * 0.01 }
        for i in 0..<(n * k) { b[i] = Float(i % 7) * 0.01 }
        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        Matmul.linear(a, rows: m, inFeatures: k, weight: b, outFeatures: n, into: out)  // warm-up
        var calls = 0
        let t0 = now()
        repeat {
            Matmul.linear(a, rows: m, inFeatures: k, weight: b, outFeatures: n, into: out)
            calls += 1
        } while now() - t0 < minimumSeconds
        return 2 * Double(m) * Double(n) * Double(k) * Double(calls) / (now() - t0) / 1e9
    }

    /// sgemm throughput on each projection of `config` with `rows` token rows.
    public static func sgemmOnModelShapes(_ c: ModelConfig, rows: Int) -> [SGEMMMeasurement] {
        let shapes = [("qkv", c.qkvDim, c.dim), ("attn_output", c.dim, c.qDim), ("gate_up", 2 * c.ffnDim, c.dim),
                      ("down", c.dim, c.ffnDim), ("lm_head", c.vocabSize, c.dim)]
        return shapes.map { name, n, k in
            SGEMMMeasurement(name: "\(name)@\(rows)", m: rows, n: n, k: k, gflops: sgemmGFLOPS(m: rows, n: n, k: k))
        }
    }

    /// Tokens per second of a batch-1 prefill of `tokens` tokens (logits for the last one only).
    public static func prefillTokensPerSecond(_ model: Transformer, tokens: Int, repeats: Int = 3) -> Double {
        let prompt = syntheticTokens(count: tokens, vocab: model.config.vocabSize, seed: 1)
        let cache = model.makeCache(rows: 1, capacity: tokens)
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            cache.reset()
            let t0 = now()
            model.prefill(tokens: [prompt], cache: cache)
            best = min(best, now() - t0)
        }
        return Double(tokens) / best
    }

    /// Generated tokens per second of greedy decoding, `batch` rows each starting from a
    /// `context`-token prompt, over `steps` decode steps (prefill not timed).
    public static func decodeTokensPerSecond(_ model: Transformer, batch: Int, context: Int, steps: Int,
                                             repeats: Int = 3) -> Double {
        decode(model, batch: batch, context: context, steps: steps, repeats: repeats, profile: false)
    }

    private static func decode(_ model: Transformer, batch: Int, context: Int, steps: Int, repeats: Int,
                               profile: Bool) -> Double {
        let prompts = (0..<batch).map { syntheticTokens(count: context, vocab: model.config.vocabSize, seed: UInt64($0 + 7)) }
        let cache = model.makeCache(rows: batch, capacity: context + steps)
        let rows = Array(0..<batch)
        var next = [Int32](repeating: 0, count: batch)
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            cache.reset()
            var logits = model.prefill(tokens: prompts, cache: cache)
            ForwardProfile.enabled = profile
            let t0 = now()
            for _ in 0..<steps {
                for i in 0..<batch { next[i] = logits.argmax(i) }
                logits = model.run(entries: batch, cache: cache, row: { rows[$0] }, count: { _ in 1 },
                                   token: { i, _ in next[i] })
            }
            best = min(best, now() - t0)
            ForwardProfile.enabled = false
        }
        return Double(batch * steps) / best
    }

    /// Peak resident set size (VmHWM) of this process, from /proc/self/status.
    public static func peakRSSBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return peakRSSBytes(status: status)
    }

    /// VmHWM from the text of /proc/self/status. The value is right-aligned after a tab
    /// ("VmHWM:\t    2256 kB"); from 10 GB on it has no spaces before it ("VmHWM:\t12345678 kB").
    public static func peakRSSBytes(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, let kb = Int(first) else { return nil }
            return kb * 1024
        }
        return nil
    }

    static func syntheticTokens(count: Int, vocab: Int, seed: UInt64) -> [Int32] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int32(truncatingIfNeeded: state % UInt64(min(vocab, 32_000)))
        }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
