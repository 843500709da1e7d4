import Engine
import Experiments
import Foundation
import Store

/// Finds a model file from what a user typed: a catalog key (pulled into the cache), a key
/// registered in the database with `models add`, or a path to a GGUF file.
public struct ModelLocator {
    public let fetcher: ModelFetcher
    public let store: ResultsStore?

    public init(fetcher: ModelFetcher = ModelFetcher(home: ModelFetcher.defaultHome()), store: ResultsStore? = nil) {
        self.fetcher = fetcher
        self.store = store
    }

    public func resolve(_ name: String) throws -> URL {
        if let model = ModelCatalog.model(name) {
            guard fetcher.isPresent(model) else {
                throw ConsoleError("model \(name) is not on this machine; fetch it with `ftlab models pull \(name)`")
            }
            return fetcher.modelPath(name)
        }
        if let store, let record = try store.models().first(where: { $0.key == name }) {
            if record.baseModelID != nil {
                throw ConsoleError("\(name) is an adapter (models add of an adapter directory): `eval \(name) …`, `ftlab generate` "
                                   + "and `ftlab logits` run its base with it merged; training and sweeps take a model")
            }
            guard FileManager.default.fileExists(atPath: record.path) else {
                throw ConsoleError("model \(name) is registered at \(record.path), which no longer exists")
            }
            return URL(fileURLWithPath: record.path)
        }
        if FileManager.default.fileExists(atPath: name) {
            if PEFTAdapter.isAdapterDirectory(URL(fileURLWithPath: name)) {
                throw ConsoleError("\(name) is an adapter directory: register it (`ftlab models add \(name) [on BASE]`) and use its key")
            }
            return URL(fileURLWithPath: name)
        }
        let keys = ModelCatalog.models.map(\.key).joined(separator: ", ")
        throw ConsoleError("unknown model '\(name)': not a catalog key (\(keys)), not registered (models add PATH), not a file")
    }

    /// What `name` runs: a model file, or for a registered adapter its base's file and the
    /// adapter directory to merge into it.
    public func resolveWithAdapter(_ name: String) throws -> (modelPath: String, adapter: String?) {
        if let store, let record = try store.models().first(where: { $0.key == name }), let baseID = record.baseModelID {
            guard let base = try store.models().first(where: { $0.id == baseID }) else {
                throw ConsoleError("adapter \(name): its base model (id \(baseID)) is not in the database")
            }
            guard PEFTAdapter.isAdapterDirectory(URL(fileURLWithPath: record.path)) else {
                throw ConsoleError("adapter \(name) is registered at \(record.path), which no longer holds adapter_config.json and adapter_model.safetensors")
            }
            return (try resolve(base.key).path, record.path)
        }
        return (try resolve(name).path, nil)
    }

    /// The model to generate with: loaded as stored, or a base with its adapter merged.
    public func load(_ name: String) throws -> LoadedModel {
        let (path, adapter) = try resolveWithAdapter(name)
        guard let adapter else { return try LoadedModel(path: path) }
        return try PEFTAdapter.loadMerged(basePath: path, adapter: URL(fileURLWithPath: adapter))
    }
}
