#!/usr/bin/env bash
# Makes Tests/Fixtures/lm-eval/: a real lm-evaluation-harness output folder (results_*.json and
# samples_*.jsonl, --log_samples) of SmolLM2-135M-Instruct on the first 10 GSM8K test questions
# (zero-shot, generate_until, strict-match / flexible-extract) and the first 10 PIQA validation
# questions (multiple_choice, acc / acc_norm). See README.md beside this script for versions.
#
# Usage: Scripts/lm-eval-fixture/make-fixture.sh [OUT]     (default OUT: a fresh folder in /tmp)
# Environment: PYTHON (a python with lm_eval installed), DATA (default ../shared/data),
# MODELS (default ~/.cache/ftlab/models), LIMIT (default 10).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-python3}
DATA=$(cd "${DATA:-$repo/../shared/data}" && pwd)
MODELS=$(cd "${MODELS:-$HOME/.cache/ftlab/models}" && pwd)
LIMIT=${LIMIT:-10}
OUT=${1:-$(mktemp -d /tmp/lm-eval-fixture.XXXXXX)}
work=$(mktemp -d /tmp/lm-eval-tasks.XXXXXX)

# The harness reads datasets through `datasets`; nothing may come from the network.
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

# PIQA's labels are a separate file in ../shared/data; the harness wants them in each record.
"$PYTHON" - "$DATA/piqa" "$work/piqa-validation.jsonl" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
with open(f"{src}/valid.jsonl") as q, open(f"{src}/valid-labels.lst") as l, open(dst, "w") as out:
    for line, label in zip(q, l):
        record = json.loads(line)
        record["label"] = int(label)
        out.write(json.dumps(record) + "\n")
PY

# Local copies of the harness's own gsm8k.yaml and piqa.yaml (lm_eval/tasks/…), same task names
# (include_path takes precedence over the built-in tasks), reading local JSON Lines instead of the Hub.
cat > "$work/gsm8k.yaml" <<YAML
tag:
  - math_word_problems
task: gsm8k
dataset_path: json
dataset_name: null
dataset_kwargs:
  data_files:
    train: $DATA/gsm8k/train.jsonl
    test: $DATA/gsm8k/test.jsonl
output_type: generate_until
training_split: train
fewshot_split: train
test_split: test
doc_to_text: "Question: {{question}}\nAnswer:"
doc_to_target: "{{answer}}"
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: false
    regexes_to_ignore:
      - ","
      - "\\\\$"
      - "(?s).*#### "
      - "\\\\.$"
generation_kwargs:
  until:
    - "Question:"
    - "</s>"
    - "<|im_end|>"
  do_sample: false
  temperature: 0.0
repeats: 1
num_fewshot: 5
filter_list:
  - name: "strict-match"
    filter:
      - function: "regex"
        regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"
      - function: "take_first"
  - name: "flexible-extract"
    filter:
      - function: "regex"
        group_select: -1
        regex_pattern: "(-?[\$0-9.,]{2,})|(-?[0-9]+)"
      - function: "take_first"
metadata:
  version: 3.0
YAML
cat > "$work/piqa.yaml" <<YAML
task: piqa
dataset_path: json
dataset_name: null
dataset_kwargs:
  data_files:
    validation: $work/piqa-validation.jsonl
output_type: multiple_choice
validation_split: validation
test_split: null
doc_to_text: "Question: {{goal}}\nAnswer:"
doc_to_target: label
doc_to_choice: "{{[sol1, sol2]}}"
should_decontaminate: true
doc_to_decontamination_query: goal
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
YAML

# The model: the same GGUF file ftlab evaluates, dequantized to fp32 by transformers.
"$PYTHON" -m lm_eval --model hf \
  --model_args "pretrained=$MODELS,gguf_file=smollm2-135m-instruct.gguf,dtype=float32" \
  --include_path "$work" --tasks gsm8k,piqa --num_fewshot 0 --limit "$LIMIT" --batch_size 1 \
  --device cpu --seed 0 --log_samples --output_path "$OUT"

echo "harness output in $OUT (task YAMLs and PIQA records in $work)"
