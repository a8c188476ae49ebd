"""Hugging Face Trainer side of bench/transfer-learning.

Fine-tunes a Hugging Face checkpoint directory (AutoModelForSequenceClassification, a new classification head)
on DIR/train.jsonl with transformers' own Trainer and scores DIR/test.jsonl, with the hyperparameters the Java
side gets: AdamW, linear schedule with warmup, clipping at 1.0, no evaluation or checkpoint during training (the
model after the last epoch is scored), dynamic padding per batch. Labels are numbered in sorted order, as on the
Java side. Prints one JSON line: hf_trainer_accuracy, hf_trainer_train_s (wall) and hf_trainer_train_cpu_s (CPU time of the
process, all threads), hf_trainer_eval_s, steps, train_loss.

Run with the Python of bin/transformers-venv (transformers, torch, accelerate).
"""
import argparse
import json
import tempfile
import time

import numpy as np
import torch
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                          TrainingArguments)
from transformers.utils import logging as hf_logging


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class Encoded(torch.utils.data.Dataset):
    def __init__(self, tokenizer, rows, label_ids, max_length):
        self.features = tokenizer([r["text"] for r in rows], truncation=True, max_length=max_length)
        self.labels = [label_ids[r["label"]] for r in rows]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        item = {k: v[i] for k, v in self.features.items()}
        item["labels"] = self.labels[i]
        return item


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, help="Hugging Face checkpoint directory")
    p.add_argument("--data", required=True, help="directory with train.jsonl and test.jsonl")
    p.add_argument("--learning-rate", type=float, required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--warmup-ratio", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bf16", action="store_true", help="TrainingArguments(bf16=True): autocast bfloat16")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    hf_logging.set_verbosity_error()

    train_rows = read_jsonl(f"{a.data}/train.jsonl")
    test_rows = read_jsonl(f"{a.data}/test.jsonl")
    labels = sorted({r["label"] for r in train_rows})
    label_ids = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForSequenceClassification.from_pretrained(
        a.model, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label_ids,
        ignore_mismatched_sizes=True)  # a classification checkpoint with other labels gets a new head too
    train = Encoded(tokenizer, train_rows, label_ids, a.max_length)
    test = Encoded(tokenizer, test_rows, label_ids, a.max_length)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, use_cpu=True, seed=a.seed, learning_rate=a.learning_rate, num_train_epochs=a.epochs,
            per_device_train_batch_size=a.batch_size, per_device_eval_batch_size=64, weight_decay=a.weight_decay,
            # transformers 5 reads a warmup_steps below 1 as the ratio: ceil(total steps x ratio), as the Java side.
            warmup_steps=a.warmup_ratio, lr_scheduler_type="linear", max_grad_norm=1.0, optim="adamw_torch",
            eval_strategy="no", save_strategy="no", logging_strategy="no", report_to="none", disable_tqdm=True,
            dataloader_num_workers=0, bf16=a.bf16)
        trainer = Trainer(model=model, args=args, train_dataset=train,
                          data_collator=DataCollatorWithPadding(tokenizer))
        start, cpu_start = time.perf_counter(), time.process_time()
        result = trainer.train()
        train_s, train_cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
        # Scored in order of length, as the Java side's Predictor does, so batches carry little padding; rows do not
        # interact, so only the time changes.
        order = sorted(range(len(test)), key=lambda i: len(test.features["input_ids"][i]))
        start = time.perf_counter()
        sorted_logits = trainer.predict(torch.utils.data.Subset(test, order)).predictions
        eval_s = time.perf_counter() - start
        logits = np.empty_like(sorted_logits)
        logits[order] = sorted_logits
    accuracy = float(np.mean(np.argmax(logits, axis=-1) == np.array(test.labels)))
    print(json.dumps({"hf_trainer_accuracy": round(accuracy, 4), "hf_trainer_train_s": round(train_s, 1),
                      "hf_trainer_train_cpu_s": round(train_cpu_s, 1),
                      "hf_trainer_eval_s": round(eval_s, 1), "hf_trainer_steps": result.global_step,
                      "hf_trainer_train_loss": round(result.training_loss, 4),
                      "hf_trainer_precision": "bf16" if a.bf16 else "fp32",
                      "transformers": __import__("transformers").__version__, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
