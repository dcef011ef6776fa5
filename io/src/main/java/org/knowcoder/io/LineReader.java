package org.knowcoder.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads lines as raw bytes (split at '\n', which is dropped), so input that is not UTF-8 reaches the tokenizer as it is. */
public final class LineReader {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, end;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line, or null at the end of input; a last line without '\n' counts. */
    public byte[] next() throws IOException {
        line.reset();
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return line.size() > 0 ? line.toByteArray() : null;
                }
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n') pos++;
            line.write(buf, start, pos - start);
            if (pos < end) {
                pos++;
                return line.toByteArray();
            }
        }
    }
}
