package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the four files as a set (synthetic files; the real ones are in Mnist5kRealDataTest). */
class MnistTest {
    @TempDir Path dir;

    static final int[] TRAIN = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
            TEST = {2, 1, 1, 1, 1, 1, 1, 1, 1, 3};

    @Test
    void loadsPlainAndTorchvisionGzipLayouts() throws Exception {
        IdxFiles.writeMnist(dir.resolve("plain"), TRAIN, TEST, false);
        IdxFiles.writeMnist(dir.resolve("tv/MNIST/raw"), TRAIN, TEST, true);
        for (Path p : new Path[] {dir.resolve("plain"), dir.resolve("tv")}) {
            Mnist.Raw raw = Mnist.load(p);
            assertThat(raw.train().size()).isEqualTo(75);
            assertThat(raw.test().size()).isEqualTo(13);
            assertThat(raw.train().itemShape()).containsExactly(784);
            for (int i = 0; i < raw.train().size(); i++)
                assertThat(raw.train().pixels()[i * 784 + 2])
                        .isEqualTo((byte) raw.train().labels()[i]);
        }
    }

    @Test
    void missingFolderAndFileSayHowToFetch() throws Exception {
        assertThatThrownBy(() -> Mnist.load(dir.resolve("absent")))
                .isInstanceOf(Mnist.MissingException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("scripts/fetch-mnist.sh");
        IdxFiles.writeMnist(dir, TRAIN, TEST, false);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        assertThatThrownBy(() -> Mnist.load(dir))
                .isInstanceOf(Mnist.MissingException.class)
                .hasMessageContaining("no t10k-labels-idx1-ubyte")
                .hasMessageContaining("./arm.sh fetch mnist");
    }

    @Test
    void labelImageCountMismatchNamesBothFiles() throws Exception {
        IdxFiles.writeMnist(dir, TRAIN, TEST, false);
        IdxFiles.write(
                dir.resolve("train-labels-idx1-ubyte"),
                IdxFiles.labels(2049, 2, new byte[] {1, 2}));
        assertThatThrownBy(() -> Mnist.load(dir))
                .isInstanceOf(Idx.FormatException.class)
                .hasMessageContaining("label count 2 differs from the image count 75")
                .hasMessageContaining("train-images-idx3-ubyte");
    }
}
