package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.testing.Llama2cTokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23 acceptance 3: the bad-input corpus. Every command and option with bad values and bad
 * files, each run in this JVM: it either succeeds (expected "ok") or exits 2 with one line
 * "knowcoder: ..." that contains the expected text (the file, option or tensor it names); never
 * exit 1, a stack trace or a hang. Each case is a command line whose {NAME}s stand for files written
 * here once ({@link #FILES}) and whose {out} is a fresh path per case; the expected text may name
 * them too. Commands that report progress on stderr (training, schema build) may print it before the
 * one error line, which is then the last.
 */
class BadInputCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("\\{([a-z0-9-]+)}");
    /**
     * Each case's bound, on a thread of its own so that a case that never ends is stopped: far above the
     * second or so a case takes on a busy two-core machine, far below forever.
     */
    private static final int CASE_SECONDS = 20;

    @TempDir
    static Path tmp;
    /** The files the cases name, by placeholder. */
    private static final Map<String, Path> FILES = new HashMap<>();
    private static final AtomicInteger OUTS = new AtomicInteger();

    @BeforeAll
    static void writeFiles() throws IOException {
        file("missing", tmp.resolve("missing.bin"));
        file("dir", Files.createDirectory(tmp.resolve("a-directory")));
        file("empty", Files.createFile(tmp.resolve("empty")));
        file("binary", Files.write(tmp.resolve("binary.bin"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, (byte) 0x80, 'x', '\n'}));
        file("text", Files.writeString(tmp.resolve("text.txt"), "hello world\n"));
        file("dev-full", Path.of("/dev/full"));
        models();
        tokenizers();
        jsonLines();
        schemas();
        datasets();
        outputs();
        runs();
    }

    private static void file(String name, Path path) {
        FILES.put(name, path);
    }

    private static Path write(String name, String text) throws IOException {
        Path p = Files.writeString(tmp.resolve(name), text);
        file(name.replaceAll("\\.[a-z]+$", ""), p);
        return p;
    }

    /** The own models (llama2.c and Hugging Face) and broken copies of them. */
    private static void models() throws IOException {
        file("model", OwnModels.tinyV0());
        file("hf", OwnModels.tinyHf());
        file("q8", OwnModels.tinyQ8());
        Path bad = Files.createDirectory(tmp.resolve("bad-models"));
        file("model-cut", BadFiles.truncated(OwnModels.tinyV0(), 500_000, Files.createDirectory(bad.resolve("cut"))));
        file("model-header", BadFiles.truncated(OwnModels.tinyV0(), 20, Files.createDirectory(bad.resolve("header"))));
        file("model-longer", BadFiles.extended(OwnModels.tinyV1(), 4, Files.createDirectory(bad.resolve("longer"))));
        file("model-dim", BadFiles.withInt(OwnModels.tinyV0(), 0, -1, Files.createDirectory(bad.resolve("dim"))));
        file("model-heads", BadFiles.withInt(OwnModels.tinyV0(), 12, 6, Files.createDirectory(bad.resolve("heads"))));
        file("model-zero-heads", BadFiles.withInt(OwnModels.tinyV0(), 12, 0, Files.createDirectory(bad.resolve("zero-heads"))));
        file("model-zero-kv", BadFiles.withInt(OwnModels.tinyV0(), 16, 0, Files.createDirectory(bad.resolve("zero-kv"))));
        file("model-kv", BadFiles.withInt(OwnModels.tinyV0(), 16, 3, Files.createDirectory(bad.resolve("kv"))));
        file("model-version", BadFiles.withInt(OwnModels.tinyV1(), 4, 7, Files.createDirectory(bad.resolve("version"))));
        file("model-context", BadFiles.withInt(OwnModels.tinyV1(), 32, 1 << 30, Files.createDirectory(bad.resolve("context"))));
        file("model-vocab", BadFiles.withInt(OwnModels.tinyV0(), 20, 0, Files.createDirectory(bad.resolve("vocab"))));
        file("model-group", BadFiles.withInt(OwnModels.tinyQ8(), 37, 5, Files.createDirectory(bad.resolve("group"))));
        file("q8-cut", BadFiles.truncated(OwnModels.tinyQ8(), 175615, Files.createDirectory(bad.resolve("q8-cut"))));

        hf("hf-no-config", dir -> Files.delete(dir.resolve("config.json")));
        hf("hf-no-weights", dir -> Files.delete(dir.resolve("model.safetensors")));
        hfConfig("hf-config-text", "{\"hidden_size\": 64,");
        hfConfig("hf-config-array", "[1, 2]");
        hfConfig("hf-config-binary", "\u00ff\u00fe");
        for (String[] edit : new String[][] {
                {"gelu", "{\"hidden_act\": \"gelu\"}"},
                {"rope-scaling", "{\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}"},
                {"mistral", "{\"model_type\": \"mistral\", \"sliding_window\": 8}"},
                {"gemma", "{\"model_type\": \"gemma\"}"},
                {"attention-bias", "{\"attention_bias\": true}"},
                {"mlp-bias", "{\"mlp_bias\": true}"},
                {"head-dim", "{\"head_dim\": 4}"},
                {"eps", "{\"rms_norm_eps\": 0}"},
                {"eps-nan", "{\"rms_norm_eps\": \"NaN\"}"},
                {"theta", "{\"rope_theta\": -1}"},
                {"context", "{\"max_position_embeddings\": 2147483647}"},
                {"tied", "{\"tie_word_embeddings\": true}"},
                {"hidden-string", "{\"hidden_size\": \"sixty-four\"}"},
                {"hidden-missing", "{\"hidden_size\": null}"},
                {"layers-negative", "{\"num_hidden_layers\": -2}"},
                {"heads-zero", "{\"num_attention_heads\": 0}"},
                {"kv-heads-zero", "{\"num_key_value_heads\": 0}"},
                {"kv-heads-odd", "{\"num_key_value_heads\": 3}"},
                {"vocab-zero", "{\"vocab_size\": 0}"},
                {"vocab-larger", "{\"vocab_size\": 600}"},
                {"intermediate-larger", "{\"intermediate_size\": 352}"},
                {"dtype-odd", "{\"torch_dtype\": \"int4\"}"}}) {
            hf("hf-" + edit[0], dir -> merge(dir.resolve("config.json"), edit[1]));
        }
        BadFiles.Safetensors good = BadFiles.Safetensors.read(OwnModels.tinyHf().resolve("model.safetensors"));
        Path config = OwnModels.tinyHf().resolve("config.json");
        String kProj = "model.layers.0.self_attn.k_proj.weight";
        file("st-missing-tensor", good.editTensors(h -> h.remove(kProj)).writeHf(Files.createDirectory(bad.resolve("st-missing")), config));
        file("st-shape", good.editTensors(h -> h.with(kProj).putArray("shape").add(64).add(32)).writeHf(Files.createDirectory(bad.resolve("st-shape")), config));
        file("st-dtype", good.editTensors(h -> h.with(kProj).put("dtype", "I8")).writeHf(Files.createDirectory(bad.resolve("st-dtype")), config));
        file("st-offsets", good.editTensors(h -> h.with(kProj).putArray("data_offsets").add(0).add(1 << 30))
                .writeHf(Files.createDirectory(bad.resolve("st-offsets")), config));
        file("st-offsets-reversed", good.editTensors(h -> h.with(kProj).putArray("data_offsets").add(4096).add(0))
                .writeHf(Files.createDirectory(bad.resolve("st-reversed")), config));
        file("st-overlap", good.editTensors(h -> h.set("model.norm.weight", h.get("model.layers.0.input_layernorm.weight").deepCopy()))
                .writeHf(Files.createDirectory(bad.resolve("st-overlap")), config));
        file("st-not-json", good.withHeader("{\"a\": !!!}").writeHf(Files.createDirectory(bad.resolve("st-not-json")), config));
        file("st-header-array", good.withHeader("[1,2,3]").writeHf(Files.createDirectory(bad.resolve("st-header-array")), config));
        file("st-header-long", good.writeHf(Files.createDirectory(bad.resolve("st-header-long")), config, 10_000_000));
        file("st-header-negative", good.writeHf(Files.createDirectory(bad.resolve("st-header-negative")), config, -8));
        file("st-data-cut", good.withData(new byte[100]).writeHf(Files.createDirectory(bad.resolve("st-data-cut")), config));
        Path tiny = Files.createDirectory(bad.resolve("st-seven-bytes"));
        Files.copy(config, tiny.resolve("config.json"));
        Files.write(tiny.resolve("model.safetensors"), new byte[7]);
        file("st-seven-bytes", tiny);
        for (String[] index : new String[][] {
                {"passwd", "{\"weight_map\": {\"model.embed_tokens.weight\": \"/etc/passwd\"}}"},
                {"dotdot", "{\"weight_map\": {\"model.embed_tokens.weight\": \"../x.safetensors\"}}"},
                {"absent-shard", "{\"weight_map\": {\"model.embed_tokens.weight\": \"model-00001.safetensors\"}}"},
                {"no-map", "{\"metadata\": {}}"},
                {"map-array", "{\"weight_map\": [1, 2]}"},
                {"not-json", "{\"weight_map\": "}}) {
            hf("index-" + index[0], dir -> {
                Files.delete(dir.resolve("model.safetensors"));
                Files.writeString(dir.resolve("model.safetensors.index.json"), index[1]);
            });
        }
    }

    private interface Edit {
        void apply(Path dir) throws IOException;
    }

    /** A copy of the own Hugging Face model, edited. */
    private static void hf(String name, Edit edit) throws IOException {
        copy(name, OwnModels.tinyHf(), edit);
    }

    private static void hfConfig(String name, String config) throws IOException {
        hf(name, dir -> Files.writeString(dir.resolve("config.json"), config, StandardCharsets.ISO_8859_1));
    }

    /** Merges the JSON object {@code edits} into the JSON object in {@code file}. */
    private static void merge(Path file, String edits) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(file.toFile());
        n.setAll((ObjectNode) JSON.readTree(edits));
        JSON.writeValue(file.toFile(), n);
    }

    private static void tokenizers() throws IOException {
        file("tok", OwnModels.storiesTokenizer());
        byte[] good = Files.readAllBytes(OwnModels.storiesTokenizer());
        file("tok-cut", Files.write(tmp.resolve("tok-cut.bin"), Arrays.copyOf(good, 100)));
        file("tok-negative-length", BadFiles.withInt(OwnModels.storiesTokenizer(), 8, -5, Files.createDirectory(tmp.resolve("tok-neg"))));
        file("tok-huge-length", BadFiles.withInt(OwnModels.storiesTokenizer(), 8, Integer.MAX_VALUE, Files.createDirectory(tmp.resolve("tok-huge"))));
        file("tok-larger", Files.write(tmp.resolve("tok-larger.bin"), Llama2cTokenizers.ofSize(600)));
        file("spm-garbage", Files.write(tmp.resolve("garbage.model"), new byte[] {0x0A, 0x7F, 0x01}));
        file("spm-text", Files.writeString(tmp.resolve("text.model"), "not a model\n"));
    }

    private static void jsonLines() throws IOException {
        write("lines.jsonl", "{\"text\": \"once upon a time\"}\n{\"prompt\": \"the cat\", \"output\": \" sat\"}\n");
        write("texts.jsonl", "{\"text\": \"once upon a time\"}\n{\"text\": \"\"}\n");
        write("ids.jsonl", "{\"ids\": [1, 40, 300]}\n");
        write("not-json.jsonl", "{\"text\": \"ok\"}\n{not json\n");
        write("no-text.jsonl", "{\"ids\": [1]}\n");
        write("text-number.jsonl", "{\"text\": 5}\n");
        write("array.jsonl", "[1, 2, 3]\n");
        write("ids-range.jsonl", "{\"ids\": [1, 9999]}\n");
        write("ids-negative.jsonl", "{\"ids\": [-1]}\n");
        write("ids-strings.jsonl", "{\"ids\": [\"a\"]}\n");
        write("prompt-only.jsonl", "{\"prompt\": \"the cat\"}\n");
        write("blank.jsonl", "\n\n");
        file("bad-utf8-jsonl", Files.write(tmp.resolve("bad-utf8.jsonl"), new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'}));
        write("samples.jsonl", "{\"id\": \"1\", \"dataset\": \"X\", \"text\": \"Ann was born in Paris.\", \"entities\": "
                + "[{\"type\": \"human\", \"text\": \"Ann\", \"start\": 0, \"end\": 3}]}\n");
        write("samples-offsets.jsonl", "{\"id\": \"1\", \"dataset\": \"X\", \"text\": \"Ann.\", \"entities\": "
                + "[{\"type\": \"human\", \"text\": \"Ann\", \"start\": 2, \"end\": 99}]}\n");
        write("kelm.jsonl", "{\"text\": \"Ann was born in Paris.\", \"entities\": [{\"name\": \"Ann\", \"types\": [\"human\"]}]}\n");
        write("kelm-head.jsonl", "{\"text\": \"Ann.\", \"entities\": [{\"name\": \"Ann\", \"types\": [\"human\"]}], "
                + "\"relations\": [{\"type\": \"place of birth\", \"head\": 0, \"tail\": 7}]}\n");
        write("corpus.txt", "results = [Person(\"Ann\")] in line 1\n".repeat(50));
        write("items.jsonl", "{\"id\": \"Q5\", \"label\": \"human\", \"instances\": 100}\n");
        write("props.jsonl", "{\"id\": \"P26\", \"label\": \"spouse\"}\n");
        write("items-bad.jsonl", "{\"id\": \"Q5\", \"label\": \"human\", \"instances\": \"many\"}\n");
        write("cases.json", "{\"tasks\": [\n");
        write("cases-array.json", "[1, 2]\n");
        write("cases-empty.json", "{}\n");
    }

    private static void schemas() throws IOException {
        Path lib = tmp.resolve("schema.json");
        SchemaJson.write(SchemaLibrary.of(List.of(Concept.builder(Kind.ENTITY, "Human").build(), Concept.builder(Kind.ENTITY, "City").build(),
                Concept.builder(Kind.RELATION, "PlaceOfBirth").build())), lib);
        file("schema", lib);
        write("schema-not-json.json", "{\"format\": \"knowcoder-schema\", ");
        write("schema-format.json", "{\"format\": \"something-else\", \"version\": 1, \"concepts\": []}\n");
        write("schema-version.json", "{\"format\": \"knowcoder-schema\", \"version\": 99, \"concepts\": []}\n");
        write("schema-duplicate.json", "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": ["
                + "{\"kind\": \"entity\", \"name\": \"Human\"}, {\"kind\": \"entity\", \"name\": \"Human\"}]}\n");
        write("schema-parent.json", "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": ["
                + "{\"kind\": \"entity\", \"name\": \"Human\", \"parent\": \"Nobody\"}]}\n");
        write("schema-keyword.json", "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": [{\"kind\": \"entity\", \"name\": \"class\"}]}\n");
        write("schema-kind.json", "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": [{\"kind\": \"animal\", \"name\": \"Cat\"}]}\n");
        write("schema-no-name.json", "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": [{\"kind\": \"entity\"}]}\n");
        write("entities.py", "class Human(Entity):\n\tpass\n");
        write("parent.py", "class Human(Person):\n\tpass\n");
        write("syntax.py", "class Human(:\n\tpass\n");
        file("bad-utf8-py", Files.write(tmp.resolve("bad-utf8.py"), new byte[] {'c', 'l', 'a', 's', 's', ' ', (byte) 0xFF, '\n'}));
        write("class-defs.json", "{\"not\": \"class defs\"}\n");
        Path split = Files.createDirectory(tmp.resolve("split-library"));
        Files.writeString(split.resolve("entities.json"), "{\"format\": \"knowcoder-schema\", ");
        file("schema-split-bad", split);
    }

    /** The datasets of EvalCommandTest (conll2003 and conll04), and conll2003 test splits that are empty or broken. */
    private static void datasets() throws IOException {
        file("datasets", EvalCommandTest.datasets(tmp.resolve("datasets")));
        file("datasets-empty", conll("datasets-empty", ""));
        file("datasets-bad-line", conll("datasets-bad-line", "EU\tB-organisation\nrejects\n"));
        file("datasets-bad-tag", conll("datasets-bad-tag", "EU\tX-organisation\n"));
        Path latin1 = conll("datasets-utf8", "");
        Files.write(latin1.resolve("conll2003/test.txt"), "EU\tB-organisation\n\u00ff\tO\n".getBytes(StandardCharsets.ISO_8859_1));
        file("datasets-utf8", latin1);
        Path json = Files.createDirectories(tmp.resolve("datasets-conll04/conll04"));
        Files.writeString(json.resolve("conll04_test.json"), "[{\"tokens\": [\"Ann\"], \"entities\": [{\"type\": \"Peop\", \"start\": 0, \"end\": 5}], ");
        file("datasets-conll04", json.getParent());
    }

    private static Path conll(String name, String test) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name).resolve("conll2003"));
        Files.writeString(dir.resolve("test.txt"), test);
        return dir.getParent();
    }

    /** Outputs that cannot be written to: through a symbolic link, under a file, into a directory. */
    private static void outputs() throws IOException {
        Path target = Files.writeString(tmp.resolve("link-target.json"), "old");
        file("link", Files.createSymbolicLink(tmp.resolve("link.json"), target));
        file("link-dangling", Files.createSymbolicLink(tmp.resolve("dangling.json"), tmp.resolve("nowhere/x.json")));
        file("link-dev-full", Files.createSymbolicLink(tmp.resolve("full.json"), Path.of("/dev/full")));
        file("under-file", FILES.get("text").resolve("lib.json"));
    }

    /** A finished training run and a LoRA adapter, and broken copies of their checkpoints. */
    private static void runs() throws IOException {
        Path run = tmp.resolve("run");
        CliRun trained = CliRun.inProcess("train", "--model", OwnModels.tinyHf(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--data", FILES.get("lines"), "--out", run, "--steps", "2", "--batch", "1", "--seq-len", "8", "--threads", "1");
        assertEquals(0, trained.code(), trained::err);
        file("run", run);
        String step = "checkpoints/step-00000002/";
        copy("run-state-text", run, r -> Files.writeString(r.resolve(step + "state.json"), "{\"step\": "));
        copy("run-state-array", run, r -> Files.writeString(r.resolve(step + "state.json"), "[2]"));
        copy("run-state-empty", run, r -> Files.writeString(r.resolve(step + "state.json"), ""));
        copy("run-state-negative", run, r -> merge(r.resolve(step + "state.json"), "{\"step\": -5}"));
        copy("run-state-string", run, r -> merge(r.resolve(step + "state.json"), "{\"step\": \"two\"}"));
        copy("run-state-future", run, r -> merge(r.resolve(step + "state.json"), "{\"step\": 999}"));
        copy("run-state-crc", run, r -> merge(r.resolve(step + "state.json"), "{\"crc32c\": {\"params.safetensors\": 1}}"));
        copy("run-params-cut", run, r -> BadFiles.truncated(r.resolve(step + "params.safetensors"), 100, r.resolve(step)));
        copy("run-no-optimizer", run, r -> Files.delete(r.resolve(step + "optimizer.safetensors")));
        copy("run-metrics-binary", run, r -> Files.write(r.resolve("metrics.jsonl"), new byte[] {(byte) 0xFF, '\n'}));
        copy("run-metrics-text", run, r -> Files.writeString(r.resolve("metrics.jsonl"), "garbage\n"));
        copy("run-config-text", run, r -> Files.writeString(r.resolve("config.json"), "garbage"));

        Path ft = tmp.resolve("ft");
        CliRun tuned = CliRun.inProcess("finetune", "--model", OwnModels.tinyHf(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--data", FILES.get("lines"), "--out", ft, "--steps", "1", "--batch", "1", "--seq-len", "8", "--rank", "2", "--threads", "1");
        assertEquals(0, tuned.code(), tuned::err);
        file("adapter", ft.resolve("adapter"));
        copy("adapter-config-text", ft.resolve("adapter"), a -> Files.writeString(a.resolve("adapter_config.json"), "{\"r\": "));
        copy("adapter-no-config", ft.resolve("adapter"), a -> Files.delete(a.resolve("adapter_config.json")));
        copy("adapter-no-weights", ft.resolve("adapter"), a -> Files.delete(a.resolve("adapter_model.safetensors")));
        copy("adapter-rank", ft.resolve("adapter"), a -> merge(a.resolve("adapter_config.json"), "{\"r\": 3}"));
        copy("adapter-rank-zero", ft.resolve("adapter"), a -> merge(a.resolve("adapter_config.json"), "{\"r\": 0}"));
        copy("adapter-alpha", ft.resolve("adapter"), a -> merge(a.resolve("adapter_config.json"), "{\"lora_alpha\": -1}"));
        copy("adapter-targets", ft.resolve("adapter"), a -> merge(a.resolve("adapter_config.json"), "{\"target_modules\": [\"qkv\"]}"));
        copy("adapter-weights-cut", ft.resolve("adapter"),
                a -> BadFiles.truncated(a.resolve("adapter_model.safetensors"), 50, a));
    }

    /** A copy of the directory {@code src} as {@code {name}}, edited. */
    private static void copy(String name, Path src, Edit edit) throws IOException {
        Path dst = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                Path to = dst.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        edit.apply(dst);
        file(name, dst);
    }

    // ---------------------------------------------------------------------------------------------

    /** Runs the case and checks the contract: "ok" is exit 0; anything else is exit 2 and one line that contains it. */
    private static void check(String command, String expected) {
        CliRun run = CliRun.inProcess((Object[]) resolve(command).split(" "));
        if (expected.equals("ok")) {
            assertEquals(0, run.code(), () -> command + ": " + run.err());
            return;
        }
        List<String> lines = run.err().lines().toList();
        String want = resolve(expected);
        assertAll(command, () -> assertEquals(2, run.code(), () -> "exit code; stderr: " + run.err()),
                () -> assertEquals(1, lines.stream().filter(l -> l.startsWith("knowcoder: ")).count(), () -> "one error line: " + run.err()),
                () -> assertTrue(!lines.isEmpty() && lines.getLast().startsWith("knowcoder: "), () -> "the error is the last line: " + run.err()),
                () -> assertFalse(run.err().contains("Exception") || run.err().contains("\tat ") || run.err().contains("internal error"),
                        () -> "looks like a stack trace or an internal error: " + run.err()),
                () -> assertTrue(!lines.isEmpty() && lines.getLast().contains(want), () -> "should mention \"" + want + "\": " + run.err()));
    }

    /** {@code base} (options and their values) less the options that {@code options} gives, then {@code options}: picocli refuses an option twice. */
    private static String over(String base, String options) {
        Set<String> given = Stream.of(options.split(" ")).filter(w -> w.startsWith("--")).collect(Collectors.toSet());
        String[] words = base.split(" ");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < words.length; i += 2) {
            if (!given.contains(words[i])) out.append(words[i]).append(' ').append(words[i + 1]).append(' ');
        }
        return out + options;
    }

    /** {NAME} replaced by its file; {out} by a fresh path. */
    private static String resolve(String text) {
        Matcher m = NAME.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Path p = name.equals("out") ? tmp.resolve("out-" + OUTS.incrementAndGet()) : FILES.get(name);
            if (p == null) throw new IllegalArgumentException("no file {" + name + "} in the corpus");
            m.appendReplacement(out, Matcher.quoteReplacement(p.toString()));
        }
        return m.appendTail(out).toString();
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            generate --model {missing} --prompt-ids 1 --output-ids   | {missing}
            generate --model {dir} --prompt-ids 1 --output-ids       | {dir}
            generate --model {empty} --prompt-ids 1 --output-ids     | {empty}
            generate --model {binary} --prompt-ids 1 --output-ids    | {binary}
            generate --model {text} --prompt-ids 1 --output-ids      | {text}
            generate --model {dev-full} --prompt-ids 1 --output-ids  | /dev/full
            generate --model {model} --tokenizer {missing}           | {missing}
            generate --model {model} --tokenizer {dir}               | {dir}
            generate --model {model} --tokenizer {empty}             | {empty}
            generate --model {model} --tokenizer {binary}            | {binary}
            generate --model {model} --tokenizer {tok-cut}           | {tok-cut}
            generate --model {model} --tokenizer {tok-negative-length} | {tok-negative-length}
            generate --model {model} --tokenizer {tok-huge-length}   | {tok-huge-length}
            generate --model {model} --tokenizer {tok-larger}        | {tok-larger}
            generate --model {model} --tokenizer {spm-garbage}       | {spm-garbage}
            generate --model {model} --tokenizer {spm-text}          | {spm-text}
            generate --model {model} --tokenizer {tok} --prompt x --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,x --output-ids   | --prompt-ids
            generate --model {model} --prompt-ids , --output-ids --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 99999999999 --output-ids | 99999999999
            generate --model {model} --prompt-ids 1,512 --output-ids --steps 3 | id 512
            generate --model {model} --prompt-ids 1,-1 --output-ids --steps 3 | id -1
            generate --model {model} --prompt-ids 1,2 --output-ids --steps 1 | --steps 1
            generate --model {model} --prompt-ids 1,2 --output-ids --steps 100000 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --steps 0 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --steps -1 | --steps
            generate --model {model} --prompt-ids 1,2 --output-ids --steps 2147483647 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --steps 9999999999 | --steps
            generate --model {model} --prompt-ids 1,2 --output-ids --temperature NaN | --temperature
            generate --model {model} --prompt-ids 1,2 --output-ids --temperature -0.5 | --temperature
            generate --model {model} --prompt-ids 1,2 --output-ids --temperature Infinity | --temperature
            generate --model {model} --prompt-ids 1,2 --output-ids --temperature abc | --temperature
            generate --model {model} --prompt-ids 1,2 --output-ids --temperature 1e30 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --temperature 1e-30 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --top-p 0 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --top-p 1e-9 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --top-p 1.0000001 | --top-p
            generate --model {model} --prompt-ids 1,2 --output-ids --top-p NaN | --top-p
            generate --model {model} --prompt-ids 1,2 --output-ids --top-p -Infinity | --top-p
            generate --model {model} --prompt-ids 1,2 --output-ids --seed -1 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --seed x | --seed
            generate --model {model} --prompt-ids 1,2 --output-ids --threads 0 | --threads
            generate --model {model} --prompt-ids 1,2 --output-ids --threads -3 | --threads
            generate --model {model} --prompt-ids 1,2 --output-ids --threads 1000 --steps 3 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --threads many | --threads
            generate --model {model} --prompt-ids 1,2 --output-ids --device tpu | --device
            generate --model {model} --prompt-ids 1,2 --output-ids --quantize q4 | --quantize
            generate --model {model} --prompt-ids 1,2 --output-ids --quantize q8_0 --steps 3 --threads 1 | ok
            generate --model {q8} --prompt-ids 1,2 --output-ids --quantize q8_0 --steps 3 --threads 1 | ok
            generate --model {model} --prompt-ids 1,2 --output-ids --adapter {missing} | {missing}
            generate --model {model} --prompt-ids 1,2 --output-ids --adapter {text} | {text}
            generate --model {model} --prompt-ids 1,2 --output-ids --adapter {dir} | {dir}
            generate --model {model} --prompt x --steps 3 --threads 1 | ok
            generate --model {model} --steps 3 --threads 1           | ok
            generate --model {model} --prompt-ids 1 --unknown        | --unknown
            generate --model                                         | --model
            generate --model {model} --prompt-ids 1,2 --output-ids --steps 3 --threads 1 extra | extra
            """)
    void generateOptions(String command, String expected) {
        check(command, expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {model-cut}           | {model-cut}
            {model-header}        | {model-header}
            {model-longer}        | {model-longer}
            {model-dim}           | {model-dim}
            {model-heads}         | {model-heads}
            {model-zero-heads}    | {model-zero-heads}
            {model-zero-kv}       | {model-zero-kv}
            {model-kv}            | {model-kv}
            {model-version}       | {model-version}
            {model-context}       | {model-context}
            {model-vocab}         | {model-vocab}
            {model-group}         | {model-group}
            {q8-cut}              | {q8-cut}
            {hf-no-config}        | config.json
            {hf-no-weights}       | {hf-no-weights}
            {hf-config-text}      | config.json
            {hf-config-array}     | config.json
            {hf-config-binary}    | config.json
            {hf-gelu}             | hidden_act
            {hf-rope-scaling}     | rope_scaling
            {hf-mistral}          | sliding_window
            {hf-gemma}            | model_type
            {hf-attention-bias}   | attention_bias
            {hf-mlp-bias}         | mlp_bias
            {hf-head-dim}         | head_dim
            {hf-eps}              | rms_norm_eps
            {hf-eps-nan}          | rms_norm_eps
            {hf-theta}            | rope_theta
            {hf-context}          | max_position_embeddings
            {hf-tied}             | tie_word_embeddings
            {hf-hidden-string}    | hidden_size
            {hf-hidden-missing}   | hidden_size
            {hf-layers-negative}  | {hf-layers-negative}/config.json: every size must be positive
            {hf-heads-zero}       | {hf-heads-zero}/config.json: every size must be positive
            {hf-kv-heads-zero}    | {hf-kv-heads-zero}/config.json: every size must be positive
            {hf-kv-heads-odd}     | {hf-kv-heads-odd}/config.json: n_heads 8 is not a multiple of n_kv_heads 3
            {hf-vocab-zero}       | vocab_size
            {hf-vocab-larger}     | {hf-vocab-larger}
            {hf-intermediate-larger} | {hf-intermediate-larger}
            {hf-dtype-odd}        | ok
            {st-missing-tensor}   | model.layers.0.self_attn.k_proj.weight
            {st-shape}            | model.layers.0.self_attn.k_proj.weight
            {st-dtype}            | model.layers.0.self_attn.k_proj.weight
            {st-offsets}          | model.layers.0.self_attn.k_proj.weight
            {st-offsets-reversed} | model.layers.0.self_attn.k_proj.weight
            {st-overlap}          | overlap
            {st-not-json}         | {st-not-json}
            {st-header-array}     | {st-header-array}
            {st-header-long}      | {st-header-long}
            {st-header-negative}  | {st-header-negative}
            {st-data-cut}         | {st-data-cut}
            {st-seven-bytes}      | {st-seven-bytes}
            {index-passwd}        | /etc/passwd
            {index-dotdot}        | ../x.safetensors
            {index-absent-shard}  | model-00001.safetensors
            {index-no-map}        | weight_map
            {index-map-array}     | weight_map
            {index-not-json}      | model.safetensors.index.json
            """)
    void modelFiles(String model, String expected) {
        check("generate --model " + model + " --prompt-ids 1,2 --output-ids --steps 3 --threads 1", expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tokenize --tokenizer {tok} --input {texts}                    | ok
            tokenize --tokenizer {tok} --input {missing}                       | {missing}
            tokenize --tokenizer {tok} --input {dir}                           | {dir}
            tokenize --tokenizer {tok} --input {binary}                        | {binary}
            tokenize --tokenizer {tok} --input {empty}                         | ok
            tokenize --tokenizer {tok} --input {blank}                         | {blank} line 1
            tokenize --tokenizer {tok} --input {not-json}                      | {not-json}
            tokenize --tokenizer {tok} --input {no-text}                       | {no-text}
            tokenize --tokenizer {tok} --input {text-number}                   | {text-number}
            tokenize --tokenizer {tok} --input {array}                         | {array}
            tokenize --tokenizer {tok} --input {bad-utf8-jsonl}                | {bad-utf8-jsonl}
            tokenize --tokenizer {tok} --input {link-dangling}                 | {link-dangling}
            tokenize --tokenizer {tok} --decode --input {ids}                  | ok
            tokenize --tokenizer {tok} --decode --input {ids-range}            | {ids-range}
            tokenize --tokenizer {tok} --decode --input {ids-negative}         | {ids-negative}
            tokenize --tokenizer {tok} --decode --input {ids-strings}          | {ids-strings}
            tokenize --tokenizer {tok} --decode --input {lines}           | {lines}
            tokenize --tokenizer {tok} --lines --input {binary}                | ok
            tokenize --tokenizer {tok} --lines --pieces --input {corpus}       | ok
            tokenize --tokenizer {tok} --pieces --input {texts}           | --pieces
            tokenize --tokenizer {tok} --lines --decode --input {corpus}       | --decode
            tokenize --tokenizer {tok} --input {texts} --threads 0        | --threads
            tokenize --tokenizer {missing} --input {texts}                | {missing}
            tokenize --tokenizer {dir} --input {texts}                    | {dir}
            tokenize --tokenizer {empty} --input {texts}                  | {empty}
            tokenize --tokenizer {tok-cut} --input {texts}                | {tok-cut}
            tokenize --tokenizer {tok-negative-length} --input {texts}    | {tok-negative-length}
            tokenize --tokenizer {tok-huge-length} --input {texts}        | {tok-huge-length}
            tokenize --tokenizer {spm-garbage} --input {texts}            | {spm-garbage}
            tokenize --tokenizer {spm-text} --input {texts}               | {spm-text}
            tokenize --tokenizer {model} --input {texts}                  | {model}
            tokenize --input {texts}                                      | --tokenizer
            """)
    void tokenize(String command, String expected) {
        check(command, expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            train-tokenizer --input {corpus} --vocab-size 300 --output {out}                            | ok
            train-tokenizer --input {missing} --vocab-size 300 --output {out}                           | {missing}
            train-tokenizer --input {dir} --vocab-size 300 --output {out}                               | {dir}
            train-tokenizer --input {empty} --vocab-size 300 --output {out}                             | --vocab-size 300 is too large for this corpus
            train-tokenizer --input {binary} --vocab-size 300 --output {out}                            | --vocab-size 300 is too large for this corpus
            train-tokenizer --input {corpus} --vocab-size 0 --output {out}                              | --vocab-size
            train-tokenizer --input {corpus} --vocab-size -5 --output {out}                             | --vocab-size
            train-tokenizer --input {corpus} --vocab-size 100 --output {out}                            | --vocab-size
            train-tokenizer --input {corpus} --vocab-size 2147483647 --output {out}                     | --vocab-size
            train-tokenizer --input {corpus} --vocab-size 300 --model-type word --output {out}          | word
            train-tokenizer --input {corpus} --vocab-size 300 --character-coverage 0 --output {out}     | --character-coverage
            train-tokenizer --input {corpus} --vocab-size 300 --character-coverage 1.5 --output {out}   | --character-coverage
            train-tokenizer --input {corpus} --vocab-size 300 --character-coverage NaN --output {out}   | --character-coverage
            train-tokenizer --input {corpus} --vocab-size 300 --max-piece-length 0 --output {out}       | --max-piece-length
            train-tokenizer --input {corpus} --vocab-size 300 --input-sentence-size -1 --output {out}   | --input-sentence-size
            train-tokenizer --input {corpus} --vocab-size 300 --max-sentence-length 0 --output {out}    | --max-sentence-length
            train-tokenizer --input {corpus} --vocab-size 300 --unk-id -1 --output {out}                | --unk-id
            train-tokenizer --input {corpus} --vocab-size 300 --unk-id 1 --output {out}                 | id 1
            train-tokenizer --input {corpus} --vocab-size 300 --bos-id 400 --output {out}               | --bos-id
            train-tokenizer --input {corpus} --vocab-size 300 --pad-id -7 --output {out}                | --pad-id
            train-tokenizer --input {corpus} --vocab-size 300 --user-defined-symbols , --output {out}   | ok
            train-tokenizer --input {corpus} --vocab-size 300 --control-symbols <s> --output {out}      | <s>
            train-tokenizer --input {corpus} --vocab-size 300 --output {dir}                            | {dir}
            train-tokenizer --input {corpus} --vocab-size 300 --output {dev-full}                       | /dev/full
            train-tokenizer --input {corpus} --vocab-size 300 --output {under-file}                     | {text}
            train-tokenizer --input {corpus} --vocab-size 300 --output {link}                           | ok
            train-tokenizer --input {corpus} --vocab-size 300 --output {link-dev-full}                  | {link-dev-full}
            """)
    void trainTokenizer(String command, String expected) {
        check(command, expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            schema import {entities} --out {out}                         | ok
            schema import {missing} --out {out}                          | {missing}
            schema import {dir} --out {out}                              | {dir}
            schema import {bad-utf8-py} --out {out}                      | {bad-utf8-py}
            schema import {syntax} --out {out}                           | {syntax}
            schema import {parent} --out {out}                           | --stub-missing
            schema import {parent} --stub-missing --out {out}            | ok
            schema import {class-defs} --out {out}                       | {class-defs}
            schema import {text} --out {out}                             | {text}
            schema import {empty} --out {out}                            | ok
            schema import {entities} --out {dev-full}                    | /dev/full
            schema import {entities} --out {dir}                         | {dir}
            schema import {entities} --out {under-file}                  | {text}
            schema import {entities} --out {link}                        | ok
            schema import {entities} --out {link-dangling}               | ok
            schema import {entities} --out {link-dev-full}               | {link-dev-full}
            schema import {entities} --split --out {text}                | {text}
            schema import {entities}                                     | --out
            schema validate --library {schema}                           | ok
            schema validate --library {missing}                          | {missing}
            schema validate --library {dir}                              | {dir}: not a library directory
            schema validate --library {empty}                            | {empty}
            schema validate --library {binary}                           | {binary}
            schema validate --library {schema-not-json}                  | {schema-not-json}
            schema validate --library {schema-format}                    | {schema-format}
            schema validate --library {schema-version}                   | {schema-version}
            schema validate --library {schema-duplicate}                 | Human
            schema validate --library {schema-parent}                    | Nobody
            schema validate --library {schema-keyword}                   | class
            schema validate --library {schema-kind}                      | animal
            schema validate --library {schema-no-name}                   | {schema-no-name}
            schema validate --library {schema-split-bad}                 | {schema-split-bad}
            schema stats --library {schema}                              | ok
            schema stats --library {schema-not-json}                     | {schema-not-json}
            schema render --library {schema} --types Human,City          | ok
            schema render --library {schema} --types Nobody              | Nobody
            schema render --library {schema} --types Human,PlaceOfBirth  | PlaceOfBirth
            schema render --library {schema} --types Human --style plain | plain
            schema render --library {schema} --types Human --task xyz    | xyz
            schema render --library {schema} --types Human --task re     | Human
            schema render --library {schema} --types ,                   | ok
            schema build --items {items} --properties {props} --out {out}                     | ok
            schema build --items {missing} --properties {props} --out {out}                   | {missing}
            schema build --items {items-bad} --properties {props} --out {out}                 | ok
            schema build --items {not-json} --properties {props} --out {out}                  | {not-json}
            schema build --items {items} --properties {binary} --out {out}                    | {binary}
            schema build --items {items} --properties {props} --out {out} --min-instances -1  | --min-instances
            schema build --items {items} --properties {props} --out {dev-full}                | /dev/full
            schema frobnicate                                            | frobnicate
            """)
    void schema(String command, String expected) {
        check(command, expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            datasets {datasets}                                  | ok
            datasets {missing}                                   | {missing}
            datasets {text}                                      | {text}
            datasets {datasets} --dataset conll2099              | conll2099
            datasets {datasets-bad-line}                         | test.txt:2
            datasets {datasets-bad-tag}                          | test.txt:1
            datasets {datasets-utf8}                             | test.txt
            datasets {datasets-conll04}                          | conll04_test.json
            datasets {datasets} --write {out}                    | ok
            datasets {datasets} --write {text}                   | {text}
            datasets {datasets} --write {dev-full}               | /dev/full
            score --cases {cases}                                | {cases}
            score --cases {cases-array}                          | {cases-array}
            score --cases {cases-empty}                          | {cases-empty}
            score --cases {missing}                              | {missing}
            score --cases {dir}                                  | {dir}
            score --cases {binary}                               | {binary}
            """)
    void datasetsAndScore(String command, String expected) {
        check(command, expected);
    }

    private static final String EXTRACT = "--model {model} --tokenizer {tok} --datasets {datasets} --dataset conll2003 --threads 1 "
            + "--max-new-tokens 4";

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            extract --out {out}                                          | ok
            extract --out {out} --limit -1                               | --limit
            extract --out {out} --shots -2                               | --shots
            extract --out {out} --max-new-tokens 0                       | --max-new-tokens
            extract --out {out} --batch 0                                | --batch
            extract --out {out} --batch 100000                           | ok
            extract --out {out} --threads 0                              | --threads
            extract --out {out} --split dev                              | dev
            extract --out {out} --split ../../etc                        | ../../etc
            extract --out {out} --task xyz                               | xyz
            extract --out {out} --task re                                | [RE]
            extract --out {out} --dataset conll2099                      | conll2099
            extract --out {out} --dataset ,                              | --dataset
            extract --out {out} --schema {missing}                       | {missing}
            extract --out {out} --schema {schema-not-json}               | {schema-not-json}
            extract --out {out} --schema {schema-keyword}                | class
            extract --out {out} --benchmark-sample x                     | --benchmark-sample
            extract --out {out} --device tpu                             | --device
            extract --out {out} --quantize q4                            | --quantize
            extract --out {text}                                         | {text}
            extract --out {dev-full}                                     | /dev/full
            extract --out {out} --datasets {missing}                     | {missing}
            extract --out {out} --datasets {datasets-empty}              | no sentences
            extract --out {out} --datasets {datasets-bad-line}           | test.txt:2
            extract --out {out} --datasets {datasets-utf8}               | test.txt
            extract --out {out} --model {missing}                        | {missing}
            extract --out {out} --model {model-cut}                      | {model-cut}
            extract --out {out} --tokenizer {missing}                    | {missing}
            extract --out {out} --tokenizer {tok-larger}                 | {tok-larger}
            extract --out {out} --tokenizer {spm-garbage}                | {spm-garbage}
            extract --out {out} --limit 0                        | ok
            extract --out {out} --max-new-tokens -5              | --max-new-tokens
            extract --out {out} --shots 3                        | --shots needs a train split
            eval --out {out}                                     | ok
            eval --out {out} --offsets                           | ok
            eval --out {out} --dataset conll04 --task re         | ok
            eval --out {out} --max-new-tokens 0                  | --max-new-tokens
            eval --out {text}                                    | {text}
            eval --out {out} --schema {schema-split-bad}         | {schema-split-bad}
            eval --out {out} --datasets {datasets-conll04} --dataset conll04 | conll04_test.json
            """)
    void extractAndEval(String command, String expected) {
        String[] words = command.split(" ", 2);
        check(words[0] + " " + over(EXTRACT, words[1]), expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            understanding {kelm} --library {schema} --out {out}                             | ok
            understanding {kelm} --library {schema} --out {out} --max-tokens 0              | --max-tokens
            understanding {kelm} --library {schema} --out {out} --max-tokens -5             | --max-tokens
            understanding {kelm} --library {schema} --out {out} --form sideways             | sideways
            understanding {kelm} --library {schema} --out {out} --threads 0                 | --threads
            understanding {missing} --library {schema} --out {out}                          | {missing}
            understanding {dir} --library {schema} --out {out}                              | {dir}
            understanding {binary} --library {schema} --out {out}                           | {binary}
            understanding {kelm-head} --library {schema} --out {out}                        | ok
            understanding {kelm} --library {missing} --out {out}                            | {missing}
            understanding {kelm} --library {schema-not-json} --out {out}                    | {schema-not-json}
            understanding {kelm} --library {schema} --out {text}                            | {text}
            understanding {kelm} --library {schema} --out {out} --tokenizer {missing}       | {missing}
            understanding {kelm} --library {schema} --out {out} --tokenizer {tok-cut}       | {tok-cut}
            following {samples} --library {schema} --out {out}                              | ok
            following {samples} --library {schema} --out {out} --tasks xyz                  | xyz
            following {samples} --library {schema} --out {out} --negative-ratio -1          | --negative-ratio
            following {samples} --library {schema} --out {out} --negative-ratio NaN         | --negative-ratio
            following {samples} --library {schema} --out {out} --fully-negative 2           | --fully-negative
            following {samples} --library {schema} --out {out} --fully-negative NaN         | --fully-negative
            following {samples} --library {schema} --out {out} --fully-negative-classes -1  | --fully-negative-classes
            following {not-json} --library {schema} --out {out}                             | ok
            following {samples-offsets} --library {schema} --out {out}                      | {samples-offsets}
            following {bad-utf8-jsonl} --library {schema} --out {out}                       | {bad-utf8-jsonl}
            following {empty} --library {schema} --out {out}                                | ok
            following {array} --library {schema} --out {out}                                | every line of {array}
            following --library {schema} --out {out}                                        | SAMPLES
            """)
    void buildData(String options, String expected) {
        check("build-data " + options, expected);
    }

    private static final String TRAIN = "--model {hf} --tokenizer {tok} --data {lines} --steps 2 --batch 1 --seq-len 8 --threads 1";

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            train --out {out}                                            | ok
            train --out {out} --steps 0                                  | --steps
            train --out {out} --steps -1                                 | --steps
            train --out {out} --batch 0                                  | --batch
            train --out {out} --seq-len 0                                | --seq-len
            train --out {out} --seq-len 100000                           | --seq-len 100000
            train --out {out} --micro-batch 3 --batch 4                  | --micro-batch
            train --out {out} --micro-batch -1                           | --micro-batch
            train --out {out} --lr -1                                    | --lr
            train --out {out} --lr NaN                                   | --lr
            train --out {out} --warmup-ratio 2                           | --warmup-ratio
            train --out {out} --warmup-ratio NaN                         | --warmup-ratio
            train --out {out} --min-lr-ratio -0.5                        | --min-lr-ratio
            train --out {out} --min-lr-ratio 3                           | --min-lr-ratio
            train --out {out} --clip -1                                  | --clip
            train --out {out} --clip Infinity                            | ok
            train --out {out} --checkpoint-every 0%                      | --checkpoint-every
            train --out {out} --checkpoint-every 1000%                   | --checkpoint-every
            train --out {out} --checkpoint-every -3                      | --checkpoint-every
            train --out {out} --checkpoint-every 9999999999              | --checkpoint-every
            train --out {out} --seed abc                                 | --seed
            train --out {out} --data {missing}                           | {missing}
            train --out {out} --data {dir}                               | {dir}
            train --out {out} --data {empty}                             | {empty}
            train --out {out} --data {not-json}                          | {not-json}
            train --out {out} --data {no-text}                           | {no-text}
            train --out {out} --data {prompt-only}                       | {prompt-only}
            train --out {out} --data {bad-utf8-jsonl}                    | {bad-utf8-jsonl}
            train --out {out} --data {binary}                            | {binary}
            train --out {out} --tokenizer {tok-larger}                   | {tok-larger}
            train --out {out} --tokenizer {missing}                      | {missing}
            train --out {out} --model {missing}                          | {missing}
            train --out {out} --model {model-cut}                        | {model-cut}
            train --out {out} --model {hf-gelu}                          | hidden_act
            train --out {text}                                           | {text}
            train --out {dev-full}                                       | /dev/full
            train --out {run} --steps 4 --lr 1e-3                        | --allow-changed-options
            train --out {run} --steps 1                                  | --steps 1
            train --out {run-state-text} --steps 4                       | {run-state-text}/checkpoints/step-00000002/state.json
            train --out {run-state-array} --steps 4                      | {run-state-array}/checkpoints/step-00000002/state.json
            train --out {run-state-empty} --steps 4                      | {run-state-empty}/checkpoints/step-00000002/state.json
            train --out {run-state-negative} --steps 4                   | {run-state-negative}/checkpoints/step-00000002/state.json
            train --out {run-state-string} --steps 4                     | {run-state-string}/checkpoints/step-00000002/state.json
            train --out {run-state-future} --steps 4                     | {run-state-future}/checkpoints/step-00000002/state.json
            train --out {run-state-crc} --steps 4                        | {run-state-crc}/checkpoints/step-00000002/params.safetensors
            train --out {run-params-cut} --steps 4                       | {run-params-cut}/checkpoints/step-00000002/params.safetensors
            train --out {run-no-optimizer} --steps 4                     | {run-no-optimizer}/checkpoints/step-00000002/optimizer.safetensors
            train --out {run-metrics-binary} --steps 3                   | {run-metrics-binary}/metrics.jsonl
            train --out {run-metrics-text} --steps 3                     | ok
            train --out {run-config-text} --steps 3                      | ok
            finetune --out {out} --rank 2                                | ok
            finetune --out {out} --rank 0                                | rank
            finetune --out {out} --rank -4                               | rank
            finetune --out {out} --rank 100000                           | rank
            finetune --out {out} --alpha 0                               | alpha
            finetune --out {out} --alpha NaN                             | alpha
            finetune --out {out} --dropout 1                             | LoRA dropout
            finetune --out {out} --dropout -0.1                          | LoRA dropout
            finetune --out {out} --dropout NaN                           | LoRA dropout
            finetune --out {out} --targets qkv_proj                      | qkv_proj
            finetune --out {out} --targets ,                             | target module
            """)
    void training(String command, String expected) {
        String[] words = command.split(" ", 2);
        check(words[0] + " " + over(TRAIN, words[1]), expected);
    }

    @Timeout(value = CASE_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            merge-adapter --model {hf} --adapter {adapter} --out {out}                  | ok
            merge-adapter --model {hf} --adapter {adapter} --out {out} --dtype f16      | f16
            merge-adapter --model {hf} --adapter {missing} --out {out}                  | {missing}
            merge-adapter --model {hf} --adapter {text} --out {out}                     | {text}
            merge-adapter --model {hf} --adapter {adapter-config-text} --out {out}      | {adapter-config-text}/adapter_config.json
            merge-adapter --model {hf} --adapter {adapter-no-config} --out {out}        | {adapter-no-config}/adapter_config.json
            merge-adapter --model {hf} --adapter {adapter-no-weights} --out {out}       | {adapter-no-weights}/adapter_model.safetensors
            merge-adapter --model {hf} --adapter {adapter-rank} --out {out}             | {adapter-rank}
            merge-adapter --model {hf} --adapter {adapter-rank-zero} --out {out}        | {adapter-rank-zero}
            merge-adapter --model {hf} --adapter {adapter-alpha} --out {out}            | {adapter-alpha}
            merge-adapter --model {hf} --adapter {adapter-targets} --out {out}          | {adapter-targets}
            merge-adapter --model {hf} --adapter {adapter-weights-cut} --out {out}      | {adapter-weights-cut}/adapter_model.safetensors
            merge-adapter --model {model-cut} --adapter {adapter} --out {out}           | {model-cut}
            merge-adapter --model {hf} --adapter {adapter} --out {text}                 | {text}
            merge-adapter --model {hf} --adapter {adapter} --out {dev-full}             | /dev/full
            generate --model {hf} --adapter {adapter-rank} --prompt-ids 1 --output-ids  | {adapter-rank}
            generate --model {hf} --adapter {adapter-no-weights} --prompt-ids 1 --output-ids | {adapter-no-weights}/adapter_model.safetensors
            generate --model {model} --adapter {adapter} --prompt-ids 1 --output-ids --steps 3 --threads 1 | ok
            convert --model {hf} --to gguf --out {out}                                  | ok
            convert --model {q8} --to gguf --out {out} --quantize q8_0                  | ok
            convert --model {hf} --to gguf --out {out} --quantize q8_0                  | blk.0.ffn_down.weight
            convert --model {hf} --to gguf --out {out} --quantize q4_0                  | blk.0.ffn_down.weight
            convert --model {q8} --to gguf --out {out} --quantize q4_0                  | ok
            convert --model {q8} --to gguf --out {out} --quantize q4_k                  | token_embd.weight
            convert --model {q8} --to llama2c --out {out} --quantize q4_0               | --quantize q4_0
            convert --model {hf} --to gguf --out {out} --dtype f8                       | f8
            convert --model {hf} --to onnx --out {out}                                  | onnx
            convert --model {hf} --to hf --out {out} --dtype f16                        | f16
            convert --model {hf} --to llama2c --out {out} --dtype bf16                  | bf16
            convert --model {model-cut} --to gguf --out {out}                           | {model-cut}
            convert --model {hf} --to gguf --out {out} --tokenizer {text}               | {text}
            convert --model {hf} --to gguf --out {dev-full}                             | /dev/full
            convert --model {hf} --to gguf --out {dir}                                  | {dir}
            frobnicate                                                                  | frobnicate
            --threads 2                                                                 | --threads
            """)
    void adaptersAndTheCommandLine(String command, String expected) {
        check(command, expected);
    }
}
