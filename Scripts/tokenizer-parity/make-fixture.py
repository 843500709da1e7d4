#!/usr/bin/env python3
"""Token ids of every dataset text under each catalog model's *original* tokenizer, made with
Hugging Face's `tokenizers` library (Rust) — an implementation independent of ftlab's Swift one —
and stored as block digests in Tests/Fixtures/tokenizer-parity.json for TokenizerParityTests.

    ftlab datasets --export /tmp/texts.jsonl          # the texts, exactly as ftlab's loaders read them
    python3 Scripts/tokenizer-parity/make-fixture.py /tmp/texts.jsonl Tests/Fixtures/tokenizer-parity.json
    python3 Scripts/tokenizer-parity/make-fixture.py --explain MODEL TASK SPLIT INDEX /tmp/texts.jsonl

Needs: pip `tokenizers`, `gguf` (vocabulary and merges are read from the GGUF files ftlab uses) and,
for gemma3, `sentencepiece` with `protobuf`. Models are read from $FTLAB_HOME/models (default ~/.cache/ftlab).

Each model's definition and where it comes from (the originals' tokenizer.json cannot be fetched
on this machine, so the evidence is written down here):

* smollm2-135m-instruct — Sequence[Digits(individual_digits), ByteLevel(use_regex)]: digits are
  split off *first*, then the GPT-2 regex runs on each stretch between them. Evidence: the GGUF
  records `tokenizer.ggml.pre = "smollm"`, which llama.cpp's converter assigns by hashing the
  original HF tokenizer's output, and llama.cpp's llama-vocab.cpp implements `smollm` (with
  starcoder, refact, codeshell…) as the regex list {"\\p{N}", <GPT-2 regex>} applied in that
  order; SmolLM's tokenizer is StarCoder's, whose tokenizer.json pre_tokenizer is exactly this
  Sequence. transformers' GGUF loader (5.x) rebuilds this model with a bare ByteLevel
  pre-tokenizer — it drops the Digits step — which is why it disagrees on whitespace runs before
  digits ("a  2 b": it gives 81 216 216 34 278; the original order gives 81 256 34 278).
* qwen2.5-coder-* — NFC normalizer, Sequence[Split(<Qwen2 regex>, isolated), ByteLevel(no regex)],
  as in Qwen2's tokenizer.json (the regex is the one llama.cpp quotes as "original regex from
  tokenizer.json" for `qwen2`).
* gemma3-270m — a SentencePiece BPE model (Gemma's original tokenizer is a SentencePiece
  `tokenizer.model`), run by Google's own `sentencepiece` library: pieces, scores and types from
  the GGUF, byte fallback, identity normalizer without dummy prefix, whitespace escaped to "▁".
  The GGUF stores the 30 user-defined whitespace-run pieces with literal spaces (llama.cpp's
  converter unescapes them); in the SentencePiece model they are "▁" runs, so they are written
  back that way. User-defined pieces are atomic and matched longest-first: 32 spaces before "b"
  are [31 spaces][▁b]. transformers' GGUF conversion (tokenizers BPE with merges made from the
  scores) treats them as mergeable and gives [16 spaces][16 spaces][b] instead — it deviates on
  whitespace runs longer than 31, which GSM8K's train answers contain.
"""
import hashlib
import json
import os
import sys

import tokenizers
from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import BPE

BLOCK = 128
MODELS = ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"]
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def models_dir():
    return os.path.join(os.environ.get("FTLAB_HOME", os.path.expanduser("~/.cache/ftlab")), "models")


def gguf_vocab_and_merges(path):
    from gguf import GGUFReader
    reader = GGUFReader(path)

    def strings(key):
        field = reader.fields[key]
        return [bytes(field.parts[i]).decode("utf-8") for i in field.data]

    tokens = strings("tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ", 1)) for m in strings("tokenizer.ggml.merges")]
    return {t: i for i, t in enumerate(tokens)}, merges


def byte_level_bpe(path, normalizer, pre_tokenizer):
    vocab, merges = gguf_vocab_and_merges(path)
    tok = Tokenizer(BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    return tok


def build(model):
    path = os.path.join(models_dir(), model + ".gguf")
    if model.startswith("smollm2"):
        return byte_level_bpe(path, None, pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]))
    if model.startswith("qwen2.5"):
        return byte_level_bpe(path, normalizers.NFC(), pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]))
    if model.startswith("gemma3"):
        return SentencePieceBPE(path)
    raise SystemExit(f"no tokenizer definition for {model}")


class SentencePieceBPE:
    """Google's sentencepiece on a ModelProto rebuilt from the GGUF's pieces, scores and types."""

    def __init__(self, path):
        import sentencepiece
        from gguf import GGUFReader
        from sentencepiece import sentencepiece_model_pb2 as pb   # needs pip protobuf
        reader = GGUFReader(path)
        f = reader.fields
        pieces = [bytes(f["tokenizer.ggml.tokens"].parts[i]).decode("utf-8") for i in f["tokenizer.ggml.tokens"].data]
        scores = [float(f["tokenizer.ggml.scores"].parts[i][0]) for i in f["tokenizer.ggml.scores"].data]
        types = [int(f["tokenizer.ggml.token_type"].parts[i][0]) for i in f["tokenizer.ggml.token_type"].data]
        kinds = {1: pb.ModelProto.SentencePiece.NORMAL, 2: pb.ModelProto.SentencePiece.UNKNOWN,
                 3: pb.ModelProto.SentencePiece.CONTROL, 4: pb.ModelProto.SentencePiece.USER_DEFINED,
                 5: pb.ModelProto.SentencePiece.UNUSED, 6: pb.ModelProto.SentencePiece.BYTE}
        proto = pb.ModelProto()
        proto.trainer_spec.model_type = pb.TrainerSpec.BPE
        proto.trainer_spec.byte_fallback = True
        proto.trainer_spec.split_by_whitespace = False
        proto.trainer_spec.pad_id, proto.trainer_spec.eos_id, proto.trainer_spec.bos_id, proto.trainer_spec.unk_id = 0, 1, 2, 3
        proto.normalizer_spec.name = "identity"
        proto.normalizer_spec.add_dummy_prefix = False
        proto.normalizer_spec.remove_extra_whitespaces = False
        proto.normalizer_spec.escape_whitespaces = True
        for piece, score, kind in zip(pieces, scores, types):
            p = proto.pieces.add()
            p.piece = piece.replace(" ", "\u2581") if kind == 4 and set(piece) == {" "} else piece
            p.score = score
            p.type = kinds[kind]
        self.processor = sentencepiece.SentencePieceProcessor(model_proto=proto.SerializeToString())

    def encode(self, text, add_special_tokens=False):
        return self.processor.encode(text)


def encode(tok, text):
    if isinstance(tok, SentencePieceBPE):
        return tok.encode(text)
    return tok.encode(text, add_special_tokens=False).ids


def block_digest(id_lists):
    """SHA-256 (first 16 hex) of a block's token ids: ids joined by ',', texts by ';'."""
    text = ";".join(",".join(str(i) for i in ids) for ids in id_lists)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_texts(path):
    splits = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            splits.setdefault(f"{record['task']}/{record['split']}", []).extend(record["texts"])
    return splits


def main(argv):
    if argv[:1] == ["--explain"]:
        model, task, split, index, texts_path = argv[1:6]
        tok = build(model)
        with open(texts_path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if r["task"] == task and r["split"] == split and r["index"] == int(index):
                    for t in r["texts"]:
                        print(json.dumps(t), encode(tok, t))
        return
    texts_path, out_path = argv
    splits = read_texts(texts_path)
    import sentencepiece
    fixture = {"block": BLOCK, "tokenizers": f"tokenizers {tokenizers.__version__}, sentencepiece {sentencepiece.__version__}",
               "models": {}, "issue_table": {}}
    examples = ["a  2 b", "x   12", "hello\n\n\n3", "a" + " " * 32 + "b", "a" + " " * 70 + "b"]
    for model in MODELS:
        tok = build(model)
        per_split = {}
        for key, texts in splits.items():
            ids = [encode(tok, t) for t in texts]
            per_split[key] = {
                "texts": len(texts),
                "text_sha256": hashlib.sha256("\u0000".join(texts).encode()).hexdigest(),
                "tokens": sum(len(x) for x in ids),
                "blocks": [block_digest(ids[i:i + BLOCK]) for i in range(0, len(ids), BLOCK)],
            }
        fixture["models"][model] = per_split
        fixture["issue_table"][model] = {e: encode(tok, e) for e in examples}
        print(model, sum(v["texts"] for v in per_split.values()), "texts", file=sys.stderr)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=1, sort_keys=True, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
