package arm.data;

import arm.replica.NumpyPickle;
import arm.replica.NumpyRandom;
import arm.replica.Pickle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * CIFAR10-5 exactly as the authors' code builds it (ALGORITHM.md §4.3), from either distribution of
 * CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html):
 *
 * <ul>
 *   <li>python: {@code cifar-10-batches-py/data_batch_1 … 5, test_batch}, each a protocol-2 pickle
 *       of a dict with {@code data} (uint8 numpy array [n, 3072]: 1024 red, 1024 green, 1024 blue
 *       values, each a row-major 32×32 plane) and {@code labels} (n ints in 0..9), read by {@link
 *       Pickle} (the authors' source; preferred when both are present);
 *   <li>binary: {@code cifar-10-batches-bin/data_batch_1.bin … 5.bin, test_batch.bin}, records of 1
 *       label byte + 3072 pixel bytes in the same plane order. Believed to hold the same images in
 *       the same order as the python files; we have not been able to check that here.
 * </ul>
 *
 * The official files hold 10,000 images each; any whole number of records is accepted (the tests
 * use small files in both formats).
 *
 * <p>Protocol (deterministic; the same for every run, as in the authors' code):
 *
 * <ol>
 *   <li>Scan the 50,000 training images in file order: the first ⌊(n/10)·0.95⌋ = 4,750 of each
 *       class form train (47,500); scanning from the end, the last ⌊(n/10)·0.05⌋ = 250 of each
 *       class form val (2,500). Test: all 10,000.
 *   <li>Each split's index list is shuffled with numpy's generator seeded 111 ({@link NumpyRandom},
 *       bit-exact with numpy's legacy RandomState, so these are the authors' orders).
 *   <li>Train is regrouped into tasks {0,1}, {2,3}, …: class 2k's samples then class 2k+1's (each
 *       in shuffled order), then shuffled again within the task by the same generator, continuing.
 *   <li>Stream: task blocks in order (each repeated {@code taskRepeats} times, 1 for CIFAR), N =
 *       10: 5 tasks × 950 batches, max_t = 4,750, T = 950. Stationary: one pass in a random order
 *       drawn from the run seed (PyTorch's shuffling DataLoader is not replicated).
 * </ol>
 */
public final class Cifar10 {
    public static final int NUM_CLASSES = 10,
            IMAGE_BYTES = 3 * 32 * 32,
            RECORD_BYTES = 1 + IMAGE_BYTES;
    public static final int[] ITEM_SHAPE = {3, 32, 32};

    /** The authors' {@code np_rand_seed()}. */
    public static final long NUMPY_SEED = 111;

    public static final String PY_DIR = "cifar-10-batches-py", BIN_DIR = "cifar-10-batches-bin";
    public static final String HOW_TO_GET =
            "CIFAR-10 is published at https://www.cs.toronto.edu/~kriz/cifar.html: unpack "
                    + "cifar-10-python.tar.gz (giving "
                    + PY_DIR
                    + "/) or cifar-10-binary.tar.gz (giving "
                    + BIN_DIR
                    + "/) into the data folder";

    /** Mixed into the run seed for the stationary shuffle. */
    public static final long DATA_SALT = 0x63696661_7231L;

    private Cifar10() {}

    /** The two splits as read from disk, and which distribution they came from. */
    public record Raw(Dataset train, Dataset test, String source) {}

    /**
     * @param classesPerTask task k = labels k·cpt … k·cpt+cpt−1 (2 for CIFAR10-5)
     * @param trainFraction per-class train share of the scan (0.95)
     * @param batchSize N
     * @param taskRepeats times each task block is repeated back to back (num_iterations)
     * @param stationary one shuffled pass instead of task blocks
     */
    public record Config(
            int classesPerTask,
            double trainFraction,
            int batchSize,
            int taskRepeats,
            boolean stationary) {
        public Config withStationary(boolean s) {
            return new Config(classesPerTask, trainFraction, batchSize, taskRepeats, s);
        }
    }

    public static final Config CIFAR10_5 = new Config(2, 0.95, 10, 1, false);

    // ------------------------------------------------------------ files

    /** Reads and builds the paper's benchmark. */
    public static ContinualData load(Path dir, long seed) throws IOException {
        return build(read(dir), seed, CIFAR10_5);
    }

    /**
     * Reads CIFAR-10 from {@code dir}, which may be the folder holding {@value #PY_DIR} or {@value
     * #BIN_DIR}, or one of those folders itself.
     */
    public static Raw read(Path dir) throws IOException {
        if (!Files.isDirectory(dir))
            throw new MissingDataException("data folder " + dir + " does not exist; " + HOW_TO_GET);
        for (Path d : new Path[] {dir.resolve(PY_DIR), dir}) {
            if (Files.isRegularFile(d.resolve("data_batch_1")))
                return new Raw(
                        readPickles(files(d, ""), "cifar10 train"),
                        readPickles(List.of(need(d.resolve("test_batch"))), "cifar10 test"),
                        "python pickles in " + d);
        }
        for (Path d : new Path[] {dir.resolve(BIN_DIR), dir}) {
            if (Files.isRegularFile(d.resolve("data_batch_1.bin")))
                return new Raw(
                        readBinary(files(d, ".bin"), "cifar10 train"),
                        readBinary(List.of(need(d.resolve("test_batch.bin"))), "cifar10 test"),
                        "binary files in " + d);
        }
        throw new MissingDataException(
                "no CIFAR-10 in "
                        + dir
                        + ": expected "
                        + PY_DIR
                        + "/{data_batch_1..5,test_batch} or "
                        + BIN_DIR
                        + "/{data_batch_1..5.bin,test_batch.bin} there; "
                        + HOW_TO_GET);
    }

    private static List<Path> files(Path d, String ext) throws MissingDataException {
        List<Path> out = new ArrayList<>();
        for (int i = 1; i <= 5; i++) out.add(need(d.resolve("data_batch_" + i + ext)));
        return out;
    }

    private static Path need(Path p) throws MissingDataException {
        if (!arm.io.RegularFile.present(p))
            throw new MissingDataException("missing CIFAR-10 file " + p + "; " + HOW_TO_GET);
        return p;
    }

    /** A batch file's bytes: a regular file (not a FIFO, device or folder) of at most 256 MB. */
    static byte[] readBatch(Path f) throws IOException {
        String problem = arm.io.RegularFile.problem(f);
        if (problem != null) throw new DataFormatException(f, problem);
        long size = Files.size(f);
        if (size > 256L << 20)
            throw new DataFormatException(
                    f, size + " bytes is more than a CIFAR-10 batch file holds");
        return Files.readAllBytes(f);
    }

    /** Binary batches: records of 1 label byte + 3072 pixel bytes, concatenated in file order. */
    public static Dataset readBinary(List<Path> files, String name) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            byte[] bytes = readBatch(f);
            if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0)
                throw new DataFormatException(
                        f,
                        bytes.length
                                + " bytes is not a whole number of "
                                + RECORD_BYTES
                                + "-byte records (1 label + 3072 pixels); truncated?");
            contents.add(bytes);
            total += bytes.length / RECORD_BYTES;
        }
        byte[] pixels = new byte[total * IMAGE_BYTES];
        int[] labels = new int[total];
        int n = 0;
        for (int fi = 0; fi < files.size(); fi++) {
            byte[] bytes = contents.get(fi);
            for (int r = 0; r < bytes.length / RECORD_BYTES; r++, n++) {
                int label = bytes[r * RECORD_BYTES] & 0xFF;
                if (label >= NUM_CLASSES)
                    throw new DataFormatException(
                            files.get(fi),
                            "record " + r + " has label " + label + ", expected 0..9");
                labels[n] = label;
                System.arraycopy(bytes, r * RECORD_BYTES + 1, pixels, n * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new Dataset(name, pixels, labels, ITEM_SHAPE);
    }

    /** Python batches: pickled dicts with 'data' (uint8 [n, 3072]) and 'labels'. */
    public static Dataset readPickles(List<Path> files, String name) throws IOException {
        List<byte[]> pix = new ArrayList<>();
        List<int[]> labs = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            Object root = Pickle.load(f, readBatch(f));
            if (!(root instanceof Map<?, ?> dict))
                throw new DataFormatException(
                        f, "expected a pickled dict, found " + describe(root));
            int[] labels =
                    labels(
                            f,
                            dict.containsKey("labels")
                                    ? dict.get("labels")
                                    : dict.get("fine_labels"));
            byte[] data = NumpyPickle.uint8Matrix(f, dict.get("data"), labels.length, IMAGE_BYTES);
            pix.add(data);
            labs.add(labels);
            total += labels.length;
        }
        byte[] pixels = new byte[total * IMAGE_BYTES];
        int[] labels = new int[total];
        int n = 0;
        for (int i = 0; i < pix.size(); i++) {
            System.arraycopy(pix.get(i), 0, pixels, n * IMAGE_BYTES, pix.get(i).length);
            System.arraycopy(labs.get(i), 0, labels, n, labs.get(i).length);
            n += labs.get(i).length;
        }
        return new Dataset(name, pixels, labels, ITEM_SHAPE);
    }

    private static int[] labels(Path f, Object o) throws DataFormatException {
        if (!(o instanceof List<?> list))
            throw new DataFormatException(
                    f, "'labels' should be a list of ints, found " + describe(o));
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v) || v < 0 || v >= NUM_CLASSES)
                throw new DataFormatException(
                        f,
                        "label "
                                + i
                                + " is "
                                + arm.io.FileFormatException.describe(list.get(i))
                                + ", expected 0..9");
            out[i] = (int) (long) v;
        }
        return out;
    }

    public static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    // ------------------------------------------------------------ protocol

    /** The benchmark from the full training and test sets (see the class comment). */
    public static ContinualData build(Raw raw, long seed, Config cfg) {
        Dataset train = raw.train(), test = raw.test();
        int k = NUM_CLASSES, cpt = cfg.classesPerTask();
        if (k % cpt != 0)
            throw new IllegalArgumentException(k + " classes do not split into tasks of " + cpt);
        int n = train.size();
        int perTrain = (int) ((n / (double) k) * cfg.trainFraction());
        int perVal = (int) ((n / (double) k) * (1 - cfg.trainFraction()));
        int[] trainIdx = scan(train, perTrain, false), valIdx = scan(train, perVal, true);

        NumpyRandom np = new NumpyRandom(NUMPY_SEED);
        np.shuffle(trainIdx);
        int[] order = cfg.stationary() ? trainIdx : byTask(train, trainIdx, cpt, np);
        int[] vi = valIdx.clone();
        new NumpyRandom(NUMPY_SEED).shuffle(vi);
        int[] ti = identity(test.size());
        new NumpyRandom(NUMPY_SEED).shuffle(ti);

        int block = order.length / (k / cpt);
        if ((long) block * cfg.taskRepeats() % cfg.batchSize() != 0)
            throw new IllegalArgumentException(
                    "a task block of "
                            + block
                            + " × "
                            + cfg.taskRepeats()
                            + " samples is not a whole number of batches of "
                            + cfg.batchSize());
        int[] stream =
                cfg.stationary()
                        ? stationaryStream(order.length, cfg.taskRepeats(), seed)
                        : taskStream(k / cpt, block, cfg.taskRepeats());
        return new ContinualData(
                train.subset("cifar10 train", order),
                stream,
                train.subset("cifar10 val", vi),
                test.subset("cifar10 test", ti),
                k,
                cpt,
                cfg.batchSize());
    }

    /** The first (or, from the end, the last) {@code perClass} indices of each class. */
    static int[] scan(Dataset d, int perClass, boolean fromEnd) {
        int[] count = new int[NUM_CLASSES];
        int[] out = new int[perClass * NUM_CLASSES];
        int m = 0;
        for (int s = 0; s < d.size(); s++) {
            int i = fromEnd ? d.size() - 1 - s : s;
            int c = d.labels()[i];
            if (count[c] < perClass) {
                count[c]++;
                out[m++] = i;
            }
        }
        for (int c = 0; c < NUM_CLASSES; c++)
            if (count[c] < perClass)
                throw new IllegalArgumentException(
                        d.name()
                                + ": class "
                                + c
                                + " has "
                                + count[c]
                                + " images, the split needs "
                                + perClass
                                + " for "
                                + (fromEnd ? "val" : "train"));
        return out;
    }

    /** Tasks of cpt classes: each class's indices in current order, concatenated, then shuffled. */
    static int[] byTask(Dataset d, int[] idx, int cpt, NumpyRandom np) {
        List<List<Integer>> perClass = new ArrayList<>();
        for (int c = 0; c < NUM_CLASSES; c++) perClass.add(new ArrayList<>());
        for (int i : idx) perClass.get(d.labels()[i]).add(i);
        int[] out = new int[idx.length];
        int pos = 0;
        for (int t = 0; t < NUM_CLASSES / cpt; t++) {
            List<Integer> task = new ArrayList<>();
            for (int c = t * cpt; c < (t + 1) * cpt; c++) task.addAll(perClass.get(c));
            int[] perm = np.permutation(task.size());
            for (int j : perm) out[pos++] = task.get(j);
        }
        return out;
    }

    static int[] taskStream(int tasks, int block, int repeats) {
        int[] s = new int[tasks * block * repeats];
        int pos = 0;
        for (int t = 0; t < tasks; t++)
            for (int r = 0; r < repeats; r++)
                for (int i = 0; i < block; i++) s[pos++] = t * block + i;
        return s;
    }

    static int[] stationaryStream(int n, int repeats, long seed) {
        int[] s = new int[n * repeats];
        for (int i = 0; i < s.length; i++) s[i] = i % n;
        SplittableRandom r = new SplittableRandom(seed ^ DATA_SALT);
        for (int i = s.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}
