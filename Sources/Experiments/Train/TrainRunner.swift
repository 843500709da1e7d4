import Engine
import Foundation

/// Runs a `TrainSpec`: tokenises the split, builds the training graph (full, LoRA or DoRA),
/// and loops micro-batch → gradients → clip → AdamW, reporting every step as an event and
/// writing resumable checkpoints. Deterministic for a spec: shuffling, adapter initialisation and
/// dropout masks all derive from `spec.seed`, so a resumed run continues exactly where the
/// checkpoint left off.
public final class TrainRunner {
    public let spec: TrainSpec
    /// The model being tuned (weights change in place for full fine-tuning).
    public private(set) var model: EvalModel
    /// Where a full fine-tune's checkpoints get their tokenizer files: the base model's GGUF, or
    /// the files of the directory it was loaded from read into memory (never that directory
    /// itself — a resumed run's is a checkpoint, deleted by the next one). Nil for a model built
    /// in memory until a checkpoint is restored.
    private var tokenizerSource: HuggingFaceExport.TokenizerSource?
    public let dataset: Dataset
    public let data: TrainingData
    public private(set) var adapters: AdapterSet?
    private var restored: (directory: String, state: TrainerState)?
    private var merged = false

    /// What a checkpoint holds besides weights and optimizer moments.
    struct TrainerState: Codable {
        var step: Int
        var cursor: BatchCursor
        var totalSteps: Int
    }

    static let stateFileName = "trainer_state.json"
    static let optimizerFileName = "optimizer.safetensors"

    public init(spec: TrainSpec, model: EvalModel? = nil, dataDirectory: String? = nil) throws {
        self.spec = spec
        recomputeActivations = spec.recompute ?? false
        let task = try TaskCatalog.spec(spec.task)
        guard task.kind == .generation else {
            throw DatasetError.invalidArgument("\(task.name) is a multiple-choice task; training needs worked answers (gsm8k, orcamath, synthetic)")
        }
        let split = spec.split ?? "train"
        guard task.splits.contains(split) else {
            throw DatasetError.invalidArgument("\(task.name) has no `\(split)` split to train on (splits: \(task.splits.joined(separator: ", ")))")
        }
        guard spec.batchSize > 0, spec.accumulation > 0, spec.epochs > 0, spec.checkpointEvery > 0 else {
            throw DatasetError.invalidArgument("batch, accum, epochs and the checkpoint interval must be positive")
        }
        if let model {
            self.model = model
        } else {
            let loaded = try LoadedModel(path: spec.modelPath, precision: spec.basePrecision)
            if spec.method == .full { tokenizerSource = try HuggingFaceExport.TokenizerSource(of: loaded) }
            self.model = Self.evalModel(loaded, spec: spec)
        }
        var dataset = try TaskCatalog.load(task: task.name, split: split, dataDirectory: dataDirectory)
        if let limit = spec.limit { dataset.examples = Array(dataset.examples.prefix(limit)) }
        self.dataset = dataset
        data = try TrainingData(examples: dataset.examples, tokenizer: self.model.tokenizer,
                                options: TrainingEncodingOptions(appendEOS: spec.appendEOS, maxLength: spec.maxSequenceLength))
        guard !data.sequences.isEmpty else {
            throw DatasetError.invalidArgument("no training sequences: every example was cut away at seq \(spec.maxSequenceLength)")
        }
        if let config = spec.adapterConfig {
            let set = AdapterSet(config: config, model: self.model.transformer.config)
            let transformer = self.model.transformer
            set.initialize(seed: spec.seed) { transformer.baseRowSquaredNorms(layer: $0, $1) }
            adapters = set
        }
    }

    /// Optimizer steps the run makes (micro-batches ÷ accumulation, rounded up).
    public var totalSteps: Int {
        let sampler = try? makeSampler(cursor: BatchCursor())
        let micro = sampler?.totalSteps ?? 0
        return (micro + spec.accumulation - 1) / spec.accumulation
    }

    private func makeSampler(cursor: BatchCursor) throws -> BatchSampler {
        try BatchSampler(count: data.sequences.count, batchSize: spec.batchSize, seed: spec.seed,
                         epochs: spec.maxSteps == nil ? spec.epochs : nil,
                         maxSteps: spec.maxSteps.map { $0 * spec.accumulation }, cursor: cursor)
    }

    /// Loads a checkpoint written by `run`: adapters or full weights now, optimizer state and
    /// data cursor when `run` starts.
    public func restore(from directory: String) throws {
        let url = URL(fileURLWithPath: directory)
        let stateURL = url.appendingPathComponent(Self.stateFileName)
        guard let bytes = FileManager.default.contents(atPath: stateURL.path) else {
            throw DatasetError.invalidArgument("checkpoint \(directory) has no \(Self.stateFileName)")
        }
        let state = try JSONDecoder().decode(TrainerState.self, from: bytes)
        if spec.method == .full {
            let loaded = try LoadedModel(path: directory)
            if tokenizerSource == nil { tokenizerSource = try HuggingFaceExport.TokenizerSource(of: loaded) }
            model = Self.evalModel(loaded, spec: spec)
        } else {
            adapters = try AdapterCheckpoint.read(directory: url, model: model.transformer.config)
        }
        restored = (directory, state)
    }

    /// Trains until the spec's steps are done or `shouldStop` says stop (then a checkpoint is
    /// written and `.interrupted` reported). Errors are reported as `.failed`, never thrown.
    public func run(resumeFrom resumeDirectory: String? = nil, sink: TrainSink, shouldStop: () -> Bool = { false }) {
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var sessionTokens = 0
        var step = 0
        do {
            if let resumeDirectory { try restore(from: resumeDirectory) }
            precondition(!merged, "TrainRunner.run after tunedModel(): the adapters are merged")
            let transformer = model.transformer
            let graph = try TrainingGraph(transformer: transformer, method: spec.method, adapters: adapters,
                                          maxTokens: spec.batchSize * spec.maxSequenceLength,
                                          freezeEmbeddings: spec.freezeEmbeddings,
                                          recomputeActivations: recomputeActivations)
            let tensors = graph.trainableTensors
            let optimizer = AdamW(tensors: tensors, config: AdamWConfig(weightDecay: spec.weightDecay))
            let clipper = GradientClipper(tensors: tensors)
            var sampler = try makeSampler(cursor: restored?.state.cursor ?? BatchCursor())
            if let r = restored {
                try optimizer.loadState(from: URL(fileURLWithPath: r.directory).appendingPathComponent(Self.optimizerFileName).path)
                step = r.state.step
            }
            let total = totalSteps
            let schedule = LearningRateSchedule(peak: Float(spec.learningRate), totalSteps: total,
                                                warmup: .steps(min(spec.warmupSteps, total)), decay: spec.schedule)
            try sink.handle(.started(TrainStart(
                spec: spec, model: info, dataset: dataset, sequences: data.sequences.count,
                truncated: data.stats.truncated, dropped: data.stats.droppedAnswerCut, totalSteps: total,
                firstStep: step, trainableParameters: tensors.reduce(0) { $0 + $1.value.count })))
            var sessionSteps = 0
            var lastCheckpoint = DispatchTime.now().uptimeNanoseconds
            while step < total {
                if shouldStop() {
                    try checkpoint(step: step, cursor: sampler.cursor, total: total, optimizer: optimizer, sink: sink)
                    try sink.handle(.interrupted(TrainTotals(steps: step, wallSeconds: elapsed(), tokens: sessionTokens)))
                    return
                }
                let stepStart = DispatchTime.now().uptimeNanoseconds
                var micro: [[TrainingSequence]] = []
                while micro.count < spec.accumulation, let batch = sampler.next() {
                    micro.append(batch.map { data.sequences[$0] })
                }
                if micro.isEmpty { break }
                // The loss is the mean over every answer token of the optimizer step, so each
                // micro-batch's sum is scaled by the step's total, not its own.
                let answerTokens = micro.joined().reduce(0) { $0 + max(0, $1.tokens.count - max($1.promptTokens, 1)) }
                let tokens = micro.joined().reduce(0) { $0 + $1.tokens.count }
                graph.zeroGradients()
                var lossSum = 0.0
                for (k, batch) in micro.enumerated() {
                    let seed = SplitMix64.finalize(spec.seed &+ UInt64(step) &* 0x9E37_79B9 &+ UInt64(k))
                    lossSum += graph.accumulate(batch, lossScale: 1 / Float(max(answerTokens, 1)), dropoutSeed: seed).lossSum
                }
                let norm = clipper.clip(maxNorm: Float(spec.maxGradNorm))
                guard norm.isFinite, lossSum.isFinite else {
                    throw DatasetError.invalidArgument(String(format: "step %d: loss %.4g, gradient norm %.4g — not finite; lower the learning rate", step + 1, lossSum, Double(norm)))
                }
                let lr = schedule.learningRate(step: step)
                optimizer.step(learningRate: lr)
                step += 1
                sessionSteps += 1
                sessionTokens += tokens
                try sink.handle(.step(TrainStepInfo(
                    step: step, totalSteps: total, loss: lossSum / Double(max(answerTokens, 1)), learningRate: Double(lr),
                    gradNorm: Double(norm), tokens: tokens, answerTokens: answerTokens,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - stepStart) / 1e9,
                    elapsed: elapsed(), sessionSteps: sessionSteps, sessionTokens: sessionTokens)))
                // Every `checkpoint-every` steps, and at least every `checkpointSeconds` of training,
                // so a kill -9 loses at most that much work.
                let sinceCheckpoint = Double(DispatchTime.now().uptimeNanoseconds - lastCheckpoint) / 1e9
                if step < total && (step % spec.checkpointEvery == 0 || sinceCheckpoint >= checkpointSeconds) {
                    try checkpoint(step: step, cursor: sampler.cursor, total: total, optimizer: optimizer, sink: sink)
                    lastCheckpoint = DispatchTime.now().uptimeNanoseconds
                }
            }
            try checkpoint(step: step, cursor: sampler.cursor, total: total, optimizer: optimizer, sink: sink)
            try sink.handle(.finished(TrainTotals(steps: step, wallSeconds: elapsed(), tokens: sessionTokens)))
        } catch {
            try? sink.handle(.failed("\(error)"))
        }
    }

    private var info: EvalModelInfo { model.info }

    /// Recorded under the base model's key and file, whatever directory the weights came from.
    private static func evalModel(_ loaded: LoadedModel, spec: TrainSpec) -> EvalModel {
        let c = loaded.config
        return EvalModel(transformer: loaded.transformer, tokenizer: loaded.tokenizer, chatTemplate: loaded.chatTemplate,
                         info: EvalModelInfo(key: spec.modelKey, family: c.family.rawValue,
                                             parameters: c.parameterCount, path: spec.modelPath))
    }

    /// `<outputDirectory>/step-N`: adapters in PEFT layout (or the full model as a Hugging Face
    /// directory), optimizer moments and the data cursor, written as one atomic directory. A full
    /// fine-tune keeps only its newest checkpoint (each is the size of the model, three times over).
    private func checkpoint(step: Int, cursor: BatchCursor, total: Int, optimizer: AdamW, sink: TrainSink) throws {
        let root = URL(fileURLWithPath: spec.outputDirectory)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let directory = root.appendingPathComponent("step-\(step)")
        let state = try JSONEncoder().encode(TrainerState(step: step, cursor: cursor, totalSteps: total))
        let extra: (URL) throws -> Void = { staging in
            try optimizer.saveState(to: staging.appendingPathComponent(Self.optimizerFileName).path)
            try state.write(to: staging.appendingPathComponent(Self.stateFileName))
        }
        if let adapters {
            try AdapterCheckpoint.write(adapters, to: directory, baseModel: spec.modelKey, extra: extra)
            try sink.handle(.checkpoint(TrainCheckpointInfo(step: step, directory: directory.path, kind: .adapter)))
        } else {
            guard let tokenizerSource else {
                throw DatasetError.invalidArgument("a full fine-tune is saved with its tokenizer files, so the model must come from a file")
            }
            _ = try HuggingFaceExport.write(transformer: model.transformer, tokenizerFrom: tokenizerSource, to: directory, extra: extra)
            try sink.handle(.checkpoint(TrainCheckpointInfo(step: step, directory: directory.path, kind: .full)))
            let others = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            for name in others where name.hasPrefix("step-") && name != directory.lastPathComponent {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
            }
        }
    }

    /// Whether the graph recomputes activations: the spec's choice, else what the memory plan
    /// decided (`TrainRunner.recomputeActivations` is set by whoever planned the run), else off.
    public var recomputeActivations = false
    /// A checkpoint is also written whenever this much training time passed since the last one.
    public var checkpointSeconds: Double = 600

    /// The tuned model for evaluation: LoRA/DoRA merged into the base weights (after this the
    /// runner cannot train further), a full fine-tune as is. Adapters trained on a quantized base
    /// are merged into fp32 copies of the projections they target only; the embedding, the LM
    /// head and untargeted matrices stay in the GGUF's blocks (no fp32 copy of the model).
    public func tunedModel() throws -> EvalModel {
        if let adapters, !merged {
            if model.transformer.precision == .fp32 {
                model.transformer.mergeAdapters(adapters)
            } else {
                // Only the targeted projections become fp32; the rest stays in its blocks.
                model.transformer.mergeAdaptersOverQuantizedBase(adapters)
            }
            merged = true
        }
        return model
    }
}
