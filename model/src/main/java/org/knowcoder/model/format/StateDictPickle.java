package org.knowcoder.model.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted interpreter of the pickle in a {@code torch.save} zip ({@code data.pkl}): the
 * protocol-2 opcodes a state dict is written with, building plain Java values. A pickle names
 * Python callables by module and name and asks the reader to call them, which is how a checkpoint
 * runs code on the machine that loads it; here a callable is only ever a name compared against the
 * few a state dict needs (an ordered dict, the tensor and parameter rebuilders, storage types), whose
 * meaning is implemented here. Any other name is refused where it appears, before anything uses it.
 */
final class StateDictPickle {
    /** A storage the pickle refers to by persistent id: the archive entry {@code data/<key>} of {@code numel} elements. */
    record Storage(String type, String key, long numel) {}

    /** {@code _rebuild_tensor_v2}'s arguments: a view of a storage (offset and strides in elements). */
    record StoredTensor(Storage storage, long offset, long[] size, long[] stride) {}

    /** A Python callable or class, by its module and name; never resolved to code. */
    private record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_TENSOR = new Global("torch._utils", "_rebuild_tensor_v2");
    private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
    /** The storage types are type tags only; which ones hold a dtype the engine reads is PyTorchFile's concern. */
    private static final Set<String> STORAGE_TYPES = Set.of("FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage",
            "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage");

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment pickle;
    private long pos;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private StateDictPickle(Path file, MemorySegment pickle) {
        this.file = file;
        this.pickle = pickle;
    }

    /** The state dict pickled in {@code pickle}: tensor names to the storage views they are. */
    static Map<String, StoredTensor> read(Path file, MemorySegment pickle) throws CheckpointFormatException {
        Object root = new StateDictPickle(file, pickle).run();
        if (!(root instanceof Map<?, ?> dict)) throw new CheckpointFormatException(file, "data.pkl holds " + describe(root) + ", not a state dict");
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof StoredTensor t)) {
                throw new CheckpointFormatException(file, "data.pkl maps " + describe(e.getKey()) + " to " + describe(e.getValue())
                        + "; a state dict maps tensor names to tensors");
            }
            tensors.put(name, t);
        }
        return tensors;
    }

    private Object run() throws CheckpointFormatException {
        while (true) {
            long at = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol > 2) throw bad(at, "pickle protocol " + protocol + "; torch.save writes protocol 2");
                }
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) throw bad(at, "STOP with " + stack.size() + " values on the stack");
                    return stack.getFirst();
                }
                case '(' -> marks.push(stack.size()); // MARK
                case '}' -> stack.add(new LinkedHashMap<>()); // EMPTY_DICT
                case ')' -> stack.add(List.of()); // EMPTY_TUPLE
                case 't' -> stack.add(tuple(popMark(at))); // TUPLE
                case 0x85, 0x86, 0x87 -> { // TUPLE1, TUPLE2, TUPLE3
                    int n = op - 0x84;
                    if (stack.size() - (marks.isEmpty() ? 0 : marks.peek()) < n) throw bad(at, "TUPLE" + n + " on a stack too short");
                    List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
                    stack.subList(stack.size() - n, stack.size()).clear();
                    stack.add(tuple(items));
                }
                case 'N' -> stack.add(null); // NONE
                case 0x88 -> stack.add(Boolean.TRUE); // NEWTRUE
                case 0x89 -> stack.add(Boolean.FALSE); // NEWFALSE
                case 'K' -> stack.add((long) u8()); // BININT1
                case 'M' -> stack.add((long) Short.toUnsignedInt(pickle.get(U16, take(at, 2)))); // BININT2
                case 'J' -> stack.add((long) pickle.get(I32, take(at, 4))); // BININT
                case 0x8a -> stack.add(long1(at)); // LONG1
                case 'X' -> { // BINUNICODE
                    long n = Integer.toUnsignedLong(pickle.get(I32, take(at, 4)));
                    stack.add(new String(pickle.asSlice(take(at, n), n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                }
                case 'q' -> memo.put((long) u8(), top(at)); // BINPUT
                case 'r' -> memo.put(Integer.toUnsignedLong(pickle.get(I32, take(at, 4))), top(at)); // LONG_BINPUT
                case 'h' -> stack.add(memo(at, u8())); // BINGET
                case 'j' -> stack.add(memo(at, Integer.toUnsignedLong(pickle.get(I32, take(at, 4))))); // LONG_BINGET
                case 'c' -> stack.add(global(at, line(at), line(at))); // GLOBAL
                case 'Q' -> stack.add(storage(at, pop(at))); // BINPERSID
                case 'R' -> { // REDUCE
                    Object args = pop(at);
                    stack.add(call(at, pop(at), args));
                }
                case 'b' -> { // BUILD: an OrderedDict's attributes (torch's _metadata of module versions), which change no weight
                    pop(at);
                    if (!(top(at) instanceof Map)) throw bad(at, "BUILD on " + describe(top(at)));
                }
                case 's' -> { // SETITEM
                    Object value = pop(at), key = pop(at);
                    dict(at).put(key, value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark(at);
                    if (items.size() % 2 != 0) throw bad(at, "SETITEMS with an odd number of values");
                    Map<Object, Object> dict = dict(at);
                    for (int i = 0; i < items.size(); i += 2) dict.put(items.get(i), items.get(i + 1));
                }
                default -> throw bad(at, String.format("opcode 0x%02x is not one a state dict is pickled with", op));
            }
        }
    }

    /** Only a name: refused here, before any REDUCE could use it, unless a state dict needs it. */
    private Global global(long at, String module, String name) throws CheckpointFormatException {
        Global g = new Global(module, name);
        boolean storage = module.equals("torch") && STORAGE_TYPES.contains(name);
        if (!storage && !g.equals(ORDERED_DICT) && !g.equals(REBUILD_TENSOR) && !g.equals(REBUILD_PARAMETER)) {
            throw new CheckpointFormatException(file, "refused: data.pkl (byte " + at + ") names the global " + g
                    + ", which a state dict does not need (it may be code meant to run on loading; nothing was run)");
        }
        return g;
    }

    /** REDUCE: what the callable would have built, built here from the allowed names' known meaning. */
    private Object call(long at, Object callable, Object args) throws CheckpointFormatException {
        if (!(args instanceof List<?> a)) throw bad(at, "REDUCE with arguments " + describe(args));
        if (ORDERED_DICT.equals(callable) && a.isEmpty()) return new LinkedHashMap<>();
        if (REBUILD_PARAMETER.equals(callable) && a.size() == 3 && a.getFirst() instanceof StoredTensor t) return t;
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (REBUILD_TENSOR.equals(callable) && (a.size() == 6 || a.size() == 7) && a.get(0) instanceof Storage s
                && a.get(1) instanceof Long offset && offset >= 0 && a.get(2) instanceof List<?> size && a.get(3) instanceof List<?> stride
                && size.size() == stride.size()) {
            return new StoredTensor(s, offset, longs(at, size), longs(at, stride));
        }
        throw bad(at, "REDUCE calls " + describe(callable) + " with " + describe(args) + ", which is not how a state dict builds it");
    }

    /** BINPERSID: torch's persistent id of a storage, ('storage', type, key, location, numel). */
    private Storage storage(long at, Object pid) throws CheckpointFormatException {
        if (pid instanceof List<?> p && p.size() == 5 && "storage".equals(p.get(0)) && p.get(1) instanceof Global type
                && STORAGE_TYPES.contains(type.name()) && p.get(2) instanceof String key && p.get(4) instanceof Long numel && numel >= 0) {
            return new Storage(type.name(), key, numel);
        }
        throw bad(at, "persistent id " + describe(pid) + " is not a storage");
    }

    private long[] longs(long at, List<?> values) throws CheckpointFormatException {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Long v) || v < 0) throw bad(at, "a tensor size or stride " + describe(values.get(i)));
            out[i] = v;
        }
        return out;
    }

    /** LONG1: a little-endian two's complement integer of up to 8 bytes (larger ones no state dict needs). */
    private long long1(long at) throws CheckpointFormatException {
        int n = u8();
        if (n > 8) throw bad(at, "LONG1 of " + n + " bytes");
        long start = take(at, n), v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | Byte.toUnsignedLong(pickle.get(ValueLayout.JAVA_BYTE, start + i));
        return n == 0 || n == 8 ? v : v << (64 - 8 * n) >> (64 - 8 * n);
    }

    private String line(long at) throws CheckpointFormatException {
        long start = pos;
        while (pos < pickle.byteSize() && pickle.get(ValueLayout.JAVA_BYTE, pos) != '\n') pos++;
        if (pos >= pickle.byteSize()) throw bad(at, "GLOBAL runs past the end (truncated?)");
        return new String(pickle.asSlice(start, pos++ - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private int u8() throws CheckpointFormatException {
        return Byte.toUnsignedInt(pickle.get(ValueLayout.JAVA_BYTE, take(pos, 1)));
    }

    /** Consumes {@code n} bytes, returning where they start. */
    private long take(long at, long n) throws CheckpointFormatException {
        if (n > pickle.byteSize() - pos) throw bad(at, "it ends inside an opcode (truncated?)");
        long start = pos;
        pos += n;
        return start;
    }

    private Object memo(long at, long index) throws CheckpointFormatException {
        if (!memo.containsKey(index)) throw bad(at, "memo " + index + " read before it is written");
        return memo.get(index);
    }

    private Object top(long at) throws CheckpointFormatException {
        if (stack.size() <= (marks.isEmpty() ? 0 : marks.peek())) throw bad(at, "the stack is empty");
        return stack.getLast();
    }

    private Object pop(long at) throws CheckpointFormatException {
        top(at);
        return stack.removeLast();
    }

    private List<Object> popMark(long at) throws CheckpointFormatException {
        if (marks.isEmpty()) throw bad(at, "no MARK");
        List<Object> above = stack.subList(marks.pop(), stack.size());
        List<Object> items = new ArrayList<>(above);
        above.clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(long at) throws CheckpointFormatException {
        if (!(top(at) instanceof Map<?, ?> m)) throw bad(at, "setting an item of " + describe(top(at)));
        return (Map<Object, Object>) m;
    }

    /** Tuples are unmodifiable lists (they may hold None). */
    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    private static String describe(Object v) {
        if (v == null) return "None";
        if (v instanceof String s) return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        if (v instanceof StoredTensor t) return "a tensor of size " + Arrays.toString(t.size());
        if (v instanceof Map) return "a dict";
        if (v instanceof List<?> l) return "a tuple of " + l.size();
        return v.toString();
    }

    private CheckpointFormatException bad(long at, String problem) {
        return new CheckpointFormatException(file, "data.pkl byte " + at + ": " + problem);
    }
}
