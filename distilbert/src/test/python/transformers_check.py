"""The other side of TransformersParityIT: Hugging Face transformers itself, as its users run it.

  transformers_check.py score MODEL_DIR TEXTS.jsonl
      Loads MODEL_DIR with AutoTokenizer / AutoModelForSequenceClassification.from_pretrained, unchanged, and prints
      one JSON line per {"text": ...} line, as bin/score does: input_ids, logits (eval mode, float32, one text at a
      time so padding plays no part), label (through the checkpoint's id2label).

  transformers_check.py make OUT_DIR TOKENIZER_DIR DIM HIDDEN LAYERS HEADS LABELS SEED [MODEL_TYPE]
      Writes a randomly initialised DistilBertForSequenceClassification (MODEL_TYPE distilbert, the default) or
      BertForSequenceClassification (bert) with save_pretrained (transformers' own file layout and metadata) and the
      tokenizer of TOKENIZER_DIR, for the Java side to load. BERT's LayerNorms and biases, which its init sets to 1
      and 0, are drawn at random so that a mix-up between them cannot go unseen.

  transformers_check.py step MODEL_DIR BATCH.json
      The first training steps as HF Trainer takes them, in float64, on one batch given in BATCH.json with the
      hyperparameters: mean cross-entropy, clip_grad_norm_, torch AdamW with Trainer's weight-decay groups, linear
      decay without warmup. Prints each step's loss and gradient norm (before clipping) and, after the last step,
      the L2 norm and first values of the named parameters, with each step's learning rate, loss scale and whether it
      was skipped. With "precision": "bf16" in BATCH.json the model is float32 and each forward pass runs under
      torch.autocast("cpu", torch.bfloat16), as Trainer(bf16=True) does; with "fp16", under autocast float16 with
      torch.amp.GradScaler, as Trainer(fp16=True) does on a GPU.
"""
import json
import math
import sys

import torch
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, BertConfig,
                          BertForSequenceClassification, DistilBertConfig, DistilBertForSequenceClassification,
                          get_linear_schedule_with_warmup)


def score(model_dir, texts_file):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    model.eval()
    with open(texts_file, encoding="utf-8") as f, torch.no_grad():
        for line in f:
            if not line.strip():
                continue
            text = json.loads(line)["text"]
            encoded = tokenizer(text, truncation=True, max_length=model.config.max_position_embeddings,
                                return_tensors="pt")
            logits = model(**encoded).logits[0]
            print(json.dumps({"input_ids": encoded["input_ids"][0].tolist(), "logits": logits.tolist(),
                              "label": model.config.id2label[int(logits.argmax())]}))


def make(out_dir, tokenizer_dir, dim, hidden, layers, heads, labels, seed, model_type="distilbert"):
    torch.manual_seed(int(seed))
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    names = [f"CLASS_{i}" for i in range(int(labels))]
    label_maps = dict(id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})
    if model_type == "bert":
        config = BertConfig(vocab_size=len(tokenizer), hidden_size=int(dim), intermediate_size=int(hidden),
                            num_hidden_layers=int(layers), num_attention_heads=int(heads), max_position_embeddings=64,
                            pad_token_id=tokenizer.pad_token_id, **label_maps)
        model = BertForSequenceClassification(config)
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith("bias") or "LayerNorm" in name:
                    p.copy_(torch.randn_like(p) * 0.1 + (1.0 if "LayerNorm.weight" in name else 0.0))
    else:
        config = DistilBertConfig(vocab_size=len(tokenizer), dim=int(dim), hidden_dim=int(hidden),
                                  n_layers=int(layers), n_heads=int(heads), max_position_embeddings=64,
                                  pad_token_id=tokenizer.pad_token_id, **label_maps)
        model = DistilBertForSequenceClassification(config)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def step(model_dir, batch_file):
    """The first steps of Trainer's loop on one batch. "precision": "bf16" runs the forward pass under
    torch.autocast(bfloat16); "fp16" under torch.autocast(float16) with torch.amp.GradScaler (initial scale
    "init_scale"): the loss scaled before backward, the gradients unscaled before clipping, a step with non-finite
    gradients skipped and the scale backed off; like Trainer, a skipped step does not advance the schedule."""
    with open(batch_file, encoding="utf-8") as f:
        batch = json.load(f)
    precision = batch.get("precision", "fp32")
    mixed = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    # Eager attention, as this project's encoder computes it: under autocast its softmax runs in float32, while
    # SDPA's fused kernel keeps the whole attention in the 16-bit type.
    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, dtype=torch.float64 if mixed is None else torch.float32, attn_implementation="eager")
    model.train()  # the caller's config.json has every dropout at 0, so train mode is deterministic
    ids = torch.tensor(batch["input_ids"])
    mask = torch.tensor(batch["attention_mask"])
    labels = torch.tensor(batch["labels"])
    # HF Trainer's optimizer groups: no weight decay on biases and LayerNorm weights.
    exempt = [n for n, _ in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n or "layer_norm" in n]
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in model.named_parameters() if n not in exempt], "weight_decay": batch["weight_decay"]},
        {"params": [p for n, p in model.named_parameters() if n in exempt], "weight_decay": 0.0}], lr=batch["lr"])
    schedule = get_linear_schedule_with_warmup(optimizer, 0, batch["total_steps"])
    scaler = torch.amp.GradScaler("cpu", init_scale=batch.get("init_scale", 2.0 ** 16),
                                  enabled=precision == "fp16")
    losses, norms, lrs, scales, skipped = [], [], [], [], []
    for _ in range(batch["steps"]):
        optimizer.zero_grad()
        lrs.append(schedule.get_last_lr()[0])
        with torch.autocast("cpu", dtype=mixed or torch.bfloat16, enabled=mixed is not None):
            logits = model(input_ids=ids, attention_mask=mask).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), batch["max_grad_norm"]).item())
        scale_before = scaler.get_scale() if scaler.is_enabled() else 1.0
        scaler.step(optimizer)
        scaler.update()
        was_skipped = scaler.is_enabled() and scaler.get_scale() < scale_before
        if not was_skipped:
            schedule.step()
        losses.append(loss.item())
        scales.append(scaler.get_scale() if scaler.is_enabled() else 1.0)
        skipped.append(was_skipped)
    weights = {n: {"norm": p.detach().norm().item(), "first": p.detach().flatten()[:4].tolist()}
               for n, p in model.named_parameters() if n in batch["report"]}
    finite = lambda x: x if math.isfinite(x) else None  # a skipped step's norm is inf or NaN; JSON has neither
    print(json.dumps({"losses": [finite(x) for x in losses], "grad_norms": [finite(x) for x in norms], "lrs": lrs,
                      "scales": scales, "skipped": skipped, "weights": weights}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"score": score, "make": make, "step": step}[command](*args)
