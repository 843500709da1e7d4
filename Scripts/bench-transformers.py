#!/usr/bin/env python3
"""The lm-evaluation-harness way of generating, timed beside `ftlab` on the same questions.

transformers' batched `generate` on the same GGUF file (dequantized to fp32 by its GGUF loader):
left padding, greedy, at most 256 new tokens, stopping at the harness's gsm8k `until` strings
(`Question:`, three newlines) — zero-shot prompts `Question: {q}\\nAnswer:` over the first N GSM8K
test questions. Prints wall seconds, generated tokens and tokens/s. A measurement aid only: ftlab
itself never runs Python.

usage: Scripts/bench-transformers.py MODEL.gguf [--questions 64] [--batch 16] [--data ../shared/data]
needs: pip install torch transformers gguf accelerate (CPU is enough)
"""
import argparse, json, os, time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

parser = argparse.ArgumentParser()
parser.add_argument("gguf")
parser.add_argument("--questions", type=int, default=64)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--max-new-tokens", type=int, default=256)
parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()

torch.set_num_threads(args.threads)
directory, name = os.path.split(os.path.abspath(args.gguf))
tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
tokenizer.padding_side = "left"
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token
model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
model.eval()

with open(os.path.join(args.data, "gsm8k", "test.jsonl")) as f:
    questions = [json.loads(line)["question"] for line in f][: args.questions]
prompts = [f"Question: {q}\nAnswer:" for q in questions]

tokens = 0
start = time.time()
with torch.inference_mode():
    for i in range(0, len(prompts), args.batch):
        batch = tokenizer(prompts[i : i + args.batch], return_tensors="pt", padding=True)
        out = model.generate(**batch, do_sample=False, max_new_tokens=args.max_new_tokens,
                             stop_strings=["Question:", "\n\n\n"], tokenizer=tokenizer,
                             pad_token_id=tokenizer.pad_token_id)
        new = out[:, batch["input_ids"].shape[1]:]
        for row in new:
            row = row.tolist()
            # Count tokens up to the first pad/EOS (rows that stopped early are padded).
            n = next((j for j, t in enumerate(row) if t in (tokenizer.pad_token_id, tokenizer.eos_token_id)), len(row))
            tokens += n
        print(f"batch {i // args.batch + 1}: {time.time() - start:.1f} s", flush=True)
wall = time.time() - start
print(json.dumps({"model": name, "questions": len(prompts), "batch": args.batch, "wall_seconds": round(wall, 2),
                  "generated_tokens": tokens, "tokens_per_second": round(tokens / wall, 2),
                  "torch": torch.__version__, "threads": args.threads}))
