package arm.data;

import java.io.IOException;

/**
 * A dataset that is not where it was looked for (as opposed to present but corrupt). The message
 * says which files were expected, where, and where the dataset is published.
 */
public class MissingDataException extends IOException {
    public MissingDataException(String message) {
        super(message);
    }
}
