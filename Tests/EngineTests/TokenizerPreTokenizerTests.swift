import XCTest
@testable import Engine

/// The hand-written splitters against expectations produced by the reference regexes (Python `re`
/// with \p{L}/\p{N}/\s expanded from the Unicode tables, Oniguruma case folding for `(?i:)`).
final class TokenizerPreTokenizerTests: XCTestCase {
    static let cases = [
        "I'm sure you'll see they've 12345 cats", "$1,000.50", "Hello\n\nWorld", "a   b    c  ",
        "emoji 👋🏽 ok 😀😀", "中文 测试，CJK标点。", "café naïve Ünïcödé", "WE'LL DON'T", "x\r\n\ty",
        " 3.14 ²½ Ⅻ", "\"quoted\" (paren) 'single'", "line one\n  indented\n\n\n",
    ]

    static let gpt2: [[String]] = [
        ["I", "'m", " sure", " you", "'ll", " see", " they", "'ve", " 12345", " cats"],
        ["$", "1", ",", "000", ".", "50"],
        ["Hello", "\n", "\n", "World"],
        ["a", "  ", " b", "   ", " c", "  "],
        ["emoji", " 👋🏽", " ok", " 😀😀"],
        ["中文", " 测试", "，", "CJK标点", "。"],
        ["café", " naïve", " Ünïcödé"],
        ["WE", "'", "LL", " DON", "'", "T"],
        ["x", "\r\n", "\t", "y"],
        [" 3", ".", "14", " ²½", " Ⅻ"],
        ["\"", "quoted", "\"", " (", "paren", ")", " '", "single", "'"],
        ["line", " one", "\n ", " indented", "\n\n\n"],
    ]
    static let smollm: [[String]] = [
        ["I", "'m", " sure", " you", "'ll", " see", " they", "'ve", " ", "1", "2", "3", "4", "5", " cats"],
        ["$", "1", ",", "0", "0", "0", ".", "5", "0"],
        ["Hello", "\n", "\n", "World"],
        ["a", "  ", " b", "   ", " c", "  "],
        ["emoji", " 👋🏽", " ok", " 😀😀"],
        ["中文", " 测试", "，", "CJK标点", "。"],
        ["café", " naïve", " Ünïcödé"],
        ["WE", "'", "LL", " DON", "'", "T"],
        ["x", "\r\n", "\t", "y"],
        [" ", "3", ".", "1", "4", " ", "²", "½", " ", "Ⅻ"],
        ["\"", "quoted", "\"", " (", "paren", ")", " '", "single", "'"],
        ["line", " one", "\n ", " indented", "\n\n\n"],
    ]
    static let qwen2: [[String]] = [
        ["I", "'m", " sure", " you", "'ll", " see", " they", "'ve", " ", "1", "2", "3", "4", "5", " cats"],
        ["$", "1", ",", "0", "0", "0", ".", "5", "0"],
        ["Hello", "\n\n", "World"],
        ["a", "  ", " b", "   ", " c", "  "],
        ["emoji", " 👋🏽", " ok", " 😀😀"],
        ["中文", " 测试", "，CJK标点", "。"],
        ["café", " naïve", " Ünïcödé"],
        ["WE", "'LL", " DON", "'T"],
        ["x", "\r\n", "\ty"],
        [" ", "3", ".", "1", "4", " ", "²", "½", " ", "Ⅻ"],
        ["\"quoted", "\"", " (", "paren", ")", " '", "single", "'"],
        ["line", " one", "\n", " ", " indented", "\n\n\n"],
    ]
    static let llama3: [[String]] = [
        ["I", "'m", " sure", " you", "'ll", " see", " they", "'ve", " ", "123", "45", " cats"],
        ["$", "1", ",", "000", ".", "50"],
        ["Hello", "\n\n", "World"],
        ["a", "  ", " b", "   ", " c", "  "],
        ["emoji", " 👋🏽", " ok", " 😀😀"],
        ["中文", " 测试", "，CJK标点", "。"],
        ["café", " naïve", " Ünïcödé"],
        ["WE", "'LL", " DON", "'T"],
        ["x", "\r\n", "\ty"],
        [" ", "3", ".", "14", " ", "²½", " ", "Ⅻ"],
        ["\"quoted", "\"", " (", "paren", ")", " '", "single", "'"],
        ["line", " one", "\n", " ", " indented", "\n\n\n"],
    ]

    func check(_ kind: PreTokenizer, _ expected: [[String]]) {
        for (text, words) in zip(Self.cases, expected) {
            // Compare scalars, not Strings: Swift's == would equate "\r\n" splits differently.
            let got = kind.split(text)
            XCTAssertEqual(got.map { Array($0.unicodeScalars) }, words.map { Array($0.unicodeScalars) },
                           "\(kind) split of \(text.debugDescription): \(got)")
        }
    }

    func testGPT2() { check(.gpt2, Self.gpt2) }
    func testSmolLMIsolatesEveryDigit() { check(.smollm, Self.smollm) }
    func testQwen2() { check(.qwen2, Self.qwen2) }
    func testLlama3GroupsDigitsByThree() { check(.llama3, Self.llama3) }

    func testCombiningMarksAndUnicodeSpaces() {
        XCTAssertEqual(PreTokenizer.gpt2.split("Cafe\u{301} ok").map { Array($0.unicodeScalars) },
                       [Array("Cafe".unicodeScalars), ["\u{301}"], Array(" ok".unicodeScalars)])
        XCTAssertEqual(PreTokenizer.gpt2.split("tab\u{A0}nbsp\u{3000}ideo"), ["tab", "\u{A0}", "nbsp", "\u{3000}", "ideo"])
        XCTAssertEqual(PreTokenizer.qwen2.split("tab\u{A0}nbsp\u{3000}ideo"), ["tab", "\u{A0}nbsp", "\u{3000}ideo"])
    }

    func testQwenContractionsFoldCaseIncludingLongS() {
        XCTAssertEqual(PreTokenizer.qwen2.split("IT'S it'ſ"), ["IT", "'S", " it", "'ſ"])
        XCTAssertEqual(PreTokenizer.gpt2.split("IT'S"), ["IT", "'", "S"])
    }

    func testWordsAlwaysReassembleTheInput() {
        let texts = Self.cases + ["", " ", "\n", "  \n \t\r\n  x", "'", "''s", "1'2", "😀"]
        for kind in PreTokenizer.allCases {
            for t in texts {
                XCTAssertEqual(Array(kind.split(t).joined().utf8), Array(t.utf8), "\(kind) \(t.debugDescription)")
            }
        }
    }
}
