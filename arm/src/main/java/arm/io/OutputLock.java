package arm.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a results folder ({@code OUT/.lock}), held while a command writes there, so
 * that two processes (say, a forgotten run and its --resume) never interleave their checkpoints.
 * The operating system drops the lock when the process dies, even by SIGKILL.
 */
public final class OutputLock implements AutoCloseable {
    public static final String NAME = ".lock";
    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates the folder if needed and locks it, or says who holds it. */
    public static OutputLock acquire(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create it: " + AtomicFile.reason(e), e);
        }
        Path f = dir.resolve(NAME);
        FileChannel ch;
        try {
            ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException(
                    "cannot create its lock file " + f + ": " + AtomicFile.reason(e), e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot lock " + f + ": " + AtomicFile.reason(e), e);
        }
        if (lock == null) {
            ch.close();
            throw new IOException(
                    "in use by another arm command (it holds "
                            + f
                            + "); wait for it or stop it first");
        }
        return new OutputLock(ch, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
