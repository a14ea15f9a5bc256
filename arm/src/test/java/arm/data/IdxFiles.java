package arm.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests; header fields can be set to anything, including lies. */
public final class IdxFiles {
    private IdxFiles() {}

    public static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    public static byte[] labels(int magic, int count, byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(count).put(labels);
        return b.array();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    public static Path write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, data);
    }

    /**
     * The CLI tests' MNIST folder: {@code dir/mnist} with 560 training and 3 test images per class,
     * gzipped (enough for MNIST-5k's 500 + val per class). Returns the folder.
     */
    public static Path writeSmallMnist(Path dir) throws IOException {
        Path data = dir.resolve("mnist");
        int[] train = new int[10], test = new int[10];
        Arrays.fill(train, 560);
        Arrays.fill(test, 3);
        writeMnist(data, train, test, true);
        return data;
    }

    /**
     * A fake MNIST folder: {@code trainPerClass[c]} training images of class c and {@code
     * testPerClass[c]} test images, each image's first two pixels holding its index (so images are
     * distinct) and pixel 2 its label.
     */
    public static void writeMnist(Path dir, int[] trainPerClass, int[] testPerClass, boolean gz)
            throws IOException {
        writeSplit(dir, "train", trainPerClass, gz);
        writeSplit(dir, "t10k", testPerClass, gz);
    }

    private static void writeSplit(Path dir, String prefix, int[] perClass, boolean gz)
            throws IOException {
        int n = 0;
        for (int c : perClass) n += c;
        byte[] pixels = new byte[n * 784], labels = new byte[n];
        // interleave classes so that file order is not class order
        int[] left = perClass.clone();
        int i = 0;
        while (i < n)
            for (int c = 0; c < left.length; c++)
                if (left[c] > 0) {
                    left[c]--;
                    labels[i] = (byte) c;
                    pixels[i * 784] = (byte) (i & 0xFF);
                    pixels[i * 784 + 1] = (byte) (i >> 8);
                    pixels[i * 784 + 2] = (byte) c;
                    i++;
                }
        String ext = gz ? ".gz" : "";
        byte[] img = images(Idx.IMAGES_MAGIC, n, 28, 28, pixels);
        byte[] lab = labels(Idx.LABELS_MAGIC, n, labels);
        write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gz ? gzip(img) : img);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gz ? gzip(lab) : lab);
    }
}
