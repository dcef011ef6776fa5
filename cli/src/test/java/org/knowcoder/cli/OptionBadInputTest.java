package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Bad options and missing files, caught before any model is read: one line, code 2, no fixtures
 * needed. Each case is the generate arguments after --model MODEL (a path that does not exist)
 * and what the line must say.
 */
class OptionBadInputTest {
    @TempDir
    static Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --prompt-ids 1 --output-ids     | MODEL: no such model file or directory
            --tokenizer TOKENIZER           | TOKENIZER: no such tokenizer file
            --device tpu                    | --device tpu: expected cpu or cuda
            --quantize q4                   | --quantize q4: expected q8_0, q4_0 or q4_k
            --steps abc                     | Invalid value for option '--steps': 'abc' is not an int
            --threads 0                     | --threads must be at least 1, got 0
            --temperature -1                | --temperature must be >= 0
            --temperature NaN               | --temperature must be >= 0 and finite, got NaN
            --temperature Infinity          | --temperature must be >= 0 and finite, got Infinity
            --top-p 1.5                     | --top-p must be in (0, 1], or 0 for no nucleus sampling, got 1.5
            --top-p -0.5                    | --top-p must be in (0, 1], or 0 for no nucleus sampling, got -0.5
            --top-p NaN                     | --top-p must be in (0, 1], or 0 for no nucleus sampling, got NaN
            --steps -1                      | --steps must be >= 0 (0: the model's context), got -1
            --prompt hi --prompt-ids 1,2    | give either --prompt or --prompt-ids, not both
            --top-k 5                       | Unknown options: '--top-k', '5'
            """)
    void rejected(String options, String expected) {
        Path model = tmp.resolve("model.bin"), tokenizer = tmp.resolve("tokenizer.bin");
        List<Object> args = new ArrayList<>(List.of("generate", "--model", model));
        args.addAll(List.of(options.replace("TOKENIZER", tokenizer.toString()).split(" ")));
        CliRun.inProcess(args.toArray()).assertBadInput(expected.replace("MODEL", model.toString()).replace("TOKENIZER", tokenizer.toString()));
    }

    /** train and finetune options, checked before the model or the data are read. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            train --clip -1         | --clip must be >= 0 (0: no clipping), got -1.0
            train --clip NaN        | --clip must be >= 0 (0: no clipping), got NaN
            train --lr 0            | --lr must be positive and finite, got 0.0
            train --lr NaN          | --lr must be positive and finite, got NaN
            train --warmup-ratio 2  | --warmup-ratio must be in [0, 1], got 2.0
            finetune --min-lr-ratio -1 | --min-lr-ratio must be in [0, 1], got -1.0
            finetune --alpha 0      | LoRA alpha must be positive, got 0.0
            finetune --alpha -64    | LoRA alpha must be positive, got -64.0
            finetune --alpha NaN    | LoRA alpha must be positive, got NaN
            """)
    void trainingOptionsRejected(String options, String expected) {
        String[] words = options.split(" ");
        List<Object> args = new ArrayList<>(List.of(words[0], "--model", tmp.resolve("model.bin"), "--tokenizer", tmp.resolve("tokenizer.model"),
                "--data", tmp.resolve("data.jsonl"), "--out", tmp.resolve("run")));
        args.addAll(List.of(words).subList(1, words.length));
        CliRun.inProcess(args.toArray()).assertBadInput(expected);
    }

    @Test
    void cudaWithoutAGpuSaysWhy() {
        boolean driver;
        try {
            SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
            driver = true;
        } catch (IllegalArgumentException e) {
            driver = false;
        }
        assumeFalse(driver, "this machine has an NVIDIA driver");
        CliRun.inProcess("generate", "--model", tmp.resolve("model.bin"), "--device", "cuda")
                .assertBadInput("--device cuda: no NVIDIA driver on this machine (libcuda.so.1 cannot be loaded)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            generate      | Missing required option: '--model=PATH'
            generat       | Unmatched argument at index 0: 'generat'; did you mean generate
            """)
    void badCommandLine(String args, String expected) {
        CliRun.inProcess((Object[]) args.split(" ")).assertBadInput(expected);
    }
}
