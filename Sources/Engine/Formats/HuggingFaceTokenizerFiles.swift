import Foundation

/// The tokenizer files of a Hugging Face directory, read into memory, and the token ids its
/// config.json declares. An export that copies from them does not depend on the directory still
/// existing when it is written — a full fine-tune resumed from a checkpoint is the case that
/// needs it: each new checkpoint deletes the one before, the one it was loaded from included.
public struct HuggingFaceTokenizerFiles: Sendable {
    /// Copied when present; `tokenizer.json` is required.
    public static let names = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                               "generation_config.json", "chat_template.jinja"]
    /// config.json keys copied into the export's config.json as they were.
    static let tokenIdKeys = ["bos_token_id", "eos_token_id", "pad_token_id"]

    /// Where they were read from (for messages).
    public let source: String
    /// File name → contents, in `names` order.
    public let files: [(name: String, contents: Data)]
    /// `tokenIdKeys` that config.json declares (top level, or its `text_config`), as JSON text,
    /// so the values (an id or a list of ids) are written back exactly.
    let tokenIds: [(key: String, json: Data)]

    public static func read(from directory: URL) throws -> HuggingFaceTokenizerFiles {
        let fm = FileManager.default
        var files: [(String, Data)] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            guard let data = fm.contents(atPath: url.path) else {
                if name == "tokenizer.json" {
                    throw HuggingFaceError(file: url.path, key: "file", problem: "missing (the export needs the tokenizer)")
                }
                continue
            }
            files.append((name, data))
        }
        var ids: [(String, Data)] = []
        if let data = fm.contents(atPath: directory.appendingPathComponent("config.json").path),
           let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            let top = (root["text_config"] as? [String: Any]).map { root.merging($0) { a, _ in a } } ?? root
            for key in tokenIdKeys {
                guard let value = top[key],
                      let json = try? JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed) else { continue }
                ids.append((key, json))
            }
        }
        return HuggingFaceTokenizerFiles(source: directory.path, files: files, tokenIds: ids)
    }

    /// Writes the files into `directory` (replacing any of the same name) and returns their names.
    func write(to directory: URL) throws -> [String] {
        for (name, contents) in files {
            let to = directory.appendingPathComponent(name)
            do { try contents.write(to: to, options: .atomic) } catch {
                throw HuggingFaceError(file: to.path, key: "file", problem: "cannot write the copy of \(source)/\(name) (\(error.localizedDescription))")
            }
        }
        return files.map(\.name)
    }

    /// Sets the declared token ids in `config` (an export's config.json object).
    func applyTokenIds(to config: inout [String: Any]) {
        for (key, json) in tokenIds {
            if let value = try? JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed) { config[key] = value }
        }
    }
}
