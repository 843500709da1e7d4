import Foundation

/// The correspondence between the engine's (GGUF) tensor names and Hugging Face's, and the two
/// value transforms between the layouts:
/// - llama: GGUF Q/K rows are permuted per head for adjacent-pair RoPE (llama.cpp's converter);
///   Hugging Face holds the unpermuted, half-split rows.
/// - gemma3: GGUF RMSNorm weights are stored as `1 + w`; Hugging Face stores `w`.
public enum HuggingFaceNames {
    /// The value transform a tensor needs between the two layouts.
    public enum Transform: Equatable, Sendable {
        case none
        /// llama Q or K: rows permuted within each of `heads` heads.
        case ropePermute(heads: Int)
        /// gemma3 RMSNorm weight: GGUF = HF + 1.
        case normShift
    }

    /// Every tensor `Transformer(config:fill:)` asks for, in its order.
    public static func ggufTensorNames(for c: ModelConfig) -> [String] {
        var names = ["token_embd.weight"]
        if !c.tiedEmbeddings { names.append("output.weight") }
        names.append("output_norm.weight")
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            names += [p + "attn_norm.weight", p + "attn_q.weight", p + "attn_k.weight", p + "attn_v.weight"]
            if c.qkvBias { names += [p + "attn_q.bias", p + "attn_k.bias", p + "attn_v.bias"] }
            if c.qkNorm { names += [p + "attn_q_norm.weight", p + "attn_k_norm.weight"] }
            names.append(p + "attn_output.weight")
            if c.sandwichNorms { names += [p + "post_attention_norm.weight", p + "post_ffw_norm.weight"] }
            names += [p + "ffn_norm.weight", p + "ffn_gate.weight", p + "ffn_up.weight", p + "ffn_down.weight"]
        }
        return names
    }

    /// The engine's (and PyTorch's) shape of the GGUF-named tensor: [out, in] for matrices,
    /// [n] for norms and biases.
    public static func engineShape(forGGUF name: String, config c: ModelConfig) -> [Int] {
        switch name {
        case "token_embd.weight", "output.weight": return [c.vocabSize, c.dim]
        case _ where name.hasSuffix(".attn_q.weight"): return [c.qDim, c.dim]
        case _ where name.hasSuffix(".attn_k.weight"), _ where name.hasSuffix(".attn_v.weight"): return [c.kvDim, c.dim]
        case _ where name.hasSuffix(".attn_q.bias"): return [c.qDim]
        case _ where name.hasSuffix(".attn_k.bias"), _ where name.hasSuffix(".attn_v.bias"): return [c.kvDim]
        case _ where name.hasSuffix(".attn_q_norm.weight"), _ where name.hasSuffix(".attn_k_norm.weight"): return [c.headDim]
        case _ where name.hasSuffix(".attn_output.weight"): return [c.dim, c.qDim]
        case _ where name.hasSuffix(".ffn_gate.weight"), _ where name.hasSuffix(".ffn_up.weight"): return [c.ffnDim, c.dim]
        case _ where name.hasSuffix(".ffn_down.weight"): return [c.dim, c.ffnDim]
        default: return [c.dim]  // output_norm, attn_norm, ffn_norm, the sandwich norms
        }
    }

    /// The Hugging Face name (with the `model.` prefix of `*ForCausalLM`) of a GGUF tensor name.
    /// gemma3 note: HF `post_attention_layernorm` is the sandwich norm after attention (GGUF
    /// `post_attention_norm`) and `pre_feedforward_layernorm` is GGUF's `ffn_norm`; in llama and
    /// qwen2, HF `post_attention_layernorm` *is* the pre-MLP norm (`ffn_norm`).
    public static func huggingFaceName(forGGUF name: String, family: ModelFamily) -> String? {
        switch name {
        case "token_embd.weight": return "model.embed_tokens.weight"
        case "output_norm.weight": return "model.norm.weight"
        case "output.weight": return "lm_head.weight"
        default: break
        }
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0 else { return nil }
        let rest = parts[2]
        let suffix: String
        switch rest {
        case "attn_norm.weight": suffix = "input_layernorm.weight"
        case "attn_q.weight", "attn_q.bias", "attn_k.weight", "attn_k.bias", "attn_v.weight", "attn_v.bias":
            let which = rest.dropFirst(5).prefix(1)  // q, k or v
            suffix = "self_attn.\(which)_proj." + (rest.hasSuffix(".bias") ? "bias" : "weight")
        case "attn_output.weight": suffix = "self_attn.o_proj.weight"
        case "attn_q_norm.weight": suffix = "self_attn.q_norm.weight"
        case "attn_k_norm.weight": suffix = "self_attn.k_norm.weight"
        case "ffn_gate.weight": suffix = "mlp.gate_proj.weight"
        case "ffn_up.weight": suffix = "mlp.up_proj.weight"
        case "ffn_down.weight": suffix = "mlp.down_proj.weight"
        case "ffn_norm.weight": suffix = family == .gemma3 ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"
        case "post_attention_norm.weight" where family == .gemma3: suffix = "post_attention_layernorm.weight"
        case "post_ffw_norm.weight" where family == .gemma3: suffix = "post_feedforward_layernorm.weight"
        default: return nil
        }
        return "model.layers.\(layer).\(suffix)"
    }

    /// The transform between layouts for the GGUF tensor `name`.
    public static func transform(forGGUF name: String, config c: ModelConfig) -> Transform {
        switch c.family {
        case .llama:
            if name.hasSuffix(".attn_q.weight") { return .ropePermute(heads: c.heads) }
            if name.hasSuffix(".attn_k.weight") { return .ropePermute(heads: c.kvHeads) }
            return .none
        case .gemma3:
            return name.hasSuffix("norm.weight") ? .normShift : .none
        case .qwen2:
            return .none
        }
    }

    /// Hugging Face checkpoints of multimodal Gemma 3 and of some converters put the text model
    /// under other prefixes; this maps them to the `*ForCausalLM` names, nil for tensors the
    /// engine does not use (vision tower, projector, rotary caches).
    public static func canonical(_ hfName: String) -> String? {
        for (from, to) in [("model.language_model.", "model."), ("language_model.model.", "model."),
                           ("language_model.lm_head.", "lm_head.")] where hfName.hasPrefix(from) {
            return to + hfName.dropFirst(from.count)
        }
        if hfName.hasPrefix("model.") || hfName.hasPrefix("lm_head.") {
            return hfName.hasSuffix("rotary_emb.inv_freq") ? nil : hfName
        }
        return nil
    }

    /// Permutes the rows of a row-major [rows, cols] matrix (rows = heads·headDim) between
    /// Hugging Face's half-split order and llama.cpp's: within each head, GGUF row 2i+p is HF row
    /// p·(headDim/2)+i (p ∈ {0, 1}). `toGGUF` false is the inverse.
    public static func permute(_ m: UnsafeMutableBufferPointer<Float>, heads: Int, rows: Int, toGGUF: Bool) {
        precondition(heads > 0 && rows % heads == 0 && (rows / heads) % 2 == 0 && m.count % rows == 0,
                     "RoPE permutation needs rows = heads × even head size")
        let cols = m.count / rows
        let headDim = rows / heads, half = headDim / 2
        let copy = Array(m)
        copy.withUnsafeBufferPointer { src in
            for h in 0..<heads {
                let base = h * headDim
                for i in 0..<half {
                    for part in 0..<2 {
                        let ggufRow = base + 2 * i + part
                        let hfRow = base + part * half + i
                        let (to, from) = toGGUF ? (ggufRow, hfRow) : (hfRow, ggufRow)
                        (m.baseAddress! + to * cols).update(from: src.baseAddress! + from * cols, count: cols)
                    }
                }
            }
        }
    }
}
