#!/usr/bin/env python3
"""Makes Tests/Fixtures/peft/: a tiny Llama (Hugging Face directory, F32 safetensors), a LoRA and
a DoRA adapter for it made by PEFT itself (`get_peft_model` + `save_pretrained`), and the
last-position logits of the base and of PEFT's merged models (`merge_and_unload`) on a few token
ids (and of the unmerged PEFT models, which must agree with the merged ones).

Every weight comes from a formula, not from torch's random generator, so that the tests can write
the same safetensors files themselves (Tests/TestSupport/PEFTFixture.swift) and the repository
carries only text: the JSON files and PEFT's logits. The formula, for the tensor saved under NAME:

    g = SplitMix64(seed = FNV-1a-64(NAME as UTF-8))
    k = (g.next() >> 40) - 2**23                       # 24 random bits, centred: -2**23 ..< 2**23
    value = float32(offset + scale * k / 2**23)        # scale, offset powers of two: exact in float64

with (offset, scale) = (1, 1/4) for norm weights, (1, 1/2) for DoRA magnitudes and (0, 1/4) for
every matrix (embeddings, projections, LoRA A and B — B is not left at PEFT's zeros, so the
adapters change the model). `tensors` in expected-logits.json lists, for each safetensors file
PEFT and transformers saved, every tensor's name, shape and FNV-1a-64 of its little-endian
float32 bytes: the tests write those tensors and can tell which one a generator got wrong.

Usage: python3 Scripts/peft-fixture/make-fixture.py [OUT]   (default Tests/Fixtures/peft)
Only the JSON files it writes are committed; the .safetensors files are made by the tests.
"""
import json, os, sys

import numpy as np
import torch
import transformers, peft, tokenizers
from safetensors.numpy import load_file
from tokenizers import Tokenizer, models, pre_tokenizers, decoders
from transformers import LlamaConfig, LlamaForCausalLM
from peft import LoraConfig, get_peft_model

M64 = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def splitmix64(seed: int, count: int):
    state = seed
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


def formula(name: str, shape) -> np.ndarray:
    if name.endswith("norm.weight"):
        offset, scale = 1.0, 0.25
    elif name.endswith("lora_magnitude_vector"):
        offset, scale = 1.0, 0.5
    else:
        offset, scale = 0.0, 0.25
    count = int(np.prod(shape))
    k = np.array([(x >> 40) - (1 << 23) for x in splitmix64(fnv1a64(name.encode()), count)], dtype=np.float64)
    return (offset + scale * k / float(1 << 23)).astype(np.float32).reshape(shape)


def fill(module, saved_name):
    """Sets every parameter of `module` from the formula, keyed by the name it is saved under."""
    with torch.no_grad():
        for pname, p in module.named_parameters():
            p.copy_(torch.from_numpy(formula(saved_name(pname), tuple(p.shape))))


def check_and_describe(path):
    """The saved file holds exactly the formula's values; returns each tensor's shape and FNV-1a-64."""
    tensors = {}
    for name, value in sorted(load_file(path).items()):
        assert value.dtype == np.float32, (path, name, value.dtype)
        assert np.array_equal(value, formula(name, value.shape)), (path, name)
        tensors[name] = {"shape": list(value.shape), "fnv1a64": format(fnv1a64(value.astype("<f4").tobytes()), "016x")}
    return tensors


out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../Tests/Fixtures/peft")
os.makedirs(out, exist_ok=True)

# A byte-level BPE vocabulary: the 256 byte symbols and a handful of merges, plus BOS/EOS.
byte_symbols = pre_tokenizers.ByteLevel.alphabet()
vocab = {s: i for i, s in enumerate(sorted(byte_symbols))}
merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("a", "n")]
for a, b in merges:
    vocab[a + b] = len(vocab)
vocab["<s>"] = len(vocab)
vocab["</s>"] = len(vocab)
tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.decoder = decoders.ByteLevel()
tok.add_special_tokens(["<s>", "</s>"])

config = LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                     rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True,
                     bos_token_id=vocab["<s>"], eos_token_id=vocab["</s>"])
base = LlamaForCausalLM(config).float().eval()
fill(base, lambda n: n)
base_dir = os.path.join(out, "tiny-llama")
base.save_pretrained(base_dir, safe_serialization=True)
tok.save(os.path.join(base_dir, "tokenizer.json"))
with open(os.path.join(base_dir, "tokenizer_config.json"), "w") as f:
    json.dump({"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": False}, f)
if os.path.exists(os.path.join(base_dir, "generation_config.json")):
    os.remove(os.path.join(base_dir, "generation_config.json"))  # not read by ftlab

token_ids = [3, 70, 200, 17, 256, 99, 5, 128]
ids = torch.tensor([token_ids])
expected = {"token_ids": token_ids, "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                                                 "peft": peft.__version__, "tokenizers": tokenizers.__version__},
            "tensors": {"tiny-llama/model.safetensors": check_and_describe(os.path.join(base_dir, "model.safetensors"))}}
with torch.no_grad():
    expected["base"] = base(ids).logits[0, -1].tolist()


def adapter_saved_name(pname):
    # base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight → ….lora_A.weight;
    # ….lora_magnitude_vector.default.weight → ….lora_magnitude_vector (PEFT's saved keys).
    name = pname.replace(".default", "")
    return name[: -len(".weight")] if name.endswith("lora_magnitude_vector.weight") else name


targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
for name, dora in [("lora", False), ("dora", True)]:
    model = LlamaForCausalLM.from_pretrained(base_dir, dtype=torch.float32).eval()
    cfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=targets, use_dora=dora,
                     init_lora_weights=False, task_type="CAUSAL_LM")
    pm = get_peft_model(model, cfg)
    with torch.no_grad():
        for pname, p in pm.named_parameters():
            if "lora_" in pname:
                # Keyed by the saved name, so DoRA's A and B equal LoRA's: they differ by the magnitudes.
                p.copy_(torch.from_numpy(formula(adapter_saved_name(pname), tuple(p.shape))))
    pm.peft_config["default"].base_model_name_or_path = "tiny-llama"
    pm.save_pretrained(os.path.join(out, name), safe_serialization=True)
    expected["tensors"][name + "/adapter_model.safetensors"] = check_and_describe(
        os.path.join(out, name, "adapter_model.safetensors"))
    with torch.no_grad():
        adapted = pm(ids).logits[0, -1].tolist()
        merged = pm.merge_and_unload()(ids).logits[0, -1].tolist()
    expected[name] = merged
    expected[name + "_unmerged"] = adapted
    readme = os.path.join(out, name, "README.md")
    if os.path.exists(readme):
        os.remove(readme)

with open(os.path.join(out, "expected-logits.json"), "w") as f:
    json.dump(expected, f)
print("wrote", out, expected["versions"])
for name in ["lora", "dora"]:
    gap = max(abs(a - b) for a, b in zip(expected[name], expected[name + "_unmerged"]))
    change = max(abs(a - b) for a, b in zip(expected[name], expected["base"]))
    print(f"{name}: merged vs unmerged {gap:.2e}, vs base {change:.2f}; base logits max {max(map(abs, expected['base'])):.2f}")
