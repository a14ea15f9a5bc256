package arm.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MNIST-5k sizes against the numbers in ALGORITHM.md §4.2 on the real files. Skipped (with a
 * message) when data/mnist is absent; CI fetches it first (.ci/run).
 */
public class Mnist5kRealDataTest {
    static Mnist.Raw raw;

    /** data/mnist under the repository root (tests run in arm/), or -Dmnist.dir. */
    public static Path dataDir() {
        String prop = System.getProperty("mnist.dir");
        if (prop != null) return Path.of(prop);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isDirectory(p.resolve("data/mnist"))) return p.resolve("data/mnist");
        return Path.of("data/mnist");
    }

    @BeforeAll
    static void load() throws Exception {
        Path dir = dataDir();
        boolean present = Idx.find(dir, Mnist.TRAIN_IMAGES) != null;
        String why =
                "SKIPPED Mnist5kRealDataTest: MNIST not found at "
                        + dir.toAbsolutePath()
                        + "; run scripts/fetch-mnist.sh to enable these tests";
        if (!present) System.err.println(why); // surefire does not show a class-level skip reason
        Assumptions.assumeTrue(present, why);
        raw = Mnist.load(dir);
    }

    @Test
    void rawSizesAndTestClassSizes() {
        assertThat(raw.train().size()).isEqualTo(60000);
        assertThat(raw.test().size()).isEqualTo(10000);
        int[] perClass = new int[10];
        for (int y : raw.test().labels()) perClass[y]++;
        assertThat(perClass).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
    }

    @Test
    void mnist5kSizes() {
        for (boolean shared : new boolean[] {false, true}) {
            ContinualData d =
                    Mnist5k.build(
                            raw.train(),
                            raw.test(),
                            10,
                            0,
                            Mnist5k.MNIST5K.withSharedValSplit(shared));
            assertThat(d.train().size()).isEqualTo(5000);
            assertThat(d.val().size()).isEqualTo(3003);
            assertThat(d.test().size()).isEqualTo(10000);
            assertThat(d.train().itemShape()).containsExactly(784);
            int[] perClass = new int[10], valPerTask = new int[5];
            for (int y : d.train().labels()) perClass[y]++;
            for (int y : d.val().labels()) valPerTask[y / 2]++;
            assertThat(perClass).containsOnly(500);
            assertThat(valPerTask).containsExactly(634, 605, 564, 610, 590);
            assertThat(d.numBatches()).isEqualTo(500);
            assertThat(d.batchesPerTask()).isEqualTo(100);
            for (int t = 0; t < 500; t++)
                for (int y : d.train().labels(d.batch(t))) assertThat(y / 2).isEqualTo(t / 100);
        }
    }

    @Test
    void valLeakageOfTheAuthorsSplitIsAboutEightPercent() {
        ContinualData d = Mnist5k.build(raw.train(), raw.test(), 10, 1, Mnist5k.MNIST5K);
        double leak = overlap(d.train(), d.val());
        assertThat(leak).isBetween(0.05, 0.12);
        ContinualData s =
                Mnist5k.build(
                        raw.train(), raw.test(), 10, 1, Mnist5k.MNIST5K.withSharedValSplit(true));
        // MNIST has a handful of byte-identical duplicate images, hence not exactly 0
        assertThat(overlap(s.train(), s.val())).isLessThan(0.005);
    }

    private static double overlap(Dataset train, Dataset val) {
        Set<ByteBuffer> images = new HashSet<>();
        int item = train.itemSize();
        for (int i = 0; i < train.size(); i++)
            images.add(ByteBuffer.wrap(train.pixels(), i * item, item).slice());
        int hits = 0;
        for (int i = 0; i < val.size(); i++)
            if (images.contains(ByteBuffer.wrap(val.pixels(), i * item, item).slice())) hits++;
        return (double) hits / val.size();
    }
}
