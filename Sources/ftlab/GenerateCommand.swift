import ArgumentParser
import Console
import Engine
import Foundation

/// `ftlab generate KEY "text"`: the greedy continuation of a prompt.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Print a model's greedy continuation of TEXT.")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "Model: catalog key, registered key or .gguf path.") var model: String
    @Argument(help: "Prompt text.") var text: String
    @Option(help: "Most tokens to generate.") var maxTokens = 128
    @Flag(help: "Wrap the text as a user turn of the model's chat template.") var chat = false

    func run() throws {
        let loaded = try ModelLocator(store: try? database.open()).load(model)
        let start = Date()
        let (ids, continuation) = try loaded.generate(text, maxNewTokens: maxTokens, chat: chat)
        print(continuation)
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "[%d tokens in %.2f s, %.1f tokens/s; load %.2f s]\n",
                                                   ids.count, seconds, Double(ids.count) / seconds, loaded.loadSeconds).utf8))
    }
}

/// `ftlab logits KEY "text" --top K --json`: token ids and the top-K next-token logits — the
/// hook for checking the engine against reference numbers.
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "Token ids of TEXT and the top-K logits at its last position.")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "Model: catalog key, registered key or .gguf path.") var model: String
    @Argument(help: "Prompt text.") var text: String
    @Option(help: "How many of the highest logits to print.") var top = 10
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Wrap the text as a user turn of the model's chat template.") var chat = false

    func run() throws {
        let loaded = try ModelLocator(store: try? database.open()).load(model)
        let ids = try loaded.promptTokens(text, chat: chat)
        guard !ids.isEmpty else { throw ValidationError("the text encodes to no tokens") }
        let logits = loaded.transformer.logits(tokens: ids)
        let best = logits.indices.sorted { logits[$0] > logits[$1] }.prefix(max(1, top))
        if json {
            struct Entry: Encodable { let id: Int; let logit: Float; let piece: String }
            struct Output: Encodable { let model: String; let token_ids: [Int32]; let top: [Entry] }
            let out = Output(model: model, token_ids: ids,
                             top: best.map { Entry(id: $0, logit: logits[$0], piece: loaded.tokenizer.decodeToken(Int32($0))) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(out), as: UTF8.self))
        } else {
            print("token ids: \(ids.map(String.init).joined(separator: " "))")
            for id in best { print(String(format: "%8d  %12.6f  %@", id, logits[id], loaded.tokenizer.decodeToken(Int32(id)).debugDescription)) }
        }
    }
}
