import Engine

/// Where a training run is in its data: the epoch, the next position in that epoch's shuffled
/// order, and micro-batches served so far. Saved with a checkpoint, it lets a resumed run see
/// exactly the batches the interrupted one had not yet seen.
public struct BatchCursor: Codable, Equatable, Sendable {
    public var epoch: Int
    public var position: Int
    public var step: Int

    public init(epoch: Int = 0, position: Int = 0, step: Int = 0) {
        self.epoch = epoch
        self.position = position
        self.step = step
    }
}

/// Seeded shuffled micro-batches over `count` sequences, for a number of epochs and/or steps.
///
/// Epoch e visits the sequences in a Fisher–Yates permutation drawn from
/// SplitMix64(seed, stream: e) — a function of (seed, epoch) only, so an epoch's order can be
/// recomputed on resume without replaying earlier epochs. Batches are consecutive runs of
/// `batchSize` in that order; an epoch's last, shorter batch is served unless `dropLast`.
/// Batches never span two epochs.
public struct BatchSampler: Sendable {
    public let count: Int
    public let batchSize: Int
    public let seed: UInt64
    /// Stop after this many epochs (nil: no limit).
    public let epochs: Int?
    /// Stop after this many batches (nil: no limit).
    public let maxSteps: Int?
    public let dropLast: Bool
    public private(set) var cursor: BatchCursor
    private var order: [Int]

    public init(count: Int, batchSize: Int, seed: UInt64, epochs: Int? = 1, maxSteps: Int? = nil,
                dropLast: Bool = false, cursor: BatchCursor = BatchCursor()) throws {
        guard count > 0 else { throw DatasetError.invalidArgument("no training sequences") }
        guard batchSize > 0 else { throw DatasetError.invalidArgument("batch size must be positive, got \(batchSize)") }
        guard epochs != nil || maxSteps != nil else { throw DatasetError.invalidArgument("give a number of epochs or of steps") }
        if let e = epochs, e < 1 { throw DatasetError.invalidArgument("epochs must be at least 1, got \(e)") }
        if let s = maxSteps, s < 1 { throw DatasetError.invalidArgument("max steps must be at least 1, got \(s)") }
        guard !dropLast || count >= batchSize else {
            throw DatasetError.invalidArgument("\(count) sequences make no full batch of \(batchSize)")
        }
        guard cursor.epoch >= 0, cursor.step >= 0, cursor.position >= 0, cursor.position <= count else {
            throw DatasetError.invalidArgument("resume cursor \(cursor) does not fit \(count) sequences")
        }
        self.count = count; self.batchSize = batchSize; self.seed = seed
        self.epochs = epochs; self.maxSteps = maxSteps; self.dropLast = dropLast
        self.cursor = cursor
        order = Self.order(count: count, seed: seed, epoch: cursor.epoch)
    }

    /// The permutation epoch `epoch` visits.
    public static func order(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = SplitMix64(seed: seed, stream: UInt64(epoch))
        var p = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { p.swapAt(i, rng.next(below: i + 1)) }
        return p
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// Batches the whole run serves (from the start, not from the cursor).
    public var totalSteps: Int {
        let byEpochs = epochs.map { $0 * batchesPerEpoch }
        switch (byEpochs, maxSteps) {
        case let (e?, s?): return min(e, s)
        case let (e?, nil): return e
        case let (nil, s?): return s
        default: return 0
        }
    }

    /// The next micro-batch (sequence indices), or nil when the run is over.
    public mutating func next() -> [Int]? {
        if let s = maxSteps, cursor.step >= s { return nil }
        let left = count - cursor.position
        if left == 0 || (dropLast && left < batchSize) {
            cursor.epoch += 1
            cursor.position = 0
            if let e = epochs, cursor.epoch >= e { return nil }
            order = Self.order(count: count, seed: seed, epoch: cursor.epoch)
        }
        if let e = epochs, cursor.epoch >= e { return nil }
        let n = min(batchSize, count - cursor.position)
        let batch = Array(order[cursor.position..<(cursor.position + n)])
        cursor.position += n
        cursor.step += 1
        return batch
    }
}
