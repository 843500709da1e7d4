import XCTest
@testable import Engine

final class TokenizerChatTemplateTests: XCTestCase {
    /// SmolLM2-135M-Instruct's `tokenizer.chat_template`, verbatim.
    static let smolLM = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    /// The system-prompt part of Qwen2.5's template (it writes `\n` as an escape inside literals).
    static let qwen = #"""
    {%- if tools %}
        {{- '<|im_start|>system\n' }}
        {%- if messages[0]['role'] == 'system' %}
            {{- messages[0]['content'] }}
        {%- else %}
            {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
        {%- endif %}
    {%- else %}
        {%- if messages[0]['role'] == 'system' %}
            {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
        {%- else %}
            {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
    """#

    func testDetectsChatMLAndItsDefaultSystemPrompt() throws {
        let smol = try XCTUnwrap(ChatTemplate.detect(templateText: Self.smolLM))
        XCTAssertEqual(smol, ChatTemplate(style: .chatML, defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        let qwen = try XCTUnwrap(ChatTemplate.detect(templateText: Self.qwen))
        XCTAssertEqual(qwen.defaultSystemPrompt, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
        XCTAssertEqual(ChatTemplate.detect(templateText: "{{ '<start_of_turn>' }}")?.style, .gemma)
        XCTAssertNil(ChatTemplate.detect(templateText: "[INST] {{ content }} [/INST]"))
    }

    func testChatMLRendering() throws {
        let t = try XCTUnwrap(ChatTemplate.detect(templateText: Self.smolLM))
        XCTAssertEqual(t.render(messages: [("user", "What is 2+2?")], addGenerationPrompt: true),
                       "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                       + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(t.render(messages: [("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello!")], addGenerationPrompt: false),
                       "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n")
        XCTAssertEqual(ChatTemplate(style: .chatML).render(messages: [("user", "x")], addGenerationPrompt: true),
                       "<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(t.endOfTurn, "<|im_end|>")
    }

    func testGemmaRendering() {
        let t = ChatTemplate(style: .gemma)
        XCTAssertEqual(t.render(messages: [("system", "Be brief."), ("user", " Hi \n"), ("assistant", "Hello!"), ("user", "2+2?")],
                                addGenerationPrompt: true),
                       "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
                       + "<start_of_turn>user\n2+2?<end_of_turn>\n<start_of_turn>model\n")
        XCTAssertEqual(t.endOfTurn, "<end_of_turn>")
    }

    func testDetectFromMetadataFallsBackToTurnTokens() {
        let gemma: [String: GGUFValue] = ["tokenizer.ggml.tokens": .array(["<start_of_turn>", "<end_of_turn>"].map { .string($0) })]
        XCTAssertEqual(ChatTemplate.detect(from: gemma)?.style, .gemma)
        XCTAssertEqual(ChatTemplate.detect(from: ["tokenizer.chat_template": .string(Self.smolLM)])?.defaultSystemPrompt,
                       "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        XCTAssertNil(ChatTemplate.detect(from: [:]))
    }
}
