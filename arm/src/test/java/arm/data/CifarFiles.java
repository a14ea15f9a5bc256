package arm.data;

import arm.gen.CifarFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small CIFAR-10 batches in both real formats for the loader tests, with the writer the
 * dataset generator uses ({@link CifarFormat}: the binary records, and the python pickle byte for
 * byte as Python 2's cPickle lays out the official files).
 */
final class CifarFiles {
    private CifarFiles() {}

    static void writeBinary(Path file, int[] labels, byte[] pixels) throws IOException {
        Files.write(file, CifarFormat.binary(labels, pixels));
    }

    static void writePickle(Path file, int[] labels, byte[] pixels, String batchLabel)
            throws IOException {
        Files.write(file, pickle(labels, pixels, batchLabel));
    }

    static byte[] pickle(int[] labels, byte[] pixels, String batchLabel) {
        return CifarFormat.pickle(labels, pixels, batchLabel);
    }
}
