package org.knowcoder.tokenizer.spm;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.TokenizerFormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A SentencePiece model ({@code .model}), encoding and decoding exactly as SentencePiece 0.1.97:
 * normalize, segment (BPE or Unigram), then turn unknown pieces into byte pieces when the model
 * has byte fallback, or merge runs of them into one unknown piece when it has not.
 *
 * <p>Text that is not valid Unicode (a lone UTF-16 surrogate) encodes as U+FFFD, SentencePiece's
 * treatment of malformed UTF-8. Decoding turns byte pieces that do not form UTF-8 into U+FFFD,
 * one per bad byte, and rejects ids outside the vocabulary.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private final ModelProto model;
    private final Vocabulary vocab;
    private final Normalizer normalizer;
    private final Normalizer denormalizer;
    private final SegmentationModel segmenter;
    private final boolean byteFallback;
    private final int bosId, eosId;
    /** What each piece adds to decoded text: U+2581 back to a space, nothing for control pieces, the unknown surface, a byte piece's byte. */
    private final byte[][] surfaces;
    /** Whether a normal piece's surface starts with the space the dummy prefix put there. */
    private final boolean[] leadingSpace;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    public SentencePieceTokenizer(ModelProto model) throws ProtoReader.MalformedException {
        this.model = model;
        this.vocab = new Vocabulary(model.pieces());
        ByteTrie userDefined = null;
        for (int i = 0; i < vocab.size(); i++) {
            if (vocab.types[i] != PieceType.USER_DEFINED) continue;
            if (userDefined == null) userDefined = new ByteTrie(16);
            userDefined.put(vocab.pieces[i], i);
        }
        TrainerSpec trainer = model.trainer();
        this.normalizer = new Normalizer(model.normalizer(), charsMap(model.normalizer()), userDefined, trainer.treatWhitespaceAsSuffix);
        this.denormalizer = model.denormalizer() != null && model.denormalizer().precompiledCharsmap.length > 0
                ? new Normalizer(model.denormalizer(), charsMap(model.denormalizer()), null, false) : null;
        this.segmenter = switch (trainer.modelType) {
            case BPE -> new BpeModel(vocab, userDefined);
            case UNIGRAM -> new UnigramModel(vocab);
            default -> throw new ProtoReader.MalformedException("model type " + trainer.modelType + " is not supported (BPE and UNIGRAM are)");
        };
        this.byteFallback = trainer.byteFallback;
        this.bosId = controlId(trainer.bosPiece);
        this.eosId = controlId(trainer.eosPiece);
        this.surfaces = new byte[vocab.size()][];
        this.leadingSpace = new boolean[vocab.size()];
        byte[] unknown = trainer.unkSurface.getBytes(StandardCharsets.UTF_8);
        for (int id = 0; id < vocab.size(); id++) {
            surfaces[id] = switch (vocab.types[id]) {
                case CONTROL -> new byte[0];
                case UNKNOWN -> unknown;
                case BYTE -> new byte[] {(byte) vocab.byteValue(id)};
                default -> unescaped(vocab.utf8[id]);
            };
            leadingSpace[id] = vocab.isSegmentable(id) && startsWithSpaceSymbol(vocab.utf8[id]);
        }
    }

    /** Loads a {@code .model} file; a file that is not one gets an error naming it and the problem. */
    public static SentencePieceTokenizer load(Path file) throws IOException {
        ModelProto proto = ModelProto.load(file);
        try {
            return new SentencePieceTokenizer(proto);
        } catch (ProtoReader.MalformedException | IllegalArgumentException e) {
            throw new TokenizerFormatException(file, e.getMessage());
        }
    }

    private static CharsMap charsMap(NormalizerSpec spec) throws ProtoReader.MalformedException {
        return spec.precompiledCharsmap.length == 0 ? null : CharsMap.parse(spec.precompiledCharsmap);
    }

    private int controlId(String piece) {
        int id = vocab.id(piece);
        return vocab.types[id] == PieceType.CONTROL ? id : -1;
    }

    public ModelProto model() {
        return model;
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public String piece(int id) {
        checkId(id);
        return vocab.pieces[id];
    }

    @Override
    public int[] encode(String text, boolean bos, boolean eos) {
        Buffers b = buffers.get();
        Utf8.encode(text, b.input);
        return encode(b.input.bytes, b.input.size, bos, eos);
    }

    /** Malformed bytes encode as U+FFFD, one per byte, exactly as SentencePiece treats them. */
    @Override
    public int[] encode(byte[] utf8, int length, boolean bos, boolean eos) {
        Buffers b = buffers.get();
        normalizer.normalize(utf8, length, b.normalized);
        segmenter.segment(b.normalized.bytes, b.normalized.size, b.segmentation);
        IdSink ids = b.ids;
        ids.clear();
        if (bos) ids.add(checkedSpecial(bosId, "BOS"));
        Segmentation seg = b.segmentation;
        boolean prevUnknown = false;
        for (int i = 0; i < seg.size; i++) {
            int id = seg.ids[i];
            boolean unknown = id == vocab.unkId;
            if (unknown && byteFallback) {
                for (int p = seg.starts[i]; p < seg.ends[i]; p++) ids.add(vocab.byteIds[b.normalized.bytes[p] & 0xFF]);
            } else if (!(unknown && prevUnknown)) {
                ids.add(id);
            }
            prevUnknown = unknown;
        }
        if (eos) ids.add(checkedSpecial(eosId, "EOS"));
        return ids.toArray();
    }

    private int checkedSpecial(int id, String which) {
        if (id < 0) throw new BadInputException("the model defines no " + which + " piece");
        return id;
    }

    /** SentencePiece's {@code DecodeIds}: the text of a whole id sequence. */
    @Override
    public String decode(int[] ids) {
        for (int id : ids) checkId(id);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteSink pendingBytes = new ByteSink();
        boolean bosSpace = true, bosSpaceSeen = false;
        for (int id : ids) {
            if (vocab.types[id] == PieceType.BYTE) {
                pendingBytes.add((byte) vocab.byteValue(id));
                continue;
            }
            flushBytes(pendingBytes, text);
            if (bosSpaceSeen || text.size() > 0) bosSpace = false;
            bosSpaceSeen = false;
            int from = 0;
            // the dummy prefix: drop the space the encoder put in front of the text
            if (bosSpace && leadingSpace[id] && (model.normalizer().addDummyPrefix || model.normalizer().removeExtraWhitespaces)) {
                from = 1;
                bosSpaceSeen = !model.normalizer().removeExtraWhitespaces;
            }
            text.write(surfaces[id], from, surfaces[id].length - from);
        }
        flushBytes(pendingBytes, text);
        String decoded = text.toString(StandardCharsets.UTF_8);
        if (denormalizer == null) return decoded;
        Buffers b = buffers.get();
        Utf8.encode(decoded, b.input);
        denormalizer.normalize(b.input.bytes, b.input.size, b.normalized);
        return new String(b.normalized.bytes, 0, b.normalized.size, StandardCharsets.UTF_8);
    }

    /** Byte pieces become text one UTF-8 character at a time; each byte that starts no valid character becomes U+FFFD. */
    private static void flushBytes(ByteSink bytes, ByteArrayOutputStream text) {
        for (int p = 0; p < bytes.size; ) {
            int len = Utf8.validCharLength(bytes.bytes, p, bytes.size);
            if (len == 0) {
                text.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD});
                p++;
            } else {
                text.write(bytes.bytes, p, len);
                p += len;
            }
        }
        bytes.clear();
    }

    private static boolean startsWithSpaceSymbol(byte[] piece) {
        return piece.length >= 3 && piece[0] == Normalizer.SPACE_SYMBOL[0] && piece[1] == Normalizer.SPACE_SYMBOL[1] && piece[2] == Normalizer.SPACE_SYMBOL[2];
    }

    /** The piece with each U+2581 turned back into a space. */
    private static byte[] unescaped(byte[] piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length);
        for (int i = 0; i < piece.length; i++) {
            if (i + 2 < piece.length && piece[i] == Normalizer.SPACE_SYMBOL[0] && piece[i + 1] == Normalizer.SPACE_SYMBOL[1] && piece[i + 2] == Normalizer.SPACE_SYMBOL[2]) {
                out.write(' ');
                i += 2;
            } else {
                out.write(piece[i]);
            }
        }
        return out.toByteArray();
    }

    /**
     * Streaming decode for generation: the bytes of one token, with the dummy-prefix space dropped
     * after BOS. The array is shared (precomputed per piece): read it, do not change it.
     */
    @Override
    public byte[] decode(int previous, int token) {
        checkId(token);
        byte[] surface = surfaces[token];
        boolean dropSpace = previous == bosId && leadingSpace[token] && model.normalizer().addDummyPrefix;
        return dropSpace ? Arrays.copyOfRange(surface, 1, surface.length) : surface;
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) throw new IllegalArgumentException("id " + id + " is outside the vocabulary [0, " + vocab.size() + ")");
    }

    /** Per-thread buffers reused between calls. */
    private static final class Buffers {
        final ByteSink input = new ByteSink(), normalized = new ByteSink();
        final Segmentation segmentation = new Segmentation();
        final IdSink ids = new IdSink();
    }

    /** A growable int array for the ids of one call. */
    private static final class IdSink {
        int[] ids = new int[64];
        int size;

        void clear() {
            size = 0;
        }

        void add(int id) {
            if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
