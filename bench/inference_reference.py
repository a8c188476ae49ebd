"""PyTorch eager reference for bench/inference-throughput: a plain-torch DistilBERT (same shape and computation as
Hugging Face's DistilBertForSequenceClassification; random weights, as transformers is not installed here), timed at
the same batch and sequence length. Prints one JSON line."""
import json
import math
import sys
import time

import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, dim, hidden, heads):
        super().__init__()
        self.heads = heads
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (nn.Linear(dim, dim) for _ in range(4))
        self.sa_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.lin1, self.lin2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)
        self.output_layer_norm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x, mask):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q_lin(x)), split(self.k_lin(x)), split(self.v_lin(x))
        scores = (q / math.sqrt(d // self.heads)) @ k.transpose(-1, -2)
        scores = scores.masked_fill(mask[:, None, None, :] == 0, torch.finfo(scores.dtype).min)
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.sa_layer_norm(self.out_lin(context) + x)
        return self.output_layer_norm(self.lin2(nn.functional.gelu(self.lin1(x))) + x)


class DistilBert(nn.Module):
    def __init__(self, vocab=30522, dim=768, hidden=3072, layers=6, heads=12, positions=512, labels=2):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, dim, padding_idx=0)
        self.position_embeddings = nn.Embedding(positions, dim)
        self.embed_norm = nn.LayerNorm(dim, eps=1e-12)
        self.layers = nn.ModuleList(Layer(dim, hidden, heads) for _ in range(layers))
        self.pre_classifier = nn.Linear(dim, dim)
        self.classifier = nn.Linear(dim, labels)

    def forward(self, ids, mask):
        x = self.word_embeddings(ids) + self.position_embeddings(torch.arange(ids.shape[1]))[None]
        x = self.embed_norm(x)
        for layer in self.layers:
            x = layer(x, mask)
        return self.classifier(torch.relu(self.pre_classifier(x[:, 0]))).softmax(-1)


def main():
    threads, batches, requests = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    seq, batch = 128, 32
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    model = DistilBert().eval()
    ids = torch.randint(1000, 30000, (batch, seq))
    mask = torch.ones(batch, seq, dtype=torch.long)
    with torch.inference_mode():
        for _ in range(2):
            model(ids, mask)
        start = time.perf_counter()
        for _ in range(batches):
            model(ids, mask).tolist()
        samples_per_s = batch * batches / (time.perf_counter() - start)
        one, one_mask = ids[:1], mask[:1]
        for _ in range(5):
            model(one, one_mask)
        ms = []
        for _ in range(requests):
            start = time.perf_counter()
            model(one, one_mask).tolist()
            ms.append((time.perf_counter() - start) * 1000)
    ms.sort()
    pct = lambda p: ms[min(len(ms) - 1, math.ceil(p * len(ms)) - 1)]
    print(json.dumps({"reference_samples_per_s": round(samples_per_s, 2),
                      "reference_forward_p50_ms": round(pct(0.5), 2), "reference_forward_p99_ms": round(pct(0.99), 2),
                      "reference_torch": torch.__version__}))


if __name__ == "__main__":
    main()
