package arm.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where a file is expected, only a regular file is opened: a FIFO would block the read forever, a
 * device can be endless, and a directory or a symbolic-link loop is named as what it is rather than
 * reported as "no such file".
 */
public final class RegularFile {
    private RegularFile() {}

    /** What {@code file} is when it is not a readable regular file, or null when it is one. */
    public static String problem(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (FileSystemException e) {
            String why = String.valueOf(e.getReason());
            if (why.contains("Too many levels of symbolic links") || why.contains("symbolic link"))
                return "a symbolic-link loop";
            if (Files.isSymbolicLink(file)) return "a symbolic link to nothing";
            return e instanceof NoSuchFileException ? "no such file" : "unreadable (" + why + ")";
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
        if (a.isRegularFile()) return null;
        if (a.isDirectory()) return "a directory, not a file";
        if (a.isOther())
            return isFifo(file)
                    ? "a FIFO (named pipe), not a file"
                    : "a device or socket, not a file";
        return "not a regular file";
    }

    /**
     * Whether {@code file} exists at all (a dangling link or a loop counts: something is there).
     */
    public static boolean present(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** Throws a one-line "FILE: what it is" unless {@code file} is a regular file. */
    public static void require(Path file) throws IOException {
        String p = problem(file);
        if (p == null) return;
        if (p.equals("no such file")) throw new NoSuchFileException(file + ": no such file");
        throw new IOException(file + ": " + p);
    }

    private static boolean isFifo(Path file) {
        try {
            Object mode = Files.getAttribute(file, "unix:mode");
            return mode instanceof Integer m && (m & 0170000) == 0010000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
