package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Input and output files that cannot be used: the one line names the file and what it should have been. */
class FileErrorsTest {
    @TempDir
    Path tmp;

    /** A llama2.c tokenizer.bin of the 3 special pieces and the 256 byte pieces, the least it may hold. */
    static Path tinyTokenizer(Path tmp) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(8);
        bytes.write(header.array());
        for (int i = 0; i < 3 + 256; i++) {
            byte[] piece = (i < 3 ? new String[] {"<unk>", "<s>", "</s>"}[i] : String.format("<0x%02X>", i - 3)).getBytes(StandardCharsets.UTF_8);
            bytes.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0).putInt(piece.length).array());
            bytes.write(piece);
        }
        return Files.write(tmp.resolve("tokenizer.bin"), bytes.toByteArray());
    }

    @Test
    void pythonThatIsNotUtf8() throws IOException {
        Path py = Files.write(tmp.resolve("Entities.py"), new byte[] {'c', 'l', 'a', 's', 's', ' ', (byte) 0xFF, '\n'});
        CliRun.inProcess("schema", "import", py, "--out", tmp.resolve("lib.json"))
                .assertBadInput(py + ": is not UTF-8 text; expected Python class definitions");
    }

    @Test
    void aDirectoryWhereAFileIsRead() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("defs"));
        CliRun.inProcess("schema", "import", dir, "--out", tmp.resolve("lib.json"))
                .assertBadInput(dir + ": is a directory; expected Python class definitions");
        CliRun.inProcess("tokenize", "--tokenizer", tinyTokenizer(tmp), "--input", dir)
                .assertBadInput(dir + ": is a directory; expected a JSON lines file");
    }

    @Test
    void scorerCasesThatAreNotJson() throws IOException {
        Path cases = Files.writeString(tmp.resolve("cases.json"), "{\"tasks\": [\n");
        CliRun.inProcess("score", "--cases", cases).assertBadInput(cases + ":2: not valid JSON", "expected a scorer-cases object");
    }

    @Test
    void anOutputDirectoryTakenByAFile() throws IOException {
        Path items = Files.writeString(tmp.resolve("items.jsonl"), "{\"id\": \"Q5\", \"label\": \"human\", \"instances\": 100}\n");
        Path props = Files.writeString(tmp.resolve("props.jsonl"), "{\"id\": \"P26\", \"label\": \"spouse\"}\n");
        Path file = Files.writeString(tmp.resolve("taken"), "not a directory");
        CliRun run = CliRun.inProcess("schema", "build", "--items", items, "--properties", props, "--out", file.resolve("lib.json"));
        // build reports its progress on stderr first; the error is the last line
        assertAll(() -> assertEquals(2, run.code(), run::err),
                () -> assertEquals("knowcoder: " + file + ": exists and is not a directory; expected a directory or a path to create one",
                        run.err().lines().reduce((a, b) -> b).orElse("")));
    }
}
