"""PyTorch reference for bench/train-throughput: what a Hugging Face user runs.

transformers' own DistilBertForSequenceClassification (base and tiny shapes) or BertForSequenceClassification (the
small shape: all-MiniLM-L6-v2's encoder), built from a config with random weights, trained with the step
io.finetune.distilbert.FineTuner takes and Trainer takes: forward with dropout and the loss, backward,
clip_grad_norm_(1.0), AdamW (no decay for biases and LayerNorm weights), zero_grad. With --precision bf16 the forward
pass and the loss run under torch.autocast("cpu", torch.bfloat16), as Trainer does with bf16=True; weights, gradients
and optimizer state stay float32. The attention is transformers' default for the model (SDPA).

Prints one JSON line with the same keys as the Java side, prefixed "reference_". Full-length random sequences, like
the Java side; the tiny shape reads the bundled fixture's config and is capped at its 64 positions.

Run with the Python of bin/transformers-venv; bench/train-throughput sets the OpenMP environment.
"""
import argparse
import contextlib
import json
import sys
import time

import torch
import transformers
from transformers import (AutoConfig, BertConfig, BertForSequenceClassification, DistilBertConfig,
                          DistilBertForSequenceClassification)


def config_for(shape, tiny_config):
    if shape == "base":   # distilbert-base-uncased
        return DistilBertConfig(num_labels=2)
    if shape == "small":  # all-MiniLM-L6-v2: a 6-layer BERT, dim 384, 12 heads, FFN 1536
        return BertConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
                          num_labels=2)
    config = AutoConfig.from_pretrained(tiny_config)
    config.num_labels = len(config.id2label)
    return config


def model_for(config):
    cls = BertForSequenceClassification if config.model_type == "bert" else DistilBertForSequenceClassification
    return cls(config).train()


def dims(config):
    """(dim, hidden, layers, max positions) under either family's names."""
    if config.model_type == "bert":
        return (config.hidden_size, config.intermediate_size, config.num_hidden_layers,
                config.max_position_embeddings)
    return config.dim, config.hidden_dim, config.n_layers, config.max_position_embeddings


def flops_per_token(config, seq):
    """Same count as TrainThroughput.flopsPerToken: 6 x linear weights + attention's 12 x layers x seq x dim."""
    dim, hidden, layers, _ = dims(config)
    linear = layers * (4 * dim ** 2 + 2 * dim * hidden)
    return 6 * linear + 12 * layers * seq * dim


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", required=True, choices=["base", "small", "tiny"])
    p.add_argument("--tiny-config", help="the bundled distilbert-tiny config.json")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--max-steps", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=0, help="stop timing after this long (0: no limit)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    config = config_for(a.shape, a.tiny_config)
    seq = min(a.seq, dims(config)[3])
    model = model_for(config)
    named = list(model.named_parameters())
    no_decay = lambda n: "bias" in n or "norm" in n.lower()
    optimizer = torch.optim.AdamW([{"params": [p for n, p in named if not no_decay(n)], "weight_decay": 0.01},
                                   {"params": [p for n, p in named if no_decay(n)], "weight_decay": 0.0}], lr=2e-5)
    ids = torch.randint(1, config.vocab_size, (a.batch, seq))
    mask = torch.ones(a.batch, seq, dtype=torch.long)
    labels = torch.randint(0, config.num_labels, (a.batch,))

    def autocast():
        if a.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def step():
        with autocast():
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        return loss.item()

    for _ in range(a.warmup):
        step()
    rss_start = rss_mb()
    cpu_start = time.process_time()
    start = time.perf_counter()
    steps = 0
    while steps < a.max_steps and not (a.seconds > 0 and time.perf_counter() - start >= a.seconds):
        step()
        steps += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    tokens_per_s = steps * a.batch * seq / seconds
    mode = "autocast bf16" if a.precision == "bf16" else "fp32"
    print(json.dumps({"shape": a.shape,
                      "reference": f"transformers {transformers.__version__} {type(model).__name__} "
                                   f"({model.config._attn_implementation} attention), torch {torch.__version__} "
                                   f"eager {mode}",
                      "reference_threads": torch.get_num_threads(),
                      "reference_tokens_per_s": round(tokens_per_s, 1),
                      "reference_gflops": round(tokens_per_s * flops_per_token(config, seq) / 1e9, 2),
                      "reference_rss_mb_start": round(rss_start, 1), "reference_rss_mb_end": round(rss_mb(), 1),
                      "reference_steps": steps, "reference_seconds": round(seconds, 2),
                      "reference_cpu_s_per_step": round(cpu_seconds / steps, 3)}))


if __name__ == "__main__":
    sys.exit(main())
