"""PyTorch yardstick for org.knowcoder.bench.DeviceSpeed: the same random LLaMA shapes, eager mode,
KV-cached greedy decoding from BOS, one long prefill, and the GEMM TFLOP/s of the prefill's weight
shapes (torch.matmul against [out, in] weights, as nn.Linear does). Prints one JSON line with the
fields DeviceSpeed prints.
Usage: python3 gpu_llama_speed.py [--device cuda] [--shape stories110m|1b|llama7b|tiny] [--dtype bf16|f16|f32]
                                  [--tokens 256] [--prompt 2000]"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

SHAPES = {  # dim, hidden, layers, heads, kv heads, vocab, context: DeviceSpeed.shape()
    "tiny": (128, 384, 2, 4, 4, 512, 2304),
    "stories110m": (768, 2048, 12, 12, 12, 32000, 2304),
    "1b": (2048, 5632, 22, 32, 4, 32000, 2304),
    "llama7b": (4096, 11008, 32, 32, 32, 32000, 4096),
}
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
EPS = 1e-5


class Llama:
    """Plain tensors and functions: what an eager LLaMA forward with a KV cache costs, nothing else."""

    def __init__(self, shape, dtype, device):
        dim, hidden, layers, heads, kv_heads, vocab, ctx = shape
        gen = torch.Generator(device="cpu").manual_seed(7)

        def w(rows, cols):
            return (torch.randn(rows, cols, generator=gen) * 0.02).to(device=device, dtype=dtype)

        self.dim, self.heads, self.kv_heads, self.head_dim, self.vocab = dim, heads, kv_heads, dim // heads, vocab
        kv_dim = kv_heads * self.head_dim
        self.embedding = w(vocab, dim)
        self.layers = [dict(wq=w(dim, dim), wk=w(kv_dim, dim), wv=w(kv_dim, dim), wo=w(dim, dim),
                            w1=w(hidden, dim), w2=w(dim, hidden), w3=w(hidden, dim),
                            an=torch.ones(dim, device=device, dtype=dtype), fn=torch.ones(dim, device=device, dtype=dtype))
                       for _ in range(layers)]
        self.norm = torch.ones(dim, device=device, dtype=dtype)
        self.output = w(vocab, dim)
        freqs = 1.0 / (10000.0 ** (torch.arange(0, self.head_dim, 2, device=device).float() / self.head_dim))
        angles = torch.outer(torch.arange(ctx, device=device).float(), freqs)
        self.cos, self.sin = angles.cos().to(dtype), angles.sin().to(dtype)
        self.keys = torch.zeros(layers, ctx, kv_heads, self.head_dim, device=device, dtype=dtype)
        self.values = torch.zeros_like(self.keys)

    @staticmethod
    def rms(x, weight):
        return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + EPS).to(x.dtype) * weight

    def rotate(self, x, start):
        n = x.shape[0]
        cos, sin = self.cos[start:start + n, None, :], self.sin[start:start + n, None, :]
        x0, x1 = x[..., 0::2], x[..., 1::2]
        return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)

    def forward(self, tokens, start):
        n = tokens.shape[0]
        x = self.embedding[tokens]
        mask = torch.full((n, start + n), float("-inf"), device=x.device).triu(start + 1).to(x.dtype)
        for i, L in enumerate(self.layers):
            h = self.rms(x, L["an"])
            q = (h @ L["wq"].T).view(n, self.heads, self.head_dim)
            k = (h @ L["wk"].T).view(n, self.kv_heads, self.head_dim)
            v = (h @ L["wv"].T).view(n, self.kv_heads, self.head_dim)
            self.keys[i, start:start + n] = self.rotate(k, start)
            self.values[i, start:start + n] = v
            q = self.rotate(q, start).transpose(0, 1)
            group = self.heads // self.kv_heads  # grouped-query attention: each key/value head serves `group` query heads
            keys = self.keys[i, :start + n].transpose(0, 1).repeat_interleave(group, 0)
            values = self.values[i, :start + n].transpose(0, 1).repeat_interleave(group, 0)
            scores = (q @ keys.transpose(1, 2)) / math.sqrt(self.head_dim) + mask
            att = (F.softmax(scores.float(), dim=-1).to(x.dtype) @ values).transpose(0, 1).reshape(n, self.dim)
            x = x + att @ L["wo"].T
            h = self.rms(x, L["fn"])
            x = x + (F.silu(h @ L["w1"].T) * (h @ L["w3"].T)) @ L["w2"].T
        return self.rms(x[-1:], self.norm) @ self.output.T


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


@torch.inference_mode()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--shape", default="stories110m", choices=SHAPES)
    ap.add_argument("--dtype", default="bf16", choices=DTYPES)
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--prompt", type=int, default=2000)
    a = ap.parse_args()
    dtype, shape = DTYPES[a.dtype], SHAPES[a.shape]
    model = Llama(shape, dtype, a.device)

    def decode(n):
        token = torch.tensor([1], device=a.device)
        sync(a.device)
        t0 = time.perf_counter()
        for pos in range(n):
            token = model.forward(token, pos).argmax(-1)  # stays on the device, as greedy decoding can
        sync(a.device)
        return n / (time.perf_counter() - t0)

    decode(min(a.tokens, 16))  # warm-up
    decode_tok_s = decode(a.tokens)
    prompt = torch.randint(3, shape[5], (a.prompt,), generator=torch.Generator().manual_seed(1000)).to(a.device)
    prompt[0] = 1
    model.forward(prompt[:64], 0)
    sync(a.device)
    t0 = time.perf_counter()
    model.forward(prompt, 0)
    sync(a.device)
    prefill_tok_s = a.prompt / (time.perf_counter() - t0)

    gemm = {}
    dim, hidden = shape[0], shape[1]
    for out_dim, in_dim in ((dim, dim), (hidden, dim), (dim, hidden)):
        x = torch.randn(a.prompt, in_dim, device=a.device).to(dtype)
        w = (torch.randn(out_dim, in_dim, device=a.device) * 0.02).to(dtype)
        x @ w.T
        sync(a.device)
        repeats, t0 = 0, time.perf_counter()
        while True:
            x @ w.T
            sync(a.device)
            repeats += 1
            elapsed = time.perf_counter() - t0
            if elapsed > 0.5 or repeats >= 1000:
                break
        gemm[f"{a.prompt}x{out_dim}x{in_dim}"] = round(2 * a.prompt * in_dim * out_dim * repeats / elapsed / 1e12, 2)
    print(json.dumps({"engine": "pytorch " + torch.__version__, "device": a.device, "shape": a.shape, "dtype": a.dtype,
                      "decode_tokens": a.tokens, "decode_tok_s": round(decode_tok_s, 1), "prefill_tokens": a.prompt,
                      "prefill_tok_s": round(prefill_tok_s, 1), "gemm_tflop_s": gemm}))


if __name__ == "__main__":
    main()
