// A small driver over llama.cpp's C API (the build shipped in node-llama-cpp 3.21.1, llama.cpp
// release "v0.4.0" of that package), used as the speed and correctness anchor of the bench module.
// Built by setup.sh beside this file; see bench/README.md, "llama.cpp, the anchor".
//
//   llama_driver speed MODEL.gguf THREADS DECODE_TOKENS PROMPT_TOKENS
//       -> "decode_tok_s prefill_tok_s" on one line (as SpeedRun prints them)
//   llama_driver greedy MODEL.gguf N ID1 ID2 ...
//       -> the N ids decoded greedily after the prompt, space-separated
//   llama_driver tokenize MODEL.gguf TEXT|-
//       -> llama.cpp's ids for TEXT (BOS added as the model's metadata asks), space-separated;
//          with "-", one line per NUL-terminated text on stdin
//   llama_driver quantize IN.gguf OUT.gguf TYPE [pure] [requantize] [keep-output]
//       -> llama.cpp writes OUT from IN with llama_model_quantize, TYPE one of f32 f16 bf16 q8_0
//          q4_0 q4_1 q5_0 q5_1 q4_k_s q4_k_m q5_k_s q5_k_m q6_k q2_k q3_k_m iq4_nl iq4_xs; then
//          "NAME TYPE" for each tensor OUT holds. Default llama.cpp's own mix for TYPE (as
//          llama-quantize: output.weight to Q6_K for the K and 4-bit types, some attn_v/ffn_down
//          up a type in the _M mixes, a row that is no whole number of blocks in a fallback type);
//          pure: every quantizable matrix TYPE (still the fallback for such rows); requantize:
//          allow_requantize; keep-output: output.weight left as it is (quantize_output_tensor off)
//   llama_driver prompt N VOCAB
//       -> the N-token prompt that speed prefills (SpeedRun.randomPrompt's), space-separated
//   llama_driver variants
//       -> each CPU backend build in the library folder and its score on this CPU (0: cannot run)
//
// Plain numbers go to stdout, diagnostics to stderr. llama.cpp's own log is dropped unless
// KC_LLAMA_VERBOSE=1.
//
// Environment:
//   KC_LLAMA_LIB_DIR  folder holding libllama / libggml-cpu-*.so (default: the one compiled in)
//   KC_LLAMA_CPU      CPU backend build to load: zen4, icelake, haswell, ... (default: the best
//                     scoring one on this CPU, as ggml_backend_load_all() would choose)
//   KC_LLAMA_FA       flash attention: auto (default, llama.cpp's default), on or off
//   KC_LLAMA_REPACK   1 (default, llama.cpp's default: weights repacked for the CPU's kernels) or 0
//   KC_LLAMA_VERBOSE  1: pass llama.cpp's log through to stderr
//   KC_LLAMA_THREADS  threads for greedy and tokenize (default 1; speed takes THREADS)

#include "llama.h"
#include "ggml.h"
#include "ggml-backend.h"
#include "gguf.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef KC_LLAMA_DEFAULT_LIB_DIR
#define KC_LLAMA_DEFAULT_LIB_DIR "."
#endif

static int verbose = 0;

// llama.cpp's error lines (the tail), quoted when the driver gives up
static char errors[2048];
static int in_error = 0;

static void log_cb(enum ggml_log_level level, const char * text, void * user) {
    (void) user;
    if (verbose) fputs(text, stderr);
    if (level != GGML_LOG_LEVEL_CONT) in_error = level == GGML_LOG_LEVEL_ERROR;
    if (!in_error) return;
    size_t have = strlen(errors), add = strlen(text);
    if (add >= sizeof errors) { text += add - (sizeof errors - 1); add = sizeof errors - 1; }
    if (have + add >= sizeof errors) {
        size_t drop = have + add - (sizeof errors - 1);
        memmove(errors, errors + drop, have - drop + 1);
        have -= drop;
    }
    memcpy(errors + have, text, add + 1);
}

static void die(const char * msg, const char * arg) {
    fprintf(stderr, "llama_driver: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    if (errors[0]) {
        size_t n = strlen(errors);
        fprintf(stderr, "llama.cpp: %s%s", errors, n && errors[n - 1] == '\n' ? "" : "\n");
    }
    exit(2);
}

static const char * lib_dir(void) {
    const char * d = getenv("KC_LLAMA_LIB_DIR");
    return d && *d ? d : KC_LLAMA_DEFAULT_LIB_DIR;
}

// The score a CPU backend build gives itself on this machine (0: it needs an instruction this CPU
// lacks), read the way ggml_backend_load_best() reads it. -1: not loadable.
static int variant_score(const char * path) {
    void * h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return -1;
    int (*score)(void) = (int (*)(void)) dlsym(h, "ggml_backend_score");
    int s = score ? score() : -1;
    dlclose(h);
    return s;
}

typedef struct { char name[64]; char path[PATH_MAX]; int score; } variant;

static int list_variants(variant * out, int max) {
    DIR * d = opendir(lib_dir());
    if (!d) die("cannot open the library folder (set KC_LLAMA_LIB_DIR)", lib_dir());
    int n = 0;
    const char * prefix = "libggml-cpu-";
    struct dirent * e;
    while ((e = readdir(d)) && n < max) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 4 || strcmp(e->d_name + len - 3, ".so") != 0) continue;
        variant * v = &out[n++];
        snprintf(v->name, sizeof v->name, "%.*s", (int) (len - strlen(prefix) - 3), e->d_name + strlen(prefix));
        snprintf(v->path, sizeof v->path, "%s/%s", lib_dir(), e->d_name);
        v->score = variant_score(v->path);
    }
    closedir(d);
    // sorted by name, so the listing is stable
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(out[j - 1].name, out[j].name) > 0; j--) { variant t = out[j]; out[j] = out[j - 1]; out[j - 1] = t; }
    return n;
}

// Loads one CPU backend build (KC_LLAMA_CPU, or the best scoring) before llama_backend_init(),
// which then loads nothing more.
static void load_cpu_backend(void) {
    variant vs[64];
    int n = list_variants(vs, 64);
    if (n == 0) die("no libggml-cpu-*.so in the library folder", lib_dir());
    const char * want = getenv("KC_LLAMA_CPU");
    const variant * pick = NULL;
    for (int i = 0; i < n; i++) {
        if (want && *want) {
            if (strcmp(vs[i].name, want) == 0) pick = &vs[i];
        } else if (vs[i].score > 0 && (!pick || vs[i].score > pick->score)) {
            pick = &vs[i];
        }
    }
    if (!pick) die(want && *want ? "no such CPU backend build (see `llama_driver variants`)" : "no CPU backend build runs on this CPU", want);
    if (pick->score <= 0) die("this CPU backend build cannot run on this CPU (score 0)", pick->name);
    if (!ggml_backend_load(pick->path)) die("ggml_backend_load failed", pick->path);
    fprintf(stderr, "llama_driver: CPU backend %s (score %d), %s\n", pick->name, pick->score, llama_print_system_info());
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static struct llama_model * load_model(const char * path, int vocab_only) {
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.load_mode = LLAMA_LOAD_MODE_MMAP;
    mp.vocab_only = vocab_only;
    const char * repack = getenv("KC_LLAMA_REPACK");
    if (repack && strcmp(repack, "0") == 0) mp.use_extra_bufts = false;
    struct llama_model * m = llama_model_load_from_file(path, mp);
    if (!m) die("llama.cpp could not load the model (KC_LLAMA_VERBOSE=1 shows its whole log)", path);
    return m;
}

static struct llama_context * new_context(struct llama_model * m, int n_ctx, int n_batch, int threads) {
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) n_ctx;
    cp.n_batch = (uint32_t) n_batch;
    cp.n_ubatch = (uint32_t) n_batch;
    cp.n_seq_max = 1;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    const char * fa = getenv("KC_LLAMA_FA");
    if (fa && strcmp(fa, "on") == 0) cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    else if (fa && strcmp(fa, "off") == 0) cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    else if (fa && *fa && strcmp(fa, "auto") != 0) die("KC_LLAMA_FA must be auto, on or off", fa);
    struct llama_context * c = llama_init_from_model(m, cp);
    if (!c) die("llama_init_from_model failed (KC_LLAMA_VERBOSE=1 shows llama.cpp's whole log)", NULL);
    fprintf(stderr, "llama_driver: n_ctx %u, n_batch %u, threads %d, flash attention %s\n", llama_n_ctx(c), cp.n_batch,
            threads, llama_flash_attn_type_name(cp.flash_attn_type));
    return c;
}

// The greedy choice: the first index of the largest logit (as torch.argmax and our Sampler).
static int argmax(const float * logits, int n, float * margin) {
    int best = 0;
    float top = logits[0], second = -INFINITY;
    for (int i = 1; i < n; i++) {
        if (logits[i] > top) { second = top; top = logits[i]; best = i; }
        else if (logits[i] > second) second = logits[i];
    }
    if (margin) *margin = top - second;
    return best;
}

// Runs tokens[0..n) at positions pos..pos+n-1 in one llama_decode; logits for the last only.
static void run_batch(struct llama_context * c, struct llama_batch * b, const llama_token * tokens, int n, int pos) {
    b->n_tokens = n;
    for (int i = 0; i < n; i++) {
        b->token[i] = tokens[i];
        b->pos[i] = pos + i;
        b->n_seq_id[i] = 1;
        b->seq_id[i][0] = 0;
        b->logits[i] = i == n - 1;
    }
    int rc = llama_decode(c, *b);
    if (rc != 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "%d", rc);
        die("llama_decode returned", msg);
    }
    llama_synchronize(c);
}

// java.util.SplittableRandom(seed).nextInt(bound), so the prompt is SpeedRun.randomPrompt's.
typedef struct { uint64_t seed; } splitmix;
static int32_t sm_next_int(splitmix * r) {
    uint64_t z = (r->seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 33)) * 0x62a9d9ed799705f5ULL;
    return (int32_t) (((z ^ (z >> 28)) * 0xcb24d0a5c88c35b3ULL) >> 32);
}
static int32_t sm_bounded(splitmix * r, int32_t bound) {
    int32_t rr = sm_next_int(r), m = bound - 1;
    if ((bound & m) == 0) return rr & m;
    for (int32_t u = (int32_t) ((uint32_t) rr >> 1); u + m - (rr = u % bound) < 0; u = (int32_t) ((uint32_t) sm_next_int(r) >> 1)) {}
    return rr;
}

static int parse_int(const char * s, const char * what, int min) {
    char * end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || v < min || v > INT32_MAX) die(what, s);
    return (int) v;
}

static int env_threads(void) {
    const char * t = getenv("KC_LLAMA_THREADS");
    return t && *t ? parse_int(t, "KC_LLAMA_THREADS must be a positive integer", 1) : 1;
}

// BOS then ids in [3, vocab), seeded: SpeedRun.randomPrompt's prompt
static llama_token * random_prompt(int n, int n_vocab) {
    llama_token * prompt = malloc(sizeof(llama_token) * (size_t) n);
    splitmix rng = { 1000 };
    prompt[0] = 1;
    for (int i = 1; i < n; i++) prompt[i] = 3 + sm_bounded(&rng, n_vocab - 3);
    return prompt;
}

static int cmd_speed(int argc, char ** argv) {
    if (argc != 6) die("usage: speed MODEL.gguf THREADS DECODE_TOKENS PROMPT_TOKENS", NULL);
    int threads = parse_int(argv[3], "THREADS must be a positive integer", 1);
    int n_decode = parse_int(argv[4], "DECODE_TOKENS must be a positive integer", 1);
    int n_prompt = parse_int(argv[5], "PROMPT_TOKENS must be a positive integer", 1);
    struct llama_model * m = load_model(argv[2], 0);
    const struct llama_vocab * vocab = llama_model_get_vocab(m);
    int n_vocab = llama_vocab_n_tokens(vocab);
    int n_batch = n_prompt;
    struct llama_context * c = new_context(m, n_prompt + n_decode, n_batch, threads);
    llama_memory_t mem = llama_get_memory(c);
    struct llama_batch b = llama_batch_init(n_batch, 0, 1);

    llama_token * prompt = random_prompt(n_prompt, n_vocab);

    // warm-up (untimed): a short decode and the whole prefill, so every graph shape has been built
    llama_token tok = 1;
    for (int pos = 0; pos < (n_decode < 8 ? n_decode : 8); pos++) {
        run_batch(c, &b, &tok, 1, pos);
        tok = argmax(llama_get_logits_ith(c, -1), n_vocab, NULL);
    }
    llama_memory_clear(mem, true);
    run_batch(c, &b, prompt, n_prompt, 0);
    llama_memory_clear(mem, true);

    // decode: positions 0..n-1 from BOS, one token a call, feeding back the argmax (SpeedRun.decode)
    tok = 1;
    double t0 = now_s();
    for (int pos = 0; pos < n_decode; pos++) {
        run_batch(c, &b, &tok, 1, pos);
        tok = argmax(llama_get_logits_ith(c, -1), n_vocab, NULL);
    }
    double decode = n_decode / (now_s() - t0);
    llama_memory_clear(mem, true);

    // prefill: the whole prompt in one llama_decode (one ubatch)
    t0 = now_s();
    run_batch(c, &b, prompt, n_prompt, 0);
    double prefill = n_prompt / (now_s() - t0);

    printf("%.3f %.3f\n", decode, prefill);
    fprintf(stderr, "llama_driver: model %s, %.1f MiB of weights, %d threads, %d decoded, %d-token prompt\n", argv[2],
            llama_model_size(m) / 1048576.0, threads, n_decode, n_prompt);
    free(prompt);
    llama_batch_free(b);
    llama_free(c);
    llama_model_free(m);
    return 0;
}

static int cmd_greedy(int argc, char ** argv) {
    if (argc < 5) die("usage: greedy MODEL.gguf N ID1 ID2 ...", NULL);
    int n_new = parse_int(argv[3], "N must be a non-negative integer", 0);
    int n_prompt = argc - 4;
    llama_token * prompt = malloc(sizeof(llama_token) * (size_t) n_prompt);
    for (int i = 0; i < n_prompt; i++) prompt[i] = parse_int(argv[4 + i], "token ids must be non-negative integers", 0);
    struct llama_model * m = load_model(argv[2], 0);
    int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(m));
    for (int i = 0; i < n_prompt; i++)
        if (prompt[i] >= n_vocab) die("a prompt id is not below the vocabulary size", argv[4 + i]);
    struct llama_context * c = new_context(m, n_prompt + n_new, n_prompt, env_threads());
    struct llama_batch b = llama_batch_init(n_prompt, 0, 1);
    run_batch(c, &b, prompt, n_prompt, 0);
    float min_margin = INFINITY;
    int min_at = -1;
    float * margins = malloc(sizeof(float) * (size_t) (n_new ? n_new : 1));
    for (int i = 0; i < n_new; i++) {
        llama_token tok = argmax(llama_get_logits_ith(c, -1), n_vocab, &margins[i]);
        if (margins[i] < min_margin) { min_margin = margins[i]; min_at = i; }
        printf(i ? " %d" : "%d", tok);
        if (i + 1 < n_new) run_batch(c, &b, &tok, 1, n_prompt + i);
    }
    printf("\n");
    fprintf(stderr, "llama_driver: smallest top-2 logit margin %.6f (generated token %d)\n", min_margin, min_at);
    fprintf(stderr, "llama_driver: top-2 logit margins:");
    for (int i = 0; i < n_new; i++) fprintf(stderr, " %.6f", margins[i]);
    fprintf(stderr, "\n");
    free(margins);
    free(prompt);
    llama_batch_free(b);
    llama_free(c);
    llama_model_free(m);
    return 0;
}

static void print_tokens(const struct llama_vocab * vocab, const char * text, int len) {
    int cap = len + 8;
    llama_token * ids = malloc(sizeof(llama_token) * (size_t) cap);
    int n = llama_tokenize(vocab, text, len, ids, cap, true, false);
    if (n < 0 && n != INT32_MIN) {
        cap = -n;
        ids = realloc(ids, sizeof(llama_token) * (size_t) cap);
        n = llama_tokenize(vocab, text, len, ids, cap, true, false);
    }
    if (n < 0) die("llama_tokenize failed", NULL);
    for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
    printf("\n");
    free(ids);
}

// TEXT "-": the texts come on stdin, each ended by a NUL byte; one line of ids per text
static int cmd_tokenize(int argc, char ** argv) {
    if (argc != 4) die("usage: tokenize MODEL.gguf TEXT (or - for NUL-terminated texts on stdin)", NULL);
    struct llama_model * m = load_model(argv[2], 1);
    const struct llama_vocab * vocab = llama_model_get_vocab(m);
    if (strcmp(argv[3], "-") != 0) {
        print_tokens(vocab, argv[3], (int) strlen(argv[3]));
    } else {
        size_t cap = 1 << 16, len = 0;
        char * buf = malloc(cap);
        int ch;
        while ((ch = getchar()) != EOF) {
            if (len + 1 >= cap) buf = realloc(buf, cap *= 2);
            buf[len++] = (char) ch;
            if (ch == 0) {
                print_tokens(vocab, buf, (int) len - 1);
                len = 0;
            }
        }
        if (len) die("stdin does not end with a NUL byte", NULL);
        free(buf);
    }
    llama_model_free(m);
    return 0;
}

static const struct { const char * name; enum llama_ftype ftype; } FTYPES[] = {
    { "f32", LLAMA_FTYPE_ALL_F32 }, { "f16", LLAMA_FTYPE_MOSTLY_F16 }, { "bf16", LLAMA_FTYPE_MOSTLY_BF16 },
    { "q8_0", LLAMA_FTYPE_MOSTLY_Q8_0 }, { "q4_0", LLAMA_FTYPE_MOSTLY_Q4_0 }, { "q4_1", LLAMA_FTYPE_MOSTLY_Q4_1 },
    { "q5_0", LLAMA_FTYPE_MOSTLY_Q5_0 }, { "q5_1", LLAMA_FTYPE_MOSTLY_Q5_1 }, { "q4_k_s", LLAMA_FTYPE_MOSTLY_Q4_K_S },
    { "q4_k_m", LLAMA_FTYPE_MOSTLY_Q4_K_M }, { "q5_k_s", LLAMA_FTYPE_MOSTLY_Q5_K_S }, { "q5_k_m", LLAMA_FTYPE_MOSTLY_Q5_K_M },
    { "q6_k", LLAMA_FTYPE_MOSTLY_Q6_K }, { "q2_k", LLAMA_FTYPE_MOSTLY_Q2_K }, { "q3_k_m", LLAMA_FTYPE_MOSTLY_Q3_K_M },
    { "iq4_nl", LLAMA_FTYPE_MOSTLY_IQ4_NL }, { "iq4_xs", LLAMA_FTYPE_MOSTLY_IQ4_XS },
};

// llama.cpp writes OUT from IN (llama-quantize's work), then the tensor types OUT holds, read back
// with gguf.h: one "NAME TYPE" line each
static int cmd_quantize(int argc, char ** argv) {
    if (argc < 5) die("usage: quantize IN.gguf OUT.gguf TYPE [pure] [requantize] [keep-output]", NULL);
    struct llama_model_quantize_params qp = llama_model_quantize_default_params();
    int found = 0;
    for (size_t i = 0; i < sizeof FTYPES / sizeof FTYPES[0]; i++)
        if (strcmp(FTYPES[i].name, argv[4]) == 0) { qp.ftype = FTYPES[i].ftype; found = 1; }
    if (!found) die("unknown TYPE (f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k_s q4_k_m q5_k_s q5_k_m q6_k q2_k q3_k_m iq4_nl iq4_xs)", argv[4]);
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "pure") == 0) qp.pure = true;
        else if (strcmp(argv[i], "requantize") == 0) qp.allow_requantize = true;
        else if (strcmp(argv[i], "keep-output") == 0) qp.quantize_output_tensor = false;
        else die("unknown option (pure, requantize, keep-output)", argv[i]);
    }
    qp.nthread = env_threads();
    uint32_t rc = llama_model_quantize(argv[2], argv[3], &qp);
    if (rc != 0) die("llama_model_quantize failed (KC_LLAMA_VERBOSE=1 shows llama.cpp's whole log)", argv[3]);
    struct gguf_init_params gp = { .no_alloc = true, .ctx = NULL };
    struct gguf_context * g = gguf_init_from_file(argv[3], gp);
    if (!g) die("gguf_init_from_file could not read the file llama.cpp wrote", argv[3]);
    int64_t n = gguf_get_n_tensors(g);
    for (int64_t i = 0; i < n; i++) printf("%s %s\n", gguf_get_tensor_name(g, i), ggml_type_name(gguf_get_tensor_type(g, i)));
    gguf_free(g);
    return 0;
}

static int cmd_prompt(int argc, char ** argv) {
    if (argc != 4) die("usage: prompt N VOCAB", NULL);
    int n = parse_int(argv[2], "N must be a positive integer", 1);
    llama_token * p = random_prompt(n, parse_int(argv[3], "VOCAB must be an integer above 3", 4));
    for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", p[i]);
    printf("\n");
    free(p);
    return 0;
}

static int cmd_variants(void) {
    variant vs[64];
    int n = list_variants(vs, 64);
    for (int i = 0; i < n; i++) printf("%s %d %s\n", vs[i].name, vs[i].score, vs[i].path);
    return 0;
}

int main(int argc, char ** argv) {
    const char * v = getenv("KC_LLAMA_VERBOSE");
    verbose = v && strcmp(v, "1") == 0;
    llama_log_set(log_cb, NULL);
    ggml_log_set(log_cb, NULL);
    if (argc < 2) die("usage: llama_driver speed|greedy|tokenize|quantize|prompt|variants ... (see the comment at the top of llama_driver.c)", NULL);
    if (strcmp(argv[1], "variants") == 0) return cmd_variants();
    if (strcmp(argv[1], "prompt") == 0) return cmd_prompt(argc, argv);
    load_cpu_backend();
    llama_backend_init();
    int rc;
    if (strcmp(argv[1], "speed") == 0) rc = cmd_speed(argc, argv);
    else if (strcmp(argv[1], "greedy") == 0) rc = cmd_greedy(argc, argv);
    else if (strcmp(argv[1], "tokenize") == 0) rc = cmd_tokenize(argc, argv);
    else if (strcmp(argv[1], "quantize") == 0) rc = cmd_quantize(argc, argv);
    else die("unknown subcommand", argv[1]);
    llama_backend_free();
    return rc;
}
