import Foundation
import XCTest
@testable import Engine

/// SentencePiece-style (GGUF "llama") tokenization on hand-built vocabularies with scores.
final class TokenizerSentencePieceTests: XCTestCase {
    /// ids 0 `<unk>`, 1 `<s>`, 2 `</s>`, 3...258 `<0x00>`...`<0xFF>`, then `pieces` (normal unless
    /// `userDefined` lists them).
    static func make(_ pieces: [(String, Float)], userDefined: Set<String> = [], byteTokens: Bool = true,
                     prefix: Bool = false, bos: Bool = true) throws -> VocabTokenizer {
        var tokens = ["<unk>", "<s>", "</s>"], types = [2, 3, 3], scores: [Float] = [0, 0, 0]
        if byteTokens {
            for b in 0..<256 { tokens.append(String(format: "<0x%02X>", b)); types.append(6); scores.append(0) }
        }
        for (p, s) in pieces { tokens.append(p); types.append(userDefined.contains(p) ? 4 : 1); scores.append(s) }
        let md: [String: GGUFValue] = [
            "tokenizer.ggml.model": .string("llama"),
            "tokenizer.ggml.tokens": .array(tokens.map { .string($0) }),
            "tokenizer.ggml.token_type": .array(types.map { .int32(Int32($0)) }),
            "tokenizer.ggml.scores": .array(scores.map { .float32($0) }),
            "tokenizer.ggml.unknown_token_id": .uint32(0),
            "tokenizer.ggml.bos_token_id": .uint32(1),
            "tokenizer.ggml.eos_token_id": .uint32(2),
            "tokenizer.ggml.add_bos_token": .bool(bos),
            "tokenizer.ggml.add_space_prefix": .bool(prefix),
        ]
        return try XCTUnwrap(TokenizerFactory.fromGGUF(metadata: md) as? VocabTokenizer)
    }

    static let base: [(String, Float)] = [("▁", -1), ("a", -1), ("b", -1), ("c", -1), ("▁a", -3), ("▁b", -3)]

    func pieces(_ t: VocabTokenizer, _ text: String, parseSpecial: Bool = true) -> [String] {
        t.encode(text, addSpecialTokens: false, parseSpecial: parseSpecial).map { t.piece($0)! }
    }

    func testHighestScoreMergesFirst() throws {
        let bcWins = try Self.make(Self.base + [("ab", -5), ("bc", -4)])
        XCTAssertEqual(pieces(bcWins, "abc"), ["a", "bc"])
        let abWins = try Self.make(Self.base + [("ab", -4), ("bc", -5)])
        XCTAssertEqual(pieces(abWins, "abc"), ["ab", "c"])
        let whole = try Self.make(Self.base + [("ab", -5), ("bc", -4), ("abc", -9)])
        XCTAssertEqual(pieces(whole, "abc"), ["abc"], "a + bc forms abc even though abc scores lowest")
    }

    func testEqualScoresMergeLeftmostFirst() throws {
        let t = try Self.make(Self.base + [("aa", -5)])
        XCTAssertEqual(pieces(t, "aaa"), ["aa", "a"])
    }

    func testByteFallbackForMissingCharacters() throws {
        let t = try Self.make(Self.base)
        XCTAssertEqual(pieces(t, "a€"), ["a", "<0xE2>", "<0x82>", "<0xAC>"])
        XCTAssertEqual(t.decode(t.encode("a€ b"), skipSpecialTokens: true), "a€ b")
        let noBytes = try Self.make(Self.base, byteTokens: false)
        XCTAssertEqual(pieces(noBytes, "a€"), ["a", "<unk>"])
    }

    func testSpacesBecomeMetaspaceWithoutDummyPrefix() throws {
        let t = try Self.make(Self.base)
        XCTAssertEqual(pieces(t, "a b"), ["a", "▁b"])
        XCTAssertEqual(pieces(t, " a"), ["▁a"])
        XCTAssertEqual(t.decode(t.encode("a b", addSpecialTokens: false)), "a b")
    }

    func testDummyPrefixIsAddedAndRemovedAgain() throws {
        let t = try Self.make(Self.base, prefix: true)
        XCTAssertEqual(pieces(t, "a b"), ["▁a", "▁b"])
        XCTAssertEqual(t.decode(t.encode("a b", addSpecialTokens: false)), "a b")
        XCTAssertEqual(t.decode(t.encode("a b"), skipSpecialTokens: true), "a b")
        XCTAssertEqual(t.decode(t.encode("a b")), "<s>a b")
    }

    func testBOSIsPrepended() throws {
        let t = try Self.make(Self.base)
        XCTAssertEqual(t.encode(""), [1])
        XCTAssertEqual(t.encode("a"), [1, t.id(forPiece: "a")!])
        XCTAssertEqual(t.encode("a", addSpecialTokens: false), [t.id(forPiece: "a")!])
        XCTAssertEqual(t.decode(t.encode("a"), skipSpecialTokens: true), "a")
        XCTAssertEqual(t.decode(t.encode("a")), "<s>a")
    }

    func testControlTokensOnlyFromSpecialText() throws {
        // "<" + "s>" could merge into "<s>", but <s> is a control token.
        let t = try Self.make(Self.base + [("<", -1), ("s>", -1), ("/", -1)])
        XCTAssertEqual(pieces(t, "<s>", parseSpecial: false), ["<", "s>"])
        XCTAssertEqual(pieces(t, "</s>", parseSpecial: false), ["<", "/", "s>"])
        XCTAssertEqual(t.encode("a</s>", addSpecialTokens: false), [t.id(forPiece: "a")!, 2])
    }

    func testUserDefinedTokensAlwaysMatch() throws {
        let t = try Self.make(Self.base + [("\n\n", 0), ("\n", 0)], userDefined: ["\n\n", "\n"])
        XCTAssertEqual(pieces(t, "a\n\n\nb", parseSpecial: false), ["a", "\n\n", "\n", "b"])
        XCTAssertEqual(t.decode(t.encode("a\n\n\nb")), "<s>a\n\n\nb")
    }

    /// The heap algorithm against the definition (best-scoring adjacent pair, leftmost, repeat).
    func testMatchesNaiveBestPairLoop() throws {
        let pieces: [(String, Float)] = [("a", -1), ("b", -1), ("c", -1), ("ab", -3), ("bc", -2), ("ca", -4),
                                         ("abc", -6), ("bca", -5), ("aa", -3), ("cab", -7), ("abca", -8)]
        let t = try Self.make(pieces)
        let score = Dictionary(uniqueKeysWithValues: pieces)
        var rng = TokenizerTestRandom(seed: 7)
        for _ in 0..<300 {
            let text = String((0..<Int(rng.next() % 24)).map { _ in "abc".randomElement(using: &rng)! })
            var symbols = text.map(String.init)
            while true {
                var best: (Int, Float)? = nil
                for i in 0..<max(symbols.count - 1, 0) {
                    if let s = score[symbols[i] + symbols[i + 1]], best == nil || s > best!.1 { best = (i, s) }
                }
                guard let (i, _) = best else { break }
                symbols[i] += symbols.remove(at: i + 1)
            }
            XCTAssertEqual(self.pieces(t, text), symbols, text)
        }
    }
}
