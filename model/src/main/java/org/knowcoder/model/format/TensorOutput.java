package org.knowcoder.model.format;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.WeightRows;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Little-endian output for checkpoint writers, buffered through one small heap buffer so a tensor
 * of any size streams to disk without ever being held whole in memory. Matrices are written row by
 * row, optionally in a permuted row order (see {@link org.knowcoder.model.RopePermutation}).
 */
final class TensorOutput {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
    private long written;
    /** The CRC-32 being taken ({@link #startCrc}), or null; the buffer's bytes from {@code crcFrom} on are not in it yet. */
    private CRC32 crc;
    private int crcFrom;

    TensorOutput(FileChannel channel) {
        this.channel = channel;
    }

    /** Bytes handed to this output so far. */
    long position() {
        return written + buffer.position();
    }

    void int32(int v) throws IOException {
        room(4);
        buffer.putInt(v);
    }

    void int64(long v) throws IOException {
        room(8);
        buffer.putLong(v);
    }

    void int16(short v) throws IOException {
        room(2);
        buffer.putShort(v);
    }

    void uint8(int v) throws IOException {
        room(1);
        buffer.put((byte) v);
    }

    void zeros(long n) throws IOException {
        for (long i = 0; i < n; i++) uint8(0);
    }

    void bytes(byte[] b) throws IOException {
        bytes(MemorySegment.ofArray(b));
    }

    /** The raw bytes of {@code seg}, in chunks of the buffer size. */
    void bytes(MemorySegment seg) throws IOException {
        long off = 0, size = seg.byteSize();
        while (off < size) {
            if (!buffer.hasRemaining()) flush();
            int n = (int) Math.min(buffer.remaining(), size - off);
            MemorySegment.copy(seg, off, bufferSegment, buffer.position(), n);
            buffer.position(buffer.position() + n);
            off += n;
        }
    }

    /** {@code values} as F32, F16 or BF16 (round to nearest even). */
    void floats(float[] values, DType dtype) throws IOException {
        if (dtype == DType.F32) {
            for (float v : values) {
                room(4);
                buffer.putFloat(v);
            }
        } else if (dtype == DType.BF16 || dtype == DType.F16) {
            for (float v : values) {
                room(2);
                buffer.putShort(dtype == DType.BF16 ? Half.floatToBf16(v) : Half.floatToF16(v));
            }
        } else {
            throw new IllegalArgumentException("cannot write " + dtype + " floats (F32, F16 or BF16 only)");
        }
    }

    /**
     * The rows of matrix {@code t}, widened and re-encoded as {@code dtype} (F32, F16 or BF16); output row
     * r is source row {@code order[r]}, or row r when {@code order} is null.
     */
    void rows(Tensor t, int[] order, DType dtype) throws IOException {
        if (order == null && t.dtype() == dtype && dtype != DType.Q8_0) {
            bytes(t.data()); // already in the target encoding: copy the bytes through
            return;
        }
        float[] row = new float[t.cols()];
        for (long r = 0; r < t.rows(); r++) {
            WeightRows.decode(t, order == null ? r : order[(int) r], row, 0);
            floats(row, dtype);
        }
    }

    /** A Q8_0 matrix with F32 scales as llama2.c version 2 stores it: all int8 values (rows in {@code order}), then all scales. */
    void q8Rows(Tensor q, int[] order) throws IOException {
        if (q.halfScales()) throw new IllegalArgumentException("tensor " + q.name() + ": llama2.c stores F32 scales");
        if (order == null) {
            bytes(q.data());
            bytes(q.scales());
            return;
        }
        long cols = q.cols(), groupsPerRow = cols / q.groupSize();
        for (int r = 0; r < q.rows(); r++) bytes(q.data().asSlice(order[r] * cols, cols));
        for (int r = 0; r < q.rows(); r++) bytes(q.scales().asSlice(order[r] * groupsPerRow * 4, groupsPerRow * 4));
    }

    /**
     * Starts a CRC-32 of the bytes handed over from now on (a zip entry's data, whose checksum its
     * header needs), taken from the buffer as it goes, so the data need not be held anywhere.
     */
    void startCrc() {
        crc = new CRC32();
        crcFrom = buffer.position();
    }

    /** The CRC-32 of the bytes handed over since {@link #startCrc}; it stops there. */
    long endCrc() {
        crc.update(buffer.array(), crcFrom, buffer.position() - crcFrom);
        long value = crc.getValue();
        crc = null;
        return value;
    }

    void flush() throws IOException {
        if (crc != null) {
            crc.update(buffer.array(), crcFrom, buffer.position() - crcFrom);
            crcFrom = 0;
        }
        buffer.flip();
        while (buffer.hasRemaining()) written += channel.write(buffer);
        buffer.clear();
    }

    private void room(int n) throws IOException {
        if (buffer.remaining() < n) flush();
    }
}
