package dev.modelyard.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two primitives every encoder and the applier need on files: a positional read that fills a
 * block (a channel may return fewer bytes than asked, so one {@code read} is never enough), and
 * a SHA-256 instance. Positional reads leave the channel's position alone, so one channel can be
 * read at two places in turn without seeking.
 */
public final class FileBytes {

    private FileBytes() {
    }

    /**
     * Reads up to {@code length} bytes from {@code at} into {@code into[off..]}, stopping early only at
     * the end of the file.
     *
     * @return how many bytes were read: {@code length}, or fewer when the file ends first
     */
    public static int read(FileChannel file, long at, byte[] into, int off, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into, off, length);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, at + (buffer.position() - off)) < 0) {
                break;
            }
        }
        return buffer.position() - off;
    }

    /** Whether all {@code length} bytes from {@code at} were read into {@code into[off..]} before the file ended. */
    public static boolean readFully(FileChannel file, long at, byte[] into, int off, int length) throws IOException {
        return read(file, at, into, off, length) == length;
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
