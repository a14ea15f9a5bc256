package arm.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file so that, whatever happens (SIGKILL, power loss, a full disk), the path holds
 * either the old contents or the new, never a mix: write FILE.tmp, fsync it, rename it over FILE,
 * fsync the folder. A failure leaves FILE as it was, removes the temporary file where it can, and
 * throws an {@link IOException} whose one-line message names FILE and the cause ("No space left on
 * device").
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Opens the temporary file for writing; tests swap in one that fails (a full disk). */
    interface Opener {
        FileChannel open(Path tmp) throws IOException;
    }

    static final Opener FILES =
            tmp ->
                    FileChannel.open(
                            tmp,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE);

    /** Replaces {@code file} with {@code bytes}. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, bytes, FILES);
    }

    static void write(Path file, byte[] bytes, Opener opener) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        if (Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS))
            throw new IOException(
                    "cannot write "
                            + file
                            + ": its temporary file "
                            + tmp
                            + " is a directory; move it away"
                            + " (the previous "
                            + file.getFileName()
                            + ", if any, is unchanged)");
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS))
            throw new IOException("cannot write " + file + ": a directory is in the way");
        try {
            try (FileChannel ch = opener.open(tmp)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically", e);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException ignored) {
                // the temporary file is harmless: the next write truncates it
            }
            throw new IOException(
                    "cannot write "
                            + file
                            + ": "
                            + reason(e)
                            + " (the previous "
                            + file.getFileName()
                            + ", if any, is unchanged)",
                    e);
        }
        syncDirectory(dir);
    }

    /** Makes a rename durable; some platforms cannot open a folder, and then the rename must do. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported here (e.g. Windows); the rename itself is still atomic
        }
    }

    /** The useful part of an I/O error: "No space left on device", "Read-only file system", … */
    public static String reason(Throwable e) {
        String m = e.getMessage();
        if (e instanceof FileSystemException f && f.getReason() != null) m = f.getReason();
        if (e instanceof AccessDeniedException) m = "permission denied";
        if (e instanceof NoSuchFileException) m = "folder does not exist";
        if (e instanceof FileAlreadyExistsException) m = "a file is in the way";
        return FileFormatException.oneLine(m == null ? e.getClass().getSimpleName() : m);
    }
}
