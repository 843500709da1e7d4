import Foundation

/// A PEFT adapter directory (`adapter_config.json` + `adapter_model.safetensors`, LoRA or DoRA) —
/// made by PEFT's `save_pretrained` or by ftlab's own training (`AdapterCheckpoint`, the same
/// layout) — and the model it adapts, merged.
public enum PEFTAdapter {
    /// Both files are present: what `models add DIR` takes for an adapter rather than a model.
    public static func isAdapterDirectory(_ url: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: url.appendingPathComponent(AdapterCheckpoint.configFileName).path)
            && fm.fileExists(atPath: url.appendingPathComponent(AdapterCheckpoint.weightsFileName).path)
    }

    /// `base_model_name_or_path` of adapter_config.json (nil when absent or empty).
    public static func baseModelName(in url: URL) throws -> String? {
        let path = url.appendingPathComponent(AdapterCheckpoint.configFileName).path
        guard let data = FileManager.default.contents(atPath: path),
              let j = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw HuggingFaceError(file: path, key: "file", problem: "missing, unreadable or not a JSON object")
        }
        guard let name = j["base_model_name_or_path"] as? String, !name.isEmpty else { return nil }
        return name
    }

    /// The configuration of the model at `path` (GGUF file or Hugging Face directory), read from
    /// its header or config.json without loading weights: what the adapter is checked against.
    public static func baseConfig(path: String) throws -> ModelConfig {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try HuggingFaceConfig(url: URL(fileURLWithPath: path).appendingPathComponent("config.json")).modelConfig
        }
        return try ModelConfig(gguf: GGUFFile(path: path))
    }

    /// Reads and checks the adapter against the base's configuration (every tensor's name,
    /// shape and dtype; see `AdapterCheckpoint.read`) without loading the base's weights.
    @discardableResult
    public static func validate(_ adapter: URL, basePath: String) throws -> AdapterSet {
        try AdapterCheckpoint.read(directory: adapter, model: baseConfig(path: basePath))
    }

    /// The base model with the adapter merged into its weights (LoRA W + sBA; DoRA m ⊙ (W + sBA) /
    /// ‖W + sBA‖_row), as PEFT's `merge_and_unload` computes. The base is loaded in fp32 — a
    /// GGUF's blocks dequantized once — since merged weights are no longer the stored blocks.
    public static func loadMerged(basePath: String, adapter: URL) throws -> LoadedModel {
        let model = try LoadedModel(path: basePath, precision: .fp32)
        let adapters = try AdapterCheckpoint.read(directory: adapter, model: model.config)
        model.transformer.mergeAdapters(adapters)
        return model
    }
}
