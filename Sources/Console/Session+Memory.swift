import Experiments
import Foundation

// Memory planning of `eval` and `train`: the estimate is printed in the run's start line,
// recorded on the run, and a run that cannot fit is refused before its model loads.

/// A run refused before it started because it cannot fit the memory available. A sweep's worker
/// records it as the run's result (status `failed`, this message as its error): on a given
/// machine the refusal is a finding, not a fault to retry.
public struct RunRefused: Error, CustomStringConvertible {
    public let description: String
}

extension Session {
    /// Bytes a run may use: MemAvailable, capped by `--memory` / `.memory` / $FTLAB_MEMORY.
    var memoryAvailable: Int {
        let env = ProcessInfo.processInfo.environment["FTLAB_MEMORY"].flatMap(MemoryPlanner.parseSize)
        return MemoryPlanner.availableBytes(limit: memoryLimit ?? env)
    }

    /// The training plan (recomputation chosen when needed), or a refusal as a one-line error.
    func planTraining(_ spec: TrainSpec, quiet: Bool = false) throws -> MemoryEstimate {
        let shape = try MemoryPlanner.shape(path: spec.modelPath)
        do {
            let estimate = try MemoryPlanner.planTraining(spec, shape: shape, available: memoryAvailable)
            if !quiet { errors.write("memory: \(estimate.summary) of \(MemoryEstimate.gigabytes(memoryAvailable)) GB available\n") }
            return estimate
        } catch let refusal as MemoryRefusal {
            throw RunRefused(description: refusal.description)
        }
    }

    /// The evaluation estimate; refused when it exceeds what is available. Called once before the
    /// model loads (weights and a typical prompt length) and again with the tokenized prompts.
    func planEvaluation(_ spec: ExperimentSpec, prompts: PromptStatistics? = nil,
                        quiet: Bool = false) throws -> MemoryEstimate? {
        guard let shape = try? MemoryPlanner.shape(path: spec.modelPath) else { return nil }
        let estimate = MemoryPlanner.evaluation(spec, shape: shape, prompts: prompts)
        let available = memoryAvailable
        guard estimate.totalBytes <= available else {
            throw RunRefused(description: "evaluation of \(spec.modelKey) at batch \(spec.batchSize) needs \(estimate.summary); "
                               + "\(MemoryEstimate.gigabytes(available)) GB available — not started; a smaller `batch` needs less KV cache")
        }
        if !quiet { errors.write("memory: \(estimate.summary) of \(MemoryEstimate.gigabytes(available)) GB available\n") }
        return estimate
    }
}
