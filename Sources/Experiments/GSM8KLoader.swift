extension DatasetLoader {
    /// GSM8K JSON Lines (`question`, `answer`); the answer's last line is `#### N`.
    /// `solution` keeps the answer text as published, calculator annotations included, because
    /// the harness's gsm8k target is the raw answer; `stripCalculatorAnnotations` removes them.
    /// Gold is N with thousands commas removed (canonical number text).
    public static func gsm8k(path: String, split: String, task: String = "gsm8k") throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonLines() {
            let question = try record.string("question")
            let answer = try record.string("answer")
            guard let gold = finalAnswer(ofSolution: answer) else {
                throw record.fail("answer has no final \"#### N\" line with a number")
            }
            examples.append(Example(index: examples.count, question: question, solution: answer, answer: gold))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }

    /// The canonical number after the last `#### ` of a GSM8K-style solution; nil if absent or
    /// not a number.
    public static func finalAnswer(ofSolution solution: String) -> String? {
        guard let marker = solution.range(of: "#### ", options: .backwards) else { return nil }
        let rest = solution[marker.upperBound...]
        let line = rest.prefix(while: { $0 != "\n" })
        return NumberText.canonical(String(line))
    }

    /// GSM8K's solution without the `<<48/2=24>>` calculator annotations.
    public static func stripCalculatorAnnotations(_ solution: String) -> String {
        var out = ""
        var rest = solution[...]
        while let open = rest.range(of: "<<") {
            guard let close = rest[open.upperBound...].range(of: ">>") else { break }
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
