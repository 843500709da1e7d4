import XCTest
@testable import Engine

/// Byte-level BPE on hand-built vocabularies, built through GGUF-style metadata dictionaries.
final class TokenizerBPETests: XCTestCase {
    /// The 256 byte-level characters (ids 0...255), then `extra`, then two control tokens.
    static func metadata(extra: [String], merges: [String], pre: String = "gpt2",
                         more: [String: GGUFValue] = [:]) -> [String: GGUFValue] {
        let tokens = BPEByteMap.byteToScalar.map { String($0) } + extra + ["<|endoftext|>", "<|im_end|>"]
        let types = [Int](repeating: 1, count: tokens.count - 2) + [3, 3]
        var md: [String: GGUFValue] = [
            "tokenizer.ggml.model": .string("gpt2"),
            "tokenizer.ggml.pre": .string(pre),
            "tokenizer.ggml.tokens": .array(tokens.map { .string($0) }),
            "tokenizer.ggml.token_type": .array(types.map { .int32(Int32($0)) }),
            "tokenizer.ggml.merges": .array(merges.map { .string($0) }),
            "tokenizer.ggml.eos_token_id": .uint32(UInt32(tokens.count - 2)),
        ]
        md.merge(more) { $1 }
        return md
    }

    static func make(extra: [String], merges: [String], pre: String = "gpt2",
                     more: [String: GGUFValue] = [:]) throws -> VocabTokenizer {
        try XCTUnwrap(TokenizerFactory.fromGGUF(metadata: metadata(extra: extra, merges: merges, pre: pre, more: more)) as? VocabTokenizer)
    }

    func pieces(_ t: VocabTokenizer, _ text: String, parseSpecial: Bool = true) -> [String] {
        t.encode(text, addSpecialTokens: true, parseSpecial: parseSpecial).map { t.piece($0)! }
    }

    func testLowerRankMergesFirst() throws {
        let bcFirst = try Self.make(extra: ["ab", "bc"], merges: ["b c", "a b"])
        XCTAssertEqual(pieces(bcFirst, "abc"), ["a", "bc"])
        let abFirst = try Self.make(extra: ["ab", "bc"], merges: ["a b", "b c"])
        XCTAssertEqual(pieces(abFirst, "abc"), ["ab", "c"])
    }

    func testMergesCascadeAndTiesGoLeftmost() throws {
        let t = try Self.make(extra: ["aa", "aaaa", "ab", "abc"], merges: ["a a", "aa aa", "a b", "ab c"])
        XCTAssertEqual(pieces(t, "aaa"), ["aa", "a"])
        XCTAssertEqual(pieces(t, "aaaaa"), ["aaaa", "a"])
        XCTAssertEqual(pieces(t, "abc"), ["abc"])
        XCTAssertEqual(pieces(t, "aabc"), ["aa", "b", "c"])  // "a b" would need the "a" that "a a" took first
    }

    func testSpacesAndNonASCIIUseTheByteAlphabet() throws {
        let t = try Self.make(extra: ["Ġl", "Ġlo", "Ġlow", "Ã©"], merges: ["Ġ l", "Ġl o", "Ġlo w", "Ã ©"])
        XCTAssertEqual(pieces(t, "a low"), ["a", "Ġlow"])
        XCTAssertEqual(pieces(t, "é"), ["Ã©"])
        XCTAssertEqual(pieces(t, "ü"), ["Ã", "¼"])  // no merge: one token per byte
        XCTAssertEqual(t.decode(t.encode("a low é ü\n\t😀")), "a low é ü\n\t😀")
    }

    func testMergesWithUnknownPartsAreIgnored() throws {
        let t = try Self.make(extra: ["ab"], merges: ["x yz", "a b"])
        XCTAssertEqual(pieces(t, "ab"), ["ab"])
    }

    func testSpecialTokensMatchOnlyWhenParsingSpecial() throws {
        let t = try Self.make(extra: [], merges: [])
        let endID = try XCTUnwrap(t.id(forSpecial: "<|im_end|>"))
        XCTAssertEqual(t.encode("hi<|im_end|>"), [104, 105, endID])
        let plain = t.encode("hi<|im_end|>", addSpecialTokens: false, parseSpecial: false)
        XCTAssertEqual(plain.count, 12)
        XCTAssertFalse(plain.contains(endID))
        XCTAssertEqual(t.decode(plain), "hi<|im_end|>")
        XCTAssertEqual(t.decode([104, endID], skipSpecialTokens: true), "h")
        XCTAssertEqual(t.decode([104, endID]), "h<|im_end|>")
        XCTAssertNil(t.id(forSpecial: "h"), "normal tokens are not special")
        XCTAssertEqual(t.eosID, t.id(forSpecial: "<|endoftext|>"))
    }

    func testEmptyText() throws {
        let t = try Self.make(extra: [], merges: [])
        XCTAssertEqual(t.encode(""), [])
        XCTAssertEqual(t.decode([]), "")
        XCTAssertEqual(t.decode([-1, 9999]), "", "out-of-range ids are ignored")
    }

    func testBOSOnlyWhenConfigured() throws {
        let plain = try Self.make(extra: [], merges: [])
        XCTAssertFalse(plain.addsBOS)
        let bos = try Self.make(extra: [], merges: [], more: [
            "tokenizer.ggml.bos_token_id": .uint32(256), "tokenizer.ggml.add_bos_token": .bool(true),
        ])
        XCTAssertEqual(bos.encode("a"), [256, 97])
        XCTAssertEqual(bos.encode("a", addSpecialTokens: false), [97])
    }

    func testStreamingDecoderHoldsBackPartialCharacters() throws {
        let t = try Self.make(extra: [], merges: [])
        let ids = t.encode("é😀x")  // 2 + 4 + 1 single-byte tokens
        XCTAssertEqual(ids.count, 7)
        var stream = TokenizerStreamDecoder(tokenizer: t)
        let parts = ids.map { stream.append($0) }
        XCTAssertEqual(parts, ["", "é", "", "", "", "😀", "x"])
        XCTAssertEqual(stream.flush(), "")
        XCTAssertEqual(t.decodeToken(ids[0]), "\u{FFFD}")
    }

    func testCacheGivesIdenticalResults() throws {
        let t = try Self.make(extra: ["Ġl", "Ġlo", "Ġlow"], merges: ["Ġ l", "Ġl o", "Ġlo w"])
        let text = String(repeating: "a low lower lowest ", count: 50)
        XCTAssertEqual(t.encode(text), t.encode(text))
        XCTAssertEqual(t.decode(t.encode(text)), text)
    }

    /// The heap-based merger against the textbook loop (merge the best pair, rescan) on random input.
    func testMergerMatchesNaiveLoop() {
        var rng = TokenizerTestRandom(seed: 42)
        for _ in 0..<300 {
            let alphabet = 4
            var pairs: [(left: Int32, right: Int32, merged: Int32)] = []
            var next = Int32(alphabet)
            for _ in 0..<12 {
                let l = Int32(rng.next() % UInt64(next)), r = Int32(rng.next() % UInt64(next))
                pairs.append((l, r, next))
                next += 1
            }
            let merger = BPEMerger(pairs: pairs)
            let input = (0..<Int(rng.next() % 40)).map { _ in Int32(rng.next() % UInt64(alphabet)) }
            var fast = input
            merger.merge(&fast)
            XCTAssertEqual(fast, naiveMerge(input, pairs), "input \(input)")
        }
    }

    func naiveMerge(_ input: [Int32], _ pairs: [(left: Int32, right: Int32, merged: Int32)]) -> [Int32] {
        var rank: [[Int32]: (Int, Int32)] = [:]
        for (i, p) in pairs.enumerated() where rank[[p.left, p.right]] == nil { rank[[p.left, p.right]] = (i, p.merged) }
        var ids = input
        while true {
            var best: (pos: Int, rank: Int, merged: Int32)? = nil
            for i in 0..<max(ids.count - 1, 0) {
                if let r = rank[[ids[i], ids[i + 1]]], best == nil || r.0 < best!.rank { best = (i, r.0, r.1) }
            }
            guard let b = best else { return ids }
            ids[b.pos] = b.merged
            ids.remove(at: b.pos + 1)
        }
    }
}

/// SplitMix64, so random tests are reproducible.
struct TokenizerTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
