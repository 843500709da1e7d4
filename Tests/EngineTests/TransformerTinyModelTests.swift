import XCTest
@testable import Engine

/// Small random models of each family against a slow, straightforward float64 implementation
/// written here independently, in Hugging Face's conventions: for llama it un-permutes nothing —
/// it draws Hugging Face-layout Q/K weights, applies half-split RoPE, and hands the engine the rows
/// permuted the way llama.cpp's converter does, so the adjacent-pair RoPE is checked too.
final class TransformerTinyModelTests: XCTestCase {
    func testLlamaMatchesFloat64Reference() throws {
        try checkAgainstReference(TinyModel(family: .llama, seed: 1))
    }

    func testQwen2MatchesFloat64Reference() throws {
        try checkAgainstReference(TinyModel(family: .qwen2, seed: 2))
    }

    func testGemma3MatchesFloat64Reference() throws {
        // Window 4 on the local layers, sequences longer than that: the window matters.
        try checkAgainstReference(TinyModel(family: .gemma3, seed: 3))
    }

    /// Every position's logits, through prefill (last position) and through token-by-token decode.
    private func checkAgainstReference(_ tiny: TinyModel) throws {
        let model = try tiny.transformer()
        let tokens: [Int32] = (0..<11).map { Int32(($0 * 7 + 3) % tiny.config.vocabSize) }
        let reference = tiny.referenceLogits(tokens)
        // Prefill of the whole sequence: last position.
        let last = model.logits(tokens: tokens)
        assertClose(last, reference.last!, "prefill, \(tiny.config.family)")
        // Decode token by token: every position.
        let cache = model.makeCache(rows: 1, capacity: tokens.count)
        for (t, token) in tokens.enumerated() {
            let logits = model.decodeStep(tokens: [token], cache: cache)
            assertClose(logits.array(0), reference[t], "decode position \(t), \(tiny.config.family)")
        }
        // Small chunks and query blocks exercise the chunked prefill and the blocked attention.
        let chunked = model.makeCache(rows: 1, capacity: tokens.count)
        chunked.scratch.maxChunkTokens = 4
        chunked.scratch.queryBlock = 3
        assertClose(model.prefill(tokens: [tokens], cache: chunked).array(0), reference.last!, "chunked prefill")
    }

    /// Sequences over several 64-position KV pages: decode token by token and prefill in chunks
    /// that cross page boundaries, against the float64 reference; gemma3's local layers (window 4)
    /// give back the pages no query can see any more.
    func testSequencesAcrossKVPagesMatchReference() throws {
        for family in [ModelFamily.llama, .gemma3] {
            let tiny = TinyModel(family: family, seed: 30)
            let model = try tiny.transformer()
            let n = 150
            let tokens: [Int32] = (0..<n).map { Int32(($0 * 13 + 5) % tiny.config.vocabSize) }
            let reference = tiny.referenceLogits(tokens)
            let cache = model.makeCache(rows: 1, capacity: n)
            for (t, token) in tokens.enumerated() {
                let logits = model.decodeStep(tokens: [token], cache: cache)
                if t % 10 == 9 || t == 63 || t == 64 || t == 128 {
                    assertClose(logits.array(0), reference[t], "\(family) decode position \(t)")
                }
            }
            let pages = (n + KVCache.pageSize - 1) / KVCache.pageSize
            let pageBytes = 2 * tiny.config.kvHeads * KVCache.pageSize * tiny.config.headDim * 4
            if family == .gemma3 {
                // Layers 0 and 1 are local (window 4): one page each once past position 128; layer 2 keeps all 3.
                XCTAssertEqual(cache.heldBytes, (1 + 1 + pages) * pageBytes, "gemma3 pages held")
            } else {
                XCTAssertEqual(cache.heldBytes, tiny.config.layers * pages * pageBytes, "llama pages held")
            }
            let chunked = model.makeCache(rows: 1, capacity: n)
            chunked.scratch.maxChunkTokens = 50
            assertClose(model.prefill(tokens: [tokens], cache: chunked).array(0), reference.last!, "\(family) chunked prefill")
            chunked.resetRow(0)
            XCTAssertEqual(chunked.heldBytes, 0, "a reset row gives its pages back")
            XCTAssertEqual(chunked.lengths[0], 0)
            // A cache with a shared prefix: reset forgets the prefix too, so rows start empty.
            let prefix = PrefixCache(model: model, tokens: Array(tokens.prefix(5)))
            let shared = model.makeCache(rows: 2, capacity: 20)
            shared.attachPrefix(prefix.cache, count: 5)
            model.forward([[1, 2], [3]], cache: shared)
            shared.reset()
            XCTAssertEqual(shared.lengths, [0, 0], "\(family): reset forgets the prefix")
            XCTAssertEqual(shared.heldBytes, 0)
        }
    }

    func testBatchedPrefillMatchesSingleRows() throws {
        for family in ModelFamily.allCases {
            let tiny = TinyModel(family: family, seed: 10)
            let model = try tiny.transformer()
            let prompts: [[Int32]] = [[1, 2, 3, 4, 5, 6, 7], [9], [4, 4, 8, 15, 16]]
            let cache = model.makeCache(rows: 3, capacity: 8)
            let batched = model.prefill(tokens: prompts, cache: cache)
            for (i, p) in prompts.enumerated() {
                assertClose(batched.array(i), tiny.referenceLogits(p).last!, "\(family) row \(i)")
            }
        }
    }

    func testBatchedGenerationMatchesBatchOfOne() throws {
        for family in ModelFamily.allCases {
            let model = try TinyModel(family: family, seed: 20).transformer()
            let prompts: [[Int32]] = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [9], [4, 4, 8, 15, 16], [30, 31]]
            let batched = model.generate(prompts: prompts, maxNewTokens: 12, stopTokenIDs: [])
            for (i, p) in prompts.enumerated() {
                XCTAssertEqual(batched[i], model.generate(prompts: [p], maxNewTokens: 12)[0], "\(family) row \(i)")
                XCTAssertEqual(batched[i].count, 12)
            }
        }
    }

    func testStopTokensAndStopCondition() throws {
        let model = try TinyModel(family: .llama, seed: 30).transformer()
        let prompts: [[Int32]] = [[1, 2, 3], [5, 6]]
        let free = model.generate(prompts: prompts, maxNewTokens: 10)
        // Stop at row 0's third token: it is not included, row 1 is unaffected unless it meets it.
        let stopID = free[0][2]
        let stopped = model.generate(prompts: prompts, maxNewTokens: 10, stopTokenIDs: [stopID])
        XCTAssertEqual(stopped[0], Array(free[0].prefix(while: { $0 != stopID })))
        XCTAssertEqual(stopped[1], Array(free[1].prefix(while: { $0 != stopID })))
        // A stop condition ends a row after the token that triggers it.
        let conditioned = model.generate(prompts: prompts, maxNewTokens: 10) { row, ids in row == 1 && ids.count == 4 }
        XCTAssertEqual(conditioned[0], free[0])
        XCTAssertEqual(conditioned[1], Array(free[1].prefix(4)))
        XCTAssertEqual(model.generate(prompts: prompts, maxNewTokens: 0), [[], []])
    }

    func testSharedPrefixGenerationMatchesPlainGeneration() throws {
        for family in ModelFamily.allCases {
            let model = try TinyModel(family: family, seed: 40).transformer()
            let prefix: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
            let suffixes: [[Int32]] = [[5, 3], [5], [8, 9, 7, 9], []]
            let shared = PrefixCache(model: model, tokens: prefix)
            let viaPrefix = model.generate(prefix: shared, suffixes: suffixes, maxNewTokens: 9)
            let plain = model.generate(prompts: suffixes.map { prefix + $0 }, maxNewTokens: 9)
            XCTAssertEqual(viaPrefix, plain, "\(family)")
        }
    }

    /// Rows over an attached (shared, uncopied) prefix give the same logits as rows that hold the
    /// whole prompt, through the suffix prefill and a run of batched decode steps — including, for
    /// gemma3 (window 4), rows whose window has moved past the prefix.
    func testSharedPrefixLogitsMatchPlainRows() throws {
        for family in ModelFamily.allCases {
            let model = try TinyModel(family: family, seed: 41).transformer()
            let prefix: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
            let suffixes: [[Int32]] = [[5, 3], [5], [8, 9, 7, 9], [2, 7, 1]]
            let shared = PrefixCache(model: model, tokens: prefix)
            let viaPrefix = model.makeCache(rows: 4, capacity: 24)
            viaPrefix.attachPrefix(shared.cache, count: prefix.count)
            let plain = model.makeCache(rows: 4, capacity: 24)
            var a = model.forward(suffixes, cache: viaPrefix)
            var b = model.prefill(tokens: suffixes.map { prefix + $0 }, cache: plain)
            for step in 0..<7 {
                for r in 0..<4 { assertClose(a.array(r), b.array(r).map(Double.init), "\(family) step \(step) row \(r)") }
                // Rows 1 and 3 sit out some steps, so rows end up at different positions.
                let rows = step % 2 == 0 ? [0, 1, 2, 3] : [0, 2]
                let tokens = rows.map { Int32(($0 * 5 + step * 3) % 16) }
                a = model.decodeStep(tokens: tokens, rows: rows, cache: viaPrefix)
                b = model.decodeStep(tokens: tokens, rows: rows, cache: plain)
                if rows.count < 4 {
                    for (i, r) in rows.enumerated() { assertClose(a.array(i), b.array(i).map(Double.init), "\(family) step \(step) row \(r)") }
                    a = model.decodeStep(tokens: [1, 1, 1, 1], cache: viaPrefix)
                    b = model.decodeStep(tokens: [1, 1, 1, 1], cache: plain)
                }
            }
        }
    }

    func testConfigParameterCountMatchesWeights() throws {
        for family in ModelFamily.allCases {
            let tiny = TinyModel(family: family, seed: 50)
            let total = tiny.tensors.values.reduce(0) { $0 + $1.count }
            XCTAssertEqual(tiny.config.parameterCount, total, "\(family)")
        }
    }

    private func assertClose(_ a: [Float], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        var worst = 0.0
        for i in 0..<min(a.count, b.count) { worst = max(worst, abs(Double(a[i]) - b[i]) / max(abs(b[i]), 1)) }
        XCTAssertLessThan(worst, 2e-5, "\(what): max relative difference \(worst)", file: file, line: line)
    }
}

/// A random model with GGUF-named tensors and its float64 reference forward.
struct TinyModel {
    let config: ModelConfig
    /// Hugging Face layout (Q/K rows unpermuted), row-major [out, in], in Double.
    var hf: [String: [Double]] = [:]
    /// What the GGUF would hold (llama: Q/K rows permuted), in Float.
    var tensors: [String: [Float]] = [:]

    init(family: ModelFamily, seed: UInt64) {
        var c: ModelConfig
        switch family {
        case .llama:
            c = ModelConfig(family: .llama, vocabSize: 61, dim: 40, layers: 2, heads: 4, kvHeads: 2, headDim: 10,
                            ffnDim: 72, normEps: 1e-5, ropeBase: 10_000, contextLength: 64, tiedEmbeddings: true)
        case .qwen2:
            c = ModelConfig(family: .qwen2, vocabSize: 53, dim: 48, layers: 2, heads: 6, kvHeads: 2, headDim: 8,
                            ffnDim: 56, normEps: 1e-6, ropeBase: 1_000_000, contextLength: 64, tiedEmbeddings: false)
        case .gemma3:
            c = ModelConfig(family: .gemma3, vocabSize: 47, dim: 24, layers: 3, heads: 2, kvHeads: 1, headDim: 16,
                            ffnDim: 40, normEps: 1e-6, ropeBase: 1_000_000, contextLength: 64, tiedEmbeddings: true,
                            localRopeBase: 10_000, slidingWindow: 4, globalLayerInterval: 3, attentionScale: 0.3)
        }
        config = c
        var rng = SplitMix64(seed: seed)
        func random(_ n: Int, _ scale: Double) -> [Double] { (0..<n).map { _ in (rng.nextDouble() * 2 - 1) * scale } }
        func norm(_ n: Int) -> [Double] { (0..<n).map { _ in 1 + (rng.nextDouble() * 2 - 1) * 0.3 } }
        hf["token_embd.weight"] = random(c.vocabSize * c.dim, family == .gemma3 ? 0.2 : 1)
        if !c.tiedEmbeddings { hf["output.weight"] = random(c.vocabSize * c.dim, 0.5) }
        hf["output_norm.weight"] = norm(c.dim)
        let s = 1 / Double(c.dim).squareRoot()
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            hf[p + "attn_norm.weight"] = norm(c.dim)
            hf[p + "attn_q.weight"] = random(c.qDim * c.dim, 2 * s)
            hf[p + "attn_k.weight"] = random(c.kvDim * c.dim, 2 * s)
            hf[p + "attn_v.weight"] = random(c.kvDim * c.dim, 2 * s)
            hf[p + "attn_output.weight"] = random(c.dim * c.qDim, 1 / Double(c.qDim).squareRoot())
            hf[p + "ffn_norm.weight"] = norm(c.dim)
            hf[p + "ffn_gate.weight"] = random(c.ffnDim * c.dim, 2 * s)
            hf[p + "ffn_up.weight"] = random(c.ffnDim * c.dim, 2 * s)
            hf[p + "ffn_down.weight"] = random(c.dim * c.ffnDim, 1 / Double(c.ffnDim).squareRoot())
            if c.qkvBias {
                hf[p + "attn_q.bias"] = random(c.qDim, 0.5)
                hf[p + "attn_k.bias"] = random(c.kvDim, 0.5)
                hf[p + "attn_v.bias"] = random(c.kvDim, 0.5)
            }
            if c.qkNorm {
                hf[p + "attn_q_norm.weight"] = norm(c.headDim)
                hf[p + "attn_k_norm.weight"] = norm(c.headDim)
            }
            if c.sandwichNorms {
                hf[p + "post_attention_norm.weight"] = norm(c.dim)
                hf[p + "post_ffw_norm.weight"] = norm(c.dim)
            }
        }
        for (name, values) in hf {
            var v = values
            if family == .llama, name.hasSuffix("attn_q.weight") || name.hasSuffix("attn_k.weight") {
                v = Self.llamaCppPermute(values, heads: name.hasSuffix("attn_q.weight") ? c.heads : c.kvHeads,
                                         headDim: c.headDim, columns: c.dim)
            }
            tensors[name] = v.map(Float.init)
        }
    }

    func transformer() throws -> Transformer {
        try Transformer(config: config) { name in
            guard let t = tensors[name] else { throw TransformerError.invalidInput("missing \(name)") }
            return t
        }
    }

    /// convert_hf_to_gguf's permute: within each head, HF row j·(d/2) + i becomes row 2i + j.
    static func llamaCppPermute(_ w: [Double], heads: Int, headDim d: Int, columns: Int) -> [Double] {
        var out = w
        for h in 0..<heads {
            for j in 0..<2 {
                for i in 0..<(d / 2) {
                    let src = (h * d + j * d / 2 + i) * columns, dst = (h * d + 2 * i + j) * columns
                    for k in 0..<columns { out[dst + k] = w[src + k] }
                }
            }
        }
        return out
    }

    /// Logits at every position of `tokens`, straight from the definitions, in Double.
    func referenceLogits(_ tokens: [Int32]) -> [[Double]] {
        let c = config, T = tokens.count, d = c.headDim, g = c.heads / c.kvHeads
        func w(_ name: String) -> [Double] { hf[name]! }
        func matvec(_ m: [Double], _ x: [Double], rows: Int) -> [Double] {
            (0..<rows).map { r in (0..<x.count).reduce(0.0) { $0 + m[r * x.count + $1] * x[$1] } }
        }
        func rmsnorm(_ x: [Double], _ weight: [Double]) -> [Double] {
            let ms = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
            let inv = 1 / (ms + Double(c.normEps)).squareRoot()
            return (0..<x.count).map { x[$0] * inv * weight[$0] }
        }
        func rope(_ v: inout [Double], at offset: Int, position: Int, base: Double) {
            for i in 0..<(d / 2) {
                let angle = Double(position) * Foundation.pow(base, -Double(2 * i) / Double(d))
                let a = v[offset + i], b = v[offset + i + d / 2]
                v[offset + i] = a * Foundation.cos(angle) - b * Foundation.sin(angle)
                v[offset + i + d / 2] = b * Foundation.cos(angle) + a * Foundation.sin(angle)
            }
        }
        let emb = w("token_embd.weight")
        let embScale = c.family == .gemma3 ? Double(Float(Double(c.dim).squareRoot())) : 1
        var x: [[Double]] = tokens.map { t in (0..<c.dim).map { emb[Int(t) * c.dim + $0] * embScale } }
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            let global = c.slidingWindow == nil || (l + 1) % (c.globalLayerInterval ?? Int.max) == 0
            let base = global ? c.ropeBase : c.localRopeBase!
            var qs: [[Double]] = [], ks: [[Double]] = [], vs: [[Double]] = []
            for t in 0..<T {
                let h = rmsnorm(x[t], w(p + "attn_norm.weight"))
                var q = matvec(w(p + "attn_q.weight"), h, rows: c.qDim)
                var k = matvec(w(p + "attn_k.weight"), h, rows: c.kvDim)
                var v = matvec(w(p + "attn_v.weight"), h, rows: c.kvDim)
                if c.qkvBias {
                    q = zip(q, w(p + "attn_q.bias")).map(+)
                    k = zip(k, w(p + "attn_k.bias")).map(+)
                    v = zip(v, w(p + "attn_v.bias")).map(+)
                }
                if c.qkNorm {
                    for hh in 0..<c.heads {
                        q.replaceSubrange(hh * d..<(hh + 1) * d, with: rmsnorm(Array(q[hh * d..<(hh + 1) * d]), w(p + "attn_q_norm.weight")))
                    }
                    for hh in 0..<c.kvHeads {
                        k.replaceSubrange(hh * d..<(hh + 1) * d, with: rmsnorm(Array(k[hh * d..<(hh + 1) * d]), w(p + "attn_k_norm.weight")))
                    }
                }
                for hh in 0..<c.heads { rope(&q, at: hh * d, position: t, base: base) }
                for hh in 0..<c.kvHeads { rope(&k, at: hh * d, position: t, base: base) }
                qs.append(q); ks.append(k); vs.append(v)
            }
            for t in 0..<T {
                var out = [Double](repeating: 0, count: c.qDim)
                for hh in 0..<c.heads {
                    let kv = hh / g
                    let visible = (0...t).filter { j in global || t - j < c.slidingWindow! }
                    let scores = visible.map { j in
                        (0..<d).reduce(0.0) { $0 + qs[t][hh * d + $1] * ks[j][kv * d + $1] } * Double(c.attentionScale)
                    }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }
                    let z = e.reduce(0, +)
                    for (n, j) in visible.enumerated() {
                        for i in 0..<d { out[hh * d + i] += e[n] / z * vs[j][kv * d + i] }
                    }
                }
                var o = matvec(w(p + "attn_output.weight"), out, rows: c.dim)
                if c.sandwichNorms { o = rmsnorm(o, w(p + "post_attention_norm.weight")) }
                for i in 0..<c.dim { x[t][i] += o[i] }
            }
            for t in 0..<T {
                let h = rmsnorm(x[t], w(p + "ffn_norm.weight"))
                let gate = matvec(w(p + "ffn_gate.weight"), h, rows: c.ffnDim)
                let up = matvec(w(p + "ffn_up.weight"), h, rows: c.ffnDim)
                let act: [Double] = (0..<c.ffnDim).map { i in
                    let z = gate[i]
                    let a = c.family == .gemma3
                        ? 0.5 * z * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (z + 0.044715 * z * z * z)))
                        : z / (1 + Foundation.exp(-z))
                    return a * up[i]
                }
                var down = matvec(w(p + "ffn_down.weight"), act, rows: c.dim)
                if c.sandwichNorms { down = rmsnorm(down, w(p + "post_ffw_norm.weight")) }
                for i in 0..<c.dim { x[t][i] += down[i] }
            }
        }
        let head = w(c.tiedEmbeddings ? "token_embd.weight" : "output.weight")
        return x.map { matvec(head, rmsnorm($0, w("output_norm.weight")), rows: c.vocabSize) }
    }
}
