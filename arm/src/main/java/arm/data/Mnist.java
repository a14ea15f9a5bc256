package arm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The full MNIST train (60,000) and test (10,000) sets, read from the four standard IDX files in
 * file order, each image flattened to a 784-vector of uint8 pixels (ALGORITHM.md §4.1, §4.2).
 */
public final class Mnist {
    public static final int ROWS = 28, COLS = 28, NUM_CLASSES = 10;
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /** What to tell a user whose data folder lacks MNIST. */
    public static final String HOW_TO_FETCH =
            "run scripts/fetch-mnist.sh (or ./arm.sh fetch mnist), or point --data at a folder"
                    + " holding the four MNIST IDX files (plain or .gz, e.g. torchvision's download"
                    + " folder)";

    /** Raised when the data folder or one of its files is missing (as opposed to corrupt). */
    public static final class MissingException extends IOException {
        public MissingException(String message) {
            super(message);
        }
    }

    /** The two splits as read from disk. */
    public record Raw(Dataset train, Dataset test) {}

    private Mnist() {}

    /** Reads MNIST from {@code dir} (see {@link Idx#find} for the accepted layouts). */
    public static Raw load(Path dir) throws IOException {
        if (!Files.isDirectory(dir))
            throw new MissingException(
                    "MNIST data folder " + dir + " does not exist; " + HOW_TO_FETCH);
        Dataset train = read(dir, TRAIN_IMAGES, TRAIN_LABELS, "mnist train");
        Dataset test = read(dir, TEST_IMAGES, TEST_LABELS, "mnist test");
        return new Raw(train, test);
    }

    private static Dataset read(Path dir, String imagesName, String labelsName, String name)
            throws IOException {
        Path imagesFile = locate(dir, imagesName), labelsFile = locate(dir, labelsName);
        Idx.Images images = Idx.readImages(imagesFile, ROWS, COLS);
        int[] labels = Idx.readLabels(labelsFile, NUM_CLASSES);
        if (labels.length != images.count())
            throw new Idx.FormatException(
                    labelsFile,
                    "label count "
                            + labels.length
                            + " differs from the image count "
                            + images.count()
                            + " of "
                            + imagesFile);
        return new Dataset(name, images.pixels(), labels, new int[] {ROWS * COLS});
    }

    private static Path locate(Path dir, String name) throws MissingException {
        Path p = Idx.find(dir, name);
        if (p == null)
            throw new MissingException(
                    "no "
                            + name
                            + " (or "
                            + name
                            + ".gz) in "
                            + dir
                            + " or its MNIST/raw/; "
                            + HOW_TO_FETCH);
        return p;
    }
}
