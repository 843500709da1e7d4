import Foundation

/// What a training run reports as it goes; a sink turns events into rows (Console's store sink)
/// or text (the progress bar). Experiments never touches the database.
public enum TrainEvent: Sendable {
    case started(TrainStart)
    /// One optimizer step.
    case step(TrainStepInfo)
    /// A resumable checkpoint was written (adapter or full weights, optimizer state, data cursor).
    case checkpoint(TrainCheckpointInfo)
    case finished(TrainTotals)
    /// `shouldStop` said stop; a checkpoint of the last completed step was written first.
    case interrupted(TrainTotals)
    case failed(String)
}

/// Receives events in order on the training thread; a throwing sink stops the run (as failed).
public protocol TrainSink: AnyObject {
    func handle(_ event: TrainEvent) throws
}

public struct TrainStart: Sendable {
    public var spec: TrainSpec
    public var model: EvalModelInfo
    public var dataset: Dataset
    /// Sequences after tokenisation and truncation.
    public var sequences: Int
    /// Examples whose text was cut at `maxSequenceLength`, and those dropped (no answer token left).
    public var truncated: Int
    public var dropped: Int
    public var totalSteps: Int
    /// Steps already done (a resumed run starts after them).
    public var firstStep: Int
    public var trainableParameters: Int
}

public struct TrainStepInfo: Sendable, Equatable {
    /// 1-based optimizer step.
    public var step: Int
    public var totalSteps: Int
    /// Mean cross-entropy per answer token over the step's micro-batches.
    public var loss: Double
    public var learningRate: Double
    /// Global gradient L2 norm before clipping.
    public var gradNorm: Double
    /// Tokens processed (prompt and answer) and answer tokens scored.
    public var tokens: Int
    public var answerTokens: Int
    public var seconds: Double
    /// Since this session started: seconds, steps and tokens.
    public var elapsed: Double
    public var sessionSteps: Int
    public var sessionTokens: Int
}

public struct TrainCheckpointInfo: Sendable, Equatable {
    public enum Kind: String, Sendable { case adapter, full }
    public var step: Int
    public var directory: String
    public var kind: Kind
}

public struct TrainTotals: Sendable, Equatable {
    /// The last completed optimizer step.
    public var steps: Int
    /// This session's wall time.
    public var wallSeconds: Double
    /// Tokens processed by this session.
    public var tokens: Int
}
