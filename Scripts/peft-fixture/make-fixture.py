#!/usr/bin/env python3
"""Makes Tests/Fixtures/peft/: a tiny random Llama (Hugging Face directory, F32 safetensors), a
LoRA and a DoRA adapter for it made by PEFT itself (`get_peft_model` + `save_pretrained`), and
the last-position logits of the base and of PEFT's merged models (`merge_and_unload`) on a few
token ids (and of the unmerged PEFT models, which must agree with the merged ones).

The adapters must change the model, so they are not left at PEFT's initialisation (B = 0, DoRA
magnitude = the weight norms): B is random (`init_lora_weights=False`) and the DoRA magnitudes
are scaled by random factors. Everything is seeded; the fixture README records the versions.

Usage: python3 Scripts/peft-fixture/make-fixture.py [OUT]   (default Tests/Fixtures/peft)
"""
import json, os, sys

import torch
import transformers, peft, tokenizers
from tokenizers import Tokenizer, models, pre_tokenizers, decoders
from transformers import LlamaConfig, LlamaForCausalLM
from peft import LoraConfig, get_peft_model

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../Tests/Fixtures/peft")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

# A byte-level BPE vocabulary: the 256 byte symbols and a handful of merges, plus BOS/EOS.
byte_symbols = [pre_tokenizers.ByteLevel.alphabet()][0]
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
                     rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True, initializer_range=0.2,
                     bos_token_id=vocab["<s>"], eos_token_id=vocab["</s>"])
base = LlamaForCausalLM(config).float().eval()
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
                                                 "peft": peft.__version__, "tokenizers": tokenizers.__version__}}
with torch.no_grad():
    expected["base"] = base(ids).logits[0, -1].tolist()

targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
for name, dora in [("lora", False), ("dora", True)]:
    torch.manual_seed(1 if dora else 2)
    model = LlamaForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32).eval()
    cfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=targets, use_dora=dora,
                     init_lora_weights=False, task_type="CAUSAL_LM")
    pm = get_peft_model(model, cfg)
    with torch.no_grad():
        for pname, p in pm.named_parameters():
            if "lora_magnitude_vector" in pname:
                p.mul_(1 + 0.5 * (torch.rand_like(p) - 0.5))
    pm.peft_config["default"].base_model_name_or_path = "tiny-llama"
    pm.save_pretrained(os.path.join(out, name), safe_serialization=True)
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
