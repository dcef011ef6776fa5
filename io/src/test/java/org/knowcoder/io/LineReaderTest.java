package org.knowcoder.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LineReaderTest {

    private static List<byte[]> lines(byte[] input) throws IOException {
        LineReader r = new LineReader(new ByteArrayInputStream(input));
        List<byte[]> out = new ArrayList<>();
        for (byte[] l; (l = r.next()) != null; ) out.add(l);
        return out;
    }

    @Test
    void splitsAtNewlinesKeepingBytesAsTheyAre() throws IOException {
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, '\r'};
        byte[] input = new byte[] {'a', '\n', '\n', (byte) 0xff, (byte) 0xfe, '\r', '\n', 'z'};
        List<byte[]> got = lines(input);
        assertEquals(4, got.size());
        assertArrayEquals(new byte[] {'a'}, got.get(0));
        assertArrayEquals(new byte[0], got.get(1));
        assertArrayEquals(notUtf8, got.get(2));
        assertArrayEquals(new byte[] {'z'}, got.get(3)); // a last line without '\n' counts
        assertEquals(0, lines(new byte[0]).size());
    }

    @Test
    void readsLinesLongerThanItsBuffer() throws IOException {
        byte[] line = new byte[200_000];
        Arrays.fill(line, (byte) 'x');
        byte[] input = Arrays.copyOf(line, line.length + 1);
        input[line.length] = '\n';
        List<byte[]> got = lines(input);
        assertEquals(1, got.size());
        assertArrayEquals(line, got.get(0));
    }
}
