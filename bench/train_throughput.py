"""PyTorch eager reference for bench/train-throughput.

A plain-torch DistilBertForSequenceClassification (same layers and shapes as Hugging Face's, written here because
`transformers` is not installed) trained with the same step as io.finetune.distilbert.FineTuner: forward with
dropout, cross-entropy, backward, clip_grad_norm_(1.0), AdamW (no decay for biases and LayerNorm weights).
Prints one JSON line with the same keys as the Java side, prefixed "reference_". Full-length random sequences,
like the Java side; the tiny shape reads the bundled fixture's config and is capped at its 64 positions.

Run with Debian's /usr/bin/python3 (python3-torch); bench/train-throughput sets the BLAS and OpenMP environment.
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, dim, hidden, heads, dropout, attention_dropout):
        super().__init__()
        self.heads = heads
        self.q_lin = nn.Linear(dim, dim)
        self.k_lin = nn.Linear(dim, dim)
        self.v_lin = nn.Linear(dim, dim)
        self.out_lin = nn.Linear(dim, dim)
        self.sa_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.lin1 = nn.Linear(dim, hidden)
        self.lin2 = nn.Linear(hidden, dim)
        self.output_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.attention_dropout = nn.Dropout(attention_dropout)

    def forward(self, x, key_is_padding):
        b, t, d = x.shape
        h = self.heads
        hd = d // h

        def split(y):
            return y.view(b, t, h, hd).transpose(1, 2)

        q = split(self.q_lin(x)) / math.sqrt(hd)
        k = split(self.k_lin(x))
        v = split(self.v_lin(x))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill(key_is_padding, torch.finfo(scores.dtype).min)
        weights = self.attention_dropout(scores.softmax(-1))
        context = (weights @ v).transpose(1, 2).reshape(b, t, d)
        sa = self.sa_layer_norm(self.out_lin(context) + x)
        ffn = self.dropout(self.lin2(F.gelu(self.lin1(sa))))
        return self.output_layer_norm(ffn + sa)


class DistilBert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["dim"], padding_idx=0)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["dim"])
        self.layer_norm = nn.LayerNorm(c["dim"], eps=1e-12)
        self.dropout = nn.Dropout(c["dropout"])
        self.layers = nn.ModuleList(
            Layer(c["dim"], c["hidden_dim"], c["n_heads"], c["dropout"], c["attention_dropout"])
            for _ in range(c["n_layers"]))
        self.pre_classifier = nn.Linear(c["dim"], c["dim"])
        self.classifier = nn.Linear(c["dim"], c["num_labels"])
        self.classifier_dropout = nn.Dropout(c["seq_classif_dropout"])

    def forward(self, ids, mask):
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.layer_norm(self.word_embeddings(ids) + self.position_embeddings(positions)))
        key_is_padding = (mask == 0).view(ids.shape[0], 1, 1, ids.shape[1])
        for layer in self.layers:
            x = layer(x, key_is_padding)
        pooled = self.classifier_dropout(F.relu(self.pre_classifier(x[:, 0])))
        return self.classifier(pooled)


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


BASE = {"dim": 768, "hidden_dim": 3072, "n_layers": 6, "n_heads": 12, "vocab_size": 30522,
        "max_position_embeddings": 512, "dropout": 0.1, "attention_dropout": 0.1, "seq_classif_dropout": 0.2,
        "num_labels": 2}


def tiny_config(path):
    with open(path) as f:
        c = json.load(f)
    c["num_labels"] = len(c["id2label"])
    return c


def flops_per_token(c, seq):
    """Same count as TrainThroughput.flopsPerToken: 6 x linear weights + attention's 12 x layers x seq x dim."""
    linear = c["n_layers"] * (4 * c["dim"] ** 2 + 2 * c["dim"] * c["hidden_dim"])
    return 6 * linear + 12 * c["n_layers"] * seq * c["dim"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", required=True, choices=["base", "tiny"])
    p.add_argument("--tiny-config", help="the bundled distilbert-tiny config.json")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--max-steps", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=0, help="stop timing after this long (0: no limit)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    c = BASE if a.shape == "base" else tiny_config(a.tiny_config)
    seq = min(a.seq, c["max_position_embeddings"])
    model = DistilBert(c).train()
    named = list(model.named_parameters())
    decay = [p for n, p in named if not ("bias" in n or "norm" in n)]
    no_decay = [p for n, p in named if "bias" in n or "norm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=2e-5)
    ids = torch.randint(1, c["vocab_size"], (a.batch, seq))
    mask = torch.ones(a.batch, seq, dtype=torch.long)
    labels = torch.randint(0, c["num_labels"], (a.batch,))

    def step():
        loss = F.cross_entropy(model(ids, mask), labels)
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
    print(json.dumps({"shape": a.shape, "reference": "pytorch-eager " + torch.__version__,
                      "reference_threads": torch.get_num_threads(),
                      "reference_tokens_per_s": round(tokens_per_s, 1),
                      "reference_gflops": round(tokens_per_s * flops_per_token(c, seq) / 1e9, 2),
                      "reference_rss_mb_start": round(rss_start, 1), "reference_rss_mb_end": round(rss_mb(), 1),
                      "reference_steps": steps, "reference_seconds": round(seconds, 2),
                      "reference_cpu_s_per_step": round(cpu_seconds / steps, 3)}))


if __name__ == "__main__":
    sys.exit(main())
