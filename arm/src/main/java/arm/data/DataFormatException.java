package arm.data;

import arm.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Path;

/** A data file that exists but cannot be read as its format; the message names the file. */
public class DataFormatException extends IOException {
    public final Path file;

    public DataFormatException(Path file, String what) {
        super(FileFormatException.oneLine(file + ": " + what));
        this.file = file;
    }

    public DataFormatException(Path file, String what, Throwable cause) {
        super(FileFormatException.oneLine(file + ": " + what), cause);
        this.file = file;
    }
}
