package io.switchboard.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An OS-level exclusive lock on the data dir, so a second process fails fast instead of sharing the files. */
public final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve("switchboard.lock");
        try {
            Files.createDirectories(dataDir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("Data dir " + dataDir.toAbsolutePath()
                        + " is in use by another Switchboard process (lock " + file.getFileName()
                        + "). Stop it or choose another data dir.");
            }
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot lock data dir " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock with the process anyway
        }
    }
}
