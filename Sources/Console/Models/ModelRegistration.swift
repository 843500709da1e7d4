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
}
