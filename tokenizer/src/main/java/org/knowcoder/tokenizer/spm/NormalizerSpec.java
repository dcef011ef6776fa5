package org.knowcoder.tokenizer.spm;

/**
 * {@code NormalizerSpec}: the rule name, the precompiled character map that carries it (empty for
 * "identity"), and the whitespace switches. Defaults are the proto's.
 */
public final class NormalizerSpec {
    public String name = "";
    public byte[] precompiledCharsmap = new byte[0];
    public boolean addDummyPrefix = true;
    public boolean removeExtraWhitespaces = true;
    public boolean escapeWhitespaces = true;

    /** LLaMA's setting: no normalization, a dummy prefix, whitespace kept as it is. */
    public static NormalizerSpec identity() {
        NormalizerSpec spec = new NormalizerSpec();
        spec.name = "identity";
        spec.removeExtraWhitespaces = false;
        return spec;
    }

    static NormalizerSpec read(ProtoReader in) throws ProtoReader.MalformedException {
        NormalizerSpec spec = new NormalizerSpec();
        while (in.hasMore()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> spec.name = in.string();
                case 2 -> spec.precompiledCharsmap = in.bytes();
                case 3 -> spec.addDummyPrefix = in.varint() != 0;
                case 4 -> spec.removeExtraWhitespaces = in.varint() != 0;
                case 5 -> spec.escapeWhitespaces = in.varint() != 0;
                default -> in.skip(tag & 7);
            }
        }
        return spec;
    }

    ProtoWriter write() {
        ProtoWriter out = new ProtoWriter().string(1, name);
        if (precompiledCharsmap.length > 0) out.bytes(2, precompiledCharsmap);
        return out.bool(3, addDummyPrefix).bool(4, removeExtraWhitespaces).bool(5, escapeWhitespaces);
    }
}
