extension DatasetLoader {
    /// MAWPS.json (MWPToolkit packaging): array of {id, original_text, segmented_text, equation,
    /// ans}. `ans` is a float or, for some records, a numeric string; both become canonical text
    /// (`"0.8333333333333334"` stays as written, never `8.3e-1`).
    public static func mawps(path: String, split: String = "test", task: String = "mawps") throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonArray() {
            let question = try record.string("original_text").trimmingWhitespace()
            let gold = try record.number("ans")
            examples.append(Example(index: examples.count, question: question, answer: gold))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }
}
