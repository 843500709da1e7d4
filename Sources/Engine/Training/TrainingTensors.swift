/// The tensors a `TrainingGraph` trains, as the optimiser and checkpoint writers see them.
extension TrainingGraph {
    /// Full: every weight under its Hugging Face name (norms and biases without weight decay; a
    /// tied head is the embedding, listed once; `freezeEmbeddings` leaves the embedding out). Values
    /// are in the engine's layout: llama q/k rows permuted, gemma3 norms stored as 1 + w (the
    /// gradient is the same). LoRA/DoRA: the adapters' tensors.
    public var trainableTensors: [TrainableTensor] {
        guard method == .full, let gradBase = gradArena?.baseAddress, let weights else {
            return adapters?.trainableTensors ?? []
        }
        let c = config, base = weights.arena.baseAddress!
        var list: [TrainableTensor] = []
        func add(_ gguf: String, _ p: UnsafeMutablePointer<Float>, _ shape: [Int]) {
            let n = shape.reduce(1, *)
            let name = HuggingFaceNames.huggingFaceName(forGGUF: gguf, family: c.family) ?? gguf
            let decay = !(name.hasSuffix("norm.weight") || name.hasSuffix(".bias"))
            list.append(TrainableTensor(name: name, shape: shape, value: UnsafeMutableBufferPointer(start: p, count: n),
                                        grad: UnsafeMutableBufferPointer(start: gradBase + (p - base), count: n),
                                        weightDecay: decay))
        }
        if !freezeEmbeddings { add("token_embd.weight", weights.embedding, [c.vocabSize, c.dim]) }
        if !c.tiedEmbeddings { add("output.weight", weights.output, [c.vocabSize, c.dim]) }
        add("output_norm.weight", weights.outputNorm, [c.dim])
        for (l, w) in weights.layers.enumerated() {
            let p = "blk.\(l)."
            add(p + "attn_norm.weight", w.attnNorm, [c.dim])
            add(p + "attn_q.weight", w.rows(.q_proj, c), [c.qDim, c.dim])
            add(p + "attn_k.weight", w.rows(.k_proj, c), [c.kvDim, c.dim])
            add(p + "attn_v.weight", w.rows(.v_proj, c), [c.kvDim, c.dim])
            if let b = w.qkvBias {
                add(p + "attn_q.bias", b, [c.qDim])
                add(p + "attn_k.bias", b + c.qDim, [c.kvDim])
                add(p + "attn_v.bias", b + c.qDim + c.kvDim, [c.kvDim])
            }
            if let qn = w.qNorm, let kn = w.kNorm {
                add(p + "attn_q_norm.weight", qn, [c.headDim])
                add(p + "attn_k_norm.weight", kn, [c.headDim])
            }
            add(p + "attn_output.weight", w.attnOutput, [c.dim, c.qDim])
            if let pa = w.postAttnNorm { add(p + "post_attention_norm.weight", pa, [c.dim]) }
            add(p + "ffn_norm.weight", w.ffnNorm, [c.dim])
            add(p + "ffn_gate.weight", w.rows(.gate_proj, c), [c.ffnDim, c.dim])
            add(p + "ffn_up.weight", w.rows(.up_proj, c), [c.ffnDim, c.dim])
            add(p + "ffn_down.weight", w.down, [c.dim, c.ffnDim])
            if let pf = w.postFfnNorm { add(p + "post_ffw_norm.weight", pf, [c.dim]) }
        }
        return list
    }
}
