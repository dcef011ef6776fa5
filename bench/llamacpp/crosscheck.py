#!/usr/bin/env python3
"""llama.cpp against our engine on GGUF files our writer made (run through crosscheck.sh).

For each fixture model and each dtype the converter offers, writes a GGUF with our `convert`,
decodes greedily from the same prompt ids with llama.cpp (llama_driver greedy) and with our
`generate`, and prints one JSON line per file. Then compares the two tokenizers on the GGUF of
each tokenizer. Rows:

  {"check": "greedy", "model", "dtype", "status", "match", ...}
      status: "ok" (both decoded), "not_written" (our converter refused: "error"),
      "llama_refused" (llama.cpp could not load or run the file: "error"), "ours_failed"
  {"check": "llama_written", "model", "dtype", "llama_type", "mode", "tensor_types", "output_type",
   "token_embd_type", "status", "match", ...}   (--llama-written: llama.cpp wrote the file from our
      F32 GGUF with llama_driver quantize; status as above, plus "llama_not_written"; "ours_failed"
      with "error": our engine did not load or run llama.cpp's file)
  {"check": "tokenize", "tokenizer", "text", "match", "llama", "ours", "note", "..._matches_sentencepiece"}
  {"check": "summary", ...}

Exit code 0 when every file both sides could run matched and every tokenization matched (or differed
only by SentencePiece's remove_extra_whitespaces, which llama.cpp does not implement), 1 otherwise.
"""
import argparse
import array
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

DTYPES = [("f32", ["--dtype", "f32"]), ("f16", ["--dtype", "f16"]), ("bf16", ["--dtype", "bf16"]),
          ("q8_0", ["--quantize", "q8_0"]), ("q4_0", ["--quantize", "q4_0"]), ("q4_k", ["--quantize", "q4_k"])]

# --llama-written: (label, llama_driver quantize TYPE, options). llama.cpp writes each from our F32
# GGUF; "pure" puts every quantizable matrix (token_embd and output.weight too) in TYPE, but a row
# that is no whole number of TYPE's blocks still falls back (Q4_K -> Q5_0, Q6_K -> Q8_0, a 32-block
# type -> F16); the mixes are llama-quantize's defaults (output.weight Q6_K where rows allow, the
# _M mix some attn_v/ffn_down a type up). Q4_K_S and Q4_K_M pure write the same file.
LLAMA_WRITTEN = [("f16", "f16", []), ("bf16", "bf16", []), ("q8_0", "q8_0", ["pure"]), ("q4_0", "q4_0", ["pure"]),
                 ("q4_0-mix", "q4_0", []), ("q4_k", "q4_k_s", ["pure"]), ("q4_k_s-mix", "q4_k_s", []),
                 ("q4_k_m-mix", "q4_k_m", [])]

ARGS = None
JAVA = None

# texts for the tok512 check: the first of tokenizer/llama2-tokenizer.cases.json, plus the start of
# the stories260K story; the LLaMA-2 tokenizer gets all of them (but the one holding a NUL)
N_TOKENIZER_CASES = 24


def run(cmd, check=False):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def clean_err(text):
    """The lines of a JVM's or the driver's stderr worth reporting (no incubator warning)."""
    lines = [l for l in text.splitlines() if l.strip() and "incubator" not in l and not l.startswith("llama_driver: CPU backend")
             and not l.startswith("llama_driver: n_ctx")]
    return "\n".join(lines[-6:])


def truncated_sentencepiece(src, n, dst):
    """A copy of SentencePiece model src keeping its first n pieces (ModelProto field 1), the rest as is.

    llama-tiny-mha has 320 ids and no fixture tokenizer has 320 pieces; tok512's first 320 are its 3
    specials, 256 byte pieces and 61 merges, still a valid byte-fallback BPE vocabulary."""
    data = open(src, "rb").read()
    out, i, kept = bytearray(), 0, 0
    while i < len(data):
        start = i
        key, i = varint(data, i)
        wire = key & 7
        if wire == 2:
            length, i = varint(data, i)
            i += length
        elif wire == 0:
            _, i = varint(data, i)
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            raise ValueError(f"{src}: unexpected protobuf wire type {wire}")
        if key >> 3 == 1:
            kept += 1
            if kept > n:
                continue
        out += data[start:i]
    if kept < n:
        raise ValueError(f"{src} has {kept} pieces, fewer than {n}")
    with open(dst, "wb") as f:
        f.write(out)


def varint(data, i):
    v, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def zero_model(folder, vocab):
    """A LLaMA-2 of zeros (hidden 64, 1 layer) with a vocabulary of vocab ids: a carrier for a
    tokenizer (llama2-tokenizer.model has 32000 pieces, no fixture model that many ids)."""
    dim, hidden = 64, 64
    shapes = {"model.embed_tokens.weight": [vocab, dim], "lm_head.weight": [vocab, dim], "model.norm.weight": [dim]}
    p = "model.layers.0."
    for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
        shapes[p + "self_attn." + n + ".weight"] = [dim, dim]
    shapes[p + "mlp.gate_proj.weight"] = [hidden, dim]
    shapes[p + "mlp.up_proj.weight"] = [hidden, dim]
    shapes[p + "mlp.down_proj.weight"] = [dim, hidden]
    shapes[p + "input_layernorm.weight"] = [dim]
    shapes[p + "post_attention_layernorm.weight"] = [dim]
    return write_hf(folder, {k: (v, None) for k, v in shapes.items()},
                    dict(dim=dim, hidden=hidden, layers=1, heads=2, kv_heads=2, vocab=vocab))


def synthetic_model(folder, seed=256):
    """A random LLaMA-2 in Hugging Face layout (F32 safetensors + config.json) whose every row
    length is a multiple of 256, so Q4_K can be written: no fixture allows it (dim 64).

    hidden 256, intermediate 768, 2 layers, 4 heads, 2 KV heads, vocab 512 (tok512), context 128.
    The classifier is scaled up so greedy choices have wide margins."""
    dim, hidden, layers, heads, kv_heads, vocab = 256, 768, 2, 4, 2, 512
    head_dim = dim // heads
    rng = random.Random(seed)
    tensors = {}

    def randn(shape, std):
        n = 1
        for s in shape:
            n *= s
        tensors_data = array.array("f", (rng.gauss(0.0, std) for _ in range(n)))
        return shape, tensors_data

    tensors["model.embed_tokens.weight"] = randn([vocab, dim], 1.0)
    for l in range(layers):
        p = f"model.layers.{l}."
        tensors[p + "self_attn.q_proj.weight"] = randn([dim, dim], dim ** -0.5)
        tensors[p + "self_attn.k_proj.weight"] = randn([kv_heads * head_dim, dim], dim ** -0.5)
        tensors[p + "self_attn.v_proj.weight"] = randn([kv_heads * head_dim, dim], dim ** -0.5)
        tensors[p + "self_attn.o_proj.weight"] = randn([dim, dim], dim ** -0.5)
        tensors[p + "mlp.gate_proj.weight"] = randn([hidden, dim], dim ** -0.5)
        tensors[p + "mlp.up_proj.weight"] = randn([hidden, dim], dim ** -0.5)
        tensors[p + "mlp.down_proj.weight"] = randn([dim, hidden], hidden ** -0.5)
        tensors[p + "input_layernorm.weight"] = ([dim], array.array("f", (1.0 + rng.gauss(0, 0.1) for _ in range(dim))))
        tensors[p + "post_attention_layernorm.weight"] = ([dim], array.array("f", (1.0 + rng.gauss(0, 0.1) for _ in range(dim))))
    tensors["model.norm.weight"] = ([dim], array.array("f", (1.0 + rng.gauss(0, 0.1) for _ in range(dim))))
    tensors["lm_head.weight"] = randn([vocab, dim], 4 * dim ** -0.5)

    return write_hf(folder, tensors, dict(dim=dim, hidden=hidden, layers=layers, heads=heads, kv_heads=kv_heads, vocab=vocab))


def write_hf(folder, tensors, c):
    """model.safetensors (F32; a tensor whose data is None is zeros) and config.json in folder."""
    header, offset, blobs = {}, 0, []
    for name, (shape, data) in tensors.items():
        if data is None:
            n = 1
            for d in shape:
                n *= d
            raw = bytes(4 * n)
        else:
            raw = data.tobytes()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode()
    hjson += b" " * (-len(hjson) % 8)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": c["dim"],
              "intermediate_size": c["hidden"], "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
              "num_key_value_heads": c["kv_heads"], "vocab_size": c["vocab"], "max_position_embeddings": 128,
              "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False, "hidden_act": "silu",
              "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return os.path.join(folder, "model.safetensors")


def compare(row, out, prompt, n, ref, ref_what):
    """llama.cpp's greedy ids and ours on the GGUF out, into row (status, match, first_diff, margins)."""
    d = run([ARGS.driver, "greedy", out, str(n)] + [str(t) for t in prompt])
    if d.returncode != 0:
        row.update(status="llama_refused", error=clean_err(d.stderr))
        return
    llama = [int(t) for t in d.stdout.split()]
    margin = next((l.split("margin ")[1] for l in d.stderr.splitlines() if "top-2 logit margin " in l), None)
    margins = next(([float(x) for x in l.split(":")[-1].split()] for l in d.stderr.splitlines() if "top-2 logit margins:" in l), [])
    g = run(JAVA + ["generate", "--model", out, "--prompt-ids", ",".join(map(str, prompt)), "--temperature", "0",
                    "--steps", str(len(prompt) + n - 1), "--output-ids", "--threads", "1"])
    if g.returncode != 0:
        row.update(status="ours_failed", error=clean_err(g.stderr), llama=llama)
        return
    ours = [int(t) for t in g.stdout.split()]
    # generate ends at BOS (1) or EOS (2) and does not print it (llama2.c's run.c ends at BOS);
    # llama_driver decodes on
    stopped = len(ours) < len(llama) and llama[:len(ours)] == ours and llama[len(ours)] in (1, 2)
    if stopped:
        row["note"] = (f"ours ended after {len(ours)} ids where llama.cpp chose {'BOS' if llama[len(ours)] == 1 else 'EOS'}"
                       f" (id {llama[len(ours)]}): generate ends at BOS or EOS; the ids before it compared")
        llama_cmp = llama[:len(ours)]
    else:
        llama_cmp = llama
    first_diff = next((i for i in range(min(len(ours), len(llama))) if ours[i] != llama[i]), None)
    if first_diff is None and len(ours) != len(llama):
        first_diff = min(len(ours), len(llama))
    if stopped:
        first_diff = None
    row.update(status="ok", match=ours == llama_cmp, first_diff=first_diff, llama_min_top2_margin=margin,
               llama_top2_margin_at_first_diff=margins[first_diff] if first_diff is not None and first_diff < len(margins) else None,
               llama=llama, ours=ours)
    if ref is not None:
        ref = ref[:n]
        row.update(reference=ref_what, llama_matches_reference=llama == ref,
                   ours_matches_reference=ours == (ref[:len(ours)] if stopped else ref))


def greedy_summary(rows):
    ok = [r for r in rows if r["status"] == "ok"]
    return {"check": "summary",
            "greedy": {"files": len(rows), "compared": len(ok), "matched": sum(r["match"] for r in ok),
                       "mismatched": [f"{r['model']}/{r['dtype']}: from generated token {r['first_diff']}, where llama.cpp's "
                                      f"top-2 margin is {r['llama_top2_margin_at_first_diff']}" for r in ok if not r["match"]],
                       "not_written": [f"{r['model']}/{r['dtype']}" for r in rows if r["status"] == "not_written"],
                       "llama_not_written": [f"{r['model']}/{r['dtype']}" for r in rows if r["status"] == "llama_not_written"],
                       "llama_refused": [f"{r['model']}/{r['dtype']}" for r in rows if r["status"] == "llama_refused"],
                       "ours_failed": [f"{r['model']}/{r['dtype']}: {r['error']}" for r in rows if r["status"] == "ours_failed"]}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--java", default="java")
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--models", default="llama-tiny-gqa,llama-tiny-mha,llama-tiny-q8,stories260K,synthetic-256")
    ap.add_argument("--dtypes", default=",".join(d for d, _ in DTYPES))
    ap.add_argument("--llama-written", action="store_true",
                    help="llama.cpp writes the files (llama_driver quantize from our F32 GGUF); no tokenizer checks")
    ap.add_argument("--llama-types", default=",".join(l for l, _, _ in LLAMA_WRITTEN))
    args = ap.parse_args()
    global ARGS, JAVA
    ARGS = args

    fx = args.fixtures
    java = [args.java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-jar", args.jar]
    JAVA = java
    os.makedirs(args.work, exist_ok=True)
    tok512 = os.path.join(fx, "stories260K", "tok512.model")
    tok320 = os.path.join(args.work, "tok512-first320.model")
    truncated_sentencepiece(tok512, 320, tok320)

    def expected(model):
        return json.load(open(os.path.join(fx, "models", model, "expected.json")))

    # name -> (source checkpoint, tokenizer, prompt ids, tokens to decode, reference ids per dtype, what the reference is)
    models = {}
    e = expected("llama-tiny-gqa")
    models["llama-tiny-gqa"] = (os.path.join(fx, "models", "llama-tiny-gqa", "model.safetensors"), tok512, e["prompt"],
                                e["greedy_steps"], {"f32": e["greedy"], "bf16": e["bf16"]["greedy"]}, "expected.json (PyTorch fp32)")
    e = expected("llama-tiny-mha")
    models["llama-tiny-mha"] = (os.path.join(fx, "models", "llama-tiny-mha", "model.safetensors"), tok320, e["prompt"],
                                e["greedy_steps"], {"f32": e["greedy"], "bf16": e["bf16"]["greedy"]}, "expected.json (PyTorch fp32)")
    e = expected("llama-tiny-q8")
    models["llama-tiny-q8"] = (os.path.join(fx, "models", "llama-tiny-q8", "model.bin"), tok512, e["prompt"],
                               e["greedy_steps"], {"f32": e["f32"]["greedy"]}, "expected.json (PyTorch fp32)")
    ids260 = [int(t) for t in open(os.path.join(fx, "stories260K", "stories260K_greedy_n200_ids.txt")).read().split()]
    models["stories260K"] = (os.path.join(fx, "stories260K", "stories260K.bin"), tok512, [1], len(ids260),
                             {"f32": ids260}, "llama2.c run -t 0.0 -n 200")
    if "synthetic-256" in args.models.split(","):
        src = synthetic_model(os.path.join(args.work, "synthetic-256"))
        prompt = [1] + [3 + (i * 37) % 509 for i in range(15)]
        models["synthetic-256"] = (src, tok512, prompt, 24, {}, None)

    rows = []
    if args.llama_written:
        wanted = args.llama_types.split(",")
        for w in wanted:
            if w not in dict((l, 0) for l, _, _ in LLAMA_WRITTEN):
                raise SystemExit(f"unknown --llama-types entry {w}; known: {', '.join(l for l, _, _ in LLAMA_WRITTEN)}")
    else:
        wanted_dtypes = args.dtypes.split(",")
    for name in args.models.split(","):
        if name not in models:
            raise SystemExit(f"unknown model {name}; known: {', '.join(models)}")
        src, tok, prompt, n, refs, ref_what = models[name]
        if args.llama_written:
            # our F32 GGUF, then llama.cpp's own quantizer writes each type from it
            f32 = os.path.join(args.work, f"{name}-f32.gguf")
            if os.path.exists(f32):
                os.remove(f32)
            p = run(java + ["convert", "--to", "gguf", "--model", src, "--tokenizer", tok, "--out", f32, "--dtype", "f32"])
            for label, ltype, opts in LLAMA_WRITTEN:
                if label not in wanted:
                    continue
                out = os.path.join(args.work, f"{name}-llama-{label}.gguf")
                row = {"check": "llama_written", "model": name, "dtype": label, "llama_type": ltype,
                       "mode": "pure" if "pure" in opts else "llama.cpp's mix", "gguf": out, "prompt": prompt, "tokens": n}
                if p.returncode != 0 or not os.path.exists(f32):
                    row.update(status="not_written", error="our F32 GGUF: " + clean_err(p.stderr))
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    continue
                if os.path.exists(out):
                    os.remove(out)
                q = run([args.driver, "quantize", f32, out, ltype] + opts)
                if q.returncode != 0:
                    row.update(status="llama_not_written", error=clean_err(q.stderr))
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    continue
                types = {}
                for line in q.stdout.splitlines():
                    if line.strip():
                        tname, ttype = line.split()
                        types[tname] = ttype
                counts = {}
                for t in types.values():
                    counts[t] = counts.get(t, 0) + 1
                row.update(tensor_types=counts, output_type=types.get("output.weight"), token_embd_type=types.get("token_embd.weight"))
                compare(row, out, prompt, n, None, None)
                rows.append(row)
                print(json.dumps(row), flush=True)
            continue
        for dtype, flags in DTYPES:
            if dtype not in wanted_dtypes:
                continue
            out = os.path.join(args.work, f"{name}-{dtype}.gguf")
            row = {"check": "greedy", "model": name, "dtype": dtype, "source": os.path.relpath(src, fx) if src.startswith(fx) else src,
                   "gguf": out, "prompt": prompt, "tokens": n}
            if os.path.exists(out):
                os.remove(out)
            p = run(java + ["convert", "--to", "gguf", "--model", src, "--tokenizer", tok, "--out", out] + flags)
            if p.returncode != 0 or not os.path.exists(out):
                row.update(status="not_written", error=clean_err(p.stderr))
                rows.append(row)
                print(json.dumps(row), flush=True)
                continue
            compare(row, out, prompt, n, refs.get(dtype), ref_what)
            rows.append(row)
            print(json.dumps(row), flush=True)

    if args.llama_written:
        print(json.dumps(greedy_summary(rows)), flush=True)
        s = greedy_summary(rows)["greedy"]
        return 1 if s["mismatched"] or s["llama_refused"] or s["ours_failed"] or s["llama_not_written"] else 0

    # tokenizers: tok512 (in the fixture models' GGUF files) and the LLaMA-2 tokenizer (in a
    # GGUF of zeros with 32000 ids), both sides on the same file
    cases = json.load(open(os.path.join(fx, "tokenizer", "llama2-tokenizer.cases.json")))["cases"]
    cases = [c for c in cases if "\0" not in c["text"]]  # the driver takes NUL-terminated texts
    story = open(os.path.join(fx, "stories260K", "stories260K_greedy_n200_stdout.txt")).read()[:400]
    tok_rows = []
    llama2_src = zero_model(os.path.join(args.work, "llama2-vocab"), 32000)
    vocabularies = [
        ("tok512", tok512, os.path.join(fx, "models", "llama-tiny-gqa", "model.safetensors"),
         [c["text"] for c in cases[:N_TOKENIZER_CASES]] + [story], None),
        ("llama2", os.path.join(fx, "tokenizer", "llama2-tokenizer.model"), llama2_src,
         [c["text"] for c in cases], {c["text"]: [1] + c["ids"] for c in cases}),
    ]
    for vname, tok, src, texts, spm in vocabularies:
        gguf = os.path.join(args.work, f"tokenizer-{vname}.gguf")
        p = run(java + ["convert", "--to", "gguf", "--model", src, "--tokenizer", tok, "--dtype", "f16", "--out", gguf])
        if p.returncode != 0:
            row = {"check": "tokenize", "tokenizer": vname, "status": "not_written", "error": clean_err(p.stderr)}
            tok_rows.append(row)
            print(json.dumps(row), flush=True)
            continue
        p = subprocess.run(java + ["tokenize", "--tokenizer", gguf, "--bos"], input="".join(json.dumps({"text": t}) + "\n" for t in texts),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        d = subprocess.run([args.driver, "tokenize", gguf, "-"], input="".join(t + "\0" for t in texts),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0 or d.returncode != 0:
            row = {"check": "tokenize", "tokenizer": vname, "status": "ours_failed" if p.returncode else "llama_refused",
                   "error": clean_err(p.stderr if p.returncode else d.stderr)}
            tok_rows.append(row)
            print(json.dumps(row), flush=True)
            continue
        ours_all = [json.loads(l)["ids"] for l in p.stdout.splitlines() if l.strip()]
        llama_all = [[int(t) for t in l.split()] for l in d.stdout.split("\n")[:len(texts)]]
        # SentencePiece's remove_extra_whitespaces (on in tok512, off in LLaMA-2's): leading and
        # trailing spaces dropped, runs of spaces made one. llama.cpp has no such setting.
        normalized = [" ".join(w for w in t.split(" ") if w) for t in texts]
        dn = subprocess.run([args.driver, "tokenize", gguf, "-"], input="".join(t + "\0" for t in normalized),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        llama_norm = [[int(t) for t in l.split()] for l in dn.stdout.split("\n")[:len(texts)]]
        for i, (text, ours, llama) in enumerate(zip(texts, ours_all, llama_all)):
            row = {"check": "tokenize", "tokenizer": vname, "text": text, "status": "ok", "match": llama == ours}
            if spm is not None:
                row["ours_matches_sentencepiece"] = ours == spm[text]
                row["llama_matches_sentencepiece"] = llama == spm[text]
            if llama != ours:
                row.update(llama=llama, ours=ours)
                if vname == "tok512" and llama_norm[i] == ours:
                    row["note"] = ("llama.cpp on the text with extra spaces removed gives ours: tok512's normalizer has "
                                   "remove_extra_whitespaces on, which llama.cpp does not implement")
            tok_rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)

    tok_ok = [r for r in tok_rows if r.get("status") == "ok"]
    summary = greedy_summary(rows)
    summary["tokenize"] = {"texts": len(tok_ok), "matched": sum(r["match"] for r in tok_ok),
                            "mismatched_remove_extra_whitespaces": [f"{r['tokenizer']}: {r['text']!r}" for r in tok_ok
                                                                    if not r["match"] and "note" in r],
                            "mismatched": [f"{r['tokenizer']}: {r['text']!r}" for r in tok_ok if not r["match"] and "note" not in r],
                            "ours_differs_from_sentencepiece": [f"{r['tokenizer']}: {r['text']!r}" for r in tok_ok
                                                                if r.get("ours_matches_sentencepiece") is False],
                            "llama_differs_from_sentencepiece": [f"{r['tokenizer']}: {r['text']!r}" for r in tok_ok
                                                                 if r.get("llama_matches_sentencepiece") is False],
                            "failed": [r for r in tok_rows if r.get("status") != "ok"]}
    print(json.dumps(summary), flush=True)
    bad = summary["greedy"]["mismatched"] or summary["greedy"]["llama_refused"] or summary["greedy"]["ours_failed"] \
        or summary["tokenize"]["mismatched"] or summary["tokenize"]["failed"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
