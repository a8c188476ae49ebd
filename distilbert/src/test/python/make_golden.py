#!/usr/bin/python3
"""Golden outputs for DistilBertForSequenceClassification, computed in float64 with plain torch.

Two uses (run with Debian's /usr/bin/python3 and python3-torch; no transformers/safetensors packages needed):

  # 1. verify: recompute golden.json for an existing checkpoint (must match the reference fixture's numbers)
  make_golden.py --checkpoint DIR --golden OUT.json

  # 2. generate: a random checkpoint of a given shape + its golden.json; tokenizer files copied from --tokenizer-dir
  make_golden.py --tokenizer-dir TINY_DIR --out-dir DIR --golden OUT.json --dim 48 --heads 3 --layers 3 \
                 --hidden-dim 96 --labels 3 --seed 7

The math mirrors transformers' modeling_distilbert.py in eval mode: embeddings = LayerNorm(word + position, 1e-12);
per layer MultiHeadSelfAttention (q / sqrt(head_dim), masked key positions filled with finfo.min, softmax, out_lin),
sa_layer_norm(attn + x), FFN lin1 -> exact GELU -> lin2, output_layer_norm(ffn + h); classifier on hidden[:, 0]:
pre_classifier -> ReLU -> classifier. Gradients are of the mean cross-entropy w.r.t. the float64 copies of the weights.
"""
import argparse
import json
import math
import os
import shutil
import struct
import unicodedata

import torch

TEXTS = [
    "This movie was brilliant, I loved the acting!",
    "Terrible plot and boring scenes. A waste of time and money.",
    "URGENT: verify your account password, click the link now",
    "Meeting agenda for tomorrow: weekly team update.",
    "Café naïve résumé — accents & unknown-words like zyxqv.",
    "not bad, not great",
]
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"]


# ----------------------------------------------------------------------------- safetensors (no package needed)

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2), "F64": (torch.float64, 8)}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype, _ = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        buf = bytearray(data[begin:end])
        t = torch.frombuffer(buf, dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        tensors[name] = t.reshape(entry["shape"]).clone()
    return tensors


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().to(torch.float32).contiguous()
        raw = t.numpy().astype("<f4").tobytes() if hasattr(t, "numpy") else None
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ----------------------------------------------------------------------------- BERT uncased WordPiece

def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def tokenize(text, vocab, lowercase=True):
    # BertNormalizer: clean text, CJK spacing, lowercase + strip accents
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"):
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif _is_cjk(cp):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    text = "".join(out)
    if lowercase:
        text = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    # BertPreTokenizer: split on whitespace and punctuation
    words, cur = [], ""
    for ch in text:
        if ch.isspace():
            if cur:
                words.append(cur)
            cur = ""
        elif _is_punct(ch):
            if cur:
                words.append(cur)
            words.append(ch)
            cur = ""
        else:
            cur += ch
    if cur:
        words.append(cur)
    ids = [vocab["[CLS]"]]
    for w in words:
        if len(w) > 100:
            ids.append(vocab["[UNK]"])
            continue
        pieces, start, bad = [], 0, False
        while start < len(w):
            end, found = len(w), None
            while start < end:
                piece = ("##" if start > 0 else "") + w[start:end]
                if piece in vocab:
                    found = piece
                    break
                end -= 1
            if found is None:
                bad = True
                break
            pieces.append(vocab[found])
            start = end
        ids.extend([vocab["[UNK]"]] if bad else pieces)
    ids.append(vocab["[SEP]"])
    return ids


# ----------------------------------------------------------------------------- the model math (float64)

def layer_norm(x, w, b):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps=1e-12)


def linear(x, p, name):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def forward(p, cfg, ids, mask):
    B, T = ids.shape
    dim, H = cfg["dim"], cfg["n_heads"]
    hd = dim // H
    x = p["distilbert.embeddings.word_embeddings.weight"][ids] + p["distilbert.embeddings.position_embeddings.weight"][:T]
    x = layer_norm(x, p["distilbert.embeddings.LayerNorm.weight"], p["distilbert.embeddings.LayerNorm.bias"])
    key_pad = (mask == 0).view(B, 1, 1, T)
    for i in range(cfg["n_layers"]):
        pre = f"distilbert.transformer.layer.{i}."

        def heads(t):
            return t.view(B, T, H, hd).transpose(1, 2)

        q = heads(linear(x, p, pre + "attention.q_lin")) / math.sqrt(hd)
        k = heads(linear(x, p, pre + "attention.k_lin"))
        v = heads(linear(x, p, pre + "attention.v_lin"))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill(key_pad.expand_as(scores), torch.finfo(scores.dtype).min)
        w = torch.softmax(scores, dim=-1)
        ctx = (w @ v).transpose(1, 2).reshape(B, T, dim)
        attn = linear(ctx, p, pre + "attention.out_lin")
        h = layer_norm(attn + x, p[pre + "sa_layer_norm.weight"], p[pre + "sa_layer_norm.bias"])
        f = linear(h, p, pre + "ffn.lin1")
        f = 0.5 * f * (1.0 + torch.erf(f / math.sqrt(2.0)))
        f = linear(f, p, pre + "ffn.lin2")
        x = layer_norm(f + h, p[pre + "output_layer_norm.weight"], p[pre + "output_layer_norm.bias"])
    cls = x[:, 0]
    pooled = torch.relu(linear(cls, p, "pre_classifier"))
    return linear(pooled, p, "classifier"), cls


def load_vocab(directory):
    # tokenizer.json's WordPiece vocab is what the Rust tokenizer uses; vocab.txt only as a fallback.
    path = os.path.join(directory, "tokenizer.json")
    if os.path.exists(path):
        return json.load(open(path, encoding="utf-8"))["model"]["vocab"]
    vocab = {}
    for i, line in enumerate(open(os.path.join(directory, "vocab.txt"), encoding="utf-8").read().splitlines()):
        vocab[line] = i
    return vocab


def golden(checkpoint_dir, labels=None):
    cfg = json.load(open(os.path.join(checkpoint_dir, "config.json")))
    vocab = load_vocab(checkpoint_dir)
    weights = read_safetensors(os.path.join(checkpoint_dir, "model.safetensors"))
    p = {k: v.to(torch.float64).requires_grad_(True) for k, v in weights.items()}
    num_labels = p["classifier.weight"].shape[0]
    seqs = [tokenize(t, vocab) for t in TEXTS]
    T = max(len(s) for s in seqs)
    pad = cfg.get("pad_token_id", 0)
    ids = torch.tensor([s + [pad] * (T - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (T - len(s)) for s in seqs])
    if labels is None:
        labels = [i % num_labels for i in range(len(TEXTS))]
    logits, cls = forward(p, cfg, ids, mask)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    last = cfg["n_layers"] - 1
    norm_names = ["classifier.weight", "pre_classifier.bias", "distilbert.embeddings.LayerNorm.weight",
                  "distilbert.transformer.layer.0.attention.q_lin.weight",
                  f"distilbert.transformer.layer.{last}.ffn.lin2.bias",
                  "distilbert.embeddings.word_embeddings.weight"]
    sample_names = norm_names[:5]
    return {
        "about": "Eval-mode (no dropout) outputs of DistilBertForSequenceClassification for the checkpoint in this "
                 "folder, in float64 from its float32 weights. Padded key positions are masked.",
        "texts": TEXTS,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "labels": labels,
        "logits": logits.tolist(),
        "cls_hidden_state": cls.tolist(),
        "cross_entropy_loss_mean": loss.item(),
        "grad_l2_norms": {n: p[n].grad.norm().item() for n in norm_names},
        "grad_samples": {n: p[n].grad.flatten()[:8].tolist() for n in sample_names},
        "tolerance": {"logits_abs": 1e-4, "loss_abs": 1e-5, "grad_rel": 1e-3},
    }


def random_checkpoint(out_dir, tokenizer_dir, dim, heads, layers, hidden_dim, num_labels, seed, max_pos):
    g = torch.Generator().manual_seed(seed)
    vocab_size = len(open(os.path.join(tokenizer_dir, "vocab.txt"), encoding="utf-8").read().splitlines())

    def rnd(*shape, std=0.3, mean=0.0):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * std + mean).to(torch.float32)

    p = {
        "distilbert.embeddings.word_embeddings.weight": rnd(vocab_size, dim, std=1.0),
        "distilbert.embeddings.position_embeddings.weight": rnd(max_pos, dim, std=0.5),
        "distilbert.embeddings.LayerNorm.weight": rnd(dim, std=0.2, mean=1.0),
        "distilbert.embeddings.LayerNorm.bias": rnd(dim, std=0.1),
    }
    lin_std = 1.0 / math.sqrt(dim)
    for i in range(layers):
        pre = f"distilbert.transformer.layer.{i}."
        for name in ["q_lin", "k_lin", "v_lin", "out_lin"]:
            p[pre + f"attention.{name}.weight"] = rnd(dim, dim, std=lin_std * 1.5)
            p[pre + f"attention.{name}.bias"] = rnd(dim, std=0.1)
        p[pre + "sa_layer_norm.weight"] = rnd(dim, std=0.2, mean=1.0)
        p[pre + "sa_layer_norm.bias"] = rnd(dim, std=0.1)
        p[pre + "ffn.lin1.weight"] = rnd(hidden_dim, dim, std=lin_std)
        p[pre + "ffn.lin1.bias"] = rnd(hidden_dim, std=0.1)
        p[pre + "ffn.lin2.weight"] = rnd(dim, hidden_dim, std=1.0 / math.sqrt(hidden_dim))
        p[pre + "ffn.lin2.bias"] = rnd(dim, std=0.1)
        p[pre + "output_layer_norm.weight"] = rnd(dim, std=0.2, mean=1.0)
        p[pre + "output_layer_norm.bias"] = rnd(dim, std=0.1)
    p["pre_classifier.weight"] = rnd(dim, dim, std=lin_std)
    p["pre_classifier.bias"] = rnd(dim, std=0.1)
    p["classifier.weight"] = rnd(num_labels, dim, std=lin_std)
    p["classifier.bias"] = rnd(num_labels, std=0.1)

    os.makedirs(out_dir, exist_ok=True)
    names = [f"CLASS_{i}" for i in range(num_labels)]
    config = {
        "architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "activation": "gelu",
        "attention_dropout": 0.1, "dim": dim, "dropout": 0.1, "hidden_dim": hidden_dim, "initializer_range": 0.02,
        "max_position_embeddings": max_pos, "n_heads": heads, "n_layers": layers, "pad_token_id": 0,
        "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False, "tie_weights_": True,
        "vocab_size": vocab_size, "id2label": {str(i): n for i, n in enumerate(names)},
        "label2id": {n: i for i, n in enumerate(names)}, "torch_dtype": "float32",
    }
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), p)
    for name in TOKENIZER_FILES:
        src = os.path.join(tokenizer_dir, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(out_dir, name))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="existing checkpoint dir: only compute its golden.json")
    ap.add_argument("--labels", type=int, default=2, help="number of classes of a generated checkpoint")
    ap.add_argument("--golden-labels", help="comma-separated label ids for the texts (default: i mod num_labels)")
    ap.add_argument("--tokenizer-dir")
    ap.add_argument("--out-dir")
    ap.add_argument("--golden", required=True)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden-dim", type=int)
    ap.add_argument("--max-positions", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    labels = [int(x) for x in a.golden_labels.split(",")] if a.golden_labels else None
    directory = a.checkpoint
    if directory is None:
        if not (a.out_dir and a.tokenizer_dir):
            ap.error("--out-dir and --tokenizer-dir are needed to generate a checkpoint")
        random_checkpoint(a.out_dir, a.tokenizer_dir, a.dim, a.heads, a.layers, a.hidden_dim or 2 * a.dim,
                          a.labels, a.seed, a.max_positions)
        directory = a.out_dir
    with open(a.golden, "w") as f:
        json.dump(golden(directory, labels), f, indent=1)


if __name__ == "__main__":
    main()
