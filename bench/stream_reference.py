"""Hugging Face reference for bench/stream-inference: what a transformers user runs to label a list of texts.

transformers' own DistilBertForSequenceClassification (the base shape: distilbert-base-uncased) or
BertForSequenceClassification (the small shape: all-MiniLM-L6-v2's encoder), random weights, .eval(), under
torch.inference_mode(); the texts (bench/stream_inference.java's texts.txt, warm-up ones first) in their order, in
batches of --batch, each tokenized by the fast tokenizer of the served model directory (padding to the batch's longest,
truncation at --max-length), then the forward pass with the attention mask and the softmax of the logits, as the
evaluator serves them. Tokenization is timed, as it is on the served side.

Prints one JSON line, its keys prefixed "reference". Run with the Python of bin/transformers-venv.
"""
import argparse
import json
import time

import torch
import transformers
from transformers import (AutoTokenizer, BertConfig, BertForSequenceClassification, DistilBertConfig,
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
    p.add_argument("--texts", required=True)
    p.add_argument("--tokenizer", required=True, help="the served model directory (its tokenizer files)")
    p.add_argument("--warmup", type=int, required=True, help="texts at the head of --texts used to warm up")
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    with open(a.texts, encoding="utf-8") as f:
        texts = f.read().split("\n")[:a.warmup + a.n]
    tokenizer = AutoTokenizer.from_pretrained(a.tokenizer)
    model = model_for(a.shape).eval()

    def label(batch):
        enc = tokenizer(batch, padding=True, truncation=True, max_length=a.max_length, return_tensors="pt")
        logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
        return logits.float().softmax(-1).tolist()

    with torch.inference_mode():
        for i in range(0, a.warmup, a.batch):
            label(texts[i:min(i + a.batch, a.warmup)])
        timed = texts[a.warmup:]
        start = time.perf_counter()
        answered = 0
        for i in range(0, len(timed), a.batch):
            answered += len(label(timed[i:i + a.batch]))
        seconds = time.perf_counter() - start
    print(json.dumps({"reference_records_per_s": round(answered / seconds, 2), "reference_seconds": round(seconds, 2),
                      "reference": {"transformers": transformers.__version__, "torch": torch.__version__,
                                    "attention": model.config._attn_implementation, "tokenizer": "fast"
                                    if tokenizer.is_fast else "slow", "batch": a.batch}}))


if __name__ == "__main__":
    main()
