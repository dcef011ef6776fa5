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
            --quantize q4                   | --quantize supports q8_0 only, got q4
            --steps abc                     | Invalid value for option '--steps': 'abc' is not an int
            --threads 0                     | --threads must be at least 1, got 0
            --temperature -1                | --temperature must be >= 0
            --prompt hi --prompt-ids 1,2    | give either --prompt or --prompt-ids, not both
            --top-k 5                       | Unknown options: '--top-k', '5'
            """)
    void rejected(String options, String expected) {
        Path model = tmp.resolve("model.bin"), tokenizer = tmp.resolve("tokenizer.bin");
        List<Object> args = new ArrayList<>(List.of("generate", "--model", model));
        args.addAll(List.of(options.replace("TOKENIZER", tokenizer.toString()).split(" ")));
        CliRun.inProcess(args.toArray()).assertBadInput(expected.replace("MODEL", model.toString()).replace("TOKENIZER", tokenizer.toString()));
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
