import Foundation

extension ModelConfig {
    /// The config of a GGUF model file.
    public init(gguf file: GGUFFile) throws {
        self = try ModelConfig.fromGGUF(metadata: file.metadata, tensorNames: Set(file.tensors.map(\.name)))
    }
}

extension Transformer {
    /// Loads a GGUF model. With `.fp32` (the default: the reference path, and what training needs)
    /// every tensor is dequantized once, straight into the weight arena; with `.quantized` the
    /// matrices stay in the file's blocks (memory-mapped, no copy) and are multiplied in place.
    public convenience init(gguf file: GGUFFile, precision: WeightPrecision = .fp32) throws {
        let config = try ModelConfig(gguf: file)
        if precision == .quantized {
            try self.init(config: config, quantized: file)
            return
        }
        try self.init(config: config) { name, buffer in
            guard let info = file.tensor(named: name) else {
                throw GGUFError(file: file.name, field: "tensor '\(name)'", problem: "no such tensor (needed by \(config.family))")
            }
            guard info.elementCount == buffer.count else {
                throw TransformerError.tensorSize(name: name, expected: buffer.count, got: info.elementCount)
            }
            try file.dequantize(info, into: buffer)
        }
    }

    /// Loads the GGUF model at `path`.
    public convenience init(ggufPath path: String, precision: WeightPrecision = .fp32) throws {
        try self.init(gguf: GGUFFile(path: path), precision: precision)
    }
}
