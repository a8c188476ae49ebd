"""PyTorch reference for bench/inference-throughput: what a Hugging Face user runs to score text.

transformers' own DistilBertForSequenceClassification (the base shape: distilbert-base-uncased) or
BertForSequenceClassification (the small shape: all-MiniLM-L6-v2's encoder), built from a config with random
weights, in .eval() under torch.inference_mode(): the forward pass with the attention mask, then the softmax of the
logits, as io.finetune.distilbert.Predictor.probabilities returns them. With --precision bf16 the forward pass runs
under torch.autocast("cpu", torch.bfloat16); the probabilities come back in float32. The attention is transformers'
default for the model (SDPA). Full-length random sequences, the same batch and length as the Java side.

Timing: --warmup batches, then batches until --seconds have passed (at least one). With --forward-requests N, also
the bare forward pass of one sequence N times (after 5 warm-up passes): the compute inside a /predict request,
without tokenization or HTTP.

Prints one JSON line, its keys prefixed "reference". Run with the Python of bin/transformers-venv; bench/inference-
throughput sets the thread count (OMP_NUM_THREADS and --threads).
"""
import argparse
import contextlib
import json
import math
import sys
import time

import torch
import transformers
from transformers import (BertConfig, BertForSequenceClassification, DistilBertConfig,
                          DistilBertForSequenceClassification)


def model_for(shape):
    if shape == "base":   # distilbert-base-uncased: dim 768, 6 layers, 12 heads, FFN 3072
        return DistilBertForSequenceClassification(DistilBertConfig(num_labels=2))
    # all-MiniLM-L6-v2: a 6-layer BERT, dim 384, 12 heads, FFN 1536
    return BertForSequenceClassification(BertConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                                                    intermediate_size=1536, num_labels=2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", required=True, choices=["base", "small"])
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--forward-requests", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    model = model_for(a.shape).eval()
    ids = torch.randint(1000, 30000, (a.batch, a.seq))
    ids[:, 0], ids[:, -1] = 101, 102   # [CLS] ... [SEP], as the Java side's inputs
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)

    def autocast():
        if a.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def probabilities(input_ids, attention_mask):
        with autocast():
            logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
        return logits.float().softmax(-1).tolist()

    out = {}
    with torch.inference_mode():
        for _ in range(a.warmup):
            probabilities(ids, mask)
        batches = 0
        start = time.perf_counter()
        while batches == 0 or time.perf_counter() - start < a.seconds:
            probabilities(ids, mask)
            batches += 1
        seconds = time.perf_counter() - start
        if a.forward_requests > 0:
            one, one_mask = ids[:1], mask[:1]
            for _ in range(5):
                probabilities(one, one_mask)
            ms = []
            for _ in range(a.forward_requests):
                t = time.perf_counter()
                probabilities(one, one_mask)
                ms.append((time.perf_counter() - t) * 1000)
            ms.sort()
            pct = lambda q: ms[min(len(ms) - 1, math.ceil(q * len(ms)) - 1)]
            out = {"reference_forward_p50_ms": round(pct(0.5), 2), "reference_forward_p99_ms": round(pct(0.99), 2)}
    mode = "autocast bf16" if a.precision == "bf16" else "fp32"
    print(json.dumps({"reference": f"transformers {transformers.__version__} {type(model).__name__} "
                                   f"({model.config._attn_implementation} attention), torch {torch.__version__} "
                                   f"eager {mode}, inference_mode",
                      "reference_threads": torch.get_num_threads(),
                      "reference_samples_per_s": round(batches * a.batch / seconds, 2),
                      "reference_batches": batches, "reference_seconds": round(seconds, 2), **out}))


if __name__ == "__main__":
    sys.exit(main())
