package org.knowcoder.ie.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Inputs read from a stream, one at a time (a file of any size): {@code lines} (each line an input,
 * empty ones too, so the output has a line for every input line; id: the line number), {@code jsonl}
 * ({@code {"id": ..., "text": ...}} per line; id defaults to the line number; blank lines are
 * skipped) or {@code text} (the whole stream one document, id "1"). Bytes that are not UTF-8 become
 * U+FFFD, as SentencePiece reads them, rather than stopping a long run.
 */
public final class TextInputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Format { LINES, JSONL, TEXT }

    private TextInputs() {}

    /**
     * The format asked for ({@code given}, or null), else the one the file name implies: {@code .jsonl}
     * and {@code .ndjson} JSON lines, {@code .txt}, {@code .text} and {@code .md} a document, anything
     * else (standard input too) lines.
     */
    public static Format formatOf(String fileName, String given) {
        if (given != null) {
            try {
                return Format.valueOf(given.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--input-format " + given + ": expected lines, jsonl or text");
            }
        }
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return Format.JSONL;
        if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".md")) return Format.TEXT;
        return Format.LINES;
    }

    /** How many inputs {@code file} holds in {@code format} (its lines, for the ETA; jsonl's blank lines count too), without decoding it. */
    public static long count(Path file, Format format) throws IOException {
        if (format == Format.TEXT) return 1;
        long lines = 0, size = 0;
        byte last = '\n';
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; size += n) {
                for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
                last = buf[n - 1];
            }
        }
        return size > 0 && last != '\n' ? lines + 1 : lines;
    }

    /** The inputs of {@code in}, read as they are asked for; {@code name} names the source in errors. */
    public static Iterator<TextInput> read(InputStream in, Format format, String name) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)));
        return new Iterator<>() {
            int line;
            TextInput next;
            boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) next = advance();
                return next != null;
            }

            @Override
            public TextInput next() {
                if (!hasNext()) throw new NoSuchElementException();
                TextInput out = next;
                next = null;
                return out;
            }

            private TextInput advance() {
                try {
                    if (format == Format.TEXT) {
                        done = true;
                        return new TextInput("1", reader.readAllAsString());
                    }
                    while (true) {
                        String s = reader.readLine();
                        if (s == null) {
                            done = true;
                            return null;
                        }
                        line++;
                        if (format == Format.LINES) return new TextInput(String.valueOf(line), s);
                        if (!s.isBlank()) return json(s);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            private TextInput json(String s) {
                JsonNode n;
                try {
                    n = JSON.readTree(s);
                } catch (IOException e) {
                    throw new BadInputException(name + ":" + line + ": not JSON (expected {\"id\": ..., \"text\": ...})");
                }
                if (n == null || !n.path("text").isTextual()) {
                    throw new BadInputException(name + ":" + line + ": expected {\"id\": ..., \"text\": \"...\"}");
                }
                return new TextInput(n.hasNonNull("id") ? n.get("id").asText() : String.valueOf(line), n.get("text").asText());
            }
        };
    }
}
