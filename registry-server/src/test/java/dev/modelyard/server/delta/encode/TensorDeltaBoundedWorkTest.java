package dev.modelyard.server.delta.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.delta.DeltaWriter;
import dev.modelyard.delta.FileBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tensors of one length whose first and last kilobytes agree (as a crafted file, or a model of
 * many same-shaped layers, has) must not make the encoder compare every target tensor with every
 * base tensor: the bytes it reads stay a small multiple of the two files' sizes.
 */
class TensorDeltaBoundedWorkTest {

    private static final int COUNT = 50;
    private static final int LENGTH = 64 << 10;
    private static final int EDGE = 4 << 10;

    @TempDir
    Path dir;

    @Test
    void equalPrefixTensorsAreReadAFewTimesNotOncePerPair() throws Exception {
        Random random = new Random(11);
        List<byte[]> baseTensors = new ArrayList<>(), targetTensors = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) baseTensors.add(tensor(random));
        for (int i = 0; i < COUNT; i++) targetTensors.add(tensor(random));
        // two unchanged tensors must still be found: one under its own name, one moved and renamed
        targetTensors.set(3, baseTensors.get(3).clone());
        targetTensors.set(40, baseTensors.get(27).clone());
        byte[] base = concat(baseTensors), target = concat(targetTensors);
        Path baseFile = Files.write(dir.resolve("base"), base), targetFile = Files.write(dir.resolve("target"), target);
        List<TensorRange> baseRanges = ranges("b", COUNT), targetRanges = ranges("b", COUNT);
        targetRanges.set(40, new TensorRange("renamed", 1, new long[] {LENGTH}, 40L * LENGTH, LENGTH, 4));

        ByteArrayOutputStream delta = new ByteArrayOutputStream();
        String baseSha = sha256(base);
        try (CountingChannel b = new CountingChannel(FileChannel.open(baseFile));
                CountingChannel t = new CountingChannel(FileChannel.open(targetFile));
                DeltaWriter w = new DeltaWriter(delta, new DeltaHeader(DeltaEncoding.ONNX_TENSORS, baseSha, base.length,
                        sha256(target), target.length), 3)) {
            TensorDelta.encode(b, baseRanges, t, targetRanges, w);
            w.finish();
            // the old pairwise screen read about COUNT times each file; a digest index reads each a few times
            assertTrue(b.bytesRead <= 3L * base.length, "base bytes read: " + b.bytesRead + " for a base of " + base.length);
            assertTrue(t.bytesRead <= 3L * target.length, "target bytes read: " + t.bytesRead + " for a target of " + target.length);
        }

        ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
        try (FileChannel b = FileChannel.open(baseFile)) {
            DeltaApplier.apply(new ByteArrayInputStream(delta.toByteArray()), b, baseSha, rebuilt);
        }
        assertArrayEquals(target, rebuilt.toByteArray());
        // the moved tensor went as a copy: its random middle in planes would add another 56 KiB
        int randomMiddles = (COUNT - 2) * (LENGTH - 2 * EDGE);
        assertTrue(delta.size() < randomMiddles + (LENGTH - 2 * EDGE) / 2, "delta of " + delta.size() + " bytes");
    }

    /** Zeros at both ends, random in the middle. */
    private static byte[] tensor(Random random) {
        byte[] t = new byte[LENGTH];
        byte[] middle = new byte[LENGTH - 2 * EDGE];
        random.nextBytes(middle);
        System.arraycopy(middle, 0, t, EDGE, middle.length);
        return t;
    }

    private static byte[] concat(List<byte[]> tensors) {
        ByteBuffer all = ByteBuffer.allocate(tensors.size() * LENGTH);
        tensors.forEach(all::put);
        return all.array();
    }

    private static List<TensorRange> ranges(String prefix, int count) {
        List<TensorRange> ranges = new ArrayList<>();
        for (int i = 0; i < count; i++) ranges.add(new TensorRange(prefix + i, 1, new long[] {LENGTH / 4}, (long) i * LENGTH, LENGTH, 4));
        return ranges;
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(FileBytes.sha256().digest(bytes));
    }

    /** A read-only file channel that counts the bytes its positional reads return. */
    private static final class CountingChannel extends FileChannel {
        private final FileChannel file;
        long bytesRead;

        CountingChannel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int n = file.read(dst, position);
            if (n > 0) bytesRead += n;
            return n;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = file.read(dst);
            if (n > 0) bytesRead += n;
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException("scattering reads are not counted");
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void force(boolean metaData) {
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException("transfers are not counted");
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("mapped reads are not counted");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException("no locks");
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException("no locks");
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
