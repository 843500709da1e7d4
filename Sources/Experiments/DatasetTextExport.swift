import Foundation

/// Every example's texts of every task and split whose files are present, as JSON lines
/// `{"task", "split", "index", "texts"}` — what outside tools (the tokenizer parity fixture's
/// script) read, so they see exactly the strings ftlab's loaders produce.
public enum DatasetTextExport {
    /// The (task, split) pairs whose files exist, in catalog order; the synthetic task is
    /// generated, not read, and is left out.
    public static func availableSplits(dataDirectory: String?) -> [(task: String, split: String)] {
        guard let directory = try? DataDirectory.resolve(explicit: dataDirectory) else { return [] }
        return TaskCatalog.tasks.filter { $0.name != SyntheticTask.name }.flatMap { spec in
            spec.splits.compactMap { split -> (String, String)? in
                let files = spec.files[split] ?? []
                let present = !files.isEmpty && files.allSatisfy {
                    FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0))
                }
                return present ? (spec.name, split) : nil
            }
        }
    }

    /// Writes the export; returns the number of examples written.
    public static func write(to path: String, dataDirectory: String?) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw DatasetError.unreadable(file: path, reason: "cannot be written")
        }
        defer { try? handle.close() }
        var count = 0
        for (task, split) in availableSplits(dataDirectory: dataDirectory) {
            let dataset = try TaskCatalog.load(task: task, split: split, dataDirectory: dataDirectory)
            for example in dataset.examples {
                let line: [String: Any] = ["task": task, "split": split, "index": example.index, "texts": example.texts]
                var data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
                data.append(0x0A)
                handle.write(data)
                count += 1
            }
        }
        return count
    }
}
