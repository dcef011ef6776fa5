package org.knowcoder.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama2.c tokenizer.bin files, written by tests that need a tokenizer but not a reference one, so
 * they run without ../shared. The format: int32 max piece length, then per piece a float score, an
 * int32 length and its bytes.
 */
public final class Llama2cTokenizers {
    private Llama2cTokenizers() {}

    /** The three specials and the 256 byte pieces (score 0), then {@code pieces} (falling scores). */
    public static byte[] of(List<String> pieces) {
        List<String> all = new ArrayList<>(List.of("<unk>", "\n<s>\n", "\n</s>\n"));
        for (int b = 0; b < 256; b++) all.add(String.format("<0x%02X>", b));
        all.addAll(pieces);
        ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(7);
        for (int i = 0; i < all.size(); i++) {
            byte[] bytes = all.get(i).getBytes(StandardCharsets.UTF_8);
            out.putFloat(i < 259 ? 0f : -i).putInt(bytes.length).put(bytes);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** {@code size} pieces: the specials, the byte pieces, " " (which llama2.c's encoder needs), then made-up words. */
    public static byte[] ofSize(int size) {
        List<String> pieces = new ArrayList<>(List.of(" "));
        while (pieces.size() < size - 259) pieces.add("w" + pieces.size());
        return of(pieces);
    }

    /** 512 pieces, as stories260K's tok512.bin: " ", letters, letters after a space, capitals, then two-letter words after a space. */
    public static byte[] stories() {
        List<String> pieces = new ArrayList<>(List.of(" "));
        for (char c = 'a'; c <= 'z'; c++) pieces.add(String.valueOf(c));
        for (char c = 'a'; c <= 'z'; c++) pieces.add(" " + c);
        for (char c = 'A'; c <= 'Z'; c++) pieces.add(String.valueOf(c));
        for (char a = 'a'; pieces.size() < 512 - 259; a++) {
            for (char b = 'a'; b <= 'z' && pieces.size() < 512 - 259; b++) pieces.add(" " + a + b);
        }
        return of(pieces);
    }
}
