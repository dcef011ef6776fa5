// Runs every kernel of src/main/cuda under the CPU emulation of cuda_emulation.h and compares the
// results with plain reference loops of the formulas documented above each kernel.
//
// The launch configurations are those of the Java wrappers (org.knowcoder.cuda.kernels.*Kernels):
// the grid / block / shared-memory arithmetic below mirrors them line for line, so it is checked too.
// Every check runs twice, threads and blocks scheduled in increasing and then decreasing order; the
// two results must be bit-identical (a difference means a race) and within tolerance of the reference.
// Buffers carry 0xff guard bytes on both sides (a write outside is reported; a read outside reads a
// NaN) and outputs start as 0xff bytes (an element the kernel forgets to write is a NaN).
//
// Output: one line per check, "PASS name max_err" or "FAIL name ..."; exit status 1 on any failure.
// Build: g++ -std=c++17 -O1 -ffp-contract=off -fno-strict-aliasing -pthread -Iinclude kernel_checks.cpp

#include "cuda_emulation.h"

#include "../../main/cuda/attention.cu"
#include "../../main/cuda/convert.cu"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/gemm.cu"
#include "../../main/cuda/matvec.cu"
#include "../../main/cuda/norm.cu"
#include "../../main/cuda/rope.cu"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>

namespace {

// ---------------------------------------------------------------------------------------------
// Device-like buffers with guard bytes

constexpr size_t GUARD = 256;

struct Guarded {
    virtual ~Guarded() = default;
    virtual bool guards_ok() const = 0;
};

template <typename T>
struct Buf : Guarded {
    std::vector<unsigned char> raw;
    T* p;
    size_t n;
    explicit Buf(size_t count) : raw(count * sizeof(T) + 2 * GUARD + 256, 0xff), n(count) {
        uintptr_t a = (uintptr_t)raw.data() + GUARD;
        p = (T*)((a + 255) & ~(uintptr_t)255);  // cuMemAlloc alignment
    }
    explicit Buf(const std::vector<T>& v) : Buf(v.size()) { memcpy(p, v.data(), v.size() * sizeof(T)); }
    bool guards_ok() const override {
        const unsigned char* lo = (const unsigned char*)p - GUARD;
        const unsigned char* hi = (const unsigned char*)(p + n);
        for (size_t i = 0; i < GUARD; i++)
            if (lo[i] != 0xff || hi[i] != 0xff) return false;
        return true;
    }
    std::vector<T> get() const { return std::vector<T>(p, p + n); }
};

// ---------------------------------------------------------------------------------------------
// Inputs

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 1) {}
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
    float normal() {
        double u = uniform() + 1e-12, v = uniform();
        return (float)(sqrt(-2 * log(u)) * cos(2 * M_PI * v));
    }
    std::vector<float> normals(size_t n, float scale = 1.0f) {
        std::vector<float> v(n);
        for (auto& e : v) e = normal() * scale;
        return v;
    }
    int below(int n) { return (int)(next() % (uint64_t)n); }
};

float bits_float(uint32_t u) { return emu::from_bits<float>(u); }
uint32_t float_bits(float f) { return (uint32_t)emu::bits_of(f); }

// References of the 16-bit conversions written independently of the kernels' and the emulation's
// bit manipulation.
// BF16: nearest of the two neighbouring BF16 values, ties to the even one, NaN -> (bits >> 16) | 0x40.
uint16_t ref_bf16(float f) {
    uint32_t u = float_bits(f);
    if (std::isnan(f)) return (uint16_t)((u >> 16) | 0x40);
    if (std::isinf(f)) return (uint16_t)(u >> 16);
    float down = bits_float(u & 0xffff0000u);  // toward zero
    double ulp = ldexp(1.0, std::max(std::ilogb(f == 0 ? 1.0f : f), -126) - 7);
    double up = (double)down + (f < 0 ? -ulp : ulp);
    double dd = fabs((double)f - down), du = fabs(up - (double)f);
    bool takeUp = du < dd || (du == dd && ((u >> 16) & 1u));
    if (!takeUp) return (uint16_t)(u >> 16);
    if (fabs(up) >= ldexp(1.0, 128)) return (uint16_t)((u >> 16 & 0x8000u) | 0x7f80u);
    return (uint16_t)(float_bits((float)up) >> 16);
}
float ref_bf16_to_f32(uint16_t b) {
    int sign = b >> 15, e = (b >> 7) & 0xff, m = b & 0x7f;
    if (e == 0xff) return m ? bits_float((uint32_t)b << 16) : (sign ? -INFINITY : INFINITY);
    double v = e ? ldexp(1.0 + m / 128.0, e - 127) : ldexp(m / 128.0, -126);
    return (float)(sign ? -v : v);
}
// F16: the nearest multiple of the F16 step at f's magnitude (nearbyint: ties to even), in double.
uint16_t ref_f16(float f) {
    if (std::isnan(f)) return 0x7e00;
    uint16_t sign = std::signbit(f) ? 0x8000 : 0;
    double a = fabs((double)f);
    if (a == 0) return sign;
    int step = std::max(std::ilogb(a), -14) - 10;  // F16 has 10 fraction bits, subnormal step 2^-24
    double r = std::nearbyint(ldexp(a, -step)) * ldexp(1.0, step);
    if (r >= 65536.0) return (uint16_t)(sign | 0x7c00);
    if (r < ldexp(1.0, -14)) return (uint16_t)(sign | (uint16_t)ldexp(r, 24));
    int e = std::ilogb(r);
    return (uint16_t)(sign | (e + 15) << 10 | ((int)ldexp(r, 10 - e) - 1024));
}
float ref_f16_to_f32(uint16_t b) {
    int e = (b >> 10) & 31, m = b & 1023;
    double v = e == 31 ? (m ? NAN : INFINITY) : e == 0 ? ldexp(m, -24) : ldexp(1024 + m, e - 25);
    return (float)((b & 0x8000) ? -v : v);
}
// F16 NaN payloads are not part of the contract (PTX cvt gives a canonical NaN): compare NaN-ness.
double f16_key(uint16_t b) { return ((b & 0x7c00) == 0x7c00 && (b & 0x3ff)) ? -1.0 : (double)b; }

// ---------------------------------------------------------------------------------------------
// Verdicts

int failures = 0, checks = 0;

using Runner = std::function<std::vector<double>()>;

// lockstep in thread order; warp by warp in warp order; warp by warp in reverse order
constexpr int SCHEDULES = 3;
const char* schedule_name(int k) { return k == 0 ? "lockstep" : k == 1 ? "warp-greedy" : "warp-greedy reverse"; }
void set_schedule(int k) {
    emu::greedy_schedule = k > 0;
    emu::reverse_schedule = k == 2;
}

bool guards(const char* name, std::initializer_list<const Guarded*> bufs) {
    int i = 0;
    for (const Guarded* b : bufs) {
        if (!b->guards_ok()) {
            emu::errors.push_back(std::string(name) + ": write outside buffer argument #" + std::to_string(i));
            return false;
        }
        i++;
    }
    return true;
}

// tol = 0: exact (NaN matches NaN). Otherwise err_i = |got - ref| / scale_i.
void verdict(const std::string& name, const Runner& run, const std::vector<double>& ref, const std::vector<double>& scale,
             double tol) {
    checks++;
    std::vector<double> out[SCHEDULES];
    for (int k = 0; k < SCHEDULES; k++) {
        set_schedule(k);
        size_t e0 = emu::errors.size();
        out[k] = run();
        set_schedule(0);
        if (emu::errors.size() != e0) {
            failures++;
            printf("FAIL %s [%s schedule] %s\n", name.c_str(), schedule_name(k), emu::errors[e0].c_str());
            return;
        }
        if (out[k].size() != ref.size()) {
            failures++;
            printf("FAIL %s output size %zu, reference %zu\n", name.c_str(), out[k].size(), ref.size());
            return;
        }
        for (size_t i = 0; i < ref.size(); i++) {
            if (memcmp(&out[0][i], &out[k][i], sizeof(double)) != 0 && !(std::isnan(out[0][i]) && std::isnan(out[k][i]))) {
                failures++;
                printf("FAIL %s schedule-dependent result (race) at %zu: %.9g %s, %.9g %s\n", name.c_str(), i, out[0][i],
                       schedule_name(0), out[k][i], schedule_name(k));
                return;
            }
        }
    }
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < ref.size(); i++) {
        double g = out[0][i], r = ref[i], e;
        if (std::isnan(r) || std::isnan(g)) e = (std::isnan(r) && std::isnan(g)) ? 0 : INFINITY;
        else if (std::isinf(r) || std::isinf(g)) e = g == r ? 0 : INFINITY;
        else if (tol == 0) e = g == r ? 0 : INFINITY;
        else e = fabs(g - r) / (scale.empty() ? std::max(fabs(r), 1e-30) : std::max(scale[i], 1e-30));
        if (!(e <= worst)) {
            worst = e;
            at = i;
        }
    }
    if (worst <= tol) {
        printf("PASS %s %.3g\n", name.c_str(), worst);
    } else {
        failures++;
        printf("FAIL %s max_err %.3g > %.3g at %zu: got %.9g, expected %.9g\n", name.c_str(), worst, tol, at,
               out[0][at], ref[at]);
    }
}

template <typename T>
std::vector<double> to_double(const std::vector<T>& v) {
    return std::vector<double>(v.begin(), v.end());
}

// ---------------------------------------------------------------------------------------------
// Launch arithmetic of the Java wrappers (Kernel.java and *Kernels.java)

constexpr int ELEMENTWISE_BLOCK = 256, MAX_GRID = 65536;
unsigned grid_for(long long n) { return (unsigned)std::min((n + ELEMENTWISE_BLOCK - 1) / ELEMENTWISE_BLOCK, (long long)MAX_GRID); }
unsigned ceil_div(int a, int b) { return (unsigned)((a + b - 1) / b); }

template <typename... P, typename... A>
bool launch_elementwise(const char* name, void (*k)(P...), long long n, A... args) {
    return emu::launch(name, k, dim3(grid_for(n)), dim3(ELEMENTWISE_BLOCK), 0, args...);
}

// ---------------------------------------------------------------------------------------------
// elementwise.cu

enum class Fmt { F32, BF16, F16, Q8 };
const char* fmt_name(Fmt f) { return f == Fmt::F32 ? "f32" : f == Fmt::BF16 ? "bf16" : f == Fmt::F16 ? "f16" : "q8_0"; }

// Values representable in the format, as float; raw holds the stored form.
struct Weights {
    std::vector<float> f32;      // F32 values (exact values of the stored weights)
    std::vector<uint16_t> bits;  // BF16 / F16
    std::vector<int8_t> q;       // Q8_0
    std::vector<float> scales;
};

Weights make_weights(Fmt fmt, size_t n, int groupSize, Rng& rng) {
    Weights w;
    w.f32.resize(n);
    if (fmt == Fmt::F32) {
        w.f32 = rng.normals(n, 0.5f);
    } else if (fmt == Fmt::BF16 || fmt == Fmt::F16) {
        w.bits.resize(n);
        for (size_t i = 0; i < n; i++) {
            float v = rng.normal() * 0.5f;
            w.bits[i] = fmt == Fmt::BF16 ? ref_bf16(v) : ref_f16(v);
            w.f32[i] = fmt == Fmt::BF16 ? ref_bf16_to_f32(w.bits[i]) : ref_f16_to_f32(w.bits[i]);
        }
    } else {
        if (n % groupSize != 0) abort();  // Q8_0: groupSize divides the tensor
        w.q.resize(n);
        w.scales.resize(n / groupSize);
        for (auto& s : w.scales) s = (float)(0.001 + 0.01 * rng.uniform());
        for (size_t i = 0; i < n; i++) {
            w.q[i] = (int8_t)(rng.below(255) - 127);
            w.f32[i] = (float)w.q[i] * w.scales[i / groupSize];
        }
    }
    return w;
}

void check_embedding(Fmt fmt, int vocab, int n, int dim, int groupSize) {
    Rng rng(11 + (int)fmt);
    Weights table = make_weights(fmt, (size_t)vocab * dim, groupSize, rng);
    std::vector<int> tokens(n);
    for (auto& t : tokens) t = rng.below(vocab);
    tokens[0] = vocab - 1;
    std::vector<double> ref((size_t)n * dim);
    for (int t = 0; t < n; t++)
        for (int c = 0; c < dim; c++) ref[(size_t)t * dim + c] = table.f32[(size_t)tokens[t] * dim + c];
    std::string name = std::string("embedding_") + fmt_name(fmt) + " n=" + std::to_string(n) + " dim=" + std::to_string(dim);
    verdict(name, [&] {
        Buf<float> out((size_t)n * dim);
        Buf<int> tok(tokens);
        // ElementwiseKernels.embed: grid (ceil(dim / 256), n), block 256
        dim3 grid(ceil_div(dim, 256), n);
        if (fmt == Fmt::Q8) {
            Buf<int8_t> q(table.q);
            Buf<float> s(table.scales);
            emu::launch("embedding_q8_0", embedding_q8_0, grid, dim3(256), 0, out.p, (const int8_t*)q.p, (const float*)s.p,
                        (const int*)tok.p, n, dim, groupSize);
            guards("embedding_q8_0", {&out, &tok, &q, &s});
        } else if (fmt == Fmt::F32) {
            Buf<float> tab(table.f32);
            emu::launch("embedding_f32", embedding_f32, grid, dim3(256), 0, out.p, (const float*)tab.p, (const int*)tok.p, n, dim);
            guards("embedding_f32", {&out, &tok, &tab});
        } else {
            Buf<uint16_t> tab(table.bits);
            auto k = fmt == Fmt::BF16 ? embedding_bf16 : embedding_f16;
            emu::launch("embedding_16", k, grid, dim3(256), 0, out.p, (const uint16_t*)tab.p, (const int*)tok.p, n, dim);
            guards("embedding_16", {&out, &tok, &tab});
        }
        return to_double(out.get());
    }, ref, {}, 0);
}

void check_silu_add(long long n, unsigned forcedGrid) {
    Rng rng(21);
    std::vector<float> g = rng.normals(n, 3), u = rng.normals(n);
    std::vector<double> refSilu(n), refAdd(n);
    for (long long i = 0; i < n; i++) {
        float v = g[i];
        refSilu[i] = v / (1.0f + expf(-v)) * u[i];  // the formula of elementwise.cu, float operations
        refAdd[i] = g[i] + u[i];
    }
    std::string suffix = " n=" + std::to_string(n) + (forcedGrid ? " grid=" + std::to_string(forcedGrid) : "");
    verdict("silu_gate" + suffix, [&] {
        Buf<float> gb(g), ub(u);
        if (forcedGrid) emu::launch("silu_gate", silu_gate, dim3(forcedGrid), dim3(256), 0, gb.p, (const float*)ub.p, n);
        else launch_elementwise("silu_gate", silu_gate, n, gb.p, (const float*)ub.p, n);
        guards("silu_gate", {&gb, &ub});
        return to_double(gb.get());
    }, refSilu, {}, 0);
    verdict("add" + suffix, [&] {
        Buf<float> xb(g), yb(u);
        if (forcedGrid) emu::launch("add", add, dim3(forcedGrid), dim3(256), 0, xb.p, (const float*)yb.p, n);
        else launch_elementwise("add", add, n, xb.p, (const float*)yb.p, n);
        guards("add", {&xb, &yb});
        return to_double(xb.get());
    }, refAdd, {}, 0);
}

// ---------------------------------------------------------------------------------------------
// convert.cu

std::vector<float> conversion_inputs() {
    std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, -NAN, bits_float(0x7f800001u),
                            bits_float(0xffc12345u), 3.4028235e38f, -3.4028235e38f, bits_float(0x7f7f8000u),
                            bits_float(0x7f7f7fffu), 65504.0f, 65519.99f, 65520.0f, -65520.0f, 70000.0f, 1e-5f, -3e-8f,
                            5.9604645e-8f /* 2^-24 */, 2.9802322e-8f /* 2^-25: tie to zero */, 4.4703484e-8f /* 1.5*2^-25 */,
                            8.940697e-8f /* 1.5 * 2^-24: tie to even */, 6.097555e-5f /* just below 2^-14 */, 6.1035156e-5f,
                            bits_float(0x3f808000u) /* BF16 tie, even below */, bits_float(0x3f818000u) /* tie, even above */,
                            bits_float(0x3f808001u), bits_float(0x00000001u), bits_float(0x807fffffu), bits_float(0x00408000u),
                            1.00048828125f /* F16 tie */, 1.00146484375f /* F16 tie, even above */, 3.14159265f, -2.71828f};
    Rng rng(31);
    for (int i = 0; i < 700; i++) {
        float m = rng.normal();
        v.push_back(m * (float)ldexp(1.0, rng.below(80) - 40));
    }
    for (int i = 0; i < 200; i++) v.push_back(bits_float((uint32_t)rng.next()));  // any bit pattern
    return v;
}

void check_convert() {
    std::vector<float> x = conversion_inputs();
    long long n = (long long)x.size();
    std::vector<double> refBf(n), refF16(n), refBfHi(n), refBfLo(n), refF16Hi(n), refF16Lo(n);
    std::vector<uint16_t> bfIn(n), f16In(n);
    for (long long i = 0; i < n; i++) {
        float v = x[i];
        uint16_t b = ref_bf16(v), h = ref_f16(v);
        refBf[i] = b;
        refF16[i] = f16_key(h);
        // split: hi = round(v), lo = round(v - hi); an infinite hi has lo = 0 (the product stays infinite, not NaN)
        refBfHi[i] = b;
        refBfLo[i] = std::isinf(ref_bf16_to_f32(b)) ? 0 : ref_bf16(v - ref_bf16_to_f32(b));
        refF16Hi[i] = f16_key(h);
        refF16Lo[i] = f16_key(std::isinf(ref_f16_to_f32(h)) ? 0 : ref_f16(v - ref_f16_to_f32(h)));
        bfIn[i] = (uint16_t)(float_bits(v) >> 16);  // every BF16 pattern class, NaNs included
        f16In[i] = (uint16_t)float_bits(v);
    }
    for (int b = 0; b < 65536; b += 97) {
        bfIn.push_back((uint16_t)b);
        f16In.push_back((uint16_t)b);
    }
    bfIn.push_back(0x7f80);
    f16In.push_back(0x7c00);
    f16In.push_back(0x0001);
    f16In.push_back(0x03ff);
    bfIn.resize(f16In.size(), 0);
    long long m = (long long)bfIn.size();
    std::vector<double> refBfBack(m), refF16Back(m);
    for (long long i = 0; i < m; i++) {
        refBfBack[i] = ref_bf16_to_f32(bfIn[i]);
        refF16Back[i] = ref_f16_to_f32(f16In[i]);
    }

    verdict("f32_to_bf16_kernel n=" + std::to_string(n), [&] {
        Buf<float> xb(x);
        Buf<uint16_t> out(n);
        launch_elementwise("f32_to_bf16_kernel", f32_to_bf16_kernel, n, out.p, (const float*)xb.p, n);
        guards("f32_to_bf16_kernel", {&xb, &out});
        return to_double(out.get());
    }, refBf, {}, 0);
    verdict("f32_to_f16_kernel n=" + std::to_string(n), [&] {
        Buf<float> xb(x);
        Buf<uint16_t> out(n);
        launch_elementwise("f32_to_f16_kernel", f32_to_f16_kernel, n, out.p, (const float*)xb.p, n);
        guards("f32_to_f16_kernel", {&xb, &out});
        std::vector<double> r;
        for (uint16_t b : out.get()) r.push_back(f16_key(b));
        return r;
    }, refF16, {}, 0);
    verdict("bf16_to_f32_kernel n=" + std::to_string(m), [&] {
        Buf<uint16_t> xb(bfIn);
        Buf<float> out(m);
        launch_elementwise("bf16_to_f32_kernel", bf16_to_f32_kernel, m, out.p, (const uint16_t*)xb.p, m);
        guards("bf16_to_f32_kernel", {&xb, &out});
        return to_double(out.get());
    }, refBfBack, {}, 0);
    verdict("f16_to_f32_kernel n=" + std::to_string(m), [&] {
        Buf<uint16_t> xb(f16In);
        Buf<float> out(m);
        launch_elementwise("f16_to_f32_kernel", f16_to_f32_kernel, m, out.p, (const uint16_t*)xb.p, m);
        guards("f16_to_f32_kernel", {&xb, &out});
        return to_double(out.get());
    }, refF16Back, {}, 0);

    std::vector<double> refBfSplit = refBfHi, refF16Split = refF16Hi;
    refBfSplit.insert(refBfSplit.end(), refBfLo.begin(), refBfLo.end());
    refF16Split.insert(refF16Split.end(), refF16Lo.begin(), refF16Lo.end());
    verdict("f32_to_bf16_split_kernel n=" + std::to_string(n), [&] {
        Buf<float> xb(x);
        Buf<uint16_t> hi(n), lo(n);
        launch_elementwise("f32_to_bf16_split_kernel", f32_to_bf16_split_kernel, n, hi.p, lo.p, (const float*)xb.p, n);
        guards("f32_to_bf16_split_kernel", {&xb, &hi, &lo});
        std::vector<double> r = to_double(hi.get()), l = to_double(lo.get());
        r.insert(r.end(), l.begin(), l.end());
        return r;
    }, refBfSplit, {}, 0);
    verdict("f32_to_f16_split_kernel n=" + std::to_string(n), [&] {
        Buf<float> xb(x);
        Buf<uint16_t> hi(n), lo(n);
        launch_elementwise("f32_to_f16_split_kernel", f32_to_f16_split_kernel, n, hi.p, lo.p, (const float*)xb.p, n);
        guards("f32_to_f16_split_kernel", {&xb, &hi, &lo});
        std::vector<double> r;
        for (uint16_t b : hi.get()) r.push_back(f16_key(b));
        for (uint16_t b : lo.get()) r.push_back(f16_key(b));
        return r;
    }, refF16Split, {}, 0);
}

// ---------------------------------------------------------------------------------------------
// norm.cu

void check_rmsnorm(int rows, int dim, bool inPlace) {
    Rng rng(41 + dim);
    std::vector<float> x = rng.normals((size_t)rows * dim, 2), w = rng.normals(dim);
    x[0] = 1e-3f;
    float eps = 1e-5f;
    std::vector<double> ref((size_t)rows * dim);
    for (int r = 0; r < rows; r++) {
        double ss = 0;
        for (int i = 0; i < dim; i++) ss += (double)x[(size_t)r * dim + i] * x[(size_t)r * dim + i];
        double inv = 1.0 / sqrt(ss / dim + eps);
        for (int i = 0; i < dim; i++) ref[(size_t)r * dim + i] = w[i] * (inv * x[(size_t)r * dim + i]);
    }
    verdict(std::string("rmsnorm rows=") + std::to_string(rows) + " dim=" + std::to_string(dim) + (inPlace ? " in-place" : ""), [&] {
        Buf<float> xb(x), wb(w), ob((size_t)rows * dim);
        float* out = inPlace ? xb.p : ob.p;
        emu::launch("rmsnorm", rmsnorm, dim3(rows), dim3(256), 0, out, (const float*)xb.p, (const float*)wb.p, rows, dim, eps);
        guards("rmsnorm", {&xb, &wb, &ob});
        return to_double(inPlace ? xb.get() : ob.get());
    }, ref, {}, 1e-5);
}

// ---------------------------------------------------------------------------------------------
// rope.cu

void check_rope(int rows, int nHeads, int headDim, int startPos, bool rotateHalf) {
    Rng rng(61 + headDim);
    std::vector<float> x = rng.normals((size_t)rows * nHeads * headDim);
    float theta = 10000.0f;
    std::vector<double> ref(x.size());
    int half = headDim / 2;
    for (int t = 0; t < rows; t++)
        for (int h = 0; h < nHeads; h++) {
            const float* v = &x[((size_t)t * nHeads + h) * headDim];
            double* o = &ref[((size_t)t * nHeads + h) * headDim];
            for (int i = 0; i < half; i++) {
                // the CPU's Rope: float exponent, pow in double, float angle, cos / sin in double, unfused products
                float freq = (float)(1.0 / pow((double)theta, (double)((2 * i) / (float)headDim)));
                float angle = (float)(startPos + t) * freq;
                float c = (float)cos((double)angle), s = (float)sin((double)angle);
                int ia = rotateHalf ? i : 2 * i, ib = rotateHalf ? i + half : 2 * i + 1;
                float a = v[ia], b = v[ib];
                float ac = a * c, bs = b * s, as = a * s, bc = b * c;
                o[ia] = ac - bs;
                o[ib] = as + bc;
            }
        }
    verdict("rope rows=" + std::to_string(rows) + " heads=" + std::to_string(nHeads) + " headDim=" + std::to_string(headDim) +
                " startPos=" + std::to_string(startPos) + (rotateHalf ? " rotate-half" : " pairs"),
            [&] {
                Buf<float> xb(x);
                // RopeKernels.rope: grid (ceil(nHeads * headDim / 2 / 128), rows), block 128
                int pairs = nHeads * (headDim / 2);
                emu::launch("rope", rope, dim3(ceil_div(pairs, 128), rows), dim3(128), 0, xb.p, rows, nHeads, headDim, startPos,
                            (const int*)nullptr, theta, rotateHalf ? 1 : 0);
                guards("rope", {&xb});
                return to_double(xb.get());
            },
            ref, {}, 0);
}

// ---------------------------------------------------------------------------------------------
// attention.cu

// One query head's attention in double over positions [0, positions) of caches k and v ([positions,
// kvDim], KV head kvh): ref[d] and the scale sum_p w_p |v[p, d]| its tolerance is measured against.
void attention_ref(const float* q, const float* k, const float* v, int positions, int headDim, int kvDim, int kvh,
                   double* ref, double* scale) {
    double sc = 1.0 / sqrt((double)headDim);
    std::vector<double> s(positions);
    double m = -INFINITY, sum = 0;
    for (int p = 0; p < positions; p++) {
        double d = 0;
        for (int i = 0; i < headDim; i++) d += (double)q[i] * k[(size_t)p * kvDim + kvh * headDim + i];
        s[p] = d * sc;
        m = std::max(m, s[p]);
    }
    for (int p = 0; p < positions; p++) sum += (s[p] = exp(s[p] - m));
    for (int d = 0; d < headDim; d++) {
        double acc = 0, mag = 0;
        for (int p = 0; p < positions; p++) {
            double val = v[(size_t)p * kvDim + kvh * headDim + d];
            acc += s[p] / sum * val;
            mag += s[p] / sum * fabs(val);
        }
        ref[d] = acc;
        scale[d] = mag;
    }
}

void check_attention(int rows, int nHeads, int nKvHeads, int headDim, int startPos) {
    Rng rng(71 + headDim + startPos);
    int seq = startPos + rows, kvDim = nKvHeads * headDim, qDim = nHeads * headDim;
    std::vector<float> q = rng.normals((size_t)rows * qDim), k = rng.normals((size_t)seq * kvDim), v = rng.normals((size_t)seq * kvDim);
    std::vector<double> ref((size_t)rows * qDim), scale((size_t)rows * qDim);
    for (int t = 0; t < rows; t++)
        for (int h = 0; h < nHeads; h++)
            attention_ref(&q[(size_t)t * qDim + h * headDim], k.data(), v.data(), startPos + t + 1, headDim, kvDim,
                          h / (nHeads / nKvHeads), &ref[(size_t)t * qDim + h * headDim], &scale[(size_t)t * qDim + h * headDim]);
    verdict("attention rows=" + std::to_string(rows) + " heads=" + std::to_string(nHeads) + "/" + std::to_string(nKvHeads) +
                " headDim=" + std::to_string(headDim) + " startPos=" + std::to_string(startPos),
            [&] {
                Buf<float> out((size_t)rows * qDim), qb(q), kb(k), vb(v);
                // AttentionKernels.attention: grid (nHeads, rows), block 256, shared (startPos + rows + headDim + 256) * 4
                const int BLOCK = 256;
                size_t shared = (size_t)(startPos + rows + headDim + BLOCK) * sizeof(float);
                emu::launch("attention", attention, dim3(nHeads, rows), dim3(BLOCK), shared, out.p, (const float*)qb.p,
                            (const float*)kb.p, (const float*)vb.p, rows, nHeads, nKvHeads, headDim, startPos,
                            (const int*)nullptr, (const int*)nullptr, 0LL);
                guards("attention", {&out, &qb, &kb, &vb});
                return to_double(out.get());
            },
            ref, scale, 1e-5);
}

// A batched decode step: kv_store puts each row's key and value at its own position of its own
// sequence's cache (exact), then attention reads each row's cache through rowPositions / sequences.
void check_attention_at(int nHeads, int nKvHeads, int headDim, const std::vector<int>& seqs, const std::vector<int>& poss,
                        int seqLen) {
    Rng rng(91 + headDim);
    int rows = (int)seqs.size(), kvDim = nKvHeads * headDim, qDim = nHeads * headDim, nSeq = 0, maxPos = 0;
    for (int t = 0; t < rows; t++) nSeq = std::max(nSeq, seqs[t] + 1), maxPos = std::max(maxPos, poss[t]);
    long long stride = (long long)seqLen * kvDim;
    std::vector<float> q = rng.normals((size_t)rows * qDim), k = rng.normals((size_t)rows * kvDim), v = rng.normals((size_t)rows * kvDim);
    std::vector<float> keys = rng.normals((size_t)nSeq * stride), values = rng.normals((size_t)nSeq * stride);
    // the caches after the store, then attention over them as check_attention computes it
    std::vector<float> ks = keys, vs = values;
    for (int t = 0; t < rows; t++)
        for (int i = 0; i < kvDim; i++) {
            ks[(size_t)seqs[t] * stride + (size_t)poss[t] * kvDim + i] = k[(size_t)t * kvDim + i];
            vs[(size_t)seqs[t] * stride + (size_t)poss[t] * kvDim + i] = v[(size_t)t * kvDim + i];
        }
    std::vector<double> ref((size_t)rows * qDim), scale((size_t)rows * qDim);
    for (int t = 0; t < rows; t++)
        for (int h = 0; h < nHeads; h++)
            attention_ref(&q[(size_t)t * qDim + h * headDim], &ks[(size_t)seqs[t] * stride], &vs[(size_t)seqs[t] * stride], poss[t] + 1,
                          headDim, kvDim, h / (nHeads / nKvHeads), &ref[(size_t)t * qDim + h * headDim], &scale[(size_t)t * qDim + h * headDim]);
    std::string name = "kv_store + attention at rows' positions, heads=" + std::to_string(nHeads) + "/" + std::to_string(nKvHeads) +
                       " headDim=" + std::to_string(headDim) + " rows=" + std::to_string(rows);
    verdict(name + " (caches)",
            [&] {
                Buf<float> kc(keys), vc(values), kb(k), vb(v);
                Buf<int> sb(seqs), pb(poss);
                // AttentionKernels.kvStore: grid (ceil(kvDim / 256), rows), block 256
                emu::launch("kv_store", kv_store, dim3(ceil_div(kvDim, 256), rows), dim3(256), 0, kc.p, vc.p, (const float*)kb.p,
                            (const float*)vb.p, (const int*)pb.p, (const int*)sb.p, stride, rows, kvDim);
                guards("kv_store", {&kc, &vc, &kb, &vb});
                std::vector<double> both = to_double(kc.get()), vals = to_double(vc.get());
                both.insert(both.end(), vals.begin(), vals.end());
                return both;
            },
            [&] {
                std::vector<double> both = to_double(ks), vals = to_double(vs);
                both.insert(both.end(), vals.begin(), vals.end());
                return both;
            }(),
            {}, 0);
    verdict(name,
            [&] {
                Buf<float> out((size_t)rows * qDim), qb(q), kc(ks), vc(vs);
                Buf<int> sb(seqs), pb(poss);
                // AttentionKernels.attentionAt: grid (nHeads, rows), block 256, shared (maxPos + 1 + headDim + 256) * 4
                const int BLOCK = 256;
                size_t shared = (size_t)(maxPos + 1 + headDim + BLOCK) * sizeof(float);
                emu::launch("attention", attention, dim3(nHeads, rows), dim3(BLOCK), shared, out.p, (const float*)qb.p,
                            (const float*)kc.p, (const float*)vc.p, rows, nHeads, nKvHeads, headDim, 0, (const int*)pb.p,
                            (const int*)sb.p, stride);
                guards("attention", {&out, &qb, &kc, &vc});
                return to_double(out.get());
            },
            ref, scale, 1e-5);
}

// ---------------------------------------------------------------------------------------------
// matvec.cu and gemm.cu

// ref[r, o] = sum_i x[r, i] * w[o, i] and the scale sum_i |x w|
void product_ref(const std::vector<float>& x, const std::vector<float>& w, int rows, int in, int outDim,
                 std::vector<double>& ref, std::vector<double>& scale) {
    ref.assign((size_t)rows * outDim, 0);
    scale.assign((size_t)rows * outDim, 0);
    for (int r = 0; r < rows; r++)
        for (int o = 0; o < outDim; o++) {
            double s = 0, m = 0;
            for (int i = 0; i < in; i++) {
                double p = (double)x[(size_t)r * in + i] * w[(size_t)o * in + i];
                s += p;
                m += fabs(p);
            }
            ref[(size_t)r * outDim + o] = s;
            scale[(size_t)r * outDim + o] = m;
        }
}

void check_matvec(Fmt fmt, int outDim, int in, int groupSize) {
    Rng rng(81 + in);
    Weights w = make_weights(fmt, (size_t)outDim * in, groupSize, rng);
    std::vector<float> x = rng.normals(in);
    std::vector<double> ref, scale;
    product_ref(x, w.f32, 1, in, outDim, ref, scale);
    std::string name = std::string("matvec_") + fmt_name(fmt) + " outDim=" + std::to_string(outDim) + " in=" + std::to_string(in) +
                       (fmt == Fmt::Q8 ? " group=" + std::to_string(groupSize) : "");
    verdict(name, [&] {
        Buf<float> out(outDim), xb(x);
        // MatVecKernels: grid ceil(outDim / 8), block 256
        dim3 grid(ceil_div(outDim, 256 / 32)), block(256);
        if (fmt == Fmt::F32) {
            Buf<float> wb(w.f32);
            emu::launch("matvec_f32", matvec_f32, grid, block, 0, out.p, (const float*)wb.p, (const float*)xb.p, outDim, in);
            guards("matvec_f32", {&out, &xb, &wb});
        } else if (fmt == Fmt::Q8) {
            Buf<int8_t> qb(w.q);
            Buf<float> sb(w.scales);
            emu::launch("matvec_q8_0", matvec_q8_0, grid, block, 0, out.p, (const int8_t*)qb.p, (const float*)sb.p,
                        (const float*)xb.p, outDim, in, groupSize);
            guards("matvec_q8_0", {&out, &xb, &qb, &sb});
        } else {
            Buf<uint16_t> wb(w.bits);
            emu::launch("matvec_16", fmt == Fmt::BF16 ? matvec_bf16 : matvec_f16, grid, block, 0, out.p, (const uint16_t*)wb.p,
                        (const float*)xb.p, outDim, in);
            guards("matvec_16", {&out, &xb, &wb});
        }
        return to_double(out.get());
    }, ref, scale, 1e-5);
}

void check_gemm_cuda_core(Fmt fmt, int rows, int in, int outDim, int groupSize) {
    Rng rng(91 + in + rows);
    Weights w = make_weights(fmt, (size_t)outDim * in, groupSize, rng);
    std::vector<float> x = rng.normals((size_t)rows * in);
    std::vector<double> ref, scale;
    product_ref(x, w.f32, rows, in, outDim, ref, scale);
    std::string name = std::string("gemm_") + fmt_name(fmt) + " rows=" + std::to_string(rows) + " in=" + std::to_string(in) +
                       " outDim=" + std::to_string(outDim) + (fmt == Fmt::Q8 ? " group=" + std::to_string(groupSize) : "");
    verdict(name, [&] {
        Buf<float> out((size_t)rows * outDim), xb(x);
        // GemmKernels: grid (ceil(outDim / 64), ceil(rows / 64)), block 256
        dim3 grid(ceil_div(outDim, 64), ceil_div(rows, 64)), block(256);
        if (fmt == Fmt::F32) {
            Buf<float> wb(w.f32);
            emu::launch("gemm_f32", gemm_f32, grid, block, 0, out.p, (const float*)xb.p, (const float*)wb.p, rows, in, outDim);
            guards("gemm_f32", {&out, &xb, &wb});
        } else {
            Buf<int8_t> qb(w.q);
            Buf<float> sb(w.scales);
            emu::launch("gemm_q8_0", gemm_q8_0, grid, block, 0, out.p, (const float*)xb.p, (const int8_t*)qb.p, (const float*)sb.p,
                        rows, in, outDim, groupSize);
            guards("gemm_q8_0", {&out, &xb, &qb, &sb});
        }
        return to_double(out.get());
    }, ref, scale, 1e-5);
}

// x is converted by the convert.cu kernels, as the engine does, then multiplied on (emulated) tensor cores.
void check_gemm_tensor_core(Fmt fmt, bool split, int rows, int in, int outDim) {
    Rng rng(101 + in + rows + split);
    Weights w = make_weights(fmt, (size_t)outDim * in, 0, rng);
    std::vector<float> x = rng.normals((size_t)rows * in);
    std::vector<double> ref, scale;
    product_ref(x, w.f32, rows, in, outDim, ref, scale);
    std::string name = std::string("gemm_") + fmt_name(fmt) + (split ? " split" : " plain") + " rows=" + std::to_string(rows) +
                       " in=" + std::to_string(in) + " outDim=" + std::to_string(outDim);
    long long n = (long long)rows * in;
    verdict(name, [&] {
        Buf<float> out((size_t)rows * outDim), xb(x);
        Buf<uint16_t> hi(n), lo(n), wb(w.bits);
        bool bf = fmt == Fmt::BF16;
        if (split) launch_elementwise("split", bf ? f32_to_bf16_split_kernel : f32_to_f16_split_kernel, n, hi.p, lo.p, (const float*)xb.p, n);
        else launch_elementwise("convert", bf ? f32_to_bf16_kernel : f32_to_f16_kernel, n, hi.p, (const float*)xb.p, n);
        // GemmKernels.tensorCore: grid (ceil(outDim / 64), ceil(rows / 64)), block 128; xLo NULL for the plain product
        dim3 grid(ceil_div(outDim, 64), ceil_div(rows, 64)), block(128);
        emu::launch(bf ? "gemm_bf16" : "gemm_f16", bf ? gemm_bf16 : gemm_f16, grid, block, 0, out.p, (const uint16_t*)hi.p,
                    split ? (const uint16_t*)lo.p : (const uint16_t*)nullptr, (const uint16_t*)wb.p, rows, in, outDim);
        guards("gemm_tensor_core", {&out, &xb, &hi, &lo, &wb});
        return to_double(out.get());
    }, ref, scale, split ? 1e-4 : 1e-2);
}

// ---------------------------------------------------------------------------------------------
// The emulator itself must catch what it claims to catch.

extern "C" __global__ void emu_selftest_race(float* out) {
    __shared__ float s[256];
    s[threadIdx.x] = (float)threadIdx.x;
    // missing __syncthreads: reads a neighbour's slot that may not be written yet
    out[threadIdx.x] = s[(threadIdx.x + 1) % blockDim.x];
}
extern "C" __global__ void emu_selftest_divergent_sync(float* out) {
    if (threadIdx.x < 32) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 1;
}
extern "C" __global__ void emu_selftest_exited_lane(float* out) {
    if (threadIdx.x == 5) return;
    out[threadIdx.x] = warp_sum(1.0f);
}
extern "C" __global__ void emu_selftest_unwritten_shared(float* out) {
    __shared__ float s[64];
    if (threadIdx.x < 32) s[threadIdx.x] = 1;
    __syncthreads();
    out[threadIdx.x] = s[threadIdx.x];
}

void selftest() {
    checks++;
    std::vector<std::string> problems;
    auto expectError = [&](const char* what, const std::function<void()>& f) {
        size_t e0 = emu::errors.size();
        f();
        if (emu::errors.size() == e0) problems.push_back(std::string(what) + " not detected");
        emu::errors.resize(e0);
    };
    Buf<float> out(64);
    expectError("divergent __syncthreads", [&] { emu::launch("divergent", emu_selftest_divergent_sync, dim3(1), dim3(64), 0, out.p); });
    expectError("shuffle with an exited lane", [&] { emu::launch("exited", emu_selftest_exited_lane, dim3(1), dim3(64), 0, out.p); });
    std::vector<float> a, b;
    for (int k = 0; k < SCHEDULES; k += 2) {
        set_schedule(k);
        emu::launch("race", emu_selftest_race, dim3(1), dim3(64), 0, out.p);
        (k ? b : a) = out.get();
    }
    set_schedule(0);
    if (memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0) problems.push_back("shared-memory race not visible across schedules");
    emu::launch("unwritten", emu_selftest_unwritten_shared, dim3(1), dim3(64), 0, out.p);
    if (!std::isnan(out.get()[40])) problems.push_back("unwritten shared memory does not read as NaN");
    if (!emu::errors.empty()) problems.push_back("unexpected: " + emu::errors[0]);
    if (problems.empty()) {
        printf("PASS emulator self-test 0\n");
    } else {
        failures++;
        printf("FAIL emulator self-test: %s\n", problems[0].c_str());
    }
}

}  // namespace

int main() {
    auto start = std::chrono::steady_clock::now();
    setvbuf(stdout, nullptr, _IOLBF, 0);
    selftest();

    check_convert();

    for (Fmt f : {Fmt::F32, Fmt::BF16, Fmt::F16}) check_embedding(f, 50, 3, 300, 0);
    check_embedding(Fmt::Q8, 50, 3, 300, 40);  // groups straddle rows of the table
    check_silu_add(1000, 0);
    check_silu_add(1000, 2);  // fewer blocks than elements / 256: the grid-stride loop takes several turns

    check_rmsnorm(3, 100, false);
    check_rmsnorm(2, 1000, true);

    check_rope(3, 5, 12, 7, false);
    check_rope(3, 5, 12, 7, true);
    check_rope(2, 12, 64, 1000, false);  // 384 pairs: 3 blocks
    check_rope(2, 12, 64, 1000, true);

    check_attention(3, 6, 2, 16, 0);    // 3 query heads per KV head, 16 groups of 16 threads
    check_attention(3, 6, 3, 48, 5);    // 2 per KV head, 5 groups (threads 240.. idle)
    check_attention(2, 4, 4, 96, 300);  // positions beyond the block size
    check_attention(2, 4, 2, 200, 3);   // headDim > 128: one group
    check_attention(2, 2, 1, 320, 2);   // headDim > blockDim
    check_attention_at(6, 2, 48, {2, 0, 1, 0}, {99, 7, 0, 60}, 100);  // out of order, one row at a cache's last position
    check_attention_at(4, 4, 96, {1, 0}, {300, 2}, 301);                // positions beyond the block size

    check_matvec(Fmt::F32, 37, 100, 0);   // vector path, fewer chunks than lanes
    check_matvec(Fmt::F32, 37, 1028, 0);  // unrolled loop + tail
    check_matvec(Fmt::F32, 11, 400, 0);   // 100 chunks: lanes 0-3 take the unrolled loop, the others only the tail
    check_matvec(Fmt::F32, 37, 261, 0);   // scalar path
    check_matvec(Fmt::BF16, 37, 1032, 0);
    check_matvec(Fmt::BF16, 19, 100, 0);  // scalar path
    check_matvec(Fmt::BF16, 11, 800, 0);  // 100 chunks
    check_matvec(Fmt::F16, 37, 1032, 0);
    check_matvec(Fmt::F16, 19, 260, 0);
    check_matvec(Fmt::Q8, 37, 2080, 32);
    check_matvec(Fmt::Q8, 19, 96, 48);
    check_matvec(Fmt::Q8, 11, 1600, 32);  // 100 chunks
    check_matvec(Fmt::Q8, 19, 100, 10);   // scalar path
    check_matvec(Fmt::Q8, 19, 128, 8);    // group not a multiple of 16: scalar path

    check_gemm_cuda_core(Fmt::F32, 37, 100, 100, 0);
    check_gemm_cuda_core(Fmt::F32, 70, 260, 130, 0);
    check_gemm_cuda_core(Fmt::Q8, 37, 100, 100, 20);
    check_gemm_cuda_core(Fmt::Q8, 70, 256, 65, 32);

    for (Fmt f : {Fmt::BF16, Fmt::F16})
        for (bool split : {true, false}) {
            check_gemm_tensor_core(f, split, 37, 100, 100);  // in % 8 != 0: element-wise tile loads
            check_gemm_tensor_core(f, split, 70, 264, 65);   // 16-byte loads, partial last k step
        }
    check_gemm_tensor_core(Fmt::BF16, true, 5, 24, 3);  // in < one k step


    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    printf("%d checks, %d failed, %.1f s\n", checks, failures, s);
    return failures ? 1 : 0;
}
