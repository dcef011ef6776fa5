"""PyTorch yardstick for org.knowcoder.bench.TrainSpeed: the same 15M-parameter LLaMA (dim 288,
6 layers, 6 heads, hidden 768, vocab 32000), random tokens, and per step forward, backward,
global-norm clipping at 1.0 and AdamW (0.9, 0.95, eps 1e-8, decay 0.1), in F32 on the CPU.
Written for Debian's python3-torch 1.13 (no scaled_dot_product_attention): attention is explicit.
Usage: python3 train_speed.py [threads 2] [batch 8] [seq_len 256] [warmup 2] [steps 5]
Prints the BLAS library torch loaded and OpenBLAS's kernel set (see openblas_best.py); side_by_side.sh
adds the allocator settings that give PyTorch its best speed here."""
import json
import math
import sys
import time

import openblas_best  # before torch
import torch
import torch.nn as nn
import torch.nn.functional as F

DIM, LAYERS, HEADS, HIDDEN, VOCAB, EPS = 288, 6, 6, 768, 32000, 1e-5


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.weight


def rope_tables(seq_len, head_dim):
    freqs = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2).float() / head_dim))
    angles = torch.outer(torch.arange(seq_len).float(), freqs)
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):
    # adjacent pairs (llama2.c's layout), as the Java side applies RoPE
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm, self.ffn_norm = RMSNorm(DIM), RMSNorm(DIM)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(DIM, DIM, bias=False) for _ in range(4))
        self.w1, self.w3 = nn.Linear(DIM, HIDDEN, bias=False), nn.Linear(DIM, HIDDEN, bias=False)
        self.w2 = nn.Linear(HIDDEN, DIM, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.attention_norm(x)
        q, k, v = (w(h).view(b, t, HEADS, DIM // HEADS).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(DIM // HEADS) + mask
        att = F.softmax(scores, dim=-1) @ v
        x = x + self.wo(att.transpose(1, 2).reshape(b, t, DIM))
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class Llama(nn.Module):
    def __init__(self, seq_len):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, DIM)
        self.layers = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = RMSNorm(DIM)
        self.output = nn.Linear(DIM, VOCAB, bias=False)
        cos, sin = rope_tables(seq_len, DIM // HEADS)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        self.register_buffer("mask", torch.full((seq_len, seq_len), float("-inf")).triu(1))

    def forward(self, tokens, targets):
        x = self.embedding(tokens)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin, self.mask)
        logits = self.output(self.norm(x))
        return F.cross_entropy(logits.view(-1, VOCAB), targets.reshape(-1))


def main():
    threads, batch, seq_len, warmup, steps = (int(a) for a in (sys.argv[1:] + ["2", "8", "256", "2", "5"][len(sys.argv) - 1:]))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Llama(seq_len)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=3e-4, betas=(0.9, 0.95), eps=1e-8)
    data = torch.randint(0, VOCAB, (batch, seq_len + 1), generator=torch.Generator().manual_seed(7))
    inputs, targets = data[:, :-1], data[:, 1:]

    def step():
        loss = model(inputs, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    seconds = time.perf_counter() - t0
    print(json.dumps({"engine": "pytorch " + torch.__version__, "blas": openblas_best.loaded(), "threads": threads, "batch": batch, "seq_len": seq_len,
                      "steps": steps, "tokens_per_s": round(steps * batch * seq_len / seconds, 1),
                      "s_per_step": round(seconds / steps, 3), "last_loss": round(loss, 4)}))


if __name__ == "__main__":
    main()
