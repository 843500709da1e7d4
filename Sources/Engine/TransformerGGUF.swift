import Foundation

extension ModelConfig {
    /// The config of a GGUF model file.
    public init(gguf file: GGUFFile) throws {
        self = try ModelConfig.fromGGUF(metadata: file.metadata, tensorNames: Set(file.tensors.map(\.name)))
    }
}

extension Transformer {
    /// Loads a GGUF model: reads its config and dequantizes every tensor to fp32, once, straight
    /// into the weight arena.
    public convenience init(gguf file: GGUFFile) throws {
        let config = try ModelConfig(gguf: file)
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
    public convenience init(ggufPath path: String) throws {
        try self.init(gguf: GGUFFile(path: path))
    }
}
