package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.replica.ImageResize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MiniImageNet-20: CSV + image loading, the decode cache, bad files, and the split protocol. */
class MiniImageNetTest {
    @TempDir Path dir;

    /** 10 classes (4 in train.csv, 3 in val.csv, 3 in test.csv) × 10 images; tasks of 5. */
    static final MiniImageNet.Config SMALL =
            new MiniImageNet.Config(10, 5, 0.8, 0.95, 2, 3, false, false);

    // ------------------------------------------------------------ resizing

    @Test
    void pillowBilinearTapsByHand() {
        // 4 → 2: support 2; output 0 centre 1.0 takes inputs 0,1,2 with weights 3/7, 3/7, 1/7
        byte[] out = ImageResize.resample(new byte[] {0, 70, (byte) 140, (byte) 210}, 4, 1, 2, 1);
        assertThat(out[0] & 0xFF).isEqualTo(50);
        assertThat(out[1] & 0xFF).isEqualTo(160);
        byte[] flat = new byte[13 * 7];
        Arrays.fill(flat, (byte) 99);
        for (byte b : ImageResize.resample(flat, 13, 7, 5, 20)) assertThat(b).isEqualTo((byte) 99);
    }

    @Test
    void shorterSideTo84ThenCentreCropWithPythonRounding() {
        // 87×84: no resize (the shorter side is 84); left = round(1.5) = 2
        BufferedImage img = new BufferedImage(87, 84, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 87; x++)
            for (int y = 0; y < 84; y++) img.setRGB(x, y, x << 16 | y << 8 | (x + y));
        byte[] chw = ImageResize.resizeCropChw(img, 84);
        assertThat(chw[0] & 0xFF).isEqualTo(2); // red of (y 0, x 0) is column 2
        assertThat(chw[84 * 84 + 5 * 84] & 0xFF).isEqualTo(5); // green = row
        // 85×84: left = round(0.5) = 0 (half to even)
        BufferedImage img85 = new BufferedImage(85, 84, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 85; x++) for (int y = 0; y < 84; y++) img85.setRGB(x, y, x << 16);
        assertThat(ImageResize.resizeCropChw(img85, 84)[10] & 0xFF).isEqualTo(10);
        // 100×90 → 93×84 (int(84·100/90)), crop left round(4.5) = 4: a constant image stays
        // constant
        BufferedImage big = new BufferedImage(100, 90, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 100; x++) for (int y = 0; y < 90; y++) big.setRGB(x, y, 0x102030);
        byte[] b = ImageResize.resizeCropChw(big, 84);
        assertThat(b[0]).isEqualTo((byte) 0x10);
        assertThat(b[84 * 84]).isEqualTo((byte) 0x20);
        assertThat(b[3 * 84 * 84 - 1]).isEqualTo((byte) 0x30);
    }

    @Test
    void greyImagesAreReplicatedNotGammaShifted() {
        BufferedImage g = new BufferedImage(84, 84, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(3, 2, 0, 100);
        byte[] chw = ImageResize.resizeCropChw(g, 84);
        for (int c = 0; c < 3; c++) assertThat(chw[c * 84 * 84 + 2 * 84 + 3] & 0xFF).isEqualTo(100);
    }

    // ------------------------------------------------------------ small folder in the real layout

    static final String[][] CSV_CLASSES = {
        {"n0300", "n0100", "n0500", "n0200"},
        {"n0900", "n0700", "n0800"},
        {"n0400", "n0600", "n1000"}
    };

    /** Writes train/val/test.csv and images (JPEG, one lossless PNG per class, assorted sizes). */
    void writeFolder() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        SplittableRandom r = new SplittableRandom(3);
        int[][] sizes = {{84, 84}, {100, 90}, {90, 120}, {84, 95}, {200, 150}};
        for (int f = 0; f < 3; f++) {
            List<String> lines = new ArrayList<>(List.of("filename,label"));
            for (String wnid : CSV_CLASSES[f])
                for (int i = 0; i < 10; i++) {
                    boolean png = i == 0;
                    String name = wnid + String.format("%08d", i) + (png ? ".png" : ".jpg");
                    int[] s = png ? new int[] {84, 84} : sizes[i % sizes.length];
                    BufferedImage img = new BufferedImage(s[0], s[1], BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < s[1]; y++)
                        for (int x = 0; x < s[0]; x++) img.setRGB(x, y, r.nextInt(1 << 24));
                    ImageIO.write(img, png ? "png" : "jpg", images.resolve(name).toFile());
                    lines.add(name + "," + wnid);
                }
            Files.write(dir.resolve(MiniImageNet.CSVS[f]), lines);
        }
    }

    @Test
    void smallFolderLoadsWithLabelsByFirstAppearance() throws IOException {
        writeFolder();
        MiniImageNet.Listing l = MiniImageNet.readListing(dir);
        assertThat(l.numClasses()).isEqualTo(10);
        assertThat(l.labels()[0]).isEqualTo(0); // n0300 appears first in train.csv
        assertThat(l.labels()[10]).isEqualTo(1); // then n0100
        assertThat(l.labels()[40]).isEqualTo(4); // val.csv starts at 4 (n0900)
        assertThat(l.labels()[70]).isEqualTo(7); // test.csv starts at 7 (n0400)

        Path cache = dir.resolve("cache.u8");
        ContinualData c = MiniImageNet.load(dir, cache, 5, SMALL);
        // per class 8 train-pool / 2 test; per task pool 40 → 38 train + 2 val
        assertThat(c.train().size()).isEqualTo(76);
        assertThat(c.val().size()).isEqualTo(4);
        assertThat(c.test().size()).isEqualTo(20);
        assertThat(c.train().itemShape()).containsExactly(3, 84, 84);
        assertThat(c.numBatches()).isEqualTo(114); // 2 tasks × 38 × 3 / N = 2
        assertThat(c.batchesPerTask()).isEqualTo(57);
        for (int t = 0; t < 114; t++) { // each task's 19 batches, three times in the same order
            int task = t / 57;
            assertThat(c.batch(t)).containsExactly(c.batch(task * 57 + (t - task * 57) % 19));
        }
        // the PNG of class 0 (file index 0) is 84×84: its pixels come through unchanged
        BufferedImage png = ImageIO.read(dir.resolve("images").resolve(l.files().get(0)).toFile());
        int where = -1;
        for (int i = 0; i < c.test().size() + c.train().size(); i++) {
            Dataset d = i < c.train().size() ? c.train() : c.test();
            int j = i < c.train().size() ? i : i - c.train().size();
            byte[] p = Arrays.copyOfRange(d.pixels(), j * 21168, (j + 1) * 21168);
            if (d.labels()[j] == 0
                    && (p[0] & 0xFF) == (png.getRGB(0, 0) >> 16 & 0xFF)
                    && (p[84 * 84 + 1] & 0xFF) == (png.getRGB(1, 0) >> 8 & 0xFF)) where = i;
        }
        assertThat(where)
                .isNotNegative(); // file 0 is among its class's first 8 → in the train pool
    }

    @Test
    void cacheIsReusedAndRebuiltWhenTheCsvsChange() throws IOException {
        writeFolder();
        Path cache = dir.resolve("cache.u8");
        ContinualData first = MiniImageNet.load(dir, cache, 5, SMALL);
        long stamp = Files.getLastModifiedTime(cache).toMillis();
        for (Path p : Files.list(dir.resolve("images")).toList()) Files.delete(p); // JPEGs gone
        ContinualData again = MiniImageNet.load(dir, cache, 5, SMALL);
        assertThat(again.train().pixels()).isEqualTo(first.train().pixels());
        // the shared-images path (decode once, subset per run) gives the same run
        ContinualData shared = MiniImageNet.build(MiniImageNet.read(dir, cache), 5, SMALL);
        assertThat(shared.train().pixels()).isEqualTo(first.train().pixels());
        assertThat(shared.stream()).isEqualTo(first.stream());
        assertThat(shared.val().labels()).isEqualTo(first.val().labels());
        assertThat(Files.getLastModifiedTime(cache).toMillis()).isEqualTo(stamp);
        // a changed listing invalidates the cache; with no JPEGs left the rebuild names a missing
        // image
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("test.csv")));
        lines.set(1, "other.jpg," + CSV_CLASSES[2][0]);
        Files.write(dir.resolve("test.csv"), lines);
        assertThatThrownBy(() -> MiniImageNet.load(dir, cache, 5, SMALL))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("images");
    }

    @Test
    void truncatedCacheIsNamed() throws IOException {
        writeFolder();
        Path cache = dir.resolve("cache.u8");
        MiniImageNet.load(dir, cache, 5, SMALL);
        byte[] b = Files.readAllBytes(cache);
        Files.write(cache, Arrays.copyOf(b, b.length - 1000));
        assertThatThrownBy(() -> MiniImageNet.load(dir, cache, 5, SMALL))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("cache.u8")
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedJpegIsNamed() throws IOException {
        writeFolder();
        Path jpg = dir.resolve("images").resolve("n070000000003.jpg");
        byte[] b = Files.readAllBytes(jpg);
        Files.write(jpg, Arrays.copyOf(b, b.length / 2));
        assertThatThrownBy(() -> MiniImageNet.load(dir, dir.resolve("c.u8"), 5, SMALL))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("n070000000003.jpg");
        assertThat(dir.resolve("c.u8")).doesNotExist(); // no half-written cache left behind
    }

    @Test
    void corruptJpegIsNamed() throws IOException {
        writeFolder();
        Path jpg = dir.resolve("images").resolve("n100000000007.jpg");
        byte[] b = Files.readAllBytes(jpg);
        for (int i = 2; i < 40; i++) b[i] = (byte) 0x5A; // wreck the headers after SOI
        Files.write(jpg, b);
        assertThatThrownBy(() -> MiniImageNet.load(dir, dir.resolve("c.u8"), 5, SMALL))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("n100000000007.jpg");
    }

    @Test
    void missingFilesSayWhatAndWhere() throws IOException {
        assertThatThrownBy(() -> MiniImageNet.readListing(dir.resolve("none")))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("train.csv")
                .hasMessageContaining("mini-imagenet");
        assertThatThrownBy(() -> MiniImageNet.readListing(dir))
                .isInstanceOf(MissingDataException.class)
                .hasMessageContaining("train.csv");
        writeFolder();
        Files.write(dir.resolve("val.csv"), List.of("filename,label", "broken line without comma"));
        assertThatThrownBy(() -> MiniImageNet.readListing(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("val.csv")
                .hasMessageContaining("line 2");
    }

    // ------------------------------------------------------------ full-size protocol (labels only)

    static int[] paperLabels() {
        int[] l = new int[60_000];
        for (int i = 0; i < l.length; i++)
            l[i] = i / 600; // 600 per class, contiguous, in label order
        return l;
    }

    @Test
    void paperSplitSizesAndStream() {
        MiniImageNet.Split s =
                MiniImageNet.split(paperLabels(), 100, 7, MiniImageNet.MINIIMAGENET_20);
        assertThat(s.train()).hasSize(45_600);
        assertThat(s.val()).hasSize(2_400);
        assertThat(s.test()).hasSize(12_000);
        assertThat(s.stream()).hasSize(136_800);
        int batches = s.stream().length / 10, perTask = batches / 20;
        assertThat(batches).isEqualTo(13_680);
        assertThat(perTask).isEqualTo(684);
        int[] labels = paperLabels();
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < 10; i++)
                if (labels[s.train()[s.stream()[t * 10 + i]]] / 5 != t / 684)
                    throw new AssertionError("batch " + t + " mixes tasks");
        }
        for (int k = 0; k < 20; k++) // each task block is repeated 3 times in identical order
        for (int i = 0; i < 2280; i++) {
                int a = s.stream()[k * 6840 + i];
                if (s.stream()[k * 6840 + 2280 + i] != a || s.stream()[k * 6840 + 4560 + i] != a)
                    throw new AssertionError("task " + k + " repeat differs at " + i);
            }
        // test = the last 120 of every class; the train pool never contains them
        Set<Integer> test = new HashSet<>();
        for (int i : s.test()) test.add(i);
        for (int c = 0; c < 100; c++)
            assertThat(
                            test.contains(c * 600 + 480)
                                    && test.contains(c * 600 + 599)
                                    && !test.contains(c * 600 + 479))
                    .isTrue();
        assertThat(Arrays.stream(s.train()).filter(test::contains).count()).isZero();
    }

    @Test
    void valLeaksIntoTrainUnlessTheSplitIsShared() {
        for (boolean shared : new boolean[] {false, true}) {
            MiniImageNet.Split s =
                    MiniImageNet.split(
                            paperLabels(),
                            100,
                            9,
                            MiniImageNet.MINIIMAGENET_20.withSharedValSplit(shared));
            Set<Integer> train = new HashSet<>();
            for (int i : s.train()) train.add(i);
            long leaked = Arrays.stream(s.val()).filter(train::contains).count();
            if (shared) assertThat(leaked).isZero();
            else assertThat(leaked / 2400.0).isBetween(0.92, 0.98); // ≈ 95% (ALGORITHM.md §9 D11)
        }
    }
}
