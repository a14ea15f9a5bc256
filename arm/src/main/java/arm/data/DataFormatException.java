package arm.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file that exists but cannot be read as its format; the message names the file. */
public class DataFormatException extends IOException {
    public final Path file;

    public DataFormatException(Path file, String what) {
        super(arm.io.FileFormatException.oneLine(file + ": " + what));
        this.file = file;
    }

    public DataFormatException(Path file, String what, Throwable cause) {
        super(arm.io.FileFormatException.oneLine(file + ": " + what), cause);
        this.file = file;
    }
}
