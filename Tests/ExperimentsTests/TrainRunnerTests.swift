import Engine
import Foundation
import XCTest
@testable import Experiments

/// The training loop on a tiny llama over the built-in synthetic task: steps, checkpoints,
/// interruption and resume, and the tuned model.
final class TrainRunnerTests: XCTestCase {
    private var directories: [URL] = []

    override func tearDown() {
        for d in directories { try? FileManager.default.removeItem(at: d) }
    }

    private func spec(_ method: TrainingMethod, steps: Int, checkpointEvery: Int = 100) -> TrainSpec {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ftlab-train-\(UUID().uuidString)")
        directories.append(out)
        return TrainSpec(model: "tiny", modelPath: "-", task: "synthetic", method: method, rank: 4, alpha: 8,
                         dropout: 0.1, learningRate: 1e-2, warmupSteps: 2, maxSteps: steps, batchSize: 4,
                         accumulation: 2, maxSequenceLength: 1024, limit: 24, seed: 5, checkpointEvery: checkpointEvery,
                         outputDirectory: out.path)
    }

    func testLoRATrainingLowersTheLossAndReportsEveryStep() throws {
        let runner = try TrainRunner(spec: spec(.lora, steps: 30), model: TinyEvalModel.make())
        let sink = TrainRecorder()
        runner.run(sink: sink)
        XCTAssertEqual(sink.failure, nil)
        XCTAssertEqual(sink.steps.map(\.step), Array(1...30))
        XCTAssertTrue(sink.finished)
        XCTAssertEqual(sink.steps.first?.totalSteps, 30)
        // 24 examples, 4 per micro-batch, 2 micro-batches per step: 3 steps an epoch, reshuffled.
        XCTAssertEqual(sink.start?.sequences, 24)
        XCTAssertEqual(sink.steps.map(\.tokens).allSatisfy { $0 > 0 }, true)
        let first = sink.steps.prefix(3).map(\.loss).reduce(0, +) / 3
        let last = sink.steps.suffix(3).map(\.loss).reduce(0, +) / 3
        XCTAssertLessThan(last, first * 0.8, "loss \(first) → \(last)")
        // Warm-up then cosine decay: the learning rate peaks after warm-up and ends lower.
        XCTAssertLessThan(sink.steps[0].learningRate, sink.steps[2].learningRate)
        XCTAssertLessThan(sink.steps[29].learningRate, sink.steps[2].learningRate)
        // One checkpoint at the end, in PEFT layout.
        let checkpoint = try XCTUnwrap(sink.checkpoints.last)
        XCTAssertEqual(checkpoint.step, 30)
        for file in ["adapter_model.safetensors", "adapter_config.json", "optimizer.safetensors", "trainer_state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.directory + "/" + file), file)
        }
    }

    /// Stop after step 5 (a checkpoint is written), resume from it in a fresh runner: steps 6…10
    /// are the steps an uninterrupted run makes, to float precision.
    func testInterruptedRunResumesWhereItStopped() throws {
        for method in [TrainingMethod.lora, .dora] {
            let s = spec(method, steps: 10)
            let whole = TrainRecorder()
            try TrainRunner(spec: s, model: TinyEvalModel.make()).run(sink: whole)
            XCTAssertEqual(whole.steps.count, 10)

            var interrupted = s
            interrupted.outputDirectory += "-b"
            directories.append(URL(fileURLWithPath: interrupted.outputDirectory))
            let first = TrainRecorder()
            try TrainRunner(spec: interrupted, model: TinyEvalModel.make()).run(sink: first, shouldStop: { first.steps.count >= 5 })
            XCTAssertTrue(first.interrupted)
            XCTAssertEqual(first.steps.count, 5)
            let checkpoint = try XCTUnwrap(first.checkpoints.last)
            XCTAssertEqual(checkpoint.step, 5)

            let second = TrainRecorder()
            try TrainRunner(spec: interrupted, model: TinyEvalModel.make()).run(resumeFrom: checkpoint.directory, sink: second)
            XCTAssertEqual(second.start?.firstStep, 5)
            XCTAssertEqual(second.steps.map(\.step), Array(6...10))
            for (a, b) in zip(whole.steps.suffix(5), second.steps) {
                XCTAssertEqual(a.loss, b.loss, accuracy: 1e-6 * max(1, abs(a.loss)), "\(method) step \(a.step)")
                XCTAssertEqual(a.gradNorm, b.gradNorm, accuracy: 1e-5 * max(1, a.gradNorm), "\(method) step \(a.step)")
            }
        }
    }

    /// The tuned model the evaluation uses is the trained adapters merged into the base weights:
    /// its logits differ from the untouched model's and equal the training graph's.
    func testTunedModelMergesTheAdapters() throws {
        let runner = try TrainRunner(spec: spec(.dora, steps: 6), model: TinyEvalModel.make())
        runner.run(sink: TrainRecorder())
        let sequence = TrainingSequence(tokens: [256, 81, 117, 101, 115, 116], promptTokens: 1)
        let graph = try TrainingGraph(transformer: runner.model.transformer, method: .dora, adapters: runner.adapters,
                                      maxTokens: 16)
        let adapted = graph.logits(sequence)
        let base = try TinyEvalModel.make().transformer.logits(tokens: sequence.tokens)
        let merged = try runner.tunedModel().transformer.logits(tokens: sequence.tokens)
        let vocab = base.count
        let last = Array(adapted.suffix(vocab))
        var moved = 0.0, gap = 0.0
        for i in 0..<vocab {
            moved = max(moved, Double(abs(last[i] - base[i])))
            gap = max(gap, Double(abs(last[i] - merged[i])) / max(1, Double(abs(last[i]))))
        }
        XCTAssertGreaterThan(moved, 1e-3, "training changed nothing")
        XCTAssertLessThan(gap, 1e-4, "merged model differs from the adapted one")
    }

    func testTrainingOnAMultipleChoiceTaskIsRefused() {
        var s = spec(.lora, steps: 1)
        s.task = "piqa"
        XCTAssertThrowsError(try TrainRunner(spec: s, model: TinyEvalModel.make())) { error in
            XCTAssertTrue("\(error)".contains("multiple-choice"), "\(error)")
        }
    }
}

/// Collects training events; can ask the runner to stop.
final class TrainRecorder: TrainSink {
    var start: TrainStart?
    var steps: [TrainStepInfo] = []
    var checkpoints: [TrainCheckpointInfo] = []
    var finished = false, interrupted = false
    var failure: String?

    func handle(_ event: TrainEvent) throws {
        switch event {
        case .started(let s): start = s
        case .step(let s): steps.append(s)
        case .checkpoint(let c): checkpoints.append(c)
        case .finished: finished = true
        case .interrupted: interrupted = true
        case .failed(let m): failure = m
        }
    }
}
