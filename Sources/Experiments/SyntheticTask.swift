import Engine
/// Parameters of the built-in `synthetic` task.
public struct SyntheticConfig: Equatable, Sendable {
    public var seed: UInt64
    /// Problems in the split.
    public var count: Int
    /// Equations per problem; each problem draws its own count from this range (1…8).
    public var steps: ClosedRange<Int>

    public init(seed: UInt64 = 0, count: Int = 1000, steps: ClosedRange<Int> = 1...8) {
        self.seed = seed
        self.count = count
        self.steps = steps
    }
}

/// Seeded multi-step arithmetic word problems in GSM8K format: each solution line carries one
/// `a op b = c` equation, the last line is `#### N`, every intermediate and final value is a
/// positive integer. The answer is known by construction, so the task measures arithmetic
/// chaining without label noise.
///
/// Splits: both draw from one candidate stream per seed; a problem belongs to `test` when a
/// hash of its question text falls in one bucket of five, else to `train`. So the splits are
/// disjoint by question text whatever the seed or counts, and the same seed gives the same set.
public enum SyntheticTask {
    public static let name = "synthetic"
    public static let splits = ["train", "test"]
    public static let maxSteps = 8

    public static func generate(split: String, config: SyntheticConfig = SyntheticConfig()) throws -> Dataset {
        guard splits.contains(split) else { throw DatasetError.unknownSplit(task: name, split: split, known: splits) }
        guard config.steps.lowerBound >= 1, config.steps.upperBound <= maxSteps else {
            throw DatasetError.invalidArgument("synthetic steps must lie in 1...\(maxSteps), got \(config.steps)")
        }
        guard config.count >= 0 else { throw DatasetError.invalidArgument("synthetic count must be >= 0") }
        var rng = SplitMix64(seed: config.seed)
        var seen = Set<String>()
        var examples: [Example] = []
        var attempts = 0
        let maxAttempts = 50 * config.count + 1000
        while examples.count < config.count {
            attempts += 1
            guard attempts <= maxAttempts else {
                throw DatasetError.invalidArgument("synthetic: could not make \(config.count) distinct problems with steps \(config.steps)")
            }
            let problem = SyntheticProblem.make(steps: rng.int(in: config.steps), rng: &rng)
            guard splitOf(question: problem.question) == split, seen.insert(problem.question).inserted else { continue }
            examples.append(Example(index: examples.count, question: problem.question,
                                    solution: problem.solution, answer: String(problem.answer)))
        }
        return Dataset(task: name, split: split, examples: examples,
                       sha256: SHA256.hex(jsonLines(examples)), path: nil)
    }

    /// `test` for one question text in five (FNV-1a, then the SplitMix finaliser to spread it).
    static func splitOf(question: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in question.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return SplitMix64.finalize(h) % 5 == 0 ? "test" : "train"
    }

    /// The examples as GSM8K JSON Lines (`{"question": …, "answer": …}`), readable by
    /// `DatasetLoader.gsm8k`; this text is what a synthetic dataset's sha256 covers.
    public static func jsonLines(_ examples: [Example]) -> String {
        examples.map { "{\"question\": \(jsonString($0.question)), \"answer\": \(jsonString($0.solution ?? "#### " + $0.answer))}\n" }.joined()
    }

    static func jsonString(_ s: String) -> String { JSONText.quote(s) }
}
