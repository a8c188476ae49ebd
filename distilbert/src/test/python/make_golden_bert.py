#!/usr/bin/env python3
"""Golden outputs for BertForSequenceClassification (model_type "bert"), made with Hugging Face transformers itself.

These fixtures let the Java BERT implementation be checked against transformers to the same tolerances as the
DistilBERT parity fixtures (make_golden.py): logits 1e-4 absolute, mean cross-entropy 1e-5 absolute, gradients 1e-3
relative. Unlike make_golden.py, which re-derives the DistilBERT math in plain torch, every number here comes from
transformers' own modeling_bert.py (eager attention), and every checkpoint is written by its save_pretrained.

How to run (from the repository root; needs the transformers venv, transformers 5.18.0 + torch 2.13 CPU):

  PY="$(bin/transformers-venv)"    # or ~/.cache/finetune/transformers-venv/bin/python
  "$PY" distilbert/src/test/python/make_golden_bert.py             # generate, then verify (the default: "all")
  "$PY" distilbert/src/test/python/make_golden_bert.py generate    # only (re)write the fixtures
  "$PY" distilbert/src/test/python/make_golden_bert.py verify      # only check the committed fixtures

What "generate" does, per shape in SHAPES:
  1. torch.manual_seed(seed); BertForSequenceClassification(BertConfig(...)) with HF's own initialisation, vocab size
     = the tiny tokenizer's (max id + 1 = 180), max_position_embeddings 64, type_vocab_size 2, hidden_act "gelu"
     (exact erf GELU), layer_norm_eps 1e-12, real label names in id2label/label2id.
  2. Perturbs the weights so that a mistake cannot hide behind HF's init (biases 0, LayerNorm 1/0, N(0, 0.02)
     weights that make every layer nearly the identity after LayerNorm): every LayerNorm weight 1 + N(0, 0.2) and
     bias N(0, 0.1); every Linear bias N(0, 0.1) and weight rescaled to std 1/sqrt(fan_in) (x1.5 for query and
     key, for sharper attention); word embeddings rescaled to std 1 (the padding row, id 0, stays the zero row HF's
     init leaves); position embeddings rescaled to std 0.5; token_type_embeddings (both rows) redrawn N(0, 0.5).
     The pooler's dense layer is a Linear, so it gets a rescaled weight and a random bias. The perturbation draws
     from its own torch.Generator seeded with seed + 1000.
  3. save_pretrained (safetensors, float32) into src/test/resources/models/bert-d{H}-h{heads}-l{layers}-c{labels}/
     plus the tiny tokenizer files (tokenizer.json, tokenizer_config.json, vocab.txt), copied unchanged (so
     tokenizer_config.json still names DistilBertTokenizer: the same uncased WordPiece as BertTokenizer).
  4. Golden outputs in float64: model.double(), eval mode (no dropout), attn_implementation "eager", on the TEXTS of
     make_golden.py tokenized by the tiny tokenizer (BertTokenizerFast on tokenizer.json), padded to the batch's
     longest, token_type_ids all 0 (transformers' default). Written to src/test/resources/golden/<name>.json with
     the keys of the DistilBERT golden files: about, texts, input_ids, attention_mask, labels (i mod num_labels),
     logits, cls_hidden_state (the last encoder layer's hidden state at position 0, before the pooler),
     cross_entropy_loss_mean (the model's own loss for those labels), grad_l2_norms and grad_samples (the first 8
     values of the row-major flattened gradient) of the mean cross-entropy w.r.t. the float64 parameters, keyed by
     the HF parameter names, and tolerance {logits_abs 1e-4, loss_abs 1e-5, grad_rel 1e-3}. Every grad_samples key
     is also a grad_l2_norms key (ParityTest scales the sample tolerance by that norm).
  5. For the d32 shape only, two BASE checkpoints with the same encoder weights, for loading tests:
       models/bert-d32-base/  BertModel.save_pretrained: unprefixed embeddings.*, encoder.*, pooler.*
       models/bert-d32-mlm/   BertForMaskedLM.save_pretrained: bert.* without a pooler, plus a cls.predictions.*
                              head (transform.dense, transform.LayerNorm, bias; the decoder is tied to the word
                              embeddings, so save_pretrained leaves it out)
     and the d32 golden file gets "base_last_hidden_state": BertModel's float64 last_hidden_state [B, T, H] for
     the same input_ids/attention_mask (padded positions included; they are as well defined as the others).

What "verify" does: reloads every committed checkpoint with from_pretrained (AutoModelForSequenceClassification,
BertModel, BertForMaskedLM, AutoModel, AutoTokenizer), converts it to float64 and recomputes every golden number,
printing the largest differences (exactly 0: the golden values were computed from these same float32 weights
upcast to float64, so the reload is bit-identical); runs the same checkpoints in
float32 as well, to show the distance a float32 implementation has to the golden values (~1e-6 to 1e-7, well
inside the tolerances); and recomputes the logits with a plain-torch transcription of the BERT math described
above (word + position + token_type embeddings, LayerNorm, post-LN layers, erf GELU, tanh pooler on [CLS],
classifier), as a check that the description the Java side implements is what transformers does. It exits 1 if
any float64 difference exceeds 1e-9 or a float32 one exceeds the golden tolerance. (Loading bert-d32-mlm with
AutoModel prints transformers' LOAD REPORT: cls.* unexpected, pooler missing; that is the point of that check.)

Shapes and seeds: bert-d32-h4-l2-c3 (hidden 32, 4 heads, 2 layers, intermediate 64, 3 labels negative/neutral/
positive) uses seed 32 (perturbation 1032; the MLM head 2032); bert-d24-h2-l3-c2 (hidden 24, 2 heads, 3 layers,
intermediate 40, 2 labels ham/spam) seed 24 (perturbation 1024). Regenerating is deterministic (byte-identical).
"""
import json
import math
import os
import shutil
import sys

import torch
from safetensors import safe_open
from torch import nn
from transformers import (AutoModel, AutoModelForSequenceClassification, AutoTokenizer, BertConfig,
                          BertForMaskedLM, BertForSequenceClassification, BertModel, BertTokenizerFast)

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.normpath(os.path.join(HERE, "..", "..", ".."))  # distilbert/
TINY = os.path.join(MODULE, "src", "main", "resources", "models", "distilbert-tiny")
MODELS = os.path.join(MODULE, "src", "test", "resources", "models")
GOLDEN = os.path.join(MODULE, "src", "test", "resources", "golden")

# Same texts as make_golden.py, so that input_ids can be compared with the DistilBERT golden files.
TEXTS = [
    "This movie was brilliant, I loved the acting!",
    "Terrible plot and boring scenes. A waste of time and money.",
    "URGENT: verify your account password, click the link now",
    "Meeting agenda for tomorrow: weekly team update.",
    "Café naïve résumé — accents & unknown-words like zyxqv.",
    "not bad, not great",
]
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "vocab.txt"]
TOLERANCE = {"logits_abs": 1e-4, "loss_abs": 1e-5, "grad_rel": 1e-3}
MAX_POSITIONS = 64

SHAPES = [
    {"name": "bert-d32-h4-l2-c3", "hidden": 32, "heads": 4, "layers": 2, "intermediate": 64, "seed": 32,
     "labels": ["negative", "neutral", "positive"], "base": True},
    {"name": "bert-d24-h2-l3-c2", "hidden": 24, "heads": 2, "layers": 3, "intermediate": 40, "seed": 24,
     "labels": ["ham", "spam"], "base": False},
]
BASE_DIR = "bert-d32-base"
MLM_DIR = "bert-d32-mlm"


def vocab_size():
    # tokenizer.json's WordPiece ids run 0..179 with one id (74) unused, so the embedding needs max id + 1 rows.
    with open(os.path.join(TINY, "tokenizer.json"), encoding="utf-8") as f:
        return max(json.load(f)["model"]["vocab"].values()) + 1


def config_for(shape):
    names = shape["labels"]
    return BertConfig(vocab_size=vocab_size(), hidden_size=shape["hidden"], num_hidden_layers=shape["layers"],
                      num_attention_heads=shape["heads"], intermediate_size=shape["intermediate"],
                      hidden_act="gelu", max_position_embeddings=MAX_POSITIONS, type_vocab_size=2,
                      layer_norm_eps=1e-12, pad_token_id=0, initializer_range=0.02,
                      id2label={i: n for i, n in enumerate(names)}, label2id={n: i for i, n in enumerate(names)},
                      attn_implementation="eager")


@torch.no_grad()
def perturb(root, prefix, generator, init_std, skip=()):
    """Makes HF's trivial init (biases 0, LayerNorm 1/0, tiny weights) non-trivial; see the module docstring."""
    def randn(t, std, mean=0.0):
        return (torch.randn(t.shape, generator=generator, dtype=torch.float64) * std + mean).to(t.dtype)

    skip_ids = {id(p) for p in skip}
    for name, module in root.named_modules(prefix=prefix):
        if isinstance(module, nn.LayerNorm):
            module.weight.copy_(randn(module.weight, 0.2, 1.0))
            module.bias.copy_(randn(module.bias, 0.1))
        elif isinstance(module, nn.Linear):
            if id(module.weight) not in skip_ids:
                gain = 1.5 if name.endswith(("attention.self.query", "attention.self.key")) else 1.0
                module.weight.mul_(gain / math.sqrt(module.in_features) / init_std)
            if module.bias is not None and id(module.bias) not in skip_ids:
                module.bias.copy_(randn(module.bias, 0.1))
        elif isinstance(module, nn.Embedding):
            if name.endswith("word_embeddings"):
                module.weight.mul_(1.0 / init_std)  # the padding row stays exactly 0
            elif name.endswith("position_embeddings"):
                module.weight.mul_(0.5 / init_std)
            elif name.endswith("token_type_embeddings"):
                module.weight.copy_(randn(module.weight, 0.5))


def copy_tokenizer(out_dir):
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(TINY, name), os.path.join(out_dir, name))


def fresh_dir(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)


def encode(tokenizer_dir):
    """The TEXTS as one batch padded to its longest, through transformers' BERT tokenizer on tokenizer.json."""
    tokenizer = BertTokenizerFast(tokenizer_file=os.path.join(tokenizer_dir, "tokenizer.json"))
    enc = tokenizer(TEXTS, padding="longest", return_tensors="pt")
    assert int(enc["token_type_ids"].abs().sum()) == 0, "single-sentence inputs have token type 0 everywhere"
    return enc["input_ids"], enc["attention_mask"]


def encode_auto(checkpoint_dir):
    """The same batch through AutoTokenizer.from_pretrained(checkpoint), as a user of the checkpoint would run it."""
    enc = AutoTokenizer.from_pretrained(checkpoint_dir)(TEXTS, padding="longest", return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


def report_names(layers):
    """Parameters whose gradient norms (all) and first 8 gradient values (all but the word embeddings) are kept.

    The first five play the roles of make_golden.py's DistilBERT selection (classifier.weight, pre_classifier.bias,
    embeddings.LayerNorm.weight, layer 0 query weight, last layer FFN output bias); the rest cover what BERT adds or
    names differently. The word embeddings' first row is [PAD], whose gradient is 0, so it has a norm only. No key
    bias: its gradient is 0 in exact arithmetic (softmax ignores a constant added to every key's score), so a
    float32 implementation gets round-off (~1e-8) that no relative tolerance can compare.
    """
    last = layers - 1
    names = ["classifier.weight",
             "bert.pooler.dense.bias",
             "bert.embeddings.LayerNorm.weight",
             "bert.encoder.layer.0.attention.self.query.weight",
             f"bert.encoder.layer.{last}.output.dense.bias",
             "classifier.bias",
             "bert.pooler.dense.weight",
             "bert.embeddings.token_type_embeddings.weight",
             "bert.embeddings.position_embeddings.weight",
             "bert.encoder.layer.0.attention.self.value.bias",
             "bert.encoder.layer.0.attention.output.LayerNorm.weight",
             f"bert.encoder.layer.{last}.intermediate.dense.weight",
             f"bert.encoder.layer.{last}.output.LayerNorm.bias",
             "bert.embeddings.word_embeddings.weight"]
    return names, names[:-1]


def golden_numbers(model, ids, mask, labels):
    """Everything in a golden file that depends on the classification model (model already in float64, eval)."""
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids, attention_mask=mask, labels=labels, output_hidden_states=True)
    plain_loss = nn.functional.cross_entropy(out.logits, labels)
    assert torch.equal(out.loss, plain_loss), (out.loss, plain_loss)
    out.loss.backward()
    params = dict(model.named_parameters())
    norm_names, sample_names = report_names(model.config.num_hidden_layers)
    return {
        "logits": out.logits.detach(),
        "cls_hidden_state": out.hidden_states[-1][:, 0].detach(),
        "cross_entropy_loss_mean": out.loss.item(),
        "grad_l2_norms": {n: params[n].grad.norm().item() for n in norm_names},
        "grad_samples": {n: params[n].grad.flatten()[:8].tolist() for n in sample_names},
    }


def generate_shape(shape):
    name = shape["name"]
    out_dir = os.path.join(MODELS, name)
    config = config_for(shape)
    torch.manual_seed(shape["seed"])
    model = BertForSequenceClassification(config)
    perturb(model, "", torch.Generator().manual_seed(shape["seed"] + 1000), config.initializer_range)
    assert float(model.bert.embeddings.word_embeddings.weight.detach()[config.pad_token_id].abs().max()) == 0.0
    fresh_dir(out_dir)
    model.save_pretrained(out_dir)
    copy_tokenizer(out_dir)

    ids, mask = encode(out_dir)
    labels = torch.tensor([i % config.num_labels for i in range(len(TEXTS))])
    model.double().eval()
    numbers = golden_numbers(model, ids, mask, labels)
    golden = {
        "about": f"Eval-mode (no dropout) outputs of transformers' BertForSequenceClassification (transformers "
                 f"{__import__('transformers').__version__}, eager attention) for the checkpoint models/{name}, in "
                 f"float64 from its float32 weights; token_type_ids all 0; padded key positions masked. Made by "
                 f"src/test/python/make_golden_bert.py.",
        "texts": TEXTS,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "labels": labels.tolist(),
        "logits": numbers["logits"].tolist(),
        "cls_hidden_state": numbers["cls_hidden_state"].tolist(),
        "cross_entropy_loss_mean": numbers["cross_entropy_loss_mean"],
        "grad_l2_norms": numbers["grad_l2_norms"],
        "grad_samples": numbers["grad_samples"],
        "tolerance": TOLERANCE,
    }

    if shape["base"]:
        model.float()  # back to the saved float32 weights (exact: they were float32 before .double())
        base = BertModel(config)  # with a pooler, like the encoder inside the classifier
        base.load_state_dict(model.bert.state_dict())
        base_dir = os.path.join(MODELS, BASE_DIR)
        fresh_dir(base_dir)
        base.save_pretrained(base_dir)
        copy_tokenizer(base_dir)

        mlm = BertForMaskedLM(config)
        mlm.bert.load_state_dict({k: v for k, v in model.bert.state_dict().items() if not k.startswith("pooler.")})
        head_generator = torch.Generator().manual_seed(shape["seed"] + 2000)
        perturb(mlm.cls, "cls", head_generator, config.initializer_range,
                skip=[mlm.cls.predictions.decoder.weight, mlm.cls.predictions.decoder.bias])
        with torch.no_grad():
            mlm.cls.predictions.bias.copy_(torch.randn(mlm.cls.predictions.bias.shape, generator=head_generator) * 0.1)
        assert mlm.cls.predictions.decoder.weight is mlm.bert.embeddings.word_embeddings.weight
        mlm_dir = os.path.join(MODELS, MLM_DIR)
        fresh_dir(mlm_dir)
        mlm.save_pretrained(mlm_dir)
        copy_tokenizer(mlm_dir)

        base.double().eval()
        with torch.no_grad():
            hidden = base(input_ids=ids, attention_mask=mask).last_hidden_state
        assert torch.equal(hidden[:, 0], numbers["cls_hidden_state"]), "base encoder == classifier's encoder"
        golden["base_last_hidden_state"] = hidden.tolist()

    write_golden(os.path.join(GOLDEN, name + ".json"), golden)
    print(f"wrote models/{name}/ and golden/{name}.json" + (f", models/{BASE_DIR}/, models/{MLM_DIR}/"
                                                            if shape["base"] else ""))


def write_golden(path, golden):
    """json.dump(indent=1) like make_golden.py, except base_last_hidden_state: one line per token (B*T*H numbers
    at one per line would make the file three times larger). Full float64 precision either way."""
    hidden = golden.get("base_last_hidden_state")
    marker = "@@base_last_hidden_state@@"
    text = json.dumps({**golden, **({"base_last_hidden_state": marker} if hidden is not None else {})}, indent=1)
    if hidden is not None:
        rows = ",\n".join("  [" + ",\n   ".join(json.dumps(tok, separators=(",", ":")) for tok in seq) + "]"
                          for seq in hidden)
        text = text.replace(json.dumps(marker), "[\n" + rows + "\n ]")
    assert json.loads(text) == golden
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


# ----------------------------------------------------------------------------- verify

def max_abs(a, b):
    a, b = (x.detach() if torch.is_tensor(x) else x for x in (a, b))
    return float((torch.as_tensor(a, dtype=torch.float64) - torch.as_tensor(b, dtype=torch.float64)).abs().max())


def max_rel(a, b):
    a = torch.as_tensor(a, dtype=torch.float64)
    b = torch.as_tensor(b, dtype=torch.float64)
    return float(((a - b).abs() / b.abs().clamp_min(1e-30)).max())


def plain_logits(sd, cfg, ids, mask):
    """BERT eval-mode math in plain torch (float64), as the Java side implements it."""
    def ln(x, name):
        return nn.functional.layer_norm(x, (x.shape[-1],), sd[name + ".weight"], sd[name + ".bias"],
                                        eps=cfg.layer_norm_eps)

    def lin(x, name):
        return x @ sd[name + ".weight"].T + sd[name + ".bias"]

    B, T = ids.shape
    H, heads = cfg.hidden_size, cfg.num_attention_heads
    hd = H // heads
    x = (sd["bert.embeddings.word_embeddings.weight"][ids] + sd["bert.embeddings.position_embeddings.weight"][:T]
         + sd["bert.embeddings.token_type_embeddings.weight"][0])
    x = ln(x, "bert.embeddings.LayerNorm")
    pad = (mask == 0).view(B, 1, 1, T)
    for i in range(cfg.num_hidden_layers):
        p = f"bert.encoder.layer.{i}."

        def split(t):
            return t.view(B, T, heads, hd).transpose(1, 2)

        q, k, v = (split(lin(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        scores = (q @ k.transpose(2, 3)) / math.sqrt(hd)
        scores = scores.masked_fill(pad, torch.finfo(scores.dtype).min)
        ctx = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, H)
        h = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        f = lin(h, p + "intermediate.dense")
        f = 0.5 * f * (1.0 + torch.erf(f / math.sqrt(2.0)))
        x = ln(lin(f, p + "output.dense") + h, p + "output.LayerNorm")
    pooled = torch.tanh(lin(x[:, 0], "bert.pooler.dense"))
    return lin(pooled, "classifier"), x


def verify():
    failures = []

    def check(what, value, limit):
        flag = "" if value <= limit else "   <-- FAIL"
        print(f"  {what:<58} {value:.3e}{flag}")
        if value > limit:
            failures.append(what)

    for shape in SHAPES:
        name = shape["name"]
        path = os.path.join(MODELS, name)
        with open(os.path.join(GOLDEN, name + ".json"), encoding="utf-8") as f:
            g = json.load(f)
        print(f"{name}: loss {g['cross_entropy_loss_mean']:.6f}, logits range "
              f"[{min(map(min, g['logits'])):.3f}, {max(map(max, g['logits'])):.3f}]")
        ids, mask = encode(path)
        auto_ids, auto_mask = encode_auto(path)
        check("input_ids (BertTokenizerFast) differ", float(ids.tolist() != g["input_ids"]), 0)
        check("input_ids (AutoTokenizer.from_pretrained) differ", float(auto_ids.tolist() != g["input_ids"]), 0)
        check("attention_mask differs", float(mask.tolist() != g["attention_mask"] or
                                              auto_mask.tolist() != g["attention_mask"]), 0)
        with open(os.path.join(GOLDEN, "distilbert-d48-h3-l3-c3.json"), encoding="utf-8") as f:
            check("input_ids differ from distilbert-d48-h3-l3-c3.json's", float(json.load(f)["input_ids"] != g["input_ids"]), 0)
        labels = torch.tensor(g["labels"])

        for dtype, limit_scale in ((torch.float64, None), (torch.float32, 1.0)):
            model = AutoModelForSequenceClassification.from_pretrained(path, attn_implementation="eager")
            assert isinstance(model, BertForSequenceClassification)
            model.to(dtype).eval()
            n = golden_numbers(model, ids, mask, labels)
            tag = "float64" if dtype == torch.float64 else "float32"
            lim = (lambda tol: 1e-9) if limit_scale is None else (lambda tol: tol)
            check(f"[{tag}] max |logits - golden|", max_abs(n["logits"], g["logits"]), lim(TOLERANCE["logits_abs"]))
            check(f"[{tag}] max |cls_hidden_state - golden|", max_abs(n["cls_hidden_state"], g["cls_hidden_state"]),
                  lim(TOLERANCE["logits_abs"]))
            check(f"[{tag}] |loss - golden|", abs(n["cross_entropy_loss_mean"] - g["cross_entropy_loss_mean"]),
                  lim(TOLERANCE["loss_abs"]))
            check(f"[{tag}] max rel diff of grad_l2_norms",
                  max_rel(list(n["grad_l2_norms"].values()), list(g["grad_l2_norms"].values())),
                  lim(TOLERANCE["grad_rel"]))
            worst = 0.0
            for k, v in g["grad_samples"].items():
                scale = g["grad_l2_norms"][k]
                worst = max(worst, max_abs(n["grad_samples"][k], v) / scale)
            check(f"[{tag}] max |grad_samples - golden| / grad norm", worst, lim(TOLERANCE["grad_rel"]))

        sd = {k: v.to(torch.float64) for k, v in model.state_dict().items()}
        logits, last = plain_logits(sd, model.config, ids, mask)
        check("[plain torch, float64] max |logits - golden|", max_abs(logits, g["logits"]), 1e-9)
        check("[plain torch, float64] max |cls_hidden_state - golden|", max_abs(last[:, 0], g["cls_hidden_state"]), 1e-9)

        if "base_last_hidden_state" in g:
            expected = g["base_last_hidden_state"]
            base = BertModel.from_pretrained(os.path.join(MODELS, BASE_DIR), attn_implementation="eager")
            mlm = BertForMaskedLM.from_pretrained(os.path.join(MODELS, MLM_DIR), attn_implementation="eager")
            auto_mlm = AutoModel.from_pretrained(os.path.join(MODELS, MLM_DIR), attn_implementation="eager")
            with torch.no_grad():
                for what, encoder in ((BASE_DIR + " BertModel", base), (MLM_DIR + " BertForMaskedLM.bert", mlm.bert),
                                      (MLM_DIR + " AutoModel (pooler new)", auto_mlm)):
                    encoder.double().eval()
                    hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
                    check(f"[float64] {what} |last_hidden - golden|", max_abs(hidden, expected), 1e-9)
            check("[plain torch, float64] max |last hidden - base golden|", max_abs(last, expected), 1e-9)
            # the base checkpoint's pooler is the classifier's
            check("pooler weight base vs classifier", max_abs(base.pooler.dense.weight,
                                                               sd["bert.pooler.dense.weight"]), 0)
    print("OK" if not failures else f"FAILED: {failures}")
    return not failures


def describe():
    for shape in SHAPES:
        names = [shape["name"]] + ([BASE_DIR, MLM_DIR] if shape["base"] else [])
        for d in names:
            with safe_open(os.path.join(MODELS, d, "model.safetensors"), "pt") as f:
                keys = list(f.keys())
            print(f"{d}/model.safetensors: {len(keys)} tensors")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "all"
    if mode not in ("all", "generate", "verify"):
        sys.exit(__doc__)
    if mode in ("all", "generate"):
        for shape in SHAPES:
            generate_shape(shape)
        describe()
    if mode in ("all", "verify"):
        sys.exit(0 if verify() else 1)


if __name__ == "__main__":
    main()
