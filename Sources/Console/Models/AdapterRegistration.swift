import Engine
import Experiments
import Foundation
import Store

// `models add DIR [on BASE]` for a PEFT adapter directory (made by PEFT or by ftlab's training):
// a row of `models` pointing at its base, so `eval KEY …` runs the base with the adapter merged.
extension ModelRegistration {
    /// Registers the adapter at `url` under `key` (default: the directory name). Its base is
    /// `base` when given, else adapter_config.json's `base_model_name_or_path`, found among the
    /// registered models (by key, by the name's last path component, or by path), the catalog
    /// (registered on the way when its file is here) or as a path to a model. The adapter is
    /// read and checked against the base's shapes before anything is recorded.
    @discardableResult
    public static func registerAdapter(at url: URL, key: String? = nil, base: String? = nil, in store: ResultsStore) throws -> ModelRecord {
        let directory = url.standardizedFileURL
        guard let name = try base ?? PEFTAdapter.baseModelName(in: directory) else {
            throw ConsoleError("\(directory.path): adapter_config.json names no base model (base_model_name_or_path); "
                               + "name it: `models add \(directory.path) on BASE`")
        }
        let baseRecord = try resolveBase(name, adapter: directory, explicit: base != nil, in: store)
        guard baseRecord.baseModelID == nil else {
            throw ConsoleError("\(baseRecord.key) is itself an adapter; an adapter's base must be a model")
        }
        do { try PEFTAdapter.validate(directory, basePath: baseRecord.path) } catch {
            throw ConsoleError("\(directory.path) does not fit \(baseRecord.key): \(error)")
        }
        let files = [AdapterCheckpoint.configFileName, AdapterCheckpoint.weightsFileName].map { directory.appendingPathComponent($0) }
        let record = ModelRecord(key: key ?? directory.lastPathComponent, family: baseRecord.family, params: baseRecord.params,
                                 path: directory.path, format: "safetensors", sha256: try sha256(ofConcatenated: files),
                                 baseModelID: baseRecord.id)
        guard record.key != baseRecord.key else { throw ConsoleError("the adapter needs a key of its own (--key NAME); \(record.key) is its base") }
        try store.upsertModel(record)
        return record
    }

    static func resolveBase(_ name: String, adapter: URL, explicit: Bool, in store: ResultsStore) throws -> ModelRecord {
        let last = (name as NSString).lastPathComponent
        let registered = try store.models()
        let standardized = URL(fileURLWithPath: (name as NSString).expandingTildeInPath).standardizedFileURL.path
        if let m = registered.first(where: { $0.key.lowercased() == name.lowercased() })
            ?? registered.first(where: { $0.key.lowercased() == last.lowercased() && $0.baseModelID == nil })
            ?? registered.first(where: { $0.path == standardized }) {
            return m
        }
        for candidate in [name.lowercased(), last.lowercased()] {
            guard let catalog = ModelCatalog.model(candidate) else { continue }
            let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
            guard fetcher.isPresent(catalog) else {
                throw ConsoleError("the adapter's base is \(catalog.key), not on this machine: `ftlab models pull \(catalog.key)` first")
            }
            try registerGGUF(at: fetcher.modelPath(catalog.key), key: catalog.key, sha256: catalog.sha256, in: store)
            return try store.models().first { $0.key == catalog.key }!
        }
        if FileManager.default.fileExists(atPath: standardized) {
            let record = try register(at: URL(fileURLWithPath: standardized), in: store)
            return try store.models().first { $0.key == record.key }!
        }
        let source = explicit ? "`on \(name)`" : "its adapter_config.json (base_model_name_or_path \"\(name)\")"
        throw ConsoleError("the base model of \(adapter.path), from \(source), is not a registered model, a catalog key or a path; "
                           + "register it first (`ftlab models add PATH --key \(last)`) or name it: `ftlab models add \(adapter.path) on BASE`")
    }
}
