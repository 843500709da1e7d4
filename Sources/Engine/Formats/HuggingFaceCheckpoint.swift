import Foundation

/// A Hugging Face model directory: `config.json`, `tokenizer.json` (optional
/// `tokenizer_config.json`), and the weights as one or more `*.safetensors` files — either listed
/// by `model.safetensors.index.json` (sharded checkpoints) or every `*.safetensors` in the folder.
///
/// Tensors are memory-mapped and converted to fp32 straight into the transformer's arena, with
/// llama's Q/K rows permuted into the engine's (GGUF) order and gemma3's norms shifted by +1.
public final class HuggingFaceCheckpoint: @unchecked Sendable {
    public let directory: URL
    public let huggingFaceConfig: HuggingFaceConfig
    public var config: ModelConfig { huggingFaceConfig.modelConfig }
    /// The safetensors files, in name order.
    public let files: [SafeTensorsFile]
    /// Canonical HF name (`model.layers.0.self_attn.q_proj.weight`) → (file index, tensor).
    private let index: [String: (file: Int, info: SafeTensorInfo)]

    public static let indexFileName = "model.safetensors.index.json"

    /// Whether `url` is a directory that looks like a Hugging Face checkpoint (has config.json).
    public static func isCheckpointDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
            && FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path)
    }

    /// The weight files of the checkpoint in `directory`, in name order: those named by
    /// `model.safetensors.index.json` when present, else every `*.safetensors` file.
    public static func safetensorsURLs(in directory: URL) throws -> [URL] {
        let indexURL = directory.appendingPathComponent(indexFileName)
        if FileManager.default.fileExists(atPath: indexURL.path) {
            let map = try weightMap(indexURL)
            return Set(map.values).sorted().map { directory.appendingPathComponent($0) }
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw HuggingFaceError(file: directory.path, key: "directory", problem: "cannot list (\(error.localizedDescription))")
        }
        var weights = names.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") && !$0.hasPrefix("adapter_model") }.sorted()
        if weights.contains("model.safetensors") { weights = ["model.safetensors"] }
        guard !weights.isEmpty else {
            throw HuggingFaceError(file: directory.path, key: "*.safetensors", problem: "no safetensors weight files in the directory")
        }
        return weights.map { directory.appendingPathComponent($0) }
    }

    /// `weight_map` of an index file: tensor name → shard file name.
    static func weightMap(_ url: URL) throws -> [String: String] {
        guard let data = try? Data(contentsOf: url),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw HuggingFaceError(file: url.path, key: "file", problem: "unreadable or not a JSON object")
        }
        guard let map = root["weight_map"] as? [String: Any] else {
            throw HuggingFaceError(file: url.path, key: "weight_map", problem: "missing or not an object")
        }
        var out: [String: String] = [:]
        for (tensor, file) in map {
            guard let f = file as? String, !f.isEmpty, !f.contains("/"), f != ".." else {
                throw HuggingFaceError(file: url.path, key: "weight_map.\(tensor)", problem: "expected a file name in the directory")
            }
            out[tensor] = f
        }
        return out
    }

    public init(directory: URL) throws {
        self.directory = directory
        huggingFaceConfig = try HuggingFaceConfig(url: directory.appendingPathComponent("config.json"))
        let urls = try Self.safetensorsURLs(in: directory)
        let indexURL = directory.appendingPathComponent(Self.indexFileName)
        let declared = FileManager.default.fileExists(atPath: indexURL.path) ? try Self.weightMap(indexURL) : nil
        var files: [SafeTensorsFile] = []
        var index: [String: (file: Int, info: SafeTensorInfo)] = [:]
        for url in urls {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw HuggingFaceError(file: indexURL.path, key: "weight_map", problem: "names \(url.lastPathComponent), which is absent")
            }
            let file = try SafeTensorsFile(path: url.path)
            for info in file.tensors {
                if let declared, declared[info.name] != url.lastPathComponent {
                    throw HuggingFaceError(file: url.path, key: "tensor '\(info.name)'",
                                           problem: "not listed for this shard in \(Self.indexFileName)")
                }
                guard let name = HuggingFaceNames.canonical(info.name) else { continue }
                if let other = index[name] {
                    throw HuggingFaceError(file: url.path, key: "tensor '\(info.name)'",
                                           problem: "duplicate of a tensor in \(files[other.file].name)")
                }
                index[name] = (files.count, info)
            }
            files.append(file)
        }
        self.files = files
        self.index = index
    }

    public convenience init(path: String) throws {
        try self.init(directory: URL(fileURLWithPath: path))
    }

    /// The canonical Hugging Face tensor names present.
    public var tensorNames: [String] { index.keys.sorted() }

    /// Writes the GGUF-named tensor `name` (in the engine's layout) into `buffer`.
    public func fill(_ name: String, _ buffer: UnsafeMutableBufferPointer<Float>) throws {
        let c = config
        guard let hf = HuggingFaceNames.huggingFaceName(forGGUF: name, family: c.family) else {
            throw HuggingFaceError(file: directory.path, key: "tensor '\(name)'", problem: "no Hugging Face name for this engine tensor")
        }
        guard let (fileIndex, info) = index[hf] else {
            throw HuggingFaceError(file: directory.path, key: "tensor '\(hf)'", problem: "missing (needed by \(c.family))")
        }
        let file = files[fileIndex]
        guard info.elementCount == buffer.count else {
            throw HuggingFaceError(file: file.name, key: "tensor '\(info.name)'",
                                   problem: "shape \(info.shape) has \(info.elementCount) values, expected \(buffer.count)")
        }
        guard info.dtype.isFloatReadable else {
            throw HuggingFaceError(file: file.name, key: "tensor '\(info.name)'", problem: "dtype \(info.dtype.rawValue) is not supported (F32, F16, BF16)")
        }
        try file.floats(info, into: buffer)
        switch HuggingFaceNames.transform(forGGUF: name, config: c) {
        case .none: break
        case .normShift:
            for i in buffer.indices { buffer[i] += 1 }
        case .ropePermute(let heads):
            HuggingFaceNames.permute(buffer, heads: heads, rows: heads * c.headDim, toGGUF: true)
        }
    }

    /// The tokenizer from `tokenizer.json` (BOS/EOS from `tokenizer_config.json` when present).
    public func makeTokenizer() throws -> any Tokenizer {
        try TokenizerFactory.fromTokenizerJSON(url: directory.appendingPathComponent("tokenizer.json"))
    }

    /// `chat_template` of `tokenizer_config.json` (a string, or the `default` entry of a list of
    /// named templates), when present.
    public var chatTemplateText: String? {
        let url = directory.appendingPathComponent("tokenizer_config.json")
        guard let data = try? Data(contentsOf: url),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        if let s = root["chat_template"] as? String { return s }
        if let list = root["chat_template"] as? [[String: Any]] {
            return (list.first { $0["name"] as? String == "default" } ?? list.first)?["template"] as? String
        }
        return nil
    }
}

extension Transformer {
    /// Loads a Hugging Face checkpoint (see `HuggingFaceCheckpoint`).
    public convenience init(huggingFace checkpoint: HuggingFaceCheckpoint) throws {
        try self.init(config: checkpoint.config) { name, buffer in try checkpoint.fill(name, buffer) }
    }
}
