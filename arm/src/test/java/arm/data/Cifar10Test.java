package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.replica.NumpyRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR10-5: both file formats, their failure modes, and the split protocol (ALGORITHM.md §4.3).
 */
class Cifar10Test {
    @TempDir Path dir;

    /** 100 images per class (1000) in 5 train files, 30 test images; random pixels, seeded. */
    static final int PER_FILE = 200, TEST = 30;

    static int[] labels(int n, long seed) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = i % 10;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = l[i];
            l[i] = l[j];
            l[j] = t;
        }
        return l;
    }

    static byte[] pixels(int n, long seed) {
        byte[] p = new byte[n * Cifar10.IMAGE_BYTES];
        new SplittableRandom(seed).nextBytes(p);
        return p;
    }

    /** Writes the distribution in one format; returns {all train labels, test labels}. */
    int[][] writeAll(boolean pickle) throws IOException {
        Path d = Files.createDirectories(dir.resolve(pickle ? Cifar10.PY_DIR : Cifar10.BIN_DIR));
        int[] all = labels(5 * PER_FILE, 1);
        for (int f = 0; f < 5; f++) {
            int[] l = Arrays.copyOfRange(all, f * PER_FILE, (f + 1) * PER_FILE);
            byte[] p = pixels(PER_FILE, 10 + f);
            if (pickle)
                CifarFiles.writePickle(
                        d.resolve("data_batch_" + (f + 1)),
                        l,
                        p,
                        "training batch " + (f + 1) + " of 5");
            else CifarFiles.writeBinary(d.resolve("data_batch_" + (f + 1) + ".bin"), l, p);
        }
        int[] t = labels(TEST, 2);
        if (pickle)
            CifarFiles.writePickle(
                    d.resolve("test_batch"), t, pixels(TEST, 20), "testing batch 1 of 1");
        else CifarFiles.writeBinary(d.resolve("test_batch.bin"), t, pixels(TEST, 20));
        return new int[][] {all, t};
    }

    @Test
    void binaryAndPickleGiveTheSameImagesInFileOrder() throws IOException {
        int[][] l = writeAll(false);
        Cifar10.Raw bin = Cifar10.read(dir);
        assertThat(bin.source()).startsWith("binary");
        writeAll(true);
        Cifar10.Raw py = Cifar10.read(dir); // the pickles win when both are present
        assertThat(py.source()).startsWith("python");
        assertThat(bin.train().labels()).containsExactly(l[0]);
        assertThat(py.train().labels()).containsExactly(l[0]);
        assertThat(py.train().pixels()).isEqualTo(bin.train().pixels());
        assertThat(py.test().pixels()).isEqualTo(bin.test().pixels());
        byte[] third =
                Arrays.copyOfRange(
                        bin.train().pixels(), 2 * PER_FILE * 3072, (2 * PER_FILE + 1) * 3072);
        assertThat(third)
                .isEqualTo(Arrays.copyOf(pixels(PER_FILE, 12), 3072)); // first image of file 3
        assertThat(bin.train().itemShape()).containsExactly(3, 32, 32);
    }

    @Test
    void smallProtocolOnRealFormatFiles() throws IOException {
        writeAll(false);
        ContinualData c = Cifar10.load(dir, 0);
        // 100 per class: train ⌊100·0.95⌋ = 95, val ⌊100·0.05⌋ = 5 per class
        assertThat(c.train().size()).isEqualTo(950);
        assertThat(c.val().size()).isEqualTo(50);
        assertThat(c.test().size()).isEqualTo(TEST);
        assertThat(c.numBatches()).isEqualTo(95);
        assertThat(c.batchesPerTask()).isEqualTo(19);
        for (int t = 0; t < c.numBatches(); t++) {
            Set<Integer> tasks = new HashSet<>();
            for (int y : c.train().labels(c.batch(t))) tasks.add(y / 2);
            assertThat(tasks).containsExactly(t / 19);
        }
    }

    @Test
    void pythonPicklesWrittenByPython3AreReadToo() throws IOException {
        // made with numpy 2.4 / Python 3.11: pickle.dumps({'batch_label': …, 'labels': [4, 9],
        // 'data': (np.arange(2*3072)*7 % 256).astype(np.uint8).reshape(2, 3072), 'filenames': …},
        // protocol=p)
        for (String name : new String[] {"py3_protocol2.pkl", "py3_protocol4.pkl"}) {
            Path f = dir.resolve(name);
            try (var in = getClass().getResourceAsStream("/cifar/" + name)) {
                Files.write(f, in.readAllBytes());
            }
            Dataset d = Cifar10.readPickles(java.util.List.of(f), name);
            assertThat(d.labels()).containsExactly(4, 9);
            byte[] p = d.pixels();
            for (int i = 0; i < p.length; i++) assertThat(p[i] & 0xFF).isEqualTo(i * 7 % 256);
        }
    }

    // ------------------------------------------------------------ bad files

    @Test
    void truncatedBinaryFileIsNamed() throws IOException {
        writeAll(false);
        Path f = dir.resolve(Cifar10.BIN_DIR).resolve("data_batch_3.bin");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 100));
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_3.bin")
                .hasMessageContaining("truncated");
    }

    @Test
    void corruptBinaryLabelIsNamed() throws IOException {
        writeAll(false);
        Path f = dir.resolve(Cifar10.BIN_DIR).resolve("test_batch.bin");
        byte[] b = Files.readAllBytes(f);
        b[7 * Cifar10.RECORD_BYTES] = (byte) 200;
        Files.write(f, b);
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("test_batch.bin")
                .hasMessageContaining("record 7 has label 200");
    }

    @Test
    void truncatedPickleIsNamed() throws IOException {
        writeAll(true);
        Path f = dir.resolve(Cifar10.PY_DIR).resolve("data_batch_2");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length / 2)); // cuts through the pixel string
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_2")
                .hasMessageContaining("truncated");
    }

    @Test
    void corruptPickleIsNamed() throws IOException {
        writeAll(true);
        Path f = dir.resolve(Cifar10.PY_DIR).resolve("data_batch_4");
        byte[] b = Files.readAllBytes(f);
        b[2] = (byte) 0xF0; // the dict opcode
        Files.write(f, b);
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_4")
                .hasMessageContaining("opcode 0xf0");
        // a well-formed pickle whose array does not match its labels: 3 labels, 200 images of bytes
        int[] l = labels(PER_FILE, 3);
        CifarFiles.writePickle(f, Arrays.copyOf(l, 3), pixels(PER_FILE, 3), "bad");
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("data_batch_4")
                .hasMessageContaining("expected 3 × 3072");
    }

    @Test
    void missingDataSaysWhatAndWhere() throws IOException {
        assertThatThrownBy(() -> Cifar10.read(dir.resolve("nowhere")))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("https://www.cs.toronto.edu/~kriz/cifar.html");
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("data_batch_1..5")
                .hasMessageContaining("cifar-10-batches-bin")
                .hasMessageContaining("cifar-10-python.tar.gz");
        writeAll(false);
        Files.delete(dir.resolve(Cifar10.BIN_DIR).resolve("data_batch_5.bin"));
        assertThatThrownBy(() -> Cifar10.read(dir))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("data_batch_5.bin");
    }

    // ------------------------------------------------------------ full-size protocol

    /** A 50,000 / 10,000 set in a file-like class order (labels only; 1 byte per "image"). */
    static Cifar10.Raw fullSizeLabelsOnly() {
        int n = 50_000;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        long x = 12345;
        for (int i = n - 1;
                i > 0;
                i--) { // a fixed LCG shuffle, reproduced in the Python check below
            x = x * 6364136223846793005L + 1442695040888963407L;
            int j = (int) Long.remainderUnsigned(x >>> 33, i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) lab[i] = idx[i] % 10;
        Dataset train = new Dataset("t", new byte[n], lab, new int[] {1});
        int[] tl = new int[10_000];
        for (int i = 0; i < tl.length; i++) tl[i] = i % 10;
        return new Cifar10.Raw(
                train, new Dataset("test", new byte[10_000], tl, new int[] {1}), "synthetic");
    }

    @Test
    void paperSplitSizesAndStream() {
        Cifar10.Raw raw = fullSizeLabelsOnly();
        ContinualData c = Cifar10.build(raw, 0, Cifar10.CIFAR10_5);
        assertThat(c.train().size()).isEqualTo(47_500);
        assertThat(c.val().size()).isEqualTo(2_500);
        assertThat(c.test().size()).isEqualTo(10_000);
        assertThat(c.numBatches()).isEqualTo(4_750);
        assertThat(c.batchesPerTask()).isEqualTo(950);
        assertThat(c.numTasks()).isEqualTo(5);
        int[] perClass = new int[10];
        for (int y : c.train().labels()) perClass[y]++;
        assertThat(perClass).containsOnly(4_750);
        int[] valPerClass = new int[10];
        for (int y : c.val().labels()) valPerClass[y]++;
        assertThat(valPerClass).containsOnly(250);
        for (int t = 0; t < c.numBatches(); t++) {
            int task = c.train().labels()[c.stream()[t * 10]] / 2;
            for (int i = 1; i < 10; i++)
                assertThat(c.train().labels()[c.stream()[t * 10 + i]] / 2).isEqualTo(task);
            assertThat(task).isEqualTo(t / 950);
        }
    }

    /**
     * The train and val orders equal those of the authors' code run on the same labels, computed
     * with numpy 2.4.6: the per-class scans, np.random.seed(111), np.random.shuffle of the index
     * array, regrouping per task and np.random.shuffle(np.arange(len)) per task.
     */
    @Test
    void trainAndValOrdersMatchTheAuthorsNumpyShuffles() {
        Cifar10.Raw raw = fullSizeLabelsOnly();
        assertThat(Arrays.copyOf(raw.train().labels(), 10))
                .containsExactly(4, 9, 6, 5, 9, 3, 2, 6, 7, 6);
        int n = raw.train().size();
        int[] trainIdx = Cifar10.scan(raw.train(), 4750, false);
        NumpyRandom np = new NumpyRandom(111);
        np.shuffle(trainIdx);
        int[] order = Cifar10.byTask(raw.train(), trainIdx, 2, np);
        assertThat(new int[] {order[0], order[1], order[2], order[3]})
                .containsExactly(34387, 11956, 31195, 34471);
        assertThat(new int[] {order[9500], order[9501]}).containsExactly(25889, 31761);
        assertThat(new int[] {order[47498], order[47499]}).containsExactly(29474, 9008);
        int[] val = Cifar10.scan(raw.train(), 250, true);
        new NumpyRandom(111).shuffle(val);
        assertThat(new int[] {val[0], val[1], val[2]}).containsExactly(49103, 49377, 48381);
        assertThat(n).isEqualTo(50_000);
    }

    @Test
    void stationaryStreamIsOneShuffledPass() {
        ContinualData c =
                Cifar10.build(fullSizeLabelsOnly(), 3, Cifar10.CIFAR10_5.withStationary(true));
        assertThat(c.stream()).hasSize(47_500);
        int[] sorted = c.stream().clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertThat(sorted[i]).isEqualTo(i);
        assertThat(Arrays.copyOf(c.stream(), 20)).isNotEqualTo(Arrays.copyOf(sorted, 20));
    }
}
