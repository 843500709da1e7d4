import Engine
import Foundation

/// The PEFT fixture (Tests/Fixtures/peft) made whole for a test: a tiny Llama, a LoRA and a DoRA
/// adapter, and PEFT's logits for them.
///
/// The repository carries only its text — the JSON files transformers and PEFT wrote, and
/// `expected-logits.json` — because every weight comes from a formula
/// (Scripts/peft-fixture/make-fixture.py): this writes the same safetensors files into a
/// temporary copy of the folder. `expected-logits.json` lists each file's tensors with their
/// shapes and FNV-1a-64 of their float32 bytes, so a generator that drifted from the Python
/// formula fails here, naming the tensor, rather than as a logit mismatch downstream.
public final class PEFTFixture {
    public static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/peft")

    private let directory: TemporaryDirectory
    /// The complete fixture folder: `tiny-llama/`, `lora/`, `dora/`, `expected-logits.json`.
    public var url: URL { directory.url.appendingPathComponent("peft") }
    /// `expected-logits.json`, parsed.
    public let expected: [String: Any]

    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }

    /// Copies `source` (the committed JSON files) and writes the weights next to them.
    public init(source: URL = PEFTFixture.source) throws {
        directory = try TemporaryDirectory(prefix: "ftlab-peft-fixture")
        let root = directory.url.appendingPathComponent("peft")
        try FileManager.default.copyItem(at: source, to: root)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("expected-logits.json")))
        guard let expected = json as? [String: Any], let files = expected["tensors"] as? [String: [String: [String: Any]]] else {
            throw Mismatch(description: "\(source.path)/expected-logits.json: no \"tensors\" object (rerun Scripts/peft-fixture/make-fixture.py)")
        }
        self.expected = expected
        for (file, tensors) in files.sorted(by: { $0.key < $1.key }) {
            var writer = SafeTensorsWriter(metadata: ["format": "pt"])
            for (name, entry) in tensors.sorted(by: { $0.key < $1.key }) {
                guard let shape = entry["shape"] as? [Int], let hash = entry["fnv1a64"] as? String else {
                    throw Mismatch(description: "expected-logits.json: tensor \(name) of \(file) lacks shape or fnv1a64")
                }
                let values = Self.values(name: name, count: shape.reduce(1, *))
                let made = String(Self.fnv1a64(values.withUnsafeBytes { Array($0) }), radix: 16)
                guard String(repeating: "0", count: 16 - made.count) + made == hash else {
                    throw Mismatch(description: "\(file): tensor \(name) made here hashes to \(made), PEFT saved \(hash)")
                }
                try writer.add(name, shape: shape, values: values)
            }
            try writer.write(to: root.appendingPathComponent(file).path)
        }
    }

    /// The fixture's weight formula (see make-fixture.py): SplitMix64 seeded with FNV-1a-64 of the
    /// tensor's name, 24 bits a value, centred and scaled by a power of two — exact in Double, so
    /// the one rounding to Float is the same as numpy's.
    static func values(name: String, count: Int) -> [Float] {
        let (offset, scale): (Double, Double) =
            name.hasSuffix("norm.weight") ? (1, 0.25) : name.hasSuffix("lora_magnitude_vector") ? (1, 0.5) : (0, 0.25)
        var generator = SplitMix64(seed: fnv1a64(Array(name.utf8)))
        return (0..<count).map { _ in
            let k = Double(Int64(generator.next() >> 40) - (1 << 23))
            return Float(offset + scale * k / Double(1 << 23))
        }
    }

    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
