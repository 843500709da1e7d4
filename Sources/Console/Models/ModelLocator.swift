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
            guard FileManager.default.fileExists(atPath: record.path) else {
                throw ConsoleError("model \(name) is registered at \(record.path), which no longer exists")
            }
            return URL(fileURLWithPath: record.path)
        }
        if FileManager.default.fileExists(atPath: name) { return URL(fileURLWithPath: name) }
        let keys = ModelCatalog.models.map(\.key).joined(separator: ", ")
        throw ConsoleError("unknown model '\(name)': not a catalog key (\(keys)), not registered (models add PATH), not a file")
    }
}
