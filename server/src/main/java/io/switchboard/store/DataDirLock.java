package io.switchboard.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** An OS-level exclusive lock on the data dir, so a second process fails fast instead of sharing the files. */
public final class DataDirLock implements AutoCloseable {
    /**
     * Data dirs locked by this JVM. Checked before opening a second channel: on POSIX, closing any channel of the
     * lock file drops every lock this process holds on it, so a refused second acquire would unlock the first.
     */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DataDirLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    public static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve("switchboard.lock");
        Path key;
        try {
            Files.createDirectories(dataDir);
            key = dataDir.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot lock data dir " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (!HELD_HERE.add(key)) throw inUse(dataDir, file);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw inUse(dataDir, file);
            }
            return new DataDirLock(key, channel, lock);
        } catch (IOException e) {
            HELD_HERE.remove(key);
            throw new IllegalStateException("Cannot lock data dir " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            HELD_HERE.remove(key);
            throw e;
        }
    }

    private static IllegalStateException inUse(Path dataDir, Path file) {
        return new IllegalStateException("Data dir " + dataDir.toAbsolutePath()
                + " is in use by another Switchboard process (lock " + file.getFileName()
                + "). Stop it or choose another data dir.");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return; // a second close must not free a later holder's entry
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock with the process anyway
        } finally {
            HELD_HERE.remove(key);
        }
    }
}
