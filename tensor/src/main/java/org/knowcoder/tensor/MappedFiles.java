package org.knowcoder.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;

/** Memory-maps files for tensors that live in them (checkpoints of any size). */
public final class MappedFiles {
    private MappedFiles() {}

    /**
     * Maps [0, size) of {@code channel} read-only for the lifetime of {@code arena}. The mapping is
     * handed out as a plain native segment over the same address: the Vector API streams
     * {@code FileChannel.map}'s own segment type at about half the speed of a native one (bench/README.md,
     * "Why the kernels are written as they are"), while the memory, and when it is unmapped, stay the same.
     * This needs native access enabled (the launcher and the test JVMs enable it).
     */
    public static MemorySegment mapReadOnly(FileChannel channel, long size, Arena arena) throws IOException {
        return nativeView(channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), arena);
    }

    /**
     * The plain native segment over {@code mapped} (see {@link #mapReadOnly}); keep {@code mapped}
     * itself where pages are to be let go with {@link MemorySegment#unload}, which only a mapped
     * segment offers.
     */
    public static MemorySegment nativeView(MemorySegment mapped, Arena arena) {
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null);
    }
}
