// CPU emulation of the part of CUDA's execution model that the kernels of src/main/cuda use, so that
// the .cu files compile unchanged with g++ (C++17) and run on the CPU (KernelEmulationTest).
//
// Model:
//  - blocks run one after another; the threads of a block run as coroutines on one OS
//    thread, each until it reaches a barrier, exits, or fails. A scheduler releases
//      __syncthreads  when every thread of the block that has not exited waits at it (all at the same
//                     source line, otherwise "divergent __syncthreads" is reported),
//      warp collectives (__shfl_*_sync, __syncwarp, wmma::*_sync) when every lane named in the mask
//                     waits at one; a named lane that has exited, or a lane waiting at a different kind
//                     of collective, is reported; so is a deadlock (nothing can run or be released).
//    Schedules: threads (and blocks) in increasing or, with emu::reverse_schedule, decreasing order;
//    lockstep (every thread runs to its next barrier before any collective is released) or, with
//    emu::greedy_schedule, warp by warp (one warp runs as far as it can before the next one starts).
//    A race between two barriers shows up as a difference between the results of two schedules.
//  - __shared__ variables are thread_local (static storage, one OS thread, so shared by the block's
//    coroutines); they and the dynamic buffer behind `extern __shared__ float smem[]` are filled with
//    0xff bytes (a float / BF16 / F16 NaN) before every block, so a read of shared memory that the
//    block did not write poisons the result. Writes past the dynamic size of the launch are reported.
//    (This relies on the program, or the emulated driver library, defining no thread_local variables
//    other than __shared__ ones.)
//  - wmma fragments hold the whole 16x16 tile in every lane; load / mma / store are warp collectives
//    (every lane computes the same tile), with the alignment rules of the real API checked
//    (256-bit aligned pointer, ldm a multiple of 16 bytes). mma accumulates in float in k order.
//  - vector loads (__ldg / __ldcs of uint4 / float4) check 16-byte alignment.
// Compile with -ffp-contract=off (no FMA contraction: __fmul_rn etc. and plain float math then
// round every operation, as nvcc does for __fmul_rn) and -fno-strict-aliasing (the kernels read
// 16-bit arrays through uint4 pointers).
#pragma once

#include <link.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include <algorithm>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

// ---------------------------------------------------------------------------------------------
// Keywords

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
// thread_local at block scope has static storage; `extern __shared__` stays a valid declaration
#define __shared__ thread_local

// ---------------------------------------------------------------------------------------------
// Vector types

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x = 1, y = 1, z = 1;
    dim3() = default;
    dim3(unsigned x_, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct __attribute__((aligned(16))) uint4 {
    unsigned x, y, z, w;
};
struct __attribute__((aligned(16))) float4 {
    float x, y, z, w;
};
struct __attribute__((aligned(8))) float2 {
    float x, y;
};

inline uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

// ---------------------------------------------------------------------------------------------
// Scheduler

namespace emu {

// Coroutine switching. On x86-64 a minimal switch of the callee-saved registers and the stack pointer
// (glibc's swapcontext also saves the signal mask, a system call per switch, which made emulated
// models slow; the FP control words are not switched: no kernel changes them); elsewhere ucontext. Defines a global asm symbol: include
// this header in one translation unit per program.
#if defined(__x86_64__)
#define EMU_FAST_SWITCH 1
// Saves the caller's registers on its stack, stores its stack pointer to *save, continues on `to`.
extern "C" void emu_switch_stack(void** save, void* to);
asm(R"(
    .text
    .globl emu_switch_stack
    .hidden emu_switch_stack
    .type emu_switch_stack, @function
emu_switch_stack:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch_stack, .-emu_switch_stack
)");
#endif

enum State { READY, AT_SYNC, AT_WARP, DONE, DEAD };

struct Thread {
#if EMU_FAST_SWITCH
    void* sp = nullptr;  // saved stack pointer while suspended
#else
    ucontext_t ctx;
#endif
    char* stack = nullptr;
    State state = DONE;
    uint3 tid{};
    // __syncthreads site
    const char* file = nullptr;
    int line = 0;
    // warp collective
    const char* kind = nullptr;
    unsigned mask = 0;
    uint64_t value = 0, result = 0;
    int src = 0;
};

constexpr size_t STACK_BYTES = 256 * 1024;
constexpr size_t DYNAMIC_SHARED_BYTES = 192 * 1024;

inline std::vector<Thread> threads;
inline int current = -1;
#if EMU_FAST_SWITCH
inline void* scheduler_sp = nullptr;
#else
inline ucontext_t scheduler;
#endif
inline std::function<void()> body;
inline std::vector<std::string> errors;
inline bool reverse_schedule = false;
inline bool greedy_schedule = false;
inline size_t launch_shared_bytes = 0;
inline const char* launch_name = "";

inline void report(const std::string& what) {
    char where[96];
    snprintf(where, sizeof where, " (block %u,%u thread %u)", blockIdx.x, blockIdx.y,
             current >= 0 ? threads[current].tid.x : 0u);
    errors.push_back(std::string(launch_name) + ": " + what + (current >= 0 ? where : ""));
}

inline void to_scheduler();

// Records an error and stops the calling thread for good; the scheduler abandons the launch.
[[noreturn]] inline void fail(const std::string& what) {
    report(what);
    threads[current].state = DEAD;
    to_scheduler();
    abort();  // a DEAD thread is never resumed
}

inline int lane() { return (int)(threadIdx.x & 31); }

inline void entry() {
    body();
    threads[current].state = DONE;
#if EMU_FAST_SWITCH
    to_scheduler();  // never resumed
    abort();
#endif  // with ucontext, returning resumes uc_link = scheduler
}

// Prepares threads[i] to start in entry() on its own stack.
inline void start_context(Thread& t, int i) {
    if (t.stack == nullptr) t.stack = (char*)malloc(STACK_BYTES);
#if EMU_FAST_SWITCH
    // the frame emu_switch_stack pops: r15..r12, rbx, rbp, then entry as the return address, above it
    // a null fake return address of entry (rsp = 8 mod 16 at entry, as after a call). The stack tops
    // are staggered by thread: equal offsets modulo the cache's set stride would make the threads'
    // frames evict one another.
    void** top = (void**)(((uintptr_t)t.stack + STACK_BYTES - 64 * (i % 64)) & ~(uintptr_t)15);
    void** sp = top - 8;
    for (int r = 0; r < 6; r++) sp[r] = nullptr;
    sp[6] = (void*)&entry;
    sp[7] = nullptr;
    t.sp = sp;
#else
    getcontext(&t.ctx);
    t.ctx.uc_stack.ss_sp = t.stack;
    t.ctx.uc_stack.ss_size = STACK_BYTES;
    t.ctx.uc_link = &scheduler;
    makecontext(&t.ctx, entry, 0);
#endif
}

inline void resume(int i) {
    current = i;
    threadIdx = threads[i].tid;
#if EMU_FAST_SWITCH
    emu_switch_stack(&scheduler_sp, threads[i].sp);
#else
    swapcontext(&scheduler, &threads[i].ctx);
#endif
    current = -1;
}

inline void to_scheduler() {
#if EMU_FAST_SWITCH
    emu_switch_stack(&threads[current].sp, scheduler_sp);
#else
    swapcontext(&threads[current].ctx, &scheduler);
#endif
}

inline void yield() { to_scheduler(); threadIdx = threads[current].tid; }

inline void syncthreads(const char* file, int line) {
    Thread& t = threads[current];
    t.state = AT_SYNC;
    t.file = file;
    t.line = line;
    yield();
}

// Warp collective: every lane in mask posts a value and the lane it reads; returns value[src].
inline uint64_t warp_collective(const char* kind, unsigned mask, uint64_t value, int src) {
    Thread& t = threads[current];
    if (!(mask >> lane() & 1u)) fail(std::string(kind) + ": mask does not include the calling lane");
    t.state = AT_WARP;
    t.kind = kind;
    t.mask = mask;
    t.value = value;
    t.src = src;
    yield();
    return threads[current].result;
}

// Releases warp w if the lanes named by its waiting collective all wait at it.
inline bool release_warp(int n, int w) {
    {
        int base = w * 32;
        int first = -1;
        for (int l = 0; l < 32 && base + l < n; l++)
            if (threads[base + l].state == AT_WARP) { first = base + l; break; }
        if (first < 0) return false;
        unsigned mask = threads[first].mask;
        bool ready = true;
        for (int l = 0; l < 32; l++) {
            if (!(mask >> l & 1u)) continue;
            current = first;
            if (base + l >= n) { report(std::string(threads[first].kind) + ": mask names a lane beyond blockDim"); return false; }
            Thread& o = threads[base + l];
            if (o.state == DONE) { report(std::string(threads[first].kind) + ": mask names lane " + std::to_string(l) + ", which has exited"); current = -1; return false; }
            if (o.state != AT_WARP) { ready = false; continue; }
            if (o.mask != mask || strcmp(o.kind, threads[first].kind) != 0) {
                report(std::string("warp collectives do not match: lane ") + std::to_string(first - base) + " at " +
                       threads[first].kind + ", lane " + std::to_string(l) + " at " + o.kind);
                current = -1;
                return false;
            }
        }
        current = -1;
        if (!ready) return false;
        for (int l = 0; l < 32; l++) {
            if (!(mask >> l & 1u)) continue;
            Thread& o = threads[base + l];
            int s = o.src;
            o.result = (s >= 0 && s < 32 && (mask >> s & 1u)) ? threads[base + s].value : o.value;
            o.state = READY;
        }
        return true;
    }
}

// Releases every warp whose collective can complete; false if none could.
inline bool release_warps(int n) {
    bool released = false;
    for (int w = 0; w * 32 < n; w++) released |= release_warp(n, w);
    return released;
}

// TLS block (the calling OS thread's instance) of the module that defines `inside`: the executable
// (kernel_checks) or the shared library (the emulated driver, libcuda.so.1).
struct TlsBlock {
    unsigned char* data = nullptr;
    size_t size = 0;
};
inline TlsBlock find_tls(const void* inside) {
    struct Search {
        const unsigned char* p;
        TlsBlock found;
    } s{(const unsigned char*)inside, {}};
    dl_iterate_phdr(
        [](struct dl_phdr_info* info, size_t, void* out) -> int {
            auto* s = (Search*)out;
            for (int i = 0; i < info->dlpi_phnum; i++) {
                auto* d = (unsigned char*)info->dlpi_tls_data;
                size_t size = info->dlpi_phdr[i].p_memsz;
                if (info->dlpi_phdr[i].p_type == PT_TLS && d != nullptr && s->p >= d && s->p < d + size) {
                    s->found = TlsBlock{d, size};
                    return 1;
                }
            }
            return 0;
        },
        &s);
    return s.found;
}

}  // namespace emu

extern thread_local float smem[];

namespace emu {

inline bool poison_shared(const char* name) {
    // one lookup per OS thread's TLS instance (launches from several threads must be serialised)
    static TlsBlock tls;
    static unsigned char* tls_of = nullptr;
    unsigned char* s = (unsigned char*)smem;
    if (tls_of != s) {
        tls = find_tls(s);
        tls_of = s;
    }
    if (tls.data == nullptr || s < tls.data || s + DYNAMIC_SHARED_BYTES > tls.data + tls.size) {
        errors.push_back(std::string(name) + ": emulation cannot locate shared memory (TLS block)");
        return false;
    }
    memset(tls.data, 0xff, tls.size);
    return true;
}

inline bool check_dynamic_tail(const char* name) {
    static unsigned char poison[4096];
    if (poison[0] != 0xff) memset(poison, 0xff, sizeof poison);
    unsigned char* s = (unsigned char*)smem;
    // chunks compared with memcmp (a byte loop over the 192 KiB after every block is slow)
    size_t i = launch_shared_bytes;
    while (i < DYNAMIC_SHARED_BYTES) {
        size_t n = std::min(sizeof poison, DYNAMIC_SHARED_BYTES - i);
        if (memcmp(s + i, poison, n) == 0) {
            i += n;
            continue;
        }
        while (s[i] == 0xff) i++;
        errors.push_back(std::string(name) + ": write to dynamic shared memory at byte " + std::to_string(i) +
                         ", beyond the " + std::to_string(launch_shared_bytes) + " bytes of the launch");
        return false;
    }
    return true;
}

// Runs one block; false on an error (already recorded).
inline bool run_block(int n) {
    for (int i = 0; i < n; i++) {
        Thread& t = threads[i];
        start_context(t, i);
        t.state = READY;
        t.tid = uint3{(unsigned)(i % blockDim.x), (unsigned)(i / blockDim.x % blockDim.y),
                      (unsigned)(i / (blockDim.x * blockDim.y))};
    }
    size_t before = errors.size();
    int warps = (n + 31) / 32;
    for (;;) {
        if (greedy_schedule) {
            // each warp in turn runs as far as it can (to a __syncthreads or its end) before the next
            for (int k = 0; k < warps; k++) {
                int w = reverse_schedule ? warps - 1 - k : k;
                int lo = w * 32, hi = std::min(n, lo + 32);
                for (;;) {
                    for (int j = lo; j < hi; j++) {
                        int i = reverse_schedule ? lo + hi - 1 - j : j;
                        if (threads[i].state == READY) resume(i);
                        if (errors.size() != before) return false;
                    }
                    if (!release_warp(n, w)) break;
                }
                if (errors.size() != before) return false;
            }
        } else {
            // lockstep: every thread runs to its next barrier, then the collectives are released
            for (int k = 0; k < n; k++) {
                int i = reverse_schedule ? n - 1 - k : k;
                if (threads[i].state == READY) resume(i);
                if (errors.size() != before) return false;
            }
            if (release_warps(n)) continue;
        }
        if (errors.size() != before) return false;
        int live = 0, atSync = 0, first = -1;
        for (int i = 0; i < n; i++) {
            if (threads[i].state == DONE) continue;
            live++;
            if (threads[i].state == AT_SYNC) {
                atSync++;
                if (first < 0) first = i;
            }
        }
        if (live == 0) return true;
        if (atSync == live) {
            for (int i = 0; i < n; i++) {
                Thread& t = threads[i];
                if (t.state != AT_SYNC) continue;
                if (t.line != threads[first].line || strcmp(t.file, threads[first].file) != 0) {
                    current = i;
                    report("divergent __syncthreads: " + std::string(t.file) + ":" + std::to_string(t.line) +
                           " and " + threads[first].file + ":" + std::to_string(threads[first].line));
                    current = -1;
                    return false;
                }
            }
            for (int i = 0; i < n; i++)
                if (threads[i].state == AT_SYNC) threads[i].state = READY;
            continue;
        }
        std::string what = "deadlock:";
        for (int i = 0; i < n && what.size() < 300; i++) {
            const Thread& t = threads[i];
            if (t.state == AT_SYNC) what += " t" + std::to_string(i) + "@sync:" + std::to_string(t.line);
            else if (t.state == AT_WARP) what += " t" + std::to_string(i) + "@" + t.kind;
        }
        report(what);
        return false;
    }
}

// Launches kernel(args...) over grid x block with the given dynamic shared memory; false on error.
template <typename... P, typename... A>
bool launch(const char* name, void (*kernel)(P...), dim3 grid, dim3 block, size_t sharedBytes, A... args) {
    launch_name = name;
    int n = (int)(block.x * block.y * block.z);
    if (n <= 0 || n > 1024 || block.z > 64 || grid.y > 65535 || grid.z > 65535 || grid.x == 0 || grid.y == 0) {
        errors.push_back(std::string(name) + ": invalid launch configuration");
        return false;
    }
    if (sharedBytes > DYNAMIC_SHARED_BYTES) {
        errors.push_back(std::string(name) + ": dynamic shared memory beyond the emulator's " +
                         std::to_string(DYNAMIC_SHARED_BYTES) + " bytes");
        return false;
    }
    if ((int)threads.size() < n) threads.resize(n);
    gridDim = grid;
    blockDim = block;
    launch_shared_bytes = sharedBytes;
    std::tuple<P...> params(args...);
    body = [&params, kernel] { std::apply(kernel, params); };
    long blocks = (long)grid.x * grid.y * grid.z;
    for (long k = 0; k < blocks; k++) {
        long b = reverse_schedule ? blocks - 1 - k : k;
        blockIdx = uint3{(unsigned)(b % grid.x), (unsigned)(b / grid.x % grid.y), (unsigned)(b / ((long)grid.x * grid.y))};
        if (!poison_shared(name)) return false;
        if (!run_block(n)) return false;
        if (!check_dynamic_tail(name)) return false;
    }
    return true;
}

template <typename T>
inline uint64_t bits_of(T v) {
    static_assert(sizeof(T) <= 8, "shuffle of a type wider than 8 bytes");
    uint64_t u = 0;
    memcpy(&u, &v, sizeof(T));
    return u;
}
template <typename T>
inline T from_bits(uint64_t u) {
    T v;
    memcpy(&v, &u, sizeof(T));
    return v;
}

inline void check_aligned(const void* p, size_t a, const char* what) {
    if ((uintptr_t)p % a != 0) fail(std::string(what) + ": address not " + std::to_string(a) + "-byte aligned");
}

}  // namespace emu

thread_local __attribute__((aligned(16))) float smem[emu::DYNAMIC_SHARED_BYTES / sizeof(float)];

#define __syncthreads() ::emu::syncthreads(__FILE__, __LINE__)

inline void __syncwarp(unsigned mask = 0xffffffffu) { emu::warp_collective("__syncwarp", mask, 0, 0); }

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    int l = emu::lane(), base = l & ~(width - 1), s = l ^ laneMask;
    if (s < base || s >= base + width) s = l;
    return emu::from_bits<T>(emu::warp_collective("__shfl_xor_sync", mask, emu::bits_of(v), s));
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    int l = emu::lane(), s = (l % width) + (int)delta < width ? l + (int)delta : l;
    return emu::from_bits<T>(emu::warp_collective("__shfl_down_sync", mask, emu::bits_of(v), s));
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    int l = emu::lane(), s = (l % width) >= (int)delta ? l - (int)delta : l;
    return emu::from_bits<T>(emu::warp_collective("__shfl_up_sync", mask, emu::bits_of(v), s));
}
template <typename T>
inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
    int l = emu::lane(), s = (l & ~(width - 1)) + (srcLane % width);
    return emu::from_bits<T>(emu::warp_collective("__shfl_sync", mask, emu::bits_of(v), s));
}

// ---------------------------------------------------------------------------------------------
// Loads with cache hints

template <typename T>
inline T __ldg(const T* p) {
    if (sizeof(T) >= 8) emu::check_aligned(p, sizeof(T), "__ldg");
    return *p;
}
template <typename T>
inline T __ldcs(const T* p) {
    if (sizeof(T) >= 8) emu::check_aligned(p, sizeof(T), "__ldcs");
    return *p;
}

// ---------------------------------------------------------------------------------------------
// Math and bit casts (IEEE, each operation rounded: the emulation is compiled without contraction)

inline float __uint_as_float(unsigned u) { return emu::from_bits<float>(u); }
inline unsigned __float_as_uint(float f) { return (unsigned)emu::bits_of(f); }
inline float __int_as_float(int u) { return emu::from_bits<float>((uint32_t)u); }
inline int __float_as_int(float f) { return (int)(uint32_t)emu::bits_of(f); }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float rsqrtf(float a) { return 1.0f / sqrtf(a); }
inline float __expf(float a) { return expf(a); }
inline float __logf(float a) { return logf(a); }

// ---------------------------------------------------------------------------------------------
// 16-bit float types (bit containers; the conversions are bit manipulation, the checks' references
// arithmetic on doubles)

struct __half {
    uint16_t x;
};
struct __nv_bfloat16 {
    uint16_t x;
};

inline __half __ushort_as_half(unsigned short u) { return __half{u}; }
inline unsigned short __half_as_ushort(__half h) { return h.x; }

inline float __half2float(__half h) {
    uint32_t sign = (uint32_t)(h.x & 0x8000u) << 16, exp = (h.x >> 10) & 0x1fu, man = h.x & 0x3ffu;
    uint32_t u;
    if (exp == 0x1f) {
        u = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        u = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        u = sign;
    } else {  // subnormal: normalise
        int e = 113;
        while (!(man & 0x400u)) {
            man <<= 1;
            e--;
        }
        u = sign | ((uint32_t)e << 23) | ((man & 0x3ffu) << 13);
    }
    return emu::from_bits<float>(u);
}

inline __half __float2half_rn(float f) {
    uint32_t u = (uint32_t)emu::bits_of(f), sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return __half{(uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu))};  // NaN, quiet
    if (a >= 0x477ff000u) return __half{(uint16_t)(sign | 0x7c00u)};  // rounds to >= 65520: infinity
    if (a >= 0x38800000u) {                                           // normal half (>= 2^-14)
        uint32_t r = a - 0x38000000u;                                 // rebias 127 -> 15
        r += 0xfffu + ((r >> 13) & 1u);
        return __half{(uint16_t)(sign | (r >> 13))};
    }
    if (a < 0x33000000u) return __half{(uint16_t)sign};  // below half the smallest subnormal: zero
    // subnormal: value = m * 2^-24 with m = a's significand shifted
    // value = m * 2^(e - 150); in units of 2^-24 (the subnormal step): m * 2^(e - 126)
    uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
    int shift = (int)(126 - e);
    uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (q & 1u))) q++;
    return __half{(uint16_t)(sign | q)};
}
inline float __low2float(__half h) { return __half2float(h); }

inline float __bfloat162float(__nv_bfloat16 b) { return emu::from_bits<float>((uint32_t)b.x << 16); }

inline float emu_to_float(__half h) { return __half2float(h); }
inline float emu_to_float(__nv_bfloat16 b) { return __bfloat162float(b); }
inline float emu_to_float(float f) { return f; }

// ---------------------------------------------------------------------------------------------
// wmma

namespace nvcuda {
namespace wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K>
struct tile_shape;
template <int M, int N, int K>
struct tile_shape<matrix_a, M, N, K> {
    static constexpr int rows = M, cols = K;
};
template <int M, int N, int K>
struct tile_shape<matrix_b, M, N, K> {
    static constexpr int rows = K, cols = N;
};
template <int M, int N, int K>
struct tile_shape<accumulator, M, N, K> {
    static constexpr int rows = M, cols = N;
};

// Every lane holds the whole tile (row-major, as float: BF16 / F16 values are exact in float).
template <typename Use, int M, int N, int K, typename T, typename Layout = void>
struct fragment {
    static constexpr int rows = tile_shape<Use, M, N, K>::rows, cols = tile_shape<Use, M, N, K>::cols;
    float v[rows * cols];
};

inline void collective(const char* kind) { emu::warp_collective(kind, 0xffffffffu, 0, 0); }

template <typename Use, int M, int N, int K, typename T, typename L>
inline void fill_fragment(fragment<Use, M, N, K, T, L>& f, float value) {
    collective("wmma::fill_fragment");
    for (float& e : f.v) e = value;
}

template <typename Elem>
inline void check_tile_address(const void* p, unsigned ldm, const char* what) {
    emu::check_aligned(p, 32, what);
    if ((ldm * sizeof(Elem)) % 16 != 0) emu::fail(std::string(what) + ": ldm is not a multiple of 16 bytes");
}

template <typename Use, int M, int N, int K, typename T, typename L>
inline void load_matrix_sync(fragment<Use, M, N, K, T, L>& f, const T* p, unsigned ldm) {
    collective("wmma::load_matrix_sync");
    check_tile_address<T>(p, ldm, "wmma::load_matrix_sync");
    constexpr bool colMajor = std::is_same<L, col_major>::value;
    using F = fragment<Use, M, N, K, T, L>;
    for (int r = 0; r < F::rows; r++)
        for (int c = 0; c < F::cols; c++)
            f.v[r * F::cols + c] = emu_to_float(colMajor ? p[(size_t)c * ldm + r] : p[(size_t)r * ldm + c]);
}

template <int M, int N, int K, typename T>
inline void load_matrix_sync(fragment<accumulator, M, N, K, T>& f, const T* p, unsigned ldm, layout_t layout) {
    collective("wmma::load_matrix_sync");
    check_tile_address<T>(p, ldm, "wmma::load_matrix_sync");
    for (int r = 0; r < M; r++)
        for (int c = 0; c < N; c++)
            f.v[r * N + c] = layout == mem_col_major ? p[(size_t)c * ldm + r] : p[(size_t)r * ldm + c];
}

template <int M, int N, int K, typename T>
inline void store_matrix_sync(T* p, const fragment<accumulator, M, N, K, T>& f, unsigned ldm, layout_t layout) {
    collective("wmma::store_matrix_sync");
    check_tile_address<T>(p, ldm, "wmma::store_matrix_sync");
    for (int r = 0; r < M; r++)
        for (int c = 0; c < N; c++) (layout == mem_col_major ? p[(size_t)c * ldm + r] : p[(size_t)r * ldm + c]) = f.v[r * N + c];
}

template <int M, int N, int K, typename Ta, typename La, typename Tb, typename Lb, typename Tc>
inline void mma_sync(fragment<accumulator, M, N, K, Tc>& d, const fragment<matrix_a, M, N, K, Ta, La>& a,
                     const fragment<matrix_b, M, N, K, Tb, Lb>& b, const fragment<accumulator, M, N, K, Tc>& c) {
    collective("wmma::mma_sync");
    float out[M * N];
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            float s = c.v[m * N + n];
            for (int k = 0; k < K; k++) s += a.v[m * K + k] * b.v[k * N + n];
            out[m * N + n] = s;
        }
    memcpy(d.v, out, sizeof out);
}

}  // namespace wmma
}  // namespace nvcuda
