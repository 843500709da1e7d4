import Foundation

// Types shared by the training engine (backward pass, adapters), the optimiser and the checkpoint
// writers. They fix names and memory layout so each part can be built and tested on its own.

/// The seven projections of a decoder layer an adapter can target, spelled as PEFT's
/// `target_modules` (and as the Hugging Face module names).
public enum Projection: String, CaseIterable, Codable, Sendable {
    case q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj

    /// The Hugging Face module path below `model.layers.N.`.
    public var modulePath: String {
        switch self {
        case .q_proj, .k_proj, .v_proj, .o_proj: return "self_attn.\(rawValue)"
        case .gate_proj, .up_proj, .down_proj: return "mlp.\(rawValue)"
        }
    }

    /// (in, out) features of this projection for a model.
    public func shape(_ c: ModelConfig) -> (inFeatures: Int, outFeatures: Int) {
        switch self {
        case .q_proj: return (c.dim, c.qDim)
        case .k_proj, .v_proj: return (c.dim, c.kvDim)
        case .o_proj: return (c.qDim, c.dim)
        case .gate_proj, .up_proj: return (c.dim, c.ffnDim)
        case .down_proj: return (c.ffnDim, c.dim)
        }
    }

    /// Short names accepted on the command line (`q,k,v,o,gate,up,down`).
    public init?(shortName: String) {
        switch shortName.lowercased() {
        case "q", "q_proj": self = .q_proj
        case "k", "k_proj": self = .k_proj
        case "v", "v_proj": self = .v_proj
        case "o", "o_proj": self = .o_proj
        case "gate", "gate_proj": self = .gate_proj
        case "up", "up_proj": self = .up_proj
        case "down", "down_proj": self = .down_proj
        default: return nil
        }
    }
}

public enum AdapterMethod: String, Codable, Sendable { case lora, dora }

/// LoRA / DoRA hyper-parameters (PEFT's `LoraConfig` fields of the same meaning).
public struct AdapterConfig: Codable, Equatable, Sendable {
    public var method: AdapterMethod
    public var rank: Int
    public var alpha: Float
    /// Dropout on the adapter's input only (the base path never sees it).
    public var dropout: Float
    public var targets: [Projection]
    /// rsLoRA: scale α/√r instead of α/r.
    public var rsLoRA: Bool

    public init(method: AdapterMethod, rank: Int = 16, alpha: Float = 32, dropout: Float = 0.05,
                targets: [Projection] = Projection.allCases, rsLoRA: Bool = false) {
        self.method = method; self.rank = rank; self.alpha = alpha; self.dropout = dropout
        self.targets = targets; self.rsLoRA = rsLoRA
    }

    /// The factor s in y = W₀x + s·B(Ax).
    public var scale: Float { rsLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }
}

/// A trainable tensor as the optimiser sees it: a flat value buffer, its gradient (same length),
/// and whether decoupled weight decay applies (off for norms, biases and DoRA magnitudes).
public struct TrainableTensor {
    /// Hugging Face-style name (`model.layers.0.self_attn.q_proj.weight`,
    /// `model.layers.0.self_attn.q_proj.lora_A.weight`, …) — for messages and checkpoints.
    public var name: String
    public var shape: [Int]
    public var value: UnsafeMutableBufferPointer<Float>
    public var grad: UnsafeMutableBufferPointer<Float>
    public var weightDecay: Bool

    public init(name: String, shape: [Int], value: UnsafeMutableBufferPointer<Float>,
                grad: UnsafeMutableBufferPointer<Float>, weightDecay: Bool) {
        precondition(value.count == grad.count, "\(name): value and gradient lengths differ")
        self.name = name; self.shape = shape; self.value = value; self.grad = grad; self.weightDecay = weightDecay
    }
}
