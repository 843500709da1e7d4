import ArgumentParser
import Console
import Experiments
import Foundation
import Store

/// `ftlab models [list|pull KEY…|add PATH]`.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List, fetch and register models.",
        subcommands: [List.self, Pull.self, Add.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registered models, then catalog models not yet fetched.")
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.open()
            let session = try Session(store: store, output: StandardOutputSink(), errors: StandardOutputSink(.standardError))
            session.execute("models select model, family, params, format, path, hash")
            let registered = Set(try store.models().map(\.key))
            let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
            let missing = ModelCatalog.models.filter { !registered.contains($0.key) }
            if !missing.isEmpty {
                print("\nIn the catalog, not registered here (ftlab models pull KEY):")
                for m in missing {
                    print("  \(m.key)  \(m.family)  \(m.bytes / 1_000_000) MB\(fetcher.isPresent(m) ? "  (file present)" : "")")
                }
            }
        }
    }

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch catalog models into $FTLAB_HOME (default ~/.cache/ftlab), verify size and sha256, register them.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Every catalog model.") var all = false
        @Flag(help: "Only fetch and verify; do not record the models in the database.") var noRegister = false
        @Argument(help: "Catalog keys.") var keys: [String] = []

        func run() throws {
            let names = all ? ModelCatalog.models.map(\.key) : keys
            guard !names.isEmpty else { throw ValidationError("name a model (\(ModelCatalog.models.map(\.key).joined(separator: ", "))) or --all") }
            let store = noRegister ? nil : try database.open()
            let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
            for name in names {
                guard let model = ModelCatalog.model(name) else {
                    throw ValidationError("unknown model '\(name)'; the catalog has \(ModelCatalog.models.map(\.key).joined(separator: ", "))")
                }
                let url = try fetcher.fetch(model)
                guard let store else {
                    print("\(model.key): present and verified at \(url.path)")
                    continue
                }
                let record = try ModelRegistration.registerGGUF(at: url, key: model.key, sha256: model.sha256, in: store)
                print("\(record.key): \(record.family), \(record.params) parameters, \(url.path)")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a GGUF file, a Hugging Face checkpoint directory (config.json, tokenizer.json, *.safetensors) or a PEFT adapter directory (adapter_config.json, adapter_model.safetensors) already on this machine.",
            discussion: """
            An adapter (LoRA or DoRA, made by PEFT or by ftlab's training) adapts the model its \
            adapter_config.json names (base_model_name_or_path: a registered key, a catalog key or a path), \
            or the one given: `ftlab models add DIR on BASE` (or --on BASE). `eval KEY …` then runs the base \
            with the adapter merged.
            """)
        @OptionGroup var database: DatabaseOption
        @Option(help: "Key to register it under (default: the file or directory name).") var key: String?
        @Option(name: .customLong("on"), help: "An adapter's base model (default: its base_model_name_or_path).") var base: String?
        @Argument(help: "Path to a .gguf file, a Hugging Face model directory or a PEFT adapter directory.") var path: String
        @Argument(help: "`on BASE`: the adapter's base model.") var rest: [String] = []

        func run() throws {
            var base = self.base
            if !rest.isEmpty {
                guard rest.count == 2, rest[0] == "on", base == nil else { throw ValidationError("expected `on BASE` after the path, got \(rest.joined(separator: " "))") }
                base = rest[1]
            }
            let store = try database.open()
            let record = try ModelRegistration.register(at: URL(fileURLWithPath: path), key: key, base: base, in: store)
            let adapts = try record.baseModelID.flatMap { id in try store.models().first { $0.id == id }?.key }.map { ", adapter on \($0)" } ?? ""
            print("\(record.key): \(record.family), \(record.params) parameters, \(record.format)\(adapts), sha256 \(record.sha256)")
        }
    }
}
