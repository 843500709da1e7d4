import Engine
/// Builds generation prompts for a split from a shot pool (normally the task's train split).
/// A question never appears among its own shots: shots are compared by question text, so this
/// holds even when the pool is another copy of the evaluated split.
public struct PromptBuilder: Sendable {
    public let config: PromptConfig
    public let pool: [Example]
    /// Pool positions of the fixed shots (fixed mode only).
    public let fixedShots: [Int]
    private let poolQuestions: [String]
    private let questionCounts: [String: Int]

    /// - Parameter evaluating: in fixed mode, the examples that will be prompted; the fixed
    ///   shots are drawn from pool entries whose question is not among them.
    public init(config: PromptConfig, shotPool: [Example] = [], evaluating: [Example] = []) throws {
        guard config.shots >= 0 else { throw PromptError.invalid("shots must be >= 0") }
        if config.format == .zeroShotCoT, config.shots > 0 {
            throw PromptError.invalid("the chain-of-thought format is zero-shot; use qa or chat for k-shot")
        }
        self.config = config
        pool = shotPool
        let questions = shotPool.map { Self.key($0.question) }
        poolQuestions = questions
        questionCounts = questions.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        guard config.selection == .fixed, config.shots > 0 else { fixedShots = []; return }
        let excluded = Set(evaluating.map { Self.key($0.question) })
        var eligible = questions.indices.filter { !excluded.contains(questions[$0]) }
        guard eligible.count >= config.shots else {
            throw PromptError.tooFewShots(needed: config.shots, available: eligible.count)
        }
        // Partial Fisher-Yates on a stream no question index uses.
        var rng = SplitMix64(seed: config.seed, stream: UInt64.max)
        for i in 0..<config.shots {
            let j = i + rng.next(below: eligible.count - i)
            eligible.swapAt(i, j)
        }
        fixedShots = Array(eligible.prefix(config.shots))
    }

    /// The shared prefix in fixed mode (text formats), else nil.
    public var sharedPrefix: String? {
        guard config.selection == .fixed, config.format != .chat else { return nil }
        return Self.prefix(fixedShots.map { shotText(pool[$0]) })
    }

    public func prompt(for example: Example) throws -> Prompt {
        let positions = try shotPositions(for: example)
        let shots = positions.map { pool[$0] }
        let target = completion(example)
        switch config.format {
        case .questionAnswer:
            let prefix = Self.prefix(shots.map(shotText))
            return Prompt(text: prefix + Self.question(example.question), prefix: prefix, messages: [],
                          target: " " + target, shots: shots.map(\.index))
        case .zeroShotCoT:
            return Prompt(text: Self.question(example.question) + " Let's think step by step.", prefix: "",
                          messages: [], target: " " + target, shots: [])
        case .chat:
            var messages = shots.flatMap { [ChatMessage(.user, $0.question), ChatMessage(.assistant, completion($0))] }
            messages.append(ChatMessage(.user, example.question))
            return Prompt(text: "", prefix: "", messages: messages, target: target, shots: shots.map(\.index))
        }
    }

    /// Pool positions of the shots for `example`.
    public func shotPositions(for example: Example) throws -> [Int] {
        let k = config.shots
        guard k > 0 else { return [] }
        let own = Self.key(example.question)
        if config.selection == .fixed {
            if fixedShots.contains(where: { poolQuestions[$0] == own }) { throw PromptError.questionAmongShots(index: example.index) }
            return fixedShots
        }
        let available = pool.count - (questionCounts[own] ?? 0)
        guard available >= k else { throw PromptError.tooFewShots(needed: k, available: available) }
        var rng = SplitMix64(seed: config.seed, stream: UInt64(example.index))
        var chosen: [Int] = []
        while chosen.count < k {
            let j = rng.next(below: pool.count)
            if poolQuestions[j] != own, !chosen.contains(j) { chosen.append(j) }
        }
        return chosen
    }

    /// What follows `Answer:` for an example: its worked solution, or `#### N` when the source
    /// has none (so shots and targets always end the way the strict rule reads them).
    public func completion(_ example: Example) -> String {
        guard let solution = example.solution else { return "#### " + example.answer }
        return config.stripCalculatorAnnotations ? DatasetLoader.stripCalculatorAnnotations(solution) : solution
    }

    public static func question(_ text: String) -> String { "Question: \(text)\nAnswer:" }

    private func shotText(_ e: Example) -> String { Self.question(e.question) + " " + completion(e) }

    private static func prefix(_ shots: [String]) -> String {
        shots.isEmpty ? "" : shots.joined(separator: "\n\n") + "\n\n"
    }

    private static func key(_ question: String) -> String { question.trimmingWhitespace() }
}
