// An emulated CUDA driver: libcuda.so.1 for machines without a GPU, so that JCuda and the Java GPU
// backend (CudaDevice, the kernel wrappers, CudaBuffer, WeightUpload, HalfScratch, KernelProducts)
// run unchanged with the kernels of src/main/cuda executed by the CPU emulation of cuda_emulation.h.
//
// JCuda's native driver library links libcuda.so.1 with lazy binding, so this library, found first
// through LD_LIBRARY_PATH, only has to define the driver functions that are actually called. Those
// are implemented below on host memory; every other function JCuda binds prints its name and aborts,
// so a gap shows up as such and not as a wrong result.
//
//  - one device ("Emulated CUDA device (CPU)"); contexts and streams are tokens; all work is done
//    synchronously when it is submitted, so every stream order is kept (but a missing synchronisation
//    cannot be detected).
//  - device memory: 256-byte aligned host allocations, filled with 0xff bytes (a float NaN, as a
//    stand-in for the undefined contents of fresh GPU memory), with 256 guard bytes (0xfe) on both sides.
//    Copies and memsets must lie inside one allocation; a kernel's pointer arguments must point into
//    one, and that allocation's guards must be intact after the launch (a write outside it fails).
//  - cuModuleLoadData ignores the PTX code and reads its `.entry` names; cuModuleGetFunction gives the
//    kernel of that name compiled into this library from the .cu sources; cuLaunchKernel unpacks
//    kernelParams into the kernel's C parameter types and runs it with emu::launch (lockstep schedule),
//    under a lock (the emulation's state is global).
//  - a failed launch (emulation error, bad configuration, guard bytes overwritten) prints why to stderr
//    and returns CUDA_ERROR_LAUNCH_FAILED.
// Set KNOWCODER_EMULATED_DRIVER_TRACE=1 to print every launch with its time.
//
// Built by build-emulated-driver.sh, which generates emulated_kernels.inc: an #include of every .cu
// file and EMULATED_KERNELS(X), X(name) for each of their kernels.

#include "cuda_emulation.h"

#include "emulated_kernels.inc"

#include <ctype.h>
#include <pthread.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#define EXPORT extern "C" __attribute__((visibility("default")))

// ---------------------------------------------------------------------------------------------
// Driver API types and codes (cuda.h is not included: its types clash with the emulation's)

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
struct CUctx_st {};
struct CUstream_st {};
struct CUmod_st;
struct CUfunc_st;
typedef CUctx_st* CUcontext;
typedef CUstream_st* CUstream;
typedef CUmod_st* CUmodule;
typedef CUfunc_st* CUfunction;

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

namespace {

const char* const DEVICE_NAME = "Emulated CUDA device (CPU)";
constexpr size_t DEFAULT_DYNAMIC_SHARED = 48 * 1024;
// an H100's opt-in limit; launches beyond the emulator's emu::DYNAMIC_SHARED_BYTES fail at launch
constexpr int MAX_DYNAMIC_SHARED_OPT_IN = 227 * 1024;
constexpr size_t GUARD = 256, ALIGN = 256;
// fresh memory: NaN floats; guards: -1.7e38 floats, so a write of a NaN read from the guard shows too
constexpr unsigned char FILL = 0xff, GUARD_BYTE = 0xfe;

std::recursive_mutex driver_lock;
bool initialised = false;
bool trace = false;

[[noreturn]] void unimplemented(const char* name) {
    fprintf(stderr, "emulated CUDA driver: %s is not implemented\n", name);
    fflush(stderr);
    abort();
}

CUresult fail(CUresult code, const std::string& what) {
    fprintf(stderr, "emulated CUDA driver: %s\n", what.c_str());
    fflush(stderr);
    return code;
}

std::set<CUcontext> contexts;

// The calling thread's current context, as in CUDA. A pthread key, not thread_local: the emulation
// overwrites this library's TLS block (the __shared__ variables) before every block.
pthread_key_t current_key;
pthread_once_t current_once = PTHREAD_ONCE_INIT;
CUcontext current_context() {
    pthread_once(&current_once, [] { pthread_key_create(&current_key, nullptr); });
    return (CUcontext)pthread_getspecific(current_key);
}
void set_current_context(CUcontext c) {
    current_context();
    pthread_setspecific(current_key, c);
}

// A live context is current on the calling thread (the driver's precondition for most calls).
bool has_context() {
    CUcontext c = current_context();
    return c != nullptr && contexts.count(c) != 0;
}

// ---------------------------------------------------------------------------------------------
// Device memory

struct Allocation {
    unsigned char* raw;
    size_t size;
};
std::map<uintptr_t, Allocation> allocations;  // by base address

bool guards_intact(uintptr_t base, const Allocation& a) {
    const unsigned char* lo = a.raw;
    const unsigned char* hi = (const unsigned char*)base + a.size;
    for (size_t i = 0; i < GUARD; i++)
        if (lo[i] != GUARD_BYTE || hi[i] != GUARD_BYTE) return false;
    return true;
}

// The allocation holding [p, p + n) (n may be 0: p may then be its end), or allocations.end().
std::map<uintptr_t, Allocation>::iterator allocation_of(uintptr_t p, size_t n) {
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return allocations.end();
    --it;
    if (p + n < p || p + n > it->first + it->second.size) return allocations.end();
    return it;
}

CUresult check_range(const char* fn, CUdeviceptr p, size_t n) {
    if (allocation_of((uintptr_t)p, n) != allocations.end()) return CUDA_SUCCESS;
    char what[160];
    snprintf(what, sizeof what, "%s: device range [0x%llx, +%zu bytes) is not inside one allocation", fn, p, n);
    return fail(CUDA_ERROR_INVALID_VALUE, what);
}

template <typename T>
CUresult memset_n(const char* fn, CUdeviceptr p, T value, size_t n) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!has_context()) return fail(CUDA_ERROR_INVALID_CONTEXT, std::string(fn) + ": no current context");
    if (CUresult r = check_range(fn, p, n * sizeof(T))) return r;
    T* d = (T*)(uintptr_t)p;
    for (size_t i = 0; i < n; i++) d[i] = value;
    return CUDA_SUCCESS;
}

CUresult copy(const char* fn, void* dst, bool dstDevice, const void* src, bool srcDevice, size_t n) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!has_context()) return fail(CUDA_ERROR_INVALID_CONTEXT, std::string(fn) + ": no current context");
    if (dstDevice)
        if (CUresult r = check_range(fn, (CUdeviceptr)(uintptr_t)dst, n)) return r;
    if (srcDevice)
        if (CUresult r = check_range(fn, (CUdeviceptr)(uintptr_t)src, n)) return r;
    if ((!dstDevice && dst == nullptr) || (!srcDevice && src == nullptr))
        return n == 0 ? CUDA_SUCCESS : fail(CUDA_ERROR_INVALID_VALUE, std::string(fn) + ": null host pointer");
    memmove(dst, src, n);
    return CUDA_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// Kernels

// Runs one kernel; the typed parameters are read from kernelParams (one pointer per parameter).
struct Kernel {
    const char* name;
    CUresult (*launch)(const char* name, dim3 grid, dim3 block, size_t shared, void** params);
};

template <typename P>
P param(void* p) {
    P v;
    memcpy(&v, p, sizeof v);
    return v;
}

// A pointer argument must point into an allocation (or be null); it is remembered for the guard check.
template <typename P>
bool note_pointer(const char*, int, P, std::vector<uintptr_t>&) {
    return true;
}
template <typename T>
bool note_pointer(const char* name, int index, T* p, std::vector<uintptr_t>& bases) {
    if (p == nullptr) return true;
    auto it = allocation_of((uintptr_t)p, 0);
    if (it == allocations.end()) {
        char what[160];
        snprintf(what, sizeof what, "%s: pointer argument %d (%p) is not inside an allocation", name, index, (void*)p);
        fail(CUDA_ERROR_INVALID_VALUE, what);
        return false;
    }
    bases.push_back(it->first);
    return true;
}

template <typename... P, size_t... I>
CUresult run(const char* name, void (*kernel)(P...), dim3 grid, dim3 block, size_t shared, void** params,
             std::index_sequence<I...>) {
    if (sizeof...(P) > 0 && params == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, std::string(name) + ": no kernelParams");
    std::tuple<P...> args{param<P>(params[I])...};
    std::vector<uintptr_t> bases;
    bool ok = true;
    ((ok = ok && note_pointer(name, (int)I, std::get<I>(args), bases)), ...);
    if (!ok) return CUDA_ERROR_INVALID_VALUE;
    emu::errors.clear();
    emu::reverse_schedule = false;
    emu::greedy_schedule = false;
    bool launched = emu::launch(name, kernel, grid, block, shared, std::get<I>(args)...);
    for (const std::string& e : emu::errors) fprintf(stderr, "emulated CUDA driver: %s\n", e.c_str());
    for (uintptr_t b : bases) {
        if (!guards_intact(b, allocations.at(b))) {
            fprintf(stderr, "emulated CUDA driver: %s wrote outside the allocation at 0x%zx (%zu bytes)\n", name, (size_t)b,
                    allocations.at(b).size);
            launched = false;
        }
    }
    fflush(stderr);
    return launched ? CUDA_SUCCESS : CUDA_ERROR_LAUNCH_FAILED;
}

template <typename... P>
CUresult run(const char* name, void (*kernel)(P...), dim3 grid, dim3 block, size_t shared, void** params) {
    return run(name, kernel, grid, block, shared, params, std::index_sequence_for<P...>{});
}

template <auto K>
CUresult launcher(const char* name, dim3 grid, dim3 block, size_t shared, void** params) {
    return run(name, K, grid, block, shared, params);
}

const std::map<std::string, Kernel>& kernels() {
    static const std::map<std::string, Kernel> table = {
#define EMULATED_KERNEL(name) {#name, Kernel{#name, &launcher<&name>}},
        EMULATED_KERNELS(EMULATED_KERNEL)
#undef EMULATED_KERNEL
    };
    return table;
}

}  // namespace

struct CUfunc_st {
    const Kernel* kernel;
    int maxDynamicShared = DEFAULT_DYNAMIC_SHARED;
};
struct CUmod_st {
    std::set<std::string> entries;                         // the PTX's .entry names
    std::map<std::string, std::unique_ptr<CUfunc_st>> functions;  // handed out by cuModuleGetFunction
};

namespace {
std::set<CUstream> streams;
std::set<CUmodule> modules;
std::set<CUfunction> functions;
// The names after `.entry` in a PTX text.
std::set<std::string> entries(const char* ptx) {
    std::set<std::string> names;
    for (const char* p = strstr(ptx, ".entry"); p != nullptr; p = strstr(p + 6, ".entry")) {
        const char* s = p + 6;
        while (*s == ' ' || *s == '\t') s++;
        const char* e = s;
        while (*e == '_' || isalnum((unsigned char)*e)) e++;
        if (e > s) names.insert(std::string(s, e));
    }
    return names;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Driver API

EXPORT CUresult cuInit(unsigned flags) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    initialised = true;
    const char* t = getenv("KNOWCODER_EMULATED_DRIVER_TRACE");
    trace = t != nullptr && *t != '\0' && strcmp(t, "0") != 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = 12060;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int* count) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetName(char* name, int len, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "%s", DEVICE_NAME);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *bytes = (size_t)16 << 30;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = 8; return CUDA_SUCCESS;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = 0; return CUDA_SUCCESS;
        default: {
            char what[64];
            snprintf(what, sizeof what, "cuDeviceGetAttribute(%d)", attribute);
            unimplemented(what);
        }
    }
}

EXPORT CUresult cuCtxCreate_v2(CUcontext* ctx, unsigned, CUdevice device) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *ctx = new CUctx_st;
    contexts.insert(*ctx);
    set_current_context(*ctx);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxDestroy_v2(CUcontext ctx) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (contexts.erase(ctx) == 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (current_context() == ctx) set_current_context(nullptr);  // this thread's; others keep a dangling one, as in CUDA
    delete ctx;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxSetCurrent(CUcontext ctx) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (ctx != nullptr && contexts.count(ctx) == 0) return CUDA_ERROR_INVALID_CONTEXT;
    set_current_context(ctx);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxGetCurrent(CUcontext* ctx) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *ctx = current_context();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxSynchronize() { return has_context() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT; }

EXPORT CUresult cuStreamCreate(CUstream* stream, unsigned) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!has_context()) return CUDA_ERROR_INVALID_CONTEXT;
    if (stream == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *stream = new CUstream_st;
    streams.insert(*stream);
    return CUDA_SUCCESS;
}

namespace {
// The default stream (null) or a live one.
CUresult check_stream(const char* fn, CUstream s) {
    if (s == nullptr || streams.count(s)) return CUDA_SUCCESS;
    return fail(CUDA_ERROR_INVALID_HANDLE, std::string(fn) + ": not a stream");
}
}  // namespace

EXPORT CUresult cuStreamDestroy_v2(CUstream stream) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (streams.erase(stream) == 0) return fail(CUDA_ERROR_INVALID_HANDLE, "cuStreamDestroy_v2: not a stream");
    delete stream;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(CUstream stream) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    return check_stream("cuStreamSynchronize", stream);  // all work is done when it is submitted
}

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!has_context()) return CUDA_ERROR_INVALID_CONTEXT;
    if (p == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    size_t total = GUARD + (bytes + GUARD + ALIGN - 1) / ALIGN * ALIGN;
    auto* raw = (unsigned char*)aligned_alloc(ALIGN, total);
    if (raw == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    memset(raw, GUARD_BYTE, total);
    memset(raw + GUARD, FILL, bytes);
    uintptr_t base = (uintptr_t)raw + GUARD;
    allocations[base] = Allocation{raw, bytes};
    *p = (CUdeviceptr)base;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    auto it = allocations.find((uintptr_t)p);
    if (it == allocations.end()) {
        char what[96];
        snprintf(what, sizeof what, "cuMemFree_v2: 0x%llx is not an allocation", p);
        return fail(CUDA_ERROR_INVALID_VALUE, what);
    }
    bool intact = guards_intact(it->first, it->second);
    free(it->second.raw);
    allocations.erase(it);
    return intact ? CUDA_SUCCESS : fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree_v2: guard bytes of the allocation overwritten");
}

EXPORT CUresult cuMemsetD8_v2(CUdeviceptr p, unsigned char v, size_t n) { return memset_n("cuMemsetD8_v2", p, v, n); }
EXPORT CUresult cuMemsetD16_v2(CUdeviceptr p, unsigned short v, size_t n) { return memset_n("cuMemsetD16_v2", p, v, n); }
EXPORT CUresult cuMemsetD32_v2(CUdeviceptr p, unsigned v, size_t n) { return memset_n("cuMemsetD32_v2", p, v, n); }
EXPORT CUresult cuMemsetD8Async(CUdeviceptr p, unsigned char v, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemsetD8Async", s)) return r;
    return memset_n("cuMemsetD8Async", p, v, n);
}
EXPORT CUresult cuMemsetD16Async(CUdeviceptr p, unsigned short v, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemsetD16Async", s)) return r;
    return memset_n("cuMemsetD16Async", p, v, n);
}
EXPORT CUresult cuMemsetD32Async(CUdeviceptr p, unsigned v, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemsetD32Async", s)) return r;
    return memset_n("cuMemsetD32Async", p, v, n);
}

#define DEV(p) ((void*)(uintptr_t)(p))
EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    return copy("cuMemcpyHtoD_v2", DEV(dst), true, src, false, n);
}
EXPORT CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    return copy("cuMemcpyDtoH_v2", dst, false, DEV(src), true, n);
}
EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    return copy("cuMemcpyDtoD_v2", DEV(dst), true, DEV(src), true, n);
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemcpyHtoDAsync_v2", s)) return r;
    return copy("cuMemcpyHtoDAsync_v2", DEV(dst), true, src, false, n);
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemcpyDtoHAsync_v2", s)) return r;
    return copy("cuMemcpyDtoHAsync_v2", dst, false, DEV(src), true, n);
}
EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemcpyDtoDAsync_v2", s)) return r;
    return copy("cuMemcpyDtoDAsync_v2", DEV(dst), true, DEV(src), true, n);
}
// unified addressing: either side may be host or device memory
EXPORT CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    bool dd = allocation_of((uintptr_t)dst, 0) != allocations.end(), sd = allocation_of((uintptr_t)src, 0) != allocations.end();
    return copy("cuMemcpy", DEV(dst), dd, DEV(src), sd, n);
}
EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
    if (CUresult r = check_stream("cuMemcpyAsync", s)) return r;
    return cuMemcpy(dst, src, n);
}
#undef DEV

EXPORT CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!has_context()) return CUDA_ERROR_INVALID_CONTEXT;
    if (module == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    auto* m = new CUmod_st;
    m->entries = entries((const char*)image);
    if (m->entries.empty()) {
        delete m;
        return fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: no .entry in the image (PTX text expected)");
    }
    modules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleUnload(CUmodule module) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (modules.erase(module) == 0) return CUDA_ERROR_INVALID_HANDLE;
    for (auto& f : module->functions) functions.erase(f.second.get());
    delete module;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (function == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (modules.count(module) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (module->entries.count(name) == 0) return CUDA_ERROR_NOT_FOUND;
    auto k = kernels().find(name);
    if (k == kernels().end()) {
        return fail(CUDA_ERROR_NOT_FOUND, std::string("cuModuleGetFunction: the PTX has kernel ") + name +
                                              ", which is not compiled into the emulated driver (rebuild it)");
    }
    auto& f = module->functions[name];
    if (!f) {
        f.reset(new CUfunc_st{&k->second});
        functions.insert(f.get());
    }
    *function = f.get();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuFuncSetAttribute(CUfunction function, int attribute, int value) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (functions.count(function) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) {
        char what[64];
        snprintf(what, sizeof what, "cuFuncSetAttribute(attribute %d)", attribute);
        unimplemented(what);
    }
    if (value < 0 || value > MAX_DYNAMIC_SHARED_OPT_IN) return CUDA_ERROR_INVALID_VALUE;
    function->maxDynamicShared = value;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned shared, CUstream stream, void** params, void** extra) {
    std::lock_guard<std::recursive_mutex> g(driver_lock);
    if (!has_context()) return CUDA_ERROR_INVALID_CONTEXT;
    if (functions.count(function) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (CUresult r = check_stream("cuLaunchKernel", stream)) return r;
    const char* name = function->kernel->name;
    if (extra != nullptr) unimplemented("cuLaunchKernel with `extra` parameters");
    if (shared > (unsigned)function->maxDynamicShared) {
        char what[160];
        snprintf(what, sizeof what, "%s: %u bytes of dynamic shared memory, %d allowed (cuFuncSetAttribute)", name, shared,
                 function->maxDynamicShared);
        return fail(CUDA_ERROR_INVALID_VALUE, what);
    }
    if ((unsigned long long)bx * by * bz > 1024 || gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 ||
        gx > 2147483647u || gy > 65535 || gz > 65535) {
        char what[160];
        snprintf(what, sizeof what, "%s: invalid launch configuration grid (%u,%u,%u) block (%u,%u,%u)", name, gx, gy, gz, bx, by, bz);
        return fail(CUDA_ERROR_INVALID_VALUE, what);
    }
    auto start = std::chrono::steady_clock::now();
    CUresult r = function->kernel->launch(name, dim3(gx, gy, gz), dim3(bx, by, bz), shared, params);
    if (trace) {
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        fprintf(stderr, "emulated CUDA driver: %s grid (%u,%u,%u) block (%u,%u,%u) shared %u: %.2f ms%s\n", name, gx, gy, gz, bx,
                by, bz, shared, ms, r == CUDA_SUCCESS ? "" : " FAILED");
    }
    return r;
}

namespace {
const char* error_name(CUresult e) {
    switch (e) {
        case CUDA_SUCCESS: return "CUDA_SUCCESS";
        case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case CUDA_ERROR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        case CUDA_ERROR_NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
        default: return nullptr;
    }
}
}  // namespace

EXPORT CUresult cuGetErrorName(CUresult e, const char** name) {
    if (name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *name = error_name(e);
    return *name != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

EXPORT CUresult cuGetErrorString(CUresult e, const char** text) {
    if (text == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *text = error_name(e);  // the emulated driver's messages go to stderr
    return *text != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// ---------------------------------------------------------------------------------------------
// Everything else JCuda's native library binds (nm -D --undefined-only libJCudaDriver-12.6.0-*.so):
// calling any of these stops the process, naming the function.

#define UNIMPLEMENTED_DRIVER_FUNCTIONS(X) \
    X(cuArray3DCreate_v2) X(cuArray3DGetDescriptor_v2) X(cuArrayCreate_v2) X(cuArrayDestroy) \
    X(cuArrayGetDescriptor_v2) X(cuArrayGetMemoryRequirements) X(cuArrayGetPlane) X(cuArrayGetSparseProperties) \
    X(cuCtxAttach) X(cuCtxDetach) X(cuCtxDisablePeerAccess) X(cuCtxEnablePeerAccess) X(cuCtxGetApiVersion) \
    X(cuCtxGetCacheConfig) X(cuCtxGetDevice) X(cuCtxGetFlags) X(cuCtxGetId) X(cuCtxGetLimit) \
    X(cuCtxGetSharedMemConfig) X(cuCtxGetStreamPriorityRange) X(cuCtxPopCurrent_v2) X(cuCtxPushCurrent_v2) \
    X(cuCtxSetCacheConfig) X(cuCtxSetLimit) X(cuCtxSetSharedMemConfig) X(cuDeviceCanAccessPeer) \
    X(cuDeviceComputeCapability) X(cuDeviceGetByPCIBusId) X(cuDeviceGetP2PAttribute) X(cuDeviceGetPCIBusId) \
    X(cuDeviceGetProperties) X(cuDeviceGetTexture1DLinearMaxWidth) X(cuDeviceGetUuid) X(cuDevicePrimaryCtxGetState) \
    X(cuDevicePrimaryCtxRelease_v2) X(cuDevicePrimaryCtxReset_v2) X(cuDevicePrimaryCtxRetain) \
    X(cuDevicePrimaryCtxSetFlags_v2) X(cuEventCreate) X(cuEventDestroy_v2) X(cuEventElapsedTime) X(cuEventQuery) \
    X(cuEventRecord) X(cuEventRecordWithFlags) X(cuEventSynchronize) X(cuFuncGetAttribute) X(cuFuncGetModule) \
    X(cuFuncSetBlockShape) X(cuFuncSetCacheConfig) X(cuFuncSetSharedMemConfig) X(cuFuncSetSharedSize) \
    X(cuGLCtxCreate_v2) X(cuGLGetDevices_v2) X(cuGLInit) X(cuGLMapBufferObjectAsync_v2) X(cuGLMapBufferObject_v2) \
    X(cuGLRegisterBufferObject) X(cuGLSetBufferObjectMapFlags) X(cuGLUnmapBufferObject) X(cuGLUnmapBufferObjectAsync) \
    X(cuGLUnregisterBufferObject) X(cuGraphAddChildGraphNode) X(cuGraphAddDependencies) X(cuGraphAddEmptyNode) \
    X(cuGraphAddEventRecordNode) X(cuGraphAddEventWaitNode) X(cuGraphAddHostNode) X(cuGraphAddKernelNode_v2) \
    X(cuGraphAddMemcpyNode) X(cuGraphAddMemsetNode) X(cuGraphChildGraphNodeGetGraph) X(cuGraphClone) X(cuGraphCreate) \
    X(cuGraphDestroy) X(cuGraphDestroyNode) X(cuGraphEventRecordNodeGetEvent) X(cuGraphEventRecordNodeSetEvent) \
    X(cuGraphEventWaitNodeGetEvent) X(cuGraphEventWaitNodeSetEvent) X(cuGraphExecChildGraphNodeSetParams) \
    X(cuGraphExecDestroy) X(cuGraphExecEventRecordNodeSetEvent) X(cuGraphExecEventWaitNodeSetEvent) \
    X(cuGraphExecHostNodeSetParams) X(cuGraphExecKernelNodeSetParams_v2) X(cuGraphExecMemcpyNodeSetParams) \
    X(cuGraphExecMemsetNodeSetParams) X(cuGraphGetEdges) X(cuGraphGetNodes) X(cuGraphGetRootNodes) \
    X(cuGraphHostNodeGetParams) X(cuGraphHostNodeSetParams) X(cuGraphInstantiateWithFlags) \
    X(cuGraphKernelNodeCopyAttributes) X(cuGraphKernelNodeGetAttribute) X(cuGraphKernelNodeGetParams_v2) \
    X(cuGraphKernelNodeSetAttribute) X(cuGraphKernelNodeSetParams_v2) X(cuGraphLaunch) X(cuGraphMemcpyNodeGetParams) \
    X(cuGraphMemcpyNodeSetParams) X(cuGraphMemsetNodeGetParams) X(cuGraphNodeFindInClone) \
    X(cuGraphNodeGetDependencies) X(cuGraphNodeGetDependentNodes) X(cuGraphNodeGetType) X(cuGraphRemoveDependencies) \
    X(cuGraphUpload) X(cuGraphicsGLRegisterBuffer) X(cuGraphicsGLRegisterImage) X(cuGraphicsMapResources) \
    X(cuGraphicsResourceGetMappedMipmappedArray) X(cuGraphicsResourceGetMappedPointer_v2) \
    X(cuGraphicsResourceSetMapFlags_v2) X(cuGraphicsSubResourceGetMappedArray) X(cuGraphicsUnmapResources) \
    X(cuGraphicsUnregisterResource) X(cuIpcCloseMemHandle) X(cuIpcGetEventHandle) X(cuIpcGetMemHandle) \
    X(cuIpcOpenEventHandle) X(cuIpcOpenMemHandle_v2) X(cuLaunch) X(cuLaunchCooperativeKernel) \
    X(cuLaunchCooperativeKernelMultiDevice) X(cuLaunchGrid) X(cuLaunchGridAsync) X(cuLaunchHostFunc) \
    X(cuLinkAddData_v2) X(cuLinkAddFile_v2) X(cuLinkComplete) X(cuLinkCreate_v2) X(cuLinkDestroy) X(cuMemAddressFree) \
    X(cuMemAddressReserve) X(cuMemAdvise) X(cuMemAllocAsync) X(cuMemAllocFromPoolAsync) X(cuMemAllocHost_v2) \
    X(cuMemAllocManaged) X(cuMemAllocPitch_v2) X(cuMemCreate) X(cuMemExportToShareableHandle) X(cuMemFreeAsync) \
    X(cuMemFreeHost) X(cuMemGetAccess) X(cuMemGetAddressRange_v2) X(cuMemGetAllocationGranularity) \
    X(cuMemGetAllocationPropertiesFromHandle) X(cuMemGetInfo_v2) X(cuMemHostAlloc) X(cuMemHostGetDevicePointer_v2) \
    X(cuMemHostGetFlags) X(cuMemHostRegister_v2) X(cuMemHostUnregister) X(cuMemImportFromShareableHandle) X(cuMemMap) \
    X(cuMemPoolCreate) X(cuMemPoolDestroy) X(cuMemPoolTrimTo) X(cuMemPrefetchAsync) X(cuMemRangeGetAttribute) \
    X(cuMemRangeGetAttributes) X(cuMemRelease) X(cuMemRetainAllocationHandle) X(cuMemSetAccess) X(cuMemUnmap) \
    X(cuMemcpy2DAsync_v2) X(cuMemcpy2DUnaligned_v2) X(cuMemcpy2D_v2) X(cuMemcpy3DAsync_v2) X(cuMemcpy3DPeer) \
    X(cuMemcpy3DPeerAsync) X(cuMemcpy3D_v2) X(cuMemcpyAtoA_v2) X(cuMemcpyAtoD_v2) X(cuMemcpyAtoHAsync_v2) \
    X(cuMemcpyAtoH_v2) X(cuMemcpyDtoA_v2) X(cuMemcpyHtoAAsync_v2) X(cuMemcpyHtoA_v2) X(cuMemcpyPeer) \
    X(cuMemcpyPeerAsync) X(cuMemsetD2D16Async) X(cuMemsetD2D16_v2) X(cuMemsetD2D32Async) X(cuMemsetD2D32_v2) \
    X(cuMemsetD2D8Async) X(cuMemsetD2D8_v2) X(cuMipmappedArrayCreate) X(cuMipmappedArrayDestroy) \
    X(cuMipmappedArrayGetLevel) X(cuMipmappedArrayGetMemoryRequirements) X(cuMipmappedArrayGetSparseProperties) \
    X(cuModuleGetGlobal_v2) X(cuModuleGetLoadingMode) X(cuModuleGetSurfRef) X(cuModuleGetTexRef) X(cuModuleLoad) \
    X(cuModuleLoadDataEx) X(cuModuleLoadFatBinary) X(cuOccupancyAvailableDynamicSMemPerBlock) \
    X(cuOccupancyMaxActiveBlocksPerMultiprocessor) X(cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags) \
    X(cuOccupancyMaxPotentialBlockSize) X(cuOccupancyMaxPotentialBlockSizeWithFlags) X(cuParamSetSize) \
    X(cuParamSetTexRef) X(cuParamSetf) X(cuParamSeti) X(cuParamSetv) X(cuPointerGetAttribute) \
    X(cuPointerGetAttributes) X(cuPointerSetAttribute) X(cuProfilerInitialize) X(cuProfilerStart) X(cuProfilerStop) \
    X(cuStreamAddCallback) X(cuStreamAttachMemAsync) X(cuStreamBeginCapture_v2) X(cuStreamCopyAttributes) \
    X(cuStreamCreateWithPriority) X(cuStreamEndCapture) X(cuStreamGetAttribute) X(cuStreamGetCtx) X(cuStreamGetFlags) \
    X(cuStreamGetId) X(cuStreamGetPriority) X(cuStreamIsCapturing) X(cuStreamQuery) X(cuStreamSetAttribute) \
    X(cuStreamWaitEvent) X(cuStreamWaitValue32_v2) X(cuStreamWaitValue64_v2) X(cuStreamWriteValue32_v2) \
    X(cuStreamWriteValue64_v2) X(cuSurfObjectCreate) X(cuSurfObjectDestroy) X(cuSurfObjectGetResourceDesc) \
    X(cuSurfRefGetArray) X(cuSurfRefSetArray) X(cuTexObjectCreate) X(cuTexObjectDestroy) X(cuTexObjectGetResourceDesc) \
    X(cuTexObjectGetResourceViewDesc) X(cuTexObjectGetTextureDesc) X(cuTexRefCreate) X(cuTexRefDestroy) \
    X(cuTexRefGetAddressMode) X(cuTexRefGetAddress_v2) X(cuTexRefGetArray) X(cuTexRefGetBorderColor) \
    X(cuTexRefGetFilterMode) X(cuTexRefGetFlags) X(cuTexRefGetFormat) X(cuTexRefGetMaxAnisotropy) \
    X(cuTexRefGetMipmapFilterMode) X(cuTexRefGetMipmapLevelBias) X(cuTexRefGetMipmapLevelClamp) \
    X(cuTexRefGetMipmappedArray) X(cuTexRefSetAddress2D_v3) X(cuTexRefSetAddressMode) X(cuTexRefSetAddress_v2) \
    X(cuTexRefSetArray) X(cuTexRefSetBorderColor) X(cuTexRefSetFilterMode) X(cuTexRefSetFlags) X(cuTexRefSetFormat) \
    X(cuTexRefSetMaxAnisotropy) X(cuTexRefSetMipmapFilterMode) X(cuTexRefSetMipmapLevelBias) \
    X(cuTexRefSetMipmapLevelClamp) X(cuTexRefSetMipmappedArray) X(cuThreadExchangeStreamCaptureMode)

#define UNIMPLEMENTED_STUB(name) \
    EXPORT CUresult name(...) { unimplemented(#name); }
UNIMPLEMENTED_DRIVER_FUNCTIONS(UNIMPLEMENTED_STUB)
