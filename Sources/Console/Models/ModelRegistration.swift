import Engine
import Experiments
import Foundation
import Store

/// Reads a model file's facts (family, parameter count, hash) and records it in the `models`
/// table, so runs can point at it and queries can group by size.
public enum ModelRegistration {
    /// Registers a GGUF file under `key` (default: the file name without extension). `sha256`
    /// may be passed when already verified (catalog pulls), saving a pass over the file.
    @discardableResult
    public static func registerGGUF(at url: URL, key: String? = nil, sha256: String? = nil,
                                    in store: ResultsStore) throws -> ModelRecord {
        let file = try GGUFFile(path: url.path)
        let config = try ModelConfig(gguf: file)
        let hash = try sha256 ?? SHA256.hexDigest(ofFileAt: url)
        let record = ModelRecord(key: key ?? url.deletingPathExtension().lastPathComponent,
                                 family: config.family.rawValue, params: Int64(config.parameterCount),
                                 path: url.path, format: "gguf", sha256: hash)
        try store.upsertModel(record)
        return record
    }

    /// Registers a Hugging Face checkpoint directory (config.json + safetensors) under `key`
    /// (default: the directory name) with format "safetensors": family and parameter count come
    /// from config.json, the hash is the sha256 of the weight files concatenated in name order.
    @discardableResult
    public static func registerHuggingFace(at url: URL, key: String? = nil, in store: ResultsStore) throws -> ModelRecord {
        let config = try HuggingFaceConfig(url: url.appendingPathComponent("config.json")).modelConfig
        let hash = try sha256(ofConcatenated: HuggingFaceCheckpoint.safetensorsURLs(in: url))
        let record = ModelRecord(key: key ?? url.standardizedFileURL.lastPathComponent,
                                 family: config.family.rawValue, params: Int64(config.parameterCount),
                                 path: url.standardizedFileURL.path, format: "safetensors", sha256: hash)
        try store.upsertModel(record)
        return record
    }

    /// A GGUF file, a Hugging Face directory or a PEFT adapter directory, whichever `url` is.
    /// `base` (`models add DIR on BASE`) names an adapter's base model; it is refused for models.
    @discardableResult
    public static func register(at url: URL, key: String? = nil, base: String? = nil, in store: ResultsStore) throws -> ModelRecord {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ConsoleError("\(url.path) does not exist")
        }
        if isDirectory.boolValue && PEFTAdapter.isAdapterDirectory(url) {
            return try registerAdapter(at: url, key: key, base: base, in: store)
        }
        if let base { throw ConsoleError("`on \(base)` is for adapter directories (adapter_config.json + adapter_model.safetensors); \(url.path) is a model") }
        if isDirectory.boolValue {
            guard HuggingFaceCheckpoint.isCheckpointDirectory(url) else {
                throw ConsoleError("\(url.path) is a directory without config.json nor adapter_config.json; expected a GGUF file, "
                                   + "a Hugging Face checkpoint directory or a PEFT adapter directory")
            }
            return try registerHuggingFace(at: url, key: key, in: store)
        }
        return try registerGGUF(at: url, key: key, in: store)
    }

    /// sha256 of the files' bytes, one after another.
    static func sha256(ofConcatenated urls: [URL]) throws -> String {
        try SHA256.hexDigest(ofFilesAt: urls)
    }
}
